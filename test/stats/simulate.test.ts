/**
 * The synthetic cohorts: allocation, reproducibility, the calibration targets at the published size
 * with the shipped seeds, and convergence of the realised estimates to the true parameters at large n.
 * Tolerances at n = 1665 are about 3 SDs of each figure across seeds 1..200
 * (scripts/calibrate/choose-seed.R prints those SDs; docs/synthetic-cohort.md §6 quotes them).
 */
import { describe, expect, it } from 'vitest';
import { apportion, shuffledLabels } from '../../src/stats/simulate/allocate.js';
import { simulateHermes, HERMES_DEFAULTS } from '../../src/stats/simulate/hermes.js';
import { simulateEscape, ESCAPE_DEFAULTS } from '../../src/stats/simulate/escape.js';
import { simulateCohort, overridableParameters, withOverrides } from '../../src/stats/simulate/cohorts.js';
import { cohortTruth } from '../../src/stats/simulate/truth.js';
import { ordinalFromLatent, roundTo } from '../../src/stats/simulate/draw.js';
import { fitOrdinal } from '../../src/stats/ordinal.js';
import { quantile7, sortedFinite } from '../../src/stats/quantile.js';
import { writeCsv } from '../../src/data/csv.js';
import { getNumeric, type Table } from '../../src/data/table.js';
import { rngFor } from '../../src/stats/rng.js';

/** The seeds of the shipped cohorts (pipelines/simulate-cohorts.yaml). */
const HERMES_SEED = 42;
const ESCAPE_SEED = 22;

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

  it('defines delta_nihss as nihss_24h − nihss', () => {
    const d = num(t, 'delta_nihss');
    const a = num(t, 'nihss_24h');
    const b = num(t, 'nihss');
    d.forEach((v, i) => {
      expect(v).toBe(a[i]! - b[i]!);
    });
  });
});

/** Column-major design matrix of the named numeric columns (and factor dummies) over complete rows. */
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

describe('large n: the realised estimates approach the true parameters', () => {
  it('HERMES-like: the proportional-odds model recovers the outcome coefficients (n = 50 000, within 4 SE)', () => {
    const p = HERMES_DEFAULTS;
    const t = simulateHermes(50_000, 11);
    const fiv = num(t, 'fiv_ml');
    const asp = num(t, 'aspects');
    const onset = num(t, 'onset_to_rand_min');
    const occ = factorCodes(t, 'occlusion').codes;
    const rows = [...Array(t.nrows).keys()].filter((i) => !Number.isNaN(fiv[i]!) && !Number.isNaN(asp[i]!) && !Number.isNaN(onset[i]!));
    const age = num(t, 'age');
    const nihss = num(t, 'nihss');
    // Covariates centred and scaled as in the DGP's η, so the fitted θ_j estimate the DGP's θ_j.
    const terms: (string | ((i: number) => number))[] = [
      (i) => Math.cbrt(fiv[i]!), 'evt', (i) => (age[i]! - 68) / 10, 'sex_female', (i) => nihss[i]! - 17, (i) => asp[i]! - 9,
      (i) => (occ[i] === 1 ? 1 : 0), (i) => (occ[i] === 2 ? 1 : 0), 'ivt', (i) => (onset[i]! - 190) / 60,
    ];
    const X = design(t, terms, rows);
    const y = Int32Array.from(rows, (i) => num(t, 'mrs90')[i]!);
    const fit = fitOrdinal(X, rows.length, terms.length, y, 7, LARGE_N_CONTROL);
    // clm's sign: logit P(Y ≤ j) = θ_j − x'β, so β = the DGP's η coefficients.
    const truth = [p.outVolume, -p.outEvt, p.outAge, p.outFemale, p.outNihss, p.outAspects, p.outOcclusion[1], p.outOcclusion[2], p.outIvt, p.outOnset];
    truth.forEach((b, j) => {
      const se = fit.stdErrors[6 + j]!;
      expect(Math.abs(fit.beta[j]! - b)).toBeLessThan(4 * se);
    });
    p.thresholds.forEach((th, j) => {
      expect(Math.abs(fit.thresholds[j]! - th)).toBeLessThan(4 * fit.stdErrors[j]!);
    });
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

  it('ESCAPE-like: the proportional-odds model recovers the outcome coefficients (n = 40 000, within 4 SE)', () => {
    const p = ESCAPE_DEFAULTS;
    const t = simulateEscape(40_000, 13);
    const fiv = num(t, 'fiv_ml');
    const side = factorCodes(t, 'laterality').codes;
    const rows = [...Array(t.nrows).keys()].filter((i) => !Number.isNaN(fiv[i]!));
    const age = num(t, 'age');
    const terms: (string | ((i: number) => number))[] = [(i) => Math.cbrt(fiv[i]!), 'nihss_24h', (i) => (side[i] === 0 ? 1 : 0), (i) => (age[i]! - 71) / 10, 'evt'];
    const fit = fitOrdinal(design(t, terms, rows), rows.length, terms.length, Int32Array.from(rows, (i) => num(t, 'mrs90')[i]!), 7, LARGE_N_CONTROL);
    const truth = [p.outVolume, p.outNihss24, p.outLeft, p.outAge, -p.outEvt];
    truth.forEach((b, j) => {
      expect(Math.abs(fit.beta[j]! - b)).toBeLessThan(4 * fit.stdErrors[6 + j]!);
    });
  });
});

describe('truth document', () => {
  it('states that the data are synthetic and gives parameters, population values and published figures', () => {
    const truth = cohortTruth('hermes');
    expect(truth.synthetic).toBe(true);
    expect(truth.note).toMatch(/^SYNTHETIC DATA/);
    const params = truth.parameters as Record<string, unknown>;
    expect(params.out_volume).toBeCloseTo(-Math.log(0.46), 14);
    expect(Math.exp(params.out_evt as number)).toBeCloseTo(2.22, 12);
    expect((params.trials as Record<string, unknown>[])[0]).toEqual({ name: 'MR CLEAN', randomised: 500, p_mri: 0.01, p_ivt: 0.89 });
    expect(truth.population).not.toBeNull();
    expect(Object.keys(truth.published as object)).toContain('proportion_mediated');
  });

  it('withholds the population values when a parameter is overridden', () => {
    const truth = cohortTruth('escape', { out_evt: 1 });
    expect(truth.population).toBeNull();
    expect((truth.parameters as Record<string, unknown>).out_evt).toBe(1);
  });
});
