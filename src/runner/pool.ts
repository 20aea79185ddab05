/**
 * The WorkerPool of src/nodes/kind.ts on piscina. The threads start together on the first task (or
 * `warm()`), so a cached run never pays for them (nor for importing piscina), and stay until `destroy()`:
 * a later step reuses them with the code they have compiled.
 */
import { setMaxListeners } from 'node:events';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { WorkerPool } from '../nodes/kind.js';
import { taskModuleUrl, type PoolTask } from './pool-task.js';

type PiscinaLike = {
  run(task: unknown, options?: { transferList?: readonly ArrayBuffer[]; signal?: AbortSignal }): Promise<unknown>;
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

  constructor(
    readonly size: number = availableParallelism(),
    run?: AbortSignal,
  ) {
    if (run === undefined) return;
    const own = new AbortController();
    setMaxListeners(0, own.signal);
    if (run.aborted) own.abort(run.reason);
    else run.addEventListener('abort', () => { own.abort(run.reason); }, { once: true });
    this.signal = own.signal;
  }

  private get(): Promise<PiscinaLike> {
    this.piscina ??= import('piscina').then(
      (m) =>
        new m.Piscina({
          filename: resolve(import.meta.dirname, 'pool-worker.js'),
          // all threads start together and stay (with their compiled code) until the run ends
          minThreads: Math.max(1, this.size),
          maxThreads: Math.max(1, this.size),
        }) as unknown as PiscinaLike,
    );
    return this.piscina;
  }

  warm(): void {
    this.get().catch(() => undefined); // a failure to start shows on the first task
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
    if (this.piscina === undefined) return;
    const p = await this.piscina;
    this.piscina = undefined;
    await p.destroy();
  }
}
