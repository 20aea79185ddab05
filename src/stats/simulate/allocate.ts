/**
 * Fixed-count allocation: the trial sizes, the arms within each trial and other counts the published
 * cohorts report exactly (821 EVT / 844 control; ESCAPE's 254 MRI / 60 CT) are allocated, not drawn.
 */
import type { Rng } from '../rng.js';

/**
 * Largest-remainder (Hamilton) apportionment of `total` into parts proportional to `weights`:
 * floor(total·w_k / Σw) each, then one more to the largest remainders (ties: the earlier part).
 */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const quotas = weights.map((w) => (total * w) / sum);
  const counts = quotas.map((q) => Math.floor(q));
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = quotas.map((q, k) => ({ k, rem: q - Math.floor(q) })).sort((a, b) => b.rem - a.rem || a.k - b.k);
  for (const { k } of order) {
    if (left <= 0) break;
    counts[k]!++;
    left--;
  }
  return counts;
}

/**
 * A vector of `n` labels holding exactly counts[k] copies of label k, in a random order (Fisher–Yates);
 * any rest (n − Σ counts) is −1 (e.g. an unknown scan modality).
 */
export function shuffledLabels(rng: Rng, n: number, counts: readonly number[]): Int32Array {
  const labels = new Int32Array(n).fill(-1);
  let i = 0;
  counts.forEach((c, k) => {
    for (let j = 0; j < c; j++) labels[i++] = k;
  });
  return rng.shuffle(labels);
}
