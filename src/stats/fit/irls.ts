/**
 * Iteratively reweighted least squares exactly as R's `glm.fit`, for a family that gives its working
 * weights and response (models/binomial-logit.ts): the fit driver of fitLogistic (logistic.ts), its
 * profile intervals, and mice's logreg (mice/logreg.ts).
 *
 *   irls(X, n, p, y, family, options) → IrlsResult
 *   GLM_CONTROL, MICE_LOGREG_CONTROL        control presets
 *
 * Start from the family's start (glm: mustart = (w y + ½)/(w + 1), η = linkfun(mustart)) or the given
 * η (etastart); repeat
 *   z = η − o + (y − μ)/μ'(η),  W = w μ'(η)²/V(μ),  β = (X'WX)⁻¹ X'Wz,  η = Xβ + o
 * until |dev − dev_old| / (|dev| + 0.1) < ε (1e-8), at most maxit (25) iterations, halving the step back
 * towards the previous β while the deviance is not finite (glm.fit's "inner loop 1"). X'WX is solved by an
 * equilibrated Cholesky factorisation; a singular X'WX is an error naming its column, or, with a control's
 * `ridge` (mice's fits), first ridged on its diagonal (X'WX_jj (1 + relative) + absolute), an error only if
 * that fails too. X'WX and X'Wz are formed a block of rows at a time by the WebAssembly kernels
 * (kernels/: colpass forms W x_j and Σ Wz x_j, crossprod the products); X stays where it is.
 */
import { FitError } from '../../errors.js';
import { BLOCK, choleskySolve, equilibratedCholesky, linearPredictorBlock, ridgeDiagonal, symmetrizeUpper } from '../linalg.js';
import { kernels } from '../kernels/index.js';

export interface GlmControl {
  /** Convergence tolerance on the relative deviance change (glm.control epsilon). */
  readonly epsilon: number;
  /** Maximum IRLS iterations (glm.control maxit). */
  readonly maxit: number;
  /** A ridge tried on a singular X'WX before it is an error naming its column (none: the error at once). */
  readonly ridge?: { readonly relative: number; readonly absolute: number } | undefined;
}

/** `glm.control()`'s defaults. */
export const GLM_CONTROL: GlmControl = { epsilon: 1e-8, maxit: 25 };

/** mice.impute.logreg's glm.fit: glm's defaults; a singular X'WX (a predictor constant among the rows) ridged by 1e-7 diag + 1e-10 before it is an error. */
export const MICE_LOGREG_CONTROL: GlmControl = { epsilon: 1e-8, maxit: 25, ridge: { relative: 1e-7, absolute: 1e-10 } };

/** A family on one data set: its μ, deviance and working quantities, row by row (glm's family object, per fit). */
export interface GlmRows {
  /** μ of each row at the last η given. */
  readonly mu: Float64Array;
  /** glm.fit's start: η of every row into `eta`, with μ; returns the deviance there. */
  start(eta: Float64Array): number;
  /** μ at a given η (etastart) for every row; returns the deviance there. */
  refresh(eta: Float64Array): number;
  /** Before a pass of update() over the blocks of rows. */
  beginUpdate(): void;
  /** μ for the rows i0 … end − 1 at η (offset included); their deviance goes to the running sum. */
  update(eta: Float64Array, i0: number, end: number): void;
  /** The deviance summed by update() since the last call, then reset to 0. */
  takeDeviance(): number;
  /** W and W·z (z without the offset) of the rows i0 … i0 + len − 1, into W[0 … len) and Wz[0 … len). */
  working(eta: Float64Array, offset: Float64Array | undefined, i0: number, len: number, W: Float64Array, Wz: Float64Array): void;
}

export interface GlmFamily {
  rows(y: Float64Array, w: Float64Array | undefined, n: number): GlmRows;
}

export interface IrlsOptions {
  readonly weights?: Float64Array | undefined;
  readonly offset?: Float64Array | undefined;
  /** Starting linear predictor (glm.fit etastart). */
  readonly etastart?: Float64Array | undefined;
  /** Column names, to name a collinear column in errors. */
  readonly columns?: readonly string[] | undefined;
  readonly control?: GlmControl | undefined;
}

export interface IrlsResult {
  beta: Float64Array;
  /** X'WX with the W of the last iteration (its inverse is summary.glm's cov.unscaled). */
  XtWX: Float64Array;
  eta: Float64Array;
  mu: Float64Array;
  dev: number;
  iter: number;
  converged: boolean;
  boundary: boolean;
}

/** Rows per block of the SIMD cross-product and its row stride (even, with room for a padding row). */
const S = BLOCK + 2;

/**
 * X'WX (upper triangle, into the first p² slots of `out`) and X'Wz (into rhs) over all rows, a block of
 * rows at a time through the kernels (kernels/: colpass forms W x_j and Σ Wz x_j, crossprod
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
  const k = kernels();
  // the block of X (p × S), the scratch W x_j (p × S), the row arrays c = W, d = Wz, u, l (4 × S; u and l
  // stay 0), the per-column sums (3p), X'WX (p × p)
  const A = k.arena({ xb: p * S, scratch: Math.max(1, p) * S, rows: 4 * S, sums: 3 * p, xtwx: p * p });
  if (A === undefined) throw new FitError(`the kernels' memory cannot hold a block of ${p} columns`);
  const { xb, scratch, rows, sums, xtwx } = A;
  rows.fill(0);
  xtwx.fill(0);
  const c = rows.subarray(0, S);
  const d = rows.subarray(S, 2 * S);
  rhs.fill(0);
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const len = Math.min(BLOCK, n - i0);
    for (let j = 0; j < p; j++) xb.set(X.subarray(j * n + i0, j * n + i0 + len), j * S);
    fill(i0, len, c, d);
    const len2 = len + (len & 1);
    if (len2 > len) {
      // an odd last block: one padding row of weight 0 (its x are 0 too)
      c[len] = 0;
      d[len] = 0;
      for (let j = 0; j < p; j++) xb[j * S + len] = 0;
    }
    k.colpass(xb, S, 0, len2, p, rows, S, scratch, sums);
    for (let j = 0; j < p; j++) rhs[j] = rhs[j]! + sums[3 * j]!;
    k.crossprod(scratch, S, xb, S, 0, len2, p, xtwx);
  }
  out.set(xtwx);
}

/** glm.fit's IRLS loop (see the module comment). X is column-major n × p. */
export function irls(X: Float64Array, n: number, p: number, y: Float64Array, family: GlmFamily, o: IrlsOptions = {}): IrlsResult {
  const offset = o.offset;
  const { epsilon, maxit, ridge } = o.control ?? GLM_CONTROL;
  const names = o.columns ?? [];
  const eta = new Float64Array(n);
  const rows = family.rows(y, o.weights, n);
  let devold: number;
  if (o.etastart !== undefined) {
    eta.set(o.etastart);
    devold = rows.refresh(eta);
  } else devold = rows.start(eta);
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
      rows.working(eta, offset, i0, len, W, Wz);
    }, XtWX, rhs);
    symmetrizeUpper(XtWX, p);
    let { L, scale, failedAt } = equilibratedCholesky(XtWX, p);
    if (failedAt >= 0 && ridge !== undefined) {
      const ridged = Float64Array.from(XtWX);
      ridgeDiagonal(ridged, p, ridge.relative, ridge.absolute);
      ({ L, scale, failedAt } = equilibratedCholesky(ridged, p));
    }
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
    /** η = Xβ (+ offset), μ and the deviance, block by block while the block of X is in the cache. */
    const update = (): void => {
      rows.beginUpdate();
      for (let i0 = 0; i0 < n; i0 += BLOCK) {
        const end = Math.min(n, i0 + BLOCK);
        linearPredictorBlock(X, n, p, beta, i0, end, eta);
        if (offset !== undefined) for (let i = i0; i < end; i++) eta[i] = eta[i]! + offset[i]!;
        rows.update(eta, i0, end);
      }
      dev = rows.takeDeviance();
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
  return { beta, XtWX, eta, mu: rows.mu, dev, iter, converged, boundary };
}
