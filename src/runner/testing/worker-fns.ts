/** A worker-pool task for tests (see test-kinds.ts, `square_on_pool`). */
export function square(x: number): number {
  return x * x;
}

const loadedAt = performance.now();

/** Milliseconds since this module was loaded in the thread that runs the task (ThreadPool.warm's test). */
export function msSinceLoaded(): number {
  return performance.now() - loadedAt;
}

/** Keeps this thread busy for `ms` (a thread that cannot take another task, for the pool's tests). */
export function blockFor(ms: number): null {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return null;
}
