/**
 * The HERMES-like pooled cohort: seven EVT trials, 1 665 patients by default. The data-generating
 * process, with the reason for every value, is docs/synthetic-cohort.md §3; scripts/calibrate/ holds
 * the R prototype (dgp-hermes.R) the values were tuned with and the checks of the generated files.
 *
 *   trial, arm       fixed counts (largest remainder): trial sizes ∝ the published ones, 821/1665 EVT
 *   baseline         see baseline.ts; ivt ~ Bernoulli(pIvt[trial]); modality MRI ~ Bernoulli(pMri[trial])
 *   reperfusion R    ~ Bernoulli(pRecanEvt) under EVT, Bernoulli(pRecanControl) under control (latent)
 *   volume           Z = volIntercept + volRecan·R + volNihss·(nihss−17) + volAspects·(aspects−9)
 *                        + volOcclusion[site] + volOnset·(onset−190)/60 + volIvt·ivt + N(0, volSd²)
 *                    fiv_ml = round(volMax · plogis(Z), 1)          (logit-normal, bounded by volMax)
 *   trial effects    u_k = trialOutcomeSd·outcomeScore[k] (baseline risk, latent scale, + = worse),
 *                    v_k = trialEvtSd·evtScore[k] (EVT log cOR); scores fixed per trial, mean 0, RMS 1
 *   mRS at 90 days   η = outVolume·fiv^(1/3) − (outEvt + v_k)·evt + outAge·(age−68)/10 + outNihss·(nihss−17)
 *                        + outAspects·(aspects−9) + outOcclusion[site] + outIvt·ivt
 *                        + outOnset·(onset−190)/60 + outFemale·sex_female + u_k
 *                    θ_j(fiv) = θ_j − [j = 2]·outVolumeGood·fiv^(1/3)   (volume acts more on mRS 0–2 vs 3–6)
 *                    P(mRS ≤ j) = plogis(θ_j(fiv) − η)              (clm's parametrisation, cbrt(fiv) nominal)
 *                    a distribution while θ_1 < θ_2(fiv) < θ_3 for every fiv in [0, volMax]
 *   missingness      MAR, logistic in fully observed covariates (see `missing*` below)
 */
import { makeTable, type Column, type Table } from '../../data/table.js';
import { apportion, shuffledLabels } from './allocate.js';
import { drawBaseline, OCCLUSION_LEVELS, type BaselineParams } from './baseline.js';
import { bernoulli, logistic, missingWith, normal, ordinalFromLatent, roundTo } from './draw.js';
import { plogis } from '../distributions.js';
import { COHORT_STREAM, streamsFor } from './streams.js';

export interface TrialSpec {
  readonly name: string;
  /** Patients randomised in the trial (published), used as the weight of its share of the pool. */
  readonly randomised: number;
  /** P(follow-up imaging on MRI). */
  readonly pMri: number;
  /** P(intravenous alteplase). */
  readonly pIvt: number;
  /**
   * Standard score of the trial's shift of the latent mRS scale (+ = worse outcomes at the same
   * covariates): the shift is trialOutcomeSd · outcomeScore. The seven scores have mean 0 and RMS 1.
   */
  readonly outcomeScore: number;
  /** Standard score of the trial's EVT effect: its log cOR is outEvt + trialEvtSd · evtScore (mean 0, RMS 1 over the trials). */
  readonly evtScore: number;
}

export interface HermesParams extends BaselineParams {
  readonly trials: readonly TrialSpec[];
  /** Share of patients allocated to EVT (821 / 1665). */
  readonly evtShare: number;
  readonly pRecanEvt: number;
  readonly pRecanControl: number;
  readonly volMax: number;
  readonly volIntercept: number;
  readonly volRecan: number;
  readonly volNihss: number;
  readonly volAspects: number;
  /** Shift of Z by occlusion site, in OCCLUSION_LEVELS order (M1, ICA, M2). */
  readonly volOcclusion: readonly [number, number, number];
  /** Per hour of onset-to-randomisation time. */
  readonly volOnset: number;
  readonly volIvt: number;
  readonly volSd: number;
  /** Log odds of a worse mRS per unit of fiv_ml^(1/3), at every split of the scale (exp(−outVolume) = 0.474). */
  readonly outVolume: number;
  /**
   * Extra log odds of mRS 3–6 vs 0–2 per unit of fiv_ml^(1/3) (a non-proportional, "nominal" volume effect on
   * that split only). With it, the proportional-odds working model's cOR is 0.46 per mL^(1/3) and the
   * linear-in-mL logistic model of mRS 0–2 has the slope behind the published 2/10/20 mL volume deltas.
   */
  readonly outVolumeGood: number;
  /** Log common odds of a better mRS under EVT at a given volume: exp(outEvt) is the direct cOR (2.235). */
  readonly outEvt: number;
  /** Per 10 years of age. */
  readonly outAge: number;
  readonly outNihss: number;
  readonly outAspects: number;
  readonly outOcclusion: readonly [number, number, number];
  readonly outIvt: number;
  /** Per hour of onset-to-randomisation time. */
  readonly outOnset: number;
  readonly outFemale: number;
  /** SD (over the trials, RMS of the shifts) of the trials' shifts of the latent mRS scale: between-trial variation in baseline risk. */
  readonly trialOutcomeSd: number;
  /** SD (RMS) of the trials' EVT log common odds ratios around outEvt: between-trial variation in the EVT effect. */
  readonly trialEvtSd: number;
  /** θ_0..θ_5 of P(mRS ≤ j) = plogis(θ_j(fiv) − η) at fiv = 0, solved so the control arm has the published mRS distribution. */
  readonly thresholds: readonly number[];
  /** logit P(ASPECTS missing) = missingAspects + missingAspectsNihss·(nihss − 17). */
  readonly missingAspects: number;
  readonly missingAspectsNihss: number;
  /** logit P(onset time missing) = missingOnset + missingOnsetAge·(age − 68)/10. */
  readonly missingOnset: number;
  readonly missingOnsetAge: number;
  /** logit P(no follow-up scan: fiv_ml and modality missing) = missingVolume + missingVolumeNihss·(nihss − 17) + missingVolumeAge·(age − 68)/10. */
  readonly missingVolume: number;
  readonly missingVolumeNihss: number;
  readonly missingVolumeAge: number;
}

/** The frozen true parameters (calibrated with scripts/calibrate/dgp-hermes.R; see docs/synthetic-cohort.md). */
export const HERMES_DEFAULTS: HermesParams = {
  // Trial sizes as randomised (HERMES 7-trial pool); MRI and alteplase shares as in each trial's protocol, approximately.
  // Trial-effect scores: the normal scores qnorm((r − ½)/7) scaled to RMS 1 (docs/synthetic-cohort.md §3); the EVT
  // scores' mean weighted by trial size is 0 too, so that a model pooling the trials estimates out_evt.
  trials: [
    { name: 'MR CLEAN', randomised: 500, pMri: 0.01, pIvt: 0.89, outcomeScore: 1.6076, evtScore: -0.8685 },
    { name: 'ESCAPE', randomised: 315, pMri: 0.81, pIvt: 0.73, outcomeScore: 0.4017, evtScore: 1.6076 },
    { name: 'REVASCAT', randomised: 206, pMri: 0.05, pIvt: 0.68, outcomeScore: 0.8685, evtScore: 0 },
    { name: 'SWIFT PRIME', randomised: 196, pMri: 0.05, pIvt: 1, outcomeScore: 0, evtScore: 0.8685 },
    { name: 'EXTEND IA', randomised: 70, pMri: 0.2, pIvt: 1, outcomeScore: -0.8685, evtScore: 0.4017 },
    { name: 'PISTE', randomised: 65, pMri: 0.03, pIvt: 1, outcomeScore: -0.4017, evtScore: -1.6076 },
    { name: 'THRACE', randomised: 414, pMri: 0.02, pIvt: 1, outcomeScore: -1.6076, evtScore: -0.4017 },
  ],
  evtShare: 821 / 1665,
  ageLogMean: Math.log(27),
  ageLogSd: 0.515,
  pFemale: 0.469,
  pOcclusion: [0.71, 0.21, 0.08],
  nihssMean: 17,
  nihssSd: 5,
  nihssOcclusionShift: [0, 2, -3],
  aspectsLossLogit: -1.9924301646902063, // qlogis(0.12)
  aspectsLossNihss: 0.04,
  aspectsLossSd: 0.9,
  onsetLogMean: Math.log(190),
  onsetLogSd: 0.33,
  pRecanEvt: 0.67,
  pRecanControl: 0,
  volMax: 300,
  volIntercept: -1.57,
  volRecan: -0.77,
  volNihss: 0.02,
  volAspects: -0.06,
  volOcclusion: [0, 0.3, -0.3],
  volOnset: 0.08,
  volIvt: -0.1,
  volSd: 1.85,
  outVolume: 0.747,
  outVolumeGood: 0.16,
  outEvt: Math.log(2.235),
  outAge: 0.35,
  outNihss: 0.04,
  outAspects: -0.05,
  outOcclusion: [0, 0.15, -0.1],
  outIvt: -0.15,
  outOnset: 0.1,
  outFemale: 0,
  trialOutcomeSd: 0.35,
  trialEvtSd: 0.42,
  thresholds: [-0.9449, 0.2493, 1.8696, 2.3617, 3.7648, 4.7084],
  missingAspects: -3,
  missingAspectsNihss: 0.05,
  missingOnset: -3,
  missingOnsetAge: 0.25,
  missingVolume: -3,
  missingVolumeNihss: 0.05,
  missingVolumeAge: 0.2,
};

/** The threshold the volume moves: j = 2 of P(mRS ≤ j), the mRS 0–2 vs 3–6 split. */
const GOOD_SPLIT = 2;

/**
 * Whether θ_j(fiv) = θ_j − [j = GOOD_SPLIT]·outVolumeGood·fiv^(1/3) increases in j for every fiv in
 * [0, volMax] — the condition for P(mRS ≤ j) = plogis(θ_j(fiv) − η) to be a distribution. The shift is
 * linear in fiv^(1/3), so checking both ends of the volume range suffices.
 */
export function hermesThresholdsOrdered(p: Pick<HermesParams, 'thresholds' | 'outVolumeGood' | 'volMax'>): boolean {
  return [0, Math.cbrt(p.volMax)].every((cv) => {
    const th = p.thresholds.map((t, j) => (j === GOOD_SPLIT ? t - p.outVolumeGood * cv : t));
    return th.every((t, j) => j === 0 || t > th[j - 1]!);
  });
}

/** The published pool size the default n and the EVT share refer to. */
export const HERMES_N = 1665;

/** A HERMES-like cohort of n patients (rows grouped by trial, in the order of `trials`). */
export function simulateHermes(n: number, seed: number, p: HermesParams = HERMES_DEFAULTS): Table {
  if (!hermesThresholdsOrdered(p)) {
    throw new RangeError(`out_volume_good = ${String(p.outVolumeGood)} makes the mRS thresholds cross for volumes up to vol_max = ${String(p.volMax)} mL`);
  }
  const stream = streamsFor(seed, COHORT_STREAM.hermes);
  const sizes = apportion(n, p.trials.map((t) => t.randomised));
  const evtCounts = apportion(Math.round(n * p.evtShare), sizes);
  const trial = new Int32Array(n);
  const evt = new Float64Array(n);
  const rArm = stream('arm');
  let start = 0;
  sizes.forEach((size, k) => {
    // 1:1-ish randomisation within each trial: exactly evtCounts[k] EVT patients, in random order.
    const arms = shuffledLabels(rArm, size, [size - evtCounts[k]!, evtCounts[k]!]);
    for (let j = 0; j < size; j++) {
      trial[start + j] = k;
      evt[start + j] = arms[j]!;
    }
    start += size;
  });

  const b = drawBaseline(n, p, stream);
  const ivt = new Float64Array(n);
  const mri = new Int32Array(n);
  const fiv = new Float64Array(n);
  const mrs = new Float64Array(n);
  const rIvt = stream('ivt');
  const rMri = stream('modality');
  const rRecan = stream('recanalization');
  const rVol = stream('volume');
  const rOut = stream('outcome');
  const theta = Float64Array.from(p.thresholds);
  for (let i = 0; i < n; i++) {
    const t = p.trials[trial[i]!]!;
    ivt[i] = bernoulli(rIvt, t.pIvt);
    mri[i] = bernoulli(rMri, t.pMri);
    const recan = bernoulli(rRecan, evt[i] === 1 ? p.pRecanEvt : p.pRecanControl);
    const site = b.occlusion[i]!;
    const hours = (b.onset[i]! - 190) / 60;
    const z =
      p.volIntercept + p.volRecan * recan + p.volNihss * (b.nihss[i]! - 17) + p.volAspects * (b.aspects[i]! - 9) +
      p.volOcclusion[site]! + p.volOnset * hours + p.volIvt * ivt[i]! + normal(rVol, 0, p.volSd);
    fiv[i] = roundTo(p.volMax * plogis(z), 1);
    const cv = Math.cbrt(fiv[i]!);
    const eta =
      p.outVolume * cv - (p.outEvt + p.trialEvtSd * t.evtScore) * evt[i]! + (p.outAge * (b.age[i]! - 68)) / 10 + p.outNihss * (b.nihss[i]! - 17) +
      p.outAspects * (b.aspects[i]! - 9) + p.outOcclusion[site]! + p.outIvt * ivt[i]! + p.outOnset * hours + p.outFemale * b.sexFemale[i]! +
      p.trialOutcomeSd * t.outcomeScore;
    theta[GOOD_SPLIT] = p.thresholds[GOOD_SPLIT]! - p.outVolumeGood * cv;
    mrs[i] = ordinalFromLatent(eta + logistic(rOut), theta);
  }

  // Missingness, MAR: each indicator depends only on covariates that are never missing.
  const aspects = Float64Array.from(b.aspects);
  const onset = Float64Array.from(b.onset);
  const modality = Int32Array.from(mri);
  const rMa = stream('missing_aspects');
  const rMo = stream('missing_onset');
  const rMv = stream('missing_volume');
  for (let i = 0; i < n; i++) {
    const s17 = b.nihss[i]! - 17;
    const a10 = (b.age[i]! - 68) / 10;
    if (missingWith(rMa, p.missingAspects + p.missingAspectsNihss * s17)) aspects[i] = NaN;
    if (missingWith(rMo, p.missingOnset + p.missingOnsetAge * a10)) onset[i] = NaN;
    if (missingWith(rMv, p.missingVolume + p.missingVolumeNihss * s17 + p.missingVolumeAge * a10)) {
      fiv[i] = NaN;
      modality[i] = -1;
    }
  }

  const id = Float64Array.from({ length: n }, (_, i) => i + 1);
  const cols: [string, Column][] = [
    ['id', { type: 'number', values: id }],
    ['trial', { type: 'factor', codes: trial, levels: p.trials.map((t) => t.name) }],
    ['evt', { type: 'number', values: evt }],
    ['age', { type: 'number', values: b.age }],
    ['sex_female', { type: 'number', values: b.sexFemale }],
    ['nihss', { type: 'number', values: b.nihss }],
    ['aspects', { type: 'number', values: aspects }],
    ['occlusion', { type: 'factor', codes: b.occlusion, levels: OCCLUSION_LEVELS }],
    ['ivt', { type: 'number', values: ivt }],
    ['onset_to_rand_min', { type: 'number', values: onset }],
    ['modality', { type: 'factor', codes: modality, levels: ['CT', 'MRI'] }],
    ['fiv_ml', { type: 'number', values: fiv }],
    ['mrs90', { type: 'number', values: mrs }],
  ];
  return makeTable(cols);
}
