/**
 * linalg.ts's Cholesky routines: the inverse (L L')⁻¹ (all columns at once) gives the bits of solving each
 * unit vector with forwardSolve and backSolveTransposed, and inverts A.
 */
import { describe, expect, it } from 'vitest';
import { backSolveTransposed, cholesky, choleskyInverse, forwardSolve } from '../../src/stats/linalg.js';

/** A symmetric positive-definite p × p matrix with entries of several magnitudes. */
function spd(p: number): Float64Array {
  const B = Float64Array.from({ length: p * p }, (_, i) => Math.sin(1.3 * i + 0.7) * 10 ** ((i % 5) - 2));
  const A = new Float64Array(p * p);
  for (let r = 0; r < p; r++) for (let c = 0; c < p; c++) for (let k = 0; k < p; k++) A[r * p + c] = A[r * p + c]! + B[r * p + k]! * B[c * p + k]!;
  for (let r = 0; r < p; r++) A[r * p + r] = A[r * p + r]! + 1e-3;
  return A;
}

describe('choleskyInverse', () => {
  it('gives, bit for bit, the columns solved one by one (then symmetrised), and A⁻¹', () => {
    for (let p = 1; p <= 17; p++) {
      const A = spd(p);
      const { L, failedAt } = cholesky(A, p);
      expect(failedAt).toBe(-1);
      const inv = choleskyInverse(L, p);
      const cols = new Float64Array(p * p);
      for (let c = 0; c < p; c++) {
        const e = new Float64Array(p);
        e[c] = 1;
        backSolveTransposed(L, p, forwardSolve(L, p, e));
        for (let r = 0; r < p; r++) cols[r * p + c] = e[r]!;
      }
      for (let r = 0; r < p; r++) {
        for (let c = r + 1; c < p; c++) {
          const v = 0.5 * (cols[r * p + c]! + cols[c * p + r]!);
          cols[r * p + c] = v;
          cols[c * p + r] = v;
        }
      }
      expect(Array.from(inv), `p = ${p}`).toEqual(Array.from(cols));
      // A A⁻¹ = I
      for (let r = 0; r < p; r++) {
        for (let c = 0; c < p; c++) {
          let s = 0;
          for (let k = 0; k < p; k++) s += A[r * p + k]! * inv[k * p + c]!;
          expect(Math.abs(s - (r === c ? 1 : 0)), `p = ${p} (${r}, ${c})`).toBeLessThan(1e-6);
        }
      }
    }
  });
});
