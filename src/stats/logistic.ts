/**
 * Binomial GLM with the logit link, as R's `glm(family = binomial)` (`glm.fit`), and MASS's profile
 * likelihood confidence intervals (`confint.glm` → `profile.glm` → `confint.profile.glm`).
 *
 *   fitLogistic(X, n, p, y, options)   → LogisticFit   (IRLS; throws FitError on separation / non-convergence)
 *   profileConfint(fit, X, n, p, y, options) → {low, high}  (per column; NaN where the profile does not reach the cutoff)
 *   findSeparation(X, n, p, y, weights) → the first column that alone separates y, or -1
 *
 * X is column-major n × p (see linalg.ts); y holds 0/1 outcomes (or proportions with weights = trials);
 * `weights` are prior (case) weights.
 *
 * IRLS (glm.fit): start from mu = (w y + ½)/(w + 1), η = logit mu; repeat
 *   z = η + (y − mu)/mu'(η),  W = w mu'(η)² / (mu(1 − mu)),  β = (X'WX)⁻¹ X'Wz
 * until |dev − dev_old| / (|dev| + 0.1) < ε (1e-8), at most 25 iterations, halving the step when the
 * deviance is not finite. The covariance is (X'WX)⁻¹ with the W of the last iteration, as summary.glm.
 * R's clamped logit inverse is reproduced: mu = ε/(1+ε) below η = −30 and 1/(1+ε) above 30, mu'(η) = ε there
 * (R's logit_linkinv and logit_mu_eta, with mu'(η) = e^η/(1 + e^η)² otherwise).
 */
import { FitError } from '../errors.js';
import { lgamma, qchisq, qnorm } from './distributions.js';
import { BLOCK, equilibratedCholesky, choleskySolve, choleskyInverse, linearPredictor, linearPredictorBlock, symmetrizeUpper } from './linalg.js';
import { reserveArena, simdKernels } from './simd-kernels.js';

const DBL_EPSILON = 2.220446049250313e-16;
const THRESH = 30;
const INVEPS = 1 / DBL_EPSILON;

export interface GlmControl {
  /** Convergence tolerance on the relative deviance change (glm.control epsilon). */
  readonly epsilon?: number | undefined;
  /** Maximum IRLS iterations (glm.control maxit). */
  readonly maxit?: number | undefined;
}

export interface LogisticOptions extends GlmControl {
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

/** R's binomial linkinv (logit_linkinv), with its clamping. */
function linkinv(eta: number): number {
  const t = eta < -THRESH ? DBL_EPSILON : eta > THRESH ? INVEPS : Math.exp(eta);
  return t / (1 + t);
}

/** Σ binomial deviance residuals: 2 w (y log(y/mu) + (1−y) log((1−y)/(1−mu))). */
function deviance(y: Float64Array, mu: Float64Array, w: Float64Array | undefined): number {
  let dev = 0;
  for (let i = 0; i < y.length; i++) {
    const yi = y[i]!;
    const mi = mu[i]!;
    const wi = w === undefined ? 1 : w[i]!;
    let d = 0;
    if (yi !== 0) d += yi * Math.log(yi / mi);
    if (yi !== 1) d += (1 - yi) * Math.log((1 - yi) / (1 - mi));
    dev += 2 * wi * d;
  }
  return dev;
}

function lchoose(nn: number, k: number): number {
  return lgamma(nn + 1) - lgamma(k + 1) - lgamma(nn - k + 1);
}

/** The binomial log-likelihood as R's binomial()$aic: Σ log dbinom(round(w y), round(w), mu) over w > 0. */
function binomialLoglik(y: Float64Array, mu: Float64Array, w: Float64Array | undefined): number {
  let ll = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = w === undefined ? 1 : w[i]!;
    if (!(wi > 0)) continue;
    const m = Math.round(wi);
    const k = Math.round(wi * y[i]!);
    const mi = mu[i]!;
    let term = (k > 0 ? k * Math.log(mi) : 0) + (m - k > 0 ? (m - k) * Math.log(1 - mi) : 0);
    if (k > 0 && k < m) term += lchoose(m, k);
    ll += term;
  }
  return ll;
}

/** A deviance summed over rows in order: `d` plus −2 log of the running product `prod` (binary outcomes). */
interface DevianceSum {
  d: number;
  prod: number;
}

/**
 * For rows i0..end−1 (η with any offset already added): mu = linkinv(η) (R's clamped logit inverse,
 * keeping exp(η) for mu'(η)), and adds the rows' deviance to `acc`. Unweighted 0/1 outcomes (`binary`):
 * the deviance is −2 Σ log q_i with q_i = mu_i (y = 1) or 1 − mu_i (y = 0), taken as the log of running
 * products of q (flushed before they can underflow): one log per ~100 rows instead of one per row, with
 * a rounding error of the same size. `startExp`: exp(η) of the rows with y = 0 and y = 1 when η is glm's
 * start for unweighted 0/1 outcomes (two values: exp taken once each); `exps`: exp(η) of the block's rows,
 * already taken (exps[i − i0]).
 */
function refreshBlock(
  eta: Float64Array,
  y: Float64Array,
  w: Float64Array | undefined,
  binary: boolean,
  i0: number,
  end: number,
  expEta: Float64Array,
  mu: Float64Array,
  acc: DevianceSum,
  startExp?: { readonly y0: number; readonly y1: number },
  exps?: Float64Array,
): void {
  let d = acc.d;
  let prod = acc.prod;
  for (let i = i0; i < end; i++) {
    const e = eta[i]!;
    const yi = y[i]!;
    const ex = exps !== undefined ? exps[i - i0]! : startExp === undefined ? Math.exp(e) : yi === 1 ? startExp.y1 : startExp.y0;
    expEta[i] = ex;
    const t = e < -THRESH ? DBL_EPSILON : e > THRESH ? INVEPS : ex;
    const m = t / (1 + t);
    mu[i] = m;
    if (binary) {
      const q = yi === 1 ? m : 1 - m; // as R's y log(y/mu) + (1 − y) log((1 − y)/(1 − mu))
      if (q > 1e-100) {
        prod *= q;
        if (prod < 1e-200) {
          d -= 2 * Math.log(prod);
          prod = 1;
        }
      } else d -= 2 * Math.log(q);
      continue;
    }
    let r = 0;
    if (yi !== 0) r += yi * Math.log(yi / m);
    if (yi !== 1) r += (1 - yi) * Math.log((1 - yi) / (1 - m));
    d += 2 * (w === undefined ? 1 : w[i]!) * r;
  }
  acc.d = d;
  acc.prod = prod;
}

/**
 * glm.fit's working weights and response for the rows i0..i0+len−1, as W[t] and Wz[t] = W·z:
 * W = w mu'(η)²/(mu(1 − mu)), z = η − offset + (y − mu)/mu'(η), with mu'(η) from the kept exp(η) (R's
 * logit_mu_eta); rows with w = 0 or mu'(η) = 0 (not "good") get W = 0.
 */
function workingWeights(
  eta: Float64Array,
  mu: Float64Array,
  expEta: Float64Array,
  y: Float64Array,
  w: Float64Array | undefined,
  offset: Float64Array | undefined,
  i0: number,
  len: number,
  W: Float64Array,
  Wz: Float64Array,
): void {
  for (let t = 0; t < len; t++) {
    const i = i0 + t;
    const e = eta[i]!;
    const m = mu[i]!;
    const ex = expEta[i]!;
    const me = e > THRESH || e < -THRESH ? DBL_EPSILON : ex / ((1 + ex) * (1 + ex));
    const wi = w === undefined ? 1 : w[i]!;
    if (!(wi > 0) || me === 0) {
      W[t] = 0;
      Wz[t] = 0;
      continue;
    }
    const Wt = (wi * me * me) / (m * (1 - m));
    W[t] = Wt;
    Wz[t] = Wt * (e - (offset === undefined ? 0 : offset[i]!) + (y[i]! - m) / me);
  }
}

/** Rows per block of the SIMD cross-product and its row stride (even, with room for a padding row). */
const S = BLOCK + 2;

/**
 * X'WX (upper triangle, into the first p² slots of `out`) and X'Wz (into rhs) over all rows, a block of
 * rows at a time through the SIMD kernels (simd-kernels.ts: colpass forms W x_j and Σ Wz x_j, crossprod
 * the products), with each block of X copied into the kernels' memory (X itself stays where it is: no
 * n × p copy). `fill(i0, len, W, Wz)` gives the block's weights.
 */
function weightedCrossprodSimd(
  X: Float64Array,
  n: number,
  p: number,
  fill: (i0: number, len: number, W: Float64Array, Wz: Float64Array) => void,
  out: Float64Array,
  rhs: Float64Array,
): void {
  const k = simdKernels();
  // arena, in doubles: the block of X (p × S), the scratch W x_j (p × S), the row arrays c = W, d = Wz,
  // u, l (4 × S; u and l stay 0), the per-column sums (3p), X'WX (p × p)
  const xb = 0;
  const sb = p * S;
  const rows = 2 * p * S;
  const sums = rows + 4 * S;
  const xtwx = sums + 3 * p + ((3 * p) & 1);
  const A = reserveArena(xtwx + p * p);
  A.fill(0, 0, xtwx + p * p);
  const c = A.subarray(rows, rows + S);
  const d = A.subarray(rows + S, rows + 2 * S);
  rhs.fill(0);
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const len = Math.min(BLOCK, n - i0);
    for (let j = 0; j < p; j++) A.set(X.subarray(j * n + i0, j * n + i0 + len), xb + j * S);
    fill(i0, len, c, d);
    const len2 = len + (len & 1);
    if (len2 > len) {
      // an odd last block: one padding row of weight 0 (its x are 0 too)
      c[len] = 0;
      d[len] = 0;
      for (let j = 0; j < p; j++) A[xb + j * S + len] = 0;
    }
    k.colpass(8 * xb, S, 0, len2, p, 8 * rows, S, 8 * sb, 8 * sums);
    for (let j = 0; j < p; j++) rhs[j] = rhs[j]! + A[sums + 3 * j]!;
    k.crossprod(8 * sb, S, 8 * xb, S, 0, len2, p, 8 * xtwx);
  }
  out.set(A.subarray(xtwx, xtwx + p * p));
}

interface IrlsResult {
  beta: Float64Array;
  XtWX: Float64Array;
  eta: Float64Array;
  mu: Float64Array;
  dev: number;
  iter: number;
  converged: boolean;
  boundary: boolean;
}

/** glm.fit's IRLS loop. Throws a FitError (with the column) when X'WX is singular. */
function irls(X: Float64Array, n: number, p: number, y: Float64Array, o: LogisticOptions, names: readonly string[]): IrlsResult {
  const w = o.weights;
  const offset = o.offset;
  const epsilon = o.epsilon ?? 1e-8;
  const maxit = o.maxit ?? 25;
  const eta = new Float64Array(n);
  const mu = new Float64Array(n);
  // glm's start mustart = (w y + ½)/(w + 1), η = logit(mustart); unweighted 0/1 rows take one of two
  // values, computed once each (the same arithmetic)
  const start = (wi: number, yi: number): number => {
    const m = (wi * yi + 0.5) / (wi + 1);
    return Math.log(m / (1 - m));
  };
  const eta0 = start(1, 0);
  const eta1 = start(1, 1);
  if (o.etastart !== undefined) eta.set(o.etastart);
  else {
    for (let i = 0; i < n; i++) {
      const yi = y[i]!;
      eta[i] = w === undefined && yi === 0 ? eta0 : w === undefined && yi === 1 ? eta1 : start(w === undefined ? 1 : w[i]!, yi);
    }
  }
  const expEta = new Float64Array(n);
  // unweighted 0/1 outcomes (the usual case): the deviance from running products (refreshBlock)
  let binary = w === undefined;
  for (let i = 0; i < n && binary; i++) if (y[i] !== 0 && y[i] !== 1) binary = false;
  const acc: DevianceSum = { d: 0, prod: 1 };
  const finishDeviance = (): number => {
    const d = acc.d - 2 * Math.log(acc.prod);
    acc.d = 0;
    acc.prod = 1;
    return d;
  };
  /** The deviance at the current η (the start), without the offset. */
  const refresh = (): number => {
    const twoValued = o.etastart === undefined && binary;
    refreshBlock(eta, y, w, binary, 0, n, expEta, mu, acc, twoValued ? { y0: Math.exp(eta0), y1: Math.exp(eta1) } : undefined);
    return finishDeviance();
  };
  let devold = refresh();
  const XtWX = new Float64Array(p * p);
  const rhs = new Float64Array(p);
  let beta = new Float64Array(p);
  let coefold: Float64Array | undefined;
  let dev = devold;
  let converged = false;
  let boundary = false;
  let iter = 0;
  for (iter = 1; iter <= maxit; iter++) {
    // X'WX and X'Wz in one pass over blocks of rows, computing W and Wz for each block as it goes
    weightedCrossprodSimd(X, n, p, (i0, len, W, Wz) => {
      workingWeights(eta, mu, expEta, y, w, offset, i0, len, W, Wz);
    }, XtWX, rhs);
    symmetrizeUpper(XtWX, p);
    const { L, scale, failedAt } = equilibratedCholesky(XtWX, p);
    if (failedAt >= 0) {
      throw new FitError(`the weighted cross-product is singular at iteration ${iter}: column "${names[failedAt] ?? failedAt}" is collinear with earlier columns`, {
        term: names[failedAt],
        hint: 'drop the term, or check for separation (a factor level where every outcome is the same)',
      });
    }
    const b = new Float64Array(p);
    for (let j = 0; j < p; j++) b[j] = rhs[j]! * scale[j]!;
    choleskySolve(L, p, b);
    for (let j = 0; j < p; j++) b[j] = b[j]! * scale[j]!;
    beta = b;
    /**
     * η = Xβ (+ offset), mu and the deviance, block by block while the block of X is in the cache; exp(η)
     * of a block on the SIMD kernels (Math.exp for a block with |η| > 700, where theirs is not valid).
     */
    const update = (): void => {
      const k = simdKernels();
      const A = reserveArena(2 * S + 2); // the block's η, its exp, max |η|
      const exps = A.subarray(S, 2 * S);
      for (let i0 = 0; i0 < n; i0 += BLOCK) {
        const end = Math.min(n, i0 + BLOCK);
        const len = end - i0;
        linearPredictorBlock(X, n, p, beta, i0, end, eta);
        if (offset !== undefined) for (let i = i0; i < end; i++) eta[i] = eta[i]! + offset[i]!;
        A.set(eta.subarray(i0, end), 0);
        if ((len & 1) === 1) A[len] = 0;
        k.exps(0, len + (len & 1), 8 * S, 8 * 2 * S);
        refreshBlock(eta, y, w, binary, i0, end, expEta, mu, acc, undefined, A[2 * S]! <= 700 ? exps : undefined);
      }
      dev = finishDeviance();
    };
    update();
    if (!Number.isFinite(dev)) {
      if (coefold === undefined) throw new FitError('no valid set of coefficients has been found: please supply starting values');
      let ii = 1;
      while (!Number.isFinite(dev)) {
        if (ii > maxit) throw new FitError('inner loop 1; cannot correct step size');
        ii++;
        for (let j = 0; j < p; j++) beta[j] = (beta[j]! + coefold[j]!) / 2;
        update();
      }
      boundary = true;
    }
    if (Math.abs(dev - devold) / (Math.abs(dev) + 0.1) < epsilon) {
      converged = true;
      break;
    }
    devold = dev;
    coefold = Float64Array.from(beta);
  }
  if (iter > maxit) iter = maxit;
  return { beta, XtWX, eta, mu, dev, iter, converged, boundary };
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
  let s = 0;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const x = X[j * n + i]!;
    s += x;
    ss += x * x;
  }
  const m = s / n;
  return Math.sqrt(Math.max(0, ss / n - m * m));
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
    r = irls(X, n, p, y, options, names);
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
        const r = p === 1 ? nullFit(y, options.weights, off) : irls(Xi, n, p - 1, y, { ...options, offset: off, etastart: LP }, []);
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
