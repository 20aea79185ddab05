/**
 * Power and sample size for comparing two proportions, as R's `power.prop.test(alternative =
 * "two.sided", strict = FALSE)` (normal approximation with the pooled variance under H₀), generalised
 * to unequal arms (Fleiss, Levin & Paik 2003, §4.2, without continuity correction):
 *
 *   power = Φ( (|p₁ − p₂| − z_{1−α/2}·√(p̄q̄(1/n₁ + 1/n₂))) / √(p₁q₁/n₁ + p₂q₂/n₂) ),  p̄ = (n₁p₁ + n₂p₂)/(n₁ + n₂).
 *
 * With n₁ = n₂ = n this is R's pnorm((√n|p₁ − p₂| − z·√((p₁ + p₂)(1 − (p₁ + p₂)/2)))/√(p₁q₁ + p₂q₂)).
 * The size is the root in the total N (Brent to 1e-10; R's uniroot stops at ≈1.2e-4 per group).
 *
 * Exported API: propTestPower, propTestSize.
 */
import { zeroin } from '../brent.js';
import { pnorm, qnorm } from '../distributions.js';
import { arms, type TwoArmSize } from './t-power.js';

/** Power with n1 patients at proportion p1 and n2 at p2. */
export function propTestPower(p1: number, p2: number, n1: number, n2: number, alpha: number): number {
  const z = qnorm(alpha / 2, false);
  const pbar = (n1 * p1 + n2 * p2) / (n1 + n2);
  const null_ = Math.sqrt(pbar * (1 - pbar) * (1 / n1 + 1 / n2));
  const alt = Math.sqrt((p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2);
  return pnorm((Math.abs(p1 - p2) - z * null_) / alt);
}

/** Total N for `power` when the treated arm has p1 and the control arm p2 (allocation = fraction treated). */
export function propTestSize(p1: number, p2: number, power: number, alpha: number, allocation = 0.5): TwoArmSize {
  if (p1 === p2) return arms(Infinity, allocation);
  const f = (N: number): number => propTestPower(p1, p2, allocation * N, (1 - allocation) * N, alpha) - power;
  const lo = 1 / Math.min(allocation, 1 - allocation);
  const fLo = f(lo);
  if (fLo >= 0) return arms(lo, allocation);
  const hi = 1e10;
  const fHi = f(hi);
  if (fHi < 0) return arms(Infinity, allocation);
  return arms(zeroin(f, lo, hi, { tol: 1e-10, fLower: fLo, fUpper: fHi, maxiter: 10000 }).root, allocation);
}
