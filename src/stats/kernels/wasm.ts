/**
 * The kernels' WebAssembly backend: kernels.wasm (built from assembly/kernels.ts by `npm run kernels` and
 * committed; `npm run build` copies it beside this file in dist), instantiated once per thread with its
 * own memory, which is the thread's arena. Each kernel call turns its arrays into their byte offsets in
 * that memory (`byteOffset`: the arrays must come from `arena`).
 *
 * A worker thread can be handed the main thread's compiled module (useKernelModule, through the pool's
 * per-thread setup: src/nodes/thread-setup.ts) instead of compiling its own: a compiled
 * WebAssembly.Module is structured-cloneable and shares its compiled code.
 */
import { readFileSync } from 'node:fs';
import type { RowKind } from '../models/cumulative-logit.js';
import { ArenaLayouts, type ArenaSpec, arenaBytes, type Kernels, type LeastSquaresPassArrays, type OrdinalPassArrays, type OrdinalPassStatus } from './kernels.js';

/** The parts of the WebAssembly API used here (the project's TypeScript lib has no DOM/WebAssembly types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}
/** The WebAssembly API, typed as used here (and by the kernels' tests). */
export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The module's exports (byte offsets for arrays; see assembly/kernels.ts). */
interface Exports {
  eta(x: number, n: number, i0: number, len: number, p: number, beta: number, out: number): void;
  colpass(x: number, n: number, i0: number, len: number, p: number, w: number, stride: number, s: number, sums: number): void;
  crossprod(s: number, stride: number, x: number, n: number, i0: number, len: number, p: number, out: number): void;
  exps(x: number, len: number, out: number, mx: number): void;
  rows(eta: number, len: number, kind: number, w: number, out: number, stride: number, sums: number, tU: number, tL: number, r: number, omr: number, iomr: number): void;
  logprod(p: number, w: number, len: number, acc: number): void;
  evaluate(...args: number[]): number;
  lmpass(...args: number[]): void;
  chol(A: number, p: number, relTol: number, L: number): number;
  cholsolve(L: number, p: number, b: number): void;
  cholinv(L: number, p: number, out: number): void;
}

/** The largest memory WebAssembly (32-bit) can address. */
const MAX_BYTES = 65536 * 65536;

let compiled: object | undefined;
/** Whether this thread's module was compiled here or handed over (useKernelModule): for tests. */
let origin: 'compiled' | 'given' | undefined;
let backend: Kernels | undefined;

/** The kernels' compiled module (compiled on first use in this thread, or the one handed over). */
export function kernelModule(): object {
  if (compiled === undefined) {
    compiled = new wasm.Module(readFileSync(new URL('./kernels.wasm', import.meta.url)));
    origin = 'compiled';
  }
  return compiled;
}

/** Makes this thread's kernels instantiate `module`, another thread's kernelModule(), instead of compiling their own. */
export function useKernelModule(module: object): void {
  if (compiled !== undefined) return;
  compiled = module;
  origin = 'given';
}

/** Where this thread's kernel module came from, once it has one. */
export function kernelModuleOrigin(): 'compiled' | 'given' | undefined {
  return origin;
}

/** This thread's WebAssembly backend (instantiated on first use; one memory per thread). */
export function wasmKernels(): Kernels {
  if (backend !== undefined) return backend;
  const memory = new wasm.Memory({ initial: 1 });
  const k = new wasm.Instance(kernelModule(), { env: { memory } }).exports as unknown as Exports;
  /** A view of the slot at byte 0 (re-made after the memory grows). */
  let scratch: Float64Array | undefined;
  /** The memory's buffer, read again only after the memory grows (Memory.buffer is a call into the engine: ~0.4 µs, at every inArena). */
  let buffer = memory.buffer;
  /** Byte offset of a[at]. */
  const ptr = (a: Float64Array, at = 0): number => a.byteOffset + 8 * at;
  const layouts = new ArenaLayouts();
  backend = {
    backend: 'wasm',
    arena<S extends ArenaSpec>(spec: S) {
      const found = layouts.find(spec, buffer);
      if (found !== undefined) return found;
      const bytes = arenaBytes(spec);
      if (bytes > MAX_BYTES) return undefined;
      const have = buffer.byteLength;
      if (bytes > have) {
        try {
          memory.grow(Math.ceil((bytes - have) / 65536));
          buffer = memory.buffer;
          scratch = undefined;
        } catch (e) {
          if (e instanceof RangeError) return undefined; // the memory cannot grow that far
          throw e;
        }
      }
      return layouts.lay(spec, buffer);
    },
    inArena: (a) => a.buffer === buffer,
    eta: (x, n, i0, len, p, beta, out) => {
      k.eta(x.byteOffset, n, i0, len, p, beta.byteOffset, out.byteOffset);
    },
    colpass: (x, n, i0, len, p, w, stride, s, sums) => {
      k.colpass(x.byteOffset, n, i0, len, p, w.byteOffset, stride, s.byteOffset, sums.byteOffset);
    },
    crossprod: (s, stride, x, n, i0, len, p, out) => {
      k.crossprod(s.byteOffset, stride, x.byteOffset, n, i0, len, p, out.byteOffset);
    },
    exps: (x, len, out) => {
      // max |x| into the backend's own slot at byte 0 (before every arena: ARENA_START)
      k.exps(x.byteOffset, len, out.byteOffset, 0);
      return (scratch ??= new Float64Array(buffer, 0, 1))[0]!;
    },
    rows: (eta, len, kind: RowKind, w, wAt, out, stride, sums, tU, tL, r, omr, iomr) => {
      k.rows(eta.byteOffset, len, kind, ptr(w, wAt), out.byteOffset, stride, sums.byteOffset, tU, tL, r, omr, iomr);
    },
    logprod: (p, w, wAt, len, acc) => {
      k.logprod(p.byteOffset, ptr(w, wAt), len, acc.byteOffset);
    },
    chol: (A, p, relTol, L) => k.chol(A.byteOffset, p, relTol, L.byteOffset),
    cholsolve: (L, p, b) => {
      k.cholsolve(L.byteOffset, p, b.byteOffset);
    },
    cholinv: (L, p, out) => {
      k.cholinv(L.byteOffset, p, out.byteOffset);
    },
    ordinalPass(a: OrdinalPassArrays) {
      // the module's evaluate takes 22 arguments: the 20 fixed ones are worked out once per model
      const { n, p, J, stride, npar, nt } = a;
      const [x, seg, cats, wts, eta, rows, s, sums, rs, acc, xtcx, beta, grad, hess] = [
        a.x.byteOffset, a.segments.byteOffset, a.categories.byteOffset, a.weights.byteOffset, a.eta.byteOffset, a.rows.byteOffset, a.scratch.byteOffset,
        a.columnSums.byteOffset, a.rowSums.byteOffset, a.product.byteOffset, a.xtcx.byteOffset, a.beta.byteOffset, a.grad.byteOffset, a.hess.byteOffset,
      ];
      return {
        run: (derivs, zeroBeta) =>
          k.evaluate(x, n, p, seg, J, cats, wts, eta, rows, stride, s, sums, rs, acc, xtcx, beta, grad, hess, npar, nt, derivs ? 1 : 0, zeroBeta ? 1 : 0) as OrdinalPassStatus,
      };
    },
    leastSquaresPass(a: LeastSquaresPassArrays) {
      const hasW = a.w === undefined ? 0 : 1;
      const w = a.w?.byteOffset ?? a.y.byteOffset; // not read without weights
      return {
        run: (residuals) => {
          k.lmpass(a.x.byteOffset, a.n, a.p, a.y.byteOffset, w, hasW, residuals ? 1 : 0, a.beta.byteOffset, a.fitted.byteOffset, a.rows.byteOffset, a.stride,
            a.scratch.byteOffset, a.columnSums.byteOffset, a.out.byteOffset, a.xtwx.byteOffset);
        },
      };
    },
  };
  return backend;
}
