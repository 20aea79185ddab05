/**
 * The core of `lm` for callers that need only the coefficients and their covariance (mediation's a-path,
 * once per bootstrap replicate): the algorithm of linear.ts's fitLinear, with its passes over the rows and
 * the inverse of X'WX run by the WebAssembly kernels of the ordinal fit (simd-kernels.ts: lmpass — two rows
 * per instruction — and chol, cholinv: linalg.ts's invertSymmetric, the same bits), and without what fitLinear adds
 * for its summaries (fitted values and residuals kept, R², the log-likelihood's Σ log w, one log per row).
 * The results agree with fitLinear's to rounding (the sums are added in another order; ~1e-15 relative,
 * test/stats/lm-core.test.ts).
 *
 *   β = (X'WX)⁻¹ X'Wy, refined once by β += (X'WX)⁻¹ X'W(y − Xβ);  σ² = Σ w r² / (n − p), n = rows of
 *   non-zero weight;  Cov(β) = σ² (X'WX)⁻¹.
 */
import { FitError } from '../errors.js';
import { BLOCK, invertSymmetric, symmetrizeUpper } from './linalg.js';
import { fitLinear, olsCovariance } from './linear.js';
import { reserveArena, simdKernels } from './simd-kernels.js';

export interface LeastSquares {
  readonly coefficients: Float64Array;
  readonly stdErrors: Float64Array;
  readonly vcov: Float64Array;
  readonly sigma: number;
  readonly dfResidual: number;
}

/** Row stride of the kernels' block arrays: a block of BLOCK rows plus the padding row, kept even. */
const S = BLOCK + 2;

/** X column-major n × p; y and w (undefined: all 1) of length n. */
export function leastSquares(X: Float64Array, n: number, p: number, y: Float64Array, w: Float64Array | undefined): LeastSquares {
  const k = simdKernels();
  // the kernels' memory, in doubles: X (n × p, then a zero row), the block's fitted values and its row
  // arrays c, d, u, l (stride S), the scratch c·x_j (p × S), β, the per-column sums (3p), X'WX (p × p)
  const even = (v: number): number => v + (v & 1);
  const x = 0;
  const fit = even(n * p + 2);
  const rowsAt = fit + S;
  const s = rowsAt + 4 * S;
  const beta = s + Math.max(1, p) * S;
  const sums = beta + even(p);
  const xtwx = sums + even(3 * p);
  // y and w, the inverse's equilibrated matrix, its Cholesky factor and inverse, and rhs/corr
  const yAt = xtwx + p * p;
  const wAt = yAt + n;
  const eqAt = wAt + n;
  const lAt = eqAt + p * p;
  const invAt = lAt + p * p;
  const outAt = invAt + p * p;
  let A: Float64Array;
  try {
    A = reserveArena(outAt + p);
  } catch (e) {
    // the kernels' memory cannot hold this design (beyond ~4 GB): lm's plain-JS fit, to 1e-12 the same
    if (!(e instanceof RangeError)) throw e;
    const f = fitLinear(X, n, p, y, { weights: w });
    return { coefficients: f.coefficients, stdErrors: f.stdErrors, vcov: f.vcov, sigma: f.sigma, dfResidual: f.dfResidual };
  }
  A.set(X.subarray(0, n * p), x);
  A[n * p] = 0;
  A[n * p + 1] = 0;
  A.set(y.subarray(0, n), yAt);
  if (w !== undefined) A.set(w.subarray(0, n), wAt);
  A.fill(0, rowsAt + 2 * S, rowsAt + 4 * S); // u, l: unused
  const fitted = A.subarray(fit, fit + S);
  const XtWX = A.subarray(xtwx, xtwx + p * p);
  XtWX.fill(0);
  const out = A.subarray(outAt, outAt + p);
  /**
   * Σ_i d_i x_i over the rows into `into` (length p), with d_i = w_i y_i (`residuals` false; with X'WX) or
   * d_i = (y_i − x_i'β) w_i (`residuals` true: β from the kernels' memory) — the kernels' lmpass, a block of
   * rows at a time (c_t = w_t and d_t as rowWeights below).
   */
  const pass = (into: Float64Array, residuals: boolean): void => {
    k.lmpass(8 * x, n, p, 8 * yAt, 8 * wAt, w === undefined ? 0 : 1, residuals ? 1 : 0, 8 * beta, 8 * fit, 8 * rowsAt, S, 8 * s, 8 * sums, 8 * outAt, 8 * xtwx);
    into.set(out);
  };

  // X'WX and X'Wy in one pass
  const rhs = new Float64Array(p);
  pass(rhs, false);
  symmetrizeUpper(XtWX, p);
  // invertSymmetric with the kernels' chol and cholinv (linalg.ts's operations: the same bits) on copies in their memory
  const inv = invertSymmetric(XtWX, p, {
    cholesky: (S, q) => {
      A.set(S, eqAt);
      return { failedAt: k.chol(8 * eqAt, q, 0, 8 * lAt), L: A.subarray(lAt, lAt + q * q) };
    },
    choleskyInverse: (L, q) => {
      k.cholinv(L.byteOffset, q, 8 * invAt);
      return A.slice(invAt, invAt + q * q);
    },
  });
  if (inv === undefined) throw new FitError('the cross-product matrix is singular: some terms are collinear', { hint: 'drop a duplicated term' });
  const b = new Float64Array(p);
  const solve = (v: Float64Array): void => {
    for (let r = 0; r < p; r++) {
      let t = 0;
      for (let q = 0; q < p; q++) t += inv[r * p + q]! * v[q]!;
      b[r] = b[r]! + t;
    }
    A.set(b, beta);
  };
  solve(rhs);
  // one step of iterative refinement, as fitLinear: β += (X'WX)⁻¹ X'W(y − Xβ)
  const corr = new Float64Array(p);
  pass(corr, true);
  solve(corr);
  // σ² from the weighted residuals at the refined β
  let rss = 0;
  let nobs = 0;
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const len = Math.min(BLOCK, n - i0);
    k.eta(8 * x, n, i0, len + (len & 1), p, 8 * beta, 8 * fit);
    for (let t = 0; t < len; t++) {
      const wi = w === undefined ? 1 : w[i0 + t]!;
      const res = y[i0 + t]! - fitted[t]!;
      rss += wi * res * res;
      if (wi !== 0) nobs++;
    }
  }
  const { dfResidual, sigma2, vcov, stdErrors } = olsCovariance(inv, rss, nobs, p);
  return { coefficients: b, stdErrors, vcov, sigma: Math.sqrt(sigma2), dfResidual };
}
