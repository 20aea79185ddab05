/** Worker-pool tasks for tests (see test-kinds.ts, `square_on_pool` and `test_units`, and test/runner/pool.test.ts), compiled to dist/test/support/worker-fns.js. */
import { appendFileSync, existsSync } from 'node:fs';
import { kernelModuleOrigin, wasmKernels } from '../../src/stats/kernels/wasm.js';
import type { TestUnitsBatch } from './test-kinds.js';

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

/** Instantiates this thread's WebAssembly kernels and says where their module came from (compiled here, or given by the pool). */
export function kernelOrigin(): string | undefined {
  wasmKernels();
  return kernelModuleOrigin();
}

let remembered: unknown;

/** A ThreadSetup function for the pool's tests: keeps what the setup hands this thread. */
export function remember(data: unknown): void {
  remembered = data;
}

/** What `remember` was given in this thread (undefined: no setup ran). */
export function rememberedData(): unknown {
  return remembered;
}

/**
 * test_units' batch function: unit i's value is a function of (seed, i) alone (a multiplicative hash), plus
 * `value`; see test-kinds.ts for the other knobs.
 */
export function testUnits(task: TestUnitsBatch): number[] {
  const p = task.shared;
  const out: number[] = [];
  for (let i = task.start; i < task.end; i++) {
    if (p.sleep_ms !== undefined && p.sleep_ms > 0) blockFor(p.sleep_ms);
    if (i === p.fail_unit && (p.fail_if_file === undefined || existsSync(p.fail_if_file))) throw new Error(`test_units: unit ${i} failed, as told`);
    out.push((Math.imul(task.seed ^ 0x9e3779b9, i + 1) >>> 0) % 1000 + p.value);
  }
  if (p.record !== undefined) appendFileSync(p.record, `${task.start}-${task.end}\n`);
  return out;
}
