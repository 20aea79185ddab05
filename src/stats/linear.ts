/**
 * Ordinary and weighted least squares, as R's `lm` and `summary.lm`.
 *
 *   fitLinear(X, n, p, y, {weights}) → LinearFit
 *
 * β = (X'WX)⁻¹ X'Wy (equilibrated Cholesky); residual variance σ² = Σ w r² / (n − p), with n the rows of
 * non-zero weight; Cov(β) = σ² (X'WX)⁻¹; t = β/SE on n − p df.
 * R² = MSS/(MSS + RSS) with MSS = Σ w (ŷ − ȳ_w)² when an intercept is present, Σ w ŷ² otherwise;
 * adjusted R² = 1 − (1 − R²)(n − k)/(n − p), k = 1 with an intercept, 0 without.
 * log-likelihood (logLik.lm): ½ (Σ log w − n (log 2π + 1 − log n + log Σ w r²)); AIC/BIC count σ as a parameter.
 */
import { FitError } from '../errors.js';
import { crossprodVector, invertSymmetric, linearPredictor, weightedCrossprod } from './linalg.js';

export interface LinearFit {
  readonly p: number;
  readonly coefficients: Float64Array;
  readonly stdErrors: Float64Array;
  readonly vcov: Float64Array;
  readonly sigma: number;
  readonly dfResidual: number;
  readonly rSquared: number;
  readonly adjRSquared: number;
  readonly loglik: number;
  readonly aic: number;
  readonly bic: number;
  readonly nobs: number;
  readonly fitted: Float64Array;
  readonly residuals: Float64Array;
}

export function fitLinear(
  X: Float64Array,
  n: number,
  p: number,
  y: Float64Array,
  options: { weights?: Float64Array | undefined; intercept?: boolean | undefined; columns?: readonly string[] | undefined } = {},
): LinearFit {
  const w = options.weights;
  const XtWX = weightedCrossprod(X, n, p, w, new Float64Array(p * p));
  const wy = w === undefined ? y : y.map((v, i) => v * w[i]!);
  const rhs = crossprodVector(X, n, p, wy, new Float64Array(p));
  const inv = invertSymmetric(XtWX, p);
  if (inv === undefined) throw new FitError('the cross-product matrix is singular: some terms are collinear', { hint: 'drop a duplicated term' });
  const beta = new Float64Array(p);
  for (let r = 0; r < p; r++) {
    let s = 0;
    for (let c = 0; c < p; c++) s += inv[r * p + c]! * rhs[c]!;
    beta[r] = s;
  }
  // one step of iterative refinement: β += (X'WX)⁻¹ X'W(y − Xβ), for accuracy when X'WX is ill-conditioned
  const fitted = linearPredictor(X, n, p, beta, new Float64Array(n));
  const wr = new Float64Array(n);
  for (let i = 0; i < n; i++) wr[i] = (y[i]! - fitted[i]!) * (w === undefined ? 1 : w[i]!);
  const corr = crossprodVector(X, n, p, wr, new Float64Array(p));
  for (let r = 0; r < p; r++) {
    let s = 0;
    for (let c = 0; c < p; c++) s += inv[r * p + c]! * corr[c]!;
    beta[r] = beta[r]! + s;
  }
  linearPredictor(X, n, p, beta, fitted);
  const residuals = new Float64Array(n);
  let rss = 0;
  let sw = 0;
  let swy = 0;
  let nobs = 0;
  let sumLogW = 0;
  for (let i = 0; i < n; i++) {
    const wi = w === undefined ? 1 : w[i]!;
    residuals[i] = y[i]! - fitted[i]!;
    rss += wi * residuals[i]! * residuals[i]!;
    sw += wi;
    swy += wi * fitted[i]!;
    if (wi !== 0) {
      nobs++;
      sumLogW += Math.log(wi);
    }
  }
  const intercept = options.intercept ?? true;
  const { dfResidual, sigma2, vcov, stdErrors } = olsCovariance(inv, rss, nobs, p);
  const mean = swy / sw;
  let mss = 0;
  for (let i = 0; i < n; i++) {
    const wi = w === undefined ? 1 : w[i]!;
    const d = intercept ? fitted[i]! - mean : fitted[i]!;
    mss += wi * d * d;
  }
  const rSquared = mss / (mss + rss);
  const adjRSquared = 1 - (1 - rSquared) * ((nobs - (intercept ? 1 : 0)) / dfResidual);
  const loglik = 0.5 * (sumLogW - nobs * (Math.log(2 * Math.PI) + 1 - Math.log(nobs) + Math.log(rss)));
  return {
    p,
    coefficients: beta,
    stdErrors,
    vcov,
    sigma: Math.sqrt(sigma2),
    dfResidual,
    rSquared,
    adjRSquared,
    loglik,
    aic: -2 * loglik + 2 * (p + 1),
    bic: -2 * loglik + Math.log(nobs) * (p + 1),
    nobs,
    fitted,
    residuals,
  };
}

/** summary.lm's σ² = RSS/(nobs − p), Cov(β) = σ²(X'WX)⁻¹ and the SEs, from inv = (X'WX)⁻¹; a FitError when no residual df is left. */
export function olsCovariance(inv: Float64Array, rss: number, nobs: number, p: number): { dfResidual: number; sigma2: number; vcov: Float64Array; stdErrors: Float64Array } {
  const dfResidual = nobs - p;
  if (dfResidual <= 0) throw new FitError(`the linear model has ${p} coefficients and only ${nobs} observations`);
  const sigma2 = rss / dfResidual;
  const vcov = inv.map((v) => v * sigma2);
  const stdErrors = new Float64Array(p);
  for (let j = 0; j < p; j++) stdErrors[j] = Math.sqrt(vcov[j * p + j]!);
  return { dfResidual, sigma2, vcov, stdErrors };
}
