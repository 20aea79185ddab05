import { describe, expect, it } from 'vitest';
import { fitLinearStep } from '../../src/nodes/fit_linear.js';
import type { Artifact, ImputedArtifact } from '../../src/data/artifact.js';
import { testContext } from '../support/context.js';
import { cohortFactors, expectClose, fixture, readFixtureCsv } from '../stats/models-support.js';

const data = readFixtureCsv('cohort.csv', cohortFactors);

interface Row {
  term: string;
  [k: string]: number | string;
}

describe('fit_linear', () => {
  it('matches lm (estimates, t-based CIs, R²)', async () => {
    const f = fixture<{ linear: { terms: string[]; estimate: number[]; conf_low: number[]; conf_high: number[]; r_squared: number; adj_r_squared: number; sigma: number } }>('cohort.json').linear;
    const out = await fitLinearStep.run({ input: 'c', outcome: 'log(fiv_ml)', covariates: ['evt', 'age', 'nihss', 'aspects', 'occlusion'] }, new Map<string, Artifact>([['c', { type: 'table', table: data }]]), testContext());
    if (out.type !== 'result') throw new Error('expected a result');
    const v = out.value as unknown as { coefficients: Row[]; r_squared: number; adj_r_squared: number; sigma: number };
    expectClose(v.coefficients.map((r) => r.estimate as number), f.estimate, f.terms, 'estimate');
    expectClose(v.coefficients.map((r) => r.conf_low as number), f.conf_low, f.terms, 'CI low');
    expectClose(v.coefficients.map((r) => r.conf_high as number), f.conf_high, f.terms, 'CI high');
    expectClose([v.r_squared, v.adj_r_squared, v.sigma], [f.r_squared, f.adj_r_squared, f.sigma], ['R²', 'adj R²', 'sigma'], 'fit', 1e-10);
  });

  it("pools imputations by Rubin's rules as mice::pool (t-based, Barnard–Rubin df)", async () => {
    const ref = fixture<{ missing_rows: number[]; linear: Record<string, number[]> & { terms: string[] } }>('pooled.json');
    const rows = Int32Array.from(ref.missing_rows);
    const imputed: ImputedArtifact = {
      type: 'imputed',
      original: data,
      m: 3,
      info: {},
      imputations: new Map([['fiv_ml', { rows, values: [1, 2, 3].map((k) => Float64Array.from(rows, (_, j) => 20 + 7 * k + ((j + 1) % 11))) }]]),
    };
    const out = await fitLinearStep.run({ input: 'imp', formula: 'log(fiv_ml) ~ evt + age + nihss + occlusion' }, new Map([['imp', imputed]]), testContext());
    if (out.type !== 'result') throw new Error('expected a result');
    const coef = (out.value as unknown as { coefficients: Row[] }).coefficients;
    expect(coef.map((r) => r.term)).toEqual(ref.linear.terms);
    for (const k of ['estimate', 'std_error', 'df', 'p_value', 'conf_low', 'conf_high', 'fmi']) {
      expectClose(coef.map((r) => r[k] as number), ref.linear[k]!, ref.linear.terms, k);
    }
  });
});
