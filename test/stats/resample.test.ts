/** src/stats/resample.ts: strata keep their sizes, clusters are drawn whole, the jackknife leaves one unit out. */
import { describe, expect, it } from 'vitest';
import { bootstrapRows, jackknifeRows, resamplingDesign, unitRowsOf } from '../../src/stats/resample.js';
import { rngFor } from '../../src/stats/rng.js';

describe('resampling', () => {
  it('keeps each stratum at its size', () => {
    const strata = Int32Array.from([5, 5, 9, 5, 9, 9, 9]);
    const d = resamplingDesign(7, strata, null);
    for (let b = 0; b < 20; b++) {
      const rows = bootstrapRows(d, rngFor(1, b));
      expect(rows.length).toBe(7);
      expect(Array.from(rows.slice(0, 3)).every((r) => strata[r] === 5)).toBe(true);
      expect(Array.from(rows.slice(3)).every((r) => strata[r] === 9)).toBe(true);
    }
  });

  it('draws clusters whole and refuses a cluster spanning strata', () => {
    const clusters = Int32Array.from([1, 1, 2, 2, 2, 3]);
    const d = resamplingDesign(6, null, clusters);
    expect(d.units).toBe(3);
    expect([0, 1, 2].map((u) => Array.from(unitRowsOf(d, u)))).toEqual([[0, 1], [2, 3, 4], [5]]);
    const rows = Array.from(bootstrapRows(d, rngFor(2, 0)));
    const counts = new Map<number, number>();
    for (const r of rows) counts.set(clusters[r]!, (counts.get(clusters[r]!) ?? 0) + 1);
    for (const [c, k] of counts) expect(k % clusters.filter((x) => x === c).length).toBe(0);
    expect(() => resamplingDesign(6, Int32Array.from([0, 1, 0, 0, 0, 0]), clusters)).toThrow(/spans more than one stratum/);
  });

  it('is a function of the stream only', () => {
    const d = resamplingDesign(50, null, null);
    expect(Array.from(bootstrapRows(d, rngFor(3, 7)))).toEqual(Array.from(bootstrapRows(d, rngFor(3, 7))));
    expect(Array.from(bootstrapRows(d, rngFor(3, 7)))).not.toEqual(Array.from(bootstrapRows(d, rngFor(3, 8))));
  });

  it('leaves one unit out for the jackknife', () => {
    const d = resamplingDesign(6, null, Int32Array.from([1, 1, 2, 2, 2, 3]));
    expect(Array.from(jackknifeRows(d, 1))).toEqual([0, 1, 5]);
    expect(Array.from(jackknifeRows(resamplingDesign(4, null, null), 0))).toEqual([1, 2, 3]);
  });
});

describe('drawCopies: a cluster drawn twice is two clusters', () => {
  it('numbers the draws of each cluster in a clustered resample', async () => {
    const { resamplingDesign, drawCopies } = await import('../../src/stats/resample.js');
    // clusters: rows 0-2 (a), 3-4 (b), 5 (c)
    const design = resamplingDesign(6, null, Int32Array.from([0, 0, 0, 1, 1, 2]));
    // draws: a, b, a, c, c
    const rows = Int32Array.from([0, 1, 2, 3, 4, 0, 1, 2, 5, 5]);
    expect(Array.from(drawCopies(design, rows))).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 0, 1]);
    // a drawn twice in a row
    expect(Array.from(drawCopies(design, Int32Array.from([0, 1, 2, 0, 1, 2, 3, 4])))).toEqual([0, 0, 0, 1, 1, 1, 0, 0]);
  });
});
