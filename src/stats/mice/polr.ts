/**
 * `mice.impute.polr` (mice 3.15): a weighted proportional-odds model (`MASS::polr`, logit link:
 * logit P(y ≤ j) = θ_j − xᵀβ) on the observed plus augmentation rows — the cumulative-logit model
 * (models/cumulative-logit.ts) fitted by Newton–Raphson (fit/newton.ts, POLR_CONTROL) from polr's start
 * (the thresholds of the model without covariates) or the variable's previous fit; like mice it uses the
 * point estimate (no parameter draw) and draws each missing category from the predicted probabilities.
 * When the fit fails mice falls back to `multinom`; so do we.
 */
import { FitError } from '../../errors.js';
import type { Rng } from '../rng.js';
import { augmentedBlock, linearPredictor, type FitBlock } from './augment.js';
import type { WarmStart } from './logreg.js';
import { newtonRaphson, newtonWorkspace, POLR_CONTROL } from '../fit/newton.js';
import { categoryProbabilities, clmStart, nullModelThresholds } from '../models/cumulative-logit.js';
import { CumulativeLogitObjective, cumulativeLogitParameters } from '../models/cumulative-logit-objective.js';
import { drawCategories, fitMultinomial, multinomialProbabilities } from './polyreg.js';

export interface OrdinalFit {
  /** K − 1 increasing thresholds. */
  readonly theta: Float64Array;
  readonly beta: Float64Array;
}

/**
 * The weighted proportional-odds fit on a block (its centred columns; y holds category indices
 * 0..k−1), from `start` (θ then β) when given, else polr's start, else clm's; undefined when no start
 * has a finite likelihood or the iteration does not converge (clm's codes 0 and 1 count as converged).
 */
export function fitOrdinal(b: FitBlock, k: number, start?: Float64Array): OrdinalFit | undefined {
  const { g, w } = b;
  const { n, p, x } = g;
  const y = Int32Array.from(b.y);
  const npar = cumulativeLogitParameters(k, 0, p);
  const objective = new CumulativeLogitObjective(x, n, p, y, k, { weights: w, workspace: newtonWorkspace(npar) });
  const nullTheta = nullModelThresholds(y, w, n, k);
  const starts: ((par: Float64Array) => void)[] = [];
  if (start?.length === npar) starts.push((par) => { par.set(start); });
  if (nullTheta !== undefined) starts.push((par) => { par.set(nullTheta); });
  starts.push((par) => {
    clmStart(k, 1, par);
  });
  for (const from of starts) {
    try {
      const r = newtonRaphson(objective, from, POLR_CONTROL);
      if (r.code > 1 || !Number.isFinite(r.value)) return undefined;
      return { theta: r.par.slice(0, k - 1), beta: r.par.slice(k - 1) };
    } catch (e) {
      // a start with a zero-probability row, or a singular Hessian on the way: the next start, then multinom
      if (!(e instanceof FitError)) throw e;
    }
  }
  return undefined;
}

/**
 * Imputes the rows `mis` of an ordered categorical variable with K categories (codes 0..K−1 in yObs,
 * only the observed categories are modelled).
 */
export function imputePolr(cols: readonly Float64Array[], obs: Int32Array, yObs: Float64Array, mis: Int32Array, rng: Rng, warm: WarmStart = {}): Float64Array {
  const { cats, index } = observedCategories(yObs);
  const k = cats.length;
  if (k === 1) return new Float64Array(mis.length).fill(cats[0]!);
  const yIdx = yObs.map((v) => index.get(v)!);
  const block = augmentedBlock(cols, obs, yIdx, cats.map((_, j) => j), mis.length);
  const fit = fitOrdinal(block, k, warm.coef);
  warm.coef = fit === undefined ? undefined : Float64Array.from([...fit.theta, ...fit.beta]);
  if (fit === undefined) {
    const mfit = fitMultinomial(block, k);
    return drawCategories(multinomialProbabilities(cols, block.g.means, mfit, k, mis), k, rng).map((j) => cats[j]!);
  }
  const eta = linearPredictor(cols, block.g.means, fit.beta, mis);
  const probs = new Float64Array(mis.length * k);
  for (let i = 0; i < mis.length; i++) categoryProbabilities(fit.theta, eta[i]!, probs, i * k);
  return drawCategories(probs, k, rng).map((j) => cats[j]!);
}

/** The distinct observed codes in increasing order, and code → index. */
export function observedCategories(yObs: Float64Array): { cats: number[]; index: Map<number, number> } {
  const cats = [...new Set(yObs)].sort((a, b) => a - b);
  return { cats, index: new Map(cats.map((c, j) => [c, j])) };
}
