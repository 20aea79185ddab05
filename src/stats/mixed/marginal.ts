/**
 * Population-averaged probabilities of a mixed logistic model: with a random effect b ~ N(0, s²) on the
 * logit scale (s² = the variance of the random part of the patient's linear predictor: σ₀² for a random
 * intercept; σ₀² + 2ρσ₀σ₁z + σ₁²z² for an intercept and slope of z),
 *
 *   conditional (b = 0):    p_c(η) = plogis(η)
 *   population-averaged:    p_a(η; s) = E_b plogis(η + b) = ∫ plogis(η + s√2 x) e^{−x²}/√π dx
 *
 * by Gauss–Hermite quadrature with 40 nodes (the integrand is smooth and bounded: error far below 1e-10
 * for s < 3), and its inverse η = p_a⁻¹(p; s) by safeguarded Newton on the logit scale. p_a is flatter
 * than p_c (Zeger, Liang & Albert 1988: logit p_a ≈ η / √(1 + 0.346 s²)).
 */
import { plogis, qlogis } from '../distributions.js';
import { gaussHermite } from './gauss-hermite.js';

const NODES = 40;

/** p_a(η; s) and its derivative dp_a/dη. */
export function populationAveraged(eta: number, s: number): { p: number; dp: number } {
  if (s === 0) {
    const p = plogis(eta);
    return { p, dp: p * (1 - p) };
  }
  const { nodes, weights } = gaussHermite(NODES);
  let p = 0;
  let dp = 0;
  const scale = s * Math.SQRT2;
  for (let h = 0; h < NODES; h++) {
    const f = plogis(eta + scale * nodes[h]!);
    p += weights[h]! * f;
    dp += weights[h]! * f * (1 - f);
  }
  const norm = 1 / Math.sqrt(Math.PI);
  return { p: p * norm, dp: dp * norm };
}

/** The η with p_a(η; s) = p (0 < p < 1). */
export function populationAveragedInverse(p: number, s: number): number {
  if (s === 0) return qlogis(p);
  // start: the Zeger–Liang–Albert attenuation; then Newton on η, bisection-safeguarded
  let eta = qlogis(p) * Math.sqrt(1 + 0.346 * s * s);
  let lo = -Infinity;
  let hi = Infinity;
  for (let it = 0; it < 100; it++) {
    const { p: pe, dp } = populationAveraged(eta, s);
    const f = pe - p;
    if (f > 0) hi = Math.min(hi, eta);
    else lo = Math.max(lo, eta);
    if (Math.abs(f) <= 1e-15 * Math.max(p, 1e-300) || dp === 0) break;
    let next = eta - f / dp;
    if (!(next > lo && next < hi)) next = Number.isFinite(lo) && Number.isFinite(hi) ? 0.5 * (lo + hi) : eta - Math.sign(f);
    if (Math.abs(next - eta) <= 1e-14 * Math.max(1, Math.abs(eta))) {
      eta = next;
      break;
    }
    eta = next;
  }
  return eta;
}

/** SD of the random part of the linear predictor for a patient with slope variable z (covariance of (b₀, b₁)). */
export function randomPartSd(covariance: readonly (readonly number[])[], z: number): number {
  if (covariance.length === 1) return Math.sqrt(covariance[0]![0]!);
  const v = covariance[0]![0]! + 2 * covariance[0]![1]! * z + covariance[1]![1]! * z * z;
  return Math.sqrt(Math.max(0, v));
}
