/**
 * A linear mixed model with a random intercept per cluster, fitted by REML as lme4::lmer does:
 *
 *   y_ij = x_ij'β + b_i + ε_ij,   b_i ~ N(0, σ_b²),   ε_ij ~ N(0, σ²),   γ = σ_b²/σ²
 *
 * With W_i = I − c_i 11', c_i = γ/(1 + n_i γ) (σ² V_i⁻¹), everything is a per-cluster sum, so after one
 * pass over the rows each evaluation costs O(clusters·p² + p³):
 *   M = X'WX = Σ_i (X_i'X_i − c_i s_i s_i'),  s_i = X_i'1;   β̂ = M⁻¹ X'Wy;   S = y'Wy − β̂'X'Wy
 *   −2 ℓ_R(γ) = (n − p)(1 + log(2π S/(n − p))) + Σ_i log(1 + n_i γ) + log det M      (lmer's REMLcrit)
 *   d/dγ: (n − p) S'/S + Σ_i n_i/(1 + n_i γ) − Σ_i c_i' s_i'M⁻¹s_i,
 *         S' = −Σ_i c_i' (1'r_i)²,  c_i' = 1/(1 + n_i γ)²   (r = y − Xβ̂; the envelope theorem)
 * γ̂ is the root of the derivative (Brent, on log γ); when the derivative is positive at γ = 0 the fit is
 * singular (σ_b = 0) and equals lm. σ̂² = S/(n − p); vcov(β̂) = σ̂² M⁻¹ (lmer's vcov, conditional on
 * the variance parameters). Case weights are frequency weights (a row of weight k is k identical rows).
 */
import { FitError } from '../../errors.js';
import { zeroin } from '../brent.js';
import { cholesky, choleskyInverse } from '../linalg.js';

export interface LmmFit {
  readonly coefficients: Float64Array;
  readonly vcov: Float64Array;
  readonly stdErrors: Float64Array;
  /** Residual SD σ̂. */
  readonly sigma: number;
  /** Random-intercept SD σ̂_b = √γ̂ σ̂. */
  readonly sdIntercept: number;
  /** REML criterion −2 ℓ_R at the estimate (lmer's REMLcrit). */
  readonly remlCrit: number;
  readonly singular: boolean;
}

interface Sums {
  readonly q: number;
  readonly p: number;
  /** Per cluster: n_i, X_i'X_i (p²), s_i (p), X_i'y_i (p), 1'y_i, y_i'y_i. */
  readonly ni: Float64Array;
  readonly XX: Float64Array;
  readonly s: Float64Array;
  readonly Xy: Float64Array;
  readonly u: Float64Array;
  readonly yy: Float64Array;
  readonly n: number;
}

function clusterSums(X: Float64Array, n: number, p: number, y: Float64Array, cluster: Int32Array, q: number, w: Float64Array | undefined): Sums {
  const ni = new Float64Array(q);
  const XX = new Float64Array(q * p * p);
  const s = new Float64Array(q * p);
  const Xy = new Float64Array(q * p);
  const u = new Float64Array(q);
  const yy = new Float64Array(q);
  const x = new Float64Array(p);
  let total = 0;
  for (let r = 0; r < n; r++) {
    const c = cluster[r]!;
    const wt = w === undefined ? 1 : w[r]!;
    if (wt === 0) continue;
    const yr = y[r]!;
    for (let j = 0; j < p; j++) x[j] = X[j * n + r]!;
    ni[c] = ni[c]! + wt;
    total += wt;
    u[c] = u[c]! + wt * yr;
    yy[c] = yy[c]! + wt * yr * yr;
    for (let j = 0; j < p; j++) {
      const wx = wt * x[j]!;
      s[c * p + j] = s[c * p + j]! + wx;
      Xy[c * p + j] = Xy[c * p + j]! + wx * yr;
      const o = c * p * p + j * p;
      for (let k = 0; k <= j; k++) XX[o + k] = XX[o + k]! + wx * x[k]!;
    }
  }
  return { q, p, ni, XX, s, Xy, u, yy, n: total };
}

interface AtGamma {
  readonly beta: Float64Array;
  readonly Minv: Float64Array;
  readonly logDetM: number;
  readonly S: number;
  readonly crit: number;
  readonly derivative: number;
}

function evaluateAt(t: Sums, gamma: number): AtGamma {
  const { q, p } = t;
  const M = new Float64Array(p * p);
  const b = new Float64Array(p);
  let yWy = 0;
  let logSum = 0;
  for (let c = 0; c < q; c++) {
    const nc = t.ni[c]!;
    if (nc === 0) continue;
    const ci = gamma / (1 + nc * gamma);
    logSum += Math.log1p(nc * gamma);
    for (let j = 0; j < p; j++) {
      const sj = t.s[c * p + j]!;
      b[j] = b[j]! + t.Xy[c * p + j]! - ci * t.u[c]! * sj;
      for (let k = 0; k <= j; k++) M[j * p + k] = M[j * p + k]! + t.XX[c * p * p + j * p + k]! - ci * sj * t.s[c * p + k]!;
    }
    yWy += t.yy[c]! - ci * t.u[c]! * t.u[c]!;
  }
  for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) M[k * p + j] = M[j * p + k]!;
  const { L, failedAt } = cholesky(M, p);
  if (failedAt >= 0) throw new FitError('the linear mixed model\'s design is rank-deficient');
  let logDetM = 0;
  for (let j = 0; j < p; j++) logDetM += 2 * Math.log(L[j * p + j]!);
  const Minv = choleskyInverse(L, p);
  const beta = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    let v = 0;
    for (let k = 0; k < p; k++) v += Minv[j * p + k]! * b[k]!;
    beta[j] = v;
  }
  let S = yWy;
  for (let j = 0; j < p; j++) S -= beta[j]! * b[j]!;
  const df = t.n - p;
  // derivative of −2ℓ_R in γ
  let dS = 0;
  let dLogDet = 0;
  let dLog = 0;
  for (let c = 0; c < q; c++) {
    const nc = t.ni[c]!;
    if (nc === 0) continue;
    const d = 1 / ((1 + nc * gamma) * (1 + nc * gamma));
    let r1 = t.u[c]!;
    for (let j = 0; j < p; j++) r1 -= t.s[c * p + j]! * beta[j]!;
    dS -= d * r1 * r1;
    let quad = 0;
    for (let j = 0; j < p; j++) {
      let v = 0;
      for (let k = 0; k < p; k++) v += Minv[j * p + k]! * t.s[c * p + k]!;
      quad += t.s[c * p + j]! * v;
    }
    dLogDet -= d * quad;
    dLog += nc / (1 + nc * gamma);
  }
  const crit = df * (1 + Math.log((2 * Math.PI * S) / df)) + logSum + logDetM;
  return { beta, Minv, logDetM, S, crit, derivative: (df * dS) / S + dLog + dLogDet };
}

/**
 * REML fit. X: column-major n × p with the intercept column; cluster: codes 0..q−1 per row; w: case
 * (frequency) weights or undefined.
 */
export function fitLmm(X: Float64Array, n: number, p: number, y: Float64Array, cluster: Int32Array, q: number, w?: Float64Array): LmmFit {
  const t = clusterSums(X, n, p, y, cluster, q, w);
  if (t.n - p <= 0) throw new FitError('the linear mixed model has no residual degrees of freedom');
  let gamma = 0;
  let singular = false;
  const at0 = evaluateAt(t, 0);
  if (at0.derivative >= 0) singular = true;
  else {
    // bracket the root in log γ: the derivative is negative near 0 and positive for γ large enough
    let hi = 1;
    while (evaluateAt(t, hi).derivative < 0 && hi < 1e12) hi *= 8;
    let lo = hi / 8;
    while (evaluateAt(t, lo).derivative > 0 && lo > 1e-12) lo /= 8;
    if (evaluateAt(t, hi).derivative < 0) throw new FitError('the linear mixed model\'s between-cluster variance did not converge (it grows without bound)');
    if (evaluateAt(t, lo).derivative > 0) singular = true;
    else {
      const root = zeroin((lg) => evaluateAt(t, Math.exp(lg)).derivative, Math.log(lo), Math.log(hi), { tol: 1e-12 });
      gamma = Math.exp(root.root);
    }
  }
  const e = singular ? at0 : evaluateAt(t, gamma);
  const sigma2 = e.S / (t.n - p);
  const vcov = e.Minv.map((v) => v * sigma2);
  return {
    coefficients: e.beta,
    vcov,
    stdErrors: Float64Array.from({ length: p }, (_, j) => Math.sqrt(vcov[j * p + j]!)),
    sigma: Math.sqrt(sigma2),
    sdIntercept: Math.sqrt(gamma * sigma2),
    remlCrit: e.crit,
    singular,
  };
}
