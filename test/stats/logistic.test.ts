import { describe, expect, it } from 'vitest';
import { buildDesign } from '../../src/stats/design.js';
import { fitLogistic, profileConfint, splineFmm, approxLinear } from '../../src/stats/logistic.js';
import { FitError } from '../../src/errors.js';
import { makeTable } from '../../src/data/table.js';
import { bigData, cohortFactors, withCaseWeights, expectClose, fixture, readFixtureCsv } from './models-support.js';

interface GlmFixture {
  formula: string;
  terms: string[];
  estimate: number[];
  std_error: number[];
  statistic: number[];
  p_value: number[];
  vcov: number[][];
  loglik: number;
  deviance: number;
  null_deviance: number;
  aic: number;
  bic: number;
  iterations: number;
  n: number;
  profile_low?: number[];
  profile_high?: number[];
}

const cohort = fixture<Record<string, GlmFixture>>('cohort.json');
const data = withCaseWeights(readFixtureCsv('cohort.csv', cohortFactors));

function fitAndCompare(f: GlmFixture, formula: string, weights?: string, profile = false): void {
  const md = buildDesign(formula, data, { weights });
  expect(md.design.columns).toEqual(f.terms);
  expect(md.n).toBe(f.n);
  const y = (md.response as { values: Float64Array }).values;
  const fit = fitLogistic(md.X, md.n, md.p, y, { weights: md.weights, columns: md.design.columns });
  expectClose(fit.coefficients, f.estimate, f.terms, 'estimate');
  expectClose(fit.stdErrors, f.std_error, f.terms, 'std error');
  expectClose(fit.vcov, f.vcov.flat(), [], 'vcov');
  expectClose([fit.loglik, fit.deviance, fit.nullDeviance, fit.aic, fit.bic], [f.loglik, f.deviance, f.null_deviance, f.aic, f.bic], ['loglik', 'deviance', 'null deviance', 'aic', 'bic'], 'fit', 1e-10, 1e-8);
  expect(fit.iterations).toBe(f.iterations);
  expect(fit.converged).toBe(true);
  if (profile) {
    const ci = profileConfint(fit, md.X, md.n, md.p, y, { weights: md.weights });
    expectClose(ci.low, f.profile_low!, f.terms, 'profile low');
    expectClose(ci.high, f.profile_high!, f.terms, 'profile high');
  }
}

describe('fitLogistic agrees with glm(family = binomial)', () => {
  it('main-effects model on the synthetic cohort, with profile CIs as MASS confint', () => {
    fitAndCompare(cohort.logistic_main!, 'mrs90 <= 2 ~ evt + age + sex_female + nihss + aspects + occlusion + ivt + onset_to_rand_min + log(fiv_ml)', undefined, true);
  });
  it('a factor, an rcs spline, an interaction and I()', () => {
    fitAndCompare(cohort.logistic_spline!, 'mrs90 <= 2 ~ occlusion + rcs(fiv_ml, 4) + evt * age + I(nihss/10)', undefined, true);
  });
  it('indicator coding of a factor in an interaction without its main effect, no intercept', () => {
    fitAndCompare(cohort.logistic_coding!, 'mrs90 <= 2 ~ evt + log(fiv_ml):occlusion - 1');
  });
  it('case weights', () => {
    fitAndCompare(cohort.logistic_weighted!, 'mrs90 <= 2 ~ evt + age + sex_female + nihss + aspects + occlusion + ivt + onset_to_rand_min + log(fiv_ml)', 'w');
  });
  it('100 000 rows', () => {
    const big = fixture<{ logistic: GlmFixture; checks: { sum_x4: number; sum_y: number; sum_yo: number } }>('big.json');
    const t = bigData();
    const md = buildDesign('y ~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10', t);
    const y = (md.response as { values: Float64Array }).values;
    expect(y.reduce((a, b) => a + b, 0)).toBe(big.checks.sum_y);
    const fit = fitLogistic(md.X, md.n, md.p, y, { columns: md.design.columns });
    expectClose(fit.coefficients, big.logistic.estimate, big.logistic.terms, 'estimate');
    expectClose(fit.stdErrors, big.logistic.std_error, big.logistic.terms, 'std error');
    expectClose([fit.loglik], [big.logistic.loglik], ['loglik'], 'loglik', 1e-12, 1e-8);
  });
});

describe('separation and non-convergence', () => {
  const ref = fixture<{ separation: { data: { y: number; x: number; z: number; w: number }[]; complete: { warnings: string[] }; quasi: { warnings: string[] } } }>('reference_data.json').separation;
  const t = makeTable([
    ['y', { type: 'number', values: Float64Array.from(ref.data, (r) => r.y) }],
    ['x', { type: 'number', values: Float64Array.from(ref.data, (r) => r.x) }],
    ['z', { type: 'number', values: Float64Array.from(ref.data, (r) => r.z) }],
    ['w', { type: 'number', values: Float64Array.from(ref.data, (r) => r.w) }],
  ]);
  it('complete separation is a FitError naming the term (R only warns)', () => {
    expect(ref.complete.warnings.length).toBeGreaterThan(0);
    const md = buildDesign('y ~ x', t);
    const y = (md.response as { values: Float64Array }).values;
    let err: unknown;
    try {
      fitLogistic(md.X, md.n, md.p, y, { columns: md.design.columns });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FitError);
    expect((err as FitError).term).toBe('x');
    expect((err as FitError).message).toMatch(/^complete separation/);
  });
  it('quasi-complete separation by a 0/1 term is a FitError naming it; onFailure: warn returns R-like warnings', () => {
    const md = buildDesign('y ~ w + z', t);
    const y = (md.response as { values: Float64Array }).values;
    expect(() => fitLogistic(md.X, md.n, md.p, y, { columns: md.design.columns })).toThrow(/quasi-complete separation.*"z"/);
    const fit = fitLogistic(md.X, md.n, md.p, y, { columns: md.design.columns, onFailure: 'warn' });
    expect(fit.warnings.some((w) => w.includes('fitted probabilities numerically 0 or 1'))).toBe(ref.quasi.warnings.some((w) => w.includes('fitted probabilities')));
  });
});

describe('R spline()/approx() helpers', () => {
  it('fmm spline interpolates a cubic exactly', () => {
    const x = [0, 1, 2, 3, 4];
    const sp = splineFmm(x, x.map((v) => v * v * v - 2 * v));
    sp.x.forEach((v, i) => { expect(sp.y[i]).toBeCloseTo(v * v * v - 2 * v, 10); });
    expect(approxLinear([0, 1, 2], [0, 10, 20], 1.5)).toBe(15);
    expect(approxLinear([0, 1, 2], [0, 10, 20], 3)).toBeNaN();
  });
});
