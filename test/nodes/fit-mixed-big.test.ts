/**
 * The N = 100 000 fixture (test/fixtures/mixed/big.R): a HERMES-shaped data set re-created here from its
 * 32-bit LCG (bench/mixed-data.ts), fitted with a random intercept for trial, against clmm as users run it
 * (onset in minutes: "false convergence", the SD left at its start) and with onset in hours (stopped at its
 * evaluation limit), each with laplace.R's Laplace log-likelihood at clmm's own estimates. (The independent tight fit at this size, big-tight.R, needs hours of CPU in R and is not here.)
 */
import { describe, expect, it } from 'vitest';
import { getNumeric } from '../../src/data/table.js';
import { fitOneOrdinal } from '../../src/nodes/fit_ordinal.js';
import { bigMixedData, mixedFixture, relDiff, type RFit } from '../stats/mixed-support.js';

interface BigFixture {
  readonly n: number;
  readonly checks: { sum_mrs: number; sum_cv: number; sum_onset: number; first_mrs: number[] };
  readonly clmm_minutes: RFit & { loglik_at_estimates: number };
  readonly clmm_hours: RFit & { loglik_at_estimates: number };
}

const COVARIATES = 'cv + evt + age + sex_female + nihss + aspects + occlusion + ivt';

describe('random-intercept ordinal fit at N = 100 000 (big.R)', () => {
  const fx = mixedFixture<BigFixture>('big.json');
  const table = bigMixedData();
  const fit = (onset: string): { est: number[]; se: number[]; sd: number; loglik: number; maxGradient: number } => {
    const r = fitOneOrdinal({ input: 'd', formula: `mrs90 ~ ${COVARIATES} + ${onset} + (1 | trial)` }, table, 'fit', true).value;
    const rows = [...(r.thresholds as { estimate: number; std_error: number }[]), ...(r.coefficients as { estimate: number; std_error: number }[])];
    const re = r.random_effects as { sd: number[] };
    return { est: rows.map((x) => x.estimate), se: rows.map((x) => x.std_error), sd: re.sd[0]!, loglik: r.loglik as number, maxGradient: r.max_gradient as number };
  };

  it('re-creates R\'s data exactly', () => {
    expect(table.nrows).toBe(fx.n);
    const sum = (c: string): number => getNumeric(table, c).reduce((a, b) => a + b, 0);
    expect(sum('mrs90')).toBe(fx.checks.sum_mrs);
    expect(sum('onset_to_rand_min')).toBe(fx.checks.sum_onset);
    expect(relDiff(sum('cv'), fx.checks.sum_cv)).toBeLessThan(1e-12);
    expect(Array.from(getNumeric(table, 'mrs90').subarray(0, 20))).toEqual(fx.checks.first_mrs);
  });

  it('onset in hours: clmm stops at its evaluation limit (max |gradient| 3.6); ours is higher at a gradient below 1e-6, its estimates within 1e-2', () => {
    const o = fit('I(onset_to_rand_min / 60)');
    const r = fx.clmm_hours;
    expect(r.optimizer_message).toMatch(/evaluation limit/);
    expect(o.loglik - r.loglik_at_estimates).toBeGreaterThan(1e-6);
    expect(o.maxGradient).toBeLessThan(1e-6);
    r.estimate.forEach((b, j) => { expect(relDiff(o.est[j]!, b, 1e-2), r.terms[j]).toBeLessThan(1e-2); });
    expect(relDiff(o.sd, r.sd as number)).toBeLessThan(1e-2);
  });

  it('onset in minutes, as the data come: the hours fit\'s optimum (per minute = per hour / 60), at least as high as clmm\'s', () => {
    const m = fit('onset_to_rand_min');
    const h = fit('I(onset_to_rand_min / 60)');
    expect(Math.abs(m.loglik - h.loglik)).toBeLessThan(1e-8);
    expect(relDiff(m.est[15]! * 60, h.est[15]!)).toBeLessThan(1e-6);
    // clmm with minutes: "false convergence" with the SD at its start value 1 and the log-likelihood ~60 below
    expect(fx.clmm_minutes.optimizer_message).toMatch(/false convergence/);
    expect(m.loglik - fx.clmm_minutes.loglik_at_estimates).toBeGreaterThan(10);
    expect(m.maxGradient).toBeLessThan(1e-6);
  });
});
