/**
 * One set of units through an executor: cut into batches (batches.ts), the batches already checkpointed
 * read back (an interrupted run resumes with those it had not finished), the others run on the executor,
 * which checkpoints each as it finishes. Returns every batch's result in unit order.
 */
import { InternalError } from '../../errors.js';
import type { Checkpoints } from '../cache.js';
import { decodeBatch } from '../executors/batch-codec.js';
import type { BatchHooks, BatchJob, Executor, Range } from '../executors/executor.js';
import { batchRanges, checkpointName } from './batches.js';

/** A set's batches (BatchJob) before they are cut: its units' number and the batch size. */
export interface UnitSetJob extends Omit<BatchJob, 'ranges' | 'total'> {
  readonly count: number;
  /** Units per batch. */
  readonly batch: number;
}

export async function runUnitSet(
  job: UnitSetJob,
  executor: Executor,
  checkpoints: Checkpoints,
  hooks: Omit<BatchHooks, 'done'> & { readonly progress: (units: number) => void },
): Promise<{ readonly start: number; readonly end: number; readonly result: unknown }[]> {
  const ranges = batchRanges(job.count, job.batch);
  const results = new Array<unknown>(ranges.length);
  const have = new Array<boolean>(ranges.length).fill(false);
  const index = new Map(ranges.map((r, i) => [`${r[0]}-${r[1]}`, i]));
  const pending: Range[] = [];
  for (const [i, range] of ranges.entries()) {
    const saved = await checkpoints.get(checkpointName(job.set, range));
    const result = saved === undefined ? undefined : decodeBatch(saved);
    if (result === undefined) {
      pending.push(range);
      continue;
    }
    results[i] = result;
    have[i] = true;
    hooks.progress(range[1] - range[0]);
  }
  if (pending.length > 0) {
    await executor.run(
      { step: job.step, key: job.key, set: job.set, task: job.task, shared: job.shared, seed: job.seed, ranges: pending, total: ranges.length },
      {
        ...hooks,
        done: (range, result) => {
          const i = index.get(`${range[0]}-${range[1]}`);
          if (i === undefined) throw new InternalError(`${job.step}: a result for units ${range[0]}–${range[1]}, which are no batch of set ${job.set}`);
          if (!have[i]) hooks.progress(range[1] - range[0]);
          results[i] = result;
          have[i] = true;
        },
      },
    );
  }
  if (hooks.halt.stopped && have.includes(false)) throw new Halted();
  return ranges.map((r, i) => {
    if (!have[i]) throw new InternalError(`${job.step}: batch ${r[0]}–${r[1]} of set ${job.set} did not finish`);
    return { start: r[0], end: r[1], result: results[i] };
  });
}

/** A set stopped because another set of its step failed: that failure is the one to report. */
export class Halted extends Error {
  override readonly name = 'Halted';
  constructor() {
    super('stopped: another set of units failed');
  }
}
