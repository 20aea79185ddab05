/**
 * The normal linear model with the identity link (R's `lm`, `gaussian()`), stated once:
 *
 *   y_i = x_i'β + ε_i,   ε_i ~ N(0, σ²/w_i)   (w the case weights; rows of weight 0 drop out)
 *
 * with per-row log-likelihood, score and information in β (r_i = y_i − x_i'β):
 *   ℓ_i = ½ log w_i − ½ log(2πσ²) − w_i r_i²/(2σ²),   ∂ℓ_i/∂β = w_i r_i x_i/σ²,   −∂²ℓ_i/∂β∂β' = w_i x_i x_i'/σ²,
 * so that β̂ solves the normal equations X'WX β = X'Wy (fit/least-squares.ts), the same for every σ.
 * `summary.lm` estimates σ² by RSS/(n − p) (n the rows of non-zero weight) and reports Cov(β̂) =
 * σ̂² (X'WX)⁻¹; `logLik.lm` profiles σ² out at its maximum RSS/n.
 *
 *   olsCovariance(inv, rss, nobs, p)   σ̂², Cov(β̂) and the SEs from (X'WX)⁻¹
 *   gaussianLoglik(rss, nobs, sumLogW) the maximised log-likelihood (logLik.lm)
 */
import { FitError } from '../../errors.js';

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

/**
 * logLik.lm: Σ ℓ_i at β̂ and σ² = RSS/n, i.e. ½ (Σ log w − n (log 2π + 1 − log n + log RSS)) over the
 * n = nobs rows of non-zero weight (sumLogW = Σ log w over them).
 */
export function gaussianLoglik(rss: number, nobs: number, sumLogW: number): number {
  return 0.5 * (sumLogW - nobs * (Math.log(2 * Math.PI) + 1 - Math.log(nobs) + Math.log(rss)));
}
