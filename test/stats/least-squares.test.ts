/** fit/least-squares.ts's kernels back-end (leastSquares): fitLinear's coefficients, SEs, covariance and σ to rounding (with and without weights). */
import { describe, expect, it } from 'vitest';
import { fitLinear } from '../../src/stats/linear.js';
import { leastSquares } from '../../src/stats/fit/least-squares.js';

const near = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number): boolean => {
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i]! - b[i]!) > tol * Math.max(1, Math.abs(b[i]!))) return false;
  return a.length === b.length;
};

describe('leastSquares', () => {
  it('gives fitLinear’s β, SEs, Cov(β), σ and residual df (1e-12), over several row blocks, odd and even', () => {
    for (const n of [301, 1052, 2]) {
      const p = n === 2 ? 1 : 5;
      const X = new Float64Array(n * p);
      const y = new Float64Array(n);
      const w = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        X[i] = 1;
        for (let j = 1; j < p; j++) X[j * n + i] = Math.sin(i * (j + 0.3)) * (j === 3 ? 100 : 1) + (j === 4 ? i % 2 : 0);
        y[i] = 0.5 + (p > 1 ? X[n + i]! - 0.02 * X[3 * n + i]! : 0) + Math.cos(7.1 * i);
        w[i] = 1 + (i % 4) - (i % 17 === 0 ? 1 : 0); // counts 0..4
      }
      for (const weights of n === 2 ? [undefined] : [undefined, w]) {
        const a = fitLinear(X, n, p, y, { weights, intercept: true });
        const b = leastSquares(X, n, p, y, weights);
        expect(near(b.coefficients, a.coefficients, 1e-12), `β n=${n}`).toBe(true);
        expect(near(b.stdErrors, a.stdErrors, 1e-12), `SE n=${n}`).toBe(true);
        expect(near(b.vcov, a.vcov, 1e-12), `vcov n=${n}`).toBe(true);
        expect(Math.abs(b.sigma - a.sigma)).toBeLessThan(1e-12 * a.sigma);
        expect(b.dfResidual).toBe(a.dfResidual);
      }
    }
  });

  it('refuses collinear columns and too few rows as fitLinear does', () => {
    const X = Float64Array.from([1, 1, 1, 2, 4, 6, 4, 8, 12]);
    const y = Float64Array.from([1, 2, 4]);
    expect(() => leastSquares(X, 3, 3, y, undefined)).toThrow(/singular/);
    expect(() => leastSquares(X.subarray(0, 6), 3, 2, y, Float64Array.from([1, 1, 0]))).toThrow(/only 2 observations/);
  });
});
