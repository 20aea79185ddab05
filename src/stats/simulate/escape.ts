/**
 * The ESCAPE-like single-trial cohort: 315 patients by default (165 EVT / 150 control; follow-up
 * imaging 254 MRI / 60 CT / 1 without a scan). Equations and reasons: docs/synthetic-cohort.md §4;
 * R prototype: scripts/calibrate/dgp-escape.R.
 *
 *   arm, modality    fixed counts (largest remainder), random order
 *   baseline         see baseline.ts; ivt ~ Bernoulli(pIvt); laterality left ~ Bernoulli(pLeft)
 *   recanalized R    ~ Bernoulli(pRecanEvt) under EVT, Bernoulli(pRecanControl) under control (observed)
 *   volume           Z = volIntercept + volRecan·R + volEvt·evt + volNihss·(nihss−17) + volAspects·(aspects−9)
 *                        + volOcclusion[site] + volOnset·(onset−190)/60 + N(0, volSd²);  fiv_ml = round(volMax·plogis(Z), 1)
 *   NIHSS at 24 h    nihss_24h = clamp(round(n24Intercept + n24Nihss·nihss + n24Volume·fiv^(1/3) + n24Recan·R + N(0, n24Sd²)), 0, 42)
 *                    delta_nihss = nihss_24h − nihss (negative: improvement)
 *   mRS at 90 days   η = outVolume·fiv^(1/3) + outNihss24·(nihss_24h − 10) + outLeft·left + outAge·(age−71)/10 − outEvt·evt
 *                    θ_j(evt) = θ_j − [j = 5]·outEvtDeath·evt     (EVT protects less against death than against disability)
 *                    P(mRS ≤ j) = plogis(θ_j(evt) − η)          (a distribution while outEvtDeath < θ_5 − θ_4)
 *   missingness      ASPECTS and onset time MAR as in the pooled cohort; fiv_ml missing exactly where no scan was done
 */
import { makeTable, type Column, type Table } from '../../data/table.js';
import { apportion, shuffledLabels } from './allocate.js';
import { drawBaseline, OCCLUSION_LEVELS, type BaselineParams } from './baseline.js';
import { bernoulli, clamp, logistic, missingWith, normal, ordinalFromLatent, roundTo } from './draw.js';
import { plogis } from '../distributions.js';
import { COHORT_STREAM, streamsFor } from './streams.js';

export interface EscapeParams extends BaselineParams {
  readonly evtShare: number;
  /** Shares of follow-up imaging on MRI and on CT (the rest had no scan: fiv_ml and modality missing). */
  readonly mriShare: number;
  readonly ctShare: number;
  readonly pIvt: number;
  readonly pLeft: number;
  readonly pRecanEvt: number;
  readonly pRecanControl: number;
  readonly volMax: number;
  readonly volIntercept: number;
  readonly volRecan: number;
  readonly volEvt: number;
  readonly volNihss: number;
  readonly volAspects: number;
  readonly volOcclusion: readonly [number, number, number];
  readonly volOnset: number;
  readonly volSd: number;
  readonly n24Intercept: number;
  readonly n24Nihss: number;
  readonly n24Volume: number;
  readonly n24Recan: number;
  readonly n24Sd: number;
  /** Log common odds of a worse mRS per unit of fiv_ml^(1/3), at a given 24-hour NIHSS. */
  readonly outVolume: number;
  /** Per NIHSS point at 24 hours. */
  readonly outNihss24: number;
  readonly outLeft: number;
  readonly outAge: number;
  /** Log common odds of a better mRS under EVT at a given volume and 24-hour NIHSS. */
  readonly outEvt: number;
  /** Log odds of death (mRS 6 vs 0–5) under EVT added back on that split only: EVT's direct effect there is outEvt − outEvtDeath. */
  readonly outEvtDeath: number;
  readonly thresholds: readonly number[];
  readonly missingAspects: number;
  readonly missingAspectsNihss: number;
  readonly missingOnset: number;
  readonly missingOnsetAge: number;
}

/** The frozen true parameters (calibrated with scripts/calibrate/dgp-escape.R; see docs/synthetic-cohort.md). */
export const ESCAPE_DEFAULTS: EscapeParams = {
  evtShare: 165 / 315,
  mriShare: 254 / 315,
  ctShare: 60 / 315,
  ageLogMean: Math.log(24),
  ageLogSd: 0.6,
  pFemale: 0.527,
  pOcclusion: [0.69, 0.27, 0.04],
  nihssMean: 16,
  nihssSd: 5,
  nihssOcclusionShift: [0, 2, -3],
  aspectsLossLogit: -2.1972245773362196, // qlogis(0.10)
  aspectsLossNihss: 0.04,
  aspectsLossSd: 0.9,
  onsetLogMean: Math.log(170),
  onsetLogSd: 0.45,
  pIvt: 0.75,
  pLeft: 0.5,
  pRecanEvt: 0.8,
  pRecanControl: 0.35,
  volMax: 300,
  volIntercept: -1.74,
  volRecan: -1.2,
  volEvt: -0.25,
  volNihss: 0.02,
  volAspects: -0.06,
  volOcclusion: [0, 0.3, -0.3],
  volOnset: 0.08,
  volSd: 1.6,
  n24Intercept: 0,
  n24Nihss: 0.35,
  n24Volume: 2,
  n24Recan: -4.5,
  n24Sd: 3.5,
  outVolume: 0.45,
  outNihss24: 0.12,
  outLeft: 0.2,
  outAge: 0.35,
  outEvt: Math.log(1.9),
  outEvtDeath: 0.52,
  thresholds: [-2.0611, -0.7092, 0.4478, 1.4281, 2.456, 3.5128],
  missingAspects: -3.5,
  missingAspectsNihss: 0.05,
  missingOnset: -3.5,
  missingOnsetAge: 0.25,
};

export const ESCAPE_N = 315;

/** The split EVT's death term moves: j = 5 of P(mRS ≤ j), alive vs dead. */
const DEATH_SPLIT = 5;

/** Whether θ_j(evt) = θ_j − [j = DEATH_SPLIT]·outEvtDeath·evt increases in j under both arms (a distribution). */
export function escapeThresholdsOrdered(p: Pick<EscapeParams, 'thresholds' | 'outEvtDeath'>): boolean {
  return [0, 1].every((evt) => {
    const th = p.thresholds.map((t, j) => (j === DEATH_SPLIT ? t - p.outEvtDeath * evt : t));
    return th.every((t, j) => j === 0 || t > th[j - 1]!);
  });
}

export function simulateEscape(n: number, seed: number, p: EscapeParams = ESCAPE_DEFAULTS): Table {
  if (!escapeThresholdsOrdered(p)) throw new RangeError(`out_evt_death = ${String(p.outEvtDeath)} makes the mRS thresholds cross under EVT`);
  const stream = streamsFor(seed, COHORT_STREAM.escape);
  const nEvt = Math.round(n * p.evtShare);
  const evt = Float64Array.from(shuffledLabels(stream('arm'), n, [n - nEvt, nEvt]));
  // Scan modality: exact counts; the remainder (−1) had no follow-up scan.
  const [nMri, nCt] = apportion(n, [p.mriShare, p.ctShare, Math.max(0, 1 - p.mriShare - p.ctShare)]);
  const modality = shuffledLabels(stream('modality'), n, [nCt!, nMri!]);

  const b = drawBaseline(n, p, stream);
  const ivt = new Float64Array(n);
  const left = new Int32Array(n);
  const recan = new Float64Array(n);
  const fiv = new Float64Array(n);
  const n24 = new Float64Array(n);
  const delta = new Float64Array(n);
  const mrs = new Float64Array(n);
  const rIvt = stream('ivt');
  const rSide = stream('laterality');
  const rRecan = stream('recanalization');
  const rVol = stream('volume');
  const rN24 = stream('nihss_24h');
  const rOut = stream('outcome');
  const theta = Float64Array.from(p.thresholds);
  for (let i = 0; i < n; i++) {
    ivt[i] = bernoulli(rIvt, p.pIvt);
    left[i] = bernoulli(rSide, p.pLeft);
    recan[i] = bernoulli(rRecan, evt[i] === 1 ? p.pRecanEvt : p.pRecanControl);
    const site = b.occlusion[i]!;
    const z =
      p.volIntercept + p.volRecan * recan[i]! + p.volEvt * evt[i]! + p.volNihss * (b.nihss[i]! - 17) + p.volAspects * (b.aspects[i]! - 9) +
      p.volOcclusion[site]! + (p.volOnset * (b.onset[i]! - 190)) / 60 + normal(rVol, 0, p.volSd);
    const v = roundTo(p.volMax * plogis(z), 1);
    const cv = Math.cbrt(v);
    const s24 = clamp(Math.round(p.n24Intercept + p.n24Nihss * b.nihss[i]! + p.n24Volume * cv + p.n24Recan * recan[i]! + normal(rN24, 0, p.n24Sd)), 0, 42);
    n24[i] = s24;
    delta[i] = s24 - b.nihss[i]!;
    const eta = p.outVolume * cv + p.outNihss24 * (s24 - 10) + p.outLeft * left[i]! + (p.outAge * (b.age[i]! - 71)) / 10 - p.outEvt * evt[i]!;
    theta[DEATH_SPLIT] = p.thresholds[DEATH_SPLIT]! - p.outEvtDeath * evt[i]!;
    mrs[i] = ordinalFromLatent(eta + logistic(rOut), theta);
    fiv[i] = modality[i]! < 0 ? NaN : v;
  }

  const aspects = Float64Array.from(b.aspects);
  const onset = Float64Array.from(b.onset);
  const rMa = stream('missing_aspects');
  const rMo = stream('missing_onset');
  for (let i = 0; i < n; i++) {
    if (missingWith(rMa, p.missingAspects + p.missingAspectsNihss * (b.nihss[i]! - 17))) aspects[i] = NaN;
    if (missingWith(rMo, p.missingOnset + (p.missingOnsetAge * (b.age[i]! - 71)) / 10)) onset[i] = NaN;
  }

  const cols: [string, Column][] = [
    ['id', { type: 'number', values: Float64Array.from({ length: n }, (_, i) => i + 1) }],
    ['trial', { type: 'factor', codes: new Int32Array(n), levels: ['ESCAPE'] }],
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
    ['nihss_24h', { type: 'number', values: n24 }],
    ['delta_nihss', { type: 'number', values: delta }],
    ['laterality', { type: 'factor', codes: Int32Array.from(left, (l) => (l === 1 ? 0 : 1)), levels: ['left', 'right'] }],
    ['recanalized', { type: 'number', values: recan }],
  ];
  return makeTable(cols);
}
