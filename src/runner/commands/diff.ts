/**
 * `lesionflow diff [<spec>] <runA> [<runB>]`: what changed from one recorded run to another — the
 * parameters, data files and versions that differ, the key results, then, step by step, every number
 * that changed (old → new, relative difference; output-diff.ts), read from the cache by the output
 * hashes the two run records hold. Without runB, runA is compared with the pipeline's latest run.
 * Reads only: no lock, nothing written. Exit 0 (also when runs differ), 2 for a run that is not found.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { decodeArtifact, type Artifact } from '../../data/artifact.js';
import type { Json } from '../../data/canonical.js';
import { FsStore, readIfIntact } from '../cache.js';
import type { ContentHash } from '../hash.js';
import { changeLines, relativeDifference, showNumbers, showRelative, diffArtifacts } from '../output-diff.js';
import { setValueText } from '../provenance.js';
import { findRun, readRuns, type HistoryRun } from '../run-history.js';
import { loadSpec, outputsDirOf, type CommandIo, type CommonOptions } from './io.js';

export interface DiffOptions extends CommonOptions {
  /** Every changed number (default: the first CHANGES_SHOWN of each step). */
  readonly all?: boolean;
}

const CHANGES_SHOWN = 20;

function isSpecArgument(a: string): boolean {
  return /\.(ya?ml|json)$/i.test(a) && existsSync(a);
}

function label(r: HistoryRun): string {
  return `run ${r.run}${r.name === undefined ? '' : ` "${r.name}"`} (${r.started.slice(0, 16).replace('T', ' ')})`;
}

function usageError(io: CommandIo, message: string, hint: string): number {
  io.err(`error: ${message}\n  hint: ${hint}`);
  return 2;
}

export async function diffCommand(args: readonly string[], o: DiffOptions, io: CommandIo): Promise<number> {
  const [first, ...rest] = args;
  const spec = first !== undefined && isSpecArgument(first) ? first : undefined;
  const refs = spec === undefined ? args : rest;
  if (refs.length === 0 || refs.length > 2) return usageError(io, `diff takes one or two runs, got ${refs.length}`, 'lesionflow diff [<spec>] <runA> [<runB>]; a run is its number, its --name, or last / last~1');
  const pipeline = spec === undefined ? undefined : (await loadSpec(spec, o)).name;
  const outputs = outputsDirOf(o);
  const all = await readRuns(outputs, pipeline);
  const a = findRun(all, refs[0]!);
  if (!a.ok) return usageError(io, a.message, a.hint);
  const ofPipeline = all.filter((r) => r.pipeline === a.run.pipeline);
  let b;
  if (refs[1] !== undefined) {
    b = findRun(ofPipeline, refs[1]);
    if (!b.ok) return usageError(io, `${b.message} of ${a.run.pipeline}`, b.hint);
  } else {
    const latest = ofPipeline.at(-1)!;
    if (latest.run === a.run.run) return usageError(io, `run ${a.run.run} is the latest run of ${a.run.pipeline}: there is nothing after it to compare it with`, `name the run to compare it with, e.g. lesionflow diff ${ofPipeline.at(-2)?.run ?? 'last~1'} ${a.run.run}`);
    b = { ok: true as const, run: latest };
  }
  for (const l of await diffRuns(a.run, b.run, new Outputs(join(outputs, '.cache')), o.all === true ? Infinity : CHANGES_SHOWN)) io.out(l);
  return 0;
}

/** Reads outputs from the cache, each once. */
class Outputs {
  private store: Promise<FsStore> | undefined;
  constructor(private readonly dir: string) {}
  async artifact(hash: ContentHash): Promise<Artifact | undefined> {
    this.store ??= FsStore.open(this.dir);
    const text = await readIfIntact(await this.store, hash);
    return text === undefined ? undefined : decodeArtifact(text);
  }
}

/** `name  old → new` lines for two name → value maps, only where they differ. */
function changedEntries(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>, show: (v: unknown) => string): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  const rows = keys.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).map((k) => [k, `${k in a ? show(a[k]) : '(none)'} → ${k in b ? show(b[k]) : '(none)'}`] as const);
  const w = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`);
}

export async function diffRuns(a: HistoryRun, b: HistoryRun, store: { artifact(hash: ContentHash): Promise<Artifact | undefined> }, limit: number): Promise<string[]> {
  if (a.pipeline !== b.pipeline) return [`runs ${a.run} and ${b.run} belong to different pipelines (${a.pipeline}, ${b.pipeline})`];
  const out = [`diff: ${label(a)} → ${label(b)}, pipeline ${a.pipeline}`];
  const section = (title: string, lines: readonly string[]): void => {
    if (lines.length > 0) out.push(`${title}:`, ...lines);
  };
  section('parameters', changedEntries(a.params ?? {}, b.params ?? {}, (v) => setValueText(v as Json)));
  section('data files (sha256)', changedEntries(a.files, b.files, (v) => String(v).slice(0, 12)));
  if (a.specHash !== b.specHash) out.push(`spec: ${a.spec} changed (sha256 ${a.specHash.slice(0, 12)} → ${b.specHash.slice(0, 12)})`);
  if (a.seed !== b.seed) out.push(`seed: ${a.seed} → ${b.seed}`);
  const versions = (r: HistoryRun): Record<string, unknown> => ({ lesionflow: r.versions.lesionflow, node: r.versions.node, ...r.versions.dependencies });
  section('versions', changedEntries(versions(a), versions(b), String));

  const results: string[] = [];
  const before = new Map((a.results ?? []).map((r) => [r.label, r.value]));
  for (const r of b.results ?? []) {
    const old = before.get(r.label);
    if (old === undefined || old === r.value) continue;
    if (old === null || r.value === null) results.push(`  ${r.label}  ${old ?? '–'} → ${r.value ?? '–'}`);
    else {
      const [x, y] = showNumbers(old, r.value);
      results.push(`  ${r.label}  ${x} → ${y}  ${showRelative(relativeDifference(old, r.value))}`);
    }
  }
  section('key results', results);

  const stepsA = new Map(a.steps.map((s) => [s.name, s]));
  const stepsB = new Map(b.steps.map((s) => [s.name, s]));
  const unchanged: string[] = [];
  const steps: string[] = [];
  for (const name of [...stepsB.keys(), ...[...stepsA.keys()].filter((n) => !stepsB.has(n))]) {
    const x = stepsA.get(name);
    const y = stepsB.get(name);
    const kind = (y ?? x)!.kind;
    if (x?.output === undefined || y?.output === undefined) {
      const missing = x?.output === undefined ? a : b;
      steps.push(`  ${name} (${kind}): no output in run ${missing.run}${(missing === a ? x : y) === undefined ? ' (not in that run)' : ` (${(missing === a ? x : y)!.status})`}`);
      continue;
    }
    if (x.output === y.output) {
      unchanged.push(name);
      continue;
    }
    const [oa, ob] = await Promise.all([store.artifact(x.output as ContentHash), store.artifact(y.output as ContentHash)]);
    if (oa === undefined || ob === undefined) {
      steps.push(`  ${name} (${kind}): output changed; the output of run ${(oa === undefined ? a : b).run} is no longer in the cache (removed by gc), so its numbers cannot be compared`);
      continue;
    }
    const changes = diffArtifacts(oa, ob);
    const numbers = changes.filter((c) => c.kind === 'number').length;
    steps.push(`  ${name} (${kind}): ${numbers} number${numbers === 1 ? '' : 's'} changed${changes.length > numbers ? `, ${changes.length - numbers} other change${changes.length - numbers === 1 ? '' : 's'}` : ''}`, ...changeLines(changes, limit));
  }
  section('steps', steps);
  if (out.length === 1) out.push('the two runs have the same parameters and outputs');
  if (unchanged.length > 0) out.push(`unchanged: ${unchanged.join(', ')}`);
  return out;
}
