/**
 * The Bayesian linear-regression draw of mice's `.norm.draw` / `estimice` (mice 3.15): least squares
 * on the observed rows, then σ* = √(RSS / χ²_df) with df = max(n − ncol(x), 1), and
 * β* = β̂ + σ* L z with L Lᵀ = (XᵀX)⁻¹ and z ~ N(0, I). When XᵀX is singular mice adds a ridge of
 * 1e-5 × diag(XᵀX); so do we.
 *
 * Columns arrive centred (see crossprod.ts), so XᵀX is block-diagonal in (intercept, slopes): the
 * intercept is ȳ with variance σ²/n and the slopes solve the centred normal equations. The drawn
 * linear predictor has exactly the distribution of mice's.
 */
import type { Rng } from '../rng.js';
import { type Gathered, crossprod, crossprodVector } from './crossprod.js';
import { backSolveTransposed, choleskySolve, ridgeDiagonal } from '../linalg.js';
import { miceCholesky } from './linalg.js';
import { mean } from '../moments.js';
import { InternalError } from '../../errors.js';

const RIDGE = 1e-5;

export interface NormDraw {
  /** ŷ for the observed rows (from β̂). */
  readonly fittedObs: Float64Array;
  /** Least-squares slopes on the centred columns, and the observed mean of y. */
  readonly coef: Float64Array;
  readonly ybar: number;
  /** Drawn slopes and drawn intercept (centred parametrisation). */
  readonly beta: Float64Array;
  readonly alpha: number;
  readonly sigma: number;
  /** True when the ridge had to be applied. */
  readonly ridged: boolean;
}

/** `xtx` may be passed when already computed (the centred cross-product of `g`). */
export function normDraw(g: Gathered, y: Float64Array, rng: Rng, xtx?: Float64Array): NormDraw {
  const { n, p } = g;
  const ybar = mean(y.subarray(0, n));
  const yc = new Float64Array(n);
  for (let i = 0; i < n; i++) yc[i] = y[i]! - ybar;

  const s = xtx ?? crossprod(g);
  const factor = miceCholesky(s, p, [
    (pen) => { ridgeDiagonal(pen, p, RIDGE, 0); },
    // a column without variance: an absolute ridge as well, so that its coefficient is 0
    (pen) => { ridgeDiagonal(pen, p, 0, RIDGE); },
  ]);
  if (factor === undefined) throw new InternalError('the ridged cross-product of an imputation model has no Cholesky factor');
  const l = factor.L;
  const ridged = factor.ridged > 0;
  const coef = crossprodVector(g, yc);
  choleskySolve(l, p, coef);

  const fittedObs = new Float64Array(n);
  fittedObs.fill(ybar);
  for (let c = 0; c < p; c++) {
    const b = coef[c]!;
    const o = c * n;
    for (let i = 0; i < n; i++) fittedObs[i]! += b * g.x[o + i]!;
  }
  let rss = 0;
  for (let i = 0; i < n; i++) {
    const r = y[i]! - fittedObs[i]!;
    rss += r * r;
  }
  const df = Math.max(n - (p + 1), 1);
  const sigma = Math.sqrt(rss / rng.chisq(df));
  // β* − β̂ = σ* L z with L Lᵀ = (XᵀX)⁻¹: take L = C⁻ᵀ for the Cholesky factor C of XᵀX.
  const alpha = ybar + (sigma * rng.normal()) / Math.sqrt(n);
  const z = new Float64Array(p);
  for (let c = 0; c < p; c++) z[c] = rng.normal();
  backSolveTransposed(l, p, z);
  const beta = new Float64Array(p);
  for (let c = 0; c < p; c++) beta[c] = coef[c]! + sigma * z[c]!;
  return { fittedObs, coef, ybar, beta, alpha, sigma, ridged };
}
