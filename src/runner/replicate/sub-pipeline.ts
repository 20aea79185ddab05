/**
 * Running a sub-pipeline (a replicated step's steps from `from`, excluded, to `of`) on one sample of the
 * `from` table, inside a unit: each step's kind run on its inputs in order, nothing cached (a replicate's
 * outputs are seen once). A step reads the sample in place of `from`'s output, and the outputs of the
 * sub-pipeline's earlier steps.
 */
import type { Artifact } from '../../data/artifact.js';
import type { Table } from '../../data/table.js';
import { DataError, InternalError } from '../../errors.js';
import { isDocumentKind, isReplicateKind, type Kind, type ReplicateKind, type StepContext, type StepInputs, type WorkerPool } from '../../nodes/kind.js';
import { runTask } from '../pool-task.js';

/** One step of a sub-pipeline, as a unit runs it. */
export interface SubPipelineStep {
  readonly name: string;
  readonly kind: string;
  /** Resolved, normalised parameters — as they run inside a replicate (in-replicates.ts). */
  readonly params: Readonly<Record<string, unknown>>;
  /** The steps it reads: `from`, or earlier steps of the sub-pipeline. */
  readonly inputs: readonly string[];
}

export type KindLookup = (kind: string) => Kind | undefined;

/** A step's own pool tasks inside a unit run inline (a unit runs on one thread). */
const inlinePool: WorkerPool = {
  size: 1,
  async run<T>(task: { readonly module: string; readonly fn: string; readonly args: unknown }): Promise<T> {
    return (await runTask(task)) as T;
  },
};

const never = new AbortController().signal;

function unitContext(step: SubPipelineStep, label: string, seed: number): StepContext {
  return {
    step: `${step.name}[${label}]`,
    seed,
    resolvePath: () => {
      throw new InternalError(`step "${step.name}" reads a file inside a replicate's sub-pipeline`);
    },
    pool: inlinePool,
    signal: never,
    progress: () => undefined,
    warn: () => undefined,
  };
}

/** Runs `steps` on `table` (standing for the `from` step's output); returns the last step's output. */
export async function runSubPipeline(
  steps: readonly SubPipelineStep[],
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
    if (kind === undefined) throw new InternalError(`replicate: no step kind "${step.kind}" to run in the sub-pipeline`);
    const inputs = new Map<string, Artifact>();
    for (const name of step.inputs) {
      const a = outputs.get(name);
      if (a === undefined) throw new InternalError(`replicate: step "${step.name}" reads "${name}", which is not in its sub-pipeline`);
      inputs.set(name, a);
    }
    const ctx = unitContext(step, label, seedOf(j));
    if (isDocumentKind(kind)) throw new DataError(`step "${step.name}" (${kind.kind}) is a document of the run: it cannot run inside a replicated step's sub-pipeline`, { hint: 'move it out of the steps between the outer step\'s `from` and `of`' });
    last = isReplicateKind(kind) ? await runInline(kind, step, inputs, ctx) : await kind.run(step.params, inputs, ctx);
    outputs.set(step.name, last);
  }
  if (last === undefined) throw new InternalError('replicate: empty sub-pipeline');
  return last;
}

/**
 * A replicated step inside a unit (an `impute` between a bootstrap's `from` and `of`): its task units run
 * here, in one batch, and its summary as usual — the same output as outside, since a unit's result depends
 * on its index alone. A kind with a sub-pipeline of its own (a bootstrap inside a bootstrap) is refused.
 */
async function runInline(kind: ReplicateKind, step: SubPipelineStep, inputs: StepInputs, ctx: StepContext): Promise<Artifact> {
  if (kind.subPipeline !== undefined) {
    throw new DataError(`step "${step.name}" (${kind.kind}) cannot run inside another replicated step's sub-pipeline`, { hint: 'move it out of the steps between the outer step\'s `from` and `of`' });
  }
  const plan = kind.replicates(step.params, inputs, { step: ctx.step, seed: ctx.seed, notInReplicates: { paths: [], why: undefined } });
  const seed = plan.seed ?? ctx.seed;
  const batches = new Map<string, { start: number; end: number; result: unknown }[]>();
  for (const set of plan.sets) {
    if (!('task' in set)) throw new InternalError(`${kind.kind}: a sample set without a sub-pipeline`);
    const result = await runTask({ module: set.task.module, fn: set.task.fn, args: { shared: set.args, seed, start: 0, end: set.count } });
    batches.set(set.name, [{ start: 0, end: set.count, result }]);
  }
  return kind.summarise(step.params, {
    seed,
    notInReplicates: { paths: [], why: undefined },
    matrix: () => {
      throw new InternalError(`${kind.kind}: no sample sets inside a unit`);
    },
    batches: (name) => batches.get(name) ?? [],
    state: plan.state,
  }, inputs, ctx);
}
