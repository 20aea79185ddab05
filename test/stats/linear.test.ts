import { describe, expect, it } from 'vitest';
import { buildDesign } from '../../src/stats/design.js';
import { fitLinear } from '../../src/stats/linear.js';
import { pt, qt } from '../../src/stats/distributions.js';
import { cohortFactors, expectClose, fixture, readFixtureCsv, withCaseWeights } from './models-support.js';

interface LmFixture {
  terms: string[];
  estimate: number[];
  std_error: number[];
  statistic: number[];
  p_value: number[];
  conf_low: number[];
  conf_high: number[];
  r_squared: number;
  adj_r_squared: number;
  sigma: number;
  df_residual: number;
  loglik: number;
  aic: number;
  bic: number;
  vcov: number[][];
  n: number;
}

const cohort = fixture<Record<string, LmFixture>>('cohort.json');
const data = withCaseWeights(readFixtureCsv('cohort.csv', cohortFactors));

function compare(f: LmFixture, weights?: string): void {
  const md = buildDesign('log(fiv_ml) ~ evt + age + nihss + aspects + occlusion', data, { weights });
  expect(md.design.columns).toEqual(f.terms);
  const fit = fitLinear(md.X, md.n, md.p, (md.response as { values: Float64Array }).values, { weights: md.weights });
  expectClose(fit.coefficients, f.estimate, f.terms, 'estimate');
  expectClose(fit.stdErrors, f.std_error, f.terms, 'std error');
  expectClose(fit.vcov, f.vcov.flat(), [], 'vcov');
  const t = Array.from(fit.coefficients, (b, j) => b / fit.stdErrors[j]!);
  expectClose(t, f.statistic, f.terms, 't');
  expectClose(t.map((v) => 2 * pt(-Math.abs(v), fit.dfResidual)), f.p_value, f.terms, 'p');
  const q = qt(0.975, fit.dfResidual);
  expectClose(Array.from(fit.coefficients, (b, j) => b - q * fit.stdErrors[j]!), f.conf_low, f.terms, 'CI');
  expectClose([fit.rSquared, fit.adjRSquared, fit.sigma, fit.loglik, fit.aic, fit.bic], [f.r_squared, f.adj_r_squared, f.sigma, f.loglik, f.aic, f.bic], ['R²', 'adj R²', 'sigma', 'loglik', 'aic', 'bic'], 'fit', 1e-10);
  expect(fit.dfResidual).toBe(f.df_residual);
}

describe('fitLinear agrees with lm', () => {
  it('unweighted', () => { compare(cohort.linear!); });
  it('case weights', () => { compare(cohort.linear_weighted!, 'w'); });
});
