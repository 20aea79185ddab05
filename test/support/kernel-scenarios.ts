/**
 * Random inputs for the kernels' bit-for-bit tests (test/stats/kernels-golden.test.ts): each scenario is
 * a memory image (in doubles) and one call of a kernel with the raw WebAssembly signature (byte offsets
 * into that memory), as the golden module (test/fixtures/kernels/opcode-module.wasm) takes it. Shapes: odd
 * and even row counts, blocks not at row 0, every column count 0–9 (the cross-product's tiles and
 * remainders), whole-number and fractional weights, the padding row rule, |θ − η| beyond the exp range,
 * probabilities below 1e-100 or 0, extreme and non-finite values.
 */
import { BLOCK } from '../../src/stats/linalg.js';
import { categoryConstants, HIGHEST, LOWEST, MIDDLE } from '../../src/stats/models/cumulative-logit.js';
import { rngFor, type Rng } from '../../src/stats/rng.js';

export type KernelName = 'eta' | 'colpass' | 'crossprod' | 'rows' | 'exps' | 'logprod' | 'evaluate' | 'chol' | 'cholsolve' | 'cholinv' | 'lmpass';

export interface Scenario {
  readonly label: string;
  readonly fn: KernelName;
  /** The memory's initial contents (doubles; some slots hold int32 pairs, as the kernels read them). */
  readonly memory: Float64Array;
  /** The call's arguments, byte offsets for arrays. */
  readonly args: readonly number[];
}

/** Lays out arrays (in doubles, each at an even offset: 16-byte aligned) and returns their offsets. */
function layout(sizes: readonly number[]): { at: number[]; total: number } {
  const at: number[] = [];
  let o = 0;
  for (const s of sizes) {
    at.push(o);
    o += s + (s & 1);
  }
  return { at, total: o + 2 };
}

/** A value of a design or weight: mostly moderate, now and then extreme when `wild`. */
function value(r: Rng, wild: boolean): number {
  if (wild) {
    const u = r.uniform();
    if (u < 0.02) return 0;
    if (u < 0.03) return -0;
    if (u < 0.04) return 1e300 * (r.uniform() - 0.5);
    if (u < 0.05) return 5e-324 * Math.floor(r.uniform() * 100);
    if (u < 0.06) return 1e-300 * (r.uniform() - 0.5);
  }
  return 8 * (r.uniform() - 0.5);
}

function fill(r: Rng, A: Float64Array, from: number, count: number, wild = false): void {
  for (let i = 0; i < count; i++) A[from + i] = value(r, wild);
}

const SHAPES: readonly (readonly [n: number, i0: number])[] = [
  [1, 0], [2, 0], [3, 1], [7, 0], [9, 3], [16, 4], [37, 5], [256, 0], [301, 44], [600, 300],
];

/** eta, colpass and crossprod over every column count 0–9 and the shapes above. */
function rowBlockScenarios(r: Rng, wild: boolean): Scenario[] {
  const out: Scenario[] = [];
  for (let p = 0; p <= 9; p++) {
    for (const [n, i0] of SHAPES) {
      const L = Math.min(BLOCK, n - i0);
      const len = L + (L & 1);
      const S = BLOCK + 2;
      const { at, total } = layout([n * p + 2, p, S, 4 * S, Math.max(1, p) * S, 3 * p, p * p]);
      const [x, beta, eta, w, s, sums, xtx] = at as [number, number, number, number, number, number, number];
      const A = new Float64Array(total);
      fill(r, A, 0, total, wild);
      A[x + n * p] = 0;
      A[x + n * p + 1] = 0;
      const tag = `${wild ? 'wild ' : ''}n=${n} i0=${i0} len=${len} p=${p}`;
      out.push({ label: `eta ${tag}`, fn: 'eta', memory: A, args: [8 * x, n, i0, len, p, 8 * beta, 8 * eta] });
      out.push({ label: `colpass ${tag}`, fn: 'colpass', memory: A, args: [8 * x, n, i0, len, p, 8 * w, S, 8 * s, 8 * sums] });
      out.push({ label: `crossprod ${tag}`, fn: 'crossprod', memory: A, args: [8 * s, S, 8 * x, n, i0, len, p, 8 * xtx] });
    }
  }
  return out;
}

function expsScenarios(r: Rng): Scenario[] {
  const out: Scenario[] = [];
  for (const len of [0, 2, 4, 6, 10, 256, 258]) {
    for (const scale of [1, 30, 700, 750]) {
      const { at, total } = layout([len, len, 2]);
      const [x, e, mx] = at as [number, number, number];
      const A = new Float64Array(total);
      for (let i = 0; i < len; i++) A[x + i] = scale * (2 * r.uniform() - 1);
      if (len > 4 && scale === 700) {
        A[x] = 700;
        A[x + 1] = -700;
        A[x + 2] = 0.5 * Math.LN2; // a tie for nearest()
        A[x + 3] = -0;
      }
      if (len > 4 && scale === 1) A[x + 3] = NaN;
      out.push({ label: `exps len=${len} scale=${scale}`, fn: 'exps', memory: A, args: [8 * x, len, 8 * e, 8 * mx] });
    }
  }
  return out;
}

/** Whole-number weights 0–3 (frequency weights), or fractional ones. */
function weight(r: Rng, whole: boolean): number {
  return whole ? Math.floor(4 * r.uniform()) : 3 * r.uniform();
}

function rowsScenarios(r: Rng): Scenario[] {
  const out: Scenario[] = [];
  const kinds = [MIDDLE, LOWEST, HIGHEST] as const;
  for (const kind of kinds) {
    for (const len of [0, 2, 4, 6, 8, 10, 256, 258]) {
      for (const spread of [1, 5, 40, 800]) {
        const S = BLOCK + 2;
        const { at, total } = layout([len, len, 5 * S, 6, 5]);
        const [eta, w, rows, sums, cst] = at as [number, number, number, number, number];
        const A = new Float64Array(total);
        for (let i = 0; i < len; i++) {
          A[eta + i] = spread * (2 * r.uniform() - 1);
          A[w + i] = weight(r, spread !== 5);
        }
        const tL = 2 * r.uniform() - 1.5;
        const tU = tL + (spread === 40 ? 1e-12 : 0.1 + 2 * r.uniform());
        categoryConstants(kind === HIGHEST ? 0 : tU, kind === LOWEST ? 0 : tL, kind, A, cst);
        const c = Array.from(A.subarray(cst, cst + 5));
        out.push({ label: `rows kind=${kind} len=${len} spread=${spread}`, fn: 'rows', memory: A, args: [8 * eta, len, kind, 8 * w, 8 * rows, S, 8 * sums, ...c] });
      }
    }
  }
  return out;
}

function logprodScenarios(r: Rng): Scenario[] {
  const out: Scenario[] = [];
  for (const len of [0, 2, 4, 10, 256]) {
    for (const mode of ['plain', 'tiny', 'zero', 'nan', 'heavy'] as const) {
      const { at, total } = layout([len, len, 6]);
      const [p, w, acc] = at as [number, number, number];
      const A = new Float64Array(total);
      for (let i = 0; i < len; i++) {
        A[p + i] = mode === 'heavy' ? 1e-30 * r.uniform() : r.uniform();
        A[w + i] = Math.floor((mode === 'heavy' ? 9 : 4) * r.uniform());
      }
      if (len > 2) {
        if (mode === 'tiny') A[p + 1] = 1e-120;
        if (mode === 'zero') A[p + 2] = 0;
        if (mode === 'nan') A[p + 1] = NaN;
      }
      // a running product from earlier blocks: m ∈ [1, 2), exponents as int64 lanes
      A[acc] = 1 + r.uniform();
      A[acc + 1] = 1 + r.uniform();
      const e = new BigInt64Array(A.buffer, 8 * (acc + 2), 2);
      e[0] = BigInt(-Math.floor(3000 * r.uniform()));
      e[1] = BigInt(-Math.floor(3000 * r.uniform()));
      out.push({ label: `logprod len=${len} ${mode}`, fn: 'logprod', memory: A, args: [8 * p, 8 * w, len, 8 * acc] });
    }
  }
  return out;
}

/** A random symmetric positive definite p × p matrix (row-major), or a singular one. */
function spd(r: Rng, p: number, singular: boolean): Float64Array {
  const B = new Float64Array(p * p);
  for (let i = 0; i < p * p; i++) B[i] = 2 * r.uniform() - 1;
  if (singular && p > 1) for (let j = 0; j < p; j++) B[j * p + p - 1] = B[j * p]!;
  const A = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      let s = i === j && !singular ? 0.1 : 0;
      for (let k = 0; k < p; k++) s += B[i * p + k]! * B[j * p + k]!;
      A[i * p + j] = s;
    }
  }
  return A;
}

function choleskyScenarios(r: Rng): Scenario[] {
  const out: Scenario[] = [];
  for (let p = 1; p <= 9; p++) {
    for (const singular of [false, true]) {
      for (const relTol of [0, 1e-10]) {
        const { at, total } = layout([p * p, p * p, p, p * p]);
        const [a, L, b, inv] = at as [number, number, number, number];
        const A = new Float64Array(total);
        A.set(spd(r, p, singular), a);
        fill(r, A, b, p);
        fill(r, A, inv, p * p);
        const tag = `p=${p}${singular ? ' singular' : ''} relTol=${relTol}`;
        out.push({ label: `chol ${tag}`, fn: 'chol', memory: A, args: [8 * a, p, relTol, 8 * L] });
        // cholsolve and cholinv on a factor: the lower triangle of a well-conditioned matrix
        const F = A.slice();
        for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) F[L + i * p + j] = j > i ? 0 : j === i ? 0.5 + r.uniform() : r.uniform() - 0.5;
        out.push({ label: `cholsolve ${tag}`, fn: 'cholsolve', memory: F, args: [8 * L, p, 8 * b] });
        out.push({ label: `cholinv ${tag}`, fn: 'cholinv', memory: F, args: [8 * L, p, 8 * inv] });
      }
    }
  }
  return out;
}

function lmpassScenarios(r: Rng): Scenario[] {
  const out: Scenario[] = [];
  for (const p of [1, 2, 3, 5, 6]) {
    for (const n of [1, 2, 7, 256, 257, 600]) {
      for (const hasW of [0, 1]) {
        for (const residuals of [0, 1]) {
          const S = BLOCK + 2;
          const { at, total } = layout([n * p + 2, S, 4 * S, p * S, p, 3 * p, p * p, n, n, p]);
          const [x, fit, rows, s, beta, sums, xtwx, y, w, o] = at as [number, number, number, number, number, number, number, number, number, number];
          const A = new Float64Array(total);
          fill(r, A, 0, total);
          A[x + n * p] = 0;
          A[x + n * p + 1] = 0;
          for (let i = 0; i < n; i++) A[w + i] = r.uniform() < 0.1 ? 0 : 2 * r.uniform();
          A.fill(0, rows + 2 * S, rows + 4 * S);
          A.fill(0, xtwx, xtwx + p * p);
          out.push({
            label: `lmpass n=${n} p=${p} hasW=${hasW} residuals=${residuals}`,
            fn: 'lmpass',
            memory: A,
            args: [8 * x, n, p, 8 * y, 8 * w, hasW, residuals, 8 * beta, 8 * fit, 8 * rows, S, 8 * s, 8 * sums, 8 * o, 8 * xtwx],
          });
        }
      }
    }
  }
  return out;
}

/** The ordinal pass: rows sorted by category, whole-number weights, and the statuses 1–3. */
function evaluateScenarios(r: Rng): Scenario[] {
  const out: Scenario[] = [];
  const cases: readonly (readonly [n: number, J: number, p: number, mode: 'plain' | 'far' | 'tiny' | 'disorder' | 'nan' | 'zeroBeta' | 'empty'])[] = [
    [5, 2, 1, 'plain'], [6, 3, 2, 'plain'], [37, 4, 3, 'plain'], [300, 3, 5, 'plain'], [700, 5, 4, 'plain'], [1000, 7, 9, 'plain'],
    [301, 3, 0, 'plain'], [200, 4, 2, 'zeroBeta'], [90, 5, 3, 'empty'], [80, 3, 2, 'far'], [80, 3, 2, 'tiny'], [80, 3, 2, 'disorder'], [80, 3, 2, 'nan'],
  ];
  for (const [n, J, p, mode] of cases) {
    for (const derivs of [0, 1]) {
      const S = BLOCK + 2;
      const npar = J - 1 + p;
      const { at, total } = layout([n * p + 2, n + 2, S, 5 * S, p * S, p, 3 * p, 6, 6, p * p, Math.ceil((J + 1) / 2), 5 * J, npar, npar * npar]);
      const [x, wts, eta, w, s, beta, sums, rs, acc, xtcx, seg, cats, grad, hess] = at as [
        number, number, number, number, number, number, number, number, number, number, number, number, number, number,
      ];
      const A = new Float64Array(total);
      fill(r, A, 0, total);
      for (let i = 0; i < n * p; i++) A[x + i] = 2 * r.uniform() - 1;
      A[x + n * p] = 0;
      A[x + n * p + 1] = 0;
      for (let i = 0; i < n + 2; i++) A[wts + i] = Math.floor(3 * r.uniform());
      for (let j = 0; j < p; j++) A[beta + j] = mode === 'zeroBeta' ? 0 : r.uniform() - 0.5;
      if (mode === 'far') A[x] = 5000;
      // categories: sizes at random (one empty category in 'empty'), segments as int32
      const sizes = Array.from({ length: J }, () => 1 + r.uniform());
      if (mode === 'empty') sizes[1] = 0;
      const tot = sizes.reduce((a, b) => a + b, 0);
      const segs = new Int32Array(A.buffer, 8 * seg, J + 1);
      let cum = 0;
      for (let c = 0; c < J; c++) {
        segs[c] = Math.round((cum / tot) * n);
        cum += sizes[c]!;
      }
      segs[J] = n;
      let theta = -1;
      for (let c = 0; c < J; c++) {
        const hasU = c < J - 1;
        const hasL = c > 0;
        const kind = hasU && hasL ? MIDDLE : hasU ? LOWEST : HIGHEST;
        const next = theta + (mode === 'tiny' && c === 1 ? 1e-110 : mode === 'disorder' && c === 1 ? -0.5 : 0.3 + r.uniform());
        categoryConstants(hasU ? next : 0, hasL ? theta : 0, kind, A, cats + 5 * c);
        theta = next;
      }
      if (mode === 'nan') A[cats + 5 + 3] = NaN; // 1 − r of category 1: its p is NaN (status 3)
      A[acc] = 1;
      A[acc + 1] = 1;
      A[acc + 2] = 0;
      A[acc + 3] = 0;
      const zeroBeta = mode === 'zeroBeta' ? 1 : 0;
      out.push({
        label: `evaluate n=${n} J=${J} p=${p} ${mode} derivs=${derivs}`,
        fn: 'evaluate',
        memory: A,
        args: [8 * x, n, p, 8 * seg, J, 8 * cats, 8 * wts, 8 * eta, 8 * w, S, 8 * s, 8 * sums, 8 * rs, 8 * acc, 8 * xtcx, 8 * beta, 8 * grad, 8 * hess, npar, J - 1, derivs, zeroBeta],
      });
    }
  }
  return out;
}

/** Every scenario, from a fixed seed. */
export function kernelScenarios(): Scenario[] {
  const r = rngFor(12, 3);
  return [
    ...rowBlockScenarios(r, false),
    ...rowBlockScenarios(r, true),
    ...expsScenarios(r),
    ...rowsScenarios(r),
    ...logprodScenarios(r),
    ...choleskyScenarios(r),
    ...lmpassScenarios(r),
    ...evaluateScenarios(r),
  ];
}

/** The first 64-bit word where a and b differ (NaNs alike: WebAssembly leaves a NaN's payload open), or −1. */
export function firstDifference(a: Float64Array, b: Float64Array): number {
  const ua = new BigUint64Array(a.buffer, a.byteOffset, a.length);
  const ub = new BigUint64Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) if (ua[i] !== ub[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return i;
  return -1;
}
