import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distinctRanks, quantile7, sortedFinite, summarise } from '../../src/stats/quantile.js';

interface Case {
  name: string;
  x: (number | null)[] | number | null;
  probs: number[];
  quantiles: number[];
  n: number;
  missing: number;
  mean: number;
  sd: number | null;
  median: number;
  q1: number;
  q3: number;
  min: number;
  max: number;
}
// Produced by test/fixtures/stats/quantile.R: quantile(x, probs, type = 7), mean, sd, median, min, max.
const cases = JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/stats/quantile.json'), 'utf8')) as Case[];
const toArray = (x: Case['x']): Float64Array => Float64Array.from((Array.isArray(x) ? x : [x]).map((v) => v ?? NaN));

/** Relative tolerance: R sums in long double, we in double with a correction pass. */
function close(actual: number, expected: number, rel = 1e-13): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(expected)));
}

// Produced by the same script: quantile(x, (1:99) / 100, type = 7) of small integer vectors, as 17-digit text.
const exact = JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/stats/quantile-exact.json'), 'utf8')) as { x: number[]; k: number[]; quantiles: string[] }[];

describe('quantile7 is bit-identical to R', () => {
  it.each(exact)('for n = $x.length', ({ x, k, quantiles }) => {
    const sorted = sortedFinite(x);
    expect(k.map((j) => quantile7(sorted, j / 100))).toEqual(quantiles.map(Number));
  });
});

describe.each(cases)('$name', (c) => {
  const x = toArray(c.x);

  it('quantile7 matches quantile(type = 7)', () => {
    const sorted = sortedFinite(x);
    c.probs.forEach((p, k) => {
      close(quantile7(sorted, p), c.quantiles[k]!);
    });
  });

  it('summarise matches mean, sd, median, quartiles, min, max', () => {
    const s = summarise(x);
    expect(s.n).toBe(c.n);
    expect(s.missing).toBe(c.missing);
    close(s.mean, c.mean);
    if (c.sd === null) expect(s.sd).toBeNaN();
    else close(s.sd, c.sd, 1e-12);
    close(s.median, c.median);
    close(s.q1, c.q1);
    close(s.q3, c.q3);
    expect(s.min).toBe(c.min);
    expect(s.max).toBe(c.max);
  });
});

describe('edge cases', () => {
  it('gives NaN for no values and refuses a probability outside [0, 1]', () => {
    expect(quantile7(new Float64Array(0), 0.5)).toBeNaN();
    expect(() => quantile7(Float64Array.of(1, 2), 1.5)).toThrow(RangeError);
    const s = summarise(Float64Array.of(NaN, NaN));
    expect(s).toMatchObject({ n: 0, missing: 2 });
    expect(s.mean).toBeNaN();
  });

  it('returns the tied value exactly when neighbours are equal', () => {
    expect(quantile7(Float64Array.of(0.1, 0.1, 0.1), 0.3)).toBe(0.1);
  });
});

describe('distinctRanks', () => {
  it('codes each value by its rank among the sorted distinct values (as factor(x)), −0 and 0 as one', () => {
    const x = Float64Array.of(2.5, -1, 7, 2.5, -0, 0, 1e300, -1, 3);
    const { codes, distinct } = distinctRanks(x);
    expect(Array.from(distinct)).toEqual([-1, -0, 2.5, 3, 7, 1e300]);
    expect(Array.from(codes)).toEqual([2, 0, 4, 2, 1, 1, 5, 0, 3]);
    expect(distinctRanks(new Float64Array(0)).distinct.length).toBe(0);
  });
});
