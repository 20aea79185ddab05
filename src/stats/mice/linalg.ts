/**
 * The imputation models' view of the shared dense linear algebra (src/stats/linalg.ts): mice's
 * Cholesky refuses a pivot lost to rounding against the original diagonal (relative tolerance 1e-13),
 * and its callers test for `undefined` (then ridge the matrix and retry) rather than a failing pivot.
 */
import { cholesky as choleskyPivots } from '../linalg.js';

/** Re-exported for the imputation tests' reference fits (test/stats/mice-helpers.ts). */
export { choleskyInverse, choleskySolve } from '../linalg.js';

/** Relative pivot tolerance: a pivot d_j ≤ 1e-13·|a_jj| means the matrix is singular to working precision. */
const PIVOT_TOLERANCE = 1e-13;

/**
 * Cholesky factor of the symmetric positive-definite matrix `a` (row-major p×p): the lower-triangular
 * L with a = L Lᵀ, or undefined when a pivot is not positive (singular or indefinite to working precision).
 */
export function cholesky(a: Float64Array, p: number): Float64Array | undefined {
  const { L, failedAt } = choleskyPivots(a, p, PIVOT_TOLERANCE);
  return failedAt < 0 ? L : undefined;
}
