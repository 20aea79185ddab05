/**
 * Runs a DAG of tasks: a task starts when all its dependencies have succeeded; at most `jobs` tasks
 * hold a work slot at once (Slots, first come first served). Failure policy: by default (keep going) a failed task marks its
 * dependants skipped and independent tasks finish; with `failFast` the first failure aborts the rest.
 * An abort signal (Ctrl-C) stops starting tasks and aborts the running ones through their signal.
 *
 * Tasks receive `withSlot` rather than holding a slot for their whole life: a cache hit costs no slot,
 * only real work does; and a task waiting on work done elsewhere (a SLURM cluster) gives its slot back
 * meanwhile (`outsideSlot`), so that a grid of replicated steps is submitted at once, not `jobs` at a time.
 */

export type TaskStatus = 'ran' | 'cached' | 'failed' | 'skipped';

export interface TaskResult<N extends string> {
  readonly status: TaskStatus;
  readonly ms: number;
  readonly error?: unknown;
  /** For skipped tasks: the failed dependency, or 'interrupted' / 'fail-fast'. */
  readonly reason?: N | 'interrupted' | 'fail-fast';
}

export interface TaskEnv {
  readonly signal: AbortSignal;
  /** Runs `fn` holding one of the `jobs` work slots. */
  withSlot<T>(fn: () => Promise<T>): Promise<T>;
  /** Inside withSlot: runs `fn` with the slot given back (for waiting on work elsewhere), then takes one again. */
  outsideSlot<T>(fn: () => Promise<T>): Promise<T>;
}

/** `jobs` work slots, handed out first come first served. */
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(n: number) {
    this.free = Math.max(1, n);
  }
  acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next !== undefined) next();
    else this.free++;
  }
}

export interface ScheduleOptions {
  readonly jobs: number;
  readonly failFast?: boolean;
  readonly signal?: AbortSignal;
  /** Called before a task is started (for logging). */
  readonly onStart?: (name: string) => void;
  readonly onEnd?: (name: string, result: TaskResult<string>) => void;
}

export async function schedule<N extends string>(
  tasks: ReadonlyMap<N, readonly N[]>,
  runTask: (name: N, env: TaskEnv) => Promise<'ran' | 'cached'>,
  options: ScheduleOptions,
): Promise<Map<N, TaskResult<N>>> {
  const slots = new Slots(options.jobs);
  const inner = new AbortController();
  const outer = options.signal;
  const onOuterAbort = (): void => {
    inner.abort(outer?.reason);
  };
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  if (outer?.aborted === true) inner.abort(outer.reason);

  const results = new Map<N, TaskResult<N>>();
  const dependants = new Map<N, N[]>();
  const waiting = new Map<N, number>();
  for (const [name, deps] of tasks) {
    waiting.set(name, deps.length);
    for (const d of deps) {
      if (!tasks.has(d)) throw new Error(`Internal error: task "${name}" depends on unknown task "${d}"`);
      let list = dependants.get(d);
      if (list === undefined) dependants.set(d, (list = []));
      list.push(name);
    }
  }

  /** A task's environment: its slot, given back while any of its waits is outside (two sets of a step wait at once). */
  const envOf = (): TaskEnv => {
    let outside = 0;
    return {
      signal: inner.signal,
      withSlot: async <T>(fn: () => Promise<T>) => {
        await slots.acquire();
        try {
          if (inner.signal.aborted) throw inner.signal.reason;
          return await fn();
        } finally {
          slots.release();
        }
      },
      outsideSlot: async <T>(fn: () => Promise<T>) => {
        if (outside++ === 0) slots.release();
        try {
          return await fn();
        } finally {
          if (--outside === 0) await slots.acquire();
        }
      },
    };
  };

  let failFastTriggered = false;
  // Tasks started and not yet finished; `allDone` resolves when it returns to zero. (Racing a set of
  // promises on every completion would cost O(running) per step.)
  let inFlight = 0;
  let resolveAllDone: () => void = () => undefined;
  const allDone = new Promise<void>((r) => (resolveAllDone = r));

  const finish = (name: N, result: TaskResult<N>): void => {
    results.set(name, result);
    options.onEnd?.(name, result);
    const ok = result.status === 'ran' || result.status === 'cached';
    if (!ok && result.status === 'failed' && options.failFast === true && !failFastTriggered) {
      failFastTriggered = true;
      inner.abort(new Error('fail-fast'));
    }
    for (const d of dependants.get(name) ?? []) {
      if (ok) {
        const left = waiting.get(d)! - 1;
        waiting.set(d, left);
        if (left === 0 && !results.has(d)) start(d);
      } else if (!results.has(d)) {
        // Skipped because of this task; its dependants in turn.
        finish(d, { status: 'skipped', ms: 0, reason: result.status === 'failed' ? name : (result.reason ?? name) });
      }
    }
  };

  const start = (name: N): void => {
    if (inner.signal.aborted) {
      finish(name, { status: 'skipped', ms: 0, reason: failFastTriggered ? 'fail-fast' : 'interrupted' });
      return;
    }
    options.onStart?.(name);
    const t0 = performance.now();
    inFlight += 1;
    void runTask(name, envOf())
      .then(
        (status) => {
          finish(name, { status, ms: Math.round(performance.now() - t0) });
        },
        (error: unknown) => {
          finish(name, { status: 'failed', ms: Math.round(performance.now() - t0), error });
        },
      )
      .finally(() => {
        inFlight -= 1;
        if (inFlight === 0) resolveAllDone();
      });
  };

  inFlight += 1; // held while the roots are started, so a synchronous finish cannot resolve early
  for (const [name, n] of waiting) if (n === 0) start(name);
  inFlight -= 1;
  if (inFlight === 0) resolveAllDone();
  await allDone;
  outer?.removeEventListener('abort', onOuterAbort);
  // Tasks never reached (only possible when dependencies are missing from the map, guarded above).
  for (const name of tasks.keys()) if (!results.has(name)) results.set(name, { status: 'skipped', ms: 0, reason: 'interrupted' });
  return results;
}
