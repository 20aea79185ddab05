/**
 * Gathering the rows an imputation model is fitted on into contiguous, centred columns, and their
 * cross-products. Centring changes only the intercept's parametrisation (ŷ = ȳ + (x − x̄)ᵀb is the
 * same model as ŷ = a + xᵀb), keeps the normal equations well conditioned for columns such as onset
 * time in minutes, and lets `remove.lindep` read variances and correlations off the same matrix.
 */
import { weightedCrossprod } from '../linalg.js';
import { mean } from '../moments.js';

/** Columns x_c[rows[i]] − mean_c, column-major: value (i, c) at x[c * n + i]. */
export interface Gathered {
  readonly n: number;
  readonly p: number;
  readonly x: Float64Array;
  readonly means: Float64Array;
}

/** `buffer`, when given and large enough, is reused for the values (no allocation in the sampler's loop). */
export function gatherCentered(cols: readonly Float64Array[], rows: Int32Array, buffer?: Float64Array): Gathered {
  const n = rows.length;
  const p = cols.length;
  const x = buffer !== undefined && buffer.length >= n * p ? buffer.subarray(0, n * p) : new Float64Array(n * p);
  const means = new Float64Array(p);
  for (let c = 0; c < p; c++) means[c] = gatherColumn(cols[c]!, rows, x, c * n);
  return { n, p, x, means };
}

/**
 * src[rows[i]] − their mean (moments.ts's) into x[off + i]; returns the mean. (A function of its own: called
 * once per column, it is optimized whole after a few calls, where the loop inlined in gatherCentered was
 * compiled on the stack in its first call and thrown away on reaching the centring — four times per worker.)
 */
function gatherColumn(src: Float64Array, rows: Int32Array, x: Float64Array, off: number): number {
  const n = rows.length;
  const col = x.subarray(off, off + n);
  for (let i = 0; i < n; i++) col[i] = src[rows[i]!]!;
  const m = n > 0 ? mean(col) : 0;
  for (let i = 0; i < n; i++) col[i]! -= m;
  return m;
}

/** XᵀX of a column-major n×p block (p×p result), by the blocked cross-product of src/stats/linalg.ts. */
export function crossprod(g: Gathered): Float64Array {
  return weightedCrossprod(g.x, g.n, g.p, undefined, new Float64Array(g.p * g.p));
}

/** Xᵀv for a column-major n×p block. */
export function crossprodVector(g: Gathered, v: Float64Array): Float64Array {
  const { n, p, x } = g;
  const out = new Float64Array(p);
  for (let c = 0; c < p; c++) {
    const o = c * n;
    let t = 0;
    for (let i = 0; i < n; i++) t += x[o + i]! * v[i]!;
    out[c] = t;
  }
  return out;
}

/** The columns `keep` of a gathered block, as a new block (no copy when all are kept). */
export function selectColumns(g: Gathered, keep: readonly number[]): Gathered {
  if (keep.length === g.p) return g;
  const x = new Float64Array(g.n * keep.length);
  const means = new Float64Array(keep.length);
  keep.forEach((c, j) => {
    x.set(g.x.subarray(c * g.n, (c + 1) * g.n), j * g.n);
    means[j] = g.means[c]!;
  });
  return { n: g.n, p: keep.length, x, means };
}
