/**
 * src/stats/chisq.ts against chisq.test (fixture: test/fixtures/stats/ranktests.R → ranktests.json):
 * Yates-corrected 2 × 2 tables and uncorrected larger tables, statistic and p at 1e-12.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chisqTest } from '../../src/stats/chisq.js';

interface CCase {
  counts: number[][];
  statistic: [number];
  df: number;
  p: [number];
}
const fixture = JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/stats/ranktests.json'), 'utf8')) as { chisq: Record<string, CCase> };

describe('chisqTest', () => {
  for (const [name, c] of Object.entries(fixture.chisq)) {
    it(`matches chisq.test on ${name}`, () => {
      const r = chisqTest(c.counts);
      expect(r.df).toBe(c.df);
      expect(Math.abs(r.statistic - c.statistic[0])).toBeLessThanOrEqual(1e-12 * c.statistic[0]);
      expect(Math.abs(r.p - c.p[0])).toBeLessThanOrEqual(1e-12 * c.p[0]);
    });
  }

  it('applies Yates only to 2 × 2 tables and flags small expected counts', () => {
    expect(chisqTest([[12, 7], [5, 15]]).yates).toBe(true);
    expect(chisqTest([[12, 7], [5, 15]], { correct: false }).yates).toBe(false);
    expect(chisqTest([[3, 0, 2, 1], [1, 4, 6, 1]]).lowExpected).toBe(true);
    expect(() => chisqTest([[1, 2]])).toThrow(RangeError);
  });
});
