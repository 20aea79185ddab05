/** Worker-pool tasks for tests (see test-kinds.ts, `square_on_pool`, and test/runner/pool.test.ts). */
import { kernelModuleOrigin, simdKernels } from '../../stats/simd-kernels.js';

/** x² (`square_on_pool`). */
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

/** Instantiates this thread's SIMD kernels and says where their module came from (compiled here, or given by the pool). */
export function kernelOrigin(): string | undefined {
  simdKernels();
  return kernelModuleOrigin();
}
