/**
 * Cumulative-logit (proportional-odds) models as `ordinal::clm` (and `MASS::polr`): the user-facing fit
 * of the model stated in models/cumulative-logit.ts,
 *
 *   logit P(Y ≤ j | x, z) = θ_j + z'γ_j − x'β − o,   j = 1 … J−1
 *
 * with location covariates x (no intercept column), for the non-proportional ("nominal") model of
 * `ordinal::nominal_test` covariates z whose effects γ_j vary by threshold (sign as clm's
 * sign.nominal = "positive"; without z this is the proportional-odds model), and an offset o.
 *
 *   fitOrdinal(X, n, p, y, J, options)     → OrdinalFit  (Newton–Raphson as clm.fit.NR)
 *   nominalTest(X, n, p, y, J, groups, …)  → per term: LR test of the PO model against the model with that term nominal
 *   responseCategories(values | factor, merge?) → category codes 0..J−1 with their labels
 *   numericCategories(values)           → a numeric response's codes (its sorted distinct values) and labels
 *   thresholdNames(labels)                 → clm's "0|1", "1|2", …
 *
 * The negative log-likelihood, its gradient and Hessian over the rows are models/cumulative-logit-
 * objective.ts's (the WebAssembly kernels' pass for proportional odds); the iteration is fit/newton.ts's
 * clm.fit.NR with clm.control()'s defaults, from clm.start (θ = qlogis((1:(J−1))/J), γ = 0, β = 0) or
 * the given start. The covariance is H⁻¹ at the estimate; clm's conv.check (the Hessian's eigenvalues:
 * condition number and identifiability warnings) follows unless skipped.
 */
import { FitError } from '../errors.js';
import { pchisq } from './distributions.js';
import { CLM_CONTROL, hessianEigenvalues, maxAbs, type NewtonControl, newtonRaphson, newtonWorkspace } from './fit/newton.js';
import { clmStart } from './models/cumulative-logit.js';
import { CumulativeLogitObjective, cumulativeLogitParameters } from './models/cumulative-logit-objective.js';
import { distinctRanks } from './quantile.js';

export interface OrdinalControl {
  readonly maxIter?: number | undefined;
  readonly gradTol?: number | undefined;
  readonly relTol?: number | undefined;
  readonly maxLineIter?: number | undefined;
  readonly maxModIter?: number | undefined;
}

export interface OrdinalOptions extends OrdinalControl {
  readonly weights?: Float64Array | undefined;
  /** Nominal covariates z (column-major n × k, no intercept): their effects vary by threshold. */
  readonly nominal?: { readonly Z: Float64Array; readonly k: number } | undefined;
  /** An offset o in the linear predictor η = x'β + o (clm's offset()). */
  readonly offset?: Float64Array | undefined;
  /** Location column names, for messages. */
  readonly columns?: readonly string[] | undefined;
  readonly columnTerms?: readonly string[] | undefined;
  /** Eigen-check the Hessian as clm's conv.check (condition number, warnings). Default true; the bootstrap may skip it. */
  readonly checkHessian?: boolean | undefined;
  /** Starting values (thresholds, then nominal, then β), e.g. the previous fit in a bootstrap. */
  readonly start?: Float64Array | undefined;
}

export interface OrdinalFit {
  /** Number of outcome categories. */
  readonly J: number;
  /** Location coefficients β (length p). */
  readonly beta: Float64Array;
  /** Thresholds θ_j (length J−1); with nominal covariates, θ_{j,0}. */
  readonly thresholds: Float64Array;
  /** All parameters in clm's order: thresholds (J−1) × (1 + k) as [θ_1, γ_1…, θ_2, …]… then β. */
  readonly par: Float64Array;
  /** Covariance of `par` (flat, npar × npar). */
  readonly vcov: Float64Array;
  readonly stdErrors: Float64Array;
  readonly loglik: number;
  /** Number of parameters. */
  readonly edf: number;
  readonly aic: number;
  readonly bic: number;
  /** Σ weights (clm's nobs). */
  readonly nobs: number;
  readonly iterations: number;
  /** Step-halvings taken (clm's niter["inner"]). */
  readonly innerIterations: number;
  /** clm's convergence code: 0 both criteria met, 1 only the gradient criterion, 2 iteration limit, 3 step halving failed, 4 too many Hessian modifications. */
  readonly code: number;
  readonly converged: boolean;
  readonly maxGradient: number;
  /** Condition number of the Hessian (max/min eigenvalue), as clm's cond.H; NaN when not checked. */
  readonly condH: number;
  readonly warnings: readonly string[];
}

/** Fits the cumulative-logit model (models/cumulative-logit.ts) by Newton–Raphson (fit/newton.ts, clm's control); y holds category codes 0..J−1. */
export function fitOrdinal(X: Float64Array, n: number, p: number, y: Int32Array, J: number, options: OrdinalOptions = {}): OrdinalFit {
  if (J < 2) throw new FitError('the ordinal outcome has fewer than 2 categories in the fitted data');
  const k = options.nominal?.k ?? 0;
  const K = J - 1;
  const q = 1 + k;
  const npar = cumulativeLogitParameters(J, k, p);
  const m = new CumulativeLogitObjective(X, n, p, y, J, { weights: options.weights, nominal: options.nominal, offset: options.offset, workspace: newtonWorkspace(npar) });
  const names = options.columns ?? Array.from({ length: p }, (_, j) => `column ${j + 1}`);
  const terms = options.columnTerms ?? names;
  const control: NewtonControl = {
    maxIter: options.maxIter ?? CLM_CONTROL.maxIter,
    gradTol: options.gradTol ?? CLM_CONTROL.gradTol,
    relTol: options.relTol ?? CLM_CONTROL.relTol,
    maxLineIter: options.maxLineIter ?? CLM_CONTROL.maxLineIter,
    maxModIter: options.maxModIter ?? CLM_CONTROL.maxModIter,
  };
  const start = options.start;
  // clm.start: thresholds at the logits of equally spaced cumulative proportions, the rest 0
  const r = newtonRaphson(m, (par) => {
    if (start !== undefined) par.set(start);
    else clmStart(J, q, par);
  }, control);
  const conv = r.code;
  const { par, grad, hess } = r;
  if (!Number.isFinite(r.value)) throw new FitError('the ordinal fit reached parameters with a zero-probability observation', { hint: 'check the model for separation' });
  const loglik = -r.value;
  const { vcov, failedAt } = r.covariance();
  if (vcov === undefined) {
    const j = failedAt - K * q;
    const term = j >= 0 ? terms[j] : undefined;
    throw new FitError(`the Hessian of the ordinal model is singular${term === undefined ? ` at threshold parameter ${failedAt + 1}` : ` at the term "${term}"`}`, {
      term,
      hint: 'the term may be collinear with others or separate the outcome (a category never observed with it)',
    });
  }
  const warnings: string[] = [];
  // clm's conv.check: eigenvalues of the Hessian (condition number, identifiability warnings)
  let condH = NaN;
  if (options.checkHessian !== false) {
    const ev = hessianEigenvalues(hess, npar);
    const maxEv = Math.max(...ev);
    const minEv = Math.min(...ev);
    condH = maxEv / minEv;
    const tol = Math.sqrt(2.220446049250313e-16);
    if (maxEv * tol > 1) warnings.push('clm: Model is nearly unidentifiable: very large eigenvalue - Rescale variables?');
    if (minEv / maxEv < tol) warnings.push('clm: Model is nearly unidentifiable: large eigenvalue ratio - Rescale variables?');
  }
  const stdErrors = new Float64Array(npar);
  for (let r2 = 0; r2 < npar; r2++) stdErrors[r2] = Math.sqrt(vcov[r2 * npar + r2]!);
  const messages: Record<number, string> = {
    1: 'absolute convergence criterion was met, but relative criterion was not met',
    2: 'iteration limit reached',
    3: 'step factor reduced below minimum',
    4: 'maximum number of consecutive Newton modifications reached',
  };
  if (conv !== 0) warnings.push(`clm: ${messages[conv]!}`);
  if (conv >= 2) {
    let worst = 0;
    for (let j = 1; j < p; j++) if (Math.abs(grad[K * q + j]!) > Math.abs(grad[K * q + worst]!)) worst = j;
    throw new FitError(`the ordinal fit did not converge (${messages[conv]!})${p > 0 ? `; the largest gradient is of "${terms[worst]!}"` : ''}`, { term: p > 0 ? terms[worst] : undefined, hint: 'check that term for separation or rescale it' });
  }
  let nobs = 0;
  for (let i = 0; i < n; i++) nobs += options.weights === undefined ? 1 : options.weights[i]!;
  const thresholds = new Float64Array(K);
  for (let j = 0; j < K; j++) thresholds[j] = par[j * q]!;
  return {
    J,
    beta: par.slice(K * q),
    thresholds,
    par: Float64Array.from(par),
    vcov,
    stdErrors,
    loglik,
    edf: npar,
    aic: -2 * loglik + 2 * npar,
    bic: -2 * loglik + Math.log(nobs) * npar,
    nobs,
    iterations: r.iterations,
    innerIterations: r.innerIterations,
    code: conv,
    converged: conv <= 1,
    maxGradient: maxAbs(grad),
    condH,
    warnings,
  };
}

// ---- the response ---------------------------------------------------------------------------------

/**
 * Category codes of a numeric ordinal outcome (no NaN): its sorted distinct values (as `factor(mrs90)`),
 * responseCategories' coding of a numeric response. mediate runs it once per bootstrap replicate, so small
 * integer scores (mRS 0–6) are counted in a table, and other values found by a sort and binary search,
 * never by hashing.
 */
export function numericCategories(values: Float64Array): { codes: Int32Array; labels: string[] } {
  const n = values.length;
  let lo = Infinity;
  let hi = -Infinity;
  let integers = true;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (!Number.isInteger(v)) integers = false;
  }
  const codes = new Int32Array(n);
  if (integers && hi - lo < 1024) {
    // code of value v = the number of distinct values below it
    const codeOf = new Int32Array(hi - lo + 1);
    for (let i = 0; i < n; i++) codeOf[values[i]! - lo] = 1;
    const labels: string[] = [];
    for (let v = 0, k = 0; v < codeOf.length; v++) {
      if (codeOf[v] === 1) {
        labels.push(String(v + lo));
        codeOf[v] = k++;
      }
    }
    for (let i = 0; i < n; i++) codes[i] = codeOf[values[i]! - lo]!;
    return { codes, labels };
  }
  const ranked = distinctRanks(values);
  return { codes: ranked.codes, labels: Array.from(ranked.distinct, String) };
}

/**
 * Category codes 0..J−1 of an ordinal response and their labels. A numeric response takes its sorted
 * distinct values as categories (as `factor(mrs90)`); a factor keeps its level order and drops levels
 * with no rows (reported). `merge` lists groups of categories (by label) to pool: `[["5", "6"]]`
 * makes one category "5-6" in the place of the first.
 */
export function responseCategories(
  response: { readonly type: 'number'; readonly values: Float64Array } | { readonly type: 'factor'; readonly codes: Int32Array; readonly levels: readonly string[] },
  merge: readonly (readonly (string | number)[])[] = [],
): { codes: Int32Array; labels: string[]; dropped: string[] } {
  const n = response.type === 'number' ? response.values.length : response.codes.length;
  let labels: string[];
  let raw: Int32Array;
  if (response.type === 'number') {
    ({ codes: raw, labels } = numericCategories(response.values));
  } else {
    labels = [...response.levels];
    raw = Int32Array.from(response.codes);
  }
  // merge groups: every label of a group maps to the group's first category
  const target = labels.map((_, i) => i);
  const groupLabel = new Map<number, string>();
  for (const group of merge) {
    const idx = group.map((g) => {
      const k = labels.indexOf(String(g));
      if (k < 0) throw new FitError(`merge: the outcome has no category "${String(g)}"`, { hint: `its categories are: ${labels.join(', ')}` });
      return k;
    });
    const first = Math.min(...idx);
    for (const k of idx) target[k] = first;
    groupLabel.set(first, idx.sort((a, b) => a - b).map((k) => labels[k]!).join('-'));
  }
  const counts = new Float64Array(labels.length);
  for (let i = 0; i < n; i++) counts[target[raw[i]!]!]!++;
  const keep: number[] = [];
  const dropped: string[] = [];
  labels.forEach((l, k) => {
    if (target[k] !== k) return;
    if (counts[k]! > 0) keep.push(k);
    else dropped.push(l);
  });
  const newIndex = new Map(keep.map((k, i) => [k, i]));
  const codes = Int32Array.from(raw, (c) => newIndex.get(target[c]!)!);
  return { codes, labels: keep.map((k) => groupLabel.get(k) ?? labels[k]!), dropped };
}

/** clm's threshold names: "0|1", "1|2", … */
export function thresholdNames(labels: readonly string[]): string[] {
  return labels.slice(0, -1).map((l, j) => `${l}|${labels[j + 1]!}`);
}

// ---- the proportional-odds assumption -------------------------------------------------------------

export interface NominalTestRow {
  readonly term: string;
  readonly df: number;
  readonly loglik: number;
  readonly aic: number;
  readonly lrt: number;
  readonly p_value: number;
  /** Why the test could not be done (the nominal model did not fit), else undefined. */
  readonly error?: string | undefined;
}

/**
 * `ordinal::nominal_test`: for each term (a group of location columns), the likelihood-ratio test of
 * the PO model against the model in which that term's effects vary by threshold (moved from the
 * location part to the nominal part). df = (J − 2) × columns of the term.
 */
export function nominalTest(
  X: Float64Array,
  n: number,
  p: number,
  y: Int32Array,
  J: number,
  po: OrdinalFit,
  groups: readonly { readonly term: string; readonly columns: readonly number[] }[],
  weights?: Float64Array,
): NominalTestRow[] {
  return groups.map(({ term, columns }) => {
    const keep = Array.from({ length: p }, (_, j) => j).filter((j) => !columns.includes(j));
    const Xl = new Float64Array(n * keep.length);
    keep.forEach((j, c) => { Xl.set(X.subarray(j * n, (j + 1) * n), c * n); });
    const Z = new Float64Array(n * columns.length);
    columns.forEach((j, c) => { Z.set(X.subarray(j * n, (j + 1) * n), c * n); });
    try {
      const fit = fitOrdinal(Xl, n, keep.length, y, J, { weights, nominal: { Z, k: columns.length } });
      const df = fit.edf - po.edf;
      const lrt = 2 * (fit.loglik - po.loglik);
      return { term, df, loglik: fit.loglik, aic: fit.aic, lrt, p_value: pchisq(lrt, df, false) };
    } catch (e) {
      return { term, df: NaN, loglik: NaN, aic: NaN, lrt: NaN, p_value: NaN, error: e instanceof Error ? e.message : String(e) };
    }
  });
}
