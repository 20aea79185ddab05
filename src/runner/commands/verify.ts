/**
 * `lesionflow verify <spec>…`: nightly reproducibility. Recompute every step ignoring the cache (in
 * memory; the cache is neither used for results nor written) and compare each output with the lock file.
 *
 * For a step that does not reproduce it says why and what:
 * - why its key changed since the lock: the cues (cues.ts) between the locked key material (kept in
 *   the lock file, or else in the cache's record of the locked key) and today's — a data file, a
 *   parameter, an implementation version; a step whose only cue is a changed input changed with it;
 * - which numbers changed, old → new with their relative difference, when the locked output is still in
 *   the cache (output-diff.ts); with `--tolerance`, an output whose numbers all agree to that relative
 *   difference (and whose text is the same) counts as reproduced.
 *
 * Output: lines per step (text), one JSON document (`--format json`) or JUnit XML (`--format junit`,
 * one test suite per spec, one test case per step) for CI. Exit 0 when every step of every spec
 * reproduces, 1 otherwise.
 */
import { join } from 'node:path';
import { decodeArtifact } from '../../data/artifact.js';
import { renderError } from '../diagnostics.js';
import { CorruptRecord, FsStore, MemoryStore, readIfIntact, type Store } from '../cache.js';
import { whyRun, whyRunSinceLock } from '../cues.js';
import { execute, type StepOutcome } from '../executor.js';
import { FileHasher } from '../file-hashes.js';
import { short, type ContentHash } from '../hash.js';
import type { KeyMaterial } from '../key.js';
import { lockfilePath, readLockfile, type LockEntry } from '../lockfile.js';
import { changeLines, diffArtifacts, relativeDifference, withinTolerance, type Change } from '../output-diff.js';
import type { Pipeline } from '../pipeline.js';
import { ThreadPool } from '../pool.js';
import { threadSetup } from '../../nodes/thread-setup.js';
import type { WorkerPool } from '../../nodes/kind.js';
import { defaultJobs, loadSpec, outputsDirOf, projectRoot, type CommandIo, type CommonOptions } from './io.js';

export type VerifyStatus = 'ok' | 'tolerated' | 'key-changed' | 'drift' | 'failed' | 'not-computed' | 'not-locked' | 'removed';

export interface VerifyLine {
  readonly step: string;
  readonly ok: boolean;
  readonly status: VerifyStatus;
  readonly message: string;
  /** Why the key changed since the lock (empty when it did not, or when the locked material is unknown). */
  readonly causes: readonly string[];
  /** What changed in the output, when the locked output could be read; undefined when it could not. */
  readonly changes?: readonly Change[];
}

export interface VerifyOptions {
  readonly root: string;
  readonly jobs: number;
  /** The outputs folder whose cache may still hold the locked outputs and key records (read only). */
  readonly outputsDir?: string;
  /** Relative tolerance on numbers (default 0: every bit counts). */
  readonly tolerance?: number;
  readonly signal?: AbortSignal;
  readonly pool?: WorkerPool;
  readonly errorText?: (e: unknown) => string;
}

export async function verifyPipeline(pipeline: Pipeline, o: VerifyOptions): Promise<{ lockfile: string; lines: VerifyLine[] | undefined }> {
  const path = lockfilePath(pipeline.file);
  const lock = await readLockfile(path);
  if (lock === undefined) return { lockfile: path, lines: undefined };
  const ownPool = o.pool === undefined ? new ThreadPool(o.jobs, o.signal, { setup: threadSetup }) : undefined;
  try {
    const result = await execute(pipeline, {
      store: new MemoryStore(),
      pool: o.pool ?? ownPool!,
      root: o.root,
      jobs: o.jobs,
      hasher: await FileHasher.open(undefined),
      ...(o.signal === undefined ? {} : { signal: o.signal }),
    });
    const cache = o.outputsDir === undefined ? undefined : await FsStore.open(join(o.outputsDir, '.cache'));
    const text = o.errorText ?? ((e: unknown) => (e instanceof Error ? e.message : String(e)));
    const lines: VerifyLine[] = [];
    for (const s of result.steps) lines.push(await judge(s, lock.steps[s.name], { text, cache, tolerance: o.tolerance ?? 0, load: () => result.load(s.name) }));
    for (const name of Object.keys(lock.steps)) {
      if (!pipeline.steps.has(name as never)) lines.push({ step: name, ok: false, status: 'removed', message: 'in the lock file but no longer in the spec', causes: [] });
    }
    return { lockfile: path, lines };
  } finally {
    await ownPool?.destroy();
  }
}

interface JudgeContext {
  readonly text: (e: unknown) => string;
  readonly cache: Store | undefined;
  readonly tolerance: number;
  /** Today's output of the step. */
  load(): Promise<string>;
}

async function judge(s: StepOutcome, locked: LockEntry | undefined, c: JudgeContext): Promise<VerifyLine> {
  const line = (status: VerifyStatus, ok: boolean, message: string, causes: readonly string[] = [], changes?: readonly Change[]): VerifyLine => ({
    step: s.name,
    ok,
    status,
    message,
    causes,
    ...(changes === undefined ? {} : { changes }),
  });
  if (s.status === 'failed') return line('failed', false, `failed: ${c.text(s.error)}`);
  if (s.output === undefined) return line('not-computed', false, `not computed (${s.reason ?? s.status})`);
  if (locked === undefined) return line('not-locked', false, 'not in the lock file (run the pipeline to lock it)');
  const keyChanged = locked.key !== s.key;
  const causes = keyChanged ? await causesOf(locked, s.material, c.cache) : [];
  const why = causes.length > 0 ? causes.join('; ') : 'the spec, data or lesionflow changed';
  if (locked.output === s.output) return line('ok', true, keyChanged ? `ok (output matches; key changed since the lock: ${why})` : 'ok', causes);
  const changes = await compare(locked.output, c);
  if (changes !== undefined && changes.length > 0 && c.tolerance > 0 && changes.every((x) => withinTolerance(x, c.tolerance))) {
    const largest = Math.max(...changes.map((x) => (x.kind === 'number' ? Math.abs(relativeDifference(x.old, x.new)) : 0)));
    return line('tolerated', true, `ok within --tolerance ${c.tolerance}: ${changes.length} number${changes.length === 1 ? '' : 's'} differ, by at most ${largest.toExponential(1)} relative${keyChanged ? `; key changed since the lock: ${why}` : ''}`, causes, changes);
  }
  const numbers = changes === undefined ? ' (the locked output is not in the cache: its numbers cannot be compared)' : '';
  if (keyChanged) return line('key-changed', false, `key changed since the lock: ${why}${numbers}`, causes, changes);
  return line('drift', false, `drift: output ${short(s.output)} differs from the locked ${short(locked.output)} for the same key${numbers}`, causes, changes);
}

/**
 * Why the key changed: the cues between the locked material and today's — from the cache's record of
 * the locked key when it is there (parameter values in full), else from the lock file (by digest).
 */
async function causesOf(locked: LockEntry, now: KeyMaterial | undefined, cache: Store | undefined): Promise<string[]> {
  if (now === undefined) return [];
  const recorded = await cache?.getRecord(locked.key).then(
    (r) => r?.material,
    (e: unknown) => {
      if (e instanceof CorruptRecord) return undefined;
      throw e;
    },
  );
  if (recorded !== undefined) return whyRun(recorded, now).filter((r) => r !== 'no cache entry');
  return locked.material === undefined ? [] : whyRunSinceLock(locked.material, now);
}

/** The changes from the locked output to today's, or undefined when the locked output is not in the cache. */
async function compare(locked: ContentHash, c: JudgeContext): Promise<Change[] | undefined> {
  const old = c.cache === undefined ? undefined : await readIfIntact(c.cache, locked);
  return old === undefined ? undefined : diffArtifacts(decodeArtifact(old), decodeArtifact(await c.load()));
}

// ---- the command --------------------------------------------------------------------------------

export const VERIFY_FORMATS = ['text', 'json', 'junit'] as const;
type VerifyFormat = (typeof VERIFY_FORMATS)[number];

export interface VerifyCommandOptions extends CommonOptions {
  readonly format?: string | undefined;
  readonly tolerance?: number;
  /** Every changed number (default: the first CHANGES_SHOWN per step). */
  readonly all?: boolean;
}

const CHANGES_SHOWN = 20;

interface SpecReport {
  readonly spec: string;
  readonly pipeline: string;
  readonly lockfile: string;
  readonly lines: readonly VerifyLine[] | undefined;
}

export async function verifyCommand(specs: string | readonly string[], o: VerifyCommandOptions, io: CommandIo): Promise<number> {
  const format = o.format ?? 'text';
  if (!(VERIFY_FORMATS as readonly string[]).includes(format)) {
    io.err(`error: unknown --format "${format}" for verify\n  hint: use one of ${VERIFY_FORMATS.join(', ')}`);
    return 2;
  }
  const files = typeof specs === 'string' ? [specs] : specs;
  // Every spec is checked before any is verified (as run does).
  const pipelines: Pipeline[] = [];
  for (const f of files) pipelines.push(await loadSpec(f, o));
  const reports: SpecReport[] = [];
  for (const [i, pipeline] of pipelines.entries()) {
    const { lockfile, lines } = await verifyPipeline(pipeline, {
      root: projectRoot(pipeline, o.cwd),
      jobs: o.jobs ?? defaultJobs(),
      outputsDir: outputsDirOf(o),
      errorText: renderError,
      ...(o.tolerance === undefined ? {} : { tolerance: o.tolerance }),
      ...(o.signal === undefined ? {} : { signal: o.signal }),
    });
    if (o.signal?.aborted === true) return 130;
    reports.push({ spec: files[i]!, pipeline: pipeline.name, lockfile, lines });
  }
  const limit = o.all === true ? Infinity : CHANGES_SHOWN;
  switch (format as VerifyFormat) {
    case 'json':
      io.out(JSON.stringify(jsonReport(reports, limit), null, 2));
      break;
    case 'junit':
      io.out(junitReport(reports, limit));
      break;
    case 'text':
      textReport(reports, limit, o.quiet === true, io);
      break;
  }
  return reports.every((r) => r.lines?.every((l) => l.ok) === true) ? 0 : 1;
}

function textReport(reports: readonly SpecReport[], limit: number, quiet: boolean, io: CommandIo): void {
  for (const r of reports) {
    if (reports.length > 1) io.out(`${r.spec}:`);
    if (r.lines === undefined) {
      io.err(`error: no lock file ${r.lockfile}\n  hint: run \`lesionflow run ${r.spec}\` first and commit the lock file it writes`);
      continue;
    }
    const width = Math.max(0, ...r.lines.map((l) => l.step.length));
    for (const l of r.lines) {
      if (l.ok && quiet) continue;
      const say = l.ok ? io.out : io.err;
      say(`${l.ok ? '✓' : '✗'} ${l.step.padEnd(width)}  ${l.message}`);
      if (!l.ok && l.changes !== undefined) {
        if (l.changes.length === 0) say('    (no number differs: the difference is in the output\'s bytes)');
        for (const c of changeLines(l.changes, limit)) say(c);
      }
    }
    const bad = r.lines.filter((l) => !l.ok);
    for (const c of rootCauses(r.lines)) io.err(c);
    io.out(bad.length === 0 ? `verify: all ${r.lines.length} steps reproduce ${r.lockfile}` : `verify: ${bad.length} of ${r.lines.length} steps differ from ${r.lockfile}`);
  }
  if (reports.length > 1) {
    const good = reports.filter((r) => r.lines?.every((l) => l.ok) === true).length;
    io.out(`verify: ${good} of ${reports.length} pipelines reproduce their lock files`);
  }
}

/**
 * The causes worth reading first: the steps whose key changed for a reason of their own (not only
 * because an input changed), and how many changed only through their inputs.
 */
export function rootCauses(lines: readonly VerifyLine[]): string[] {
  const changed = lines.filter((l) => l.causes.length > 0 && (!l.ok || l.status === 'tolerated'));
  const own = changed.filter((l) => l.causes.some((c) => !c.startsWith('input ')));
  if (own.length === 0) return [];
  const through = changed.length - own.length;
  return [
    ...own.map((l) => `cause: ${l.step}: ${l.causes.filter((c) => !c.startsWith('input ')).join('; ')}`),
    ...(through === 0 ? [] : [`       ${through} step${through === 1 ? '' : 's'} downstream changed with ${own.length === 1 ? 'it' : 'them'} (their inputs changed)`]),
  ];
}

function jsonChanges(changes: readonly Change[] | undefined, limit: number): unknown {
  if (changes === undefined) return undefined;
  return {
    count: changes.length,
    shown: changes.slice(0, limit).map((c) => ({ ...c, ...(c.kind === 'number' ? { relative: nullIfNotFinite(relativeDifference(c.old, c.new)), old: nullIfNotFinite(c.old), new: nullIfNotFinite(c.new) } : {}) })),
  };
}

function nullIfNotFinite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

function jsonReport(reports: readonly SpecReport[], limit: number): unknown {
  return {
    ok: reports.every((r) => r.lines?.every((l) => l.ok) === true),
    specs: reports.map((r) => ({
      spec: r.spec,
      pipeline: r.pipeline,
      lockfile: r.lockfile,
      ok: r.lines?.every((l) => l.ok) === true,
      ...(r.lines === undefined
        ? { error: 'no lock file' }
        : {
            causes: rootCauses(r.lines).filter((c) => c.startsWith('cause: ')).map((c) => c.slice('cause: '.length)),
            steps: r.lines.map((l) => ({ step: l.step, ok: l.ok, status: l.status, message: l.message, causes: l.causes, changes: jsonChanges(l.changes, limit) })),
          }),
    })),
  };
}

function xml(s: string): string {
  // XML 1.0 forbids most control characters, even escaped.
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** JUnit XML as CI servers read it: a test suite per spec, a test case per step, a failure per step that does not reproduce. */
function junitReport(reports: readonly SpecReport[], limit: number): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const cases = (r: SpecReport): readonly VerifyLine[] => r.lines ?? [{ step: '(lock file)', ok: false, status: 'not-locked', message: `no lock file ${r.lockfile}: run the pipeline and commit the lock file it writes`, causes: [] }];
  const failures = reports.reduce((n, r) => n + cases(r).filter((l) => !l.ok).length, 0);
  const tests = reports.reduce((n, r) => n + cases(r).length, 0);
  out.push(`<testsuites name="lesionflow verify" tests="${tests}" failures="${failures}">`);
  for (const r of reports) {
    const list = cases(r);
    out.push(`  <testsuite name="${xml(r.pipeline)}" file="${xml(r.spec)}" tests="${list.length}" failures="${list.filter((l) => !l.ok).length}">`);
    for (const l of list) {
      const open = `    <testcase classname="${xml(r.pipeline)}" name="${xml(l.step)}"`;
      if (l.ok) {
        out.push(`${open}/>`);
        continue;
      }
      const body = [...l.causes.map((c) => `cause: ${c}`), ...(l.changes === undefined ? [] : changeLines(l.changes, limit, ''))];
      out.push(`${open}>`, `      <failure message="${xml(l.message)}" type="${l.status}">${xml(body.join('\n'))}</failure>`, '    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n');
}
