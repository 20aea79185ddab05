/**
 * Brent's bracketing root finder, step for step as R's `uniroot` (R_zeroin2 in src/library/stats/src/zeroin.c,
 * after Brent 1973, "Algorithms for minimization without derivatives", ch. 4): inverse quadratic or
 * linear interpolation when it stays inside the bracket and shrinks it fast enough, bisection otherwise.
 * Following R's arithmetic exactly makes results agree with `uniroot` to the last bit given the same f,
 * which matters where R uses a loose tolerance (wilcox.test's tol.root = 1e-4).
 *
 * Exported API: zeroin(f, lower, upper, options) → {root, iterations, estimPrec}; ZeroinBatch (the same
 * algorithm driven by the caller, for many roots in lockstep).
 */
const EPSILON = 2.220446049250313e-16;

export interface ZeroinOptions {
  /** Absolute tolerance on the root; R's default .Machine$double.eps^0.25. */
  readonly tol?: number;
  readonly maxiter?: number;
  /** f(lower) and f(upper) when already known (uniroot's f.lower, f.upper). */
  readonly fLower?: number;
  readonly fUpper?: number;
}

export interface ZeroinResult {
  readonly root: number;
  /** Iterations used; -1 when maxiter was reached without convergence (uniroot warns then). */
  readonly iterations: number;
  /** The bracket width at the end (uniroot's estim.prec). */
  readonly estimPrec: number;
}

/**
 * zeroin for many roots at once, as a state machine ("reverse communication"): the caller evaluates
 * each unfinished equation's f at `x[i]` (listed by `pending()`) and hands the values to `tell`, until
 * none is pending. One vectorised evaluation per round serves every equation (volume_delta solves one
 * per patient), with exactly the arithmetic of `zeroin` — which is this with a single equation.
 * State lives in typed arrays, so millions of equations cost no per-equation objects.
 */
export class ZeroinBatch {
  private readonly a: Float64Array;
  private readonly b: Float64Array;
  private readonly c: Float64Array;
  private readonly fa: Float64Array;
  private readonly fb: Float64Array;
  private readonly fc: Float64Array;
  private readonly left: Int32Array;
  /** The point at which f is wanted next, per equation (meaningful while pending). */
  readonly x: Float64Array;
  /** 0 pending, 1 converged, 2 maxiter reached. */
  readonly state: Uint8Array;
  readonly root: Float64Array;
  /** Iterations used (−1 when maxiter was reached, as uniroot). */
  readonly iterations: Int32Array;
  readonly estimPrec: Float64Array;
  private readonly tol: number;
  private readonly maxiter: number;
  private pendingList: Int32Array;

  /** f(lower[i]) and f(upper[i]) must be known and not of the same sign. */
  constructor(lower: ArrayLike<number>, upper: ArrayLike<number>, fLower: ArrayLike<number>, fUpper: ArrayLike<number>, tol = Math.pow(EPSILON, 0.25), maxiter = 1000) {
    const m = lower.length;
    // new Float64Array(arrayLike) copies without the iterator protocol of Float64Array.from
    this.a = new Float64Array(lower);
    this.b = new Float64Array(upper);
    this.c = new Float64Array(lower);
    this.fa = new Float64Array(fLower);
    this.fb = new Float64Array(fUpper);
    this.fc = new Float64Array(fLower);
    this.left = new Int32Array(m).fill(maxiter + 1);
    this.x = new Float64Array(m).fill(NaN);
    this.state = new Uint8Array(m);
    this.root = new Float64Array(m).fill(NaN);
    this.iterations = new Int32Array(m);
    this.estimPrec = new Float64Array(m).fill(NaN);
    this.tol = tol;
    this.maxiter = maxiter;
    const pending = new Int32Array(m);
    let count = 0;
    for (let i = 0; i < m; i++) {
      if (this.fa[i] === 0) this.finish(i, this.a[i]!, 0, 0);
      else if (this.fb[i] === 0) this.finish(i, this.b[i]!, 0, 0);
      else if (this.step(i)) pending[count++] = i;
    }
    this.pendingList = pending.subarray(0, count);
  }

  /** The equations waiting for f(x[i]), in increasing order. */
  pending(): Int32Array {
    return this.pendingList;
  }

  private finish(i: number, root: number, iterations: number, estimPrec: number): void {
    this.state[i] = iterations < 0 ? 2 : 1;
    this.root[i] = root;
    this.iterations[i] = iterations;
    this.estimPrec[i] = estimPrec;
  }

  /** One pass of zeroin's main loop for equation i, up to the next evaluation (true) or the end (false). */
  private step(i: number): boolean {
    if (this.left[i]!-- <= 0) {
      this.finish(i, this.b[i]!, -1, -1);
      return false;
    }
    let a = this.a[i]!;
    let b = this.b[i]!;
    let c = this.c[i]!;
    let fa = this.fa[i]!;
    let fb = this.fb[i]!;
    let fc = this.fc[i]!;
    const prevStep = b - a;
    if (Math.abs(fc) < Math.abs(fb)) {
      // make b the best approximation
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tolAct = 2 * EPSILON * Math.abs(b) + this.tol / 2;
    let newStep = (c - b) / 2;
    if (Math.abs(newStep) <= tolAct || fb === 0) {
      this.finish(i, b, this.maxiter - this.left[i]!, Math.abs(c - b));
      return false;
    }
    if (Math.abs(prevStep) >= tolAct && Math.abs(fa) > Math.abs(fb)) {
      // interpolation may be tried: step p/q
      let p: number;
      let q: number;
      const cb = c - b;
      if (a === c) {
        // two distinct points: linear interpolation (secant)
        const t1 = fb / fa;
        p = cb * t1;
        q = 1 - t1;
      } else {
        // inverse quadratic interpolation
        q = fa / fc;
        const t1 = fb / fc;
        const t2 = fb / fa;
        p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1));
        q = (q - 1) * (t1 - 1) * (t2 - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      // accept b + p/q if it falls inside [b, c] and is not too large
      if (p < 0.75 * cb * q - Math.abs(tolAct * q) / 2 && p < Math.abs((prevStep * q) / 2)) newStep = p / q;
    }
    if (Math.abs(newStep) < tolAct) newStep = newStep > 0 ? tolAct : -tolAct;
    this.a[i] = b;
    this.fa[i] = fb;
    this.b[i] = b + newStep;
    this.c[i] = c;
    this.fc[i] = fc;
    this.x[i] = b + newStep;
    return true;
  }

  /** values[k] = f(x[i]) for i = pending()[k]. */
  tell(values: ArrayLike<number>): void {
    const list = this.pendingList;
    if (values.length !== list.length) throw new RangeError(`zeroin: ${values.length} values for ${list.length} pending equations`);
    let kept = 0;
    for (let k = 0; k < list.length; k++) {
      const i = list[k]!;
      const fx = values[k]!;
      this.fb[i] = fx;
      const fc = this.fc[i]!;
      if ((fx > 0 && fc > 0) || (fx < 0 && fc < 0)) {
        // keep the root bracketed by b and c
        this.c[i] = this.a[i]!;
        this.fc[i] = this.fa[i]!;
      }
      if (this.step(i)) list[kept++] = i;
    }
    this.pendingList = list.subarray(0, kept);
  }
}

/** A root of f in [lower, upper], where f(lower) and f(upper) must not have the same sign. */
export function zeroin(f: (x: number) => number, lower: number, upper: number, options: ZeroinOptions = {}): ZeroinResult {
  const tol = options.tol ?? Math.pow(EPSILON, 0.25);
  const maxiter = options.maxiter ?? 1000;
  if (!(lower < upper)) throw new RangeError(`zeroin: lower < upper is not fulfilled (${lower}, ${upper})`);
  const fa = options.fLower ?? f(lower);
  const fb = options.fUpper ?? f(upper);
  if (Number.isNaN(fa) || Number.isNaN(fb)) throw new RangeError('zeroin: f is NaN at an end point');
  if (Math.sign(fa) * Math.sign(fb) > 0) throw new RangeError('zeroin: f() values at end points not of opposite sign');
  const m = new ZeroinBatch([lower], [upper], [fa], [fb], tol, maxiter);
  const fx = new Float64Array(1);
  while (m.pending().length > 0) {
    fx[0] = f(m.x[0]!);
    m.tell(fx);
  }
  return { root: m.root[0]!, iterations: m.iterations[0]!, estimPrec: m.estimPrec[0]! };
}
