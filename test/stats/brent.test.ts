/**
 * src/stats/brent.ts against R's uniroot (fixture: test/fixtures/stats/brent.R → .json): same root
 * (to 1e-14 relative; exactly where f involves only + − × ÷), same iteration count, same estim.prec.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { zeroin } from '../../src/stats/brent.js';
import { plogis } from '../../src/stats/distributions.js';

interface Run {
  tol: [number];
  root: [number];
  iter: number;
  estim_prec: [number];
}
const fixture = JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/stats/brent.json'), 'utf8')) as Record<string, Record<string, Run>>;

const fs: Record<string, { f: (x: number) => number; lower: number; upper: number; exact: boolean }> = {
  cubic: { f: (x) => x ** 3 - 2 * x - 5, lower: 2, upper: 3, exact: true },
  cos: { f: (x) => Math.cos(x) - x, lower: 0, upper: 1, exact: false },
  exp: { f: (x) => Math.exp(x) - 1e4, lower: 0, upper: 20, exact: false },
  step: { f: (x) => (x < 0.3 ? -1 : 2) * (Math.abs(x - 0.3) + 1e-3), lower: -1, upper: 4, exact: true },
  flat: { f: (x) => (x - 1.234567) ** 5, lower: -3, upper: 10, exact: false },
  logistic: { f: (x) => plogis(-2 + 0.05 * x) - 0.3, lower: -100, upper: 200, exact: false },
};

describe('zeroin', () => {
  for (const [name, s] of Object.entries(fs)) {
    for (const [tolName, r] of Object.entries(fixture[name]!)) {
      it(`${name}, tol ${tolName}: as uniroot`, () => {
        const got = zeroin(s.f, s.lower, s.upper, { tol: r.tol[0] });
        if (s.exact) expect(got.root).toBe(r.root[0]);
        else expect(Math.abs(got.root - r.root[0])).toBeLessThanOrEqual(1e-14 * Math.abs(r.root[0]));
        expect(got.iterations).toBe(r.iter);
        expect(Math.abs(got.estimPrec - r.estim_prec[0])).toBeLessThanOrEqual(1e-12 * Math.abs(r.estim_prec[0]) + 1e-300);
      });
    }
  }

  it('returns an end point that is a root, and refuses a bracket without a sign change', () => {
    expect(zeroin((x) => x - 1, 1, 2).root).toBe(1);
    expect(() => zeroin((x) => x * x + 1, -1, 1)).toThrow(/opposite sign/);
    expect(() => zeroin((x) => x, 1, 0)).toThrow(/lower < upper/);
  });

  it('reports non-convergence with iterations −1', () => {
    expect(zeroin((x) => Math.exp(x) - 3, 0, 10, { tol: 0, maxiter: 3 }).iterations).toBe(-1);
  });
});
