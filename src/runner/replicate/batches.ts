/**
 * How a set of units is cut into batches (the worker tasks, checkpoints and SLURM array tasks are made of
 * batches): a function of (total, batch size) alone, so that checkpoints, named by their range, are found
 * again whatever the threads or the executor.
 */

/** The default number of units per batch (`--batch`). */
export const DEFAULT_BATCH = 100;

/**
 * The batches of indices 0 … total − 1: `batch` at a time, except the last 2 × batch, in quarters — so
 * that the threads finish together instead of one waiting out another's last full batch.
 */
export function batchRanges(total: number, batch: number): [number, number][] {
  const ranges: [number, number][] = [];
  const tail = Math.max(0, total - 2 * batch);
  const small = Math.max(1, Math.ceil(batch / 4));
  for (let s = 0; s < total; ) {
    const e = Math.min(s < tail ? tail : total, s + (s < tail ? batch : small));
    ranges.push([s, e]);
    s = e;
  }
  return ranges;
}

/**
 * The batch size for a set of `count` units on `threads` threads: the run's `--batch`, but no more than
 * an even share per thread, so that a small set (20 imputations) still spreads over every thread.
 */
export function batchSize(count: number, requested: number, threads: number): number {
  return Math.max(1, Math.min(requested, Math.ceil(count / Math.max(1, threads))));
}

/** A batch's checkpoint name: the set and its range. */
export function checkpointName(set: string, range: readonly [number, number]): string {
  return `${set}-${range[0]}-${range[1]}`;
}
