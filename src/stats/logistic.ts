/**
 * Binomial GLM with the logit link, as R's `glm(family = binomial)`, and MASS's profile likelihood
 * confidence intervals (`confint.glm` → `profile.glm` → `confint.profile.glm`): the user-facing fit of the
 * model stated in models/binomial-logit.ts, by glm.fit's IRLS (fit/irls.ts).
 *
 *   fitLogistic(X, n, p, y, options)   → LogisticFit   (throws FitError on separation / non-convergence)
 *   profileConfint(fit, X, n, p, y, options) → {low, high}  (per column; NaN where the profile does not reach the cutoff)
 *   findSeparation(X, n, p, y, weights) → the first column that alone separates y, or -1
 *
 * X is column-major n × p (see linalg.ts); y holds 0/1 outcomes (or proportions with weights = trials);
 * `weights` are prior (case) weights. The covariance is (X'WX)⁻¹ with the W of the last iteration, as
 * summary.glm; the null deviance, log-likelihood and AIC as glm's.
 */
import { FitError } from '../errors.js';
import { qchisq, qnorm } from './distributions.js';
import { GLM_CONTROL, irls, type IrlsResult } from './fit/irls.js';
import { choleskyInverse, equilibratedCholesky, linearPredictor } from './linalg.js';
import { meanSd } from './moments.js';
import { BINOMIAL_LOGIT, deviance, linkinv, loglik as binomialLoglik } from './models/binomial-logit.js';

const DBL_EPSILON = 2.220446049250313e-16;

export interface LogisticOptions {
  /** Convergence tolerance on the relative deviance change (glm.control epsilon; default 1e-8). */
  readonly epsilon?: number | undefined;
  /** Maximum IRLS iterations (glm.control maxit; default 25). */
  readonly maxit?: number | undefined;
  readonly weights?: Float64Array | undefined;
  readonly offset?: Float64Array | undefined;
  /** Starting linear predictor (glm.fit etastart). */
  readonly etastart?: Float64Array | undefined;
  /** Column names, to name the term in errors and warnings. */
  readonly columns?: readonly string[] | undefined;
  /** Term of each column (for messages); defaults to the column name. */
  readonly columnTerms?: readonly string[] | undefined;
  /** 'error' (default): separation or non-convergence is a FitError; 'warn': R's fit is returned with warnings. */
  readonly onFailure?: 'error' | 'warn' | undefined;
  /** Whether an intercept column is present (for the null deviance); default: a column of ones exists. */
  readonly intercept?: boolean | undefined;
}

export interface LogisticFit {
  readonly p: number;
  readonly coefficients: Float64Array;
  /** p × p, flat. */
  readonly vcov: Float64Array;
  readonly stdErrors: Float64Array;
  readonly deviance: number;
  readonly nullDeviance: number;
  readonly loglik: number;
  readonly aic: number;
  readonly bic: number;
  /** Observations with non-zero weight (R's nobs). */
  readonly nobs: number;
  readonly dfResidual: number;
  readonly dfNull: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly warnings: readonly string[];
  readonly eta: Float64Array;
  readonly mu: Float64Array;
}

/**
 * A column that on its own separates the outcome: a 0/1 column whose rows with value 1 all have the
 * same outcome (quasi-complete separation: its coefficient runs to ±∞), or a column whose values for
 * y = 0 and y = 1 do not overlap (complete separation). Only for 0/1 outcomes; -1 when none.
 */
export function findSeparation(X: Float64Array, n: number, p: number, y: Float64Array, w?: Float64Array): { column: number; kind: 'complete' | 'quasi-complete' | 'none' } {
  const none = { column: -1, kind: 'none' as const };
  for (let i = 0; i < n; i++) if (y[i] !== 0 && y[i] !== 1) return none;
  for (let j = 0; j < p; j++) {
    const o = j * n;
    let indicator = true;
    let ones = 0;
    let onesY = 0;
    let max0 = -Infinity;
    let min0 = Infinity;
    let max1 = -Infinity;
    let min1 = Infinity;
    let constant = true;
    const first = X[o]!;
    for (let i = 0; i < n; i++) {
      if (w !== undefined && !(w[i]! > 0)) continue;
      const x = X[o + i]!;
      if (x !== first) constant = false;
      if (x !== 0 && x !== 1) indicator = false;
      if (x === 1) {
        ones++;
        onesY += y[i]!;
      }
      if (y[i] === 1) {
        if (x > max1) max1 = x;
        if (x < min1) min1 = x;
      } else {
        if (x > max0) max0 = x;
        if (x < min0) min0 = x;
      }
    }
    if (constant) continue; // the intercept
    if (max0 === -Infinity || max1 === -Infinity) return none; // y constant: nothing to separate
    if (max0 < min1 || max1 < min0) return { column: j, kind: 'complete' };
    if (indicator && ones > 0 && (onesY === 0 || onesY === ones)) return { column: j, kind: 'quasi-complete' };
    if (max0 <= min1 || max1 <= min0) return { column: j, kind: 'quasi-complete' };
  }
  return none;
}

function columnSd(X: Float64Array, n: number, j: number): number {
  return meanSd(X.subarray(j * n, (j + 1) * n)).sd;
}

/** glm.control with the options' epsilon and maxit. */
function glmControl(o: LogisticOptions): typeof GLM_CONTROL {
  return { ...GLM_CONTROL, epsilon: o.epsilon ?? GLM_CONTROL.epsilon, maxit: o.maxit ?? GLM_CONTROL.maxit };
}

/** Fits the logistic regression. See the module comment. */
export function fitLogistic(X: Float64Array, n: number, p: number, y: Float64Array, options: LogisticOptions = {}): LogisticFit {
  const names = options.columns ?? Array.from({ length: p }, (_, j) => `column ${j + 1}`);
  const termOf = (j: number): string => options.columnTerms?.[j] ?? names[j] ?? String(j);
  const onFailure = options.onFailure ?? 'error';
  const w = options.weights;
  // one pass over y (and w): valid outcome, whether it varies, whether it is 0/1, and the sums of the null model
  let varies = false;
  let zeroOne = true;
  let sw = 0;
  let swy = 0;
  let nobs = 0;
  const y0 = y[0]!;
  for (let i = 0; i < n; i++) {
    const yi = y[i]!;
    if (!(yi >= 0 && yi <= 1)) throw new FitError(`the logistic outcome must be 0/1 (or a proportion), row ${i + 1} has ${yi}`, { hint: 'use a comparison such as "mrs90 <= 2" as the outcome' });
    if (yi !== y0) varies = true;
    if (yi !== 0 && yi !== 1) zeroOne = false;
    const wi = w === undefined ? 1 : w[i]!;
    sw += wi;
    swy += wi * yi;
    if (wi !== 0) nobs++;
  }
  if (!varies) throw new FitError(`the logistic outcome is ${y[0]!} in every fitted row`, { hint: 'check the outcome definition and any filter before the fit' });
  const warnings: string[] = [];
  /** Separation by a single column, looked for only when the fit shows its signs (it costs p passes over X). */
  const separation = (): void => {
    const sep = findSeparation(X, n, p, y, w);
    if (sep.column < 0) return;
    const term = termOf(sep.column);
    const msg = `${sep.kind} separation: the outcome is perfectly predicted by "${names[sep.column]!}" (term "${term}"), so its coefficient is infinite`;
    if (onFailure === 'error') throw new FitError(msg, { term, hint: 'drop or merge the term (e.g. merge a factor level with no events), or fit a penalised (Firth) model outside lesionflow' });
    warnings.push(msg);
  };
  let r: IrlsResult;
  try {
    r = irls(X, n, p, y, BINOMIAL_LOGIT, { weights: w, offset: options.offset, etastart: options.etastart, columns: names, control: glmControl(options) });
  } catch (e) {
    if (e instanceof FitError) separation();
    throw e;
  }
  const vcov = invertXtWX(r.XtWX, p, names);
  const stdErrors = new Float64Array(p);
  for (let j = 0; j < p; j++) stdErrors[j] = Math.sqrt(vcov[j * p + j]!);

  // Signs of separation: no convergence, or a linear predictor beyond ±15 (fitted probability < 3e-7).
  const eps = 10 * DBL_EPSILON;
  let extreme = false;
  let maxEta = 0;
  for (let i = 0; i < n; i++) {
    const m = r.mu[i]!;
    if (m > 1 - eps || m < eps) extreme = true;
    const a = Math.abs(r.eta[i]!);
    if (a > maxEta) maxEta = a;
  }
  if (!r.converged || extreme || maxEta > 15) {
    const before = warnings.length;
    separation();
    const named = warnings.length > before;
    // otherwise the term with the largest standardised coefficient is the one running to infinity
    let worst = -1;
    let worstSize = -1;
    for (let j = 0; j < p; j++) {
      const sd = columnSd(X, n, j);
      const size = Math.abs(r.beta[j]!) * sd;
      if (sd > 0 && size > worstSize) {
        worstSize = size;
        worst = j;
      }
    }
    const worstTerm = worst >= 0 ? termOf(worst) : undefined;
    if (!r.converged) {
      const msg = `the logistic fit did not converge in ${r.iter} iterations${worstTerm === undefined ? '' : ` (the largest coefficient is of "${worstTerm}")`}`;
      if (onFailure === 'error' && !named) throw new FitError(msg, { term: worstTerm, hint: 'check for (quasi-)separation in that term, or rescale it' });
      warnings.push('glm.fit: algorithm did not converge');
    }
    if (extreme) {
      const msg = `fitted probabilities numerically 0 or 1 occurred: separation${worstTerm === undefined ? '' : `, most likely by "${worstTerm}"`}`;
      if (onFailure === 'error' && !named) throw new FitError(msg, { term: worstTerm, hint: 'drop or merge the term, or fit a penalised (Firth) model outside lesionflow' });
      warnings.push('glm.fit: fitted probabilities numerically 0 or 1 occurred');
    }
  }
  if (r.boundary) warnings.push('glm.fit: algorithm stopped at boundary value');

  // Null deviance (glm.fit): weighted mean of y with an intercept, linkinv(offset) without.
  const hasIntercept = options.intercept ?? hasOnesColumn(X, n, p);
  const binary = w === undefined && zeroOne;
  let nullDeviance: number;
  if (binary && hasIntercept) {
    // unweighted 0/1 outcome: every row has mu0 = k/n, so Σ deviance residuals = 2 (k log(1/mu0) + (n − k) log(1/(1 − mu0)))
    const m0 = swy / sw;
    nullDeviance = 2 * (swy * Math.log(1 / m0) + (sw - swy) * Math.log(1 / (1 - m0)));
  } else {
    const mu0 = new Float64Array(n);
    for (let i = 0; i < n; i++) mu0[i] = hasIntercept ? swy / sw : linkinv(options.offset === undefined ? 0 : options.offset[i]!);
    nullDeviance = deviance(y, mu0, w);
  }
  // unweighted 0/1 outcome: log dbinom(y, 1, mu) = y log mu + (1 − y) log(1 − mu) = −(deviance residual)/2
  const loglik = binary ? -r.dev / 2 : binomialLoglik(y, r.mu, w);
  return {
    p,
    coefficients: r.beta,
    vcov,
    stdErrors,
    deviance: r.dev,
    nullDeviance,
    loglik,
    aic: -2 * loglik + 2 * p,
    bic: -2 * loglik + Math.log(nobs) * p,
    nobs,
    dfResidual: nobs - p,
    dfNull: nobs - (hasIntercept ? 1 : 0),
    iterations: r.iter,
    converged: r.converged,
    warnings,
    eta: r.eta,
    mu: r.mu,
  };
}

function hasOnesColumn(X: Float64Array, n: number, p: number): boolean {
  for (let j = 0; j < p; j++) {
    let ones = true;
    for (let i = 0; i < n && ones; i++) if (X[j * n + i] !== 1) ones = false;
    if (ones) return true;
  }
  return false;
}

function invertXtWX(XtWX: Float64Array, p: number, names: readonly string[]): Float64Array {
  const { L, scale, failedAt } = equilibratedCholesky(XtWX, p);
  if (failedAt >= 0) throw new FitError(`the information matrix is singular at column "${names[failedAt] ?? failedAt}"`, { term: names[failedAt] });
  const inv = choleskyInverse(L, p);
  for (let r = 0; r < p; r++) for (let c = 0; c < p; c++) inv[r * p + c] = inv[r * p + c]! * scale[r]! * scale[c]!;
  return inv;
}

// ---- profile likelihood confidence intervals (MASS) ----------------------------------------------

/**
 * Profile-likelihood confidence intervals as `confint(glmfit)` (MASS 7.3 / R ≥ 4.4 stats):
 * profile.glm with alpha = (1 − level)/4, zmax = √qchisq(1 − alpha, 1), del = zmax/5, at most 9 steps
 * each side of β̂_j of size del·SE_j, refitting the other coefficients with β_j fixed as an offset
 * (glm.fit started from the previous linear predictor); the signed root deviance z(β_j) is then
 * interpolated by R's `spline()` (fmm, 3 × points) and inverted with `approx()` at qnorm((1 ∓ level)/2).
 */
export function profileConfint(
  fit: LogisticFit,
  X: Float64Array,
  n: number,
  p: number,
  y: Float64Array,
  options: LogisticOptions & { level?: number | undefined } = {},
): { low: Float64Array; high: Float64Array } {
  const level = options.level ?? 0.95;
  const alpha = (1 - level) / 4;
  const zmax = Math.sqrt(qchisq(1 - alpha, 1));
  const del = zmax / 5;
  const maxsteps = 10;
  const low = new Float64Array(p).fill(NaN);
  const high = new Float64Array(p).fill(NaN);
  const cutoff = [qnorm((1 - level) / 2), qnorm(1 - (1 - level) / 2)];
  const baseOffset = options.offset ?? new Float64Array(n);
  for (let j = 0; j < p; j++) {
    // X without column j
    const Xi = new Float64Array(n * (p - 1));
    for (let k = 0, c = 0; k < p; k++) if (k !== j) Xi.set(X.subarray(k * n, (k + 1) * n), (c++) * n);
    const zs: number[] = [0];
    const bs: number[] = [fit.coefficients[j]!];
    for (const sgn of [-1, 1]) {
      let step = 0;
      let z = 0;
      const LP = new Float64Array(n);
      linearPredictor(X, n, p, fit.coefficients, LP);
      for (let i = 0; i < n; i++) LP[i] = LP[i]! + baseOffset[i]!;
      while (++step < maxsteps && Math.abs(z) < zmax) {
        const bi = fit.coefficients[j]! + sgn * step * del * fit.stdErrors[j]!;
        const off = new Float64Array(n);
        for (let i = 0; i < n; i++) off[i] = baseOffset[i]! + X[j * n + i]! * bi;
        const r = p === 1 ? nullFit(y, options.weights, off) : irls(Xi, n, p - 1, y, BINOMIAL_LOGIT, { weights: options.weights, offset: off, etastart: LP, control: glmControl(options) });
        LP.set(r.eta);
        let zz = r.dev - fit.deviance; // dispersion 1 for the binomial
        if (zz > -1e-3) zz = Math.max(zz, 0);
        else throw new FitError('profiling has found a better solution, so the original fit had not converged');
        z = sgn * Math.sqrt(zz);
        zs.push(z);
        bs.push(bi);
      }
    }
    const order = zs.map((_, i) => i).sort((a, b) => zs[a]! - zs[b]! || a - b);
    const sp = splineFmm(
      order.map((i) => bs[i]!),
      order.map((i) => zs[i]!),
    );
    const ci = cutoff.map((c) => approxLinear(sp.y, sp.x, c));
    low[j] = ci[0]!;
    high[j] = ci[1]!;
  }
  return { low, high };
}

/** A model with no free coefficient (the profile of a one-column model): only the offset. */
function nullFit(y: Float64Array, w: Float64Array | undefined, offset: Float64Array): IrlsResult {
  const eta = Float64Array.from(offset);
  const mu = eta.map(linkinv);
  return { beta: new Float64Array(0), XtWX: new Float64Array(0), eta, mu, dev: deviance(y, mu, w), iter: 0, converged: true, boundary: false };
}

/** R's regularize.values: sort by x, average y over tied x. */
function regularize(x: readonly number[], y: readonly number[]): { x: number[]; y: number[] } {
  const idx = x.map((_, i) => i).sort((a, b) => x[a]! - x[b]! || a - b);
  const ox: number[] = [];
  const oy: number[] = [];
  let k = 0;
  while (k < idx.length) {
    const xv = x[idx[k]!]!;
    let s = 0;
    let c = 0;
    while (k < idx.length && x[idx[k]!] === xv) {
      s += y[idx[k]!]!;
      c++;
      k++;
    }
    ox.push(xv);
    oy.push(s / c);
  }
  return { x: ox, y: oy };
}

/** R's `spline(x, y, n = 3 * length(x), method = "fmm")`: the interpolating cubic (Forsythe, Malcolm & Moler) at n equally spaced points. */
export function splineFmm(x0: readonly number[], y0: readonly number[]): { x: number[]; y: number[] } {
  const { x, y } = regularize(x0, y0);
  const n = x.length;
  const b = new Array<number>(n).fill(0);
  const c = new Array<number>(n).fill(0);
  const d = new Array<number>(n).fill(0);
  if (n < 2) return { x, y };
  if (n < 3) {
    b[0] = b[1] = (y[1]! - y[0]!) / (x[1]! - x[0]!);
  } else {
    // R's fmm_spline (splines.c), 0-based
    const nm1 = n - 1;
    d[0] = x[1]! - x[0]!;
    c[1] = (y[1]! - y[0]!) / d[0];
    for (let i = 1; i < nm1; i++) {
      d[i] = x[i + 1]! - x[i]!;
      b[i] = 2 * (d[i - 1]! + d[i]!);
      c[i + 1] = (y[i + 1]! - y[i]!) / d[i]!;
      c[i] = c[i + 1]! - c[i]!;
    }
    b[0] = -d[0];
    b[nm1] = -d[n - 2]!;
    c[0] = c[nm1] = 0;
    if (n > 3) {
      c[0] = c[2]! / (x[3]! - x[1]!) - c[1] / (x[2]! - x[0]!);
      c[nm1] = c[n - 2]! / (x[nm1]! - x[n - 3]!) - c[n - 3]! / (x[n - 2]! - x[n - 4]!);
      c[0] = (c[0] * d[0] * d[0]) / (x[3]! - x[0]!);
      c[nm1] = (-c[nm1] * d[n - 2]! * d[n - 2]!) / (x[nm1]! - x[n - 4]!);
    }
    for (let i = 1; i <= nm1; i++) {
      const t = d[i - 1]! / b[i - 1]!;
      b[i] = b[i]! - t * d[i - 1]!;
      c[i] = c[i]! - t * c[i - 1]!;
    }
    c[nm1] = c[nm1] / b[nm1];
    for (let i = n - 2; i >= 0; i--) c[i] = (c[i]! - d[i]! * c[i + 1]!) / b[i]!;
    b[nm1] = (y[nm1]! - y[n - 2]!) / d[n - 2]! + d[n - 2]! * (c[n - 2]! + 2 * c[nm1]);
    for (let i = 0; i < nm1; i++) {
      b[i] = (y[i + 1]! - y[i]!) / d[i]! - d[i]! * (c[i + 1]! + 2 * c[i]!);
      d[i] = (c[i + 1]! - c[i]!) / d[i]!;
      c[i] = 3 * c[i]!;
    }
    c[nm1] = 3 * c[nm1];
    d[nm1] = d[n - 2]!;
  }
  // evaluate at seq.int(min, max, length.out = 3n) (spline_eval)
  const nout = 3 * n;
  const xmin = x[0]!;
  const xmax = x[n - 1]!;
  const by = (xmax - xmin) / (nout - 1);
  const outX: number[] = [];
  const outY: number[] = [];
  let i = 0;
  for (let l = 0; l < nout; l++) {
    const u = l === nout - 1 ? xmax : xmin + l * by;
    if (u < x[i]! || (i < n - 1 && x[i + 1]! < u)) {
      i = 0;
      let j = n;
      do {
        const k = Math.floor((i + j) / 2);
        if (u < x[k]!) j = k;
        else i = k;
      } while (j > i + 1);
    }
    const dx = u - x[i]!;
    outX.push(u);
    outY.push(y[i]! + dx * (b[i]! + dx * (c[i]! + dx * d[i]!)));
  }
  return { x: outX, y: outY };
}

/** R's `approx(x, y, xout = v)$y` (linear, rule = 1: NaN outside the range, ties averaged). */
export function approxLinear(x0: readonly number[], y0: readonly number[], v: number): number {
  const { x, y } = regularize(x0, y0);
  const n = x.length;
  if (n === 0 || v < x[0]! || v > x[n - 1]!) return NaN;
  let i = 0;
  let j = n - 1;
  while (i < j - 1) {
    const ij = Math.floor((i + j) / 2);
    if (v < x[ij]!) j = ij;
    else i = ij;
  }
  if (v === x[j]) return y[j]!;
  if (v === x[i]) return y[i]!;
  return y[i]! + (y[j]! - y[i]!) * ((v - x[i]!) / (x[j]! - x[i]!));
}
