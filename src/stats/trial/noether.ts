/**
 * The Wilcoxon–Mann–Whitney test's sample size by Noether's formula (JASA 1987;82:645):
 *
 *   N = (z_{1−α/2} + z_{1−β})² / (12·t(1 − t)·(p − ½)²),   power(N) = Φ(√(12·t(1 − t)·N)·|p − ½| − z_{1−α/2}),
 *
 * with p = P(V_T < V_C) + ½·P(V_T = V_C) (the probability that a treated patient's volume is smaller)
 * and t the fraction treated. p is estimated from the reference volumes c₁ … c_m as the treated arm
 * would be h(c) (effect.ts):
 *
 *   p̂ = m⁻² Σ_i Σ_j [1{h(c_i) < c_j} + ½·1{h(c_i) = c_j}]
 *
 * computed by sorting (O(m log m)) in exact integer counts; h(c_i) is the IEEE product or difference, so
 * ties are those R's `outer(h, c, "<")` sees.
 *
 * Exported API: probabilitySmaller, noetherSize, noetherPower.
 */
import { pnorm, qnorm } from '../distributions.js';
import { arms, type TwoArmSize } from './t-power.js';

/**
 * Σ_i Σ_j [1{a_i < b_j} + ½·1{a_i = b_j}] / (|a|·|b|): P(A < B) + ½P(A = B) over the two samples.
 * `sorted`: both are already in ascending order (a monotone effect keeps the reference's order).
 */
export function probabilitySmaller(a: Float64Array, b: Float64Array, sorted = false): number {
  const as = sorted ? a : Float64Array.from(a).sort();
  const bs = sorted ? b : Float64Array.from(b).sort();
  // twice the count, as an integer: 2·#{a < b} + #{a = b}
  let twice = 0;
  let j = 0; // bs[0 … j) < current a
  let k = 0; // bs[0 … k) ≤ current a
  for (let i = 0; i < as.length; i++) {
    const x = as[i]!;
    while (j < bs.length && bs[j]! < x) j++;
    if (k < j) k = j;
    while (k < bs.length && bs[k]! <= x) k++;
    // b's greater than x: bs.length − k; equal: k − j
    twice += 2 * (bs.length - k) + (k - j);
  }
  return twice / 2 / as.length / bs.length;
}

/** Noether's total N for P(V_T < V_C) + ½P(=) = p. Infinity when p = ½. */
export function noetherSize(p: number, power: number, alpha: number, allocation = 0.5): TwoArmSize {
  const z = qnorm(1 - alpha / 2) + qnorm(power);
  const d = p - 0.5;
  return arms((z * z) / (12 * allocation * (1 - allocation) * d * d), allocation);
}

/** Noether's power at total N. */
export function noetherPower(p: number, total: number, alpha: number, allocation = 0.5): number {
  return pnorm(Math.sqrt(12 * allocation * (1 - allocation) * total) * Math.abs(p - 0.5) - qnorm(1 - alpha / 2));
}
