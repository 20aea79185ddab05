/**
 * The run history (after `dvc exp show`): every `lesionflow run` of a pipeline leaves its record — the
 * same record as `outputs/<pipeline>/run.json` — as `outputs/.runs/<number>.json`, numbered in order
 * across the outputs folder's pipelines. A record is a few kB: the results themselves stay in the
 * content-addressed cache, named by the output hashes the record lists, so an earlier run's outputs can
 * be compared (`lesionflow diff`) or brought back (re-running its parameters is a cache hit) for as
 * long as `gc` keeps them (`gc --keep-runs`).
 *
 * A run is named by its number (`12`), its `--name` (the latest run of that name), or `last` / `last~1`
 * (counting back from the newest run). Numbers are taken while the outputs lock is held.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.js';
import type { RunRecord } from './outputs.js';

export const RUNS_FOLDER = '.runs';

/** A run name: starts with a letter, so never taken for a number; `last` is reserved. */
export const RUN_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

export function runsDir(outputsDir: string): string {
  return join(outputsDir, RUNS_FOLDER);
}

const FILE = /^(\d+)\.json$/;

function fileOf(n: number): string {
  return `${String(n).padStart(6, '0')}.json`;
}

async function numbers(outputsDir: string): Promise<number[]> {
  const names = await readdir(runsDir(outputsDir)).catch(() => [] as string[]);
  return names.flatMap((f) => {
    const m = FILE.exec(f);
    return m === null ? [] : [Number(m[1])];
  }).sort((a, b) => a - b);
}

/** Keeps `record` as the next run of the history; returns it with its number. Call while holding the outputs lock. */
export async function appendRun(outputsDir: string, record: RunRecord): Promise<RunRecord & { readonly run: number }> {
  const n = ((await numbers(outputsDir)).at(-1) ?? 0) + 1;
  const numbered = { run: n, ...record };
  await writeFileAtomic(join(runsDir(outputsDir), fileOf(n)), JSON.stringify(numbered, null, 2) + '\n', { fsync: false });
  return numbered;
}

export type HistoryRun = RunRecord & { readonly run: number };

/** The history, oldest first; only `pipeline`'s runs when given. A record that cannot be read is skipped. */
export async function readRuns(outputsDir: string, pipeline?: string): Promise<HistoryRun[]> {
  const out: HistoryRun[] = [];
  for (const n of await numbers(outputsDir)) {
    let r: RunRecord;
    try {
      r = JSON.parse(await readFile(join(runsDir(outputsDir), fileOf(n)), 'utf8')) as RunRecord;
    } catch {
      continue; // damaged or removed meanwhile: a history record is informational
    }
    if (typeof r !== 'object' || typeof r.pipeline !== 'string' || !Array.isArray(r.steps)) continue;
    if (pipeline === undefined || r.pipeline === pipeline) out.push({ ...r, run: n });
  }
  return out;
}

export type RunLookup = { readonly ok: true; readonly run: HistoryRun } | { readonly ok: false; readonly message: string; readonly hint: string };

/** The run `ref` names among `runs` (oldest first). */
export function findRun(runs: readonly HistoryRun[], ref: string): RunLookup {
  const listed = (): string => (runs.length === 0 ? 'the history is empty: runs are recorded by lesionflow run' : `lesionflow runs <spec> lists them (runs ${runs[0]!.run}–${runs.at(-1)!.run})`);
  if (/^\d+$/.test(ref)) {
    const found = runs.find((r) => r.run === Number(ref));
    return found === undefined ? { ok: false, message: `there is no run ${ref}`, hint: listed() } : { ok: true, run: found };
  }
  const back = /^last(?:~(\d+))?$/.exec(ref);
  if (back !== null) {
    const k = Number(back[1] ?? 0);
    const found = runs[runs.length - 1 - k];
    return found === undefined ? { ok: false, message: `there is no run ${ref} (${runs.length} run${runs.length === 1 ? '' : 's'} recorded)`, hint: listed() } : { ok: true, run: found };
  }
  const named = runs.filter((r) => r.name === ref);
  if (named.length === 0) return { ok: false, message: `no run is named "${ref}"`, hint: `name a run by its number, its --name, or last / last~1; ${listed()}` };
  const pipelines = [...new Set(named.map((r) => r.pipeline))];
  if (pipelines.length > 1) return { ok: false, message: `runs of several pipelines are named "${ref}" (${pipelines.join(', ')})`, hint: 'give the spec first (lesionflow diff <spec> <runA> <runB>), or name the runs by number' };
  return { ok: true, run: named.at(-1)! };
}
