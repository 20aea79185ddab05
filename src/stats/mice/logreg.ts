/**
 * `mice.impute.logreg` (mice 3.15): a weighted logistic regression (`glm.fit`, quasibinomial) on the
 * observed rows plus mice's augmentation rows, a draw β* = β̂ + L z with L Lᵀ = (XᵀWX)⁻¹
 * (`cov.unscaled`, no dispersion), then y = 1 with probability plogis(x β*).
 */
import type { Rng } from '../rng.js';
import { augmentedBlock, linearPredictor, type FitBlock } from './augment.js';
import { backSolveTransposed, choleskySolve } from '../linalg.js';
import { cholesky } from './linalg.js';

export interface LogisticFit {
  /** [intercept, slopes on the centred columns]. */
  readonly coef: Float64Array;
  /** Cholesky factor of XᵀWX at convergence (intercept first). */
  readonly chol: Float64Array;
  readonly converged: boolean;
}

const plogis = (x: number): number => 1 / (1 + Math.exp(-x));

/** IRLS as `glm.fit`: start μ = (w y + ½)/(w + 1), stop when |Δdev|/(|dev| + 0.1) < 1e-8, at most 25 iterations. */
export function fitWeightedLogistic(b: FitBlock, start?: Float64Array): LogisticFit {
  const { g, y, w } = b;
  const { n, p, x } = g;
  const q = p + 1;
  const eta = new Float64Array(n);
  if (start?.length === q) {
    // A warm start (the previous iteration's fit of this variable), as glm.fit's etastart.
    for (let i = 0; i < n; i++) {
      let e = start[0]!;
      for (let c = 0; c < p; c++) e += start[c + 1]! * x[c * n + i]!;
      eta[i] = e;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const mu = (w[i]! * y[i]! + 0.5) / (w[i]! + 1);
      eta[i] = Math.log(mu / (1 - mu));
    }
  }
  let devOld = Infinity;
  let coef: Float64Array = new Float64Array(q);
  let chol: Float64Array = new Float64Array(q * q);
  let converged = false;
  const wz = new Float64Array(n);
  const ww = new Float64Array(n);
  for (let iter = 0; iter < 25; iter++) {
    for (let i = 0; i < n; i++) {
      const mu = plogis(eta[i]!);
      const v = Math.max(mu * (1 - mu), 1e-300);
      ww[i] = w[i]! * v;
      wz[i] = ww[i]! * (eta[i]! + (y[i]! - mu) / v);
    }
    // Normal equations XᵀWX β = XᵀW z with X = [1, centred columns].
    const a = new Float64Array(q * q);
    const rhs = new Float64Array(q);
    let s0 = 0;
    let r0 = 0;
    for (let i = 0; i < n; i++) {
      s0 += ww[i]!;
      r0 += wz[i]!;
    }
    a[0] = s0;
    rhs[0] = r0;
    for (let c = 0; c < p; c++) {
      const oc = c * n;
      let s = 0;
      let r = 0;
      for (let i = 0; i < n; i++) {
        s += ww[i]! * x[oc + i]!;
        r += wz[i]! * x[oc + i]!;
      }
      a[(c + 1) * q] = s;
      a[c + 1] = s;
      rhs[c + 1] = r;
      for (let d = 0; d <= c; d++) {
        const od = d * n;
        let t = 0;
        for (let i = 0; i < n; i++) t += ww[i]! * x[oc + i]! * x[od + i]!;
        a[(c + 1) * q + d + 1] = t;
        a[(d + 1) * q + c + 1] = t;
      }
    }
    let l = cholesky(a, q);
    if (l === undefined) {
      for (let c = 0; c < q; c++) a[c * q + c] = a[c * q + c]! * (1 + 1e-7) + 1e-10;
      l = cholesky(a, q);
      if (l === undefined) break;
    }
    chol = l;
    choleskySolve(l, q, rhs);
    coef = rhs;
    let dev = 0;
    for (let i = 0; i < n; i++) {
      let e = coef[0]!;
      for (let c = 0; c < p; c++) e += coef[c + 1]! * x[c * n + i]!;
      eta[i] = e;
      const mu = plogis(e);
      const yi = y[i]!;
      // Binomial deviance contribution 2 w [y log(y/μ) + (1−y) log((1−y)/(1−μ))].
      dev -= 2 * w[i]! * (yi > 0 ? yi * Math.log(mu) : 0) + 2 * w[i]! * (yi < 1 ? (1 - yi) * Math.log(1 - mu) : 0);
    }
    if (Math.abs(dev - devOld) / (Math.abs(dev) + 0.1) < 1e-8) {
      converged = true;
      break;
    }
    devOld = dev;
  }
  return { coef, chol, converged };
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
  for (let i = 0; i < mis.length; i++) out[i] = rng.uniform() <= plogis(eta[i]!) ? 1 : 0;
  return out;
}
