/**
 * A replicated kind run outside a pipeline — for tests and benchmarks: its units on a given worker pool
 * (the local executor), checkpoints in memory unless a store is given, no cache.
 */
import type { Artifact } from '../../data/artifact.js';
import type { Kind, ReplicateKind, StepInputs, WorkerPool } from '../../nodes/kind.js';
import type { Checkpoints } from '../cache.js';
import { LocalExecutor } from '../executors/local.js';
import type { CacheKey } from '../hash.js';
import { DEFAULT_BATCH } from './batches.js';
import { runReplicated } from './replicated.js';
import type { SubPipelineStep } from './sub-pipeline.js';

export interface StandaloneOptions {
  readonly step?: string;
  readonly seed: number;
  readonly pool: WorkerPool;
  /** A kind with a sub-pipeline: the `from` step and the steps up to `of`. */
  readonly subPipeline?: { readonly from: string; readonly steps: readonly SubPipelineStep[] };
  /** The sub-pipeline's kinds, by name. */
  readonly kinds?: (name: string) => Kind | undefined;
  readonly checkpoints?: Checkpoints;
  readonly batch?: number;
  readonly progress?: (done: number, total: number) => void;
  readonly warn?: (message: string) => void;
  readonly signal?: AbortSignal;
}

/** Checkpoints in a map (by name). */
export function memoryCheckpoints(store: Map<string, Uint8Array> = new Map()): Checkpoints & { readonly store: Map<string, Uint8Array> } {
  return {
    store,
    get: (name) => Promise.resolve(store.get(name)),
    put: (name, content) => {
      if (!store.has(name)) store.set(name, content);
      return Promise.resolve();
    },
  };
}

export function runReplicatedAlone<P>(kind: ReplicateKind<P>, params: P, inputs: StepInputs, o: StandaloneOptions): Promise<Artifact> {
  const checkpoints = o.checkpoints ?? memoryCheckpoints();
  const step = o.step ?? 'standalone';
  return runReplicated(
    { name: step, key: '0'.repeat(64) as CacheKey, kind: kind as unknown as ReplicateKind, params: params as Readonly<Record<string, unknown>>, subPipeline: o.subPipeline },
    inputs,
    {
      step,
      seed: o.seed,
      resolvePath: (p) => p,
      pool: o.pool,
      signal: o.signal ?? new AbortController().signal,
      progress: o.progress ?? (() => undefined),
      warn: o.warn ?? (() => undefined),
    },
    {
      executor: new LocalExecutor(o.pool, () => checkpoints),
      checkpoints,
      batch: o.batch ?? DEFAULT_BATCH,
      threads: o.pool.size,
      kinds: o.kinds ?? (() => undefined),
      info: () => undefined,
    },
  );
}
