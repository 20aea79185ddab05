/**
 * What the worker pool's threads need to run the step kinds' tasks: the fits' WebAssembly kernels,
 * compiled once on the main thread and instantiated in each thread instead of compiled again (the first
 * batches of a cold bootstrap come back ~17 ms sooner). Handed to the pool by whoever makes it (`lesionflow run`, verify, the benchmarks); the pool runs it through its generic setup hook.
 */
import type { ThreadSetup } from './kind.js';
import { kernelModule } from '../stats/kernels/wasm.js';

export const threadSetup: readonly ThreadSetup[] = [{ module: 'stats/kernels/wasm', fn: 'useKernelModule', prepare: () => kernelModule() }];
