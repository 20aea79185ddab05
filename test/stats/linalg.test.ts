/**
 * linalg.ts's Cholesky routines: the inverse (L L')⁻¹ (all columns at once) gives the bits of solving each
 * unit vector with forwardSolve and backSolveTransposed, and inverts A; the WebAssembly kernels' chol,
 * cholsolve and cholinv (the ordinal fit's Newton iteration) give linalg's bits.
 */
import { describe, expect, it } from 'vitest';
import { backSolveTransposed, cholesky, choleskyInverse, choleskySolve, forwardSolve } from '../../src/stats/linalg.js';
import { jsKernels } from '../../src/stats/kernels/js.js';
import type { Kernels } from '../../src/stats/kernels/kernels.js';
import { wasmKernels } from '../../src/stats/kernels/wasm.js';

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

describe.each([
  ['wasm', wasmKernels()],
  ['js', jsKernels],
] as [string, Kernels][])('the %s kernels\' chol, cholsolve and cholinv', (_, k) => {
  it('give linalg.ts\'s cholesky, choleskySolve and choleskyInverse bit for bit, and the same failing pivot', () => {
    for (let p = 1; p <= 17; p++) {
      const A = spd(p);
      const b = Float64Array.from({ length: p }, (_, i) => Math.cos(i + 0.5) * 3);
      // in the kernels' arena: A, L, b, the inverse
      const mem = k.arena({ a: p * p, l: p * p, b: p, inv: p * p })!;
      mem.l.fill(0);
      mem.a.set(A);
      mem.b.set(b);
      expect(k.chol(mem.a, p, 0, mem.l)).toBe(-1);
      const { L } = cholesky(A, p);
      const lower = (M: Float64Array): number[] => Array.from(M).map((v, i) => (i % p <= Math.floor(i / p) ? v : 0));
      expect(lower(mem.l.slice()), `L, p = ${p}`).toEqual(lower(L));
      k.cholsolve(mem.l, p, mem.b);
      expect(Array.from(mem.b), `solve, p = ${p}`).toEqual(Array.from(choleskySolve(L, p, Float64Array.from(b))));
      k.cholinv(mem.l, p, mem.inv);
      expect(Array.from(mem.inv), `inverse, p = ${p}`).toEqual(Array.from(choleskyInverse(L, p)));
    }
    // not positive definite at pivot 2 (0-based); positive definite, but its last pivot (0.1875) lost against
    // relTol 0.5 of its diagonal
    const mem = k.arena({ a: 9, l: 9 })!;
    const bad = Float64Array.from([4, 2, 1, 2, 5, 3, 1, 3, 1]);
    mem.a.set(bad);
    expect(cholesky(bad, 3).failedAt).toBe(2);
    expect(k.chol(mem.a, 3, 0, mem.l)).toBe(2);
    const weak = Float64Array.from([4, 2, 1, 2, 5, 3, 1, 3, 2]);
    mem.a.set(weak);
    expect([cholesky(weak, 3).failedAt, cholesky(weak, 3, 0.5).failedAt]).toEqual([-1, 2]);
    expect([k.chol(mem.a, 3, 0, mem.l), k.chol(mem.a, 3, 0.5, mem.l)]).toEqual([-1, 2]);
  });
});
