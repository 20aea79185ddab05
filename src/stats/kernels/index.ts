/**
 * This thread's kernels (kernels.ts): the WebAssembly backend, or the JavaScript one when the environment
 * says LESIONFLOW_KERNELS=js — chosen once, on first use (worker threads inherit the environment).
 */
import { ExecutorError } from '../../errors.js';
import { jsKernels } from './js.js';
import type { Kernels } from './kernels.js';
import { wasmKernels } from './wasm.js';

export type { Arena, ArenaSpec, Kernels, LeastSquaresPassArrays, OrdinalPassArrays, OrdinalPassStatus } from './kernels.js';
export { rowCapacity } from './kernels.js';

let chosen: Kernels | undefined;

/** The backend LESIONFLOW_KERNELS names ('wasm', the default, or 'js'). */
function choose(): Kernels {
  const name = process.env.LESIONFLOW_KERNELS ?? '';
  if (name === '' || name === 'wasm') return wasmKernels();
  if (name === 'js') return jsKernels;
  throw new ExecutorError(`LESIONFLOW_KERNELS is "${name}": there are no such kernels`, { hint: 'set it to wasm (the default) or js, or unset it' });
}

/** This thread's kernels. */
export function kernels(): Kernels {
  return (chosen ??= choose());
}
