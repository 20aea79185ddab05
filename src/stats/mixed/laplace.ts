/**
 * The marginal likelihood of a cumulative-logit model with random effects per cluster, by the Laplace
 * approximation (random intercept, or intercept and slope) or adaptive Gauss–Hermite quadrature (random
 * intercept), with its analytic gradient. See docs/mixed-models.md for the derivation.
 *
 *   P(Y_ij ≤ k | u_i) = F(θ_k − x_ij'β − s_ij),   s_ij = w_ij'u_i,   u_i ~ N(0, I_q)
 *   random intercept (q = 1):      w_ij = τ                                    parameters ρ = log τ
 *   intercept + slope z (q = 2):   w_ij = (a + c z_ij, b z_ij), b_i = L u_i, L = [[a, 0], [c, b]]   (log a, c, log b)
 *
 * ordinal::clmm's sign (a positive random effect raises the latent scale, as x'β does); the binary
 * logistic model is J = 2 with glmer's coefficients = (θ_1, −β) and modes −b_i.
 *
 * Per cluster, ℓ_i(u) = Σ_j w_j log p_ij(u) − |u|²/2 (w_j case weights), with conditional mode û_i
 * (Newton to |∇ℓ| < 1e-7, then one more step: Newton's quadratic convergence leaves |∇ℓ| ≈ 1e-14 —
 * ½ log det D depends on û to first order, so a looser mode is noise in the objective; clmm stops at
 * 1e-4) and D_i = −∇²ℓ_i(û_i) = I − Σ_j S2_j w_j w_j':
 *   Laplace:  −log L = Σ_i [ −ℓ_i(û_i) + ½ log det D_i ]
 *   AGQ (q = 1, n nodes x_h, weights w_h for e^{−x²}), K_i = √(2/D_i), v_ih = û_i + K_i x_h:
 *            −log L = −Σ_i [ log K_i − ½ log 2π + LSE_h( log w_h + x_h² + ℓ_i(v_ih) ) ]   (log-sum-exp:
 *            no underflow for clusters of any size — clmm sums exp(ℓ) and fails above ~400 patients)
 * Gradient, for each parameter ψ, with M = ∂²ℓ/∂u∂ψ and everything at the mode:
 *   dû/dψ = D⁻¹M,   dD/dψ = ∂D/∂ψ + Σ_k ∂D/∂u_k (dû/dψ)_k,   ∂D/∂u_k = Σ_j S3_j w_jk w_j w_j'
 *   d(Laplace)/dψ = Σ_i [ −∂ℓ_i/∂ψ + ½ tr(D_i⁻¹ dD_i/dψ) ]
 *   AGQ: d log L_i = d log K_i + Σ_h π_ih [ ∂ℓ/∂ψ(v_ih) + ∂ℓ/∂u(v_ih)(dû/dψ + x_h dK_i/dψ) ],
 *        π_ih the log-sum-exp weights, d log K = −½ dD/D.
 * with the per-parameter pieces (S1..S3, t1 = ∂S1/∂end, t2 = ∂S2/∂end: the cumulative-logit model's row
 * terms, src/stats/models/cumulative-logit.ts rowTerms and rowThirdOrder; t_λ = (∂w/∂λ)'u):
 *   β_m:  ∂ℓ = −Σ x S1           M = Σ x S2 w              ∂D = Σ x S3 w w'
 *   θ_k:  ∂ℓ = Σ L_end           M = −Σ t1_end w           ∂D = −Σ t2_end w w'   (rows whose upper / lower end is θ_k)
 *   λ:    ∂ℓ = −Σ S1 t_λ         M = Σ S2 t_λ w − Σ S1 ∂w/∂λ   ∂D = Σ S3 t_λ w w' − Σ S2 (∂w/∂λ w' + w ∂w/∂λ')
 */
import { CumulativeLogitObjective } from '../models/cumulative-logit-objective.js';
import { gaussHermite, type GaussHermiteRule } from './gauss-hermite.js';
import {
  ROW3_S3,
  ROW3_T2A,
  ROW3_T2B,
  ROW3_TERMS,
  ROW_C,
  ROW_D,
  ROW_GA,
  ROW_GB,
  ROW_L,
  ROW_P,
  ROW_TERMS,
  ROW_U,
  categoryConstants,
  rowKind,
  rowLogProbability,
  rowTerms,
  rowThirdOrder,
  type RowKind,
} from '../models/cumulative-logit.js';

/** The data of a fit, rows sorted by cluster. */
export interface MixedData {
  /** Column-major n × p fixed-effects design without an intercept (the thresholds play it). */
  readonly X: Float64Array;
  readonly n: number;
  readonly p: number;
  /** Outcome category 0..J−1 per row. */
  readonly y: Int32Array;
  readonly J: number;
  /** Case weights (undefined: 1). */
  readonly weights: Float64Array | undefined;
  /** Rows start[i] .. start[i+1]−1 are cluster i (length clusters + 1). */
  readonly start: Int32Array;
  /** The random slope's variable per row (q = 2), undefined for a random intercept. */
  readonly z: Float64Array | undefined;
}

/** Inner Newton: |∇ℓ_i| below which one more step is the last (it leaves |∇ℓ_i| of the order of its square). */
const MODE_TOL = 1e-7;
const MODE_MAX_ITER = 100;

/** Symmetric q × q (q ≤ 2) stored as [d11] or [d11, d12, d22]. */
function symSize(q: number): number {
  return q === 1 ? 1 : 3;
}

export class MixedLikelihood {
  readonly q: number;
  readonly K: number;
  /** Number of parameters: K thresholds, p coefficients, 1 (ρ) or 3 (log a, c, log b). */
  readonly npar: number;
  readonly nre: number;
  readonly clusters: number;
  private readonly rule: GaussHermiteRule | undefined;
  /** Conditional modes (warm start between evaluations), clusters × q. */
  readonly modes: Float64Array;
  /** D_i at the modes, clusters × symSize(q). */
  readonly curvature: Float64Array;
  private readonly eta: Float64Array;
  /**
   * log e per row before the random effect: θ_{y_i} − η_i, or θ_{y_i − 1} − η_i for the highest category
   * (rowTerms's argument: e = exp(base − s) with s the row's random effect).
   */
  private readonly base: Float64Array;
  /** Per category: its row kind and rowTerms's constants (categoryConstants: θ_c, θ_{c−1}, r, 1 − r, 1/(1 − r)). */
  private readonly kinds: RowKind[];
  private readonly cc: Float64Array;
  /** One row's terms (rowTerms with w = 1) and third-order terms (rowThirdOrder). */
  private readonly t = new Float64Array(ROW_TERMS);
  private readonly t3 = new Float64Array(ROW3_TERMS);
  // per-cluster accumulators of the gradient pass
  private readonly accX: Float64Array;
  private readonly accT: Float64Array;
  private readonly accR: Float64Array;
  private readonly accDu: Float64Array;
  private readonly w = new Float64Array(2);
  private readonly dw = new Float64Array(6);
  /** The row's w w' (symmetric storage). */
  private readonly ww = new Float64Array(3);
  /**
   * The last gradient evaluation's parameters, modes and dû/dψ (clusters × npar × q): the next evaluation
   * starts each mode from û + (dû/dψ)Δψ, within O(Δψ²) of its new value (one Newton step fewer than from û).
   */
  private predictFrom: Float64Array | undefined;
  private readonly modesAt: Float64Array;
  private readonly du: Float64Array;
  /** The cumulative-logit objective on the same rows and its offset array (profiledHessian), made on first use. */
  private clm: CumulativeLogitObjective | undefined;
  private clmOffset: Float64Array | undefined;
  /** β of the current η (for an update when few coefficients changed). */
  private etaBeta: Float64Array | undefined;

  constructor(
    readonly data: MixedData,
    /** 1: Laplace; > 1: adaptive Gauss–Hermite with that many nodes (random intercept only). */
    readonly nAGQ: number,
  ) {
    this.q = data.z === undefined ? 1 : 2;
    if (this.q === 2 && nAGQ !== 1) throw new RangeError('adaptive quadrature is for a scalar random effect only');
    this.K = data.J - 1;
    this.nre = this.q === 1 ? 1 : 3;
    this.npar = this.K + data.p + this.nre;
    this.clusters = data.start.length - 1;
    this.rule = nAGQ > 1 ? gaussHermite(nAGQ) : undefined;
    this.modes = new Float64Array(this.clusters * this.q);
    this.modesAt = new Float64Array(this.clusters * this.q);
    this.du = new Float64Array(this.clusters * this.npar * this.q);
    this.curvature = new Float64Array(this.clusters * symSize(this.q));
    this.eta = new Float64Array(data.n);
    this.base = new Float64Array(data.n);
    this.kinds = Array.from({ length: data.J }, (_, c) => rowKind(c, data.J));
    this.cc = new Float64Array(5 * data.J);
    const ns = symSize(this.q);
    this.accX = new Float64Array(data.p * (1 + this.q + ns));
    this.accT = new Float64Array(this.K * (1 + this.q + ns));
    this.accR = new Float64Array(this.nre * (1 + this.q + ns));
    this.accDu = new Float64Array(this.q * ns);
  }

  /** The random-effect loadings L as (a, c, b) (q = 2) or (τ) from the parameter vector. */
  reLoadings(par: ArrayLike<number>): number[] {
    const o = this.K + this.data.p;
    return this.q === 1 ? [Math.exp(par[o]!)] : [Math.exp(par[o]!), par[o + 1]!, Math.exp(par[o + 2]!)];
  }

  /**
   * Sets up θ, η and the category constants; false when the thresholds are not increasing (the
   * objective is then +∞).
   */
  private prepare(par: ArrayLike<number>): boolean {
    const { K } = this;
    const { X, n, p, J } = this.data;
    for (let k = 1; k < K; k++) if (!(par[k]! > par[k - 1]!)) return false;
    for (let c = 0; c < J; c++) categoryConstants(c < K ? par[c]! : 0, c > 0 ? par[c - 1]! : 0, this.kinds[c]!, this.cc, 5 * c);
    // η = Xβ; when at most two coefficients changed since the last η (a differenced Hessian's steps), updated
    const eta = this.eta;
    const last = this.etaBeta;
    let changed = 0;
    if (last !== undefined) for (let m = 0; m < p; m++) if (par[K + m] !== last[m]) changed++;
    if (last !== undefined && changed <= 2) {
      for (let m = 0; m < p; m++) {
        const d = par[K + m]! - last[m]!;
        if (d === 0) continue;
        const o = m * n;
        for (let i = 0; i < n; i++) eta[i] = eta[i]! + d * X[o + i]!;
        last[m] = par[K + m]!;
      }
    } else {
      eta.fill(0);
      for (let m = 0; m < p; m++) {
        const b = par[K + m]!;
        if (b === 0) continue;
        const o = m * n;
        for (let i = 0; i < n; i++) eta[i] = eta[i]! + b * X[o + i]!;
      }
      this.etaBeta = Float64Array.from({ length: p }, (_, m) => par[K + m]!);
    }
    const y = this.data.y;
    for (let i = 0; i < n; i++) {
      const c = y[i]!;
      this.base[i] = (c === K ? par[c - 1]! : par[c]!) - eta[i]!;
    }
    return true;
  }

  /**
   * Row i (category c) at random effect s: its terms into this.t (and this.t3 when `third`); returns
   * log p when `withLog`, else NaN.
   */
  private row(i: number, c: number, s: number, third: boolean, withLog: boolean): number {
    const kind = this.kinds[c]!;
    const cc = this.cc;
    const o = 5 * c;
    const logE = this.base[i]! - s;
    const e = Math.exp(logE);
    rowTerms(kind, e, cc[o + 2]!, cc[o + 3]!, cc[o + 4]!, 1, this.t);
    if (third) rowThirdOrder(kind, e, cc[o + 2]!, this.t, this.t3);
    return withLog ? rowLogProbability(kind, e, logE, cc[o + 3]!, cc[o + 2]!, this.t[ROW_P]!) : NaN;
  }

  /** The row's random-effect design w (and ∂w/∂λ for the RE parameters) into this.w / this.dw. */
  private design(L: readonly number[], i: number): void {
    if (this.q === 1) {
      this.w[0] = L[0]!;
      this.dw[0] = L[0]!; // ∂τ/∂ρ
      return;
    }
    const z = this.data.z![i]!;
    const a = L[0]!;
    const c = L[1]!;
    const b = L[2]!;
    this.w[0] = a + c * z;
    this.w[1] = b * z;
    // ∂w/∂log a = (a, 0), ∂w/∂c = (z, 0), ∂w/∂log b = (0, b z)
    this.dw[0] = a;
    this.dw[1] = 0;
    this.dw[2] = z;
    this.dw[3] = 0;
    this.dw[4] = 0;
    this.dw[5] = b * z;
  }

  /**
   * Cluster ci's conditional mode by Newton, warm-started from the previous mode: iterates to
   * |∇ℓ| < MODE_TOL, then takes one more full step (without the pass at its end: the caller's pass is
   * there). ℓ is strictly concave (D ≥ I), so a step is safeguarded by the gradient alone — at most 4 in
   * u and halved until ‖∇ℓ‖ falls — and the passes need no log-likelihood. Leaves the mode in `modes`;
   * returns the Newton steps taken, −1 when not converged.
   */
  private findMode(par: ArrayLike<number>, L: readonly number[], ci: number): number {
    const { q } = this;
    const u = this.modes;
    const o = ci * q;
    let u1 = u[o]!;
    let u2 = q === 2 ? u[o + 1]! : 0;
    // a warm start left unusable by an evaluation far from the optimum restarts at 0
    if (!Number.isFinite(u1) || !Number.isFinite(u2) || Math.abs(u1) > 50 || Math.abs(u2) > 50) {
      u1 = 0;
      u2 = 0;
    }
    this.clusterPass(par, L, ci, u1, u2, false);
    for (let steps = 0; steps < MODE_MAX_ITER; steps++) {
      const { g1, g2, d11, d12, d22 } = this.last;
      let s1: number;
      let s2 = 0;
      if (q === 1) s1 = g1 / d11;
      else {
        const det = d11 * d22 - d12 * d12;
        s1 = (d22 * g1 - d12 * g2) / det;
        s2 = (d11 * g2 - d12 * g1) / det;
      }
      if (Math.abs(g1) < MODE_TOL && Math.abs(g2) < MODE_TOL) {
        u[o] = u1 + s1;
        if (q === 2) u[o + 1] = u2 + s2;
        return steps;
      }
      const norm = g1 * g1 + g2 * g2;
      const len = Math.sqrt(s1 * s1 + s2 * s2);
      let t = len > 4 ? 4 / len : 1;
      for (let h = 0; h < 60; h++) {
        this.clusterPass(par, L, ci, u1 + t * s1, u2 + t * s2, false);
        const { g1: n1, g2: n2 } = this.last;
        if (n1 * n1 + n2 * n2 < norm) break;
        t /= 2;
      }
      u1 += t * s1;
      u2 += t * s2;
    }
    u[o] = u1;
    if (q === 2) u[o + 1] = u2;
    return -1;
  }

  /** The last cluster pass: gradient of ℓ and D at the point passed. */
  private readonly last = { g1: 0, g2: 0, d11: 1, d12: 0, d22: 1 };

  /** ℓ_i(u) (when `withLog`, else NaN) and, in `last`, ∇ℓ_i(u) and D_i(u): one pass over the cluster's rows. */
  private clusterPass(par: ArrayLike<number>, L: readonly number[], ci: number, u1: number, u2: number, withLog: boolean): number {
    const { start, weights, y } = this.data;
    const t = this.t;
    let sl = 0;
    let a1 = 0;
    let a2 = 0;
    let b11 = 0;
    let b12 = 0;
    let b22 = 0;
    const last = this.last;
    if (this.q === 1) {
      // w = τ for every row: sums of S1, S2 scaled once
      const tau = L[0]!;
      const s = tau * u1;
      for (let i = start[ci]!, end = start[ci + 1]!; i < end; i++) {
        const lp = this.row(i, y[i]!, s, false, withLog);
        if (weights === undefined) {
          sl += lp;
          a1 += t[ROW_D]!;
          b11 -= t[ROW_C]!;
        } else {
          const wt = weights[i]!;
          sl += wt * lp;
          a1 += wt * t[ROW_D]!;
          b11 -= wt * t[ROW_C]!;
        }
      }
      last.g1 = -tau * a1 - u1;
      last.g2 = 0;
      last.d11 = 1 - tau * tau * b11;
      last.d12 = 0;
      last.d22 = 1;
      return withLog ? sl - 0.5 * u1 * u1 : NaN;
    }
    const w = this.w;
    for (let i = start[ci]!, end = start[ci + 1]!; i < end; i++) {
      this.design(L, i);
      const w0 = w[0]!;
      const w1 = w[1]!;
      const s = w0 * u1 + w1 * u2;
      const lp = this.row(i, y[i]!, s, false, withLog);
      const wt = weights === undefined ? 1 : weights[i]!;
      sl += wt * lp;
      const s1 = wt * t[ROW_D]!;
      const s2 = -wt * t[ROW_C]!;
      a1 += s1 * w0;
      a2 += s1 * w1;
      b11 += s2 * w0 * w0;
      b12 += s2 * w0 * w1;
      b22 += s2 * w1 * w1;
    }
    last.g1 = -a1 - u1;
    last.g2 = -a2 - u2;
    last.d11 = 1 - b11;
    last.d12 = -b12;
    last.d22 = 1 - b22;
    return withLog ? sl - 0.5 * (u1 * u1 + u2 * u2) : NaN;
  }

  /** −log L at `par` (Laplace or AGQ): +∞ for invalid thresholds or a non-finite value. */
  value(par: ArrayLike<number>): number {
    return this.evaluate(par, undefined);
  }

  /** −log L and its gradient (written to `grad`). */
  gradient(par: ArrayLike<number>, grad: Float64Array): number {
    return this.evaluate(par, grad);
  }

  /** Total inner Newton steps of the last evaluation (for diagnostics). */
  innerSteps = 0;
  /** Clusters whose mode did not converge in the last evaluation. */
  unconvergedModes = 0;

  private evaluate(par: ArrayLike<number>, grad: Float64Array | undefined): number {
    if (!this.prepare(par)) return Infinity;
    const L = this.reLoadings(par);
    if (grad !== undefined) grad.fill(0);
    let total = 0;
    this.innerSteps = 0;
    this.unconvergedModes = 0;
    this.predictModes(par);
    const ns = symSize(this.q);
    for (let ci = 0; ci < this.clusters; ci++) {
      const steps = this.findMode(par, L, ci);
      if (steps < 0) this.unconvergedModes++;
      else this.innerSteps += steps;
      const o = ci * this.q;
      const u1 = this.modes[o]!;
      const u2 = this.q === 2 ? this.modes[o + 1]! : 0;
      let ell: number;
      if (grad === undefined) {
        ell = this.clusterPass(par, L, ci, u1, u2, true);
      } else {
        ell = this.q === 1 ? this.gradientPassScalar(L[0]!, ci, u1) : this.gradientPass(par, L, ci, u1, u2);
      }
      const { d11, d12, d22 } = this.last;
      const c = ci * ns;
      this.curvature[c] = d11;
      if (ns === 3) {
        this.curvature[c + 1] = d12;
        this.curvature[c + 2] = d22;
      }
      const det = this.q === 1 ? d11 : d11 * d22 - d12 * d12;
      if (!(det > 0) || !Number.isFinite(ell)) return Infinity;
      if (this.rule === undefined) {
        total += -ell + 0.5 * Math.log(det);
        if (grad !== undefined) this.laplaceGradient(grad, ci);
      } else {
        total -= this.agqCluster(par, L, ci, u1, d11, grad);
      }
    }
    if (grad !== undefined) {
      this.predictFrom = Float64Array.from(par);
      this.modesAt.set(this.modes);
    }
    return total;
  }

  /** Starts the modes from the last gradient evaluation's, moved by (dû/dψ)Δψ, when Δψ is small. */
  private predictModes(par: ArrayLike<number>): void {
    const from = this.predictFrom;
    if (from === undefined) return;
    const npar = this.npar;
    let largest = 0;
    for (let j = 0; j < npar; j++) {
      const d = par[j] === from[j] ? 0 : par[j]! - from[j]!;
      if (!Number.isFinite(d)) return;
      largest = Math.max(largest, Math.abs(d));
    }
    if (largest > 0.5) return;
    const q = this.q;
    for (let ci = 0; ci < this.clusters; ci++) {
      for (let k = 0; k < q; k++) {
        let u = this.modesAt[ci * q + k]!;
        const o = (ci * npar) * q + k;
        for (let j = 0; j < npar; j++) {
          if (par[j] === from[j]) continue;
          u += this.du[o + j * q]! * (par[j]! - from[j]!);
        }
        this.modes[ci * q + k] = u;
      }
    }
  }

  // ---- the gradient pass --------------------------------------------------------------------------

  /**
   * One pass over cluster ci's rows at its mode, accumulating ℓ, ∇ℓ, D and the per-parameter sums of the
   * header's table (per β column, per threshold, per RE parameter: ∂ℓ, M (q), ∂D (symmetric)) and ∂D/∂u.
   * Returns ℓ_i(û).
   */
  private gradientPass(par: ArrayLike<number>, L: readonly number[], ci: number, u1: number, u2: number): number {
    const { X, n, p, start, weights, y } = this.data;
    const { q, K } = this;
    const ns = symSize(q);
    const stride = 1 + q + ns;
    const accX = this.accX.fill(0);
    const accT = this.accT.fill(0);
    const accR = this.accR.fill(0);
    const accDu = this.accDu.fill(0);
    const t = this.t;
    const t3 = this.t3;
    const w = this.w;
    const dw = this.dw;
    let sl = 0;
    let a1 = 0;
    let a2 = 0;
    let b11 = 0;
    let b12 = 0;
    let b22 = 0;
    const ww = this.ww;
    for (let i = start[ci]!; i < start[ci + 1]!; i++) {
      this.design(L, i);
      const s = q === 1 ? w[0]! * u1 : w[0]! * u1 + w[1]! * u2;
      const yi = y[i]!;
      const logp = this.row(i, yi, s, true, true);
      const wt = weights === undefined ? 1 : weights[i]!;
      const S1 = wt * t[ROW_D]!;
      const S2 = -wt * t[ROW_C]!;
      const S3 = wt * t3[ROW3_S3]!;
      sl += wt * logp;
      const w0 = w[0]!;
      ww[0] = w0 * w0;
      if (q === 2) {
        const w1 = w[1]!;
        ww[1] = w0 * w1;
        ww[2] = w1 * w1;
        a2 += S1 * w1;
        b12 += S2 * ww[1];
        b22 += S2 * ww[2];
        // ∂D/∂u_k = Σ S3 w_k w w'
        for (let t = 0; t < 3; t++) {
          accDu[t] = accDu[t]! + S3 * w0 * ww[t]!;
          accDu[3 + t] = accDu[3 + t]! + S3 * w1 * ww[t]!;
        }
      } else {
        accDu[0] = accDu[0]! + S3 * w0 * ww[0];
      }
      a1 += S1 * w0;
      b11 += S2 * ww[0];
      // β: (−Σ x S1, Σ x S2 w, Σ x S3 w w') — stored as (Σ x S1, Σ x S2 w, Σ x S3 w w') and signed later
      for (let m = 0; m < p; m++) {
        const x = X[m * n + i]!;
        if (x === 0) continue;
        const o = m * stride;
        accX[o] = accX[o]! + x * S1;
        const xs2 = x * S2;
        const xs3 = x * S3;
        accX[o + 1] = accX[o + 1]! + xs2 * w0;
        if (q === 1) accX[o + 2] = accX[o + 2]! + xs3 * ww[0];
        else {
          accX[o + 2] = accX[o + 2]! + xs2 * w[1]!;
          accX[o + 3] = accX[o + 3]! + xs3 * ww[0];
          accX[o + 4] = accX[o + 4]! + xs3 * ww[1]!;
          accX[o + 5] = accX[o + 5]! + xs3 * ww[2]!;
        }
      }
      // θ: the row's upper end is θ_yi (yi < K), its lower end θ_{yi−1} (yi > 0)
      if (yi < K) this.addThreshold(accT, yi * stride, wt * t[ROW_GA]!, wt * t[ROW_U]!, wt * t3[ROW3_T2A]!, ww);
      if (yi > 0) this.addThreshold(accT, (yi - 1) * stride, wt * t[ROW_GB]!, wt * t[ROW_L]!, wt * t3[ROW3_T2B]!, ww);
      // RE parameters λ: t_λ = (∂w/∂λ)'u
      for (let r = 0; r < this.nre; r++) {
        const d0 = dw[r * q]!;
        const d1 = q === 2 ? dw[r * q + 1]! : 0;
        const tl = d0 * u1 + d1 * u2;
        const o = r * stride;
        accR[o] = accR[o]! - S1 * tl; // ∂ℓ/∂λ
        accR[o + 1] = accR[o + 1]! + S2 * tl * w0 - S1 * d0; // M_λ
        if (q === 1) {
          accR[o + 2] = accR[o + 2]! + S3 * tl * ww[0] - S2 * 2 * d0 * w0;
        } else {
          const w1 = w[1]!;
          accR[o + 2] = accR[o + 2]! + S2 * tl * w1 - S1 * d1;
          accR[o + 3] = accR[o + 3]! + S3 * tl * ww[0] - S2 * 2 * d0 * w0;
          accR[o + 4] = accR[o + 4]! + S3 * tl * ww[1]! - S2 * (d0 * w1 + w0 * d1);
          accR[o + 5] = accR[o + 5]! + S3 * tl * ww[2]! - S2 * 2 * d1 * w1;
        }
      }
    }
    const last = this.last;
    last.g1 = -a1 - u1;
    last.g2 = q === 2 ? -a2 - u2 : 0;
    last.d11 = 1 - b11;
    last.d12 = -b12;
    last.d22 = 1 - b22;
    return sl - 0.5 * (u1 * u1 + u2 * u2);
  }

  /**
   * gradientPass for a random intercept (w = τ on every row): the same sums with the powers of τ taken
   * out of the row loop — per β column (Σ x S1, τ Σ x S2, τ² Σ x S3), per threshold (Σ L_end, −τ Σ t1,
   * −τ² Σ t2), for ρ from Σ S1, Σ S2, Σ S3 — written to the accumulators in gradientPass's layout.
   */
  private gradientPassScalar(tau: number, ci: number, u: number): number {
    const { X, n, p, start, weights, y } = this.data;
    const { K, t, t3 } = this;
    const accX = this.accX.fill(0);
    const accT = this.accT.fill(0);
    const s = tau * u;
    let sl = 0;
    let S1 = 0;
    let S2 = 0;
    let S3 = 0;
    for (let i = start[ci]!, end = start[ci + 1]!; i < end; i++) {
      const c = y[i]!;
      const logp = this.row(i, c, s, true, true);
      const wt = weights === undefined ? 1 : weights[i]!;
      const r1 = wt * t[ROW_D]!;
      const r2 = -wt * t[ROW_C]!;
      const r3 = wt * t3[ROW3_S3]!;
      sl += wt * logp;
      S1 += r1;
      S2 += r2;
      S3 += r3;
      for (let m = 0, o = 0; m < p; m++, o += 3) {
        const x = X[m * n + i]!;
        accX[o] = accX[o]! + x * r1;
        accX[o + 1] = accX[o + 1]! + x * r2;
        accX[o + 2] = accX[o + 2]! + x * r3;
      }
      if (c < K) {
        const o = c * 3;
        accT[o] = accT[o]! + wt * t[ROW_GA]!;
        accT[o + 1] = accT[o + 1]! + wt * t[ROW_U]!;
        accT[o + 2] = accT[o + 2]! + wt * t3[ROW3_T2A]!;
      }
      if (c > 0) {
        const o = (c - 1) * 3;
        accT[o] = accT[o]! + wt * t[ROW_GB]!;
        accT[o + 1] = accT[o + 1]! + wt * t[ROW_L]!;
        accT[o + 2] = accT[o + 2]! + wt * t3[ROW3_T2B]!;
      }
    }
    const t2 = tau * tau;
    for (let o = 0; o < 3 * p; o += 3) {
      accX[o + 1] = tau * accX[o + 1]!;
      accX[o + 2] = t2 * accX[o + 2]!;
    }
    for (let o = 0; o < 3 * K; o += 3) {
      accT[o + 1] = -tau * accT[o + 1]!;
      accT[o + 2] = -t2 * accT[o + 2]!;
    }
    // ρ = log τ: ∂ℓ = −τ u ΣS1, M = −τ ΣS1 + τ² u ΣS2, ∂D = −2τ² ΣS2 + τ³ u ΣS3; ∂D/∂u = τ³ ΣS3
    const accR = this.accR;
    accR[0] = -s * S1;
    accR[1] = -tau * S1 + t2 * u * S2;
    accR[2] = -2 * t2 * S2 + t2 * s * S3;
    this.accDu[0] = t2 * tau * S3;
    const last = this.last;
    last.g1 = -tau * S1 - u;
    last.g2 = 0;
    last.d11 = 1 - t2 * S2;
    last.d12 = 0;
    last.d22 = 1;
    return sl - 0.5 * u * u;
  }

  private addThreshold(acc: Float64Array, o: number, l: number, t1: number, t2: number, ww: Float64Array): void {
    const w = this.w;
    acc[o] = acc[o]! + l; // ∂ℓ
    acc[o + 1] = acc[o + 1]! - t1 * w[0]!; // M
    if (this.q === 1) acc[o + 2] = acc[o + 2]! - t2 * ww[0]!;
    else {
      acc[o + 2] = acc[o + 2]! - t1 * w[1]!;
      acc[o + 3] = acc[o + 3]! - t2 * ww[0]!;
      acc[o + 4] = acc[o + 4]! - t2 * ww[1]!;
      acc[o + 5] = acc[o + 5]! - t2 * ww[2]!;
    }
  }

  /**
   * Adds cluster ci's Laplace gradient, Σ over parameters of −∂ℓ/∂ψ + ½ tr(D⁻¹ dD/dψ), from the sums of
   * the gradient pass (β entries hold (Σ x S1, Σ x S2 w, Σ x S3 ww'), i.e. ∂ℓ = −first, M = second, ∂D = third).
   */
  private laplaceGradient(grad: Float64Array, ci: number): void {
    const { q, K, npar } = this;
    const { p } = this.data;
    const ns = symSize(q);
    const stride = 1 + q + ns;
    const { d11, d12, d22 } = this.last;
    const du = this.du;
    if (q === 1) {
      const D = d11;
      const Du = this.accDu[0]!;
      const base = ci * npar;
      // per parameter: dû = M/D, then −∂ℓ + ½ (∂D + Du·dû)/D
      const contrib = (j: number, dl: number, M: number, dD: number): number => {
        const d = M / D;
        du[base + j] = d;
        return -dl + (0.5 * (dD + Du * d)) / D;
      };
      for (let k = 0; k < K; k++) {
        const o = k * stride;
        grad[k] = grad[k]! + contrib(k, this.accT[o]!, this.accT[o + 1]!, this.accT[o + 2]!);
      }
      for (let m = 0; m < p; m++) {
        const o = m * stride;
        grad[K + m] = grad[K + m]! + contrib(K + m, -this.accX[o]!, this.accX[o + 1]!, this.accX[o + 2]!);
      }
      grad[K + p] = grad[K + p]! + contrib(K + p, this.accR[0]!, this.accR[1]!, this.accR[2]!);
      return;
    }
    const det = d11 * d22 - d12 * d12;
    const i11 = d22 / det;
    const i12 = -d12 / det;
    const i22 = d11 / det;
    const Du = this.accDu;
    const base = ci * npar * 2;
    let at = 0;
    const contrib = (dl: number, M1: number, M2: number, e11: number, e12: number, e22: number): number => {
      // dû = D⁻¹ M
      const v1 = i11 * M1 + i12 * M2;
      const v2 = i12 * M1 + i22 * M2;
      du[base + 2 * at] = v1;
      du[base + 2 * at + 1] = v2;
      at++;
      // dD = ∂D + Du_1 v1 + Du_2 v2
      const f11 = e11 + Du[0]! * v1 + Du[3]! * v2;
      const f12 = e12 + Du[1]! * v1 + Du[4]! * v2;
      const f22 = e22 + Du[2]! * v1 + Du[5]! * v2;
      // tr(D⁻¹ dD)
      const tr = i11 * f11 + 2 * i12 * f12 + i22 * f22;
      return -dl + 0.5 * tr;
    };
    const acc6 = (a: Float64Array, o: number, sign: number): number =>
      contrib(sign * a[o]!, a[o + 1]!, a[o + 2]!, a[o + 3]!, a[o + 4]!, a[o + 5]!);
    for (let k = 0; k < K; k++) grad[k] = grad[k]! + acc6(this.accT, k * stride, 1);
    for (let m = 0; m < p; m++) grad[K + m] = grad[K + m]! + acc6(this.accX, m * stride, -1);
    for (let r = 0; r < 3; r++) grad[K + p + r] = grad[K + p + r]! + acc6(this.accR, r * stride, 1);
  }

  // ---- the profiled Hessian (q = 1) ---------------------------------------------------------------------

  /**
   * For a random intercept, at `par` (after a gradient evaluation there, whose modes it uses): the Hessian
   * of Σ_i −ℓ_i(û_i(ψ), ψ), i.e. Σ_i [−ℓ_ψψ' − M_ψ M_ψ'/D_i] (the cluster log-likelihood profiled over its
   * random effect; the Laplace objective's ½ log D_i adds curvature of the order of one observation per
   * cluster, which this leaves out). With u fixed, −ℓ_ψψ' over (θ, β) is the cumulative-logit model's
   * information with the random intercepts τû_i as an offset — CumulativeLogitObjective's Hessian, the one
   * copy of it; for ρ = log τ: ℓ_ρρ = τ²u² ΣS2 − τu ΣS1 and ℓ_ρψ = u M_ψ (ψ in θ, β), with
   * M_β = τ Σ x S2, M_θ = −τ Σ t1 (the row's ∂S1 at the threshold's end), M_ρ = −τ ΣS1 + τ²u ΣS2.
   * The optimiser's Newton steps use it for (θ, β) (fit.ts). Written into H (npar × npar).
   */
  profiledHessian(par: ArrayLike<number>, H: Float64Array): void {
    if (this.q !== 1) throw new RangeError('the profiled Hessian is for a random intercept');
    const { K, npar, t } = this;
    const { X, n, p, J, start, weights, y } = this.data;
    const tau = this.reLoadings(par)[0]!;
    const m = K + p;
    // (θ, β) × (θ, β): the model's information at the offsets τû_i
    const objective = (this.clm ??= new CumulativeLogitObjective(X, n, p, y, J, { weights }));
    const offset = (this.clmOffset ??= new Float64Array(n));
    for (let ci = 0; ci < this.clusters; ci++) offset.fill(tau * this.modes[ci]!, start[ci], start[ci + 1]);
    objective.setOffset(offset);
    const info = new Float64Array(m * m);
    objective.evaluate(Float64Array.from({ length: m }, (_, j) => par[j]!), new Float64Array(m), info, true);
    H.fill(0);
    for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) H[a * npar + b] = info[a * m + b]!;
    // per cluster: M, ℓ_ρρ and the −M M'/D correction
    const M = new Float64Array(npar);
    const rho = m;
    for (let ci = 0; ci < this.clusters; ci++) {
      const u = this.modes[ci]!;
      const s = tau * u;
      M.fill(0);
      let S1 = 0;
      let S2 = 0;
      for (let i = start[ci]!, end = start[ci + 1]!; i < end; i++) {
        const c = y[i]!;
        this.row(i, c, s, false, false);
        const wt = weights === undefined ? 1 : weights[i]!;
        const r1 = wt * t[ROW_D]!;
        const r2 = -wt * t[ROW_C]!;
        S1 += r1;
        S2 += r2;
        for (let a = 0; a < p; a++) M[K + a] = M[K + a]! + tau * r2 * X[a * n + i]!;
        if (c < K) M[c] = M[c]! - tau * wt * t[ROW_U]!;
        if (c > 0) M[c - 1] = M[c - 1]! - tau * wt * t[ROW_L]!;
      }
      M[rho] = -tau * S1 + tau * s * S2;
      const D = 1 - tau * tau * S2;
      // ρ's row and column: −ℓ_ρψ = −u M_ψ, −ℓ_ρρ
      for (let a = 0; a < m; a++) {
        H[a * npar + rho] = H[a * npar + rho]! - u * M[a]!;
        H[rho * npar + a] = H[rho * npar + a]! - u * M[a]!;
      }
      H[rho * npar + rho] = H[rho * npar + rho]! - (s * s * S2 - s * S1);
      // − M M'/D
      for (let a = 0; a < npar; a++) for (let b = 0; b < npar; b++) H[a * npar + b] = H[a * npar + b]! - (M[a]! * M[b]!) / D;
    }
  }

  // ---- adaptive Gauss–Hermite quadrature (q = 1) -------------------------------------------------------

  /**
   * log L_i by AGQ around the mode (u, D), and its gradient added (negated) to `grad`; the gradient
   * pass at the mode has filled the accumulators when `grad` is given.
   */
  private agqCluster(par: ArrayLike<number>, L: readonly number[], ci: number, u: number, D: number, grad: Float64Array | undefined): number {
    const rule = this.rule!;
    const nq = rule.nodes.length;
    const tau = L[0]!;
    const Kc = Math.sqrt(2 / D);
    const terms = new Float64Array(nq);
    let mx = -Infinity;
    for (let h = 0; h < nq; h++) {
      const v = u + Kc * rule.nodes[h]!;
      terms[h] = rule.logWeightsPlusSquare[h]! + this.clusterPass(par, L, ci, v, 0, true);
      if (terms[h]! > mx) mx = terms[h]!;
    }
    let sum = 0;
    for (let h = 0; h < nq; h++) sum += Math.exp(terms[h]! - mx);
    const logL = Math.log(Kc) - 0.5 * Math.log(2 * Math.PI) + mx + Math.log(sum);
    if (grad === undefined) return logL;
    // mode-level pieces: dû/dψ = M/D, dD/dψ = ∂D + Du·dû, d log K = −½ dD/D, dK = K d log K
    const { K } = this;
    const { p, X, n, start, weights, y } = this.data;
    const stride = 3;
    const Du = this.accDu[0]!;
    const npar = this.npar;
    const du = new Float64Array(npar);
    const dlogK = new Float64Array(npar);
    const piece = (j: number, M: number, dD: number): void => {
      du[j] = M / D;
      this.du[ci * npar + j] = du[j];
      dlogK[j] = (-0.5 * (dD + Du * du[j])) / D;
    };
    for (let k = 0; k < K; k++) piece(k, this.accT[k * stride + 1]!, this.accT[k * stride + 2]!);
    for (let m = 0; m < p; m++) piece(K + m, this.accX[m * stride + 1]!, this.accX[m * stride + 2]!);
    piece(K + p, this.accR[1]!, this.accR[2]!);
    // Σ_h π_h [∂ℓ/∂ψ(v_h) + ∂ℓ/∂u(v_h)(dû + x_h K dlogK)]
    const dlogL = new Float64Array(npar);
    for (let j = 0; j < npar; j++) dlogL[j] = dlogK[j]!;
    const t = this.t;
    const dl = new Float64Array(npar);
    for (let h = 0; h < nq; h++) {
      const pi = Math.exp(terms[h]! - mx) / sum;
      if (pi === 0) continue;
      const xh = rule.nodes[h]!;
      const v = u + Kc * xh;
      const s = tau * v;
      dl.fill(0);
      let sumS1 = 0;
      for (let i = start[ci]!; i < start[ci + 1]!; i++) {
        const yi = y[i]!;
        this.row(i, yi, s, false, false);
        const wt = weights === undefined ? 1 : weights[i]!;
        const S1 = wt * t[ROW_D]!;
        sumS1 += S1;
        if (yi < K) dl[yi] = dl[yi]! + wt * t[ROW_GA]!;
        if (yi > 0) dl[yi - 1] = dl[yi - 1]! + wt * t[ROW_GB]!;
        for (let m = 0; m < p; m++) dl[K + m] = dl[K + m]! - X[m * n + i]! * S1;
      }
      dl[K + p] = -tau * v * sumS1; // ∂ℓ/∂ρ: ∂s/∂ρ = τ v
      const dldu = -tau * sumS1 - v;
      for (let j = 0; j < npar; j++) dlogL[j] = dlogL[j]! + pi * (dl[j]! + dldu * (du[j]! + xh * Kc * dlogK[j]!));
    }
    for (let j = 0; j < npar; j++) grad[j] = grad[j]! - dlogL[j]!;
    return logL;
  }
}
