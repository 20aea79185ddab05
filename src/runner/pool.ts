/**
 * The WorkerPool of src/nodes/kind.ts on piscina. Threads start on the first tasks (or `warm()`), so a
 * cached run never pays for them (nor for importing piscina); an idle thread stays 10 s, so that the run's
 * next pooled step finds it with the code it has compiled.
 */
import { setMaxListeners } from 'node:events';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { WorkerPool } from '../nodes/kind.js';
import { taskModuleUrl, type PoolTask } from './pool-task.js';

type PiscinaLike = {
  run(task: unknown, options?: { transferList?: readonly ArrayBuffer[]; signal?: AbortSignal; name?: string }): Promise<unknown>;
  destroy(): Promise<void>;
};

export class ThreadPool implements WorkerPool {
  private piscina: Promise<PiscinaLike> | undefined;
  /**
   * The signal handed to piscina with every task: aborted with the run's. piscina adds a listener to it per
   * task in flight (and removes it when the task settles), so it has no listener limit; the run's signal
   * gets one listener, from here, instead of one per task (which set off Node's MaxListenersExceededWarning
   * past 10 tasks in flight).
   */
  private readonly signal: AbortSignal | undefined;
  /** Takes the listener off the run's signal (at destroy: a run's signal may outlive its pool). */
  private readonly unlink: () => void = () => undefined;

  constructor(
    readonly size: number = availableParallelism(),
    run?: AbortSignal,
  ) {
    if (run === undefined) return;
    const own = new AbortController();
    setMaxListeners(0, own.signal);
    const abort = (): void => {
      own.abort(run.reason);
    };
    if (run.aborted) abort();
    else {
      run.addEventListener('abort', abort, { once: true });
      this.unlink = () => {
        run.removeEventListener('abort', abort);
      };
    }
    this.signal = own.signal;
  }

  private get(): Promise<PiscinaLike> {
    this.piscina ??= import('piscina').then(
      (m) =>
        new m.Piscina({
          filename: resolve(import.meta.dirname, 'pool-worker.js'),
          minThreads: 0,
          maxThreads: Math.max(1, this.size),
          // an idle thread stays a while with the code it has compiled, for the run's next pooled step
          idleTimeout: 10_000,
        }) as unknown as PiscinaLike,
    );
    return this.piscina;
  }

  /** Starts the threads (an empty task on each) without waiting for them. */
  warm(): void {
    this.get()
      .then((p) => Promise.all(Array.from({ length: Math.max(1, this.size) }, () => p.run(null, { name: 'started' }))))
      .catch(() => undefined); // a failure to start shows on the first task
  }

  async run<T>(task: PoolTask, transfer?: readonly ArrayBuffer[]): Promise<T> {
    const where = taskModuleUrl(task);
    if ('refused' in where) throw new Error(where.refused);
    const pool = await this.get();
    const opts: { transferList?: readonly ArrayBuffer[]; signal?: AbortSignal } = {};
    if (transfer !== undefined) opts.transferList = transfer;
    if (this.signal !== undefined) opts.signal = this.signal;
    return (await pool.run({ module: task.module, fn: task.fn, args: task.args }, opts)) as T;
  }

  async destroy(): Promise<void> {
    this.unlink();
    if (this.piscina === undefined) return;
    const p = await this.piscina;
    this.piscina = undefined;
    await p.destroy();
  }
}
