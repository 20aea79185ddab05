/**
 * src/stats/rubin.ts against mice::pool (fixture: test/fixtures/stats/rubin.R → .json): the test feeds
 * the per-imputation estimates and covariance matrices R produced and compares the pooled table at 1e-10.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { barnardRubin, poolRubin } from '../../src/stats/rubin.js';

interface Case {
  call: string;
  terms: string[];
  imputations: { estimate: number[]; vcov: number[][]; df: number }[];
  pooled: Record<'m' | 'estimate' | 'ubar' | 'b' | 't' | 'dfcom' | 'df' | 'riv' | 'lambda' | 'fmi', number[]>;
}
const fixture = JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/stats/rubin.json'), 'utf8')) as Record<string, Case>;

function relClose(got: ArrayLike<number>, want: number[], rel: number): void {
  const bad = want.map((w, i) => [i, got[i]!, w] as const).filter(([, g, w]) => !(Math.abs(g - w) <= rel * Math.abs(w)));
  expect(bad).toEqual([]);
}

describe('poolRubin', () => {
  for (const name of ['lm', 'glm']) {
    it(`matches mice::pool for the ${name} fits`, () => {
      const c = fixture[name]!;
      const est = c.imputations.map((i) => i.estimate);
      const vc = c.imputations.map((i) => i.vcov.flat());
      const pooled = poolRubin(est, vc, c.imputations[0]!.df);
      expect(pooled.m).toBe(c.pooled.m[0]);
      expect(pooled.dfcom).toBe(c.pooled.dfcom[0]);
      for (const key of ['estimate', 'ubar', 'b', 't', 'df', 'riv', 'lambda', 'fmi'] as const) relClose(pooled[key], c.pooled[key], 1e-10);
    });
  }

  it('accepts variances instead of full matrices', () => {
    const c = fixture.lm!;
    const p = c.terms.length;
    const full = poolRubin(c.imputations.map((i) => i.estimate), c.imputations.map((i) => i.vcov.flat()), 21);
    const diag = poolRubin(c.imputations.map((i) => i.estimate), c.imputations.map((i) => i.vcov.map((row, j) => row[j]!)), 21);
    expect(Array.from(diag.t)).toEqual(Array.from(full.t));
    expect(full.t.length).toBe(p);
  });

  it('uses the large-sample df when dfcom is infinite, and floors lambda at 1e-4', () => {
    expect(barnardRubin(5, 1, 4, Infinity)).toBeCloseTo(4 / (0.3 * 0.3), 12);
    expect(barnardRubin(5, 0, 4, Infinity)).toBeCloseTo(4 / 1e-8, 0);
  });

  it('refuses fewer than 2 imputations and ragged inputs', () => {
    expect(() => poolRubin([[1]], [[1]], 10)).toThrow(RangeError);
    expect(() => poolRubin([[1, 2], [1]], [[1, 1], [1]], 10)).toThrow(RangeError);
  });
});
