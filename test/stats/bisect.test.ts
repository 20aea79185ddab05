import { describe, expect, it } from 'vitest';
import { lowerBound } from '../../src/stats/bisect.js';

describe('lowerBound', () => {
  const a = Float64Array.from([1, 2, 2, 2, 5, 7]);
  it('gives the first index whose value is at least the one sought', () => {
    expect([0, 1, 2, 3, 5, 6, 7, 8].map((v) => lowerBound(a, v))).toEqual([0, 0, 1, 4, 4, 5, 5, 6]);
  });
  it('searches [lo, hi) only', () => {
    expect(lowerBound(a, 2, 2)).toBe(2);
    expect(lowerBound(a, 7, 0, 4)).toBe(4);
    expect(lowerBound(Int32Array.from([0, 0, 1, 1, 1, 3]), 2, 2)).toBe(5);
  });
  it('agrees with a linear scan on random sorted arrays', () => {
    let s = 7;
    const next = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let t = 0; t < 200; t++) {
      const x = Float64Array.from({ length: Math.floor(next() * 30) }, () => Math.floor(next() * 10)).sort();
      const v = Math.floor(next() * 12) - 1;
      const scan = x.findIndex((e) => e >= v);
      expect(lowerBound(x, v)).toBe(scan === -1 ? x.length : scan);
    }
  });
});
