/**
 * The batch function of a sample set (ReplicateKind with a sub-pipeline): runs units start … end − 1, each
 * the sub-pipeline on its sample of the `from` table, and returns the numbers at the set's estimate paths
 * in the `of` step's result. Called as the task `{module: 'runner/replicate/worker', fn: 'runSamples'}` on
 * a worker thread, in a SLURM array task (`lesionflow shard`), or in-process; a unit depends only on
 * (seed, index), never on the batch, the thread or the executor that runs it.
 *
 * Unit u: rows and sub-step seeds from the set's sample function (`sample`, a kind's own: e.g. bootstrap
 * rows drawn from rngFor(seed, u)). A sub-pipeline of one step reading `from` whose kind has a row-samples
 * fast path (StepKind.rowSamples) takes it, with that kind's documented precision; any other runs step by
 * step on takeRows(table, rows). Only the sub-pipeline's kinds are loaded (kinds.ts), never all of them.
 */
import type { JsonObject } from '../../data/canonical.js';
import { type Table, takeRows, withColumn } from '../../data/table.js';
import { CancelError, InternalError, LesionflowError } from '../../errors.js';
import { leafRoutes, numericLeaves, readLeaf, type RouteStep } from '../../nodes/bootstrap-estimates.js';
import { isStepKind, type BatchArgs, type ClusterCopies, type Kind, type SampleFn, type TaskRef, type UnitFailure } from '../../nodes/kind.js';
import { loadKinds } from '../../nodes/kinds.js';
import { taskModuleUrl } from '../pool-task.js';
import { runSubPipeline, type KindLookup, type SubPipelineStep } from './sub-pipeline.js';

export interface SampleShared {
  readonly table: Table;
  /** Name of the `from` step, whose output the sample replaces. */
  readonly from: string;
  readonly steps: readonly SubPipelineStep[];
  /** The set's sample function (SampleFn) and its argument. */
  readonly sample: TaskRef & { readonly args: unknown };
  readonly paths: readonly string[];
  /**
   * Names this run's (table, sub-pipeline) pair, the same in all its batches: a worker keeps the row-samples
   * plan of the last key it saw instead of building it again for every batch.
   */
  readonly planKey?: string | undefined;
  /** RowSamples.prepare's data, built on the main thread; null: no fast path; absent: the worker prepares it. */
  readonly planData?: unknown;
}

export interface SampleBatch {
  readonly start: number;
  readonly end: number;
  /** (end − start) × paths.length, row per unit; NaN for a failed unit or a missing estimate. */
  readonly values: Float64Array;
  readonly failures: UnitFailure[];
}

/** An expected failure of a unit (a fit that does not converge, an empty subset): counted, not fatal. */
function failureReason(e: unknown): string | undefined {
  if (e instanceof LesionflowError && !(e instanceof InternalError) && !(e instanceof CancelError)) {
    return `${e.name}: ${e.message.split('\n')[0]!}`;
  }
  return undefined;
}

type Plan = (rows: Int32Array, seed: number, copies?: ClusterCopies) => JsonObject | undefined;

/**
 * A clustered sample's table with each repeated cluster made a cluster of its own (Stata's idcluster):
 * a factor's or text column's second, third … draw of a cluster becomes "<cluster> [2]", "[3]", … (new
 * factor levels); a numeric column's becomes v + k·(1 + max |v|), k the draw, so it stays numeric.
 */
export function withClusterCopies(table: Table, column: string, copies: Int32Array): Table {
  const col = table.columns.get(column);
  if (col === undefined || copies.every((k) => k === 0)) return table;
  const n = table.nrows;
  if (col.type === 'number') {
    let max = 0;
    for (const v of col.values) if (!Number.isNaN(v)) max = Math.max(max, Math.abs(v));
    return withColumn(table, column, { type: 'number', values: col.values.map((v, i) => v + copies[i]! * (1 + max)) });
  }
  if (col.type === 'string') {
    return withColumn(table, column, { type: 'string', values: col.values.map((v, i) => (v === null || copies[i] === 0 ? v : `${v} [${copies[i]! + 1}]`)) });
  }
  const levels = [...col.levels];
  const index = new Map(levels.map((l, k) => [l, k]));
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = col.codes[i]!;
    if (c < 0 || copies[i] === 0) {
      codes[i] = c;
      continue;
    }
    const label = `${col.levels[c]!} [${copies[i]! + 1}]`;
    let k = index.get(label);
    if (k === undefined) {
      k = levels.length;
      levels.push(label);
      index.set(label, k);
    }
    codes[i] = k;
  }
  return withColumn(table, column, { type: 'factor', codes, levels });
}

/** This thread's last row-samples plan, by SampleShared.planKey. */
let lastPlan: { readonly key: string; readonly plan: Plan | undefined } | undefined;

/** The fast path (StepKind.rowSamples) for a sub-pipeline of one step reading the `from` table directly. */
function rowSamplesPlan(s: SampleShared, lookup: KindLookup): Plan | undefined {
  if (s.steps.length !== 1 || s.planData === null) return undefined;
  const step = s.steps[0]!;
  const kind = lookup(step.kind);
  if (kind === undefined || !isStepKind(kind) || kind.rowSamples === undefined) return undefined;
  if (!step.inputs.every((name) => name === s.from)) return undefined;
  if (s.planKey !== undefined && lastPlan?.key === s.planKey) return lastPlan.plan;
  const data = s.planData === undefined ? kind.rowSamples.prepare(step.params, s.table) : s.planData;
  const made = data === undefined ? undefined : kind.rowSamples.plan(step.params, s.table, data);
  if (s.planKey !== undefined) lastPlan = { key: s.planKey, plan: made };
  return made;
}

/** The routes to `paths` in a result (leafRoutes), or undefined when it lacks one of them. */
function routesOf(value: JsonObject, paths: readonly string[]): (readonly RouteStep[])[] | undefined {
  const found = leafRoutes(value);
  const routes: (readonly RouteStep[])[] = [];
  for (const path of paths) {
    const route = found.get(path);
    if (route === undefined) return undefined;
    routes.push(route);
  }
  return routes;
}

/** The set's sample function, from its module (a lesionflow module path, as a worker task's). */
async function sampleFn(ref: TaskRef): Promise<SampleFn> {
  const where = taskModuleUrl({ module: ref.module, fn: ref.fn, args: null });
  if ('refused' in where) throw new InternalError(where.refused);
  const fn = ((await import(where.url)) as Record<string, unknown>)[ref.fn];
  if (typeof fn !== 'function') throw new InternalError(`lesionflow module ${ref.module} has no exported function ${ref.fn}`);
  return fn as SampleFn;
}

/** runSamples with the step kinds given by `lookup` (tests run their own kinds). */
export async function runSamplesWith(task: BatchArgs<SampleShared>, lookup: KindLookup): Promise<SampleBatch> {
  const s = task.shared;
  const k = s.paths.length;
  const count = task.end - task.start;
  const values = new Float64Array(count * k).fill(NaN);
  const failures: UnitFailure[] = [];
  const sample = await sampleFn(s.sample);
  const plan = rowSamplesPlan(s, lookup);
  // the estimates' routes in a result, from the first result that has them all: each unit's values are
  // then read along them (readLeaf) instead of by walking its whole result (numericLeaves) — the same values
  let routes: (readonly RouteStep[])[] | undefined;
  for (let r = 0; r < count; r++) {
    const index = task.start + r;
    const { rows, seedOf, copies } = sample(s.sample.args, task.seed, index);
    let value: JsonObject;
    try {
      const fast = plan?.(rows, seedOf(0), copies);
      if (fast !== undefined) value = fast;
      else {
        const taken = takeRows(s.table, rows);
        const table = copies === undefined ? taken : withClusterCopies(taken, copies.column, copies.copies);
        const out = await runSubPipeline(s.steps, s.from, table, lookup, seedOf, `unit ${index + 1}`);
        if (out.type !== 'result') throw new InternalError(`replicate: the sub-pipeline produced a ${out.type}, not a result`);
        value = out.value;
      }
    } catch (e) {
      const reason = failureReason(e);
      if (reason === undefined) throw e;
      failures.push({ index, reason });
      continue;
    }
    routes ??= routesOf(value, s.paths);
    if (routes === undefined) {
      const leaves = numericLeaves(value);
      for (let j = 0; j < k; j++) values[r * k + j] = leaves.get(s.paths[j]!) ?? NaN;
      continue;
    }
    for (let j = 0; j < k; j++) values[r * k + j] = readLeaf(value, routes[j]!);
  }
  return { start: task.start, end: task.end, values, failures };
}

/**
 * The kinds of a sub-pipeline: loaded by name (kinds.ts); a name lesionflow does not know, from the module
 * named by LESIONFLOW_KINDS (extra-kinds.ts: lesionflow's own tests), which worker threads and SLURM tasks
 * inherit from the run's environment.
 */
async function kindsOf(steps: readonly SubPipelineStep[]): Promise<KindLookup> {
  const names = steps.map((st) => st.kind);
  const kinds: Map<string, Kind> = await loadKinds(names);
  if (names.some((n) => !kinds.has(n))) {
    const { extraKinds } = await import('../extra-kinds.js');
    for (const k of await extraKinds()) if (!kinds.has(k.kind)) kinds.set(k.kind, k);
  }
  return (kind) => kinds.get(kind);
}

/** The task entry point. */
export async function runSamples(task: BatchArgs<SampleShared>): Promise<SampleBatch> {
  return runSamplesWith(task, await kindsOf(task.shared.steps));
}
