/**
 * The worker side of `bootstrap`: runs a batch of replicates (or jackknife samples) of a sub-pipeline
 * and returns the chosen estimates of its last step. Called on the worker pool as
 * `{module: 'nodes/bootstrap-worker', fn: 'runReplicates'}`; every replicate depends only on
 * (seed, replicate index), never on the batch or the worker that runs it.
 *
 * Replicate b: rows = bootstrapRows(design, rngFor(seed, b)); sub-step j of it gets the seed
 * derived from the stream (seed, b, j + 1, 0). Jackknife sample i (unit i left out) gives its
 * sub-steps the streams (seed, i, j + 1, 1).
 *
 * A sub-pipeline of one `mediate` step reading the `from` table takes a fast path (its resample plan, made
 * once per run on each worker from data the main thread built: see ReplicateTask.planKey and planData),
 * with the step's results to the precision its kind documents; any other sub-pipeline runs step by step on
 * takeRows(table, rows).
 */
import type { Artifact } from '../data/artifact.js';
import type { JsonObject } from '../data/canonical.js';
import { type Table, takeRows } from '../data/table.js';
import { CancelError, InternalError, LesionflowError } from '../errors.js';
import { rngFor } from '../stats/rng.js';
import { bootstrapRows, jackknifeRows, type ResamplingDesign } from '../stats/resample.js';
import type { StepContext, StepKind, SubgraphStep, WorkerPool } from './kind.js';
import { leafRoutes, numericLeaves, readLeaf, type RouteStep } from './bootstrap-estimates.js';
import { mediate } from './mediate.js';

export interface ReplicateTask {
  readonly mode: 'bootstrap' | 'jackknife';
  readonly table: Table;
  /** Name of the `from` step, whose output the resampled table replaces. */
  readonly from: string;
  readonly steps: readonly SubgraphStep[];
  readonly seed: number;
  /** Replicates (or left-out units) start … end − 1. */
  readonly start: number;
  readonly end: number;
  readonly design: ResamplingDesign;
  readonly paths: readonly string[];
  /**
   * Names this run's (table, sub-pipeline) pair, the same in all its batches: a worker keeps the resample
   * plan of the last key it saw instead of building it again for every batch.
   */
  readonly planKey?: string | undefined;
  /** The plan's data from StepKind.replicate.prepare on the main thread; null: no plan; absent: the worker builds it. */
  readonly planData?: unknown;
}

export interface ReplicateFailure {
  readonly index: number;
  readonly reason: string;
}

export interface ReplicateBatch {
  readonly start: number;
  readonly end: number;
  /** (end − start) × paths.length, row per replicate; NaN for a failed replicate or a missing estimate. */
  readonly values: Float64Array;
  readonly failures: ReplicateFailure[];
}

export type KindLookup = (kind: string) => StepKind | undefined;

/** Runs sub-steps' own pool tasks inline (a worker has no pool of its own). */
const inlinePool: WorkerPool = {
  size: 1,
  async run<T>(task: { readonly module: string; readonly fn: string; readonly args: unknown }): Promise<T> {
    const { runTask } = await import('../runner/pool-task.js');
    return (await runTask(task)) as T;
  },
};

function subContext(step: SubgraphStep, label: string, seed: number): StepContext {
  const store = new Map<string, string>();
  return {
    step: `${step.name}[${label}]`,
    seed,
    resolvePath: () => {
      throw new InternalError(`step "${step.name}" reads a file inside a bootstrap sub-pipeline`);
    },
    pool: inlinePool,
    signal: new AbortController().signal,
    progress: () => undefined,
    warn: () => undefined,
    subgraph: undefined,
    checkpoints: {
      get: (name) => Promise.resolve(store.get(name)),
      put: (name, content) => {
        store.set(name, content);
        return Promise.resolve();
      },
    },
  };
}

/** A 32-bit seed from a stream. */
function streamSeed(seed: number, ...stream: number[]): number {
  return Math.floor(rngFor(seed, ...stream).uniform() * 0x100000000) >>> 0;
}

/** Runs the sub-pipeline on `table` (standing for the `from` step) and returns its last step's output. */
export async function runSubgraph(
  steps: readonly SubgraphStep[],
  from: string,
  table: Table,
  lookup: KindLookup,
  seedOf: (stepIndex: number) => number,
  label: string,
): Promise<Artifact> {
  const outputs = new Map<string, Artifact>([[from, { type: 'table', table }]]);
  let last: Artifact | undefined;
  for (const [j, step] of steps.entries()) {
    const kind = lookup(step.kind);
    if (kind === undefined) throw new InternalError(`bootstrap: unknown step kind "${step.kind}" in the sub-pipeline`);
    const inputs = new Map<string, Artifact>();
    for (const name of step.inputs) {
      const a = outputs.get(name);
      if (a === undefined) throw new InternalError(`bootstrap: step "${step.name}" reads "${name}", which is not in its sub-pipeline`);
      inputs.set(name, a);
    }
    last = await kind.run(step.params, inputs, subContext(step, label, seedOf(j)));
    outputs.set(step.name, last);
  }
  if (last === undefined) throw new InternalError('bootstrap: empty sub-pipeline');
  return last;
}

/** An expected failure of a replicate (a fit that does not converge, an empty subset): counted, not fatal. */
function failureReason(e: unknown): string | undefined {
  if (e instanceof LesionflowError && !(e instanceof InternalError) && !(e instanceof CancelError)) {
    return `${e.name}: ${e.message.split('\n')[0]!}`;
  }
  return undefined;
}

/** A step's result on row resamples of one table, without rebuilding the table per replicate; undefined for a resample it leaves to the step itself. */
type ResamplePlan = (rows: Int32Array, seed: number) => JsonObject | undefined;

/**
 * The kind's fast path (StepKind.replicate.plan) for a sub-pipeline of one step reading the `from` table
 * directly (tested against running the step in test/nodes/bootstrap-plan.test.ts).
 */
function resamplePlan(task: ReplicateTask, lookup: KindLookup): ResamplePlan | undefined {
  if (task.steps.length !== 1) return undefined;
  const step = task.steps[0]!;
  const plan = lookup(step.kind)?.replicate?.plan;
  if (plan === undefined || !step.inputs.every((name) => name === task.from)) return undefined;
  if (task.planData === null) return undefined;
  if (task.planKey !== undefined && lastPlan?.key === task.planKey) return lastPlan.plan;
  const made = plan(step.params, task.table, task.planData);
  if (task.planKey !== undefined) lastPlan = { key: task.planKey, plan: made };
  return made;
}

/** This thread's last resample plan, by ReplicateTask.planKey. */
let lastPlan: { readonly key: string; readonly plan: ResamplePlan | undefined } | undefined;

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

export async function runReplicatesWith(task: ReplicateTask, lookup: KindLookup): Promise<ReplicateBatch> {
  const k = task.paths.length;
  const count = task.end - task.start;
  const values = new Float64Array(count * k).fill(NaN);
  const failures: ReplicateFailure[] = [];
  const plan = resamplePlan(task, lookup);
  // the estimates' routes in a result, from the first result that has them all: each replicate's values are
  // then read along them (readLeaf) instead of by walking its whole result (numericLeaves) — the same values
  let routes: (readonly RouteStep[])[] | undefined;
  for (let r = 0; r < count; r++) {
    const index = task.start + r;
    const rows = task.mode === 'bootstrap' ? bootstrapRows(task.design, rngFor(task.seed, index)) : jackknifeRows(task.design, index);
    const tag = task.mode === 'bootstrap' ? 0 : 1;
    const label = `${task.mode} ${index + 1}`;
    const seedOf = (j: number): number => streamSeed(task.seed, index, j + 1, tag);
    let out: Artifact;
    try {
      const fast = plan?.(rows, seedOf(0));
      out = fast !== undefined ? { type: 'result', value: fast } : await runSubgraph(task.steps, task.from, takeRows(task.table, rows), lookup, seedOf, label);
    } catch (e) {
      const reason = failureReason(e);
      if (reason === undefined) throw e;
      failures.push({ index, reason });
      continue;
    }
    if (out.type !== 'result') throw new InternalError(`bootstrap: the sub-pipeline produced a ${out.type}, not a result`);
    routes ??= routesOf(out.value, task.paths);
    if (routes === undefined) {
      const leaves = numericLeaves(out.value);
      for (let j = 0; j < k; j++) values[r * k + j] = leaves.get(task.paths[j]!) ?? NaN;
      continue;
    }
    for (let j = 0; j < k; j++) values[r * k + j] = readLeaf(out.value, routes[j]!);
  }
  return { start: task.start, end: task.end, values, failures };
}

/**
 * Step kinds imported here directly, by name as the registry has them: a sub-pipeline of only these (the
 * usual bootstrap of a mediate step) never loads the registry — importing every step kind costs a fresh
 * worker ~150 ms.
 */
const DIRECT = new Map<string, StepKind>([[mediate.kind, mediate as unknown as StepKind]]);

/** The pool entry point: step kinds from DIRECT, or from the registry when the sub-pipeline has others. */
export async function runReplicates(task: ReplicateTask): Promise<ReplicateBatch> {
  if (task.steps.every((s) => DIRECT.has(s.kind))) return runReplicatesWith(task, (kind) => DIRECT.get(kind));
  const { registry } = await import('./registry.js');
  return runReplicatesWith(task, (kind) => registry.get(kind));
}
