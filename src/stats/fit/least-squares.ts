/**
 * Weighted least squares, as R's `lm`, written once: the normal equations of the normal linear model
 * (models/gaussian.ts) solved through the inverse of X'WX (linalg.ts's equilibrated Cholesky), refined by
 * one step of iterative refinement —
 *
 *   β = (X'WX)⁻¹ X'Wy,   β += (X'WX)⁻¹ X'W(y − Xβ)
 *
 * — over passes of the rows done by one of two back-ends:
 * - JavaScript (linalg.ts's blocked cross-products): fitLinear's (linear.ts), which keeps the fitted values
 *   and residuals for its summaries;
 * - the kernels (kernels/: their least-squares pass, two rows per instruction, and chol/cholinv: the
 *   Cholesky routines' operations, the same bits): `leastSquares`, the coefficients and covariance only, for
 *   mediation's a-path (once per bootstrap replicate). Its sums run in another order than the JavaScript
 *   passes' (two lanes): the two agree to ~1e-15 relative (test/stats/least-squares.test.ts).
 *
 *   leastSquares(X, n, p, y, w)        → LeastSquares (coefficients, SEs, covariance, σ), kernels
 *   leastSquaresJs(X, n, p, y, w)      → β and (X'WX)⁻¹, JavaScript passes
 *   residuals(X, n, p, y, w, beta)     → fitted values, residuals, RSS and the rows of non-zero weight
 */
import { FitError } from '../../errors.js';
import { BLOCK, type CholeskyRoutines, cholesky, choleskyInverse, crossprodVector, invertSymmetric, linearPredictor, symmetrizeUpper, weightedCrossprod } from '../linalg.js';
import { olsCovariance } from '../models/gaussian.js';
import { kernels, rowCapacity } from '../kernels/index.js';

export interface LeastSquares {
  readonly coefficients: Float64Array;
  readonly stdErrors: Float64Array;
  readonly vcov: Float64Array;
  readonly sigma: number;
  readonly dfResidual: number;
}

/** The passes over the rows the normal equations need, and the Cholesky routines to invert X'WX. */
interface RowPasses {
  /** X'WX (full, symmetric: a new array or a view the passes own) and X'Wy into rhs. */
  crossprods(rhs: Float64Array): Float64Array;
  /** X'W(y − Xβ) into corr. */
  residualCrossprod(beta: Float64Array, corr: Float64Array): void;
  readonly cholesky: CholeskyRoutines;
}

/** β (refined once) and (X'WX)⁻¹ — see the module comment. */
function solveNormalEquations(passes: RowPasses, p: number): { beta: Float64Array; inv: Float64Array } {
  const rhs = new Float64Array(p);
  const XtWX = passes.crossprods(rhs);
  const inv = invertSymmetric(XtWX, p, passes.cholesky);
  if (inv === undefined) throw new FitError('the cross-product matrix is singular: some terms are collinear', { hint: 'drop a duplicated term' });
  const beta = new Float64Array(p);
  /** β += (X'WX)⁻¹ v */
  const solve = (v: Float64Array): void => {
    for (let r = 0; r < p; r++) {
      let t = 0;
      for (let q = 0; q < p; q++) t += inv[r * p + q]! * v[q]!;
      beta[r] = beta[r]! + t;
    }
  };
  solve(rhs);
  // one step of iterative refinement, for accuracy when X'WX is ill-conditioned
  const corr = new Float64Array(p);
  passes.residualCrossprod(beta, corr);
  solve(corr);
  return { beta, inv };
}

/** The JavaScript passes: linalg.ts's blocked X'WX, X'v and Xβ. */
function jsPasses(X: Float64Array, n: number, p: number, y: Float64Array, w: Float64Array | undefined): RowPasses {
  return {
    crossprods(rhs) {
      crossprodVector(X, n, p, w === undefined ? y : y.map((v, i) => v * w[i]!), rhs);
      return weightedCrossprod(X, n, p, w, new Float64Array(p * p));
    },
    residualCrossprod(beta, corr) {
      const fitted = linearPredictor(X, n, p, beta, new Float64Array(n));
      const wr = new Float64Array(n);
      for (let i = 0; i < n; i++) wr[i] = (y[i]! - fitted[i]!) * (w === undefined ? 1 : w[i]!);
      crossprodVector(X, n, p, wr, corr);
    },
    cholesky: { cholesky, choleskyInverse },
  };
}

/** β and (X'WX)⁻¹ by the JavaScript passes (fitLinear's). X column-major n × p; y and w (undefined: all 1) of length n. */
export function leastSquaresJs(X: Float64Array, n: number, p: number, y: Float64Array, w: Float64Array | undefined): { beta: Float64Array; inv: Float64Array } {
  return solveNormalEquations(jsPasses(X, n, p, y, w), p);
}

/** Fitted values Xβ, residuals y − Xβ, RSS = Σ w r² and the number of rows of non-zero weight. */
export function residuals(X: Float64Array, n: number, p: number, y: Float64Array, w: Float64Array | undefined, beta: Float64Array): { fitted: Float64Array; residuals: Float64Array; rss: number; nobs: number } {
  const fitted = linearPredictor(X, n, p, beta, new Float64Array(n));
  const res = new Float64Array(n);
  let rss = 0;
  let nobs = 0;
  for (let i = 0; i < n; i++) {
    const wi = w === undefined ? 1 : w[i]!;
    res[i] = y[i]! - fitted[i]!;
    rss += wi * res[i]! * res[i]!;
    if (wi !== 0) nobs++;
  }
  return { fitted, residuals: res, rss, nobs };
}

/** Row stride of the kernels' block arrays: a block of BLOCK rows plus the padding row, kept even. */
const S = BLOCK + 2;

/** The coefficients and their covariance, by the kernels' passes (see the module comment). X column-major n × p; y and w (undefined: all 1) of length n. */
export function leastSquares(X: Float64Array, n: number, p: number, y: Float64Array, w: Float64Array | undefined): LeastSquares {
  const k = kernels();
  // the kernels' arrays: X (n × p, then a zero row), y and w, the block's fitted values and its row arrays
  // c, d, u, l (stride S), the scratch c·x_j (p × S), β, the per-column sums (3p), X'WX (p × p), the
  // inverse's equilibrated matrix, its Cholesky factor and inverse, and the pass's X'W(…)
  const rows = rowCapacity(n); // the same layout for a bootstrap's resamples (kernels.ts ArenaLayouts)
  const A = k.arena({
    x: rows * p + 2, y: rows, w: w === undefined ? 0 : rows, fitted: S, rows: 4 * S, scratch: Math.max(1, p) * S, beta: p, sums: 3 * p, xtwx: p * p,
    eq: p * p, L: p * p, inv: p * p, out: p,
  });
  if (A === undefined) {
    // the kernels' memory cannot hold this design (beyond ~4 GB): the JavaScript passes, to 1e-12 the same
    const { beta, inv } = leastSquaresJs(X, n, p, y, w);
    const r = residuals(X, n, p, y, w, beta);
    const { dfResidual, sigma2, vcov, stdErrors } = olsCovariance(inv, r.rss, r.nobs, p);
    return { coefficients: beta, stdErrors, vcov, sigma: Math.sqrt(sigma2), dfResidual };
  }
  A.x.set(X.subarray(0, n * p));
  A.x[n * p] = 0;
  A.x[n * p + 1] = 0;
  A.y.set(y.subarray(0, n));
  if (w !== undefined) A.w.set(w.subarray(0, n));
  A.rows.fill(0, 2 * S, 4 * S); // u, l: unused
  const XtWX = A.xtwx;
  XtWX.fill(0);
  /**
   * Σ_i d_i x_i over the rows into `into` (length p), with d_i = w_i y_i (`residuals` false; with X'WX) or
   * d_i = (y_i − x_i'β) w_i (`residuals` true: β from the arena) — the kernels' pass, a block of rows at a time.
   */
  const lsPass = k.leastSquaresPass({
    x: A.x, n, p, y: A.y, w: w === undefined ? undefined : A.w, beta: A.beta, fitted: A.fitted, rows: A.rows, stride: S, scratch: A.scratch,
    columnSums: A.sums, out: A.out, xtwx: XtWX,
  });
  const pass = (into: Float64Array, withResiduals: boolean): void => {
    lsPass.run(withResiduals);
    into.set(A.out);
  };
  const { beta, inv } = solveNormalEquations(
    {
      crossprods(rhs) {
        pass(rhs, false);
        symmetrizeUpper(XtWX, p);
        return XtWX;
      },
      residualCrossprod(b, corr) {
        A.beta.set(b);
        pass(corr, true);
      },
      // invertSymmetric with the kernels' chol and cholinv (linalg.ts's operations: the same bits) on copies in their memory
      cholesky: {
        cholesky: (E, q) => {
          A.eq.set(E);
          return { failedAt: k.chol(A.eq, q, 0, A.L), L: A.L };
        },
        choleskyInverse: (L, q) => {
          k.cholinv(L, q, A.inv);
          return A.inv.slice(0, q * q);
        },
      },
    },
    p,
  );
  A.beta.set(beta);
  // RSS = Σ w (y − x'β)² and the rows of non-zero weight, x'β by the kernels' eta a block at a time (a loop
  // here, not in a helper: leastSquares then tiers up early in a worker thread and inlines its helpers instead
  // of each being compiled on its own first)
  const fitted = A.fitted;
  let rss = 0;
  let nobs = 0;
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const len = Math.min(BLOCK, n - i0);
    k.eta(A.x, n, i0, len + (len & 1), p, A.beta, fitted);
    for (let t = 0; t < len; t++) {
      const wi = w === undefined ? 1 : w[i0 + t]!;
      const res = y[i0 + t]! - fitted[t]!;
      rss += wi * res * res;
      if (wi !== 0) nobs++;
    }
  }
  const { dfResidual, sigma2, vcov, stdErrors } = olsCovariance(inv, rss, nobs, p);
  return { coefficients: beta, stdErrors, vcov, sigma: Math.sqrt(sigma2), dfResidual };
}
