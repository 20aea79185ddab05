/**
 * Ordinary and weighted least squares, as R's `lm` and `summary.lm`: the normal linear model of
 * models/gaussian.ts fitted by fit/least-squares.ts (its JavaScript passes).
 *
 *   fitLinear(X, n, p, y, {weights}) → LinearFit
 *
 * β = (X'WX)⁻¹ X'Wy, refined once; residual variance σ² = Σ w r² / (n − p), with n the rows of non-zero
 * weight; Cov(β) = σ² (X'WX)⁻¹; t = β/SE on n − p df.
 * R² = MSS/(MSS + RSS) with MSS = Σ w (ŷ − ȳ_w)² when an intercept is present, Σ w ŷ² otherwise;
 * adjusted R² = 1 − (1 − R²)(n − k)/(n − p), k = 1 with an intercept, 0 without.
 * log-likelihood (logLik.lm): ½ (Σ log w − n (log 2π + 1 − log n + log Σ w r²)); AIC/BIC count σ as a parameter.
 */
import { leastSquaresJs, residuals as residualsOf } from './fit/least-squares.js';
import { gaussianLoglik, olsCovariance } from './models/gaussian.js';

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
  const { beta, inv } = leastSquaresJs(X, n, p, y, w);
  const { fitted, residuals, rss, nobs } = residualsOf(X, n, p, y, w, beta);
  let sw = 0;
  let swy = 0;
  let sumLogW = 0;
  for (let i = 0; i < n; i++) {
    const wi = w === undefined ? 1 : w[i]!;
    sw += wi;
    swy += wi * fitted[i]!;
    if (wi !== 0) sumLogW += Math.log(wi);
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
  const loglik = gaussianLoglik(rss, nobs, sumLogW);
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
