/**
 * src/stats/ranktests.ts against wilcox.test(exact = FALSE, correct = TRUE, conf.int = TRUE)
 * (fixture: test/fixtures/stats/ranktests.R → .json): W exactly, p at 1e-12, the location shift and CI
 * (roots at R's tol.root = 1e-4, same Brent steps) at 1e-9 relative.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rank, wilcoxRankSum } from '../../src/stats/ranktests.js';

interface WCase {
  x: number[];
  y: number[];
  W: [number];
  p: [number];
  estimate: [number];
  conf_int: [number, number];
}
const fixture = JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/stats/ranktests.json'), 'utf8')) as { wilcox: Record<string, WCase> };

function near(got: number, want: number, rel: number): void {
  expect(Math.abs(got - want)).toBeLessThanOrEqual(rel * Math.abs(want) + 1e-13);
}

describe('rank', () => {
  it('gives average ranks to ties and the tie sum Σ(t³ − t)', () => {
    const { ranks, tieSum } = rank([3, 1, 3, 2, 3, 1]);
    expect(Array.from(ranks)).toEqual([5, 1.5, 5, 3, 5, 1.5]);
    expect(tieSum).toBe(24 + 6);
  });
});

describe('wilcoxRankSum', () => {
  for (const [name, c] of Object.entries(fixture.wilcox)) {
    it(`matches wilcox.test on the ${name} samples`, () => {
      const r = wilcoxRankSum(c.x, c.y);
      expect(r.W).toBe(c.W[0]);
      near(r.p, c.p[0], 1e-12);
      near(r.estimate, c.estimate[0], 1e-9);
      near(r.confInt[0], c.conf_int[0], 1e-9);
      near(r.confInt[1], c.conf_int[1], 1e-9);
    });
  }

  it('drops missing values and refuses an empty group', () => {
    const a = wilcoxRankSum([1, 2, NaN, 3], [2, 5]);
    expect(a.nx).toBe(3);
    expect(() => wilcoxRankSum([NaN], [1, 2])).toThrow(RangeError);
  });
});
