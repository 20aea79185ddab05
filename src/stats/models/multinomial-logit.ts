/**
 * The multinomial logit model (baseline-category logit, `nnet::multinom` with the first category as the
 * reference), for k categories and rows x_i = (1, x_i1 … x_ip) with case weights w_i:
 *
 *   η_ij = x_i'b_j (j = 1 … k−1), η_i0 = 0;   π_ij = exp(η_ij) / Σ_l exp(η_il)   (softmax, max-shifted)
 *   ℓ = Σ_i w_i log π_{i,y_i}
 *   ∂ℓ/∂b_j = Σ_i w_i (1[y_i = j] − π_ij) x_i                                       (score)
 *   −∂²ℓ/∂b_j∂b_l' = Σ_i w_i π_ij (δ_jl − π_il) x_i x_i'                             (information)
 *
 * Parameters b[(j − 1)(p + 1) + c], c = 0 the intercept. `MultinomialLogitObjective` gives −ℓ with its
 * gradient and Hessian over a data set to the Newton driver (fit/newton.ts): mice's polyreg
 * (mice/polyreg.ts) fits it with MICE_MULTINOM_CONTROL.
 */
import { crossprodVector, weightedCrossprod } from '../linalg.js';
import type { NewtonObjective } from '../fit/newton.js';
import { newtonWorkspace } from '../fit/newton.js';

/** π_i· at the row x (p values, no intercept) into out[0 … k): the softmax of (0, η_i1, …, η_i,k−1), shifted by its maximum. */
export function multinomialRowProbabilities(b: Float64Array, p: number, k: number, x: ArrayLike<number>, out: Float64Array): void {
  const q = p + 1;
  let max = 0;
  out[0] = 0;
  for (let j = 1; j < k; j++) {
    let e = b[(j - 1) * q]!;
    for (let c = 0; c < p; c++) e += b[(j - 1) * q + c + 1]! * x[c]!;
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

/**
 * −ℓ, its gradient and Hessian (row-major) of the weighted multinomial logit on the column-major n × p
 * predictors x (without the intercept column), categories y (0 … k−1) and weights w.
 */
export class MultinomialLogitObjective implements NewtonObjective {
  readonly npar: number;
  private readonly q: number;
  /** [1, x] as one column-major n × q block, for the blocked cross-products. */
  private readonly X1: Float64Array;
  private readonly pi: Float64Array;
  private readonly xr: Float64Array;
  private readonly row: Float64Array;
  private readonly wv: Float64Array;
  private readonly block: Float64Array;
  private readonly gv: Float64Array;
  /** The parameters of the last evaluation and its −ℓ: derivatives asked for at the same point reuse its π. */
  private readonly lastPar: Float64Array;
  private lastValue = NaN;

  constructor(
    private readonly x: Float64Array,
    private readonly n: number,
    private readonly p: number,
    private readonly y: ArrayLike<number>,
    private readonly k: number,
    private readonly w: Float64Array,
  ) {
    const q = p + 1;
    this.q = q;
    this.npar = (k - 1) * q;
    this.X1 = new Float64Array(n * q);
    this.X1.fill(1, 0, n);
    this.X1.set(x.subarray(0, n * p), n);
    this.pi = new Float64Array(n * k);
    this.xr = new Float64Array(p);
    this.row = new Float64Array(k);
    this.wv = new Float64Array(n);
    this.block = new Float64Array(q * q);
    this.gv = new Float64Array(q);
    this.lastPar = new Float64Array(this.npar).fill(NaN);
  }

  /** π and −ℓ at par (π row-major in this.pi), unless the last evaluation was at the same parameters. */
  private probabilities(par: Float64Array): number {
    const { x, n, p, k, y, w, pi, xr, row, lastPar } = this;
    let same = true;
    for (let r = 0; r < this.npar && same; r++) same = par[r] === lastPar[r];
    if (same) return this.lastValue;
    let ll = 0;
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < p; c++) xr[c] = x[c * n + i]!;
      multinomialRowProbabilities(par, p, k, xr, row);
      pi.set(row, i * k);
      ll += w[i]! * Math.log(Math.max(row[y[i]!]!, 1e-300));
    }
    lastPar.set(par);
    this.lastValue = -ll;
    return -ll;
  }

  workspace(): { work: Float64Array; kernels: undefined } {
    return { work: new Float64Array(newtonWorkspace(this.npar)), kernels: undefined };
  }

  evaluate(par: Float64Array, grad: Float64Array, hess: Float64Array, derivs: boolean): number {
    const { n, k, q, y, w, pi, wv, block, gv, X1 } = this;
    const value = this.probabilities(par);
    if (!derivs) return value;
    const d = this.npar;
    for (let j = 1; j < k; j++) {
      // the score's block j, negated: X'(w (π_j − 1[y = j]))
      for (let i = 0; i < n; i++) wv[i] = w[i]! * (pi[i * k + j]! - (y[i] === j ? 1 : 0));
      crossprodVector(X1, n, q, wv, gv);
      grad.set(gv, (j - 1) * q);
      for (let l = j; l < k; l++) {
        for (let i = 0; i < n; i++) wv[i] = w[i]! * pi[i * k + j]! * ((j === l ? 1 : 0) - pi[i * k + l]!);
        weightedCrossprod(X1, n, q, wv, block);
        for (let r = 0; r < q; r++) {
          for (let c = 0; c < q; c++) {
            hess[((j - 1) * q + r) * d + (l - 1) * q + c] = block[r * q + c]!;
            hess[((l - 1) * q + c) * d + (j - 1) * q + r] = block[r * q + c]!;
          }
        }
      }
    }
    return value;
  }
}
