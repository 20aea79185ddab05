/**
 * The kernels (src/stats/kernels/), both backends, against plain loops over the same arrays: every column
 * count 0–13 (quads and the single-column remainder of the cross-product), odd row counts, blocks not
 * starting at row 0, and the upper triangle only; exp to 2 ulp; the running product's exactness; the arena.
 */
import { describe, expect, it } from 'vitest';
import { jsKernels } from '../../src/stats/kernels/js.js';
import type { Kernels } from '../../src/stats/kernels/kernels.js';
import { wasmKernels } from '../../src/stats/kernels/wasm.js';

/** A deterministic value in (−4, 4) for index i. */
const val = (i: number, salt: number): number => 4 * Math.sin(1.7 * i + salt) * Math.cos(0.3 * i * salt + 1);

function close(actual: number, expected: number): boolean {
  return Math.abs(actual - expected) <= 1e-13 * Math.max(1, Math.abs(expected));
}

describe.each([
  ['wasm', wasmKernels()],
  ['js', jsKernels],
] as [string, Kernels][])('the %s kernels', (_, k) => {
  it('eta, colpass and crossprod agree with plain loops', () => {
    for (let p = 0; p <= 13; p++) {
      for (const [n, i0, len] of [
        [37, 5, 10],
        [64, 0, 64],
        [9, 3, 6],
        [1, 0, 2],
      ] as const) {
        const S = 20 + (len & ~1);
        const A = k.arena({ x: n * p + 2, beta: p, eta: S, w: 4 * S, s: Math.max(1, p) * S, sums: 3 * p, out: p * p })!;
        const { x, beta, eta, w, s, sums, out } = A;
        x.fill(0);
        for (let i = 0; i < n * p; i++) x[i] = val(i, p);
        for (let j = 0; j < p; j++) beta[j] = val(j, 7);
        for (let i = 0; i < 4 * S; i++) w[i] = val(i, 3);
        for (let i = 0; i < p * p; i++) out[i] = val(i, 11);
        const before = out.slice();
        const X = (t: number, j: number): number => x[j * n + i0 + t]!;
        k.eta(x, n, i0, len, p, beta, eta);
        for (let t = 0; t < len; t++) {
          let e = 0;
          for (let j = 0; j < p; j++) e += beta[j]! * X(t, j);
          expect(close(eta[t]!, e), `eta p=${p} n=${n} t=${t}`).toBe(true);
        }
        k.colpass(x, n, i0, len, p, w, S, s, sums);
        for (let j = 0; j < p; j++) {
          let g = 0;
          let u = 0;
          let l = 0;
          for (let t = 0; t < len; t++) {
            expect(s[j * S + t]).toBe(w[t]! * X(t, j));
            g += w[S + t]! * X(t, j);
            u += w[2 * S + t]! * X(t, j);
            l += w[3 * S + t]! * X(t, j);
          }
          expect(close(sums[3 * j]!, g) && close(sums[3 * j + 1]!, u) && close(sums[3 * j + 2]!, l), `colpass p=${p} j=${j}`).toBe(true);
        }
        k.crossprod(s, S, x, n, i0, len, p, out);
        for (let j = 0; j < p; j++) {
          for (let c = 0; c < p; c++) {
            let v = before[j * p + c]!;
            if (c >= j) for (let t = 0; t < len; t++) v += s[j * S + t]! * X(t, c);
            expect(close(out[j * p + c]!, v), `crossprod p=${p} (${j}, ${c})`).toBe(true);
          }
        }
      }
    }
  });

  it('grows its arena for a larger design and hands out its arrays, 16-byte aligned', () => {
    const { big } = k.arena({ big: 3_000_000 })!;
    expect(big.length).toBe(3_000_000);
    big[2_999_999] = 1.5;
    const small = k.arena({ a: 3, b: { int32: 5 }, c: 1 })!;
    expect([small.a.length, small.b.length, small.c.length]).toEqual([3, 5, 1]);
    for (const v of [small.a, small.b, small.c]) expect(v.byteOffset % 16).toBe(0);
    expect(k.inArena(small.a)).toBe(true);
  });

  it('exps gives exp to the last bit or two, and the max |x| the caller checks (NaN when any x is)', () => {
    const len = 4000;
    const { x, e: ex } = k.arena({ x: len, e: len })!;
    for (let i = 0; i < len; i++) x[i] = i < 2000 ? 1400 * ((i + 0.5) / 2000 - 0.5) : val(i, 5) * 10;
    const got = k.exps(x, len, ex);
    let worst = 0;
    let mx = 0;
    for (let i = 0; i < len; i++) {
      const e = Math.exp(x[i]!);
      worst = Math.max(worst, Math.abs(ex[i]! - e) / e);
      mx = Math.max(mx, Math.abs(x[i]!));
    }
    expect(worst).toBeLessThan(4.5e-16); // ≤ 2 ulp
    expect(got).toBe(mx);
    x[7] = NaN;
    expect(k.exps(x, len, ex)).toBeNaN();
  });

  it('logprod keeps Π p^w exactly as mantissa × 2^e, leaves out p < 1e-100 and reports min p over all rows', () => {
    const len = 3000; // in three calls of 1000 rows, into one running product
    const { p: P, w: W, acc } = k.arena({ p: len, w: len, acc: 6 })!;
    const exps = new Int32Array(acc.buffer, acc.byteOffset + 16, 4);
    for (let i = 0; i < len; i++) {
      P[i] = (0.5 + 0.5 * Math.sin(i)) ** 4 + 1e-12; // (1e-12, 1]: the product underflows a double many times over
      W[i] = i % 7; // whole-number weights 0…6
    }
    P[10] = 1e-150; // left out by the kernel (the caller adds its log)
    P[11] = 1e-300; // weight 0 (set below): not in the product, but in the min
    W[11] = 0;
    acc[0] = 1;
    acc[1] = 1;
    exps.fill(0);
    let expected = 0;
    let minP = Infinity;
    for (let i = 0; i < len; i++) {
      if (W[i]! > 0 && P[i]! >= 1e-100) expected += W[i]! * Math.log(P[i]!);
      minP = Math.min(minP, P[i]!);
    }
    const mins: number[] = [];
    for (let c = 0; c < 3; c++) {
      k.logprod(P.subarray(1000 * c), W, 1000 * c, 1000, acc);
      mins.push(acc[4]!);
    }
    for (const m of [acc[0], acc[1]]) {
      expect(m).toBeGreaterThanOrEqual(1);
      expect(m).toBeLessThan(2);
    }
    const logProduct = Math.log(acc[0] * acc[1]) + (exps[0]! + exps[2]!) * Math.LN2;
    expect(Math.abs(logProduct - expected)).toBeLessThan(1e-12 * Math.abs(expected));
    expect(mins[0]).toBe(1e-300); // min p is per call, over every row
    expect(mins[1]).toBeGreaterThan(1e-12);
    expect(Math.min(...mins)).toBe(minP);
    P[1500] = NaN;
    W[1500] = 2;
    k.logprod(P.subarray(1000), W, 1000, 1000, acc);
    expect(acc[4]).toBeNaN();
  });
});
