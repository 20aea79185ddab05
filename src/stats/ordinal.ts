/**
 * Cumulative-logit (proportional-odds) models as `ordinal::clm` (and `MASS::polr`):
 *
 *   logit P(Y ≤ j | x, z) = θ_j + z'γ_j − x'β,   j = 1 … J−1
 *
 * with location covariates x (no intercept column) and, for the non-proportional ("nominal") model of
 * `ordinal::nominal_test`, covariates z whose effects γ_j vary by threshold (sign as clm's
 * sign.nominal = "positive"). Without z this is the proportional-odds model.
 *
 *   fitOrdinal(X, n, p, y, J, options)     → OrdinalFit  (Newton–Raphson as clm.fit.NR)
 *   nominalTest(X, n, p, y, J, groups, …)  → per term: LR test of the PO model against the model with that term nominal
 *   responseCategories(values | factor, merge?) → category codes 0..J−1 with their labels
 *
 * Newton–Raphson exactly as clm.fit.NR (ordinal 2022.11): start θ = qlogis((1:(J−1))/J), γ = 0, β = 0;
 * each iteration computes the gradient g and Hessian H of the negative log-likelihood, the step
 * H⁻¹g (Cholesky; a non-positive-definite H is inflated by |λ_min| + 1 on the diagonal), and stops
 * when max|g| < gradTol (1e-6) AND max|step| < relTol (1e-6) — before taking that step, as clm does.
 * Steps that increase the negative log-likelihood are halved (at most 15 times). The covariance is
 * H⁻¹ at the estimate. Analytic derivatives, with F the logistic cdf, f = F(1 − F), f' = f(1 − 2F),
 * a = η_upper, b = η_lower, p = F(a) − F(b), for one observation of weight w:
 *   ∂ log p/∂a = f(a)/p,  ∂ log p/∂b = −f(b)/p,
 *   ∂² log p/∂a² = f'(a)/p − (f(a)/p)²,  ∂² log p/∂b² = −f'(b)/p − (f(b)/p)²,  ∂² log p/∂a∂b = f(a)f(b)/p².
 * The proportional-odds fit runs its row loops in WebAssembly SIMD (simd-kernels.ts, two rows per
 * instruction): η = Xβ, the per-row probabilities and derivatives, the gradient and threshold × β sums,
 * and the β block of H, X' diag(c) X; the nominal model uses plain loops and linalg.ts's cross-product.
 * Numerics (Model.evaluateSorted): one exp per row, p = F(a) − F(b) without cancellation (expm1 of the
 * threshold gap), and the negative log-likelihood summed with compensation — R's sum() accumulates in
 * long double, and clm's step-halving test compares log-likelihoods to 1e-10, which a plain double sum
 * over 10⁴+ rows cannot resolve (it made large fits end "not converged").
 */
import { createRequire } from 'node:module';
import type * as MlMatrix from 'ml-matrix';
import { FitError } from '../errors.js';
import { pchisq, qlogis } from './distributions.js';
import { BLOCK, cholesky, choleskyInverse, choleskySolve, linearPredictor, symmetrizeUpper, weightedCrossprod } from './linalg.js';
import { reserveArena, type SimdKernels, simdKernels } from './simd-kernels.js';

/** Row stride of the SIMD path's block arrays: a block of BLOCK rows plus the padding row, kept even. */
const S = BLOCK + 2;

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

// ---- the likelihood -------------------------------------------------------------------------------

/** log 2 in two parts (fdlibm's ln2_hi, ln2_lo): k · LN2_HI is exact for |k| < 2²¹. */
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;

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

/** fitOrdinal's Newton arrays: two states (par, grad: npar each; hess: npar²), the step, the Cholesky factor and the inverse (npar² each). */
function iterationDoubles(npar: number): number {
  return 2 * (2 * npar + npar * npar) + npar + 2 * npar * npar;
}

/** Work arrays of one model: allocated once per fit, never per row. */
class Model {
  readonly npar: number;
  readonly q: number;
  readonly K: number;
  readonly nt: number;
  /** Per-row work arrays of the general (nominal) path, allocated on first use. */
  private rows: { xb: Float64Array; cB: Float64Array; dB: Float64Array; eU: Float64Array; eL: Float64Array; XtCX: Float64Array } | undefined;
  /**
   * The sorted proportional-odds path's arrays in the SIMD kernels' memory (simd-kernels.ts), as offsets in
   * doubles: X (n × p, then a zero row), the case weights (1 without), the block's η and its row arrays c, d,
   * u, l and p (stride S = BLOCK + 2 each), the scratch c·x_j (p × S), β, the per-column sums (3p), the
   * rows kernel's sums (6), logprod's accumulator (mantissas, exponents — also as `accExp` — and min p),
   * X' diag(c) X (p × p), and for the kernels' `evaluate`: the category segments (J + 1 int32s), the
   * categories' constants (5 J), the gradient (npar) and the Hessian (npar²); then fitOrdinal's iteration
   * arrays (iterationArrays). Undefined for the general path (nominal effects) or when the memory cannot
   * hold X.
   */
  private readonly simd:
    | { A: Float64Array; accExp: Int32Array; x: number; wts: number; eta: number; w: number; s: number; beta: number; sums: number; rs: number; acc: number; xtcx: number; seg: number; cats: number; grad: number; hess: number; work: number }
    | undefined;
  /** Per-category sums of evaluateSorted (reused). */
  private readonly categorySums = new Float64Array(5);
  /** Rows segments[c] .. segments[c+1]−1 are category c (the rows come sorted by category). */
  readonly segments: Int32Array;
  /** The design in the fit's row order (the general path's; the SIMD path keeps its own copy). */
  readonly X: Float64Array;
  /** No weights, or all weights small whole numbers (frequency weights, e.g. mediation's collapsed rows). */
  readonly counts: boolean;
  /** X is the caller's design, its rows taken in the order `order` (undefined: as they are). */
  constructor(
    X: Float64Array,
    order: Int32Array | undefined,
    readonly n: number,
    readonly p: number,
    readonly y: Int32Array,
    readonly J: number,
    readonly w: Float64Array | undefined,
    readonly Z: Float64Array | undefined,
    k: number,
    /** 'js': the sorted path's pass over the rows in this file's loop, not the kernels' `evaluate` (for tests). */
    private readonly loop: 'wasm' | 'js' = 'wasm',
  ) {
    this.q = 1 + k;
    this.K = J - 1;
    this.nt = this.K * this.q;
    this.npar = this.nt + p;
    // y is sorted by category (sortByCategory): category c is rows seg[c] … seg[c + 1] − 1, its end found by
    // bisection (the first row of a higher category)
    const seg = new Int32Array(J + 1);
    for (let c = 0; c < J; c++) {
      let lo = seg[c]!;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (y[mid]! <= c) lo = mid + 1;
        else hi = mid;
      }
      seg[c + 1] = lo;
    }
    this.segments = seg;
    if (Z === undefined) {
      // offsets in doubles, each even (16-byte aligned for the f64x2 loads)
      const even = (v: number): number => v + (v & 1);
      const x = 0;
      const wts = even(n * p + 2);
      const eta = wts + even(n + 2);
      const blk = eta + S;
      const s = blk + 5 * S;
      const beta = s + p * S;
      const sums = beta + even(p);
      const rs = sums + even(3 * p);
      const acc = rs + 6;
      const xtcx = acc + 6;
      const segAt = xtcx + p * p;
      const cats = segAt + Math.ceil((J + 1) / 2);
      const grad = cats + 5 * J;
      const hess = grad + this.npar;
      const work = hess + this.npar * this.npar;
      let A: Float64Array | undefined;
      try {
        A = reserveArena(work + iterationDoubles(this.npar));
      } catch (e) {
        if (!(e instanceof RangeError)) throw e; // the memory cannot grow that far: the general path
      }
      if (A !== undefined) {
        if (order === undefined) A.set(X.subarray(0, n * p), x);
        else gatherRows(X, n, p, order, A, x);
        A[n * p] = 0;
        A[n * p + 1] = 0;
        if (w === undefined) A.fill(1, wts, wts + n);
        else A.set(w, wts);
        new Int32Array(A.buffer, A.byteOffset + 8 * segAt, J + 1).set(seg);
        this.simd = { A, accExp: new Int32Array(A.buffer, A.byteOffset + 8 * (acc + 2), 4), x, wts, eta, w: blk, s, beta, sums, rs, acc, xtcx, seg: segAt, cats, grad, hess, work };
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
   * fitOrdinal's arrays for the Newton iteration (iterationDoubles(npar) doubles): in the kernels' memory on
   * the kernels' path, so that the kernels' chol, cholsolve and cholinv work on them in place; else new.
   */
  iterationArrays(): { work: Float64Array; kernels: SimdKernels | undefined } {
    const size = iterationDoubles(this.npar);
    if (this.simd === undefined) return { work: new Float64Array(size), kernels: undefined };
    const work = this.simd.A.subarray(this.simd.work, this.simd.work + size);
    work.fill(0);
    return { work, kernels: simdKernels() };
  }

  private rowArrays(): { xb: Float64Array; cB: Float64Array; dB: Float64Array; eU: Float64Array; eL: Float64Array; XtCX: Float64Array } {
    const n = this.n;
    this.rows ??= { xb: new Float64Array(n), cB: new Float64Array(n), dB: new Float64Array(n), eU: new Float64Array(n), eL: new Float64Array(n), XtCX: new Float64Array(this.p * this.p) };
    return this.rows;
  }

  /**
   * The proportional-odds model with the rows sorted by category (every fit without nominal effects):
   * one pass over blocks of at most BLOCK rows of one category c, each block doing all its work while its
   * rows are in the cache, in the SIMD kernels (simd-kernels.ts) —
   *   `eta`: η_i = x_i'β; `rows`: the row's probability p_i and its derivatives in a = θ_c − η_i (upper) and
   *   b = θ_{c−1} − η_i (lower), as the row arrays c, d, u, l and the threshold sums (the rows whose
   *   |θ − η| exceeds the kernel's exp range, and an odd block's last row, by the same formulas here);
   *   `colpass`: per column j the β gradient Σ d x_j, the θ × β sums Σ u x_j (row c) and Σ l x_j (row c − 1)
   *   and the scratch c x_j; `crossprod`: X' diag(c) X for the block; then −Σ w log p here.
   * One exp per row: e_a = exp(θ_c − η), e_b = r e_a with r = exp(θ_{c−1} − θ_c) < 1, and
   *   F(a) = e_a/(1 + e_a), 1 − F(a) = 1/(1 + e_a), f(a) = F(a)(1 − F(a)), 1 − 2F(a) = (1 − e_a)/(1 + e_a),
   *   p = F(a) − F(b) = e_a (1 − r) / ((1 + e_a)(1 + e_b))   with 1 − r = −expm1(θ_{c−1} − θ_c): no cancellation,
   *   f(a)/p = (1 + e_b) / ((1 + e_a)(1 − r)),   f(b)/p = r (1 + e_a) / ((1 + e_b)(1 − r)).
   * The negative log-likelihood is summed with Neumaier's compensation, as R's long-double sum(): near the
   * optimum clm.fit.NR compares it between iterates to 1e-10, and a plain double sum over 10⁴–10⁶ rows
   * carries rounding errors of 1e-10–1e-8 (step halving then fired on noise: false non-convergence).
   * Without weights, or with frequency weights (small whole numbers w: p enters the product w times), the
   * logs are taken of running products of p (flushed before they can underflow), so there is one log per
   * ~100 rows instead of one per row; the product's relative rounding error is the same size as that of
   * the sum of logs it replaces. With such weights the pass itself runs in the kernels (`evaluate`: the
   * steps of evaluateSortedJs in its order, so the same bits; a worker thread then has no JavaScript loop to
   * compile), handing back to evaluateSortedJs the rare evaluation that needs Math.exp or Math.log.
   */
  private evaluateSorted(par: Float64Array, grad: Float64Array, hess: Float64Array, derivs: boolean, seg: Int32Array): number {
    const { n, p, J, npar, nt } = this;
    const sm = this.simd!;
    const A = sm.A;
    let zeroBeta = true;
    for (let j = 0; j < p; j++) {
      A[sm.beta + j] = par[nt + j]!;
      if (par[nt + j] !== 0) zeroBeta = false;
    }
    if (!this.categoryArguments(par, seg)) return Infinity; // thresholds out of order: p ≤ 0
    if (!this.counts || this.loop === 'js') return this.evaluateSortedJs(grad, hess, derivs, seg, zeroBeta);
    // the whole pass in the kernels (evaluate: the steps of evaluateSortedJs, in its order)
    A[sm.acc] = 1;
    A[sm.acc + 1] = 1;
    sm.accExp.fill(0);
    const status = simdKernels().evaluate(
      8 * sm.x, n, p, 8 * sm.seg, J, 8 * sm.cats, 8 * sm.wts, 8 * sm.eta, 8 * sm.w, S, 8 * sm.s, 8 * sm.sums, 8 * sm.rs, 8 * sm.acc, 8 * sm.xtcx, 8 * sm.beta,
      8 * sm.grad, 8 * sm.hess, npar, nt, derivs ? 1 : 0, zeroBeta ? 1 : 0,
    );
    if (status === 3) return Infinity; // a probability ≤ 0
    // 1, 2: a row beyond the exp kernel's range or a probability below 1e-100: this file's loop (Math.exp, Math.log)
    if (status !== 0) return this.evaluateSortedJs(grad, hess, derivs, seg, zeroBeta);
    if (derivs) {
      grad.set(A.subarray(sm.grad, sm.grad + npar));
      hess.set(A.subarray(sm.hess, sm.hess + npar * npar));
    }
    return this.finishSorted(new CompensatedSum(), hess, derivs);
  }

  /**
   * Each category's arguments of the rows kernel, at cats + 5c: θ_c (0 for the highest), θ_{c−1} (0 for the
   * lowest), r = exp(θ_{c−1} − θ_c), 1 − r = −expm1(θ_{c−1} − θ_c) and 1/(1 − r) — for the lowest, r = 0 and
   * 1 − r = 1 (its formulas). False when a category with rows has θ_{c−1} ≥ θ_c (its p would be ≤ 0).
   */
  private categoryArguments(par: Float64Array, seg: Int32Array): boolean {
    const { K, J } = this;
    const A = this.simd!.A;
    for (let c = 0; c < J; c++) {
      const hasU = c < K;
      const hasL = c > 0;
      const tU = hasU ? par[c]! : 0;
      const tL = hasL ? par[c - 1]! : 0;
      const r = Math.exp(tL - tU);
      const oneMinusR = -Math.expm1(tL - tU);
      if (hasU && hasL && !(oneMinusR > 0) && seg[c + 1]! > seg[c]!) return false;
      const lowest = hasU && !hasL;
      const o = this.simd!.cats + 5 * c;
      A[o] = tU;
      A[o + 1] = tL;
      A[o + 2] = lowest ? 0 : r;
      A[o + 3] = lowest ? 1 : oneMinusR;
      A[o + 4] = lowest ? 1 : 1 / oneMinusR;
    }
    return true;
  }

  /** evaluateSorted's pass over the rows in JavaScript, calling the kernels block by block (see there). */
  private evaluateSortedJs(grad: Float64Array, hess: Float64Array, derivs: boolean, seg: Int32Array, zeroBeta: boolean): number {
    const { n, p, K, J, npar, nt, counts } = this;
    const sm = this.simd!;
    const A = sm.A;
    const kern = simdKernels();
    const XtCX = A.subarray(sm.xtcx, sm.xtcx + p * p);
    if (derivs) {
      grad.fill(0);
      hess.fill(0);
      XtCX.fill(0);
    }
    // −Σ w log p: the logs of the running product (logprod; counts) plus the other terms, summed with compensation
    const nll = new CompensatedSum();
    A[sm.acc] = 1;
    A[sm.acc + 1] = 1;
    sm.accExp.fill(0);
    const rs = sm.rs;
    for (let c = 0; c < J; c++) {
      const hasU = c < K;
      const hasL = c > 0;
      // the category's arguments (categoryArguments): θ_c, θ_{c−1}, r, 1 − r, 1/(1 − r)
      const o = sm.cats + 5 * c;
      const [tU, tL, r, oneMinusR, invOneMinusR] = [A[o]!, A[o + 1]!, A[o + 2]!, A[o + 3]!, A[o + 4]!];
      // the rows kernel: 0 a middle category, 1 the lowest (its formulas with r = 0), 2 the highest
      const kind = hasU && hasL ? 0 : hasU ? 1 : 2;
      const sumsOf = this.categorySums.fill(0); // Σ over the category's rows of w ∂/∂a, w ∂/∂b, w ∂²/∂a², w ∂²/∂b², w ∂²/∂a∂b
      for (let i0 = seg[c]!, end = seg[c + 1]!; i0 < end; i0 += BLOCK) {
        const len = Math.min(BLOCK, end - i0);
        // the kernels take two rows at a time: an odd block runs one row further, with weight 0
        const len2 = len + (len & 1);
        const pad = sm.wts + i0 + len;
        const padWeight = A[pad]!;
        if (len2 > len) A[pad] = 0;
        // η = X β for the block (none at the starting values β = 0)
        if (zeroBeta) A.fill(0, sm.eta, sm.eta + len2);
        else kern.eta(8 * sm.x, n, i0, len2, p, 8 * sm.beta, 8 * sm.eta);
        // the rows, two at a time, while the kernel's exp is valid (|θ − η| ≤ 700); else by rowsScalar
        kern.rows(8 * sm.eta, len2, kind, 8 * (sm.wts + i0), 8 * sm.w, S, 8 * rs, tU, tL, r, oneMinusR, invOneMinusR);
        if (A[rs + 5]! <= 700) for (let m = 0; m < 5; m++) sumsOf[m] = sumsOf[m]! + A[rs + m]!;
        else this.rowsScalar(i0, len, hasU, hasL, tU, tL, r, oneMinusR, sumsOf);
        const bP = sm.w + 4 * S;
        if (len2 > len) {
          // the padded row adds nothing (within the kernel's range its weight 0 made it so; beyond, it was
          // not computed): c, d, u, l = 0 for the column passes and p = 1 for the probability check
          for (let m = 0; m < 4; m++) A[sm.w + m * S + len] = 0;
          A[bP + len] = 1;
        }
        if (counts) {
          // p^w into the running product; the (rare) p < 1e-100 by their logs
          kern.logprod(8 * bP, 8 * (sm.wts + i0), len2, 8 * sm.acc);
          const minP = A[sm.acc + 4]!;
          if (minP < 1e-100) for (let t = 0; t < len; t++) if (A[bP + t]! < 1e-100 && A[sm.wts + i0 + t]! > 0) nll.add(-A[sm.wts + i0 + t]! * Math.log(A[bP + t]!));
          if (!(minP > 0)) {
            A[pad] = padWeight;
            return Infinity;
          }
        } else {
          for (let t = 0; t < len; t++) {
            const pr = A[bP + t]!;
            if (!(pr > 0)) {
              A[pad] = padWeight;
              return Infinity;
            }
            nll.add(-A[sm.wts + i0 + t]! * Math.log(pr));
          }
        }
        A[pad] = padWeight;
        if (!derivs) continue;
        // per column j: the scratch c·x_j and the sums Σ d x_j (β gradient), Σ u x_j (θ_c × β), Σ l x_j (θ_{c−1} × β)
        kern.colpass(8 * sm.x, n, i0, len2, p, 8 * sm.w, S, 8 * sm.s, 8 * sm.sums);
        for (let j = 0, o = sm.sums; j < p; j++, o += 3) {
          grad[nt + j] = grad[nt + j]! + A[o]!;
          if (hasU) hess[c * npar + nt + j] = hess[c * npar + nt + j]! + A[o + 1]!;
          if (hasL) hess[(c - 1) * npar + nt + j] = hess[(c - 1) * npar + nt + j]! + A[o + 2]!;
        }
        // β × β block: X' diag(c) X over the block (upper triangle)
        kern.crossprod(8 * sm.s, S, 8 * sm.x, n, i0, len2, p, 8 * sm.xtcx);
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
    const A = sm.A;
    const accExp = sm.accExp;
    // log of the running product m₀ m₁ 2^e: e log 2 in two parts (e · LN2_HI is exact for |e| < 2²¹, i.e. up
    // to ~10⁶ log-likelihood bits; beyond, it is rounded once, ~1e-16 relative). The exponents are read as
    // the low words of their i64 lanes: exact for |e| < 2³¹.
    const e = accExp[0]! + accExp[2]!;
    nll.add(-(e * LN2_HI));
    nll.add(-(e * LN2_LO + Math.log(A[sm.acc]! * A[sm.acc + 1]!)));
    if (!derivs) return nll.value();
    const XtCX = A.subarray(sm.xtcx, sm.xtcx + p * p);
    symmetrizeUpper(XtCX, p);
    for (let a = 0; a < p; a++) {
      for (let r2 = 0; r2 < nt; r2++) hess[(nt + a) * npar + r2] = hess[r2 * npar + nt + a]!;
      for (let b = 0; b < p; b++) hess[(nt + a) * npar + nt + b] = XtCX[a * p + b]!;
    }
    return nll.value();
  }

  /**
   * The rows kernel's quantities for rows i0 … i0 + len − 1 of one category, by the same formulas in
   * scalar code with Math.exp (valid for any |θ − η|): when the kernel's exp range is exceeded.
   */
  private rowsScalar(i0: number, len: number, hasU: boolean, hasL: boolean, tU: number, tL: number, r: number, oneMinusR: number, sums: Float64Array): void {
    const sm = this.simd!;
    const A = sm.A;
    const invOneMinusR = 1 / oneMinusR;
    const [oC, oD, oU, oL, oP] = [sm.w, sm.w + S, sm.w + 2 * S, sm.w + 3 * S, sm.w + 4 * S];
    for (let t = 0; t < len; t++) {
      const eta = A[sm.eta + t]!;
      let pr: number;
      let la = 0; // ∂ log p/∂a = f(a)/p
      let lb = 0; // ∂ log p/∂b = −f(b)/p
      let haa = 0; // ∂² log p/∂a² = f'(a)/p − (f(a)/p)²
      let hbb = 0; // ∂² log p/∂b² = −f'(b)/p − (f(b)/p)²
      if (hasU) {
        const ea = Math.exp(tU - eta);
        const A1 = 1 + ea;
        if (hasL) {
          const eb = r * ea;
          const B = 1 + eb;
          // one division for both reciprocals
          const invAB = 1 / (A1 * B);
          const invA = B * invAB;
          const invB = A1 * invAB;
          pr = ea * oneMinusR * invAB;
          la = B * invA * invOneMinusR;
          lb = -r * A1 * invB * invOneMinusR;
          haa = la * ((1 - ea) * invA - la);
          hbb = lb * ((1 - eb) * invB - lb);
        } else {
          // lowest category: p = F(a), ∂² log F(a)/∂a² = −f(a)
          const invA = 1 / A1;
          pr = ea * invA;
          la = invA;
          haa = -ea * invA * invA;
        }
      } else {
        // highest category: p = 1 − F(b) = 1/(1 + e_b), ∂² log(1 − F(b))/∂b² = −f(b)
        const eb = Math.exp(tL - eta);
        const invB = 1 / (1 + eb);
        pr = invB;
        lb = -eb * invB;
        hbb = -eb * invB * invB;
      }
      const wi = A[sm.wts + i0 + t]!;
      const ga = wi * la;
      const gb = wi * lb;
      const wHaa = wi * haa;
      const wHbb = wi * hbb;
      const hab = -wi * la * lb; // ∂² log p/∂a∂b = f(a)f(b)/p²
      A[oP + t] = pr;
      A[oD + t] = ga + gb; // −∂(−log p)/∂η: η enters a and b with sign −1
      A[oC + t] = -(wHaa + 2 * hab + wHbb); // ∂²(−log p)/∂η²
      A[oU + t] = wHaa + hab;
      A[oL + t] = hab + wHbb;
      sums[0] = sums[0]! + ga;
      sums[1] = sums[1]! + gb;
      sums[2] = sums[2]! + wHaa;
      sums[3] = sums[3]! + wHbb;
      sums[4] = sums[4]! + hab;
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
    if (derivs) {
      grad.fill(0);
      hess.fill(0);
    }
    // −Σ w log p with Neumaier's compensation (see evaluateSorted)
    const nll = new CompensatedSum();
    // the general loop (nominal effects, or a design the kernels' memory cannot hold): threshold indices per row
    for (let i = 0; i < n; i++) {
      const yi = y[i]!;
      const wi = w === undefined ? 1 : w[i]!;
      let Fa = 1;
      let Fb = 0;
      if (yi < K) Fa = 1 / (1 + Math.exp(xb[i]! - (q === 1 ? par[yi]! : this.theta(par, yi, i))));
      if (yi > 0) Fb = 1 / (1 + Math.exp(xb[i]! - (q === 1 ? par[yi - 1]! : this.theta(par, yi - 1, i))));
      const pr = Fa - Fb;
      if (!(pr > 0)) return Infinity;
      nll.add(-wi * Math.log(pr));
      if (!derivs) continue;
      const fa = Fa * (1 - Fa);
      const fb = Fb * (1 - Fb);
      const la = fa / pr;
      const lb = -fb / pr;
      const ga = wi * la;
      const gb = wi * lb;
      const haa = wi * ((fa * (1 - 2 * Fa)) / pr - la * la);
      const hbb = wi * (-(fb * (1 - 2 * Fb)) / pr - lb * lb);
      const hab = -wi * la * lb;
      dB[i] = ga + gb;
      cB[i] = -(haa + 2 * hab + hbb);
      eU[i] = yi < K ? haa + hab : 0;
      eL[i] = yi > 0 ? hab + hbb : 0;
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

function maxAbs(v: Float64Array): number {
  let m = 0;
  for (const x of v) if (Math.abs(x) > m) m = Math.abs(x);
  return m;
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
 * outcome, weights and nominal covariates in it; the Model gathers X itself (into the SIMD kernels' memory).
 */
function sortByCategory(
  n: number,
  y: Int32Array,
  J: number,
  w: Float64Array | undefined,
  nominal: { readonly Z: Float64Array; readonly k: number } | undefined,
): { order: Int32Array | undefined; y: Int32Array; w: Float64Array | undefined; Z: Float64Array | undefined } {
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) if (y[i]! < y[i - 1]!) sorted = false;
  if (sorted) return { order: undefined, y, w, Z: nominal?.Z };
  const start = new Int32Array(J + 1);
  for (let i = 0; i < n; i++) start[y[i]! + 1]!++;
  for (let c = 0; c < J; c++) start[c + 1] = start[c + 1]! + start[c]!;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[start[y[i]!]!++] = i;
  const ys = new Int32Array(n);
  for (let r = 0; r < n; r++) ys[r] = y[order[r]!]!;
  let ws: Float64Array | undefined;
  if (w !== undefined) {
    ws = new Float64Array(n);
    for (let r = 0; r < n; r++) ws[r] = w[order[r]!]!;
  }
  return { order, y: ys, w: ws, Z: nominal === undefined ? undefined : gatherRows(nominal.Z, n, nominal.k, order) };
}

let mlMatrix: typeof MlMatrix | undefined;

/**
 * Eigenvalues of the symmetric npar × npar matrix h (ml-matrix's tred2/tql2, as R's eigen). ml-matrix is
 * loaded on first use: fits without the eigen-check (bootstrap replicates on worker threads) never pay its
 * ~50 ms import.
 */
function eigenvalues(h: Float64Array, npar: number): number[] {
  mlMatrix ??= createRequire(import.meta.url)('ml-matrix') as typeof MlMatrix;
  const rows = Array.from({ length: npar }, (_, r) => Array.from(h.subarray(r * npar, (r + 1) * npar)));
  return new mlMatrix.EigenvalueDecomposition(new mlMatrix.Matrix(rows), { assumeSymmetric: true }).realEigenvalues;
}

/** The state of the Newton iteration at one parameter vector. */
interface State {
  par: Float64Array;
  grad: Float64Array;
  hess: Float64Array;
  nll: number;
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
  options: Pick<OrdinalOptions, 'weights' | 'nominal'> & { readonly loop?: 'wasm' | 'js' } = {},
): { nll: number; grad: Float64Array; hess: Float64Array } {
  const sorted = sortByCategory(n, y, J, options.weights, options.nominal);
  const m = new Model(X, sorted.order, n, p, sorted.y, J, sorted.w, sorted.Z, options.nominal?.k ?? 0, options.loop);
  const grad = new Float64Array(m.npar);
  const hess = new Float64Array(m.npar * m.npar);
  return { nll: m.evaluate(par, grad, hess, true), grad, hess };
}

/** Fits the cumulative-logit model; y holds category codes 0..J−1. */
export function fitOrdinal(X: Float64Array, n: number, p: number, y: Int32Array, J: number, options: OrdinalOptions = {}): OrdinalFit {
  if (J < 2) throw new FitError('the ordinal outcome has fewer than 2 categories in the fitted data');
  const k = options.nominal?.k ?? 0;
  const sorted = sortByCategory(n, y, J, options.weights, options.nominal);
  const m = new Model(X, sorted.order, n, p, sorted.y, J, sorted.w, sorted.Z, k);
  const names = options.columns ?? Array.from({ length: p }, (_, j) => `column ${j + 1}`);
  const terms = options.columnTerms ?? names;
  const maxIter = options.maxIter ?? 100;
  const gradTol = options.gradTol ?? 1e-6;
  const relTol = options.relTol ?? 1e-6;
  const maxLineIter = options.maxLineIter ?? 15;
  const maxModIter = options.maxModIter ?? 5;
  const K = J - 1;
  const npar = m.npar;
  // the iteration's arrays in one allocation (a typed array of more than 8 doubles costs ~1 µs to allocate
  // and is freed by the garbage collector; a view into one costs next to nothing): two states, the step and
  // the Cholesky factor, reused by every iteration
  const state = 2 * npar + npar * npar;
  const { work, kernels } = m.iterationArrays();
  let states = 0;
  const newState = (): State => {
    const o = state * states++;
    return { par: work.subarray(o, o + npar), grad: work.subarray(o + npar, o + 2 * npar), hess: work.subarray(o + 2 * npar, o + state), nll: NaN };
  };
  // clm.start: thresholds at the logits of equally spaced cumulative proportions, the rest 0
  let cur = newState();
  let trial = newState();
  if (options.start !== undefined) cur.par.set(options.start);
  else for (let j = 0; j < K; j++) cur.par[j * m.q] = qlogis((j + 1) / J);
  cur.nll = m.evaluate(cur.par, cur.grad, cur.hess, true);
  if (!Number.isFinite(cur.nll)) throw new FitError('non-finite log-likelihood at the starting values');
  const step = work.subarray(2 * state, 2 * state + npar);
  const factor = work.subarray(2 * state + npar, 2 * state + npar + npar * npar);
  const inverse = work.subarray(2 * state + npar + npar * npar);
  // Cholesky factor, solve and inverse: the kernels' (the same operations, compiled once for every thread) on
  // arrays in their memory, else linalg.ts's
  const factorize = (h: Float64Array): number =>
    kernels !== undefined && h.buffer === work.buffer ? kernels.chol(h.byteOffset, npar, 0, factor.byteOffset) : cholesky(h, npar, 0, factor).failedAt;
  let stepFactor = 1;
  let innerIter = 0;
  let modifIter = 0;
  let absIter = 0;
  let conv = 2;
  const warnings: string[] = [];
  /** Evaluates the trial point par − stepFactor·step (with derivatives: if accepted, the next iteration needs them). */
  const tryStep = (): void => {
    for (let r = 0; r < npar; r++) trial.par[r] = cur.par[r]! - stepFactor * step[r]!;
    trial.nll = m.evaluate(trial.par, trial.grad, trial.hess, true);
  };
  const accept = (): void => {
    [cur, trial] = [trial, cur];
  };
  let i = 1;
  /** Whether `factor` holds the Cholesky factor of the final Hessian (the loop ended having computed it: converged, not inflated). */
  let factored = false;
  // clm.fit.NR (ordinal 2022.11), step by step
  for (; i <= maxIter + 1; i++) {
    const maxGrad = maxAbs(cur.grad);
    const absConv = maxGrad < gradTol;
    if (absConv) absIter++;
    let failedAt = factorize(cur.hess);
    if (failedAt >= 0) {
      if (absConv) {
        conv = 1;
        break;
      }
      const h = cur.hess;
      const inflate = Math.abs(Math.min(...eigenvalues(h, npar))) + 1;
      const inflated = Float64Array.from(h);
      for (let r = 0; r < npar; r++) inflated[r * npar + r] = inflated[r * npar + r]! + inflate;
      failedAt = factorize(inflated);
      if (failedAt >= 0) throw new FitError(`cannot compute a Newton step at iteration ${i - 1}: the Hessian is singular`, { hint: 'a term may be collinear with others or separate the outcome' });
      modifIter++;
    } else modifIter = 0;
    if (modifIter >= maxModIter) {
      conv = 4;
      break;
    }
    step.set(cur.grad);
    if (kernels !== undefined) kernels.cholsolve(factor.byteOffset, npar, step.byteOffset);
    else choleskySolve(factor, npar, step);
    const relConv = maxAbs(step) < relTol;
    if (absConv && relConv) {
      conv = 0;
      if (modifIter === 0) factored = true;
      break;
    }
    tryStep();
    let lineIter = 0;
    // a worse step; within 1e-10 of the current value, one whose gradient is no smaller. (Every part is
    // computed every time, though only a near tie needs them all: an operation first reached after the JIT
    // has compiled this loop would discard the compiled code.)
    const worse = trial.nll > cur.nll;
    const nearTie = Math.abs(cur.nll - trial.nll) < 1e-10;
    const gradNoSmaller = maxGrad < maxAbs(trial.grad);
    let stephalf = worse && (!nearTie || gradNoSmaller);
    if (absConv && stephalf) {
      conv = 1; // clm restores the parameters and stops
      break;
    }
    if (absConv && absIter >= 5) {
      conv = 1;
      accept();
      break;
    }
    while (stephalf) {
      stepFactor /= 2;
      tryStep();
      lineIter++;
      if (lineIter > maxLineIter) {
        conv = 3;
        break;
      }
      innerIter++;
      stephalf = trial.nll > cur.nll;
      if (stephalf && Math.abs(cur.nll - trial.nll) < 1e-10) stephalf = maxGrad < maxAbs(trial.grad);
    }
    accept();
    if (conv === 3) break;
    stepFactor = Math.min(1, 2 * stepFactor);
  }
  const iterations = i - 1;
  const { par, grad, hess } = cur;
  if (!Number.isFinite(cur.nll)) throw new FitError('the ordinal fit reached parameters with a zero-probability observation', { hint: 'check the model for separation' });
  const loglik = -cur.nll;
  const failedAt = factored ? -1 : factorize(hess);
  if (failedAt >= 0) {
    const j = failedAt - K * m.q;
    const term = j >= 0 ? terms[j] : undefined;
    throw new FitError(`the Hessian of the ordinal model is singular${term === undefined ? ` at threshold parameter ${failedAt + 1}` : ` at the term "${term}"`}`, {
      term,
      hint: 'the term may be collinear with others or separate the outcome (a category never observed with it)',
    });
  }
  let vcov: Float64Array;
  if (kernels !== undefined) {
    kernels.cholinv(factor.byteOffset, npar, inverse.byteOffset);
    vcov = inverse.slice();
  } else vcov = choleskyInverse(factor, npar);
  // clm's conv.check: eigenvalues of the Hessian (condition number, identifiability warnings)
  let condH = NaN;
  if (options.checkHessian !== false) {
    const ev = eigenvalues(hess, npar);
    const maxEv = Math.max(...ev);
    const minEv = Math.min(...ev);
    condH = maxEv / minEv;
    const tol = Math.sqrt(2.220446049250313e-16);
    if (maxEv * tol > 1) warnings.push('clm: Model is nearly unidentifiable: very large eigenvalue - Rescale variables?');
    if (minEv / maxEv < tol) warnings.push('clm: Model is nearly unidentifiable: large eigenvalue ratio - Rescale variables?');
  }
  const stdErrors = new Float64Array(npar);
  for (let r = 0; r < npar; r++) stdErrors[r] = Math.sqrt(vcov[r * npar + r]!);
  const messages: Record<number, string> = {
    1: 'absolute convergence criterion was met, but relative criterion was not met',
    2: 'iteration limit reached',
    3: 'step factor reduced below minimum',
    4: 'maximum number of consecutive Newton modifications reached',
  };
  if (conv !== 0) warnings.push(`clm: ${messages[conv]!}`);
  if (conv >= 2) {
    let worst = 0;
    for (let j = 1; j < p; j++) if (Math.abs(grad[K * m.q + j]!) > Math.abs(grad[K * m.q + worst]!)) worst = j;
    throw new FitError(`the ordinal fit did not converge (${messages[conv]!})${p > 0 ? `; the largest gradient is of "${terms[worst]!}"` : ''}`, { term: p > 0 ? terms[worst] : undefined, hint: 'check that term for separation or rescale it' });
  }
  let nobs = 0;
  for (let r = 0; r < n; r++) nobs += options.weights === undefined ? 1 : options.weights[r]!;
  const thresholds = new Float64Array(K);
  for (let j = 0; j < K; j++) thresholds[j] = par[j * m.q]!;
  return {
    J,
    beta: par.slice(K * m.q),
    thresholds,
    par: Float64Array.from(par),
    vcov,
    stdErrors,
    loglik,
    edf: npar,
    aic: -2 * loglik + 2 * npar,
    bic: -2 * loglik + Math.log(nobs) * npar,
    nobs,
    iterations,
    innerIterations: innerIter,
    code: conv,
    converged: conv <= 1,
    maxGradient: maxAbs(grad),
    condH,
    warnings,
  };
}

// ---- the response ---------------------------------------------------------------------------------

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
    const distinct = [...new Set(response.values)].sort((a, b) => a - b);
    const index = new Map(distinct.map((v, i) => [v, i]));
    labels = distinct.map(String);
    raw = Int32Array.from(response.values, (v) => index.get(v)!);
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
