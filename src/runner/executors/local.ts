/**
 * The local executor (the default): a set's batches on the run's worker threads, at most two per thread
 * in flight so that none idles while a result travels back; each finished batch checkpointed on the main
 * thread.
 */
import { CancelError, InternalError } from '../../errors.js';
import type { WorkerPool } from '../../nodes/kind.js';
import type { Checkpoints } from '../cache.js';
import type { CacheKey } from '../hash.js';
import { checkpointName } from '../replicate/batches.js';
import { encodeBatch } from './batch-codec.js';
import type { BatchHooks, BatchJob, Executor, Range } from './executor.js';

/** Runs `ranges` of `job` on `pool`, checkpointing each (shared with the SLURM executor's local batches). */
export async function runOnPool(pool: WorkerPool, checkpoints: Checkpoints, job: BatchJob, ranges: readonly Range[], hooks: BatchHooks): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < ranges.length && !hooks.halt.stopped) {
      const range = ranges[next++]!;
      if (hooks.signal.aborted) throw new CancelError(`${job.step}: interrupted`, { step: job.step });
      const result = await pool.run<unknown>({ module: job.task.module, fn: job.task.fn, args: { shared: job.shared, seed: job.seed, start: range[0], end: range[1] } });
      await checkpoints.put(checkpointName(job.set, range), encodeBatch(result));
      hooks.done(range, result);
    }
  };
  const lanes = Math.max(1, Math.min(ranges.length, 2 * pool.size));
  // On a failure, let the other lanes (of this set and of the step's other sets, sharing `halt`) finish
  // and checkpoint their current batch, take no new one, then rethrow.
  const settled = await Promise.allSettled(
    Array.from({ length: lanes }, () =>
      lane().catch((e: unknown) => {
        hooks.halt.stopped = true;
        throw e;
      }),
    ),
  );
  const failure = settled.find((r) => r.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
  if (!hooks.halt.stopped && next < ranges.length) throw new InternalError(`${job.step}: a batch did not run`);
}

export class LocalExecutor implements Executor {
  readonly name = 'local';

  constructor(
    readonly pool: WorkerPool,
    private readonly checkpoints: (key: CacheKey) => Checkpoints,
  ) {}

  run(job: BatchJob, hooks: BatchHooks): Promise<void> {
    return runOnPool(this.pool, this.checkpoints(job.key), job, job.ranges, hooks);
  }

  warm(modules: readonly string[]): void {
    void this.pool.warm?.(modules);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
