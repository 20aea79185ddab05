/**
 * Population-averaged probabilities of a mixed logistic model: with a random effect b ~ N(0, s²) on the
 * logit scale (s² = the variance of the random part of the patient's linear predictor: σ₀² for a random
 * intercept; σ₀² + 2ρσ₀σ₁z + σ₁²z² for an intercept and slope of z),
 *
 *   conditional (b = 0):    p_c(η) = plogis(η)
 *   population-averaged:    p_a(η; s) = E_b plogis(η + b) = ∫ plogis(η + s√2 x) e^{−x²}/√π dx
 *
 * by Gauss–Hermite quadrature (40 nodes, 100 for s > 1: error below 1e-10 for s ≤ 2.5, tested against
 * the integral), and its inverse η = p_a⁻¹(p; s) by Newton on the logit scale. p_a is flatter than p_c
 * (Zeger, Liang & Albert 1988: logit p_a ≈ η / √(1 + 0.346 s²)).
 */
import { plogis, qlogis } from '../distributions.js';
import { gaussHermite } from './gauss-hermite.js';

/** Nodes: 40 for s ≤ 1, 100 above (the integrand's poles at η + s z = ±iπ come closer to the real line as s grows). */
function nodesFor(s: number): number {
  return s <= 1 ? 40 : 100;
}

/** p_a(η; s) and its derivative dp_a/dη. */
export function populationAveraged(eta: number, s: number): { p: number; dp: number } {
  if (s === 0) {
    const p = plogis(eta);
    return { p, dp: p * (1 - p) };
  }
  const k = nodesFor(s);
  const { nodes, weights } = gaussHermite(k);
  let p = 0;
  let dp = 0;
  const scale = s * Math.SQRT2;
  for (let h = 0; h < k; h++) {
    const f = plogis(eta + scale * nodes[h]!);
    p += weights[h]! * f;
    dp += weights[h]! * f * (1 - f);
  }
  const norm = 1 / Math.sqrt(Math.PI);
  return { p: p * norm, dp: dp * norm };
}

/**
 * The η with p_a(η; s) = p (0 < p < 1), by Newton on the logit scale — logit p_a(η) = log p_a(η) −
 * log p_a(−η) (1 − p_a(η) = p_a(−η) by symmetry, exact in both tails) is nearly linear in η, with slope
 * ≈ 1/√(1 + 0.346 s²) (Zeger, Liang & Albert 1988), which is also the start.
 */
export function populationAveragedInverse(p: number, s: number): number {
  if (s === 0) return qlogis(p);
  const target = qlogis(p);
  let eta = target * Math.sqrt(1 + 0.346 * s * s);
  for (let it = 0; it < 100; it++) {
    const up = populationAveraged(eta, s);
    const down = populationAveraged(-eta, s);
    const g = Math.log(up.p) - Math.log(down.p) - target;
    // d/dη [log p_a(η) − log p_a(−η)] = p_a'(η)/p_a(η) + p_a'(−η)/p_a(−η)
    const slope = up.dp / up.p + down.dp / down.p;
    const step = g / slope;
    eta -= step;
    if (!(Math.abs(step) > 1e-13 * Math.max(1, Math.abs(eta)))) break;
  }
  return eta;
}

/** SD of the random part of the linear predictor for a patient with slope variable z (covariance of (b₀, b₁)). */
export function randomPartSd(covariance: readonly (readonly number[])[], z: number): number {
  if (covariance.length === 1) return Math.sqrt(covariance[0]![0]!);
  const v = covariance[0]![0]! + 2 * covariance[0]![1]! * z + covariance[1]![1]! * z * z;
  return Math.sqrt(Math.max(0, v));
}
