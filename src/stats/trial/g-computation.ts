/**
 * From a volume effect to the outcome: the population-average (marginal) change the model implies when
 * every patient's volume V_i becomes h(V_i), everything else as observed (g-computation, Robins 1986):
 *
 *   logistic model of a good outcome (mRS 0–2):  p̄_g = n⁻¹ Σ_i expit(x_i(g)'β),  g = 0 (V_i), 1 (h(V_i));
 *     ΔP = p̄₁ − p̄₀,  marginal OR = odds(p̄₁)/odds(p̄₀);
 *   proportional-odds model of the mRS (clm's logit P(Y ≤ k) = θ_k − η):
 *     π_g(k) = n⁻¹ Σ_i [F(θ_k − η_i(g)) − F(θ_{k−1} − η_i(g))], ΔP = P₁(Y ≤ c) − P₀(Y ≤ c) for the good
 *     outcome Y ≤ c; the per-threshold ORs odds(C₁(k))/odds(C₀(k)) of the cumulative C_g(k) = Σ_{j≤k} π_g(j);
 *     and the implied common OR, exp(γ) of the proportional-odds model fitted to the two implied
 *     distributions (the Kullback–Leibler projection of (π₀, π₁) on the PO family: clm on the 2 × J table
 *     with weights π_g(k)).
 *
 * Standard errors by the delta method, conditional on the patients (their covariates fixed), from the
 * model's covariance Σ of (θ, β):
 *   ∇ΔP = n⁻¹ Σ_i [p₁ᵢ(1 − p₁ᵢ)·x₁ᵢ − p₀ᵢ(1 − p₀ᵢ)·x₀ᵢ] (logistic), Var = ∇'Σ∇;
 *   for log cOR, the implicit-function derivative of the projection: dφ/dπ_g(k) = I⁻¹·s_gk (I the
 *   projection's information, s_gk its score for cell (g, k)), chained with ∂π_g(k)/∂(θ, β).
 * These are the numbers `glm` + the same formula give in R (fixture test/fixtures/trial/g-computation.R).
 *
 * The average is over the patients of the translation population, NOT the median over patients of the
 * per-patient volume reduction `volume_delta` reports (HERMES: 2/10/20 mL for +1/+5/+10 points).
 *
 * Exported API: gComputeLogistic, gComputeOrdinal (with delta-method SEs), meanProbability,
 * categoryProbabilities (the point estimates alone, for bootstrap replicates), poProjection,
 * cumulativeOddsRatios, inverseEffect.
 */
import { zeroin } from '../brent.js';
import { plogis, qlogis, qnorm } from '../distributions.js';
import { linearPredictor } from '../linalg.js';
import { fitOrdinal } from '../ordinal.js';

/** A point estimate with its delta-method SE and Wald interval. */
export interface Estimate {
  readonly estimate: number;
  readonly se: number;
  readonly low: number;
  readonly high: number;
}

function wald(estimate: number, se: number, level: number): Estimate {
  const z = qnorm((1 + level) / 2);
  return { estimate, se, low: estimate - z * se, high: estimate + z * se };
}

/** An estimate of a log odds ratio, reported as the odds ratio with its interval (exp of the Wald interval). */
function expEstimate(e: Estimate): Estimate {
  return { estimate: Math.exp(e.estimate), se: e.se, low: Math.exp(e.low), high: Math.exp(e.high) };
}

/** g'Σg for a flat symmetric Σ of size q. */
function quadratic(g: Float64Array, vcov: ArrayLike<number>): number {
  const q = g.length;
  let s = 0;
  for (let a = 0; a < q; a++) {
    let row = 0;
    for (let b = 0; b < q; b++) row += vcov[a * q + b]! * g[b]!;
    s += g[a]! * row;
  }
  return s;
}

/** η = Xβ for a column-major n × p X. */
function etaOf(X: Float64Array, n: number, p: number, beta: ArrayLike<number>): Float64Array {
  return linearPredictor(X, n, p, beta, new Float64Array(n));
}

/** n⁻¹ Σ_i expit(η_i): the logistic model's g-computed probability at one set of volumes. */
export function meanProbability(eta: Float64Array): number {
  let s = 0;
  for (let i = 0; i < eta.length; i++) s += plogis(eta[i]!);
  return s / eta.length;
}

export interface LogisticGComputation {
  readonly n: number;
  readonly p0: number;
  readonly p1: number;
  /** ΔP = p̄₁ − p̄₀ with its delta-method SE and interval. */
  readonly difference: Estimate;
  /** The marginal odds ratio odds(p̄₁)/odds(p̄₀) (SE of its log). */
  readonly oddsRatio: Estimate;
  /** exp(η₁ᵢ − η₀ᵢ) when it is the same for every patient (a log-volume term and a ratio effect), else undefined. */
  readonly conditionalOr: number | undefined;
}

/**
 * Logistic model: X0 and X1 are the model matrices (column-major n × p, with the intercept) at the
 * observed volumes and at h(V); beta and vcov (flat p × p) the fit's.
 */
export function gComputeLogistic(X0: Float64Array, X1: Float64Array, n: number, p: number, beta: ArrayLike<number>, vcov: ArrayLike<number>, level = 0.95): LogisticGComputation {
  const eta0 = etaOf(X0, n, p, beta);
  const eta1 = etaOf(X1, n, p, beta);
  const w0 = new Float64Array(n);
  const w1 = new Float64Array(n);
  let s0 = 0;
  let s1 = 0;
  for (let i = 0; i < n; i++) {
    const a = plogis(eta0[i]!);
    const b = plogis(eta1[i]!);
    s0 += a;
    s1 += b;
    w0[i] = a * (1 - a);
    w1[i] = b * (1 - b);
  }
  const p0 = s0 / n;
  const p1 = s1 / n;
  const logOr = Math.log(p1 / (1 - p1)) - Math.log(p0 / (1 - p0));
  const conditionalOr = constantDifference(eta0, eta1);
  // ∇p̄_g = n⁻¹ Σ_i p_gi(1 − p_gi) x_gi
  const g0 = new Float64Array(p);
  const g1 = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    let a = 0;
    let b = 0;
    const o = j * n;
    for (let i = 0; i < n; i++) {
      a += w0[i]! * X0[o + i]!;
      b += w1[i]! * X1[o + i]!;
    }
    g0[j] = a / n;
    g1[j] = b / n;
  }
  const gd = g1.map((v, j) => v - g0[j]!);
  // log OR_marg = logit p̄₁ − logit p̄₀: ∇ = ∇p̄₁/(p̄₁(1 − p̄₁)) − ∇p̄₀/(p̄₀(1 − p̄₀))
  const gl = g1.map((v, j) => v / (p1 * (1 - p1)) - g0[j]! / (p0 * (1 - p0)));
  return {
    n,
    p0,
    p1,
    difference: wald(p1 - p0, Math.sqrt(quadratic(gd, vcov)), level),
    oddsRatio: expEstimate(wald(logOr, Math.sqrt(quadratic(gl, vcov)), level)),
    conditionalOr,
  };
}

/** exp(η₁ᵢ − η₀ᵢ) if it is the same for all patients (to 1e-12), else undefined. */
function constantDifference(eta0: Float64Array, eta1: Float64Array): number | undefined {
  if (eta0.length === 0) return undefined;
  const d = eta1[0]! - eta0[0]!;
  for (let i = 1; i < eta0.length; i++) if (Math.abs(eta1[i]! - eta0[i]! - d) > 1e-12 * Math.max(1, Math.abs(d))) return undefined;
  return Math.exp(d);
}

/** The cumulative odds ratios odds(C₁(k))/odds(C₀(k)), k = 0 … J − 2, of two distributions over ordered categories. */
export function cumulativeOddsRatios(pi0: readonly number[], pi1: readonly number[]): number[] {
  const out: number[] = [];
  let c0 = 0;
  let c1 = 0;
  for (let k = 0; k < pi0.length - 1; k++) {
    c0 += pi0[k]!;
    c1 += pi1[k]!;
    out.push(c1 / (1 - c1) / (c0 / (1 - c0)));
  }
  return out;
}

export interface PoProjection {
  /** log cOR: the log odds of a lower (better) category, group 1 against group 0. */
  readonly logCor: number;
  readonly thresholds: Float64Array;
  /** Derivative of logCor with respect to each π_g(k) (g = 0 first, then g = 1; J each). */
  readonly gradient: Float64Array;
}

/**
 * The proportional-odds model closest (in Kullback–Leibler divergence) to the pair of distributions
 * (π₀, π₁): clm of the 2 × J table with weights π_g(k) and group 1 as the covariate, fitted to a gradient
 * of 1e-12; log cOR = −β (better = lower category). With its derivative in the π's (implicit function
 * theorem: dφ/dπ_g(k) = I⁻¹ s_gk, the covariance clm returns for these weights times the cell's score).
 */
export function poProjection(pi0: readonly number[], pi1: readonly number[]): PoProjection {
  const J = pi0.length;
  const K = J - 1;
  const X = new Float64Array(2 * J);
  const y = new Int32Array(2 * J);
  const w = new Float64Array(2 * J);
  for (let k = 0; k < J; k++) {
    y[k] = k;
    w[k] = pi0[k]!;
    X[J + k] = 1;
    y[J + k] = k;
    w[J + k] = pi1[k]!;
  }
  // Start from the cumulative logits l_g(k) = qlogis(C_g(k)): with γ the mean of l₁(k) − l₀(k), θ_k the
  // mean of l₀(k) and l₁(k) − γ, β = −γ (clm: logit P(Y ≤ k) = θ_k − gβ) — the solution itself when the
  // pair is exactly proportional-odds, a few Newton steps from it otherwise.
  const start = new Float64Array(K + 1);
  let c0 = 0;
  let c1 = 0;
  let gamma = 0;
  for (let k = 0; k < K; k++) {
    c0 += pi0[k]!;
    c1 += pi1[k]!;
    const l0 = qlogis(c0);
    const l1 = qlogis(c1);
    start[k] = (l0 + l1) / 2;
    gamma += (l1 - l0) / K;
  }
  for (let k = 0; k < K; k++) start[k] = start[k]! - gamma / 2;
  start[K] = -gamma;
  const fit = fitOrdinal(X, 2 * J, 1, y, J, { weights: w, gradTol: 1e-12, relTol: 1e-12, checkHessian: false, start });
  const theta = fit.thresholds;
  const b = fit.beta[0]!;
  const npar = K + 1;
  const gradient = new Float64Array(2 * J);
  // score of cell (g, k) in (θ, β): ∂log P/∂θ_k = f(a)/P, ∂/∂θ_{k−1} = −f(lo)/P, ∂/∂β = −g(f(a) − f(lo))/P
  const s = new Float64Array(npar);
  for (let g = 0; g < 2; g++) {
    for (let k = 0; k < J; k++) {
      const a = k < K ? theta[k]! - g * b : Infinity;
      const lo = k > 0 ? theta[k - 1]! - g * b : -Infinity;
      const Fa = k < K ? plogis(a) : 1;
      const Fl = k > 0 ? plogis(lo) : 0;
      const fa = Fa * (1 - Fa);
      const fl = Fl * (1 - Fl);
      const P = Fa - Fl;
      s.fill(0);
      if (k < K) s[k] = fa / P;
      if (k > 0) s[k - 1] = s[k - 1]! - fl / P;
      s[K] = (-g * (fa - fl)) / P;
      // d β / d π_g(k) = (I⁻¹ s)_β; log cOR = −β
      let dBeta = 0;
      for (let c = 0; c < npar; c++) dBeta += fit.vcov[K * npar + c]! * s[c]!;
      gradient[g * J + k] = -dBeta;
    }
  }
  return { logCor: -b, thresholds: theta, gradient };
}

/**
 * Σ_i P(Y = k | η_i) into `sums` (J categories) and, with `grad` (the patients' model matrix and a J × q
 * row-major dPi), Σ_i of its derivative in (θ, β). F(θ_k − η) = 1/(1 + t), f = F(1 − F) = t/(1 + t)², with
 * t = e^{−θ_k}·e^{η}: one exp per patient instead of one per threshold. (A function of its own, so that V8
 * optimises it whole rather than on the stack of one long first call.)
 */
function accumulateCategories(eta: Float64Array, expNegTheta: Float64Array, sums: Float64Array, grad?: { X: Float64Array; n: number; p: number; dPi: Float64Array }): void {
  const K = expNegTheta.length;
  const J = K + 1;
  const f = new Float64Array(K);
  for (let i = 0; i < eta.length; i++) {
    const u = Math.exp(eta[i]!);
    let below = 0;
    for (let k = 0; k < K; k++) {
      const t = expNegTheta[k]! * u;
      const a = 1 + t;
      const Fk = t === Infinity ? 0 : 1 / a;
      sums[k] = sums[k]! + (Fk - below);
      below = Fk;
      if (grad !== undefined) f[k] = t === Infinity ? 0 : t / (a * a);
    }
    sums[K] = sums[K]! + (1 - below);
    if (grad === undefined) continue;
    const { X, n, p, dPi } = grad;
    const q = K + p;
    for (let k = 0; k < J; k++) {
      const fu = k < K ? f[k]! : 0;
      const fl = k > 0 ? f[k - 1]! : 0;
      const row = k * q;
      if (k < K) dPi[row + k] = dPi[row + k]! + fu;
      if (k > 0) dPi[row + k - 1] = dPi[row + k - 1]! - fl;
      const dEta = -(fu - fl); // ∂(F(θ_k − η) − F(θ_{k−1} − η))/∂η
      for (let j = 0; j < p; j++) dPi[row + K + j] = dPi[row + K + j]! + dEta * X[j * n + i]!;
    }
  }
}

/** π(k) = n⁻¹ Σ_i P(Y = k | η_i): the proportional-odds model's g-computed distribution at one set of volumes. */
export function categoryProbabilities(eta: Float64Array, thresholds: ArrayLike<number>): number[] {
  const K = thresholds.length;
  const sums = new Float64Array(K + 1);
  accumulateCategories(eta, Float64Array.from({ length: K }, (_, k) => Math.exp(-thresholds[k]!)), sums);
  return Array.from(sums, (x) => x / eta.length);
}

export interface OrdinalGComputation {
  readonly n: number;
  /** The implied distributions over the categories, at the observed volumes and at h(V). */
  readonly pi0: number[];
  readonly pi1: number[];
  /** P(Y ≤ good) at the observed volumes and at h(V), and their difference with its SE and interval. */
  readonly p0: number;
  readonly p1: number;
  readonly difference: Estimate;
  /** The implied common OR (PO projection), odds of a better category, with its delta-method interval. */
  readonly commonOr: Estimate;
  /** The cumulative ORs per split (≤ k against > k), k = 0 … J − 2: equal to one another under proportional odds. */
  readonly cumulativeOrs: number[];
  /** exp(−(η₁ᵢ − η₀ᵢ)) when the same for every patient: the model's own (conditional) cOR for this effect. */
  readonly conditionalOr: number | undefined;
}

/**
 * Proportional-odds model (clm's parameterisation: logit P(Y ≤ k) = θ_k − x'β, no intercept column):
 * X0, X1 column-major n × p at V and h(V); vcov flat (K + p)² in clm's order (thresholds, then β);
 * `good` the last good category (mRS 0–2: 2).
 */
export function gComputeOrdinal(
  X0: Float64Array,
  X1: Float64Array,
  n: number,
  p: number,
  thresholds: ArrayLike<number>,
  beta: ArrayLike<number>,
  vcov: ArrayLike<number>,
  good: number,
  level = 0.95,
): OrdinalGComputation {
  const K = thresholds.length;
  const J = K + 1;
  const q = K + p;
  const etas = [etaOf(X0, n, p, beta), etaOf(X1, n, p, beta)];
  const Xs = [X0, X1];
  const pis = [new Array<number>(J).fill(0), new Array<number>(J).fill(0)];
  // ∂π_g(k)/∂(θ, β), row-major (2J) × q
  const dPi = new Float64Array(2 * J * q);
  const expNegTheta = Float64Array.from({ length: K }, (_, k) => Math.exp(-thresholds[k]!));
  const sums = new Float64Array(J);
  for (let g = 0; g < 2; g++) {
    sums.fill(0);
    accumulateCategories(etas[g]!, expNegTheta, sums, { X: Xs[g]!, n, p, dPi: dPi.subarray(g * J * q, (g + 1) * J * q) });
    for (let k = 0; k < J; k++) pis[g]![k] = sums[k]! / n;
  }
  for (let r = 0; r < dPi.length; r++) dPi[r] = dPi[r]! / n;
  const [pi0, pi1] = pis as [number[], number[]];
  // P(Y ≤ good) and its gradient: Σ_{k ≤ good} π_g(k)
  let p0 = 0;
  let p1 = 0;
  const gGood = new Float64Array(q);
  for (let k = 0; k <= good; k++) {
    p0 += pi0[k]!;
    p1 += pi1[k]!;
    for (let c = 0; c < q; c++) gGood[c] = gGood[c]! + dPi[(J + k) * q + c]! - dPi[k * q + c]!;
  }
  const proj = poProjection(pi0, pi1);
  const cond = constantDifference(etas[0]!, etas[1]!);
  const common = { n, pi0, pi1, p0, p1, cumulativeOrs: cumulativeOddsRatios(pi0, pi1), conditionalOr: cond === undefined ? undefined : 1 / cond };
  const gCor = new Float64Array(q);
  for (let r = 0; r < 2 * J; r++) {
    const d = proj.gradient[r]!;
    for (let c = 0; c < q; c++) gCor[c] = gCor[c]! + d * dPi[r * q + c]!;
  }
  return {
    ...common,
    difference: wald(p1 - p0, Math.sqrt(quadratic(gGood, vcov)), level),
    commonOr: expEstimate(wald(proj.logCor, Math.sqrt(quadratic(gCor, vcov)), level)),
  };
}

/**
 * The effect size x in [lo, hi] at which a monotone `gain(x)` reaches `target` (Brent, to tol), or
 * whether it cannot: `gain` at the end that gains most is below the target (the maximum reachable is
 * returned either way). `better` says which end gains most: 'low' for a ratio (smaller r shrinks more),
 * 'high' for an absolute reduction in mL.
 */
export function inverseEffect(gain: (x: number) => number, target: number, lo: number, hi: number, better: 'low' | 'high', tol: number): { value: number | undefined; maximum: number } {
  const best = better === 'low' ? lo : hi;
  const worst = better === 'low' ? hi : lo;
  const gBest = gain(best);
  const gWorst = gain(worst);
  if (!(gBest >= target)) return { value: undefined, maximum: gBest };
  if (gWorst >= target) return { value: worst, maximum: gBest };
  const f = (x: number): number => gain(x) - target;
  const root = zeroin(f, lo, hi, { tol, fLower: better === 'low' ? gBest - target : gWorst - target, fUpper: better === 'low' ? gWorst - target : gBest - target, maxiter: 1000 }).root;
  return { value: root, maximum: gBest };
}
