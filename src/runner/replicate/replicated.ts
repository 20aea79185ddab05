/**
 * Computing a step of the replicate lifecycle (ReplicateKind: bootstrap, impute): the kind says what its
 * units are; the runner runs them — in batches on the run's executor, each batch checkpointed — and hands
 * their results to the kind's summary. For a kind with a sub-pipeline, a unit re-runs the steps from `from`
 * (excluded) to `of` on its sample of `from`'s table, with each step's in-replicate parameters
 * (in-replicates.ts), nothing cached inside the unit (worker.ts).
 *
 * Seeds: unit u of a set draws from (the step's seed, u) alone — the step's seed comes from the pipeline
 * seed and the step's name (hash.ts stepSeed) — so the output is the same bytes whatever the batch size, the
 * threads, the executor or the order in which batches finish.
 */
import { randomUUID } from 'node:crypto';
import type { Artifact } from '../../data/artifact.js';
import { InternalError } from '../../errors.js';
import type { Kind, ReplicateKind, ReplicateResults, StepContext, StepInputs, UnitFailure, UnitSet } from '../../nodes/kind.js';
import { isStepKind } from '../../nodes/kind.js';
import { kindLoaders } from '../../nodes/kinds.js';
import type { Checkpoints } from '../cache.js';
import type { BatchHooks, Executor, Halt } from '../executors/executor.js';
import type { CacheKey } from '../hash.js';
import { batchSize } from './batches.js';
import { inReplicates } from './in-replicates.js';
import type { SubPipelineStep } from './sub-pipeline.js';
import { Halted, runUnitSet } from './units.js';
import type { SampleBatch, SampleShared } from './worker.js';

/** The batch function of sample sets. */
const SAMPLES_TASK = { module: 'runner/replicate/worker', fn: 'runSamples' } as const;

export interface ReplicatedStep {
  /** The step's instance name. */
  readonly name: string;
  readonly key: CacheKey;
  readonly kind: ReplicateKind;
  readonly params: Readonly<Record<string, unknown>>;
  /** Of a kind with a sub-pipeline: the `from` step and the steps after it up to `of`, in run order, as written. */
  readonly subPipeline?: { readonly from: string; readonly steps: readonly SubPipelineStep[] } | undefined;
}

export interface ReplicateEnv {
  readonly executor: Executor;
  readonly checkpoints: Checkpoints;
  /** Units per batch (the run's `--batch`), capped so that a small set spreads over every thread. */
  readonly batch: number;
  readonly threads: number;
  /** The kinds of the run (for the sub-pipeline's in-replicate parameters and fast path). */
  readonly kinds: (name: string) => Kind | undefined;
  readonly info: (message: string) => void;
  readonly remote?: BatchHooks['remote'];
  /** Runs `fn` with the step's work slot given back (an executor waiting on a cluster). */
  readonly outsideSlot?: BatchHooks['outsideSlot'];
}

/** The task modules a unit of these sets loads: what the executor warms. */
function modulesOf(sets: readonly UnitSet[], steps: readonly SubPipelineStep[]): string[] {
  const out = new Set<string>();
  for (const set of sets) {
    if ('task' in set) out.add(set.task.module);
    else {
      out.add(SAMPLES_TASK.module);
      for (const s of steps) if (kindLoaders.has(s.kind)) out.add(`nodes/${s.kind}`);
    }
  }
  return [...out];
}

/** The task modules a replicated step's units will load, as far as they are known before it runs (for warming the pool early). */
export function knownModules(kind: ReplicateKind, subSteps: readonly { readonly kind: string }[]): string[] {
  if (kind.subPipeline === undefined) return [];
  return [SAMPLES_TASK.module, ...subSteps.filter((s) => kindLoaders.has(s.kind)).map((s) => `nodes/${s.kind}`)];
}

export async function runReplicated(step: ReplicatedStep, inputs: StepInputs, ctx: StepContext, env: ReplicateEnv): Promise<Artifact> {
  const { kind, params } = step;
  // the sub-pipeline as it runs inside a unit; the `of` step's estimates it then does not produce
  const sub = step.subPipeline;
  let steps: SubPipelineStep[] = [];
  let notInReplicates: { paths: string[]; why: string | undefined } = { paths: [], why: undefined };
  if (sub !== undefined) {
    steps = sub.steps.map((s, j) => {
      const k = env.kinds(s.kind);
      if (k === undefined) throw new InternalError(`${step.name}: no kind "${s.kind}" for sub-pipeline step "${s.name}"`);
      const r = inReplicates(k, s.params);
      if (j === sub.steps.length - 1) notInReplicates = { paths: r.omits, why: r.why.length === 0 ? undefined : r.why.join('; ') };
      return { ...s, params: r.params };
    });
  }
  const plan = kind.replicates(params, inputs, { step: step.name, seed: ctx.seed, notInReplicates });
  const seed = plan.seed ?? ctx.seed;
  env.executor.warm(modulesOf(plan.sets, steps));

  const total = plan.sets.reduce((n, s) => n + s.count, 0);
  let done = 0;
  const progress = (units: number): void => {
    done += units;
    ctx.progress(done, total);
  };
  let samples: Omit<SampleShared, 'sample' | 'paths'> | undefined;
  const sampleShared = (): Omit<SampleShared, 'sample' | 'paths'> => (samples ??= sampleBase(step, steps, inputs, env));
  const halt: Halt = { stopped: false };
  const hooks = { halt, signal: ctx.signal, info: env.info, progress, ...(env.remote === undefined ? {} : { remote: env.remote }), ...(env.outsideSlot === undefined ? {} : { outsideSlot: env.outsideSlot }) };
  // Every set at once: the later set's batches queue behind the earlier's on the same executor, so that no
  // worker idles between them (a unit depends on its index alone: the order of the batches does not matter).
  const settled = await Promise.allSettled(
    plan.sets.map((set) =>
      runUnitSet(
        {
          step: step.name,
          key: step.key,
          set: set.name,
          task: 'task' in set ? set.task : SAMPLES_TASK,
          shared: 'task' in set ? set.args : ({ ...sampleShared(), sample: set.sample, paths: set.paths } satisfies SampleShared),
          seed,
          count: set.count,
          batch: batchSize(set.count, env.batch, env.threads),
        },
        env.executor,
        env.checkpoints,
        hooks,
      ).catch((e: unknown) => {
        halt.stopped = true;
        throw e;
      }),
    ),
  );
  // the failure to report: the first that is not a set stopped because of another's
  const failures = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  const failure = failures.find((e) => !(e instanceof Halted)) ?? failures[0];
  if (failure !== undefined) throw failure instanceof Error ? failure : new InternalError(`${step.name}: a set of units failed`, { cause: failure });
  const bySet = new Map(plan.sets.map((set, i) => [set.name, { set, batches: (settled[i] as PromiseFulfilledResult<{ start: number; end: number; result: unknown }[]>).value }]));
  const results: ReplicateResults = {
    seed,
    notInReplicates,
    state: plan.state,
    matrix: (name) => {
      const got = bySet.get(name);
      if (got === undefined || !('sample' in got.set)) throw new InternalError(`${step.name}: no sample set "${name}"`);
      return sampleMatrix(got.set.count, got.set.paths, got.batches.map((b) => b.result as SampleBatch));
    },
    batches: (name) => {
      const got = bySet.get(name);
      if (got === undefined || !('task' in got.set)) throw new InternalError(`${step.name}: no task set "${name}"`);
      return got.batches;
    },
  };
  return kind.summarise(params, results, inputs, ctx);
}

/** What every sample set's batches share: the `from` table, the sub-pipeline, and the fast path's data, built once here. */
function sampleBase(step: ReplicatedStep, steps: readonly SubPipelineStep[], inputs: StepInputs, env: ReplicateEnv): Omit<SampleShared, 'sample' | 'paths'> {
  const sub = step.subPipeline;
  if (sub === undefined) throw new InternalError(`${step.kind.kind}: sample sets need a sub-pipeline`);
  const from = inputs.get(sub.from);
  if (from?.type !== 'table') throw new InternalError(`${step.name}: the \`from\` step "${sub.from}" gave no table (the kind checks it first)`);
  // a kind's fast path for a sub-pipeline of one step reading `from`: its data built here, once
  const only = steps.length === 1 ? steps[0]! : undefined;
  const onlyKind = only === undefined ? undefined : env.kinds(only.kind);
  const fast = only !== undefined && onlyKind !== undefined && isStepKind(onlyKind) && only.inputs.every((n) => n === sub.from) ? onlyKind.rowSamples : undefined;
  const planData = fast === undefined ? {} : { planData: fast.prepare(only!.params, from.table) ?? null };
  return { table: from.table, from: sub.from, steps, planKey: randomUUID(), ...planData };
}

/** A sample set's batches as one matrix (unit × path) with its failures in unit order. */
function sampleMatrix(count: number, paths: readonly string[], batches: readonly SampleBatch[]): { values: Float64Array; paths: readonly string[]; failures: UnitFailure[] } {
  const k = paths.length;
  const values = new Float64Array(count * k);
  const failures: UnitFailure[] = [];
  for (const b of batches) {
    values.set(b.values, b.start * k);
    failures.push(...b.failures);
  }
  return { values, paths, failures };
}
