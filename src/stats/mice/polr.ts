/**
 * `mice.impute.polr` (mice 3.15): a weighted proportional-odds model (`MASS::polr`, logit link:
 * logit P(y ≤ j) = θ_j − xᵀβ) on the observed plus augmentation rows, fitted by Newton–Raphson; like
 * mice it uses the point estimate (no parameter draw) and draws each missing category from the
 * predicted probabilities. When the fit fails mice falls back to `multinom`; so do we.
 */
import type { Rng } from '../rng.js';
import { augmentedBlock, linearPredictor, type FitBlock } from './augment.js';
import type { WarmStart } from './logreg.js';
import { choleskySolve } from '../linalg.js';
import { cholesky } from './linalg.js';
import { drawCategories, fitMultinomial, multinomialProbabilities } from './polyreg.js';

const plogis = (x: number): number => (x === Infinity ? 1 : x === -Infinity ? 0 : 1 / (1 + Math.exp(-x)));

export interface OrdinalFit {
  /** K − 1 increasing thresholds. */
  readonly theta: Float64Array;
  readonly beta: Float64Array;
}

/** Weighted log-likelihood, gradient and negative Hessian at (θ, β); y holds category indices 0..K−1. */
function evaluate(b: FitBlock, k: number, theta: Float64Array, beta: Float64Array, withDerivatives: boolean): { ll: number; grad: Float64Array; negHess: Float64Array } {
  const { g, y, w } = b;
  const { n, p, x } = g;
  const d = k - 1 + p;
  const grad = new Float64Array(d);
  const negHess = new Float64Array(d * d);
  let ll = 0;
  const xi = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    let eta = 0;
    for (let c = 0; c < p; c++) {
      xi[c] = x[c * n + i]!;
      eta += beta[c]! * xi[c]!;
    }
    const j = y[i]!;
    const u = j < k - 1 ? theta[j]! - eta : Infinity;
    const l = j > 0 ? theta[j - 1]! - eta : -Infinity;
    const fu = plogis(u);
    const fl = plogis(l);
    const pr = fu - fl;
    if (!(pr > 0)) return { ll: -Infinity, grad, negHess };
    const wi = w[i]!;
    ll += wi * Math.log(pr);
    if (!withDerivatives) continue;
    // Densities f = F(1 − F) and their derivatives f' = f(1 − 2F); zero at ±∞.
    const du = fu * (1 - fu);
    const dl = fl * (1 - fl);
    const d2u = du * (1 - 2 * fu);
    const d2l = dl * (1 - 2 * fl);
    // ∂p: θ_j → du, θ_{j−1} → −dl, β → −x (du − dl).
    const iu = j < k - 1 ? j : -1;
    const il = j > 0 ? j - 1 : -1;
    const gb = -(du - dl) / pr;
    if (iu >= 0) grad[iu]! += (wi * du) / pr;
    if (il >= 0) grad[il]! -= (wi * dl) / pr;
    for (let c = 0; c < p; c++) grad[k - 1 + c]! += wi * gb * xi[c]!;
    // −∂²log p = −(∂²p)/p + (∂p)(∂p)ᵀ/p².
    const add = (a: number, bb: number, v: number): void => {
      negHess[a * d + bb]! += wi * v;
    };
    const pu = du / pr;
    const pl = -dl / pr;
    if (iu >= 0) add(iu, iu, -d2u / pr + pu * pu);
    if (il >= 0) add(il, il, d2l / pr + pl * pl);
    if (iu >= 0 && il >= 0) {
      add(iu, il, pu * pl);
      add(il, iu, pu * pl);
    }
    const hbb = -(d2u - d2l) / pr + gb * gb;
    for (let c = 0; c < p; c++) {
      if (iu >= 0) {
        const v = (xi[c]! * d2u) / pr + pu * gb * xi[c]!;
        add(iu, k - 1 + c, v);
        add(k - 1 + c, iu, v);
      }
      if (il >= 0) {
        const v = (-xi[c]! * d2l) / pr + pl * gb * xi[c]!;
        add(il, k - 1 + c, v);
        add(k - 1 + c, il, v);
      }
      for (let e = 0; e <= c; e++) {
        const v = hbb * xi[c]! * xi[e]!;
        add(k - 1 + c, k - 1 + e, v);
        if (e !== c) add(k - 1 + e, k - 1 + c, v);
      }
    }
  }
  return { ll, grad, negHess };
}

/** Newton–Raphson with step halving; undefined when it does not converge. */
export function fitOrdinal(b: FitBlock, k: number, start?: Float64Array): OrdinalFit | undefined {
  const p = b.g.p;
  const d = k - 1 + p;
  // Start: thresholds at the logits of the weighted cumulative proportions, β = 0 (as polr's start).
  const tot = new Float64Array(k);
  let wsum = 0;
  for (let i = 0; i < b.g.n; i++) {
    tot[b.y[i]!]! += b.w[i]!;
    wsum += b.w[i]!;
  }
  let theta = new Float64Array(k - 1);
  let cum = 0;
  for (let j = 0; j < k - 1; j++) {
    cum += tot[j]!;
    const pc = Math.min(Math.max(cum / wsum, 1e-6), 1 - 1e-6);
    theta[j] = Math.log(pc / (1 - pc));
  }
  let beta = new Float64Array(p);
  if (start?.length === d) {
    theta = start.slice(0, k - 1);
    beta = start.slice(k - 1);
  }
  let cur = evaluate(b, k, theta, beta, true);
  if (cur.ll === -Infinity) {
    theta = theta.map((_, j) => Math.log((j + 1) / (k - j - 1)));
    beta = new Float64Array(p);
    cur = evaluate(b, k, theta, beta, true);
  }
  for (let iter = 0; iter < 50; iter++) {
    const l = cholesky(cur.negHess, d);
    if (l === undefined) return undefined;
    const step = Float64Array.from(cur.grad);
    choleskySolve(l, d, step);
    let t = 1;
    let accepted = false;
    for (let half = 0; half < 30; half++) {
      const th = theta.map((v, j) => v + t * step[j]!);
      const be = beta.map((v, c) => v + t * step[k - 1 + c]!);
      const next = evaluate(b, k, th, be, false);
      if (next.ll >= cur.ll - 1e-10 * Math.abs(cur.ll)) {
        const change = next.ll - cur.ll;
        theta = th;
        beta = be;
        cur = evaluate(b, k, theta, beta, true);
        accepted = true;
        if (Math.abs(change) < 1e-10 * (Math.abs(cur.ll) + 1)) {
          let gmax = 0;
          for (const gv of cur.grad) gmax = Math.max(gmax, Math.abs(gv));
          if (gmax < 1e-6) return { theta, beta };
        }
        break;
      }
      t /= 2;
    }
    if (!accepted) break;
  }
  let gmax = 0;
  for (const gv of cur.grad) gmax = Math.max(gmax, Math.abs(gv));
  return gmax < 1e-4 ? { theta, beta } : undefined;
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
  for (let i = 0; i < mis.length; i++) {
    let prev = 0;
    for (let j = 0; j < k; j++) {
      const cumP = j < k - 1 ? plogis(fit.theta[j]! - eta[i]!) : 1;
      probs[i * k + j] = cumP - prev;
      prev = cumP;
    }
  }
  return drawCategories(probs, k, rng).map((j) => cats[j]!);
}

/** The distinct observed codes in increasing order, and code → index. */
export function observedCategories(yObs: Float64Array): { cats: number[]; index: Map<number, number> } {
  const cats = [...new Set(yObs)].sort((a, b) => a - b);
  return { cats, index: new Map(cats.map((c, j) => [c, j])) };
}
