/**
 * `mice.impute.polyreg` (mice 3.15): a weighted multinomial logit (`nnet::multinom`, first category as
 * reference; models/multinomial-logit.ts) on the observed plus augmentation rows, fitted here by the
 * Newton driver (fit/newton.ts) to the maximum of the likelihood (multinom's BFGS with maxit = 100
 * approximates the same point); like mice it uses the
 * point estimate and draws each missing category from the predicted probabilities. When only one
 * category is observed every missing value gets it.
 */
import { FitError } from '../../errors.js';
import type { Rng } from '../rng.js';
import { augmentedBlock, type FitBlock } from './augment.js';
import { MICE_MULTINOM_CONTROL, newtonRaphson } from '../fit/newton.js';
import { MultinomialLogitObjective, multinomialRowProbabilities } from '../models/multinomial-logit.js';
import type { WarmStart } from './logreg.js';
import { observedCategories } from './polr.js';

/** Coefficients per non-reference category: b[(j − 1) * (p + 1) + c], c = 0 the intercept. */
export interface MultinomialFit {
  readonly b: Float64Array;
  readonly p: number;
}

/**
 * The weighted multinomial logit (models/multinomial-logit.ts) on a block (its centred columns; y holds
 * category indices 0..k−1), by the Newton driver (fit/newton.ts, MICE_MULTINOM_CONTROL) from `start` or
 * zero; where no Newton step can be computed, the start itself (as mice keeps multinom's last iterate).
 */
export function fitMultinomial(blk: FitBlock, k: number, start?: Float64Array): MultinomialFit {
  const { g, y, w } = blk;
  const { n, p, x } = g;
  const objective = new MultinomialLogitObjective(x, n, p, y, k, w);
  const from = start?.length === objective.npar ? start : undefined;
  try {
    const r = newtonRaphson(objective, (par) => { if (from !== undefined) par.set(from); }, MICE_MULTINOM_CONTROL);
    return { b: r.par.slice(), p };
  } catch (e) {
    if (!(e instanceof FitError)) throw e;
    return { b: from === undefined ? new Float64Array(objective.npar) : Float64Array.from(from), p };
  }
}

/** Predicted probabilities (row-major mis.length × k) at the rows `mis` of the full columns. */
export function multinomialProbabilities(cols: readonly Float64Array[], means: Float64Array, fit: MultinomialFit, k: number, mis: Int32Array): Float64Array {
  const p = cols.length;
  const out = new Float64Array(mis.length * k);
  const xr = new Float64Array(p);
  const pi = new Float64Array(k);
  for (let i = 0; i < mis.length; i++) {
    for (let c = 0; c < p; c++) xr[c] = cols[c]![mis[i]!]! - means[c]!;
    multinomialRowProbabilities(fit.b, p, k, xr, pi);
    out.set(pi, i * k);
  }
  return out;
}

/** mice's draw: with u ~ U(0,1), the category is the number of cumulative probabilities below u. */
export function drawCategories(probs: Float64Array, k: number, rng: Rng): Float64Array {
  const n = probs.length / k;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.uniform();
    let cum = 0;
    let idx = 0;
    for (let j = 0; j < k - 1; j++) {
      cum += probs[i * k + j]!;
      if (u > cum) idx++;
    }
    out[i] = idx;
  }
  return out;
}

export function imputePolyreg(cols: readonly Float64Array[], obs: Int32Array, yObs: Float64Array, mis: Int32Array, rng: Rng, warm: WarmStart = {}): Float64Array {
  const { cats, index } = observedCategories(yObs);
  const k = cats.length;
  if (k === 1) return new Float64Array(mis.length).fill(cats[0]!);
  const yIdx = yObs.map((v) => index.get(v)!);
  const block = augmentedBlock(cols, obs, yIdx, cats.map((_, j) => j), mis.length);
  const fit = fitMultinomial(block, k, warm.coef);
  warm.coef = fit.b;
  return drawCategories(multinomialProbabilities(cols, block.g.means, fit, k, mis), k, rng).map((j) => cats[j]!);
}
