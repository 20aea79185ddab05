/**
 * The closed-form designs of a volume trial for one effect, from the reference volumes: per test the
 * standardised effect it sees and the total N for each target power —
 *
 *   log_t, cbrt_t, raw_t: power.t.test's noncentral t on the scale (volume-scales.ts: δ, σ);
 *   wilcoxon: Noether's formula with the empirical P(h(C) < C) + ½P(=) (noether.ts);
 *
 * and the power each test has at a given N. Used for the step's design table and, on resampled
 * reference arms, inside the chain bootstrap.
 *
 * Exported API: VolumeTest, VOLUME_TESTS, TEST_SCALE, VolumeSettings, prepareReference, volumeDesign, VolumeDesign.
 */
import { applyEffect, type VolumeEffect } from './effect.js';
import { noetherPower, noetherSize, probabilitySmaller } from './noether.js';
import { tTestPower, tTestSize, type TwoArmSize } from './t-power.js';
import { scaleEffectFrom, scaleMoments, type Scale, type ScaleEffect } from './volume-scales.js';

export const VOLUME_TESTS = ['log_t', 'cbrt_t', 'raw_t', 'wilcoxon'] as const;
export type VolumeTest = (typeof VOLUME_TESTS)[number];

export const TEST_SCALE: Readonly<Record<Exclude<VolumeTest, 'wilcoxon'>, Scale>> = { log_t: 'log', cbrt_t: 'cbrt', raw_t: 'raw' };

export interface VolumeSettings {
  readonly tests: readonly VolumeTest[];
  readonly alpha: number;
  readonly powers: readonly number[];
  /** Fraction treated. */
  readonly allocation: number;
  readonly logOffset: number;
  /** The lowest volume an absolute reduction reaches. */
  readonly floor: number;
  /** Root tolerance of the t tests' N, in patients (default 1e-10: the exact root; the bootstrap's replicates use 0.01). */
  readonly tolerance?: number;
}

export interface VolumeDesign {
  /** Reference volumes floored by the effect (absolute effects). */
  readonly floored: number;
  /** Per t test, its scale's δ and σ. */
  readonly scales: Partial<Record<Exclude<VolumeTest, 'wilcoxon'>, ScaleEffect>>;
  /** P(V_T < V_C) + ½P(V_T = V_C) (present with the wilcoxon test). */
  readonly pSmaller: number | undefined;
  /** sizes[test][k]: the total N for powers[k]. */
  readonly sizes: Partial<Record<VolumeTest, TwoArmSize[]>>;
  /** The power of a test with n₁ treated and n₂ control patients. */
  power(test: VolumeTest, treated: number, control: number): number;
}

/** What every effect's design reads from the reference arm: its volumes sorted, and their moments on each t test's scale. */
export interface PreparedReference {
  readonly sorted: Float64Array;
  readonly moments: Partial<Record<Exclude<VolumeTest, 'wilcoxon'>, { mean: number; variance: number }>>;
}

export function prepareReference(reference: Float64Array, s: VolumeSettings): PreparedReference {
  const moments: PreparedReference['moments'] = {};
  for (const test of s.tests) if (test !== 'wilcoxon') moments[test] = scaleMoments(TEST_SCALE[test], reference, test === 'log_t' ? s.logOffset : 0);
  return { sorted: Float64Array.from(reference).sort(), moments };
}

/**
 * The designs for one effect. The treated arm is h of the sorted reference: h is monotone, so it stays
 * sorted (Noether's P needs no other sort) and the moments are those of h(c) in any order.
 */
export function volumeDesign(reference: Float64Array, effect: VolumeEffect, s: VolumeSettings, prepared = prepareReference(reference, s)): VolumeDesign {
  const { volumes: treated, floored } = applyEffect(effect, prepared.sorted, s.floor);
  const scales: Partial<Record<Exclude<VolumeTest, 'wilcoxon'>, ScaleEffect>> = {};
  const sizes: Partial<Record<VolumeTest, TwoArmSize[]>> = {};
  let pSmaller: number | undefined;
  for (const test of s.tests) {
    if (test === 'wilcoxon') {
      const p = probabilitySmaller(treated, prepared.sorted, true);
      pSmaller = p;
      sizes[test] = s.powers.map((pw) => noetherSize(p, pw, s.alpha, s.allocation));
    } else {
      const se = scaleEffectFrom(prepared.moments[test]!, TEST_SCALE[test], treated, test === 'log_t' ? s.logOffset : 0);
      scales[test] = se;
      sizes[test] = s.powers.map((pw) => tTestSize(se.standardised, pw, s.alpha, s.allocation, s.tolerance));
    }
  }
  return {
    floored,
    scales,
    pSmaller,
    sizes,
    power(test, n1, n2) {
      if (test === 'wilcoxon') return noetherPower(pSmaller!, n1 + n2, s.alpha, n1 / (n1 + n2));
      return tTestPower(scales[test]!.standardised, n1, n2, s.alpha);
    },
  };
}
