/**
 * The WebAssembly SIMD kernels of the ordinal fit (src/stats/simd-kernels.ts) against plain loops over the
 * same arrays: every column count 0–13 (quads and the single-column remainder of the cross-product), odd
 * row counts, blocks not starting at row 0, and the upper triangle only.
 */
import { describe, expect, it } from 'vitest';
import { reserveArena, simdKernels } from '../../src/stats/simd-kernels.js';

/** A deterministic value in (−4, 4) for index i. */
const val = (i: number, salt: number): number => 4 * Math.sin(1.7 * i + salt) * Math.cos(0.3 * i * salt + 1);

function close(actual: number, expected: number): boolean {
  return Math.abs(actual - expected) <= 1e-13 * Math.max(1, Math.abs(expected));
}

describe('SIMD kernels of the ordinal fit', () => {
  it('eta, colpass and crossprod agree with plain loops', () => {
    const k = simdKernels();
    for (let p = 0; p <= 13; p++) {
      for (const [n, i0, len] of [
        [37, 5, 10],
        [64, 0, 64],
        [9, 3, 6],
        [1, 0, 2],
      ] as const) {
        const S = 20 + (len & ~1);
        const x = 0;
        const beta = x + n * p + 2 + ((n * p) & 1);
        const eta = beta + p + (p & 1);
        const w = eta + S;
        const s = w + 4 * S;
        const sums = s + Math.max(1, p) * S;
        const out = sums + 3 * p + ((3 * p) & 1);
        const A = reserveArena(out + p * p);
        A.fill(0);
        for (let i = 0; i < n * p; i++) A[x + i] = val(i, p);
        for (let j = 0; j < p; j++) A[beta + j] = val(j, 7);
        for (let i = 0; i < 4 * S; i++) A[w + i] = val(i, 3);
        for (let i = 0; i < p * p; i++) A[out + i] = val(i, 11);
        const before = A.slice(out, out + p * p);
        const X = (t: number, j: number): number => A[x + j * n + i0 + t]!;
        k.eta(8 * x, n, i0, len, p, 8 * beta, 8 * eta);
        for (let t = 0; t < len; t++) {
          let e = 0;
          for (let j = 0; j < p; j++) e += A[beta + j]! * X(t, j);
          expect(close(A[eta + t]!, e), `eta p=${p} n=${n} t=${t}`).toBe(true);
        }
        k.colpass(8 * x, n, i0, len, p, 8 * w, S, 8 * s, 8 * sums);
        for (let j = 0; j < p; j++) {
          let g = 0;
          let u = 0;
          let l = 0;
          for (let t = 0; t < len; t++) {
            expect(A[s + j * S + t]).toBe(A[w + t]! * X(t, j));
            g += A[w + S + t]! * X(t, j);
            u += A[w + 2 * S + t]! * X(t, j);
            l += A[w + 3 * S + t]! * X(t, j);
          }
          expect(close(A[sums + 3 * j]!, g) && close(A[sums + 3 * j + 1]!, u) && close(A[sums + 3 * j + 2]!, l), `colpass p=${p} j=${j}`).toBe(true);
        }
        k.crossprod(8 * s, S, 8 * x, n, i0, len, p, 8 * out);
        for (let j = 0; j < p; j++) {
          for (let c = 0; c < p; c++) {
            let v = before[j * p + c]!;
            if (c >= j) for (let t = 0; t < len; t++) v += A[s + j * S + t]! * X(t, c);
            expect(close(A[out + j * p + c]!, v), `crossprod p=${p} (${j}, ${c})`).toBe(true);
          }
        }
      }
    }
  });

  it('grows its memory for a larger design and hands out views of it', () => {
    const big = reserveArena(3_000_000);
    expect(big.length).toBe(3_000_000);
    big[2_999_999] = 1.5;
    expect(reserveArena(10).length).toBe(10);
  });

  it('exps gives exp to the last bit or two, and the max |x| the caller checks (NaN when any x is)', () => {
    const k = simdKernels();
    const len = 4000;
    const A = reserveArena(2 * len + 2);
    for (let i = 0; i < len; i++) A[i] = i < 2000 ? 1400 * ((i + 0.5) / 2000 - 0.5) : val(i, 5) * 10;
    k.exps(0, len, 8 * len, 8 * 2 * len);
    let worst = 0;
    let mx = 0;
    for (let i = 0; i < len; i++) {
      const e = Math.exp(A[i]!);
      worst = Math.max(worst, Math.abs(A[len + i]! - e) / e);
      mx = Math.max(mx, Math.abs(A[i]!));
    }
    expect(worst).toBeLessThan(4.5e-16); // ≤ 2 ulp
    expect(A[2 * len]).toBe(mx);
    A[7] = NaN;
    k.exps(0, len, 8 * len, 8 * 2 * len);
    expect(A[2 * len]).toBeNaN();
  });

  it('logprod keeps Π p^w exactly as mantissa × 2^e, leaves out p < 1e-100 and reports min p over all rows', () => {
    const k = simdKernels();
    const len = 3000; // in three calls of 1000 rows, into one running product
    const A = reserveArena(2 * len + 6);
    const acc = 2 * len;
    const exps = new Int32Array(A.buffer, 8 * (acc + 2), 4);
    for (let i = 0; i < len; i++) {
      A[i] = (0.5 + 0.5 * Math.sin(i)) ** 4 + 1e-12; // (1e-12, 1]: the product underflows a double many times over
      A[len + i] = i % 7; // whole-number weights 0…6
    }
    A[10] = 1e-150; // left out by the kernel (the caller adds its log)
    A[11] = 1e-300; // weight 0 (set below): not in the product, but in the min
    A[len + 11] = 0;
    A[acc] = 1;
    A[acc + 1] = 1;
    exps.fill(0);
    let expected = 0;
    let minP = Infinity;
    for (let i = 0; i < len; i++) {
      if (A[len + i]! > 0 && A[i]! >= 1e-100) expected += A[len + i]! * Math.log(A[i]!);
      minP = Math.min(minP, A[i]!);
    }
    const mins: number[] = [];
    for (let c = 0; c < 3; c++) {
      k.logprod(8 * 1000 * c, 8 * (len + 1000 * c), 1000, 8 * acc);
      mins.push(A[acc + 4]!);
    }
    for (const m of [A[acc], A[acc + 1]!]) {
      expect(m).toBeGreaterThanOrEqual(1);
      expect(m).toBeLessThan(2);
    }
    const logProduct = Math.log(A[acc] * A[acc + 1]!) + (exps[0]! + exps[2]!) * Math.LN2;
    expect(Math.abs(logProduct - expected)).toBeLessThan(1e-12 * Math.abs(expected));
    expect(mins[0]).toBe(1e-300); // min p is per call, over every row
    expect(mins[1]).toBeGreaterThan(1e-12);
    expect(Math.min(...mins)).toBe(minP);
    A[1500] = NaN;
    A[len + 1500] = 2;
    k.logprod(8 * 1000, 8 * (len + 1000), 1000, 8 * acc);
    expect(A[acc + 4]).toBeNaN();
  });
});
