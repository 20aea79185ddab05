/**
 * The volume endpoint on the scale a t test analyses it: log (v + offset), cube root, or raw mL. For
 * reference (control) volumes c and an effect h (effect.ts), the standardised difference the t test
 * sees is d = δ/σ with
 *
 *   δ = mean g(c) − mean g(h(c)),   σ² = (var g(c) + var g(h(c)))/2   (the average of the arms' variances).
 *
 * For a ratio r this is the textbook design: log: δ = −log r, σ = SD(log c) (the geometric-mean ratio of
 * EPITHET); cube root: δ = (1 − r^{1/3})·mean(c^{1/3}), σ² = var(c^{1/3})(1 + r^{2/3})/2 (ESCAPE-NA1,
 * HERMES); raw: δ = (1 − r)·mean(c), σ² = var(c)(1 + r²)/2 (PROOF's mean difference in mL).
 *
 * Exported API: Scale, SCALES, transform, scaleMoments, scaleEffect, scaleEffectFrom, geometricMean.
 */
import { mean, meanSd } from '../moments.js';

export type Scale = 'log' | 'cbrt' | 'raw';
export const SCALES: readonly Scale[] = ['log', 'cbrt', 'raw'];

/** g(v) on a scale (log takes v + offset). */
export function transform(scale: Scale, v: number, logOffset = 0): number {
  switch (scale) {
    case 'log':
      return Math.log(v + logOffset);
    case 'cbrt':
      return Math.cbrt(v);
    case 'raw':
      return v;
  }
}

/** Mean and variance (denominator n − 1) of g(values): moments.ts's, as R's mean and var. */
export function scaleMoments(scale: Scale, values: Float64Array, logOffset = 0): { mean: number; variance: number } {
  const { mean, variance } = meanSd(values.map((v) => transform(scale, v, logOffset)));
  return { mean, variance };
}

export interface ScaleEffect {
  readonly scale: Scale;
  /** mean g(c) − mean g(h(c)): positive when the treatment shrinks volumes. */
  readonly delta: number;
  /** √((var g(c) + var g(h(c)))/2). */
  readonly sd: number;
  /** δ/σ. */
  readonly standardised: number;
  readonly controlMean: number;
  readonly treatedMean: number;
}

/** δ, σ and d on a scale, for control volumes and their treated counterparts h(c). */
export function scaleEffect(scale: Scale, control: Float64Array, treated: Float64Array, logOffset = 0): ScaleEffect {
  return scaleEffectFrom(scaleMoments(scale, control, logOffset), scale, treated, logOffset);
}

/** scaleEffect with the control arm's moments already computed (several effects, one reference arm). */
export function scaleEffectFrom(c: { mean: number; variance: number }, scale: Scale, treated: Float64Array, logOffset = 0): ScaleEffect {
  const t = scaleMoments(scale, treated, logOffset);
  const delta = c.mean - t.mean;
  const sd = Math.sqrt((c.variance + t.variance) / 2);
  return { scale, delta, sd, standardised: delta / sd, controlMean: c.mean, treatedMean: t.mean };
}

/** exp(mean log v): the geometric mean (mL). */
export function geometricMean(values: Float64Array): number {
  return Math.exp(mean(values.map(Math.log)));
}
