/** linalg.ts matrixRows (four columns per pass, then the rest): the rows asked for, in their order, repeats and all, for every column count's remainder. */
import { describe, expect, it } from 'vitest';
import { matrixRows } from '../../src/stats/linalg.js';

describe('matrixRows', () => {
  it('gathers the rows of a column-major matrix, for 0 to 9 columns', () => {
    const N = 13;
    const rows = Int32Array.of(12, 0, 5, 5, 7, 12, 3);
    for (let p = 0; p <= 9; p++) {
      const X = Float64Array.from({ length: N * p }, (_, k) => k * 1.5 - 7);
      const got = matrixRows(X, N, p, rows);
      const want = new Float64Array(rows.length * p);
      for (let j = 0; j < p; j++) for (let t = 0; t < rows.length; t++) want[j * rows.length + t] = X[j * N + rows[t]!]!;
      expect(Array.from(got)).toEqual(Array.from(want));
      // into a given array, a view of a larger one
      const buffer = new Float64Array(rows.length * p + 5).fill(NaN);
      matrixRows(X, N, p, rows, buffer.subarray(0, rows.length * p));
      expect(Array.from(buffer.subarray(0, rows.length * p))).toEqual(Array.from(want));
      expect(buffer.subarray(rows.length * p).every(Number.isNaN)).toBe(true);
    }
  });
});
