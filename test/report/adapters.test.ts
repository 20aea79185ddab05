import { describe, expect, it } from 'vitest';
import { makeTable } from '../../src/data/table.js';
import { DataError } from '../../src/errors.js';
import { grottaCounts } from '../../src/report/adapters/grotta.js';
import { volumeDeltaFromResult } from '../../src/report/adapters/volume-delta.js';
import { fitSummary, randomEffectsNote } from '../../src/report/adapters/model.js';
import { fitOneOrdinal } from '../../src/nodes/fit_ordinal.js';
import { wine } from '../stats/mixed-support.js';
import { bootstrapFromResult } from '../../src/report/adapters/bootstrap.js';

const origin = { step: 's', expected: 'a test result' };

describe('Grotta counts from a table', () => {
  const table = makeTable([
    ['mrs90', { type: 'number', values: Float64Array.of(0, 2, 2, 6, NaN, 1, 3, 0) }],
    ['evt', { type: 'number', values: Float64Array.of(1, 1, 0, 0, 1, NaN, 0, 1) }],
  ]);

  it('tabulates every score from the lowest to the highest, groups in the requested order, and counts the missing', () => {
    const c = grottaCounts(table, 'mrs90', 'evt', new Map([['1', 'EVT'], ['0', 'Control']]));
    expect(c.categories).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    expect(c.groups).toEqual([
      { label: 'EVT', counts: [2, 0, 1, 0, 0, 0, 0] },
      { label: 'Control', counts: [0, 0, 1, 1, 0, 0, 1] },
    ]);
    expect(c.missing).toBe(2);
  });

  it('names unnamed groups by column and value, ascending', () => {
    expect(grottaCounts(table, 'mrs90', 'evt').groups.map((g) => g.label)).toEqual(['evt = 0', 'evt = 1']);
  });

  it('takes a factor outcome in its level order', () => {
    const t = makeTable([
      ['y', { type: 'factor', codes: Int32Array.of(1, 0, 2, -1), levels: ['good', 'fair', 'poor'] }],
      ['g', { type: 'factor', codes: Int32Array.of(0, 0, 1, 1), levels: ['A', 'B'] }],
    ]);
    const c = grottaCounts(t, 'y', 'g');
    expect(c.categories).toEqual(['good', 'fair', 'poor']);
    expect(c.groups).toEqual([
      { label: 'g = A', counts: [1, 1, 0] },
      { label: 'g = B', counts: [0, 0, 1] },
    ]);
  });

  it('refuses a continuous outcome and an unknown column', () => {
    const t = makeTable([
      ['fiv', { type: 'number', values: Float64Array.of(1.5, 2) }],
      ['evt', { type: 'number', values: Float64Array.of(0, 1) }],
    ]);
    expect(() => grottaCounts(t, 'fiv', 'evt')).toThrow(/non-integer value 1.5 at row 1/);
    expect(() => grottaCounts(t, 'mrs', 'evt')).toThrow(DataError);
  });
});

describe('volume_delta results', () => {
  it('adds up the reasons a target is not achievable and reads the curve table', () => {
    const v = volumeDeltaFromResult(
      {
        type: 'result',
        value: { variable: 'fiv_ml', where: 'fiv_ml < 80', cut: 80, patients: 10, summaries: [{ delta: 0.05, solved: 6, exceeds_volume: 2, target_ge_1: 1, not_reached: 1, median: 10, q1: 8, q3: 12, mean: 10.5, min: 3, max: 20 }] },
        tables: new Map([['curve', makeTable([['fiv_ml', { type: 'number', values: Float64Array.of(0, 80) }], ['probability', { type: 'number', values: Float64Array.of(0.6, 0.3) }], ['lower', { type: 'number', values: Float64Array.of(0.5, 0.2) }], ['upper', { type: 'number', values: Float64Array.of(0.7, 0.4) }]])]]),
      },
      origin,
    );
    expect(v.rows[0]).toMatchObject({ delta: 0.05, solved: 6, notAchievable: 4, median: 10 });
    expect(v.curve).toEqual([
      { x: 0, p: 0.6, low: 0.5, high: 0.7 },
      { x: 80, p: 0.3, low: 0.2, high: 0.4 },
    ]);
    expect(v.cut).toBe(80);
    expect(v.n).toBe(10);
  });

  it('names the step and the missing field', () => {
    expect(() => volumeDeltaFromResult({ type: 'result', value: { summaries: [{ delta: 0.01 }] } }, origin)).toThrow(
      'report: step "s" is not a test result: summaries[0] has no field "solved" (fields: delta)',
    );
  });
});

describe('fit results', () => {
  const row = { term: 'evt', estimate: -0.8, std_error: 0.1, statistic: -8, p_value: 1e-15, conf_low: -1, conf_high: -0.6 };

  it('takes the common OR and its CI columns of an ordinal fit, without the intercept', () => {
    const s = fitSummary({ model_type: 'ordinal', n: 100, coefficients: [{ ...row, common_or: 2.2255, common_or_conf_low: 1.82, common_or_conf_high: 2.72 }] }, origin);
    expect(s).toEqual({ n: 100, effect: 'cOR', terms: [{ term: 'evt', estimate: 2.2255, low: 1.82, high: 2.72, p: 1e-15 }] });
    const l = fitSummary({ model_type: 'logistic', coefficients: [{ ...row, term: '(Intercept)', odds_ratio: 1, odds_ratio_conf_low: 1, odds_ratio_conf_high: 1 }, { ...row, odds_ratio: 0.45, odds_ratio_conf_low: 0.37, odds_ratio_conf_high: 0.55 }] }, origin);
    expect(l.terms.map((t) => t.term)).toEqual(['evt']);
    expect(l.effect).toBe('OR');
  });

  it('shows a linear fit on its own scale', () => {
    expect(fitSummary({ model_type: 'linear', coefficients: [row] }, origin).terms[0]).toEqual({ term: 'evt', estimate: -0.8, low: -1, high: -0.6, p: 1e-15 });
  });

  it('a mixed model: its random effects, VarCorr style, in the table note (ordinal::wine, clmm: judge SD 1.13)', () => {
    const r = fitOneOrdinal({ input: 'd', formula: 'rating ~ temp + contact + (1 | judge)' }, wine(), 'fit', true);
    const s = fitSummary(r.value, origin);
    expect(s.randomEffects).toMatchObject({ group: 'judge', clusters: 9, terms: ['(Intercept)'], singular: false, method: 'laplace' });
    expect(randomEffectsNote('', s, (t) => t)).toBe('Random effects for judge ((1 | judge); 9 clusters; Laplace): SD of the intercept 1.13; ICC (latent scale) 0.280.');
    expect(randomEffectsNote('', fitSummary({ model_type: 'linear', coefficients: [row] }, origin), (t) => t)).toBeUndefined();
    const slope = fitSummary({ ...r.value, random_effects: { ...(r.value.random_effects as object), term: '(1 + temp | judge)', terms: ['(Intercept)', 'tempwarm'], sd: [1, 0], correlation: null, icc_latent: 0.2, singular: true } }, origin);
    expect(randomEffectsNote('M: ', slope, (t) => (t === 'tempwarm' ? 'warm' : t))).toMatch(/^M: random effects for judge \(\(1 \+ temp \| judge\); 9 clusters; Laplace\): SD of the intercept 1\.00, of the warm slope 0\.00; ICC \(latent scale\) 0\.200\. Boundary \(singular\) fit/);
  });

  it('refuses a result that is not a fit', () => {
    expect(() => fitSummary({ coefficients: [] }, origin)).toThrow(/it has no model_type/);
    expect(() => fitSummary({ model_type: 'logistic', coefficients: [row] }, origin)).toThrow(/coefficients\[0\] has no field "odds_ratio"/);
  });
});

describe('bootstrap results', () => {
  const value = {
    replicates: 3,
    failed: { count: 1, reasons: [] },
    estimates: [
      { name: 'a', original: 1, mean: 1.1, se: 0.2, percentile: { lower: 0.7, upper: 1.4 }, bca: null, notes: [] },
      { name: 'b', original: 2, mean: 2, se: 0.1, percentile: null, bca: { lower: 1.8, upper: 2.2, acceleration: 0 }, notes: ['BCa: note'] },
    ],
  };
  const artifact = { type: 'result' as const, value, tables: new Map([['replicates', makeTable([['b', { type: 'number', values: Float64Array.of(1.9, NaN, 2.1) }]])]]) };

  it('picks the named estimate, its intervals and its finite replicates', () => {
    const b = bootstrapFromResult(value, artifact, origin, 'b');
    expect(b).toMatchObject({ estimateName: 'b', estimate: 2, cis: [{ method: 'BCa', low: 1.8, high: 2.2 }], values: [1.9, 2.1], replicates: 3, failed: 1 });
    expect(b.notes).toEqual(['BCa: note', '1 replicate failed and is left out.']);
  });

  it('asks for an estimate when there are several', () => {
    expect(() => bootstrapFromResult(value, artifact, origin, undefined)).toThrow(/it has 2 estimates and the section names none/);
    expect(() => bootstrapFromResult(value, artifact, origin, 'c')).toThrow(/it has no estimate "c"/);
  });
});
