/**
 * The negative log-likelihood of the cumulative-logit model (models/cumulative-logit.ts) over a data set,
 * with its gradient and Hessian in clm's parameter order — the objective the Newton driver (fit/newton.ts)
 * minimises for fitOrdinal (ordinal.ts) and mice's polr (mice/polr.ts).
 *
 *   new CumulativeLogitObjective(X, n, p, y, J, options)   the model on a data set (rows sorted by category)
 *     .evaluate(par, grad, hess, derivs) → −log L            one pass over the rows
 *     .setOffset(o)                                         a new offset for the evaluations that follow
 *     .workspace()                                          the driver's work arrays, in the kernels' memory
 *   ordinalObjective(X, n, p, y, J, par, options)          one evaluation, for checking one path against another
 *
 * Parameters in clm's order: the thresholds with their nominal effects, [θ_1, γ_1…, θ_2, γ_2…, …], then β.
 * Two paths over the rows:
 * - proportional odds (no nominal covariates): the rows sorted by category, in blocks of at most BLOCK rows
 *   of one category, each through the kernels (kernels/: WebAssembly SIMD, or their JavaScript twin) while its rows are in the
 *   cache: η = Xβ (+ offset), the rows' terms (the module's rowTerms, two rows per instruction), the column
 *   sums of the gradient and of the θ × β block, and X' diag(c) X;
 * - nominal covariates (thresholds that differ by row), or a design the kernels' memory cannot hold: a
 *   plain loop over the rows with rowTerms and Math.exp, and linalg.ts's cross-product.
 * The negative log-likelihood is summed with Neumaier's compensation, as R's long-double sum(): near the
 * optimum clm.fit.NR compares it between iterates to 1e-10, and a plain double sum over 10⁴–10⁶ rows
 * carries rounding errors of 1e-10–1e-8 (step halving then fired on noise: false non-convergence).
 */
import type { NewtonObjective } from '../fit/newton.js';
import { lowerBound } from '../bisect.js';
import { BLOCK, linearPredictor, symmetrizeUpper, weightedCrossprod } from '../linalg.js';
import { type Arena, type Kernels, kernels, rowCapacity } from '../kernels/index.js';
import { categoryConstants, HIGHEST, LOWEST, MIDDLE, ROW_C, ROW_D, ROW_GA, ROW_GB, ROW_HAA, ROW_HAB, ROW_HBB, ROW_L, ROW_P, ROW_TERMS, ROW_U, rowKind, rowTerms, type RowKind } from './cumulative-logit.js';

/** Row stride of the SIMD path's block arrays: a block of BLOCK rows plus the padding row, kept even. */
const S = BLOCK + 2;

/** log 2 in two parts (fdlibm's ln2_hi, ln2_lo): k · LN2_HI is exact for |k| < 2²¹. */
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;

/**
 * rowTerms's output and a row's category constants (the general path and rowsScalar): written and read
 * within one row's step, so one pair per thread serves every objective (not arrays allocated per fit).
 */
const TERMS = new Float64Array(ROW_TERMS);
const CONSTANTS = new Float64Array(5);
/** evaluateSortedJs's sums over one category's rows (within one category's step, likewise). */
const CATEGORY_SUMS = new Float64Array(5);

/** A sum with Neumaier's compensation (the running error of each addition carried separately). */
class CompensatedSum {
  private sum = 0;
  private err = 0;
  add(term: number): void {
    const s = this.sum + term;
    this.err += Math.abs(this.sum) >= Math.abs(term) ? this.sum - s + term : term - s + this.sum;
    this.sum = s;
  }
  value(): number {
    return this.sum + this.err;
  }
}

export interface CumulativeLogitOptions {
  /** Case weights (frequency weights when whole numbers). */
  readonly weights?: Float64Array | undefined;
  /** Nominal covariates z (column-major n × k, no intercept): their effects vary by threshold. */
  readonly nominal?: { readonly Z: Float64Array; readonly k: number } | undefined;
  /** An offset o in η = x'β + o (length n). */
  readonly offset?: Float64Array | undefined;
  /** Doubles of work memory to reserve for the fit driver (workspace()): in the kernels' memory on the kernels' path. */
  readonly workspace?: number | undefined;
  /** 'js': the sorted path's pass over the rows in this file's loop, not the kernels' `evaluate` (for tests). */
  readonly loop?: 'wasm' | 'js' | undefined;
}

/** Number of parameters: (J − 1) thresholds, each with k nominal effects, and p coefficients. */
export function cumulativeLogitParameters(J: number, k: number, p: number): number {
  return (J - 1) * (1 + k) + p;
}

/** The model on one data set, with its work arrays: allocated once per fit, never per row. */
export class CumulativeLogitObjective implements NewtonObjective {
  readonly npar: number;
  readonly q: number;
  readonly K: number;
  readonly nt: number;
  /** Per-row work arrays of the general (nominal) path, allocated on first use. */
  private rows: { xb: Float64Array; cB: Float64Array; dB: Float64Array; eU: Float64Array; eL: Float64Array; XtCX: Float64Array } | undefined;
  /**
   * The sorted proportional-odds path's arrays in the kernels' arena (ORDINAL_ARENA) with the views made
   * from them once, and the kernels' pass over the rows on them. Undefined for the general path (nominal
   * effects) or when the arena cannot hold X.
   */
  private readonly simd:
    | { A: Arena<ReturnType<typeof ordinalArena>>; kern: Kernels; accExp: Int32Array; pRow: Float64Array; pass: { run(derivs: boolean, zeroBeta: boolean): number } | undefined }
    | undefined;
  /** Rows segments[c] .. segments[c+1]−1 are category c (the rows come sorted by category). */
  readonly segments: Int32Array;
  /** The design in the fit's row order (the general path's; the SIMD path keeps its own copy). */
  readonly X: Float64Array;
  /** No weights, or all weights small whole numbers (frequency weights, e.g. mediation's collapsed rows). */
  readonly counts: boolean;
  /** The outcome, weights, nominal covariates and offset in the fit's row order (sorted by category). */
  readonly y: Int32Array;
  readonly w: Float64Array | undefined;
  readonly Z: Float64Array | undefined;
  private offset: Float64Array | undefined;
  /** The caller's row of each of the fit's rows (undefined: the same order). */
  private readonly order: Int32Array | undefined;
  private readonly loop: 'wasm' | 'js';
  private readonly workDoubles: number;
  /** X column-major n × p (no intercept column), y category codes 0 … J − 1 (in any order: they are sorted here). */
  constructor(
    X: Float64Array,
    readonly n: number,
    readonly p: number,
    y: Int32Array,
    readonly J: number,
    options: CumulativeLogitOptions = {},
  ) {
    const k = options.nominal?.k ?? 0;
    const { order, y: ys, w, Z, offset } = sortByCategory(n, y, J, options.weights, options.nominal, options.offset);
    this.y = ys;
    this.w = w;
    this.Z = Z;
    this.offset = offset;
    this.order = order;
    this.loop = options.loop ?? 'wasm';
    this.workDoubles = options.workspace ?? 0;
    y = ys;
    this.q = 1 + k;
    this.K = J - 1;
    this.nt = this.K * this.q;
    this.npar = this.nt + p;
    // y is sorted by category (sortByCategory): category c is rows seg[c] … seg[c + 1] − 1, its end found by
    // bisection (the first row of a higher category)
    const seg = new Int32Array(J + 1);
    for (let c = 0; c < J; c++) seg[c + 1] = lowerBound(y, c + 1, seg[c], n);
    this.segments = seg;
    if (Z === undefined) {
      const kern = kernels();
      const A = kern.arena(ordinalArena(n, p, J, this.npar, this.workDoubles));
      if (A !== undefined) {
        if (order === undefined) A.x.set(X.subarray(0, n * p));
        else gatherRows(X, n, p, order, A.x);
        A.x[n * p] = 0;
        A.x[n * p + 1] = 0;
        if (w === undefined) A.wts.fill(1, 0, n);
        else A.wts.set(w);
        A.seg.set(seg);
        const pass = kern.ordinalPass?.({
          x: A.x, n, p, segments: A.seg, J, categories: A.cats, weights: A.wts, eta: A.eta, rows: A.rows, stride: S, scratch: A.scratch, beta: A.beta,
          columnSums: A.sums, rowSums: A.rs, product: A.acc, xtcx: A.xtcx, grad: A.grad, hess: A.hess, npar: this.npar, nt: this.nt,
        });
        // logprod's running product: mantissas at acc[0 … 1], int64 exponents (read as their low words) after
        this.simd = { A, kern, accExp: new Int32Array(A.acc.buffer, A.acc.byteOffset + 16, 4), pRow: A.rows.subarray(4 * S, 5 * S), pass };
      }
    }
    this.X = this.simd !== undefined ? new Float64Array(0) : order === undefined ? X : gatherRows(X, n, p, order);
    let counts = true;
    if (w !== undefined) {
      for (let i = 0; i < n; i++) {
        const v = w[i]!;
        if (!(v >= 0 && v <= 64 && Math.trunc(v) === v)) {
          counts = false;
          break;
        }
      }
    }
    this.counts = counts;
  }

  /**
   * Replaces the offset (length n, in the caller's row order; undefined: none) for the evaluations that
   * follow — e.g. a random intercept τu_i of each row's cluster, changed between the iterations of a
   * mixed model's fit without building the objective again.
   */
  setOffset(offset: Float64Array | undefined): void {
    this.offset = offset === undefined ? undefined : this.order === undefined ? Float64Array.from(offset.subarray(0, this.n)) : gatherRows(offset, this.n, 1, this.order);
  }

  /**
   * The fit driver's work arrays (options.workspace doubles, zeroed): in the kernels' memory on the kernels'
   * path, so that the kernels' chol, cholsolve and cholinv work on them in place; else new.
   */
  workspace(): { work: Float64Array; kernels: Kernels | undefined } {
    const size = this.workDoubles;
    if (this.simd === undefined) return { work: new Float64Array(size), kernels: undefined };
    const work = this.simd.A.work;
    work.fill(0);
    return { work, kernels: this.simd.kern };
  }

  private rowArrays(): { xb: Float64Array; cB: Float64Array; dB: Float64Array; eU: Float64Array; eL: Float64Array; XtCX: Float64Array } {
    const n = this.n;
    this.rows ??= { xb: new Float64Array(n), cB: new Float64Array(n), dB: new Float64Array(n), eU: new Float64Array(n), eL: new Float64Array(n), XtCX: new Float64Array(this.p * this.p) };
    return this.rows;
  }

  /**
   * The proportional-odds model with the rows sorted by category (every fit without nominal effects):
   * one pass over blocks of at most BLOCK rows of one category c, each block doing all its work while its
   * rows are in the cache, in the kernels (kernels/) —
   *   `eta`: η_i = x_i'β (then + o_i); `rows`: the module's rowTerms for two rows at a time, as the row
   *   arrays c, d, u, l, p and the threshold sums (the rows whose |θ − η| exceeds the kernel's exp range by
   *   rowTerms here, with Math.exp: rowsScalar); `colpass`: per column j the β gradient Σ d x_j, the θ × β
   *   sums Σ u x_j (row c) and Σ l x_j (row c − 1) and the scratch c x_j; `crossprod`: X' diag(c) X for the
   *   block; then −Σ w log p here, with compensation.
   * Without weights, or with frequency weights (small whole numbers w: p enters the product w times), the
   * logs are taken of running products of p (flushed before they can underflow), so there is one log per
   * ~100 rows instead of one per row; the product's relative rounding error is the same size as that of
   * the sum of logs it replaces. With such weights and no offset the pass itself runs in the kernels
   * (`evaluate`: the steps of evaluateSortedJs in its order, so the same bits; a worker thread then has no
   * JavaScript loop to compile), handing back to evaluateSortedJs the rare evaluation that needs Math.exp
   * or Math.log.
   */
  private evaluateSorted(par: Float64Array, grad: Float64Array, hess: Float64Array, derivs: boolean, seg: Int32Array): number {
    const { p, nt } = this;
    const sm = this.simd!;
    const A = sm.A;
    let zeroBeta = true;
    for (let j = 0; j < p; j++) {
      A.beta[j] = par[nt + j]!;
      if (par[nt + j] !== 0) zeroBeta = false;
    }
    if (!this.categoryArguments(par, seg)) return Infinity; // thresholds out of order: p ≤ 0
    if (!this.counts || this.loop === 'js' || this.offset !== undefined || sm.pass === undefined) return this.evaluateSortedJs(grad, hess, derivs, seg, zeroBeta);
    // the whole pass in the kernels (evaluate: the steps of evaluateSortedJs, in its order)
    A.acc[0] = 1;
    A.acc[1] = 1;
    sm.accExp.fill(0);
    const status = sm.pass.run(derivs, zeroBeta);
    if (status === 3) return Infinity; // a probability ≤ 0
    // 1, 2: a row beyond the exp kernel's range or a probability below 1e-100: this file's loop (Math.exp, Math.log)
    if (status !== 0) return this.evaluateSortedJs(grad, hess, derivs, seg, zeroBeta);
    if (derivs) {
      grad.set(A.grad);
      hess.set(A.hess);
    }
    return this.finishSorted(new CompensatedSum(), hess, derivs);
  }

  /**
   * Each category's constants for the rows kernel (categoryConstants), at cats + 5c. False when a category
   * with rows has θ_{c−1} ≥ θ_c (its p would be ≤ 0).
   */
  private categoryArguments(par: Float64Array, seg: Int32Array): boolean {
    const { K, J } = this;
    const cats = this.simd!.A.cats;
    for (let c = 0; c < J; c++) {
      const hasU = c < K;
      const hasL = c > 0;
      const kind = hasU && hasL ? MIDDLE : hasU ? LOWEST : HIGHEST;
      const oneMinusR = categoryConstants(hasU ? par[c]! : 0, hasL ? par[c - 1]! : 0, kind, cats, 5 * c);
      if (kind === MIDDLE && !(oneMinusR > 0) && seg[c + 1]! > seg[c]!) return false;
    }
    return true;
  }

  /** evaluateSorted's pass over the rows in JavaScript, calling the kernels block by block (see there). */
  private evaluateSortedJs(grad: Float64Array, hess: Float64Array, derivs: boolean, seg: Int32Array, zeroBeta: boolean): number {
    const { n, p, K, J, npar, nt, counts } = this;
    const off = this.offset;
    const sm = this.simd!;
    const { x, wts, eta, rows, scratch, beta, sums, rs, acc, cats } = sm.A;
    const { kern, pRow } = sm;
    const XtCX = sm.A.xtcx;
    if (derivs) {
      grad.fill(0);
      hess.fill(0);
      XtCX.fill(0);
    }
    // −Σ w log p: the logs of the running product (logprod; counts) plus the other terms, summed with compensation
    const nll = new CompensatedSum();
    acc[0] = 1;
    acc[1] = 1;
    sm.accExp.fill(0);
    for (let c = 0; c < J; c++) {
      const hasU = c < K;
      const hasL = c > 0;
      // the category's arguments (categoryArguments): θ_c, θ_{c−1}, r, 1 − r, 1/(1 − r)
      const o = 5 * c;
      const [tU, tL, r, oneMinusR, invOneMinusR] = [cats[o]!, cats[o + 1]!, cats[o + 2]!, cats[o + 3]!, cats[o + 4]!];
      // the rows kernel's (and rowTerms's) kind: the lowest is a middle category's formulas with r = 0
      const kind = hasU && hasL ? MIDDLE : hasU ? LOWEST : HIGHEST;
      const sumsOf = CATEGORY_SUMS.fill(0); // Σ over the category's rows of w ∂/∂a, w ∂/∂b, w ∂²/∂a², w ∂²/∂b², w ∂²/∂a∂b
      for (let i0 = seg[c]!, end = seg[c + 1]!; i0 < end; i0 += BLOCK) {
        const len = Math.min(BLOCK, end - i0);
        // the kernels take two rows at a time: an odd block runs one row further, with weight 0
        const len2 = len + (len & 1);
        const pad = i0 + len;
        const padWeight = wts[pad]!;
        if (len2 > len) wts[pad] = 0;
        // η = X β for the block (none at the starting values β = 0), plus the offset
        if (zeroBeta) eta.fill(0, 0, len2);
        else kern.eta(x, n, i0, len2, p, beta, eta);
        if (off !== undefined) for (let t = 0; t < len; t++) eta[t] = eta[t]! + off[i0 + t]!;
        // the rows, two at a time, while the kernel's exp is valid (|θ − η| ≤ 700); else by rowsScalar
        kern.rows(eta, len2, kind, wts, i0, rows, S, rs, tU, tL, r, oneMinusR, invOneMinusR);
        if (rs[5]! <= 700) for (let m = 0; m < 5; m++) sumsOf[m] = sumsOf[m]! + rs[m]!;
        else this.rowsScalar(i0, len, kind, r, oneMinusR, invOneMinusR, tU, tL, sumsOf);
        if (len2 > len) {
          // the padded row adds nothing (within the kernel's range its weight 0 made it so; beyond, it was
          // not computed): c, d, u, l = 0 for the column passes and p = 1 for the probability check
          for (let m = 0; m < 4; m++) rows[m * S + len] = 0;
          pRow[len] = 1;
        }
        if (counts) {
          // p^w into the running product; the (rare) p < 1e-100 by their logs
          kern.logprod(pRow, wts, i0, len2, acc);
          const minP = acc[4]!;
          if (minP < 1e-100) for (let t = 0; t < len; t++) if (pRow[t]! < 1e-100 && wts[i0 + t]! > 0) nll.add(-wts[i0 + t]! * Math.log(pRow[t]!));
          if (!(minP > 0)) {
            wts[pad] = padWeight;
            return Infinity;
          }
        } else {
          for (let t = 0; t < len; t++) {
            const pr = pRow[t]!;
            if (!(pr > 0)) {
              wts[pad] = padWeight;
              return Infinity;
            }
            nll.add(-wts[i0 + t]! * Math.log(pr));
          }
        }
        wts[pad] = padWeight;
        if (!derivs) continue;
        // per column j: the scratch c·x_j and the sums Σ d x_j (β gradient), Σ u x_j (θ_c × β), Σ l x_j (θ_{c−1} × β)
        kern.colpass(x, n, i0, len2, p, rows, S, scratch, sums);
        for (let j = 0, o = 0; j < p; j++, o += 3) {
          grad[nt + j] = grad[nt + j]! + sums[o]!;
          if (hasU) hess[c * npar + nt + j] = hess[c * npar + nt + j]! + sums[o + 1]!;
          if (hasL) hess[(c - 1) * npar + nt + j] = hess[(c - 1) * npar + nt + j]! + sums[o + 2]!;
        }
        // β × β block: X' diag(c) X over the block (upper triangle)
        kern.crossprod(scratch, S, x, n, i0, len2, p, XtCX);
      }
      if (!derivs) continue;
      const [gU, gL, hUU, hLL, hUL] = sumsOf as unknown as [number, number, number, number, number];
      if (hasU) {
        grad[c] = grad[c]! - gU;
        hess[c * npar + c] = hess[c * npar + c]! - hUU;
      }
      if (hasL) {
        grad[c - 1] = grad[c - 1]! - gL;
        hess[(c - 1) * npar + c - 1] = hess[(c - 1) * npar + c - 1]! - hLL;
      }
      if (hasU && hasL) {
        hess[c * npar + c - 1] = hess[c * npar + c - 1]! - hUL;
        hess[(c - 1) * npar + c] = hess[(c - 1) * npar + c]! - hUL;
      }
    }
    return this.finishSorted(nll, hess, derivs);
  }

  /** The end of evaluateSorted: the log of the running product into nll, and the Hessian's β rows and block. */
  private finishSorted(nll: CompensatedSum, hess: Float64Array, derivs: boolean): number {
    const { p, npar, nt } = this;
    const sm = this.simd!;
    const { acc, xtcx: XtCX } = sm.A;
    const accExp = sm.accExp;
    // log of the running product m₀ m₁ 2^e: e log 2 in two parts (e · LN2_HI is exact for |e| < 2²¹, i.e. up
    // to ~10⁶ log-likelihood bits; beyond, it is rounded once, ~1e-16 relative). The exponents are read as
    // the low words of their i64 lanes: exact for |e| < 2³¹.
    const e = accExp[0]! + accExp[2]!;
    nll.add(-(e * LN2_HI));
    nll.add(-(e * LN2_LO + Math.log(acc[0]! * acc[1]!)));
    if (!derivs) return nll.value();
    symmetrizeUpper(XtCX, p);
    for (let a = 0; a < p; a++) {
      for (let r2 = 0; r2 < nt; r2++) hess[(nt + a) * npar + r2] = hess[r2 * npar + nt + a]!;
      for (let b = 0; b < p; b++) hess[(nt + a) * npar + nt + b] = XtCX[a * p + b]!;
    }
    return nll.value();
  }

  /**
   * The rows kernel's quantities for rows i0 … i0 + len − 1 of one category, by rowTerms with Math.exp (for
   * |θ − η| beyond the kernel's exp range), into the row arrays and the category's sums.
   */
  private rowsScalar(i0: number, len: number, kind: RowKind, r: number, omr: number, iomr: number, tU: number, tL: number, sums: Float64Array): void {
    const { eta: etaB, wts, rows } = this.simd!.A;
    const out = TERMS;
    for (let t = 0; t < len; t++) {
      const eta = etaB[t]!;
      rowTerms(kind, Math.exp(kind === HIGHEST ? tL - eta : tU - eta), r, omr, iomr, wts[i0 + t]!, out);
      for (let m = 0; m < 5; m++) rows[m * S + t] = out[m]!; // c, d, u, l, p
      sums[0] = sums[0]! + out[ROW_GA]!;
      sums[1] = sums[1]! + out[ROW_GB]!;
      sums[2] = sums[2]! + out[ROW_HAA]!;
      sums[3] = sums[3]! + out[ROW_HBB]!;
      sums[4] = sums[4]! + out[ROW_HAB]!;
    }
  }

  /** θ_j(z_i) for threshold j (0-based) of row i. */
  private theta(par: Float64Array, j: number, i: number): number {
    const q = this.q;
    let t = par[j * q]!;
    if (this.Z !== undefined) for (let c = 1; c < q; c++) t += par[j * q + c]! * this.Z[(c - 1) * this.n + i]!;
    return t;
  }

  /**
   * The negative log-likelihood at par (Infinity when a probability is not positive) and, with
   * `derivs`, its gradient and Hessian — in one pass over the rows.
   */
  evaluate(par: Float64Array, grad: Float64Array, hess: Float64Array, derivs: boolean): number {
    if (this.simd !== undefined) return this.evaluateSorted(par, grad, hess, derivs, this.segments);
    const { n, p, y, K, q, w, Z, npar, nt } = this;
    const { xb, cB, dB, eU, eL } = this.rowArrays();
    linearPredictor(this.X, n, p, par.subarray(nt), xb);
    const off = this.offset;
    if (off !== undefined) for (let i = 0; i < n; i++) xb[i] = xb[i]! + off[i]!;
    if (derivs) {
      grad.fill(0);
      hess.fill(0);
    }
    // −Σ w log p with Neumaier's compensation (see evaluateSorted)
    const nll = new CompensatedSum();
    const out = TERMS;
    const cst = CONSTANTS;
    // the general loop (nominal effects, or a design the kernels' memory cannot hold): each row's thresholds
    // θ_c(z_i), θ_{c−1}(z_i), their constants and its terms (rowTerms, with Math.exp)
    for (let i = 0; i < n; i++) {
      const yi = y[i]!;
      const wi = w === undefined ? 1 : w[i]!;
      const kind = rowKind(yi, K + 1);
      const tU = yi < K ? (q === 1 ? par[yi]! : this.theta(par, yi, i)) : 0;
      const tL = yi > 0 ? (q === 1 ? par[yi - 1]! : this.theta(par, yi - 1, i)) : 0;
      if (!(categoryConstants(tU, tL, kind, cst, 0) > 0) && kind === MIDDLE) return Infinity; // θ out of order at this row: p ≤ 0
      rowTerms(kind, Math.exp((kind === HIGHEST ? tL : tU) - xb[i]!), cst[2]!, cst[3]!, cst[4]!, wi, out);
      const pr = out[ROW_P]!;
      if (!(pr > 0)) return Infinity;
      nll.add(-wi * Math.log(pr));
      if (!derivs) continue;
      const ga = out[ROW_GA]!;
      const gb = out[ROW_GB]!;
      const haa = out[ROW_HAA]!;
      const hbb = out[ROW_HBB]!;
      const hab = out[ROW_HAB]!;
      dB[i] = out[ROW_D]!;
      cB[i] = out[ROW_C]!;
      eU[i] = yi < K ? out[ROW_U]! : 0;
      eL[i] = yi > 0 ? out[ROW_L]! : 0;
      if (q === 1) {
        // proportional odds: thresholds j = y_i (upper) and y_i − 1 (lower)
        if (yi < K) {
          grad[yi] = grad[yi]! - ga;
          hess[yi * npar + yi] = hess[yi * npar + yi]! - haa;
        }
        if (yi > 0) {
          const l = yi - 1;
          grad[l] = grad[l]! - gb;
          hess[l * npar + l] = hess[l * npar + l]! - hbb;
          if (yi < K) {
            hess[yi * npar + l] = hess[yi * npar + l]! - hab;
            hess[l * npar + yi] = hess[l * npar + yi]! - hab;
          }
        }
        continue;
      }
      for (let c = 0; c < q; c++) {
        const zc = c === 0 ? 1 : Z![(c - 1) * n + i]!;
        if (yi < K) grad[yi * q + c] = grad[yi * q + c]! - ga * zc;
        if (yi > 0) grad[(yi - 1) * q + c] = grad[(yi - 1) * q + c]! - gb * zc;
        for (let d = 0; d < q; d++) {
          const zz = zc * (d === 0 ? 1 : Z![(d - 1) * n + i]!);
          if (yi < K) {
            const o = (yi * q + c) * npar + yi * q + d;
            hess[o] = hess[o]! - haa * zz;
          }
          if (yi > 0) {
            const o = ((yi - 1) * q + c) * npar + (yi - 1) * q + d;
            hess[o] = hess[o]! - hbb * zz;
          }
          if (yi < K && yi > 0) {
            const r = yi * q + c;
            const s = (yi - 1) * q + d;
            hess[r * npar + s] = hess[r * npar + s]! - hab * zz;
            hess[s * npar + r] = hess[s * npar + r]! - hab * zz;
          }
        }
      }
    }
    if (!derivs) return nll.value();
    const X = this.X;
    for (let k = 0; k < p; k++) {
      const o = k * n;
      const col = nt + k;
      // β gradient: Σ (ga + gb) x
      let g = 0;
      for (let i = 0; i < n; i++) g += dB[i]! * X[o + i]!;
      grad[col] = g;
      // θ × β block: eU_i z_c x_k into row (y_i, c), eL_i z_c x_k into row (y_i − 1, c)
      for (let i = 0; i < n; i++) {
        const x = X[o + i]!;
        const yi = y[i]!;
        for (let c = 0; c < q; c++) {
          const zc = c === 0 ? 1 : Z![(c - 1) * n + i]!;
          if (yi < K) hess[(yi * q + c) * npar + col] = hess[(yi * q + c) * npar + col]! + eU[i]! * zc * x;
          if (yi > 0) hess[((yi - 1) * q + c) * npar + col] = hess[((yi - 1) * q + c) * npar + col]! + eL[i]! * zc * x;
        }
      }
      for (let r = 0; r < nt; r++) hess[col * npar + r] = hess[r * npar + col]!;
    }
    // β × β block: X' diag(c) X
    const XtCX = weightedCrossprod(X, n, p, cB, this.rowArrays().XtCX);
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) hess[(nt + a) * npar + nt + b] = XtCX[a * p + b]!;
    return nll.value();
  }
}

/**
 * The sorted path's arrays in the kernels' arena: X (n × p, then a zero row), the case weights (1 without;
 * n + 2: a padding row's weight is set to 0 for a moment), the block's η and its row arrays c, d, u, l and p
 * (stride S each), the scratch c·x_j (p × S), β, the per-column sums (3p), the rows kernel's sums (6),
 * logprod's running product (mantissas, exponents, min p), X' diag(c) X (p × p), the category segments
 * (J + 1) and constants (5 J), the gradient (npar) and the Hessian (npar²), then the fit driver's work
 * arrays (workspace).
 */
function ordinalArena(n: number, p: number, J: number, npar: number, work: number) {
  // X and the weights sized for rowCapacity(n) rows: a bootstrap's fits then ask for the same few layouts (ArenaLayouts)
  const rows = rowCapacity(n);
  return {
    x: rows * p + 2, wts: rows + 2, eta: S, rows: 5 * S, scratch: Math.max(1, p) * S, beta: p, sums: 3 * p, rs: 6, acc: 6, xtcx: p * p,
    seg: { int32: J + 1 }, cats: 5 * J, grad: npar, hess: npar * npar, work,
  } as const;
}

/** Rows `order` of the column-major n × cols matrix A, into B from offset `at` (a new array by default). */
function gatherRows(A: Float64Array, n: number, cols: number, order: Int32Array, B: Float64Array = new Float64Array(n * cols), at = 0): Float64Array {
  let j = 0;
  for (; j + 1 < cols; j += 2) {
    const o0 = j * n;
    const o1 = o0 + n;
    for (let r = 0; r < n; r++) {
      const i = order[r]!;
      B[at + o0 + r] = A[o0 + i]!;
      B[at + o1 + r] = A[o1 + i]!;
    }
  }
  if (j < cols) {
    const o = j * n;
    for (let r = 0; r < n; r++) B[at + o + r] = A[o + order[r]!]!;
  }
  return B;
}

/**
 * The rows reordered by outcome category (a stable counting sort), so that the per-category sums of the
 * Hessian run over contiguous rows without branches. The likelihood is a sum over rows: the order changes
 * only the rounding of the sums. Returns the order (undefined when the rows are already sorted) with the
 * outcome, weights, nominal covariates and offset in it; the objective gathers X itself (into the SIMD
 * kernels' memory).
 */
function sortByCategory(
  n: number,
  y: Int32Array,
  J: number,
  w: Float64Array | undefined,
  nominal: { readonly Z: Float64Array; readonly k: number } | undefined,
  offset: Float64Array | undefined,
): { order: Int32Array | undefined; y: Int32Array; w: Float64Array | undefined; Z: Float64Array | undefined; offset: Float64Array | undefined } {
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) if (y[i]! < y[i - 1]!) sorted = false;
  if (sorted) return { order: undefined, y, w, Z: nominal?.Z, offset };
  const start = new Int32Array(J + 1);
  for (let i = 0; i < n; i++) start[y[i]! + 1]!++;
  for (let c = 0; c < J; c++) start[c + 1] = start[c + 1]! + start[c]!;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[start[y[i]!]!++] = i;
  const ys = new Int32Array(n);
  for (let r = 0; r < n; r++) ys[r] = y[order[r]!]!;
  return {
    order,
    y: ys,
    w: w === undefined ? undefined : gatherRows(w, n, 1, order),
    Z: nominal === undefined ? undefined : gatherRows(nominal.Z, n, nominal.k, order),
    offset: offset === undefined ? undefined : gatherRows(offset, n, 1, order),
  };
}

/**
 * The negative log-likelihood, its gradient and Hessian at `par` (clm's order) — what each Newton
 * iteration of fitOrdinal computes, for checking one evaluation path against another (`loop: 'js'`: the
 * sorted path's pass over the rows in JavaScript instead of the kernels' `evaluate`).
 */
export function ordinalObjective(
  X: Float64Array,
  n: number,
  p: number,
  y: Int32Array,
  J: number,
  par: Float64Array,
  options: Omit<CumulativeLogitOptions, 'workspace'> = {},
): { nll: number; grad: Float64Array; hess: Float64Array } {
  const m = new CumulativeLogitObjective(X, n, p, y, J, options);
  const grad = new Float64Array(m.npar);
  const hess = new Float64Array(m.npar * m.npar);
  return { nll: m.evaluate(par, grad, hess, true), grad, hess };
}
