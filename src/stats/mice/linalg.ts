/**
 * The imputation models' use of the one Cholesky factorisation (src/stats/linalg.ts): mice's models take a
 * pivot lost to rounding against the original diagonal (relative tolerance 1e-13) as singular, and then
 * ridge the matrix and try again.
 */
import { cholesky } from '../linalg.js';

/** Relative pivot tolerance: a pivot d_j ≤ 1e-13·|a_jj| means the matrix is singular to working precision. */
export const MICE_PIVOT_TOLERANCE = 1e-13;

/**
 * The lower Cholesky factor L (row-major q × q) of the symmetric matrix `a`; where it is singular to working
 * precision, that of a copy of `a` after the first ridge, then after the second too, and so on (each ridge
 * changes the copy in place). `ridged`: how many ridges were applied. Undefined when every try fails.
 */
export function miceCholesky(a: Float64Array, q: number, ridges: readonly ((m: Float64Array) => void)[] = []): { L: Float64Array; ridged: number } | undefined {
  let m = a;
  for (let ridged = 0; ; ridged++) {
    const { L, failedAt } = cholesky(m, q, MICE_PIVOT_TOLERANCE);
    if (failedAt < 0) return { L, ridged };
    if (ridged === ridges.length) return undefined;
    if (m === a) m = Float64Array.from(a);
    ridges[ridged]!(m);
  }
}
