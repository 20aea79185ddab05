/** The piscina worker: runs one lesionflow task (see pool-task.ts for what may be named). */
import { runTask, type PoolTask } from './pool-task.js';

export default function (task: PoolTask): Promise<unknown> {
  return runTask(task);
}

/** ThreadPool.warm's task, one per thread: modules to load (file URLs checked by taskModuleUrl) and a count of the threads started. */
export interface StartTask {
  readonly urls: readonly string[];
  readonly started: Int32Array;
  readonly threads: number;
}

/** Loads the modules, then waits (at most 2 s) until every thread has its start task, so that each runs one. */
export async function started(task: StartTask): Promise<null> {
  for (const url of task.urls) await import(url);
  Atomics.add(task.started, 0, 1);
  Atomics.notify(task.started, 0);
  const until = performance.now() + 2000;
  for (let n = Atomics.load(task.started, 0); n < task.threads && performance.now() < until; n = Atomics.load(task.started, 0)) {
    Atomics.wait(task.started, 0, n, until - performance.now());
  }
  return null;
}
