import { describe, expect, it } from 'vitest';
import { fitLogisticStep } from '../../src/nodes/fit_logistic.js';
import { encodeArtifact, type Artifact, type ImputedArtifact } from '../../src/data/artifact.js';
import { canonicalJson } from '../../src/data/canonical.js';
import { testContext } from '../support/context.js';
import { cohortFactors, expectClose, fixture, readFixtureCsv } from '../stats/models-support.js';
import { buildDesign, modelMatrix, type DesignDescription } from '../../src/stats/design.js';

const data = readFixtureCsv('cohort.csv', cohortFactors);
const inputs = new Map<string, Artifact>([['cohort', { type: 'table', table: data }]]);
const main = fixture<{ logistic_main: { terms: string[]; estimate: number[]; std_error: number[]; profile_low: number[]; profile_high: number[]; loglik: number; aic: number; bic: number } }>('cohort.json').logistic_main;
const covariates = ['evt', 'age', 'sex_female', 'nihss', 'aspects', 'occlusion', 'ivt', 'onset_to_rand_min', 'log(fiv_ml)'];

interface Row {
  term: string;
  estimate: number;
  std_error: number;
  conf_low: number;
  conf_high: number;
  odds_ratio: number;
  odds_ratio_conf_low: number;
  [k: string]: number | string;
}

describe('fit_logistic', () => {
  it('formula and outcome/covariates give byte-identical results, matching glm and MASS confint', async () => {
    const a = await fitLogisticStep.run({ input: 'cohort', formula: `mrs90 <= 2 ~ ${covariates.join(' + ')}` }, inputs, testContext());
    const b = await fitLogisticStep.run({ input: 'cohort', outcome: 'mrs90 <= 2', covariates }, inputs, testContext());
    expect(encodeArtifact(a)).toBe(encodeArtifact(b));
    if (a.type !== 'result') throw new Error('expected a result');
    const v = a.value as unknown as { n: number; n_dropped: number; dropped: { variable: string; rows: number }[]; coefficients: Row[]; loglik: number; aic: number; bic: number; converged: boolean; ci_method: string; formula: string; model: { design: DesignDescription; coefficients: number[] } };
    expect(v.n).toBe(1611);
    expect(v.n_dropped).toBe(54);
    expect(v.dropped).toEqual([
      { variable: 'aspects', rows: 15 },
      { variable: 'log(fiv_ml)', rows: 40 },
    ]);
    expect(v.ci_method).toBe('profile');
    expect(v.coefficients.map((r) => r.term)).toEqual(main.terms);
    expectClose(v.coefficients.map((r) => r.estimate), main.estimate, main.terms, 'estimate');
    expectClose(v.coefficients.map((r) => r.std_error), main.std_error, main.terms, 'SE');
    expectClose(v.coefficients.map((r) => r.conf_low), main.profile_low, main.terms, 'profile low');
    expectClose(v.coefficients.map((r) => r.odds_ratio_conf_low), main.profile_low.map(Math.exp), main.terms, 'OR low');
    expectClose([v.loglik, v.aic, v.bic], [main.loglik, main.aic, main.bic], ['loglik', 'aic', 'bic'], 'fit', 1e-10);
    expect(v.converged).toBe(true);
    // the model object predicts: rebuild X on the data from the JSON design and recover the linear predictor
    const design = JSON.parse(canonicalJson(v.model.design)) as DesignDescription;
    const mm = modelMatrix(design, data);
    const md = buildDesign(v.formula, data);
    let maxDiff = 0;
    for (let r = 0; r < md.n; r++) {
      const i = md.rows[r]!;
      let e1 = 0;
      let e2 = 0;
      for (let j = 0; j < md.p; j++) {
        e1 += mm.X[j * mm.n + i]! * v.model.coefficients[j]!;
        e2 += md.X[j * md.n + r]! * v.model.coefficients[j]!;
      }
      maxDiff = Math.max(maxDiff, Math.abs(e1 - e2));
    }
    expect(maxDiff).toBe(0);
  });

  it('rejects both forms at once, and a bad formula, at check time', () => {
    expect(fitLogisticStep.check!({ input: 'c', formula: 'y ~ a', outcome: 'y', covariates: ['a'] })[0]!.message).toContain('either formula or outcome + covariates');
    const p = fitLogisticStep.check!({ input: 'c', formula: 'y ~ a +' })[0]!;
    expect(p.path).toBe('formula');
    expect(p.message).toContain('the formula ends where a term was expected');
  });

  it('an imputed input is pooled by Rubin\'s rules as mice::pool', async () => {
    const ref = fixture<{ missing_rows: number[]; logistic: Record<string, number[] | string[]> }>('pooled.json');
    const rows = Int32Array.from(ref.missing_rows);
    const imputed: ImputedArtifact = {
      type: 'imputed',
      original: data,
      m: 3,
      info: {},
      imputations: new Map([['fiv_ml', { rows, values: [1, 2, 3].map((k) => Float64Array.from(rows, (_, j) => 20 + 7 * k + ((j + 1) % 11))) }]]),
    };
    const out = await fitLogisticStep.run({ input: 'imp', formula: 'mrs90 <= 2 ~ evt + age + log(fiv_ml) + occlusion' }, new Map([['imp', imputed]]), testContext());
    if (out.type !== 'result') throw new Error('expected a result');
    const coef = (out.value as unknown as { coefficients: Row[] }).coefficients;
    const L = ref.logistic as Record<string, number[]>;
    const terms = ref.logistic.terms as string[];
    expect(coef.map((r) => r.term)).toEqual(terms);
    for (const k of ['estimate', 'std_error', 'df', 'p_value', 'conf_low', 'conf_high', 'ubar', 'b', 't', 'riv', 'lambda', 'fmi']) {
      expectClose(coef.map((r) => r[k] as number), L[k]!, terms, k);
    }
  });

  it('separation is a FitError naming the term', async () => {
    const evt = (data.columns.get('evt') as { values: Float64Array }).values;
    const t = new Map<string, Artifact>([['c', { type: 'table', table: { nrows: data.nrows, columns: new Map([...data.columns, ['good', { type: 'number', values: evt.map((e, i) => (e === 1 ? 1 : i % 2)) }]]) } }]]);
    await expect(Promise.resolve().then(() => fitLogisticStep.run({ input: 'c', formula: 'good ~ evt + age', ci: 'wald' }, t, testContext()))).rejects.toThrow(/quasi-complete separation.*"evt"/);
  });
});
