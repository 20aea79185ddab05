/**
 * The synthetic cohorts: allocation, reproducibility, the calibration targets at the published size
 * with the shipped seeds, and convergence of the realised estimates to the true parameters at large n.
 * Tolerances at n = 1665 are about 3 SDs of each figure across seeds 1..200
 * (scripts/calibrate/choose-seed.R prints those SDs; docs/synthetic-cohort.md §6 quotes them), except the
 * proportion explained and the volume deltas, which the shipped seed was chosen to meet within ±3 points
 * and ±15 % (choose-seed.R's eligibility windows).
 */
import { describe, expect, it } from 'vitest';
import { apportion, shuffledLabels } from '../../src/stats/simulate/allocate.js';
import { simulateHermes, HERMES_DEFAULTS, hermesThresholdsOrdered } from '../../src/stats/simulate/hermes.js';
import { simulateEscape, ESCAPE_DEFAULTS, escapeThresholdsOrdered } from '../../src/stats/simulate/escape.js';
import { simulateCohort, overridableParameters, withOverrides } from '../../src/stats/simulate/cohorts.js';
import { cohortTruth } from '../../src/stats/simulate/truth.js';
import { ordinalFromLatent, roundTo } from '../../src/stats/simulate/draw.js';
import { fitOrdinal } from '../../src/stats/ordinal.js';
import { fitLogistic } from '../../src/stats/logistic.js';
import { plogis, qlogis } from '../../src/stats/distributions.js';
import { quantile7, sortedFinite } from '../../src/stats/quantile.js';
import { writeCsv } from '../../src/data/csv.js';
import { getNumeric, type Table } from '../../src/data/table.js';
import { rngFor } from '../../src/stats/rng.js';

/** The seeds of the shipped cohorts (pipelines/simulate-cohorts.yaml). */
const HERMES_SEED = 30;
const ESCAPE_SEED = 137;

function num(t: Table, name: string): Float64Array {
  return getNumeric(t, name);
}

function factorCodes(t: Table, name: string): { codes: Int32Array; levels: readonly string[] } {
  const c = t.columns.get(name);
  if (c?.type !== 'factor') throw new Error(`${name} is not a factor`);
  return c;
}

function where(values: Float64Array, mask: (i: number) => boolean): Float64Array {
  return values.filter((_, i) => mask(i));
}

function q(values: ArrayLike<number>, p: number): number {
  return quantile7(sortedFinite(values), p);
}

function share(values: ArrayLike<number>, pred: (v: number) => boolean): number {
  let k = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    n++;
    if (pred(v)) k++;
  }
  return k / n;
}

function missingShare(values: Float64Array): number {
  return values.filter((v) => Number.isNaN(v)).length / values.length;
}

describe('allocation', () => {
  it('apportions the HERMES trial sizes to 1665 by largest remainder', () => {
    const sizes = apportion(1665, HERMES_DEFAULTS.trials.map((t) => t.randomised));
    expect(sizes).toEqual([472, 297, 194, 185, 66, 61, 390]);
    expect(apportion(821, sizes).reduce((a, b) => a + b, 0)).toBe(821);
  });

  it('apportions any total exactly, ties to the earlier part', () => {
    expect(apportion(3, [1, 1, 1, 1])).toEqual([1, 1, 1, 0]);
    expect(apportion(10, [0.5, 0.5])).toEqual([5, 5]);
    for (let n = 0; n < 50; n++) expect(apportion(n, [3, 7, 11]).reduce((a, b) => a + b, 0)).toBe(n);
  });

  it('gives labels in exact counts, the rest missing', () => {
    const labels = shuffledLabels(rngFor(1, 2), 10, [3, 5]);
    expect([...labels].filter((l) => l === 0)).toHaveLength(3);
    expect([...labels].filter((l) => l === 1)).toHaveLength(5);
    expect([...labels].filter((l) => l === -1)).toHaveLength(2);
  });
});

describe('draw helpers', () => {
  it('maps a latent value to the category above the thresholds it exceeds', () => {
    const th = [-1, 0, 1];
    expect(ordinalFromLatent(-2, th)).toBe(0);
    expect(ordinalFromLatent(-0.5, th)).toBe(1);
    expect(ordinalFromLatent(0.5, th)).toBe(2);
    expect(ordinalFromLatent(5, th)).toBe(3);
  });

  it('rounds to decimals so that the value prints as written', () => {
    expect(String(roundTo(12.345678, 1))).toBe('12.3');
    expect(String(roundTo(0.04, 1))).toBe('0');
    expect(String(roundTo(-0.04, 1))).toBe('0');
    expect(String(roundTo(2.25, 1))).toBe('2.3');
  });
});

describe('reproducibility', () => {
  it('is a pure function of (n, seed, parameters)', () => {
    expect(writeCsv(simulateHermes(300, 5))).toBe(writeCsv(simulateHermes(300, 5)));
    expect(writeCsv(simulateEscape(100, 5))).toBe(writeCsv(simulateEscape(100, 5)));
    expect(writeCsv(simulateHermes(300, 5))).not.toBe(writeCsv(simulateHermes(300, 6)));
  });

  it('keeps the other columns when one parameter of the outcome changes (independent streams)', () => {
    const a = simulateCohort('hermes', 400, 9);
    const b = simulateCohort('hermes', 400, 9, { out_evt: 0 });
    for (const name of ['age', 'nihss', 'aspects', 'fiv_ml', 'ivt', 'onset_to_rand_min']) expect(num(b, name)).toEqual(num(a, name));
    expect(num(b, 'mrs90')).not.toEqual(num(a, 'mrs90'));
  });

  it('lists scalar parameters for overrides, in snake_case, and applies them', () => {
    expect(overridableParameters('hermes')).toContain('out_evt');
    expect(overridableParameters('hermes')).not.toContain('trials');
    expect(overridableParameters('escape')).toContain('n24_recan');
    expect(withOverrides(HERMES_DEFAULTS, { vol_sd: 1 }).volSd).toBe(1);
    expect(() => withOverrides(HERMES_DEFAULTS, { trials: 1 })).toThrow(/not a scalar parameter/);
  });
});

describe('HERMES-like cohort at n = 1665 (shipped seed): the published figures', () => {
  const t = simulateHermes(1665, HERMES_SEED);
  const evt = num(t, 'evt');
  const fiv = num(t, 'fiv_ml');
  const mrs = num(t, 'mrs90');
  const isEvt = (i: number): boolean => evt[i] === 1;
  const isCtl = (i: number): boolean => evt[i] === 0;

  it('has the published columns and arm sizes exactly', () => {
    expect([...t.columns.keys()]).toEqual(['id', 'trial', 'evt', 'age', 'sex_female', 'nihss', 'aspects', 'occlusion', 'ivt', 'onset_to_rand_min', 'modality', 'fiv_ml', 'mrs90']);
    expect(t.nrows).toBe(1665);
    expect(evt.reduce((a, b) => a + b, 0)).toBe(821);
    expect(factorCodes(t, 'trial').levels).toEqual(['MR CLEAN', 'ESCAPE', 'REVASCAT', 'SWIFT PRIME', 'EXTEND IA', 'PISTE', 'THRACE']);
  });

  it('matches age, sex and imaging modality', () => {
    const age = num(t, 'age');
    expect(Math.abs(q(age, 0.5) - 68)).toBeLessThanOrEqual(2);
    expect(Math.abs(q(age, 0.25) - 57)).toBeLessThanOrEqual(2);
    expect(Math.abs(q(age, 0.75) - 76)).toBeLessThanOrEqual(2);
    expect(Math.min(...age)).toBeGreaterThanOrEqual(18);
    expect(share(num(t, 'sex_female'), (v) => v === 1)).toBeCloseTo(0.469, 1);
    const modality = factorCodes(t, 'modality');
    const ct = [...modality.codes].filter((c) => c === 0).length / [...modality.codes].filter((c) => c >= 0).length;
    expect(Math.abs(ct - 0.83)).toBeLessThan(0.02);
  });

  it('matches the follow-up volume by arm (median within about 3 SD, quartiles within 25 %)', () => {
    expect(Math.abs(q(fiv, 0.5) - 41)).toBeLessThan(6);
    expect(Math.abs(q(where(fiv, isEvt), 0.5) - 33)).toBeLessThan(8);
    expect(Math.abs(q(where(fiv, isCtl), 0.5) - 51)).toBeLessThan(10);
    for (const [values, lo, hi] of [
      [fiv, 14, 120],
      [where(fiv, isEvt), 11, 99],
      [where(fiv, isCtl), 18, 134],
    ] as const) {
      expect(Math.abs(q(values, 0.25) / lo - 1)).toBeLessThan(0.25);
      expect(Math.abs(q(values, 0.75) / hi - 1)).toBeLessThan(0.25);
    }
  });

  it('matches the 90-day mRS by arm', () => {
    const mEvt = where(mrs, isEvt);
    const mCtl = where(mrs, isCtl);
    expect([q(mEvt, 0.25), q(mEvt, 0.5), q(mEvt, 0.75)]).toEqual([1, 3, 4]);
    expect([q(mCtl, 0.25), q(mCtl, 0.5), q(mCtl, 0.75)]).toEqual([2, 4, 5]);
    expect(Math.abs(share(mEvt, (v) => v <= 2) - 0.46)).toBeLessThan(0.05);
    expect(Math.abs(share(mCtl, (v) => v <= 2) - 0.265)).toBeLessThan(0.045);
    const target = [0.05, 0.079, 0.136, 0.164, 0.247, 0.135, 0.189];
    target.forEach((p, k) => {
      expect(Math.abs(share(mCtl, (v) => v === k) - p)).toBeLessThan(0.04);
    });
  });

  it('has about 5 % missing ASPECTS, onset time and volume (modality missing with volume)', () => {
    for (const name of ['aspects', 'onset_to_rand_min', 'fiv_ml']) {
      const m = missingShare(num(t, name));
      expect(m).toBeGreaterThan(0.03);
      expect(m).toBeLessThan(0.07);
    }
    for (const name of ['id', 'evt', 'age', 'sex_female', 'nihss', 'ivt', 'mrs90']) expect(missingShare(num(t, name))).toBe(0);
    const modality = factorCodes(t, 'modality').codes;
    fiv.forEach((v, i) => {
      expect(Number.isNaN(v)).toBe(modality[i]! < 0);
    });
  });

  it('meets the published analysis figures (complete cases, as scripts/calibrate/estimands.R)', () => {
    const e = hermesEstimands(t);
    expect(Math.abs(Math.log(e.corVolume / 0.46))).toBeLessThan(0.12); // 3 SD across seeds
    expect(Math.abs(Math.log(e.corEvtAdjusted / 2.22))).toBeLessThan(0.3);
    expect(Math.abs(e.proportionExplained - 0.12)).toBeLessThanOrEqual(0.03);
    e.volumeDeltas.forEach((dv, k) => {
      expect(Math.abs(dv / [2, 10, 20][k]! - 1)).toBeLessThanOrEqual(0.15);
    });
  });
});

describe('ESCAPE-like cohort at n = 315 (shipped seed): the published figures', () => {
  const t = simulateEscape(315, ESCAPE_SEED);
  const evt = num(t, 'evt');
  const fiv = num(t, 'fiv_ml');

  it('has the published arm and imaging counts exactly', () => {
    expect(t.nrows).toBe(315);
    expect(evt.reduce((a, b) => a + b, 0)).toBe(165);
    const modality = factorCodes(t, 'modality');
    expect(modality.levels).toEqual(['CT', 'MRI']);
    const count = (c: number): number => [...modality.codes].filter((x) => x === c).length;
    expect([count(1), count(0), count(-1)]).toEqual([254, 60, 1]);
    expect(missingShare(fiv)).toBeCloseTo(1 / 315, 10);
    for (const name of ['nihss_24h', 'delta_nihss', 'recanalized']) expect(t.columns.has(name)).toBe(true);
    expect(factorCodes(t, 'laterality').levels).toEqual(['left', 'right']);
  });

  it('matches the median volume by arm (within about 2 SD at n = 315)', () => {
    expect(Math.abs(q(where(fiv, (i) => evt[i] === 1), 0.5) - 15.5)).toBeLessThan(5);
    expect(Math.abs(q(where(fiv, (i) => evt[i] === 0), 0.5) - 33.5)).toBeLessThan(10);
  });

  it('matches mRS 0–2 and death by arm (within about 2 SD at n = 315)', () => {
    const mrs = num(t, 'mrs90');
    const arm = (a: number): Float64Array => where(mrs, (i) => evt[i] === a);
    expect(Math.abs(share(arm(1), (v) => v <= 2) - 0.53)).toBeLessThan(0.085);
    expect(Math.abs(share(arm(0), (v) => v <= 2) - 0.293)).toBeLessThan(0.075);
    expect(Math.abs(share(arm(1), (v) => v === 6) - 0.104)).toBeLessThan(0.05);
    expect(Math.abs(share(arm(0), (v) => v === 6) - 0.19)).toBeLessThan(0.065);
  });

  it('defines delta_nihss as nihss_24h − nihss', () => {
    const d = num(t, 'delta_nihss');
    const a = num(t, 'nihss_24h');
    const b = num(t, 'nihss');
    d.forEach((v, i) => {
      expect(v).toBe(a[i]! - b[i]!);
    });
  });
});

/** Column-major design matrix of the given terms (column names or functions of the row) over the given rows. */
function design(t: Table, terms: readonly (string | ((i: number) => number))[], rows: number[]): Float64Array {
  const X = new Float64Array(rows.length * terms.length);
  terms.forEach((term, j) => {
    const f = typeof term === 'string' ? ((v: Float64Array) => (i: number) => v[i]!)(num(t, term)) : term;
    rows.forEach((i, r) => (X[j * rows.length + r] = f(i)));
  });
  return X;
}

/**
 * Convergence criteria for fits on tens of thousands of rows: the gradient is a sum over all rows, so
 * clm's absolute 1e-6 is looser than needed for a 4-SE check (SE ≈ 0.01 here); 1e-4 moves an estimate
 * by far less than its SE.
 */
const LARGE_N_CONTROL = { gradTol: 1e-4, relTol: 1e-4 } as const;

/** The rows with volume, ASPECTS and onset time observed (the complete cases of the published analyses). */
function completeRows(t: Table): number[] {
  const fiv = num(t, 'fiv_ml');
  const asp = num(t, 'aspects');
  const onset = num(t, 'onset_to_rand_min');
  return [...Array(t.nrows).keys()].filter((i) => !Number.isNaN(fiv[i]!) && !Number.isNaN(asp[i]!) && !Number.isNaN(onset[i]!));
}

/** The HERMES adjustment set as design terms, centred and scaled as in the DGP's η. */
function hermesCovariates(t: Table): ((i: number) => number)[] {
  const [age, sex, nihss, asp, ivt, onset] = ['age', 'sex_female', 'nihss', 'aspects', 'ivt', 'onset_to_rand_min'].map((c) => num(t, c)) as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  const occ = factorCodes(t, 'occlusion').codes;
  return [
    (i) => (age[i]! - 68) / 10, (i) => sex[i]!, (i) => nihss[i]! - 17, (i) => asp[i]! - 9,
    (i) => (occ[i] === 1 ? 1 : 0), (i) => (occ[i] === 2 ? 1 : 0), (i) => ivt[i]!, (i) => (onset[i]! - 190) / 60,
  ];
}

/**
 * The trial as a fixed factor with sum contrasts (column k: [trial = k] − [trial = last]), optionally times
 * `by` (evt:trial). Its coefficients average to 0 over the trials, so the other coefficients are those of
 * "trial effect 0": what a random intercept (and slope) for trial estimates as n → ∞ in every trial
 * (scripts/calibrate/mixed-estimands.R). Columns in the order of HERMES_DEFAULTS.trials after the first... last
 * but one, so that coefficient k estimates the DGP's shift of trial k.
 */
function trialSumContrasts(t: Table, by?: Float64Array): ((i: number) => number)[] {
  const { codes, levels } = factorCodes(t, 'trial');
  const code = HERMES_DEFAULTS.trials.map((tr) => levels.indexOf(tr.name));
  const last = code[code.length - 1]!;
  return code.slice(0, -1).map((k) => (i: number) => ((codes[i] === k ? 1 : 0) - (codes[i] === last ? 1 : 0)) * (by === undefined ? 1 : by[i]!));
}

interface HermesEstimands {
  readonly n: number;
  /** clm of mrs90 on cbrt(fiv_ml) + evt + covariates: better-outcome cOR per mL^(1/3), with the SE of its log. */
  readonly corVolume: number;
  readonly corVolumeSe: number;
  readonly corEvtAdjusted: number;
  readonly corEvtAdjustedSe: number;
  /** clm without volume. */
  readonly corEvtTotal: number;
  /** Difference method on the log-odds scale: 1 − log cOR_adjusted / log cOR_total. */
  readonly proportionExplained: number;
  /** Median volume decrease (mL) worth +1/+5/+10 points of P(mRS 0–2) from glm(mRS ≤ 2 ~ fiv_ml + evt + covariates), volume < 80 mL. */
  readonly volumeDeltas: readonly number[];
}

/**
 * The published analyses on complete cases, as scripts/calibrate/estimands.R computes them; with `trial`,
 * the pipelines' mixed-effects analyses at large n as scripts/calibrate/mixed-estimands.R does (trial a
 * fixed factor with sum contrasts: cORs from the model with trial and evt:trial, the random-slope model's
 * limit; proportion explained from models with trial, the random-intercept models'; volume deltas at trial
 * effect 0 from the logistic model with trial).
 */
function hermesEstimands(t: Table, control = {}, trial = false): HermesEstimands {
  const rows = completeRows(t);
  const n = rows.length;
  const fiv = num(t, 'fiv_ml');
  const mrs = num(t, 'mrs90');
  const cov = hermesCovariates(t);
  const y = Int32Array.from(rows, (i) => mrs[i]!);
  const ri = trial ? trialSumContrasts(t) : [];
  const slope = trial ? [...ri, ...trialSumContrasts(t, num(t, 'evt'))] : [];
  const ordinal = (terms: (string | ((i: number) => number))[]) => fitOrdinal(design(t, terms, rows), n, terms.length, y, 7, control);
  const withVolume = ordinal([(i) => Math.cbrt(fiv[i]!), 'evt', ...cov, ...slope]);
  const direct = trial ? ordinal([(i) => Math.cbrt(fiv[i]!), 'evt', ...cov, ...ri]) : withVolume;
  const withoutVolume = ordinal(['evt', ...cov, ...ri]);
  const logisticTerms = [() => 1, 'fiv_ml', 'evt', ...cov];
  const logistic = fitLogistic(design(t, [...logisticTerms, ...ri], rows), n, logisticTerms.length + ri.length, Float64Array.from(rows, (i) => (mrs[i]! <= 2 ? 1 : 0)));
  const b = logistic.coefficients[1]!;
  // The linear predictor at trial effect 0: the trial columns' part taken out.
  const lp = rows.map((i, r) => logistic.eta[r]! - ri.reduce((s, f, k) => s + f(i) * logistic.coefficients[logisticTerms.length + k]!, 0));
  const small = rows.map((i, r) => [fiv[i]!, lp[r]!] as const).filter(([v]) => v < 80);
  // The volume decrease dv with plogis(lp − b·dv) = plogis(lp) + δ; patients with plogis(lp) + δ ≥ 1 have none.
  const volumeDeltas = [0.01, 0.05, 0.1].map((delta) => {
    const dv = small.map(([, lp]) => plogis(lp) + delta).flatMap((p1, r) => (p1 < 1 ? [(qlogis(p1) - small[r]![1]) / -b] : []));
    return q(dv, 0.5);
  });
  const vol = withVolume.beta[0]!;
  const evtAdjusted = withVolume.beta[1]!;
  const evtTotal = withoutVolume.beta[0]!;
  return {
    n,
    corVolume: Math.exp(-vol),
    corVolumeSe: withVolume.stdErrors[6]!,
    corEvtAdjusted: Math.exp(-evtAdjusted),
    corEvtAdjustedSe: withVolume.stdErrors[7]!,
    corEvtTotal: Math.exp(-evtTotal),
    proportionExplained: 1 - direct.beta[1]! / evtTotal,
    volumeDeltas,
  };
}

describe('large n: the realised estimates approach the true parameters', () => {
  it('HERMES-like: a cumulative-logit model with cbrt(fiv_ml) nominal recovers the DGP (n = 50 000, within 4 SE)', () => {
    // The DGP is exactly clm(mrs90 ~ covariates + evt + trial + evt:trial, nominal = ~ cbrt(fiv_ml)): with
    // z = fiv^(1/3), logit P(Y ≤ j) = θ_j + γ_j·z − x'β where γ_j = −outVolume − [j = 2]·outVolumeGood; with
    // trial in sum contrasts (the scores have mean 0), θ and the EVT coefficient are the DGP's, and the trial
    // columns' coefficients are the trials' shifts trialOutcomeSd·outcomeScore and EVT effects −trialEvtSd·evtScore.
    const p = HERMES_DEFAULTS;
    const t = simulateHermes(50_000, 11);
    const rows = completeRows(t);
    const fiv = num(t, 'fiv_ml');
    const terms = ['evt', ...hermesCovariates(t), ...trialSumContrasts(t), ...trialSumContrasts(t, num(t, 'evt'))];
    const fit = fitOrdinal(design(t, terms, rows), rows.length, terms.length, Int32Array.from(rows, (i) => num(t, 'mrs90')[i]!), 7, {
      ...LARGE_N_CONTROL,
      nominal: { Z: Float64Array.from(rows, (i) => Math.cbrt(fiv[i]!)), k: 1 },
    });
    // par = [θ_0, γ_0, θ_1, γ_1, …, θ_5, γ_5, β…]; clm's sign: β = the DGP's η coefficients.
    p.thresholds.forEach((th, j) => {
      const gamma = -p.outVolume - (j === 2 ? p.outVolumeGood : 0);
      expect(Math.abs(fit.par[2 * j]! - th)).toBeLessThan(4 * fit.stdErrors[2 * j]!);
      expect(Math.abs(fit.par[2 * j + 1]! - gamma)).toBeLessThan(4 * fit.stdErrors[2 * j + 1]!);
    });
    const shifts = p.trials.slice(0, -1).map((tr) => p.trialOutcomeSd * tr.outcomeScore);
    const evtEffects = p.trials.slice(0, -1).map((tr) => -p.trialEvtSd * tr.evtScore);
    const truth = [-p.outEvt, p.outAge, p.outFemale, p.outNihss, p.outAspects, p.outOcclusion[1], p.outOcclusion[2], p.outIvt, p.outOnset, ...shifts, ...evtEffects];
    truth.forEach((coef, j) => {
      expect(Math.abs(fit.beta[j]! - coef)).toBeLessThan(4 * fit.stdErrors[12 + j]!);
    });
  });

  it('HERMES-like: the published analyses give the population values and the published figures (n = 50 000)', () => {
    // The proportional-odds and linear-in-mL logistic models are working models of this DGP; their large-n
    // values are the truth document's population values, and those are the calibration targets. The
    // pipelines' models have random effects for trial: at large n, trial as a fixed factor (sum contrasts).
    const pop = cohortTruth('hermes').population as Record<string, number[] | number>;
    const e = hermesEstimands(simulateHermes(50_000, 14), LARGE_N_CONTROL, true);
    expect(Math.abs(Math.log(e.corVolume / (pop.cor_volume as number)))).toBeLessThan(4 * e.corVolumeSe);
    expect(Math.abs(Math.log(e.corEvtAdjusted / (pop.cor_evt_adjusted_for_volume as number)))).toBeLessThan(4 * e.corEvtAdjustedSe);
    expect(Math.abs(e.corVolume / 0.46 - 1)).toBeLessThan(0.05);
    expect(Math.abs(e.corEvtAdjusted / 2.22 - 1)).toBeLessThan(0.1);
    // Proportion explained: SD ≈ 6.8 points at n = 1665 across seeds, so ≈ 1.3 points at n ≈ 47 500 complete cases.
    expect(Math.abs(e.proportionExplained - (pop.proportion_mediated as number))).toBeLessThan(0.04);
    expect(Math.abs(e.proportionExplained - 0.12)).toBeLessThan(0.045);
    // Volume deltas: SD ≈ 8.5 % at n = 1665, ≈ 1.6 % here; published 2 / 10 / 20 mL.
    e.volumeDeltas.forEach((dv, k) => {
      expect(Math.abs(dv / (pop.volume_delta_median_ml as number[])[k]! - 1)).toBeLessThan(0.065);
      expect(Math.abs(dv / [2, 10, 20][k]! - 1)).toBeLessThan(0.12);
    });
  });

  it('HERMES-like: refuses a volume effect on the mRS 0–2 split that would make the thresholds cross', () => {
    expect(hermesThresholdsOrdered(HERMES_DEFAULTS)).toBe(true);
    // θ_2 − δ·300^(1/3) must stay above θ_1 = 0.2493 (δ < 0.242) and below θ_3 = 2.3617 (δ > −0.0735).
    expect(hermesThresholdsOrdered({ ...HERMES_DEFAULTS, outVolumeGood: 0.24 })).toBe(true);
    expect(hermesThresholdsOrdered({ ...HERMES_DEFAULTS, outVolumeGood: 0.245 })).toBe(false);
    expect(hermesThresholdsOrdered({ ...HERMES_DEFAULTS, outVolumeGood: -0.08 })).toBe(false);
    expect(() => simulateCohort('hermes', 100, 1, { out_volume_good: 0.3 })).toThrow(/thresholds cross/);
  });

  it('HERMES-like: the population figures hold at n = 50 000 (tight tolerances)', () => {
    const t = simulateHermes(50_000, 12);
    const evt = num(t, 'evt');
    const fiv = num(t, 'fiv_ml');
    const mrs = num(t, 'mrs90');
    const pop = cohortTruth('hermes').population as Record<string, number[] | number>;
    const [m, lo, hi] = pop.fiv_median_iqr as number[];
    expect(Math.abs(q(fiv, 0.5) - m!)).toBeLessThan(1.5);
    expect(Math.abs(q(fiv, 0.25) - lo!)).toBeLessThan(1);
    expect(Math.abs(q(fiv, 0.75) - hi!)).toBeLessThan(4);
    const mCtl = where(mrs, (i) => evt[i] === 0);
    (pop.mrs_distribution_control as number[]).forEach((pk, k) => {
      expect(Math.abs(share(mCtl, (v) => v === k) - pk)).toBeLessThan(0.01);
    });
    expect(Math.abs(share(where(mrs, (i) => evt[i] === 1), (v) => v <= 2) - (pop.good_outcome_evt as number))).toBeLessThan(0.015);
    // Missingness: the realised share equals the MAR model's expected probability.
    for (const name of ['aspects', 'onset_to_rand_min', 'fiv_ml']) expect(Math.abs(missingShare(num(t, name)) - 0.049)).toBeLessThan(0.006);
  });

  it('ESCAPE-like: a cumulative-logit model with evt nominal recovers the outcome coefficients (n = 40 000, within 4 SE)', () => {
    // logit P(Y ≤ j) = θ_j + γ_j·evt − x'β with γ_j = outEvt − [j = 5]·outEvtDeath (EVT protects less against death).
    const p = ESCAPE_DEFAULTS;
    const t = simulateEscape(40_000, 13);
    const fiv = num(t, 'fiv_ml');
    const evt = num(t, 'evt');
    const side = factorCodes(t, 'laterality').codes;
    const rows = [...Array(t.nrows).keys()].filter((i) => !Number.isNaN(fiv[i]!));
    const age = num(t, 'age');
    const terms: (string | ((i: number) => number))[] = [(i) => Math.cbrt(fiv[i]!), 'nihss_24h', (i) => (side[i] === 0 ? 1 : 0), (i) => (age[i]! - 71) / 10];
    const fit = fitOrdinal(design(t, terms, rows), rows.length, terms.length, Int32Array.from(rows, (i) => num(t, 'mrs90')[i]!), 7, {
      ...LARGE_N_CONTROL,
      nominal: { Z: Float64Array.from(rows, (i) => evt[i]!), k: 1 },
    });
    p.thresholds.forEach((_, j) => {
      const gamma = p.outEvt - (j === 5 ? p.outEvtDeath : 0);
      expect(Math.abs(fit.par[2 * j + 1]! - gamma)).toBeLessThan(4 * fit.stdErrors[2 * j + 1]!);
    });
    const truth = [p.outVolume, p.outNihss24, p.outLeft, p.outAge];
    truth.forEach((b, j) => {
      expect(Math.abs(fit.beta[j]! - b)).toBeLessThan(4 * fit.stdErrors[12 + j]!);
    });
  });

  it('ESCAPE-like: the population figures hold at n = 40 000 (mRS 0–2 and death by arm, unadjusted EVT cOR)', () => {
    const pop = cohortTruth('escape').population as Record<string, number>;
    const t = simulateEscape(40_000, 15);
    const evt = num(t, 'evt');
    const mrs = num(t, 'mrs90');
    const arm = (a: number): Float64Array => where(mrs, (i) => evt[i] === a);
    // SD of a share near 0.5 over 20 000 patients ≈ 0.0035; the published figures are 53.0 / 29.3 % and 10.4 / 19.0 %.
    expect(Math.abs(share(arm(1), (v) => v <= 2) - pop.good_outcome_evt!)).toBeLessThan(0.015);
    expect(Math.abs(share(arm(0), (v) => v <= 2) - pop.good_outcome_control!)).toBeLessThan(0.015);
    expect(Math.abs(share(arm(1), (v) => v === 6) - pop.death_evt!)).toBeLessThan(0.01);
    expect(Math.abs(share(arm(0), (v) => v === 6) - pop.death_control!)).toBeLessThan(0.012);
    expect(Math.abs(share(arm(1), (v) => v === 6) - 0.104)).toBeLessThan(0.012);
    expect(Math.abs(share(arm(1), (v) => v <= 2) - 0.53)).toBeLessThan(0.015);
    const fit = fitOrdinal(Float64Array.from(evt), t.nrows, 1, Int32Array.from(mrs), 7, LARGE_N_CONTROL);
    expect(Math.abs(-fit.beta[0]! - Math.log(pop.cor_evt!))).toBeLessThan(4 * fit.stdErrors[6]!);
  });

  it('ESCAPE-like: refuses an EVT death term that would make the thresholds cross', () => {
    expect(escapeThresholdsOrdered(ESCAPE_DEFAULTS)).toBe(true);
    expect(escapeThresholdsOrdered({ ...ESCAPE_DEFAULTS, outEvtDeath: 1.1 })).toBe(false); // θ_5 − θ_4 = 1.0568
    expect(() => simulateCohort('escape', 100, 1, { out_evt_death: 2 })).toThrow(/thresholds cross/);
  });
});

describe('truth document', () => {
  it('states that the data are synthetic and gives parameters, population values and published figures', () => {
    const truth = cohortTruth('hermes');
    expect(truth.synthetic).toBe(true);
    expect(truth.note).toMatch(/^SYNTHETIC DATA/);
    const params = truth.parameters as Record<string, unknown>;
    expect(params.out_volume).toBe(HERMES_DEFAULTS.outVolume);
    expect(params.out_volume_good).toBe(HERMES_DEFAULTS.outVolumeGood);
    expect(params.thresholds).toEqual(HERMES_DEFAULTS.thresholds);
    const population = truth.population as Record<string, unknown>;
    expect(population.cor_volume).toBeCloseTo(0.46, 2);
    expect(Math.abs(Math.log((population.cor_evt_adjusted_for_volume as number) / 2.22))).toBeLessThan(0.01);
    expect((params.trials as Record<string, unknown>[])[0]).toEqual({ name: 'MR CLEAN', randomised: 500, p_mri: 0.01, p_ivt: 0.89, outcome_score: 1.6076, evt_score: -0.8685 });
    expect([params.trial_outcome_sd, params.trial_evt_sd]).toEqual([HERMES_DEFAULTS.trialOutcomeSd, HERMES_DEFAULTS.trialEvtSd]);
    expect(truth.population).not.toBeNull();
    expect(Object.keys(truth.published as object)).toContain('proportion_mediated');
  });

  it('withholds the population values when a parameter is overridden', () => {
    const truth = cohortTruth('escape', { out_evt: 1 });
    expect(truth.population).toBeNull();
    expect((truth.parameters as Record<string, unknown>).out_evt).toBe(1);
  });
});
