/**
 * How much of an exposure's effect on an outcome runs through a mediator (EVT → follow-up infarct
 * volume → 90-day mRS). Three estimands, all on one complete-case sample:
 *
 * (a) difference method, as HERMES reported it: the exposure's log-odds ratio in the outcome model
 *     without the mediator (total, β_T) and with it (direct, β_D); proportion explained = 1 − β_D/β_T.
 * (b) product of coefficients: a = the exposure's coefficient in the linear model of the (transformed)
 *     mediator on exposure + covariates (`lm`), b = the mediator's coefficient in the direct outcome
 *     model; indirect = a·b (Sobel SE √(a²s_b² + b²s_a²)), proportion = a·b / (a·b + β_D).
 * (c) natural direct and indirect effects on the probability scale of "outcome ≤ threshold" (or of
 *     y = 1 for a binary outcome) by g-computation as R's `mediation::mediate` does for a linear
 *     mediator: mediator draws M_i(t) = [1, t, c_i]ᵀα + ε_is with ε ~ N(0, σ̂²) shared between t = 0
 *     and t = 1, outcome probabilities averaged over patients and draws:
 *       τ = E P(Y(1, M(1))) − E P(Y(0, M(0))),  δ(t) = E P(Y(t, M(1))) − E P(Y(t, M(0))),
 *       ζ(t) = E P(Y(1, M(t))) − E P(Y(0, M(t))),  proportion mediated = ½(δ(0) + δ(1))/τ;
 *     point estimates at the fitted parameters, intervals by mediate's quasi-Bayesian simulation
 *     (each draw: α and the outcome parameters from their asymptotic normal distributions).
 *
 * The outcome model is `ordinal::clm` (logit P(Y ≤ j) = θ_j − xᵀβ) or `glm(binomial)`; the fits are
 * those of ordinal.ts, logistic.ts and fit/least-squares.ts (lm's coefficients and covariance).
 *
 * Exported API: `mediation(data, options, rng?)` → MediationResult; `MediationData` is the
 * column-major design [1, exposure, covariate columns…, mediator] built by src/nodes/mediate.ts.
 */
import { FitError } from '../errors.js';
import { pnorm, qnorm } from './distributions.js';
import { cholesky } from './linalg.js';
import { leastSquares } from './fit/least-squares.js';
import { fitLogistic } from './logistic.js';
import { cumulativeProbability, nullModelThresholds } from './models/cumulative-logit.js';
import { probability } from './models/binomial-logit.js';
import { fitOrdinal } from './ordinal.js';
import { quantile7 } from './quantile.js';
import type { Rng } from './rng.js';

export interface MediationData {
  readonly n: number;
  /** Column-major n × (3 + c): intercept, exposure (0/1), c covariate columns, transformed mediator. */
  readonly X: Float64Array;
  /** Number of covariate columns c. */
  readonly nCovariates: number;
  /** Column names, same order as X. */
  readonly columns: readonly string[];
  /** Ordinal: category codes 0..J−1; binary: 0/1. */
  readonly outcome: { readonly type: 'ordinal'; readonly codes: Int32Array; readonly J: number } | { readonly type: 'binary'; readonly y: Float64Array };
  /**
   * Optional, ordinal outcome: the sample as its distinct rows (outcome and design row), sorted by
   * category, each with its count as a frequency weight — a bootstrap resample as its plan builds it
   * (mediateResamplePlan), so that the models need not find the duplicate rows. `n` above stays the number
   * of patients; `outcome.codes` is not read (the counterfactual effects read `source`).
   */
  readonly collapsed?: { readonly n: number; readonly X: Float64Array; readonly codes: Int32Array; readonly weights: Float64Array } | undefined;
  /**
   * Optional: the sample's rows are the rows `rows` of the design `X` (column-major, `n` rows, the same
   * columns) — then the sample's own X may be left empty (length 0): the models gather their rows from
   * `source` directly (a bootstrap resample's distinct rows from the whole sample's design), and X in sample
   * order is gathered only where it is needed.
   */
  readonly source?: { readonly X: Float64Array; readonly n: number; readonly rows: Int32Array } | undefined;
}

/** The sample's design in its own row order: X, or gathered from `source` when X is left empty. */
export function designOf(d: MediationData): Float64Array {
  const P = d.columns.length;
  if (d.source === undefined || d.X.length === d.n * P) return d.X;
  const { X: S, n: N, rows } = d.source;
  const n = d.n;
  const X = new Float64Array(n * P);
  for (let j = 0; j < P; j++) for (let r = 0; r < n; r++) X[j * n + r] = S[j * N + rows[r]!]!;
  return X;
}

export interface MediationOptions {
  /** Wald interval level. */
  readonly level: number;
  /** Ordinal outcome: ORs reported for a shift towards lower categories (mRS: better) when 'lower'. */
  readonly favourable: 'lower' | 'higher';
  /** Counterfactual effects: the category index j for P(Y ≤ j) (ordinal; ignored for binary) and the number of simulations. */
  readonly counterfactual?: { readonly category: number; readonly sims: number } | undefined;
  /** Skip clm's Hessian eigen-check (bootstrap replicates): a diagnostic whose warnings mediation does not report. */
  readonly fast?: boolean | undefined;
  /**
   * Ordinal outcome: fit the sample's distinct rows with their counts as frequency weights (default true).
   * A bootstrap resample repeats ~37 % of its rows; the estimates agree with the row-by-row fits to
   * ≤ 1e-10 relative (tested). No effect on a sample without duplicate rows, nor on a binary outcome.
   */
  readonly collapseDuplicates?: boolean | undefined;
  /**
   * Ordinal outcome: the whole sample's estimates (θ, β) of the direct and the total clm and its cumulative
   * logits (wholeSampleFits), as starting values for a bootstrap replicate: the direct model starts at the
   * whole sample's estimate with each threshold shifted by as much as the replicate's cumulative logit moved
   * (a resample's thresholds follow its category proportions), the total model at the whole sample's
   * shifted by as much as the replicate's direct estimate moved on the parameters the two share — about
   * one Newton step fewer for each than from the null model and totalStart. Ignored unless they have the
   * models' lengths. The iteration converges to the same maximum by clm's criteria; where it stops within
   * them depends on the start (≲ 1e-6, the criteria's tolerance).
   */
  readonly startFrom?: { readonly direct: Float64Array; readonly total: Float64Array; readonly cumulativeLogits: Float64Array } | undefined;
}

export interface Effect {
  /** Coefficient on the model's own scale (clm: positive = towards higher categories). */
  log_or: number;
  se: number;
  z: number;
  p_value: number;
  /** Odds ratio in the reported direction, with its Wald interval. */
  or: number;
  or_low: number;
  or_high: number;
}

export interface Counterfactual {
  estimate: number;
  mean: number;
  ci_low: number;
  ci_high: number;
}

export interface MediationResult {
  n: number;
  total: Effect;
  direct: Effect;
  mediator_effect: Effect;
  proportion_explained: number;
  a_path: { estimate: number; se: number; sigma: number };
  b_path: { estimate: number; se: number };
  product: { indirect: number; se: number; proportion: number };
  counterfactual?: {
    sims: number;
    total_effect: Counterfactual;
    acme_control: Counterfactual;
    acme_treated: Counterfactual;
    acme_average: Counterfactual;
    ade_control: Counterfactual;
    ade_treated: Counterfactual;
    ade_average: Counterfactual;
    proportion_mediated: Counterfactual;
    /** Mean probabilities E P(Y(t, M(t'))) at the estimate, keyed `p_<t><t'>`. */
    probabilities: { p_11: number; p_10: number; p_01: number; p_00: number };
  };
}

/** Outcome model fit: location coefficients (exposure first … mediator last) and their covariance. */
export interface OutcomeFit {
  /** ordinal: β of [exposure, covariates…, (mediator)]; binary: [intercept, exposure, covariates…, (mediator)]. */
  readonly coef: Float64Array;
  readonly vcov: Float64Array;
  /** ordinal: thresholds θ; binary: empty. */
  readonly thresholds: Float64Array;
  /** Index of the exposure in coef. */
  readonly exposure: number;
}

/**
 * The rows the models are fitted on. A binary outcome: the complete-case sample as it is. An ordinal
 * outcome: the sample's rows sorted by category (stably, as fitOrdinal's own counting sort, so that the two
 * clm fits skip their sorts) — and, when some rows are exact duplicates (a bootstrap resample repeats ~37 %
 * of its rows), only its distinct rows with their counts as frequency weights: clm's log-likelihood,
 * gradient and Hessian and lm's X'X and X'y are sums over rows, so a row repeated k times and the row
 * once with weight k give the same estimates and covariances, in fewer operations.
 * glm is not collapsed: its start (mustart = (w y + ½)/(w + 1)) depends on the weights and its deviance
 * criterion (1e-8) stops ~1e-4 short of the maximum, so weighted and row-by-row fits differ at that level;
 * clm stops on the gradient and the Newton step (1e-6), after which they agree to ~1e-11.
 */
interface FitRows {
  readonly n: number;
  /** Column-major n × (3 + c), the layout of MediationData.X. */
  readonly X: Float64Array;
  readonly outcome: MediationData['outcome'];
  /** Frequency weights (counts of the distinct rows), or undefined for one row per patient. */
  readonly weights: Float64Array | undefined;
}

function fitRows(d: MediationData, collapse: boolean): FitRows {
  const n = d.n;
  const o = d.outcome;
  if (o.type === 'binary') return { n, X: designOf(d), outcome: o, weights: undefined };
  const given = d.collapsed;
  if (given !== undefined) return { n: given.n, X: given.X, outcome: { type: 'ordinal', codes: given.codes, J: o.J }, weights: given.weights };
  const P = d.columns.length;
  const distinct = collapse ? distinctRows(designOf(d), n, P, o.codes) : undefined;
  let rows = distinct?.first;
  if (rows === undefined) {
    rows = new Int32Array(n);
    for (let i = 0; i < n; i++) rows[i] = i;
  }
  const m = rows.length;
  const y = o.codes;
  // Stable counting sort by category.
  const start = new Int32Array(o.J + 1);
  for (let r = 0; r < m; r++) start[y[rows[r]!]! + 1]!++;
  for (let c = 0; c < o.J; c++) start[c + 1] = start[c + 1]! + start[c]!;
  const order = new Int32Array(m);
  const codes = new Int32Array(m);
  const counts = distinct?.counts;
  const weights = counts === undefined ? undefined : new Float64Array(m);
  for (let r = 0; r < m; r++) {
    const i = rows[r]!;
    const at = start[y[i]!]!++;
    order[at] = i;
    codes[at] = y[i]!;
    if (weights !== undefined) weights[at] = counts![r]!;
  }
  // the chosen rows, from the sample's design or straight from its source's
  const Xs = new Float64Array(m * P);
  const src = d.source !== undefined && d.X.length !== n * P ? d.source : undefined;
  if (src === undefined) {
    const X = d.X;
    for (let j = 0; j < P; j++) for (let r = 0; r < m; r++) Xs[j * m + r] = X[j * n + order[r]!]!;
  } else {
    const { X: S, n: N, rows: at } = src;
    for (let r = 0; r < m; r++) order[r] = at[order[r]!]!;
    for (let j = 0; j < P; j++) for (let r = 0; r < m; r++) Xs[j * m + r] = S[j * N + order[r]!]!;
  }
  return { n: m, X: Xs, outcome: { type: 'ordinal', codes, J: o.J }, weights };
}

/** MurmurHash3's 32-bit block step: mixes the word k into the hash h. */
function murmurStep(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
  h ^= k;
  return (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
}

/**
 * The distinct rows of (y, X) (X column-major n × P, its first column the intercept) in order of first
 * occurrence, with how often each occurs, and each row's class (the index of its distinct row). Rows are
 * compared exactly (===), found by an open-addressing hash table keyed by a hash of their bits (built a
 * column at a time, MurmurHash3's block step and finaliser).
 */
function distinctRowClasses(X: Float64Array, n: number, P: number, y: Int32Array): { first: Int32Array; counts: Float64Array; k: number; classOf: Int32Array } {
  const bits = new Uint32Array(X.buffer, X.byteOffset, 2 * X.length);
  const hash = Int32Array.from(y);
  for (let j = 1; j < P; j++) {
    // one step per double: its low word xor a multiple of its high word
    for (let i = 0, w = 2 * j * n; i < n; i++, w += 2) hash[i] = murmurStep(hash[i]!, bits[w]! ^ Math.imul(bits[w + 1]!, 0x9e3779b1));
  }
  const same = (a: number, b: number): boolean => {
    if (y[a] !== y[b]) return false;
    for (let j = 1; j < P; j++) if (X[j * n + a] !== X[j * n + b]) return false;
    return true;
  };
  let size = 1;
  while (size < 2 * n) size *= 2;
  const slots = new Int32Array(size).fill(-1);
  const first = new Int32Array(n);
  const counts = new Float64Array(n);
  const classOf = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    let h = hash[i]!;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
    for (let s = h & (size - 1); ; s = (s + 1) & (size - 1)) {
      const g = slots[s]!;
      if (g < 0) {
        slots[s] = k;
        first[k] = i;
        classOf[i] = k;
        counts[k++] = 1;
        break;
      }
      if (same(first[g]!, i)) {
        counts[g]!++;
        classOf[i] = g;
        break;
      }
    }
  }
  return { first, counts, k, classOf };
}

/** The distinct rows of (y, X) with their counts (distinctRowClasses), or undefined when every row is distinct. */
function distinctRows(X: Float64Array, n: number, P: number, y: Int32Array): { first: Int32Array; counts: Float64Array } | undefined {
  const { first, counts, k } = distinctRowClasses(X, n, P, y);
  return k === n ? undefined : { first: first.subarray(0, k), counts: counts.subarray(0, k) };
}

/** Class ids of the rows of (y, X), numbered in order of first occurrence: equal exactly when the rows are. */
export function rowClasses(X: Float64Array, n: number, P: number, y: Int32Array): Int32Array {
  return distinctRowClasses(X, n, P, y).classOf;
}

/** Fits the outcome model with or without the mediator; `start` (clm only): starting (θ, β) instead of clm.start's. */
function fitOutcome(d: MediationData, rows: FitRows, withMediator: boolean, fast: boolean, start?: Float64Array): OutcomeFit {
  const { n, X, weights } = rows;
  const c = d.nCovariates;
  const o = rows.outcome;
  if (o.type === 'ordinal') {
    // clm has no intercept column: [exposure, covariates, (mediator)] = X without its first column.
    const p = 1 + c + (withMediator ? 1 : 0);
    const fit = fitOrdinal(X.subarray(n, n * (1 + p)), n, p, o.codes, o.J, { columns: d.columns.slice(1, 1 + p), checkHessian: !fast, start, weights });
    // clm's covariance is over (thresholds, β), in that order.
    return { coef: fit.beta, vcov: fit.vcov, thresholds: fit.thresholds, exposure: 0 };
  }
  const p = 2 + c + (withMediator ? 1 : 0);
  const fit = fitLogistic(X.subarray(0, n * p), n, p, o.y, { columns: d.columns.slice(0, p), weights });
  return { coef: fit.coefficients, vcov: fit.vcov, thresholds: new Float64Array(0), exposure: 1 };
}

/**
 * The direct and total clm's estimates (θ, β) on the whole sample, for MediationOptions.startFrom;
 * undefined for a binary outcome or when a fit fails (the replicates then start as `mediate` does).
 */
export function wholeSampleFits(d: MediationData): NonNullable<MediationOptions['startFrom']> | undefined {
  if (d.outcome.type !== 'ordinal') return undefined;
  try {
    const rows = fitRows(d, true);
    const cumulativeLogits = nullModelStart(rows, 0);
    if (cumulativeLogits === undefined) return undefined;
    const { direct, total } = fitModels(d, rows, true, undefined);
    return { direct: Float64Array.from([...direct.thresholds, ...direct.coef]), total: Float64Array.from([...total.thresholds, ...total.coef]), cumulativeLogits };
  } catch (e) {
    if (e instanceof FitError) return undefined;
    throw e;
  }
}

/**
 * A replicate's start for the direct clm from the whole sample's (MediationOptions.startFrom): its estimate
 * with θ_j + (L_j − L̂_j), L_j the logit of the replicate's cumulative proportion of categories ≤ j (the null
 * model's θ, nullModelStart) and L̂_j the whole sample's — the thresholds move with the category proportions.
 */
function shiftedDirectStart(rows: FitRows, from: NonNullable<MediationOptions['startFrom']>): Float64Array {
  const start = Float64Array.from(from.direct);
  const logits = nullModelStart(rows, 0);
  if (logits?.length !== from.cumulativeLogits.length) return start;
  for (let j = 0; j < logits.length; j++) start[j] = start[j]! + logits[j]! - from.cumulativeLogits[j]!;
  return start;
}

/**
 * A replicate's start for the total clm from the whole sample's fits (MediationOptions.startFrom): the
 * whole sample's total estimate plus the replicate's direct estimate minus the whole sample's, on the
 * thresholds and the coefficients the two models share (all but the mediator's).
 */
function shiftedTotalStart(direct: OutcomeFit, from: { readonly direct: Float64Array; readonly total: Float64Array }): Float64Array {
  const K = direct.thresholds.length;
  const start = Float64Array.from(from.total);
  for (let j = 0; j < K; j++) start[j] = start[j]! + direct.thresholds[j]! - from.direct[j]!;
  for (let k = 0; k < from.total.length - K; k++) start[K + k] = start[K + k]! + direct.coef[k]! - from.direct[K + k]!;
  return start;
}

/**
 * A start for the direct clm: the null model's maximum, θ_j = logit of the cumulative proportion of
 * categories ≤ j, and β = 0 — closer to the estimate than clm.start's equally spaced θ (one Newton step
 * fewer on the HERMES-like cohort); the iteration then converges to the same maximum.
 */
function nullModelStart(rows: FitRows, p: number): Float64Array | undefined {
  const o = rows.outcome;
  if (o.type !== 'ordinal') return undefined;
  const theta = nullModelThresholds(o.codes, rows.weights, rows.n, o.J);
  if (theta === undefined) return undefined; // an empty category: clm.start's thresholds
  const start = new Float64Array(o.J - 1 + p);
  start.set(theta);
  return start;
}

/**
 * A start for the total clm from the direct one (θ_D, β_D, b) and the a-path M = α₀ + α'x + ε, ε ~ N(0, σ²):
 * substituting M into θ_j − x'β_D − bM gives θ_j − bα₀ − x'(β_D + bα) − bε, and integrating the logistic
 * latent variable (variance π²/3) over bε shrinks the coefficients by s = √((π²/3)/(π²/3 + b²σ²)) —
 *   θ_T ≈ s (θ_D − bα₀),   β_T ≈ s (β_D + bα).
 * Only a start: clm's Newton iteration converges to the same maximum, from here in ~3.4 steps on a
 * bootstrap resample of the HERMES-like cohort (5 from clm.start).
 */
function totalStart(direct: OutcomeFit, alpha: Float64Array, sigma: number): Float64Array {
  const K = direct.thresholds.length;
  const q = direct.coef.length - 1;
  const b = direct.coef[q]!;
  const latent = (Math.PI * Math.PI) / 3;
  const s = Math.sqrt(latent / (latent + b * b * sigma * sigma));
  const start = new Float64Array(K + q);
  for (let j = 0; j < K; j++) start[j] = s * (direct.thresholds[j]! - b * alpha[0]!);
  for (let k = 0; k < q; k++) start[K + k] = s * (direct.coef[k]! + b * alpha[1 + k]!);
  return start;
}

/**
 * The a-path: lm(mediator ~ exposure + covariates) on the sample of d.n patients. On collapsed rows lm's
 * residual df would count distinct rows, so σ̂² = Σ w r² / (n − p) is rescaled to the patients' df.
 */
function aPath(d: MediationData, rows: FitRows): { coefficients: Float64Array; stdErrors: Float64Array; vcov: Float64Array; sigma: number } {
  const pa = 2 + d.nCovariates;
  // Without duplicates, the sample in its own order (lm does not need the category sort).
  const { n, X, weights } = rows.weights === undefined ? { n: d.n, X: designOf(d), weights: undefined } : rows;
  const lin = leastSquares(X.subarray(0, n * pa), n, pa, X.subarray(n * pa, n * (pa + 1)), weights);
  if (weights === undefined) return lin;
  const f = lin.dfResidual / (d.n - pa);
  return { coefficients: lin.coefficients, stdErrors: lin.stdErrors.map((v) => v * Math.sqrt(f)), vcov: lin.vcov.map((v) => v * f), sigma: lin.sigma * Math.sqrt(f) };
}

/** The standard error of coefficient j of a fit (index into coef). */
function coefSe(d: MediationData, f: OutcomeFit, j: number): number {
  const K = f.thresholds.length;
  const npar = K + f.coef.length;
  const idx = d.outcome.type === 'ordinal' ? K + j : j;
  return Math.sqrt(f.vcov[idx * npar + idx]!);
}

export function effect(beta: number, se: number, sign: number, zq: number): Effect {
  const z = beta / se;
  return {
    log_or: beta,
    se,
    z,
    p_value: 2 * pnorm(-Math.abs(z)),
    or: Math.exp(sign * beta),
    or_low: Math.exp(sign * beta - zq * se),
    or_high: Math.exp(sign * beta + zq * se),
  };
}

/**
 * The three models on the sample's rows: the a-path lm, then the direct model from the null model's
 * thresholds and the total model started from it (clm; see nullModelStart and totalStart) — or, given
 * the whole sample's estimates (MediationOptions.startFrom), both clm fits started from those shifted to
 * the sample (shiftedDirectStart, shiftedTotalStart).
 */
function fitModels(d: MediationData, rows: FitRows, fast: boolean, startFrom: MediationOptions['startFrom']): { lin: ReturnType<typeof aPath>; direct: OutcomeFit; total: OutcomeFit } {
  const lin = aPath(d, rows);
  const pDirect = (d.outcome.type === 'ordinal' ? d.outcome.J - 1 : NaN) + 2 + d.nCovariates;
  const from = startFrom?.direct.length === pDirect && startFrom.total.length === pDirect - 1 ? startFrom : undefined;
  const direct = fitOutcome(d, rows, true, fast, from !== undefined ? shiftedDirectStart(rows, from) : nullModelStart(rows, 2 + d.nCovariates));
  const total = fitOutcome(d, rows, false, fast, d.outcome.type !== 'ordinal' ? undefined : from !== undefined ? shiftedTotalStart(direct, from) : totalStart(direct, lin.coefficients, lin.sigma));
  return { lin, direct, total };
}

export function mediation(d: MediationData, opt: MediationOptions, rng?: Rng): MediationResult {
  const n = d.n;
  const zq = qnorm(0.5 + opt.level / 2);
  // The OR's direction: clm's β > 0 shifts towards higher categories; 'lower' reports exp(−β).
  const sign = d.outcome.type === 'ordinal' && opt.favourable === 'lower' ? -1 : 1;
  const fast = opt.fast === true;

  const rows = fitRows(d, opt.collapseDuplicates ?? true);
  // the a-path lm and the direct and total clm (fitModels)
  const { lin, direct, total } = fitModels(d, rows, fast, opt.startFrom);
  const bT = total.coef[total.exposure]!;
  const bD = direct.coef[direct.exposure]!;
  const mIdx = direct.coef.length - 1;
  const b = direct.coef[mIdx]!;
  const seB = coefSe(d, direct, mIdx);

  const a = lin.coefficients[1]!;
  const seA = lin.stdErrors[1]!;
  const indirect = a * b;

  const res: MediationResult = {
    n,
    total: effect(bT, coefSe(d, total, total.exposure), sign, zq),
    direct: effect(bD, coefSe(d, direct, direct.exposure), sign, zq),
    mediator_effect: effect(b, seB, sign, zq),
    proportion_explained: 1 - bD / bT,
    a_path: { estimate: a, se: seA, sigma: lin.sigma },
    b_path: { estimate: b, se: seB },
    product: { indirect, se: Math.sqrt(a * a * seB * seB + b * b * seA * seA), proportion: indirect / (indirect + bD) },
  };
  if (opt.counterfactual !== undefined) {
    if (rng === undefined) throw new FitError('counterfactual effects need a random stream');
    res.counterfactual = counterfactualEffects(d, direct, lin.coefficients, lin.vcov, lin.sigma, opt.counterfactual, opt.level, rng);
  }
  return res;
}

/** A draw from N(mean, V) given the Cholesky factor L of V: mean + L z. */
function mvnDraw(mean: Float64Array, l: Float64Array, rng: Rng): Float64Array {
  const p = mean.length;
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) z[i] = rng.normal();
  const out = Float64Array.from(mean);
  for (let i = 0; i < p; i++) {
    let s = 0;
    for (let k = 0; k <= i; k++) s += l[i * p + k]! * z[k]!;
    out[i]! += s;
  }
  return out;
}

function cholOf(v: Float64Array, p: number): Float64Array {
  const { L, failedAt } = cholesky(v, p);
  if (failedAt >= 0) throw new FitError('the covariance matrix of a mediation model is not positive definite, so its parameters cannot be simulated');
  return L;
}

export function counterfactualEffects(
  d: MediationData,
  direct: OutcomeFit,
  alpha: Float64Array,
  alphaV: Float64Array,
  sigma: number,
  cf: { readonly category: number; readonly sims: number },
  level: number,
  rng: Rng,
): NonNullable<MediationResult['counterfactual']> {
  const n = d.n;
  const X = designOf(d);
  const c = d.nCovariates;
  const sims = cf.sims;
  const ordinal = d.outcome.type === 'ordinal';
  // Outcome parameters in one vector: ordinal [θ…, β…] (clm's order, matching vcov); binary [β…].
  const outPar = ordinal ? Float64Array.from([...direct.thresholds, ...direct.coef]) : Float64Array.from(direct.coef);
  const K = direct.thresholds.length;
  const lOut = cholOf(direct.vcov, outPar.length);
  const lA = cholOf(alphaV, alpha.length);

  // Per-patient covariate parts of the linear predictors (fixed X, parameters vary by draw).
  const covA = new Float64Array(n);
  const covY = new Float64Array(n);
  const eps = new Float64Array(n);
  const evaluate = (al: Float64Array, par: Float64Array): [number, number, number, number] => {
    // Mediator model: α_0 + α_1 t + Σ α_{2+k} c_k; outcome: η = β_t t + Σ β_c c + β_m m (+ intercept for binary).
    const beta = ordinal ? par.subarray(K) : par;
    const off = ordinal ? 0 : 1; // index of the exposure in beta
    covA.fill(al[0]!);
    covY.fill(ordinal ? 0 : beta[0]!);
    for (let k = 0; k < c; k++) {
      const col = X.subarray(n * (2 + k), n * (3 + k));
      const ak = al[2 + k]!;
      const bk = beta[off + 1 + k]!;
      for (let i = 0; i < n; i++) {
        covA[i]! += ak * col[i]!;
        covY[i]! += bk * col[i]!;
      }
    }
    const bt = beta[off]!;
    const bm = beta[off + 1 + c]!;
    const a1 = al[1]!;
    // P(Y ≤ j) = plogis(θ_j − η) (clm) or P(y = 1) = plogis(η) (glm).
    const theta = ordinal ? par[cf.category]! : 0;
    const prob = (eta: number): number => (ordinal ? (cf.category >= K ? 1 : cumulativeProbability(theta, eta)) : probability(eta));
    let p11 = 0;
    let p10 = 0;
    let p01 = 0;
    let p00 = 0;
    for (let i = 0; i < n; i++) {
      const m0 = covA[i]! + eps[i]!;
      const m1 = m0 + a1;
      const base = covY[i]!;
      p11 += prob(base + bt + bm * m1);
      p10 += prob(base + bt + bm * m0);
      p01 += prob(base + bm * m1);
      p00 += prob(base + bm * m0);
    }
    return [p11 / n, p10 / n, p01 / n, p00 / n];
  };
  const effects = (p: [number, number, number, number]): number[] => {
    const [p11, p10, p01, p00] = p;
    const tau = p11 - p00;
    const d1 = p11 - p10;
    const d0 = p01 - p00;
    const z1 = p11 - p01;
    const z0 = p10 - p00;
    return [tau, d0, d1, (d0 + d1) / 2, z0, z1, (z0 + z1) / 2, (d0 + d1) / 2 / tau];
  };
  // Point estimate: fitted parameters, averaged over `sims` mediator-error draws.
  const pointSum = [0, 0, 0, 0];
  const draws: number[][] = [];
  for (let s = 0; s < sims; s++) {
    for (let i = 0; i < n; i++) eps[i] = sigma * rng.normal();
    const p = evaluate(alpha, outPar);
    p.forEach((v, k) => (pointSum[k]! += v / sims));
    // The quasi-Bayesian draw reuses the same mediator errors with simulated parameters.
    const pd = evaluate(mvnDraw(alpha, lA, rng), mvnDraw(outPar, lOut, rng));
    draws.push(effects(pd));
  }
  const point = effects(pointSum as [number, number, number, number]);
  const lo = (1 - level) / 2;
  const summary = (k: number): Counterfactual => {
    const v = Float64Array.from(draws, (e) => e[k]!).sort();
    return { estimate: point[k]!, mean: v.reduce((s, x) => s + x, 0) / sims, ci_low: quantile7(v, lo), ci_high: quantile7(v, 1 - lo) };
  };
  return {
    sims,
    total_effect: summary(0),
    acme_control: summary(1),
    acme_treated: summary(2),
    acme_average: summary(3),
    ade_control: summary(4),
    ade_treated: summary(5),
    ade_average: summary(6),
    proportion_mediated: summary(7),
    probabilities: { p_11: pointSum[0]!, p_10: pointSum[1]!, p_01: pointSum[2]!, p_00: pointSum[3]! },
  };
}
