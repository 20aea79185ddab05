/** The piscina worker: runs one lesionflow task (see pool-task.ts for what may be named). */
import { runTask, type PoolTask } from './pool-task.js';

export default function (task: PoolTask): Promise<unknown> {
  return runTask(task);
}

/** ThreadPool.warm's empty task: the thread has started. */
export function started(): null {
  return null;
}
