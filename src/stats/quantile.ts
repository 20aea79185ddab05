/**
 * Sample quantiles and the summary statistics of a "Table 1".
 *
 *   quantile7(sorted, p)  R's quantile(x, p, type = 7) of an ascending array without missing values
 *   sortedFinite(values)  the non-missing values, ascending
 *   distinctRanks(values) each value's rank among the sorted distinct values (codes), and those values
 *   summarise(values)     n, missing, mean, sd, median, q1, q3, min, max (missing = NaN, skipped)
 */
import { lowerBound } from './bisect.js';
import { meanSd } from './moments.js';

/**
 * R's type-7 quantile (the default of `quantile`): with index = 1 + (n − 1)p, lo = ⌊index⌋ and
 * hi = ⌈index⌉ (1-based), h = index − lo, Q(p) = (1 − h) x[lo] + h x[hi], the interpolation skipped
 * when x[hi] == x[lo] (so equal neighbours return exactly that value, as R's quantile.default).
 * The index is formed 1-based, as R does: h taken from (n − 1)p instead differs in its last bits.
 * NaN for an empty array.
 */
export function quantile7(sorted: Float64Array, p: number): number {
  const n = sorted.length;
  if (n === 0 || Number.isNaN(p)) return NaN;
  if (p < 0 || p > 1) throw new RangeError(`quantile probability ${p} is outside [0, 1]`);
  const index = 1 + (n - 1) * p;
  const lo = Math.floor(index);
  const hi = Math.ceil(index);
  const qlo = sorted[lo - 1]!;
  const qhi = sorted[hi - 1]!;
  if (!(index > lo) || qhi === qlo) return qlo;
  const h = index - lo;
  return (1 - h) * qlo + h * qhi;
}

/**
 * The sorted distinct values of `values` (no NaN; −0 and 0 are one value) and each value's code, its
 * 0-based rank among them: by a sort and a binary search per value, never by hashing.
 */
export function distinctRanks(values: Float64Array): { codes: Int32Array; distinct: Float64Array } {
  const sorted = Float64Array.from(values).sort();
  let k = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[k - 1]) sorted[k++] = sorted[i]!;
  const distinct = sorted.subarray(0, k);
  const codes = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    codes[i] = lowerBound(distinct, values[i]!);
  }
  return { codes, distinct };
}

/** The non-missing (non-NaN) values in ascending order. */
export function sortedFinite(values: ArrayLike<number>): Float64Array {
  let m = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) m++;
  const out = new Float64Array(m);
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (!Number.isNaN(x)) out[k++] = x;
  }
  return out.sort();
}

export interface Summary {
  /** Number of non-missing values. */
  readonly n: number;
  readonly missing: number;
  readonly mean: number;
  /** Sample standard deviation (denominator n − 1), as R's sd; NaN when n < 2. */
  readonly sd: number;
  readonly median: number;
  /** First and third quartiles, type 7 (R's quantile and summary). */
  readonly q1: number;
  readonly q3: number;
  readonly min: number;
  readonly max: number;
}

/** Summary statistics of the non-missing values; the mean and SD as R's mean and sd (moments.ts). */
export function summarise(values: ArrayLike<number>): Summary {
  const x = sortedFinite(values);
  const n = x.length;
  const missing = values.length - n;
  if (n === 0) return { n, missing, mean: NaN, sd: NaN, median: NaN, q1: NaN, q3: NaN, min: NaN, max: NaN };
  const { mean, sd } = meanSd(x);
  return {
    n,
    missing,
    mean,
    sd,
    median: quantile7(x, 0.5),
    q1: quantile7(x, 0.25),
    q3: quantile7(x, 0.75),
    min: x[0]!,
    max: x[n - 1]!,
  };
}
