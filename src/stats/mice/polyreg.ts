/**
 * `mice.impute.polyreg` (mice 3.15): a weighted multinomial logit (`nnet::multinom`, first category as
 * reference) on the observed plus augmentation rows, fitted here by Newton–Raphson to the maximum of
 * the likelihood (multinom's BFGS with maxit = 100 approximates the same point); like mice it uses the
 * point estimate and draws each missing category from the predicted probabilities. When only one
 * category is observed every missing value gets it.
 */
import type { Rng } from '../rng.js';
import { augmentedBlock, type FitBlock } from './augment.js';
import { choleskySolve, crossprodVector, ridgeDiagonal, weightedCrossprod } from '../linalg.js';
import { miceCholesky } from './linalg.js';
import type { WarmStart } from './logreg.js';
import { observedCategories } from './polr.js';

/** Coefficients per non-reference category: b[(j − 1) * (p + 1) + c], c = 0 the intercept. */
export interface MultinomialFit {
  readonly b: Float64Array;
  readonly p: number;
}

function rowProbabilities(b: Float64Array, p: number, k: number, xi: Float64Array, out: Float64Array): void {
  const q = p + 1;
  let max = 0;
  out[0] = 0;
  for (let j = 1; j < k; j++) {
    let e = b[(j - 1) * q]!;
    for (let c = 0; c < p; c++) e += b[(j - 1) * q + c + 1]! * xi[c]!;
    out[j] = e;
    if (e > max) max = e;
  }
  let s = 0;
  for (let j = 0; j < k; j++) {
    out[j] = Math.exp(out[j]! - max);
    s += out[j]!;
  }
  for (let j = 0; j < k; j++) out[j] = out[j]! / s;
}

export function fitMultinomial(blk: FitBlock, k: number, start?: Float64Array): MultinomialFit {
  const { g, y, w } = blk;
  const { n, p, x } = g;
  const q = p + 1;
  const d = (k - 1) * q;
  // [1, centred columns] as one column-major n × q block, for the blocked cross-products.
  const X1 = new Float64Array(n * q);
  X1.fill(1, 0, n);
  X1.set(x.subarray(0, n * p), n);
  const pi = new Float64Array(n * k); // row-major probabilities
  const xr = new Float64Array(p);
  const row = new Float64Array(k);
  const probabilities = (bb: Float64Array): number => {
    let ll = 0;
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < p; c++) xr[c] = x[c * n + i]!;
      rowProbabilities(bb, p, k, xr, row);
      pi.set(row, i * k);
      ll += w[i]! * Math.log(Math.max(row[y[i]!]!, 1e-300));
    }
    return ll;
  };
  let b = start?.length === d ? Float64Array.from(start) : new Float64Array(d);
  let ll = probabilities(b);
  const wv = new Float64Array(n);
  const block = new Float64Array(q * q);
  const gv = new Float64Array(q);
  for (let iter = 0; iter < 100; iter++) {
    // Gradient X'(w (y_j − π_j)) and negative Hessian blocks X' diag(w π_j (δ_jl − π_l)) X.
    const grad = new Float64Array(d);
    const h = new Float64Array(d * d);
    for (let j = 1; j < k; j++) {
      for (let i = 0; i < n; i++) wv[i] = w[i]! * ((y[i] === j ? 1 : 0) - pi[i * k + j]!);
      crossprodVector(X1, n, q, wv, gv);
      grad.set(gv, (j - 1) * q);
      for (let l = j; l < k; l++) {
        for (let i = 0; i < n; i++) wv[i] = w[i]! * pi[i * k + j]! * ((j === l ? 1 : 0) - pi[i * k + l]!);
        weightedCrossprod(X1, n, q, wv, block);
        for (let r = 0; r < q; r++) {
          for (let c = 0; c < q; c++) {
            h[((j - 1) * q + r) * d + (l - 1) * q + c] = block[r * q + c]!;
            h[((l - 1) * q + c) * d + (j - 1) * q + r] = block[r * q + c]!;
          }
        }
      }
    }
    const l = miceCholesky(h, d, [(m) => { ridgeDiagonal(m, d, 1e-8, 1e-8); }])?.L;
    if (l === undefined) break;
    choleskySolve(l, d, grad);
    let t = 1;
    let next = b;
    let llNext = -Infinity;
    for (let half = 0; half < 30; half++) {
      next = b.map((v, c) => v + t * grad[c]!);
      llNext = probabilities(next);
      if (llNext >= ll - 1e-12 * Math.abs(ll)) break;
      t /= 2;
    }
    if (!(llNext >= ll - 1e-12 * Math.abs(ll))) {
      probabilities(b);
      break;
    }
    const change = llNext - ll;
    b = next;
    ll = llNext;
    if (Math.abs(change) < 1e-10 * (Math.abs(ll) + 1)) break;
  }
  return { b, p };
}

/** Predicted probabilities (row-major mis.length × k) at the rows `mis` of the full columns. */
export function multinomialProbabilities(cols: readonly Float64Array[], means: Float64Array, fit: MultinomialFit, k: number, mis: Int32Array): Float64Array {
  const p = cols.length;
  const out = new Float64Array(mis.length * k);
  const xr = new Float64Array(p);
  const pi = new Float64Array(k);
  for (let i = 0; i < mis.length; i++) {
    for (let c = 0; c < p; c++) xr[c] = cols[c]![mis[i]!]! - means[c]!;
    rowProbabilities(fit.b, p, k, xr, pi);
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
