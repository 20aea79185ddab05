/**
 * The fits' row-block kernels behind one interface, with two backends chosen once per thread:
 * - 'wasm' (the default): WebAssembly SIMD compiled from assembly/kernels.ts (wasm.ts loads
 *   src/stats/kernels/kernels.wasm), two rows per instruction;
 * - 'js': the same operations in JavaScript (js.ts), every sum in the WebAssembly module's order (two
 *   lanes: even and odd rows, added at the end), so the two give the same bits
 *   (test/stats/kernels-js.test.ts) — for debugging, or where WebAssembly SIMD is missing.
 * `LESIONFLOW_KERNELS=js` chooses the JavaScript backend (read once, on first use).
 *
 * Callers never see a byte offset: they ask for their arrays by name and length (`arena`) and pass those
 * arrays (or views created once from them) to the kernels. The arena is one block of memory per thread
 * (the WebAssembly module's memory), handed to one fit at a time: fits are synchronous and never nested,
 * and a new arena's arrays replace the last one's (whose views must not be used again).
 *
 * The column-major design X (n rows × p columns) has column j at x[j·n]. Every kernel runs over `len` rows
 * from row i0 with `len` EVEN: the caller rounds a block up by one row whose weights it sets to 0 (the row
 * read is then the next row of X, or the zero row the caller puts after its end).
 */
import type { RowKind } from '../models/cumulative-logit.js';

/** Arrays by name: a length in doubles, or `{ int32: length }`. */
export type ArenaSpec = Readonly<Record<string, number | { readonly int32: number }>>;

/** The arrays of an ArenaSpec, each starting at a multiple of 16 bytes (the kernels' vector loads). */
export type Arena<S extends ArenaSpec> = { readonly [K in keyof S]: S[K] extends number ? Float64Array : Int32Array };

/**
 * The arrays of the ordinal fit's pass over its rows (models/cumulative-logit-objective.ts), all from one
 * arena: rows sorted by category, category c is rows segments[c] … segments[c + 1] − 1.
 */
export interface OrdinalPassArrays {
  /** X (n × p, column-major) then a zero row. */
  readonly x: Float64Array;
  readonly n: number;
  readonly p: number;
  /** J + 1 category segments. */
  readonly segments: Int32Array;
  /** Number of categories J. */
  readonly J: number;
  /** Per category c at 5c: θ_c (or 0), θ_{c−1} (or 0), r, 1 − r, 1/(1 − r) (cumulative-logit.ts's categoryConstants). */
  readonly categories: Float64Array;
  /** Whole-number case weights (n + 2: a padding row may be set to 0 for a moment). */
  readonly weights: Float64Array;
  /** A block's η (stride). */
  readonly eta: Float64Array;
  /** A block's row arrays c, d, u, l, p, each `stride` long. */
  readonly rows: Float64Array;
  readonly stride: number;
  /** The scratch c·x_j (p × stride). */
  readonly scratch: Float64Array;
  readonly beta: Float64Array;
  /** colpass's column sums (3p). */
  readonly columnSums: Float64Array;
  /** rows's sums (6). */
  readonly rowSums: Float64Array;
  /** logprod's running product (6: mantissas, int64 exponents, min p). */
  readonly product: Float64Array;
  /** X' diag(c) X (p × p, upper triangle). */
  readonly xtcx: Float64Array;
  readonly grad: Float64Array;
  readonly hess: Float64Array;
  readonly npar: number;
  /** The thresholds' parameters before β. */
  readonly nt: number;
}

/**
 * The ordinal pass's status: 0 done; 1 a row's |θ − η| beyond the exp kernel's range; 2 a probability below
 * 1e-100 (its log is needed); 3 a probability that is not positive. On 1 and 2 the caller runs its own loop.
 */
export type OrdinalPassStatus = 0 | 1 | 2 | 3;

/** The arrays of least squares' pass over its rows (fit/least-squares.ts), all from one arena. */
export interface LeastSquaresPassArrays {
  /** X (n × p, column-major) then a zero row. */
  readonly x: Float64Array;
  readonly n: number;
  readonly p: number;
  readonly y: Float64Array;
  /** The case weights (undefined: all 1). */
  readonly w: Float64Array | undefined;
  readonly beta: Float64Array;
  /** A block's fitted values (stride). */
  readonly fitted: Float64Array;
  /** A block's row arrays c, d, u, l (4 × stride; u and l zero). */
  readonly rows: Float64Array;
  readonly stride: number;
  /** The scratch c·x_j (p × stride). */
  readonly scratch: Float64Array;
  /** colpass's column sums (3p). */
  readonly columnSums: Float64Array;
  /** X'Wy or X'W(y − Xβ) (p). */
  readonly out: Float64Array;
  /** X'WX (p × p, upper triangle; added to). */
  readonly xtwx: Float64Array;
}

export interface Kernels {
  readonly backend: 'wasm' | 'js';
  /** The arrays of `spec` (zeroed only where the caller zeroes them), or undefined when the memory cannot hold them. */
  arena<S extends ArenaSpec>(spec: S): Arena<S> | undefined;
  /** Whether `a` lies in this thread's arena (the wasm backend's kernels work only there). */
  inArena(a: Float64Array): boolean;
  /** out[t] = Σ_j beta[j] X[i0 + t, j] for t < len. */
  eta(x: Float64Array, n: number, i0: number, len: number, p: number, beta: Float64Array, out: Float64Array): void;
  /**
   * Per column j, with w[m·stride + t] the weights c, d, u, l: s[j·stride + t] = c_t X[i0 + t, j] and
   * sums[3j … 3j + 2] = Σ_t (d_t, u_t, l_t) X[i0 + t, j].
   */
  colpass(x: Float64Array, n: number, i0: number, len: number, p: number, w: Float64Array, stride: number, s: Float64Array, sums: Float64Array): void;
  /** out[j·p + k] += Σ_t s[j·stride + t] X[i0 + t, k] for k ≥ j. */
  crossprod(s: Float64Array, stride: number, x: Float64Array, n: number, i0: number, len: number, p: number, out: Float64Array): void;
  /** out[t] = exp(x[t]) for t < len; returns max |x[t]| (valid where ≤ 700; NaN if an x is). */
  exps(x: Float64Array, len: number, out: Float64Array): number;
  /**
   * The cumulative-logit rows' terms (cumulative-logit.ts's rowTerms) for `len` rows of one category with
   * weights w[wAt + t]: out[m·stride + t] for m = 0 … 4 the arrays c, d, u, l and p; sums[0 … 5] the sums
   * Σ w ∂/∂a, Σ w ∂/∂b, Σ w ∂²/∂a², Σ w ∂²/∂b², Σ w ∂²/∂a∂b and max |θ − η|.
   */
  rows(eta: Float64Array, len: number, kind: RowKind, w: Float64Array, wAt: number, out: Float64Array, stride: number, sums: Float64Array, tU: number, tL: number, r: number, omr: number, iomr: number): void;
  /** Π p[t]^w[wAt + t] (whole-number w; p < 1e-100 left out) into the running product `acc`; acc[4] = min p[t]. */
  logprod(p: Float64Array, w: Float64Array, wAt: number, len: number, acc: Float64Array): void;
  /** linalg.ts's cholesky into L (the same bits): −1, or the first column whose pivot fails. */
  chol(A: Float64Array, p: number, relTol: number, L: Float64Array): number;
  /** linalg.ts's choleskySolve, in place. */
  cholsolve(L: Float64Array, p: number, b: Float64Array): void;
  /** linalg.ts's choleskyInverse into out. */
  cholinv(L: Float64Array, p: number, out: Float64Array): void;
  /**
   * The ordinal fit's pass over its rows, on arrays from one arena (made once per model) — the steps of
   * the objective's own JavaScript loop over the kernels (evaluateSortedJs) in one call. Absent in the
   * JavaScript backend, where that loop is the pass.
   */
  readonly ordinalPass?: (arrays: OrdinalPassArrays) => { run(derivs: boolean, zeroBeta: boolean): OrdinalPassStatus };
  /** Least squares' pass over its rows: X'Wy and X'WX, or X'W(y − Xβ) with `residuals`. */
  leastSquaresPass(arrays: LeastSquaresPassArrays): { run(residuals: boolean): void };
}

/** Where every arena starts: bytes 0–15 are the backend's own (the wasm backend's exps writes max |x| there). */
export const ARENA_START = 16;

/** Bytes of an arena array of `size`, rounded up to a multiple of 16. */
function arrayBytes(size: number | { readonly int32: number }): number {
  return Math.ceil((typeof size === 'number' ? 8 * size : 4 * size.int32) / 16) * 16;
}

/** The bytes an ArenaSpec's arrays need, from ARENA_START. */
export function arenaBytes(spec: ArenaSpec): number {
  let at = ARENA_START;
  for (const name in spec) at += arrayBytes(spec[name]!);
  return at;
}

/**
 * The arrays of `spec` in `buffer` (at least arenaBytes(spec) long), one after another in the spec's order
 * from ARENA_START, each 16-byte aligned. (A for…in loop, ~1 µs for a fit's 16 arrays — Object.entries and
 * a second pass for the offsets took ~20 µs, 6 % of a small ordinal fit.)
 */
export function arenaViews<S extends ArenaSpec>(spec: S, buffer: ArrayBuffer): Arena<S> {
  const out: Record<string, Float64Array | Int32Array> = {};
  let at = ARENA_START;
  for (const name in spec) {
    const size = spec[name]!;
    out[name] = typeof size === 'number' ? new Float64Array(buffer, at, size) : new Int32Array(buffer, at, size.int32);
    at += arrayBytes(size);
  }
  return out as Arena<S>;
}

/** How many layouts an ArenaLayouts keeps (a mediation replicate asks for three: lm's and the two clm fits'). */
const LAYOUTS = 8;

/**
 * The views of the last layouts laid out in one buffer, handed out again when a spec asks for the same
 * arrays in the same buffer: a bootstrap's fits ask for the same few layouts thousands of times (callers
 * size their per-row arrays by rowCapacity so that they do), and making a fit's 16 views costs more than
 * finding them. A layout is its names and sizes in the spec's order; they are read with Object.keys and
 * Object.values (every caller's spec has its own shape: a for…in loop's keyed reads were megamorphic).
 */
export class ArenaLayouts {
  private readonly names: string[][] = [];
  private readonly sizes: (number | { readonly int32: number })[][] = [];
  private readonly laid: Record<string, Float64Array | Int32Array>[] = [];
  private buffer: ArrayBuffer | undefined;
  private next = 0;

  /** The views an identical spec was given in `buffer` since it was last replaced, or undefined. */
  find<S extends ArenaSpec>(spec: S, buffer: ArrayBuffer): Arena<S> | undefined {
    if (buffer !== this.buffer) return undefined;
    const names = Object.keys(spec);
    const sizes = Object.values(spec);
    for (let e = 0; e < this.laid.length; e++) if (sameLayout(this.names[e]!, this.sizes[e]!, names, sizes)) return this.laid[e] as Arena<S>;
    return undefined;
  }

  /** arenaViews(spec, buffer), kept for find. */
  lay<S extends ArenaSpec>(spec: S, buffer: ArrayBuffer): Arena<S> {
    if (buffer !== this.buffer) {
      this.buffer = buffer;
      this.names.length = 0;
      this.sizes.length = 0;
      this.laid.length = 0;
      this.next = 0;
    }
    const views = arenaViews(spec, buffer);
    const e = this.next;
    this.next = (e + 1) % LAYOUTS;
    this.names[e] = Object.keys(spec);
    this.sizes[e] = Object.values(spec);
    this.laid[e] = views;
    return views;
  }
}

/** Whether two layouts have the same arrays in the same order. */
function sameLayout(names: readonly string[], sizes: readonly (number | { readonly int32: number })[], otherNames: readonly string[], otherSizes: readonly (number | { readonly int32: number })[]): boolean {
  if (names.length !== otherNames.length) return false;
  for (let k = 0; k < names.length; k++) {
    const a = sizes[k]!;
    const b = otherSizes[k]!;
    if (names[k] !== otherNames[k]) return false;
    if (typeof a === 'number' ? a !== b : typeof b === 'number' || a.int32 !== b.int32) return false;
  }
  return true;
}

/**
 * Rows to reserve for a design of n rows: n rounded up to a multiple of 256, so that the resamples of one
 * sample (whose numbers of distinct rows differ by a few) ask for the same arena layout (ArenaLayouts).
 */
export function rowCapacity(n: number): number {
  return Math.ceil(n / 256) * 256;
}
