/**
 * Baseline covariates shared by both cohorts. Each patient's values are drawn in row order, each
 * variable from its own stream, so changing how one variable is drawn leaves every other column intact.
 * The equations are written out, with the reasons for each value, in docs/synthetic-cohort.md §2.
 */
import type { Rng } from '../rng.js';
import { bernoulli, binomial, categorical, clamp, normal } from './draw.js';
import { plogis } from '../distributions.js';

/** Occlusion sites in factor-level order: M1 is the reference (the commonest site). */
export const OCCLUSION_LEVELS = ['M1', 'ICA', 'M2'] as const;

export interface BaselineParams {
  /** age = round(95 − X), log X ~ N(ageLogMean, ageLogSd), redrawn while age < 18 (left-skewed, bounded by 95). */
  readonly ageLogMean: number;
  readonly ageLogSd: number;
  readonly pFemale: number;
  /** P(M1), P(ICA), P(M2). */
  readonly pOcclusion: readonly [number, number, number];
  /** nihss = clamp(round(N(nihssMean + shift[site], nihssSd)), 2, 40). */
  readonly nihssMean: number;
  readonly nihssSd: number;
  readonly nihssOcclusionShift: readonly [number, number, number];
  /**
   * ASPECTS = 10 − Binomial(10, π), logit π = aspectsLossLogit + aspectsLossNihss·(nihss − 17) + N(0, aspectsLossSd):
   * an over-dispersed count of affected regions, more of them with a more severe deficit.
   */
  readonly aspectsLossLogit: number;
  readonly aspectsLossNihss: number;
  readonly aspectsLossSd: number;
  /** onset_to_rand_min = clamp(round(exp(N(onsetLogMean, onsetLogSd))), 30, 720). */
  readonly onsetLogMean: number;
  readonly onsetLogSd: number;
}

export interface Baseline {
  readonly age: Float64Array;
  readonly sexFemale: Float64Array;
  /** Index into OCCLUSION_LEVELS. */
  readonly occlusion: Int32Array;
  readonly nihss: Float64Array;
  readonly aspects: Float64Array;
  readonly onset: Float64Array;
}

/** The independent streams of the baseline block (ids below 100; cohort-specific streams use 100+). */
export type BaselineStreams = (name: 'age' | 'sex' | 'occlusion' | 'nihss' | 'aspects' | 'onset') => Rng;

export function drawBaseline(n: number, p: BaselineParams, stream: BaselineStreams): Baseline {
  const age = new Float64Array(n);
  const sexFemale = new Float64Array(n);
  const occlusion = new Int32Array(n);
  const nihss = new Float64Array(n);
  const aspects = new Float64Array(n);
  const onset = new Float64Array(n);
  const rAge = stream('age');
  const rSex = stream('sex');
  const rOcc = stream('occlusion');
  const rNihss = stream('nihss');
  const rAspects = stream('aspects');
  const rOnset = stream('onset');
  for (let i = 0; i < n; i++) {
    let a: number;
    do a = Math.round(95 - Math.exp(normal(rAge, p.ageLogMean, p.ageLogSd)));
    while (a < 18);
    age[i] = a;
    sexFemale[i] = bernoulli(rSex, p.pFemale);
    const site = categorical(rOcc, p.pOcclusion);
    occlusion[i] = site;
    const s = clamp(Math.round(normal(rNihss, p.nihssMean + p.nihssOcclusionShift[site]!, p.nihssSd)), 2, 40);
    nihss[i] = s;
    const lossProb = plogis(p.aspectsLossLogit + p.aspectsLossNihss * (s - 17) + normal(rAspects, 0, p.aspectsLossSd));
    aspects[i] = 10 - binomial(rAspects, 10, lossProb);
    onset[i] = clamp(Math.round(Math.exp(normal(rOnset, p.onsetLogMean, p.onsetLogSd))), 30, 720);
  }
  return { age, sexFemale, occlusion, nihss, aspects, onset };
}
