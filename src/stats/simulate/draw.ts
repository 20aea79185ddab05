/**
 * Draws from the distributions the synthetic cohorts are built of, each from a given `Rng` stream.
 * Every function uses a fixed number of uniforms per call (except the explicitly rejective ones), so a
 * stream stays aligned across patients and the cohort is a pure function of (seed, n, parameters).
 */
import { qlogis, plogis } from '../distributions.js';
import type { Rng } from '../rng.js';

/** 1 with probability p, else 0 (one uniform). */
export function bernoulli(rng: Rng, p: number): number {
  return rng.uniform() < p ? 1 : 0;
}

/** Index k with probability probs[k] / Σ probs (one uniform, inversion of the cumulative sums). */
export function categorical(rng: Rng, probs: readonly number[]): number {
  let total = 0;
  for (const p of probs) total += p;
  const u = rng.uniform() * total;
  let cum = 0;
  for (let k = 0; k < probs.length - 1; k++) {
    cum += probs[k]!;
    if (u < cum) return k;
  }
  return probs.length - 1;
}

/** Binomial(size, p) as a sum of `size` Bernoulli draws (size is small here: ASPECTS regions). */
export function binomial(rng: Rng, size: number, p: number): number {
  let k = 0;
  for (let j = 0; j < size; j++) k += bernoulli(rng, p);
  return k;
}

/** Normal(mean, sd) (one uniform, by inversion). */
export function normal(rng: Rng, mean: number, sd: number): number {
  return mean + sd * rng.normal();
}

/** Standard logistic variate qlogis(U) (one uniform): the error of a proportional-odds latent scale. */
export function logistic(rng: Rng): number {
  return qlogis(rng.uniform());
}

/** True with probability plogis(logit): a missingness indicator of a logistic MAR model. */
export function missingWith(rng: Rng, logit: number): boolean {
  return rng.uniform() < plogis(logit);
}

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/**
 * x rounded to `digits` decimals, half away from zero like R's round() for the values used here.
 * Dividing an integer by a power of ten gives the double nearest the decimal, so it prints as written.
 */
export function roundTo(x: number, digits: number): number {
  const f = 10 ** digits;
  const r = Math.sign(x) * Math.round(Math.abs(x) * f);
  return r / f + 0; // + 0 turns -0 into 0
}

/**
 * The ordinal outcome of a cumulative-logit latent model: with latent y* = η + ε, ε ~ logistic,
 * Y = #{j : θ_j < y*}, so that P(Y ≤ j) = plogis(θ_j − η) (R's clm / polr parametrisation).
 */
export function ordinalFromLatent(latent: number, thresholds: ArrayLike<number>): number {
  let y = 0;
  for (let j = 0; j < thresholds.length; j++) if (latent > thresholds[j]!) y++;
  return y;
}
