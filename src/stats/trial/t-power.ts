/**
 * Power and sample size of the two-sample t test, as R's `power.t.test(type = "two.sample",
 * alternative = "two.sided", strict = FALSE)`, generalised to unequal arms:
 *
 *   ν = n₁ + n₂ − 2,  ncp = (δ/σ)·√(n₁n₂/(n₁ + n₂)),  power = P[T'_{ν, ncp} > t_{1−α/2, ν}]
 *
 * (for n₁ = n₂ = n: ncp = √(n/2)·δ/σ and ν = 2n − 2, R's formula). As R with strict = FALSE, the
 * probability of rejecting in the wrong direction is not counted. The sample size is the root in the
 * total N of power(N) = target (R solves for n per group with uniroot's tol ≈ 1.2e-4; here Brent to
 * 1e-10, so that N is the exact root, not one 1e-4 off), by Newton steps from Guenther's approximation.
 *
 * Exported API: tTestPower, tTestSize, zTestSize (the normal-approximation formula, for reference).
 */
import { zeroin } from '../brent.js';
import { dnorm, qnorm, qt } from '../distributions.js';
import { pnt } from '../noncentral-t.js';

export interface TwoArmSize {
  /** Total sample size N (real: the root; round up per arm for a design). */
  readonly total: number;
  /** Treated arm: allocation × N. */
  readonly treated: number;
  readonly control: number;
}

/** Power of the two-sided two-sample t test with n₁ treated and n₂ control patients, standardised effect d = δ/σ. */
export function tTestPower(d: number, n1: number, n2: number, alpha: number): number {
  const nu = Math.max(1e-7, n1 + n2 - 2);
  const ncp = Math.abs(d) * Math.sqrt((n1 * n2) / (n1 + n2));
  return pnt(qt(alpha / 2, nu, false), nu, ncp, false);
}

/** Arms of a total N at allocation t (fraction treated). */
export function arms(total: number, allocation: number): TwoArmSize {
  return { total, treated: allocation * total, control: (1 - allocation) * total };
}

/**
 * The total N at which the t test reaches `power` (Brent on N ∈ [4, 1e9], as power.t.test's uniroot on
 * n ∈ [2, 1e7] per group), to `tol` patients. Infinity when d = 0.
 */
export function tTestSize(d: number, power: number, alpha: number, allocation = 0.5, tol = 1e-10): TwoArmSize {
  if (d === 0) return arms(Infinity, allocation);
  const f = (N: number): number => tTestPower(d, allocation * N, (1 - allocation) * N, alpha) - power;
  const smallest = 2 / Math.min(allocation, 1 - allocation); // two patients in the smaller arm
  const largest = 1e9;
  // Guenther (1981): the t test's N is the normal approximation's plus z²_{1−α/2}/2, to within a third of a
  // patient. From there, Newton steps with the normal approximation's slope, dP/dN ≈ φ(ncp − z)·ncp/(2N)
  // (ncp = |d|·√(t(1 − t)N)), converge by a factor ~100 per step: one noncentral-t evaluation to a hundredth
  // of a patient, ~5 to 1e-10 (Brent from a bracket needs 3 and 8). Stops when a step is below tol.
  const za = qnorm(1 - alpha / 2);
  const share = allocation * (1 - allocation);
  let N = zTestSize(d, power, alpha, allocation).total + (za * za) / 2;
  for (let iter = 0; iter < 50 && N >= smallest && N <= largest; iter++) {
    const ncp = Math.abs(d) * Math.sqrt(share * N);
    const slope = (dnorm(ncp - za) * ncp) / (2 * N);
    const step = f(N) / slope;
    if (!Number.isFinite(step)) break;
    N -= step;
    if (Math.abs(step) <= tol) return arms(N, allocation);
  }
  return bracketedSize(f, smallest, largest, allocation, tol);
}

/** The root of f in [smallest, largest] by Brent, from the ends (where the Newton steps of tTestSize cannot go: tiny or vast N). */
function bracketedSize(f: (N: number) => number, smallest: number, largest: number, allocation: number, tol: number): TwoArmSize {
  const fLo = f(smallest);
  if (fLo >= 0) return arms(smallest, allocation);
  const fHi = f(largest);
  if (fHi < 0) return arms(Infinity, allocation);
  return arms(zeroin(f, smallest, largest, { tol, fLower: fLo, fUpper: fHi, maxiter: 10000 }).root, allocation);
}

/** The normal-approximation total N = (z_{1−α/2} + z_{power})² σ²/δ² · (1/t + 1/(1 − t)). */
export function zTestSize(d: number, power: number, alpha: number, allocation = 0.5): TwoArmSize {
  const z = qnorm(1 - alpha / 2) + qnorm(power);
  return arms(((z * z) / (d * d)) * (1 / allocation + 1 / (1 - allocation)), allocation);
}
