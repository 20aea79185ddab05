/**
 * The mean and standard deviation of a sample, written once, as R computes them:
 *
 *   mean(x)   → x̄
 *   meanSd(x) → { mean, variance, sd }
 *
 * - mean: R's mean.default — the sum over n, then, when finite, refined by a second pass that adds the mean
 *   residual Σ (x − x̄)/n (R accumulates in long double and refines the same way; the second pass recovers
 *   most of what a double sum loses);
 * - variance and sd: R's var and sd — the two-pass Σ (x − x̄)²/(n − 1) about that mean, and its square root;
 *   NaN when n < 2.
 * Every value given is used (a NaN makes both NaN): callers choose which values count (non-missing,
 * finite), and gather a subset of rows into an array of its own first. An empty sample has mean NaN.
 */
export function mean(x: ArrayLike<number>): number {
  const n = x.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i]!;
  let m = sum / n;
  if (Number.isFinite(m)) {
    let residual = 0;
    for (let i = 0; i < n; i++) residual += x[i]! - m;
    m += residual / n;
  }
  return m;
}

export function meanSd(x: ArrayLike<number>): { mean: number; variance: number; sd: number } {
  const n = x.length;
  const m = mean(x);
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i]! - m) * (x[i]! - m);
  const variance = n < 2 ? NaN : ss / (n - 1);
  return { mean: m, variance, sd: Math.sqrt(variance) };
}
