import { describe, expect, it } from 'vitest';
import { buildDesign, checkFullRank, modelMatrix, type DesignDescription } from '../../src/stats/design.js';
import { weightedCrossprod } from '../../src/stats/linalg.js';
import { takeRows, withColumn, type Table } from '../../src/data/table.js';
import { DataError, FitError } from '../../src/errors.js';
import { cohortFactors, expectClose, fixture, readFixtureCsv } from './models-support.js';

const cases = fixture<{ formula: string; columns: string[]; n: number; rows: number[][] }[]>('design.json');
const base = readFixtureCsv('cohort.csv', cohortFactors);
const sexf = (base.columns.get('sex_female') as { values: Float64Array }).values;
const data = withColumn(base, 'sexf', { type: 'factor', levels: ['M', 'F'], codes: Int32Array.from(sexf, (v) => (v === 1 ? 1 : 0)) });

function errorOf(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('no error thrown');
}

describe('buildDesign agrees with model.matrix', () => {
  it.each(cases.map((c) => [c.formula, c] as const))('%s', (_, c) => {
    const md = buildDesign(c.formula, data);
    expect(md.design.columns).toEqual(c.columns);
    expect(md.n).toBe(c.n);
    // the first three fitted rows, value by value
    for (let r = 0; r < 3; r++) {
      const row = Array.from({ length: md.p }, (_, j) => md.X[j * md.n + r]!);
      expectClose(row, c.rows[r]!, c.columns, `row ${r + 1}`, 1e-12, 1e-12);
    }
  });
});

describe('listwise deletion and checks', () => {
  it('reports rows dropped per variable', () => {
    const md = buildDesign('mrs90 <= 2 ~ evt + aspects + log(fiv_ml)', data);
    expect(md.nDropped).toBe(data.nrows - md.n);
    expect(md.dropped.map((d) => d.variable)).toEqual(['aspects', 'log(fiv_ml)']);
    expect(md.dropped.map((d) => d.rows)).toEqual([15, 40]);
  });
  it('names the term of an unknown column', () => {
    const e = errorOf(() => buildDesign('mrs90 ~ evt + log(fiv)', data));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toBe('unknown column "fiv" in the formula term "log(fiv)"');
  });
  it('refuses a constant term', () => {
    const t = withColumn(data, 'one', { type: 'number', values: new Float64Array(data.nrows).fill(3) });
    expect(errorOf(() => buildDesign('mrs90 ~ evt + one', t)).message).toBe('the formula term "one" is constant (every fitted row has 3)');
  });
  it('refuses an empty factor level and an unknown reference level', () => {
    const m1 = Int32Array.from({ length: data.nrows }, (_, i) => i).filter((i) => (data.columns.get('occlusion') as { codes: Int32Array }).codes[i] !== 2);
    expect(errorOf(() => buildDesign('mrs90 ~ occlusion', takeRows(data, m1))).message).toBe('level "M2" of the factor "occlusion" has no rows in the fitted data');
    expect(errorOf(() => buildDesign('mrs90 ~ occlusion', data, { reference: { occlusion: 'MCA' } })).message).toBe('reference level "MCA" does not exist in the factor "occlusion"');
  });
  it('changes the reference level', () => {
    expect(buildDesign('mrs90 ~ occlusion', data, { reference: { occlusion: 'ICA' } }).design.columns).toEqual(['(Intercept)', 'occlusionM1', 'occlusionM2']);
  });
  it('names a perfectly collinear term', () => {
    const age = (data.columns.get('age') as { values: Float64Array }).values;
    const t = withColumn(data, 'age_months', { type: 'number', values: age.map((a) => 12 * a) });
    const md = buildDesign('mrs90 ~ evt + age + age_months', t);
    const e = errorOf(() => {
      checkFullRank(md.design, md.X, md.n, md.p, weightedCrossprod(md.X, md.n, md.p, undefined, new Float64Array(md.p * md.p)));
    });
    if (!(e instanceof FitError)) throw new Error(`expected a FitError, got ${e.message}`);
    expect(e.term).toBe('age_months');
    expect(e.message).toBe('the model term "age_months" is perfectly collinear with earlier terms (column "age_months" is a linear combination of them)');
  });
});

describe('modelMatrix rebuilds the columns on new data', () => {
  it('from the JSON design, with spline knots and factor levels kept', () => {
    const md = buildDesign('mrs90 <= 2 ~ occlusion * evt + rcs(fiv_ml, 4) + I(age/10)', data);
    const design = JSON.parse(JSON.stringify(md.design)) as DesignDescription;
    // new data: the fitted rows in reverse order, with the factor's levels listed differently
    const rows = Int32Array.from(md.rows).reverse();
    const sub = takeRows(data, rows);
    const occ = sub.columns.get('occlusion') as { codes: Int32Array; levels: readonly string[] };
    const relevelled: Table = withColumn(sub, 'occlusion', { type: 'factor', levels: ['M2', 'M1', 'ICA'], codes: occ.codes.map((c) => ['M2', 'M1', 'ICA'].indexOf(occ.levels[c]!)) });
    const mm = modelMatrix(design, relevelled);
    expect(mm.p).toBe(md.p);
    for (let j = 0; j < md.p; j++) for (let r = 0; r < md.n; r++) expect(mm.X[j * mm.n + (md.n - 1 - r)]).toBe(md.X[j * md.n + r]);
  });
  it('refuses a level the model did not have, and marks incomplete rows', () => {
    const md = buildDesign('mrs90 ~ occlusion + log(fiv_ml)', data);
    const t = withColumn(data, 'occlusion', { type: 'factor', levels: ['M1', 'ICA', 'M2', 'ACA'], codes: Int32Array.from({ length: data.nrows }, (_, i) => (i === 7 ? 3 : 0)) });
    expect(errorOf(() => modelMatrix(md.design, t)).message).toContain('level "ACA" of the factor "occlusion" (row 8) was not in the fitted model');
    const mm = modelMatrix(md.design, data);
    expect(mm.complete.reduce((a, b) => a + b, 0)).toBe(md.n);
  });
});
