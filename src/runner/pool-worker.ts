/** The piscina worker: runs one lesionflow task (see pool-task.ts for what may be named). */
import { workerData } from 'node:worker_threads';
import { useKernelModule } from '../stats/simd-kernels.js';
import { runTask, type PoolTask } from './pool-task.js';

/** What ThreadPool hands every thread at its start. */
export interface PoolWorkerData {
  /** The fits' compiled WebAssembly kernels (simd-kernels.ts kernelModule), instantiated here instead of assembled and compiled again. */
  readonly kernels: object;
}

// piscina hands the pool's `workerData` option to every thread as Node's own workerData
const given = workerData as PoolWorkerData | undefined;
if (given?.kernels !== undefined) useKernelModule(given.kernels);

export default function (task: PoolTask): Promise<unknown> {
  return runTask(task);
}

/** ThreadPool.warm's task, one per thread: modules to load (file URLs checked by taskModuleUrl) and a count of the threads started. */
export interface StartTask {
  readonly urls: readonly string[];
  readonly started: Int32Array;
  readonly threads: number;
}

/**
 * Counts this thread in, loads the modules, then waits (at most 2 s) until `threads` threads have counted
 * in, so that each runs one start task.
 */
export async function started(task: StartTask): Promise<null> {
  Atomics.add(task.started, 0, 1);
  Atomics.notify(task.started, 0);
  for (const url of task.urls) await import(url);
  const until = performance.now() + 2000;
  for (let n = Atomics.load(task.started, 0); n < task.threads && performance.now() < until; n = Atomics.load(task.started, 0)) {
    Atomics.wait(task.started, 0, n, until - performance.now());
  }
  return null;
}
