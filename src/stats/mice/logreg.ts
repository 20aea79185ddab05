/**
 * `mice.impute.logreg` (mice 3.15): a weighted logistic regression (`glm.fit`, quasibinomial) on the
 * observed rows plus mice's augmentation rows — the binomial-logit model (models/binomial-logit.ts) fitted by
 * glm.fit's IRLS (fit/irls.ts, MICE_LOGREG_CONTROL) — then a draw β* = β̂ + L z with L Lᵀ = (XᵀWX)⁻¹
 * (`cov.unscaled`, no dispersion), and y = 1 with probability plogis(x β*).
 */
import { FitError } from '../../errors.js';
import type { Rng } from '../rng.js';
import { augmentedBlock, linearPredictor, type FitBlock } from './augment.js';
import { irls, MICE_LOGREG_CONTROL } from '../fit/irls.js';
import { backSolveTransposed, linearPredictor as designPredictor, ridgeDiagonal } from '../linalg.js';
import { miceCholesky } from './linalg.js';
import { BINOMIAL_LOGIT, probability } from '../models/binomial-logit.js';

export interface LogisticFit {
  /** [intercept, slopes on the centred columns]. */
  readonly coef: Float64Array;
  /** Cholesky factor of XᵀWX at convergence (intercept first). */
  readonly chol: Float64Array;
  readonly converged: boolean;
}

/** The weighted logistic fit of mice.impute.logreg on a block (intercept, then its centred columns); `start`: a previous fit's coefficients, as glm.fit's etastart. */
export function fitWeightedLogistic(b: FitBlock, start?: Float64Array): LogisticFit {
  const { g, y, w } = b;
  const { n, p, x } = g;
  const q = p + 1;
  const X = new Float64Array(n * q);
  X.fill(1, 0, n);
  X.set(x.subarray(0, n * p), n);
  // A warm start (the previous iteration's fit of this variable), as glm.fit's etastart.
  const etastart = start?.length === q ? designPredictor(X, n, q, start, new Float64Array(n)) : undefined;
  const fit = irls(X, n, q, y, BINOMIAL_LOGIT, { weights: w, etastart, control: MICE_LOGREG_CONTROL });
  // the draw's factor: of XᵀWX with the last iteration's W (glm.fit's, whose inverse is cov.unscaled), ridged as the IRLS was
  const { relative, absolute } = MICE_LOGREG_CONTROL.ridge!;
  const chol = miceCholesky(fit.XtWX, q, [(a) => { ridgeDiagonal(a, q, relative, absolute); }])?.L;
  if (chol === undefined) throw new FitError('the logistic imputation model is singular even with a ridge', { hint: 'a predictor may be constant among the observed rows: leave it out of this variable\'s predictors' });
  return { coef: fit.beta, chol, converged: fit.converged };
}

/** A variable's last fitted coefficients, kept by the sampler to warm-start its next fit (same maximum, fewer iterations). */
export interface WarmStart {
  coef?: Float64Array | undefined;
}

/** Imputes the rows `mis` of a 0/1 variable from predictor columns `cols`; `yObs` are the observed values at `obs`. */
export function imputeLogreg(cols: readonly Float64Array[], obs: Int32Array, yObs: Float64Array, mis: Int32Array, rng: Rng, warm: WarmStart = {}): Float64Array {
  const block = augmentedBlock(cols, obs, yObs, [0, 1], mis.length);
  const fit = fitWeightedLogistic(block, warm.coef);
  warm.coef = fit.converged ? fit.coef : undefined;
  const q = cols.length + 1;
  const z = new Float64Array(q);
  for (let c = 0; c < q; c++) z[c] = rng.normal();
  backSolveTransposed(fit.chol, q, z);
  const beta = new Float64Array(q - 1);
  for (let c = 0; c < q - 1; c++) beta[c] = fit.coef[c + 1]! + z[c + 1]!;
  const eta = linearPredictor(cols, block.g.means, beta, mis, fit.coef[0]! + z[0]!);
  const out = new Float64Array(mis.length);
  for (let i = 0; i < mis.length; i++) out[i] = rng.uniform() <= probability(eta[i]!) ? 1 : 0;
  return out;
}
