/** The piscina worker: runs one lesionflow task (see pool-task.ts for what may be named). */
import { workerData } from 'node:worker_threads';
import { runTask, type PoolTask } from './pool-task.js';

/** What ThreadPool hands every thread at its start: setup calls (ThreadSetup), made before the first task. */
export interface PoolWorkerData {
  /** Module file URLs (checked by taskModuleUrl on the main thread), the function to call, its data. */
  readonly setup: readonly { readonly url: string; readonly fn: string; readonly data: unknown }[];
}

// piscina hands the pool's `workerData` option to every thread as Node's own workerData
const given = workerData as PoolWorkerData | undefined;
for (const s of given?.setup ?? []) {
  const mod = (await import(s.url)) as Record<string, unknown>;
  const fn = mod[s.fn];
  if (typeof fn !== 'function') throw new Error(`thread setup: ${s.url} has no exported function ${s.fn}`);
  (fn as (data: unknown) => unknown)(s.data);
}

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
