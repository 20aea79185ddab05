/**
 * The mean and standard deviation of a sample, written once, as R computes them:
 *
 *   meanSd(x) → { mean, sd }
 *
 * - mean: R's mean.default — the sum over n, then, when finite, refined by a second pass that adds the mean
 *   residual Σ (x − x̄)/n (R accumulates in long double and refines the same way; the second pass recovers
 *   most of what a double sum loses);
 * - sd: R's sd (var) — the two-pass √(Σ (x − x̄)²/(n − 1)) about that mean; NaN when n < 2.
 * Every value given is used (a NaN makes both NaN): callers choose which values count (non-missing,
 * finite).
 */
export function meanSd(x: ArrayLike<number>): { mean: number; sd: number } {
  const n = x.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i]!;
  let mean = sum / n;
  if (Number.isFinite(mean)) {
    let residual = 0;
    for (let i = 0; i < n; i++) residual += x[i]! - mean;
    mean += residual / n;
  }
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i]! - mean) * (x[i]! - mean);
  return { mean, sd: n < 2 ? NaN : Math.sqrt(ss / (n - 1)) };
}
