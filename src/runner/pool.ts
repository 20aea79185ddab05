/**
 * The WorkerPool of src/nodes/kind.ts on piscina. Threads start on the first tasks (or `warm()`), so a
 * cached run never pays for them (nor for importing piscina); an idle thread stays 10 s, so that the run's
 * next pooled step finds it with the code it has compiled. What a thread needs before its first task (the
 * fits' compiled kernels) is handed to it through the generic `setup` option (ThreadSetup): the pool knows
 * nothing of what it is.
 */
import { setMaxListeners } from 'node:events';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import type { ThreadSetup, WorkerPool } from '../nodes/kind.js';
import { taskModuleUrl, type PoolTask } from './pool-task.js';
import type { PoolWorkerData, StartTask } from './pool-worker.js';

type PiscinaLike = {
  run(task: unknown, options?: { transferList?: readonly ArrayBuffer[]; signal?: AbortSignal; name?: string }): Promise<unknown>;
  readonly threads: readonly unknown[];
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

  /** How long an idle thread stays (ms). */
  private readonly idleTimeout: number;

  /** What each thread is set up with before its first task (ThreadSetup). */
  private readonly setup: readonly ThreadSetup[];

  constructor(
    readonly size: number = availableParallelism(),
    run?: AbortSignal,
    options: { readonly idleTimeoutMs?: number; readonly setup?: readonly ThreadSetup[] } = {},
  ) {
    // an idle thread stays a while with the code it has compiled, for the run's next pooled step
    this.idleTimeout = options.idleTimeoutMs ?? 10_000;
    this.setup = options.setup ?? [];
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
    if (this.piscina === undefined && compileOnTaskThreads(this.size, availableParallelism(), process.versions.node)) {
      // V8 reads the flag when it creates an isolate: it applies to every thread started from here on in
      // this process (this pool's first), not to the main thread's isolate, which already exists.
      setFlagsFromString('--no-concurrent-recompilation');
    }
    this.piscina ??= import('piscina').then(
      (m) =>
        new m.Piscina({
          filename: resolve(import.meta.dirname, 'pool-worker.js'),
          minThreads: 0,
          maxThreads: Math.max(1, this.size),
          idleTimeout: this.idleTimeout,
          // each thread's setup, prepared once here (e.g. compiled WebAssembly, whose code the threads share)
          workerData: preparedSetup(this.setup),
        }) as unknown as PiscinaLike,
    );
    return this.piscina;
  }

  /** Every module asked for by warm() so far: what a starting thread loads. */
  private readonly warmed = new Set<string>();
  /** The start round in flight, if any (warm). */
  private starting: Promise<void> | undefined;

  /**
   * Starts the threads, each loading the modules asked for (task module paths, as PoolTask.module; these
   * and those of earlier calls) so that the first task finds them imported. Callers need not wait: the
   * promise is for tests and never rejects (a thread that fails to start or load shows on the first task).
   * All threads running and nothing new asked: nothing. A pool without threads gets one start task per
   * thread, each waiting (at most 2 s) until all have started, so that no thread takes two; a pool with
   * threads, some perhaps busy, gets start tasks that do not wait (they load the new modules in whichever
   * threads take them, the others load them on their first task).
   */
  warm(modules: readonly string[] = []): Promise<void> {
    const fresh = modules.filter((m) => !this.warmed.has(m));
    for (const m of fresh) this.warmed.add(m);
    if (this.starting !== undefined && fresh.length === 0) return this.starting;
    const urls: string[] = [];
    for (const module of this.warmed) {
      const where = taskModuleUrl({ module, fn: 'warm', args: null });
      if ('url' in where) urls.push(where.url);
    }
    const size = Math.max(1, this.size);
    const round = this.get()
      .then(async (p) => {
        const alive = p.threads.length;
        if (alive >= size && fresh.length === 0) return;
        const task: StartTask = { urls, started: new Int32Array(new SharedArrayBuffer(4)), threads: alive === 0 ? size : 1 };
        await Promise.all(Array.from({ length: size }, () => p.run(task, { name: 'started' })));
      })
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        if (this.starting === round) this.starting = undefined;
      });
    this.starting = round;
    return round;
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
    this.warmed.clear();
    if (this.piscina === undefined) return;
    const starting = this.piscina;
    this.piscina = undefined;
    // a pool that failed to start (a refused setup) has nothing to destroy: its error went to the tasks
    const p = await starting.catch(() => undefined);
    await p?.destroy();
  }
}

/**
 * Whether the pool's threads should compile their hot functions themselves (V8's
 * `--no-concurrent-recompilation`) rather than on V8's background threads: when the pool's threads take
 * every core. A fresh thread spends its first ~100 ms interpreting the numerical code while the optimising
 * compiler works; with every core busy, a background compile only competes with the threads it compiles
 * for, and the interpreter runs all the longer. Measured with bench/inference (mediation bootstrap,
 * 2 threads on 2 cores, A/B against the same build without it): ~10 % less wall time on a fresh pool, the
 * same on a warm one; not measured on more cores.
 * Only on Node 20, where it is tested: Node does not freeze V8's flags after start there, and setting one
 * later is otherwise unsupported (a Node that froze them would abort, not throw).
 */
export function compileOnTaskThreads(threads: number, cores: number, nodeVersion: string): boolean {
  return threads >= cores && nodeVersion.split('.')[0] === '20';
}

/**
 * The threads' setup as the pool hands it to them: each module's file URL (checked as a task module's),
 * the function to call and the data prepared here. A setup whose preparation fails or gives nothing is
 * left out: a thread then fails only where a task needs what it would have handed over, as it would
 * without the setup.
 */
function preparedSetup(setup: readonly ThreadSetup[]): PoolWorkerData {
  const steps: PoolWorkerData['setup'][number][] = [];
  for (const s of setup) {
    const where = taskModuleUrl({ module: s.module, fn: s.fn, args: null });
    if ('refused' in where) throw new Error(`thread setup: ${where.refused}`);
    let data: unknown;
    try {
      data = s.prepare();
    } catch {
      continue;
    }
    if (data !== undefined) steps.push({ url: where.url, fn: s.fn, data });
  }
  return { setup: steps };
}
