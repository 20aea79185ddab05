/**
 * Binary search in a sorted array, written once:
 *
 *   lowerBound(sorted, value, lo?, hi?) → the first index i in [lo, hi) with sorted[i] ≥ value (hi if none)
 *
 * `sorted` must be non-decreasing on [lo, hi). Used where a hot loop looks values up in a sorted array (mice's
 * pmm donors, ranks among distinct values, a category's rows in the ordinal fit's sorted outcome).
 */
export function lowerBound(sorted: ArrayLike<number>, value: number, lo = 0, hi = sorted.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
