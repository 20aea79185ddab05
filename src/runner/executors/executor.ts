/**
 * Executors: where the batches of a replicated step's units run — the local worker threads (the default)
 * or a SLURM cluster (`--executor slurm`). The runner's replicate construct (src/runner/replicate/) hands
 * an executor the batches not checkpointed yet; whoever computes a batch checkpoints its result in the
 * cache (on the shared file system for SLURM), so that an interrupted run resumes with the batches it had
 * not finished, whatever executor ran them. Every batch depends on its range alone: the output is the same
 * bytes on either executor.
 */
import type { TaskRef } from '../../nodes/kind.js';
import type { CacheKey } from '../hash.js';

export type Range = readonly [number, number];

/** The batches of one set of units. */
export interface BatchJob {
  /** The step (instance name), for messages, progress and SLURM job names. */
  readonly step: string;
  /** The step's cache key: its checkpoints live under it. */
  readonly key: CacheKey;
  /** The set's name (e.g. `bootstrap`, `jackknife`, `imputations`), first part of its checkpoints' names. */
  readonly set: string;
  /** The batch function, called with BatchArgs `{shared, seed, start, end}`. */
  readonly task: TaskRef;
  readonly shared: unknown;
  readonly seed: number;
  /** The batches to run (not yet checkpointed), in unit order. */
  readonly ranges: readonly Range[];
  /** Every batch of the set (checkpointed or not), for an executor that must name them all (SLURM). */
  readonly total: number;
}

/** Shared by the sets of one step: a failure in one stops the others from taking new batches. */
export interface Halt {
  stopped: boolean;
}

export interface BatchHooks {
  /** A batch's result, as it arrives (in any order), already checkpointed. */
  done(range: Range, result: unknown): void;
  readonly halt: Halt;
  readonly signal: AbortSignal;
  /** A line for the run's log (what was submitted, why a set ran locally). */
  info(message: string): void;
  /** Units queued and running outside this process (SLURM), for the progress display. */
  remote?(state: { readonly queued: number; readonly running: number }): void;
  /** Runs `fn` with the step's work slot (--jobs) given back: for waiting on work done elsewhere. */
  outsideSlot?<T>(fn: () => Promise<T>): Promise<T>;
}

export interface Executor {
  readonly name: 'local' | 'slurm';
  /**
   * Runs the job's batches, checkpointing each result (checkpointName(set, range)) and handing it to
   * `hooks.done`. Rejects with the first failure, after the batches in flight have finished (and been
   * checkpointed) and no new one was taken; or when `hooks.signal` aborts (CancelError).
   */
  run(job: BatchJob, hooks: BatchHooks): Promise<void>;
  /** Gets ready for batches of these task modules (starts the pool's threads, loading them), without waiting. */
  warm(modules: readonly string[]): void;
  /** Releases what the run held (threads; SLURM jobs still queued are cancelled). */
  close(): Promise<void>;
}
