/**
 * The readable outputs of a run, in `outputs/<pipeline>/`:
 *
 *   <step>.json          a result (or an imputed set's info) as pretty canonical JSON
 *   <step>.csv           a table step's table (an imputed step's original data)
 *   <step>.<name>.csv    a result's named tables
 *   run.json             the run record (see RunRecord)
 *
 * They are derived from the cache: a file is rewritten only when the output it comes from changed
 * (tracked in `.manifest.json`) or its content no longer matches the sha256 recorded for it (a crash
 * between a file's rename and the manifest's, or a hand edit), files of steps no longer in the spec
 * are removed (a `run --only` keeps the files of the steps it left out, marked stale as below), and
 * every write is atomic.
 *
 * Nothing good is lost to a failed run: the files of a step that failed or was skipped are kept from
 * the last run that produced them, marked stale — listed in `run.json` (`stale`), and an HTML report or
 * Markdown summary among them gets a banner saying so — until a run produces them again.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeArtifact, type Artifact } from '../data/artifact.js';
import { canonicalJsonPretty, type Json, type JsonObject } from '../data/canonical.js';
import { writeCsv } from '../data/csv.js';
import { longTable } from '../results/impute-long.js';
import { removeStaleTemps, writeFileAtomic } from './atomic.js';
import type { ContentHash } from './hash.js';
import type { TaskStatus } from './scheduler.js';
import type { GitState, Machine } from './environment.js';
import type { KeyResult } from './key-results.js';

export interface RunRecordStep {
  readonly name: string;
  readonly kind: string;
  /** Absent when the key could not be computed (a dependency failed). */
  readonly key?: string;
  readonly status: TaskStatus;
  readonly ms: number;
  readonly output?: string;
  readonly error?: string;
  readonly reason?: string;
  readonly warnings?: readonly string[];
}

export interface RunRecord {
  readonly pipeline: string;
  readonly spec: string;
  readonly specHash: string;
  readonly status: 'ok' | 'failed' | 'interrupted';
  readonly started: string;
  readonly ms: number;
  /** lesionflow's and Node's versions, and every runtime dependency installed (name → version, from the lock file: versions.ts). */
  readonly versions: { readonly node: string; readonly lesionflow: string; readonly dependencies?: Readonly<Record<string, string>> };
  readonly seed: number;
  /** Data files read by steps (path as written → sha256). */
  readonly files: Readonly<Record<string, string>>;
  readonly steps: readonly RunRecordStep[];
  /** Files kept from an earlier run because their step failed or was skipped in this one (or left out by `run --only`). */
  readonly stale?: readonly StaleFile[];
  // The run's provenance and its place in the history (run-history.ts, provenance.ts). Optional: a
  // record written by an earlier lesionflow lacks them.
  /** Its number in the run history (`outputs/.runs/<run>.json`). */
  readonly run?: number;
  /** `--name`. */
  readonly name?: string;
  /** The command line, after `lesionflow` (as typed: run.json is not meant to be shared). */
  readonly command?: readonly string[];
  /** The `--set` overrides in effect, and all pipeline parameters after them. */
  readonly overrides?: Readonly<Record<string, unknown>>;
  readonly params?: Readonly<Record<string, unknown>>;
  /** `run --only`: the steps asked for (the run holds them and what they need). */
  readonly only?: readonly string[];
  readonly jobs?: number;
  readonly machine?: Machine;
  /** The project's git commit and whether its tree had changes, at the start; null outside a git work tree. */
  readonly git?: GitState | null;
  /** The spec's `metrics` and the report's published rows, read from this run's outputs (key-results.ts). */
  readonly results?: readonly KeyResult[];
}

export interface StaleFile {
  readonly file: string;
  readonly step: string;
}

/** Step names may hold `[modality=CT]`; anything outside a safe set becomes `_`. */
export function fileStem(step: string): string {
  return step.replace(/[^A-Za-z0-9_.=,[\]+-]/g, '_');
}

/**
 * The files a result carries in `value.files` (name → text, or `{base64}` for a binary file such as the
 * report's Word file and PNG figures); names are plain file names, never paths.
 */
function ownFiles(value: JsonObject): Map<string, string | Buffer> {
  const files = new Map<string, string | Buffer>();
  const own = value.files;
  if (own === null || typeof own !== 'object' || Array.isArray(own)) return files;
  for (const [name, content] of Object.entries(own as Record<string, Json>)) {
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name)) continue;
    if (typeof content === 'string') files.set(name, content);
    const base64 = content !== null && typeof content === 'object' && !Array.isArray(content) ? (content as { readonly base64?: Json }).base64 : undefined;
    if (typeof base64 === 'string') files.set(name, Buffer.from(base64, 'base64'));
  }
  return files;
}

/** The files a step's artifact is shown as, by file name. */
export function artifactFiles(step: string, a: Artifact): Map<string, string | Buffer> {
  const stem = fileStem(step);
  const files = new Map<string, string | Buffer>();
  switch (a.type) {
    case 'table':
      files.set(`${stem}.csv`, writeCsv(a.table));
      break;
    case 'imputed':
      files.set(`${stem}.json`, canonicalJsonPretty({ m: a.m, info: a.info, imputed: [...a.imputations.keys()] }));
      files.set(`${stem}.csv`, writeCsv(a.original));
      if (a.info.export_long === true) files.set(`${stem}.long.csv`, writeCsv(longTable(a)));
      break;
    case 'result': {
      // A result may carry whole files (the report's `report.html`, `summary.md`) under `value.files`:
      // they are written verbatim, and `<step>.json` lists their names instead of repeating them.
      const own = ownFiles(a.value);
      const value = own.size === 0 ? a.value : { ...a.value, files: [...own.keys()] };
      files.set(`${stem}.json`, canonicalJsonPretty(value));
      for (const [name, t] of a.tables ?? []) files.set(`${stem}.${fileStem(name)}.csv`, writeCsv(t));
      for (const [name, text] of own) files.set(name, text);
      break;
    }
  }
  return files;
}

interface ManifestEntry {
  readonly step: string;
  readonly output: ContentHash;
  readonly size: number;
  /** sha256 (hex) of the file's bytes as written: a file is trusted only while it still matches. */
  readonly sha256: string;
  /** Kept from an earlier run (its step failed since) and marked so: rewritten as soon as its step succeeds. */
  readonly stale?: true;
}

function sha256(bytes: string | Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface OutputSource {
  readonly step: string;
  readonly output: ContentHash;
  /** The canonical bytes of the output (read from memory or the verified cache). */
  load(): Promise<string>;
}

/** Steps whose files are kept from an earlier run, and the banner that says why. */
export interface KeepStale {
  readonly steps: ReadonlySet<string>;
  /** One sentence for the banner of a kept report, e.g. which step failed. */
  readonly why: string;
}

/**
 * Brings `dir` in line with the given outputs; returns how many files were (re)written and which were
 * kept stale (those of `keep.steps` without an output now). Call only while holding the outputs lock:
 * temporary files of other (crashed) processes in `dir` are removed.
 */
export async function writeOutputs(dir: string, sources: readonly OutputSource[], keep?: KeepStale): Promise<{ written: number; stale: StaleFile[] }> {
  const manifestPath = join(dir, '.manifest.json');
  await removeStaleTemps(dir, 'not-mine');
  let old: Record<string, ManifestEntry> = {};
  try {
    old = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, ManifestEntry>;
  } catch {
    // First run, or a damaged manifest: everything is rewritten.
  }
  const manifest: Record<string, ManifestEntry> = {};
  // the old manifest's files by step, so that finding a step's files costs O(its files), not O(all files)
  const oldByStep = new Map<string, [string, ManifestEntry][]>();
  for (const entry of Object.entries(old)) {
    const list = oldByStep.get(entry[1].step);
    if (list === undefined) oldByStep.set(entry[1].step, [entry]);
    else list.push(entry);
  }
  let written = 0;
  for (const src of sources) {
    const mine = (oldByStep.get(src.step) ?? []).filter(([, e]) => e.output === src.output && e.stale !== true);
    if (mine.length > 0 && allIntact(dir, mine)) {
      for (const [f, e] of mine) manifest[f] = e;
      continue;
    }
    const files = artifactFiles(src.step, decodeArtifact(await src.load()));
    for (const [name, text] of files) {
      // Two steps carrying a file of the same name (two reports): the later one is prefixed by its step.
      const f = manifest[name] !== undefined && manifest[name].step !== src.step ? `${fileStem(src.step)}.${name}` : name;
      await writeFileAtomic(join(dir, f), text, { fsync: false });
      manifest[f] = { step: src.step, output: src.output, size: Buffer.byteLength(text), sha256: sha256(text) };
      written += 1;
    }
  }
  const stale: StaleFile[] = [];
  if (keep !== undefined) {
    for (const [f, e] of Object.entries(old)) {
      if (f in manifest || !keep.steps.has(e.step) || !allIntact(dir, [[f, e]])) continue;
      manifest[f] = e.stale === true ? e : await markStale(dir, f, e, keep.why);
      stale.push({ file: f, step: e.step });
    }
  }
  for (const f of Object.keys(old)) if (!(f in manifest)) await rm(join(dir, f), { force: true });
  const sorted = Object.fromEntries(Object.entries(manifest).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  if (JSON.stringify(sorted) !== JSON.stringify(old)) await writeFileAtomic(manifestPath, JSON.stringify(sorted, null, 1) + '\n', { fsync: false });
  stale.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { written, stale };
}

/**
 * A kept file that a person reads gets a banner: an HTML page right after its `<body>` tag (or at its
 * start), a Markdown file as its first lines. Tables and JSON are left byte for byte (run.json lists them).
 */
async function markStale(dir: string, f: string, e: ManifestEntry, why: string): Promise<ManifestEntry> {
  const path = join(dir, f);
  let text: string | undefined;
  if (f.endsWith('.html')) {
    const old = await readFile(path, 'utf8');
    const banner = `<div role="alert" style="background:#b00020;color:#fff;padding:12px 16px;font:600 16px/1.4 system-ui,sans-serif">STALE: this is the report of an earlier run. ${escapeHtml(why)} See run.json.</div>`;
    const body = /<body[^>]*>/i.exec(old);
    text = body === null ? banner + old : old.slice(0, body.index + body[0].length) + banner + old.slice(body.index + body[0].length);
  } else if (f.endsWith('.md')) {
    text = `> **STALE**: from an earlier run. ${why} See run.json.\n\n${await readFile(path, 'utf8')}`;
  }
  if (text === undefined) return { ...e, stale: true };
  await writeFileAtomic(path, text, { fsync: false });
  return { ...e, size: Buffer.byteLength(text), sha256: sha256(text), stale: true };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Every file still holds exactly the bytes recorded for it (outputs are small: hashing them is cheap). */
function allIntact(dir: string, entries: readonly (readonly [string, ManifestEntry])[]): boolean {
  for (const [f, e] of entries) {
    if (typeof e.sha256 !== 'string') return false; // a manifest from before content hashes were recorded
    // synchronously: a step's files are few and mostly small, and a cached run of many steps checks them all
    let bytes: Buffer | undefined;
    try {
      bytes = readFileSync(join(dir, f));
    } catch {
      bytes = undefined;
    }
    if (bytes?.length !== e.size || sha256(bytes) !== e.sha256) return false;
  }
  return true;
}

export async function writeRunRecord(dir: string, record: RunRecord): Promise<void> {
  await writeFileAtomic(join(dir, 'run.json'), JSON.stringify(record, null, 2) + '\n', { fsync: false });
}

export async function readRunRecord(dir: string): Promise<RunRecord | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as RunRecord;
  } catch {
    return undefined;
  }
}
