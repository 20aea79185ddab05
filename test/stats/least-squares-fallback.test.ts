/** fit/least-squares.ts's leastSquares when the kernels' memory cannot grow (a design beyond ~4 GB): lm's plain-JS fit, not a crash. */
import { describe, expect, it, vi } from 'vitest';
import { fitLinear } from '../../src/stats/linear.js';
import { leastSquares } from '../../src/stats/fit/least-squares.js';

// the kernels as they are, but an arena that cannot hold anything (as beyond ~4 GB)
vi.mock('../../src/stats/kernels/index.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/stats/kernels/index.js')>();
  const full = { ...actual.kernels(), arena: () => undefined };
  return { ...actual, kernels: () => full };
});

describe('leastSquares without room in the kernels\' memory', () => {
  it('falls back to the JavaScript passes (fitLinear’s): the same β, SEs and σ', () => {
    const n = 50;
    const X = new Float64Array(2 * n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      X[i] = 1;
      X[n + i] = Math.sin(i);
      y[i] = 1 + 2 * X[n + i]! + Math.cos(3 * i);
    }
    const a = fitLinear(X, n, 2, y);
    const b = leastSquares(X, n, 2, y, undefined);
    expect(Array.from(b.coefficients)).toEqual(Array.from(a.coefficients));
    expect(Array.from(b.stdErrors)).toEqual(Array.from(a.stdErrors));
    expect(b.sigma).toBe(a.sigma);
    expect(b.dfResidual).toBe(a.dfResidual);
  });
});
