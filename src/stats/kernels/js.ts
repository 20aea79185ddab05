/**
 * The kernels' JavaScript backend: assembly/kernels.ts's operations in the same order, so the same bits
 * (test/stats/kernels-js.test.ts runs both on the golden scenarios). Where the WebAssembly kernels sum two
 * rows per instruction, the sums here run in two lanes too — lane 0 the even rows t = 0, 2, …, lane 1 the
 * odd ones, each from 0, added (lane 0 + lane 1) at the end — and exp is the kernels' own (Taylor
 * polynomial and 2^k from its bits, not Math.exp). It has no ordinal pass of its own: the objective's
 * JavaScript loop over the kernels (cumulative-logit-objective.ts's evaluateSortedJs) is that pass, step by
 * step. Chosen with LESIONFLOW_KERNELS=js (kernels/index.ts).
 */
import { BLOCK, cholesky, choleskyInverse, choleskySolve } from '../linalg.js';
import { HIGHEST, ROW_GA, ROW_GB, ROW_HAA, ROW_HAB, ROW_HBB, ROW_TERMS, type RowKind, rowTerms } from '../models/cumulative-logit.js';
import { ArenaLayouts, type ArenaSpec, arenaBytes, type Kernels, type LeastSquaresPassArrays } from './kernels.js';

// ---- exp as the kernels compute it (assembly/kernels.ts's expV, one lane) ----
const INV_LN2 = 1.4426950408889634; // 1 / Math.LN2
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const MAGIC = 6755399441055744; // 1.5·2⁵²
const TWO52 = 4503599627370496;
/** 1/i! for i = 0 … 13. */
const C = [1, 1, 0.5, 0.16666666666666666, 0.041666666666666664, 0.008333333333333333, 0.001388888888888889, 0.0001984126984126984, 0.0000248015873015873,
  0.0000027557319223985893, 2.755731922398589e-7, 2.505210838544172e-8, 2.08767569878681e-9, 1.6059043836821613e-10] as const;

/** Bit access to one double (exp's 2^k, logprod's renormalisation). */
const bitsF = new Float64Array(1);
const bitsU = new Uint32Array(bitsF.buffer);

/** WebAssembly's f64.nearest: round half to even, −0 and |v| ≥ 2⁵² (and NaN) kept. */
function nearest(v: number): number {
  const a = Math.abs(v);
  if (!(a < TWO52)) return v;
  const r = a + TWO52 - TWO52;
  return v < 0 ? -r : v === 0 ? v : r;
}

/** exp(x) as the kernels' expV: valid for |x| ≤ 700; beyond, the same bits the kernels give. */
function expK(x: number): number {
  const k = nearest(x * INV_LN2);
  const r = x - k * LN2_HI - k * LN2_LO;
  // Horner: ((c13 r + c12) r + …) r + c0, each product rounded before its sum
  let acc = C[13];
  for (let i = 12; i >= 0; i--) acc = acc * r + C[i]!;
  // 2^k: ((bits(k + MAGIC) − bits(MAGIC)) + 1023) << 52 as int64 — only the low 12 bits of the low word
  // survive the shift, and bits(MAGIC)'s low word is 0
  bitsF[0] = k + MAGIC;
  const lo = bitsU[0]!;
  bitsU[1] = ((lo + 1023) & 0xfff) << 20;
  bitsU[0] = 0;
  return acc * bitsF[0];
}

// ---- the kernels ----

function eta(x: Float64Array, n: number, i0: number, len: number, p: number, beta: Float64Array, out: Float64Array): void {
  for (let t = 0; t < len; t++) out[t] = 0;
  let j = 0;
  // two columns per pass, added in column order (as the kernel's vector additions)
  for (; j + 1 < p; j += 2) {
    const b0 = beta[j]!;
    const b1 = beta[j + 1]!;
    const c0 = j * n + i0;
    const c1 = c0 + n;
    for (let t = 0; t < len; t++) out[t] = out[t]! + b0 * x[c0 + t]! + b1 * x[c1 + t]!;
  }
  if (j < p) {
    const b0 = beta[j]!;
    const c0 = j * n + i0;
    for (let t = 0; t < len; t++) out[t] = out[t]! + b0 * x[c0 + t]!;
  }
}

function colpass(x: Float64Array, n: number, i0: number, len: number, p: number, w: Float64Array, stride: number, s: Float64Array, sums: Float64Array): void {
  const wd = stride;
  const wu = 2 * stride;
  const wl = 3 * stride;
  for (let j = 0; j < p; j++) {
    const col = j * n + i0;
    const sj = j * stride;
    let g0 = 0, g1 = 0, u0 = 0, u1 = 0, l0 = 0, l1 = 0;
    for (let t = 0; t < len; t += 2) {
      const x0 = x[col + t]!;
      const x1 = x[col + t + 1]!;
      s[sj + t] = w[t]! * x0;
      s[sj + t + 1] = w[t + 1]! * x1;
      g0 += w[wd + t]! * x0;
      g1 += w[wd + t + 1]! * x1;
      u0 += w[wu + t]! * x0;
      u1 += w[wu + t + 1]! * x1;
      l0 += w[wl + t]! * x0;
      l1 += w[wl + t + 1]! * x1;
    }
    sums[3 * j] = g0 + g1;
    sums[3 * j + 1] = u0 + u1;
    sums[3 * j + 2] = l0 + l1;
  }
}

function crossprod(s: Float64Array, stride: number, x: Float64Array, n: number, i0: number, len: number, p: number, out: Float64Array): void {
  for (let j = 0; j < p; j++) {
    const sj = j * stride;
    for (let k = j; k < p; k++) {
      const col = k * n + i0;
      let a0 = 0;
      let a1 = 0;
      for (let t = 0; t < len; t += 2) {
        a0 += s[sj + t]! * x[col + t]!;
        a1 += s[sj + t + 1]! * x[col + t + 1]!;
      }
      out[j * p + k] = out[j * p + k]! + (a0 + a1);
    }
  }
}

function exps(x: Float64Array, len: number, out: Float64Array): number {
  let m0 = 0;
  let m1 = 0;
  for (let t = 0; t < len; t += 2) {
    m0 = Math.max(m0, Math.abs(x[t]!));
    m1 = Math.max(m1, Math.abs(x[t + 1]!));
    out[t] = expK(x[t]!);
    out[t + 1] = expK(x[t + 1]!);
  }
  return Math.max(m0, m1);
}

/** rowTerms's output for one row, and the category's sums per lane (lane = row parity), reused. */
const terms = new Float64Array(ROW_TERMS);
const lanes = new Float64Array(10);

/** The rows kernel: cumulative-logit.ts's rowTerms row by row (its operations are the kernel's), e from expK. */
function rows(eta: Float64Array, len: number, kind: RowKind, w: Float64Array, wAt: number, out: Float64Array, stride: number, sums: Float64Array, tU: number, tL: number, r: number, omr: number, iomr: number): void {
  const theta = kind === HIGHEST ? tL : tU;
  lanes.fill(0);
  let m0 = 0;
  let m1 = 0;
  for (let t = 0; t < len; t++) {
    const x = theta - eta[t]!;
    if ((t & 1) === 0) m0 = Math.max(m0, Math.abs(x));
    else m1 = Math.max(m1, Math.abs(x));
    rowTerms(kind, expK(x), r, omr, iomr, w[wAt + t]!, terms);
    // c, d, u, l, p
    for (let m = 0; m < 5; m++) out[m * stride + t] = terms[m]!;
    const lane = 5 * (t & 1);
    lanes[lane] = lanes[lane]! + terms[ROW_GA]!;
    lanes[lane + 1] = lanes[lane + 1]! + terms[ROW_GB]!;
    lanes[lane + 2] = lanes[lane + 2]! + terms[ROW_HAA]!;
    lanes[lane + 3] = lanes[lane + 3]! + terms[ROW_HBB]!;
    lanes[lane + 4] = lanes[lane + 4]! + terms[ROW_HAB]!;
  }
  for (let m = 0; m < 5; m++) sums[m] = lanes[m]! + lanes[5 + m]!;
  sums[5] = Math.max(m0, m1);
}

/** The exponent words of the last running product seen (a view made once per product array). */
let productOf: Float64Array | undefined;
let exponents: Int32Array = new Int32Array(4);

function logprod(p: Float64Array, w: Float64Array, wAt: number, len: number, acc: Float64Array): void {
  if (productOf !== acc) {
    productOf = acc;
    exponents = new Int32Array(acc.buffer, acc.byteOffset + 16, 4);
  }
  // per lane: m ∈ [1, 2) and the binary exponent e (an int64, |e| < 2³¹: its low word and the sign)
  let m0 = acc[0]!;
  let m1 = acc[1]!;
  let e0 = exponents[0]!;
  let e1 = exponents[2]!;
  let mn0 = Infinity;
  let mn1 = Infinity;
  for (let t = 0; t < len; t++) {
    const pv = p[t]!;
    const odd = (t & 1) === 1;
    if (odd) mn1 = Math.min(mn1, pv);
    else mn0 = Math.min(mn0, pv);
    // factors p ≥ 1e-100 only; p^w as w multiplications, each renormalised to m·2^e
    const wv = pv >= 1e-100 ? w[wAt + t]! : 0;
    let m = odd ? m1 : m0;
    let e = odd ? e1 : e0;
    for (let k = 1; k <= wv; k++) {
      bitsF[0] = m * pv;
      const hi = bitsU[1]!;
      e += (hi >>> 20) - 1023;
      bitsU[1] = (hi & 0xfffff) | 0x3ff00000;
      m = bitsF[0];
    }
    if (odd) {
      m1 = m;
      e1 = e;
    } else {
      m0 = m;
      e0 = e;
    }
  }
  acc[0] = m0;
  acc[1] = m1;
  exponents[0] = e0;
  exponents[1] = e0 < 0 ? -1 : 0;
  exponents[2] = e1;
  exponents[3] = e1 < 0 ? -1 : 0;
  acc[4] = Math.min(mn0, mn1);
}

/** The kernels' lmpass (assembly/kernels.ts), step by step in its order. */
function leastSquaresPass(a: LeastSquaresPassArrays): { run(residuals: boolean): void } {
  const { x, n, p, y, w, beta, fitted, rows: c, stride, scratch: s, columnSums: sums, out, xtwx } = a;
  return {
    run(residuals) {
      out.fill(0, 0, p);
      for (let i0 = 0; i0 < n; i0 += BLOCK) {
        const len = Math.min(BLOCK, n - i0);
        const len2 = len + (len & 1);
        if (residuals) eta(x, n, i0, len2, p, beta, fitted);
        for (let t = 0; t < len; t++) {
          const wi = w === undefined ? 1 : w[i0 + t]!;
          const yi = y[i0 + t]!;
          c[t] = wi;
          c[stride + t] = residuals ? (yi - fitted[t]!) * wi : wi * yi;
        }
        if (len2 > len) {
          c[len] = 0;
          c[stride + len] = 0;
        }
        colpass(x, n, i0, len2, p, c, stride, s, sums);
        for (let j = 0; j < p; j++) out[j] = out[j]! + sums[3 * j]!;
        if (!residuals) crossprod(s, stride, x, n, i0, len2, p, xtwx);
      }
    },
  };
}

/** The arena: one buffer per thread, replaced by a larger one when a fit needs more. */
let buffer = new ArrayBuffer(65536);
const layouts = new ArenaLayouts();

export const jsKernels: Kernels = {
  backend: 'js',
  arena<S extends ArenaSpec>(spec: S) {
    const found = layouts.find(spec, buffer);
    if (found !== undefined) return found;
    const bytes = arenaBytes(spec);
    if (bytes > buffer.byteLength) {
      try {
        buffer = new ArrayBuffer(Math.max(bytes, 2 * buffer.byteLength));
      } catch (e) {
        if (e instanceof RangeError) return undefined; // more than this process can allocate
        throw e;
      }
    }
    return layouts.lay(spec, buffer);
  },
  inArena: () => true,
  eta,
  colpass,
  crossprod,
  exps,
  rows,
  logprod,
  chol: (A, p, relTol, L) => cholesky(A, p, relTol, L).failedAt,
  cholsolve: (L, p, b) => {
    choleskySolve(L, p, b);
  },
  cholinv: (L, p, out) => {
    out.set(choleskyInverse(L, p));
  },
  leastSquaresPass,
};
