/**
 * Mixed models in fit_ordinal and fit_logistic against R (test/fixtures/mixed/*.R): clmm and glmer as
 * users run them, glmer with tight tolerances, and an independent tightly converged Laplace / AGQ written
 * in R (laplace.R). The issue's bar against clmm / glmer Laplace: fixed effects and thresholds within
 * 1e-4 relative, logLik within 1e-6 absolute, RE SD within 1e-3 relative — or, where R stops early, a
 * higher log-likelihood than R's at R's own estimates, a gradient below 1e-6, and agreement with the tight
 * references to 1e-6.
 */
import { describe, expect, it } from 'vitest';
import type { Table } from '../../src/data/table.js';
import { fitOneLogistic } from '../../src/nodes/fit_logistic.js';
import { fitOneOrdinal } from '../../src/nodes/fit_ordinal.js';
import { cbpp, mixedFixture, relDiff, wine, type RFit } from '../stats/mixed-support.js';

type Fixture = Record<string, RFit & { loglik_at_estimates?: number }>;

interface Ours {
  readonly names: string[];
  readonly estimate: number[];
  readonly se: number[];
  readonly loglik: number;
  readonly sd: number[];
  readonly maxGradient: number;
  readonly modes: number[][];
  readonly condSd: number[][];
}

/** The estimates of a fit step's result in the fixture's order: thresholds, coefficients, then log SD. */
function ours(value: Record<string, unknown>): Ours {
  const rows = [...((value.thresholds as { term: string; estimate: number; std_error: number }[] | undefined) ?? []), ...(value.coefficients as { term: string; estimate: number; std_error: number }[])];
  const re = value.random_effects as { sd: number[]; log_sd: number[]; se_log_sd: number[]; levels: { mode: number[]; cond_sd: number[] }[] };
  return {
    names: [...rows.map((r) => r.term), 'log_sd'],
    estimate: [...rows.map((r) => r.estimate), re.log_sd[0]!],
    se: [...rows.map((r) => r.std_error), re.se_log_sd[0]!],
    loglik: value.loglik as number,
    sd: re.sd,
    maxGradient: value.max_gradient as number,
    modes: re.levels.map((l) => l.mode),
    condSd: re.levels.map((l) => l.cond_sd),
  };
}

/** max over parameters of the relative difference. */
function maxRel(a: readonly number[], b: readonly number[], upTo = b.length): number {
  let m = 0;
  for (let j = 0; j < upTo; j++) m = Math.max(m, relDiff(a[j]!, b[j]!, 1e-3));
  return m;
}

/**
 * The issue's bar against an R default fit: within tolerance, or — where R's optimum is looser — our
 * log-likelihood above the Laplace log-likelihood at R's estimates (R's reported value can carry its inner
 * loop's error), which `tight` then confirms.
 */
function expectAgreesOrBetter(o: Ours, r: RFit & { loglik_at_estimates?: number }, fixedCount: number): void {
  const withinTol = maxRel(o.estimate, r.estimate, fixedCount) < 1e-4 && Math.abs(o.loglik - r.loglik) < 1e-6 && relDiff(o.sd[0]!, r.sd as number) < 1e-3;
  if (withinTol) return;
  // R stopped early: show the tighter optimum
  expect(r.loglik_at_estimates).toBeDefined();
  expect(o.loglik).toBeGreaterThan(r.loglik_at_estimates! - 1e-10);
  expect(o.maxGradient).toBeLessThan(1e-6);
  // and still close to R (the estimates of a loose optimum are ~1e-4 off, its SD ~1e-3)
  expect(maxRel(o.estimate, r.estimate, fixedCount)).toBeLessThan(2e-3);
  expect(relDiff(o.sd[0]!, r.sd as number)).toBeLessThan(3e-3);
}

/** Agreement with a tight reference: estimates, SEs, logLik. */
function expectTight(o: Ours, t: RFit, estTol = 1e-6, seTol = 1e-5): void {
  expect(o.names).toEqual(t.terms.map((n) => (n.startsWith('log_sd') ? 'log_sd' : n)));
  for (let j = 0; j < t.estimate.length; j++) {
    expect(Math.abs(o.estimate[j]! - t.estimate[j]!), `${o.names[j]!}: ${o.estimate[j]!} vs ${t.estimate[j]!}`).toBeLessThan(estTol * Math.max(1, Math.abs(t.estimate[j]!)));
    expect(relDiff(o.se[j]!, t.std_error[j]!), `SE of ${o.names[j]!}`).toBeLessThan(seTol);
  }
  expect(Math.abs(o.loglik - t.loglik)).toBeLessThan(1e-8);
  expect(o.loglik).toBeGreaterThan(t.loglik - 1e-9);
}

describe('fit_ordinal with (1 | judge): ordinal::wine against clmm', () => {
  const fx = mixedFixture<Fixture>('wine.json');
  const table: Table = wine();
  it.each([
    ['laplace', 1],
    ['agq10', 10],
    ['agq25', 25],
  ] as const)('%s: as clmm (or tighter), and as the independent tight fit to 1e-6', (key, nAGQ) => {
    const r = fitOneOrdinal({ input: 'd', formula: 'rating ~ temp + contact + (1 | judge)', ...(nAGQ === 1 ? {} : { nAGQ }) }, table, 'fit', true);
    const o = ours(r.value);
    expectAgreesOrBetter(o, fx[`clmm_${key}`]!, 6);
    expectTight(o, fx[`tight_${key}`]!);
    expect(o.maxGradient).toBeLessThan(1e-8);
  });

  it('clmm\'s reported Laplace logLik is 3.5e-6 above the Laplace likelihood at its own estimates (its inner Newton stops at 1e-4); ours is the maximum', () => {
    const r = fx.clmm_laplace!;
    expect(r.loglik - r.loglik_at_estimates!).toBeGreaterThan(3e-6);
    const o = ours(fitOneOrdinal({ input: 'd', formula: 'rating ~ temp + contact + (1 | judge)' }, table, 'fit', true).value);
    expect(o.loglik).toBeGreaterThan(r.loglik_at_estimates!);
    expect(o.loglik - r.loglik_at_estimates!).toBeLessThan(1e-8);
  });

  it('conditional modes and conditional SDs as clmm\'s ranef / condVar, and as the tight fit\'s', () => {
    const o = ours(fitOneOrdinal({ input: 'd', formula: 'rating ~ temp + contact + (1 | judge)' }, table, 'fit', true).value);
    const r = fx.clmm_laplace!;
    const t = fx.tight_laplace!;
    o.modes.forEach((m, i) => {
      expect(Math.abs(m[0]! - r.modes![i]!)).toBeLessThan(1e-4);
      expect(Math.abs(m[0]! - t.modes![i]!)).toBeLessThan(1e-7);
      expect(relDiff(o.condSd[i]![0]! ** 2, t.cond_var![i]!)).toBeLessThan(1e-7);
      expect(relDiff(o.condSd[i]![0]! ** 2, r.cond_var![i]!)).toBeLessThan(1e-3);
    });
  });
});

describe('fit_logistic with (1 | herd): lme4::cbpp (842 animals as 0/1 rows) against glmer', () => {
  const fx = mixedFixture<Fixture>('cbpp.json');
  const table = cbpp();
  /** Our fit in the fixture's (clmm-sign) order: θ = intercept, −β, log SD. */
  function fitCbpp(nAGQ: number): Ours {
    const r = fitOneLogistic({ input: 'd', formula: 'sick ~ period + (1 | herd)', ...(nAGQ === 1 ? {} : { nAGQ }) }, table, 'fit', false);
    return ours(r.value);
  }
  it.each([
    ['laplace', 1],
    ['agq10', 10],
    ['agq25', 25],
  ] as const)('%s: glmer\'s default stops early — ours is higher than glmer at glmer\'s estimates, equal to glmer tight and to the independent fit', (key, nAGQ) => {
    const o = fitCbpp(nAGQ);
    const g = fx[`glmer_${key}`]!;
    const gt = fx[`glmer_${key}_tight`]!;
    // glmer's sign: the same coefficients
    expectAgreesOrBetter(o, { ...g, estimate: g.estimate }, 4);
    expect(maxRel(o.estimate, gt.estimate, 4)).toBeLessThan(1e-5);
    expect(Math.abs(o.loglik - gt.loglik_at_estimates!)).toBeLessThan(1e-7);
    expect(relDiff(o.sd[0]!, gt.sd as number)).toBeLessThan(1e-4);
    // the independent tight fit is in clmm's sign: θ, −β
    const t = fx[`tight_${key}`]!;
    const flipped = { ...o, names: ['0|1', ...o.names.slice(1)], estimate: o.estimate.map((v, j) => (j >= 1 && j < 4 ? -v : v)) };
    expectTight(flipped, t);
  });

  it('glmer\'s default Laplace logLik is 2.8e-4 below the maximum (PIRLS tolerance, lme4 #998); its SEs 1 % off', () => {
    const o = fitCbpp(1);
    const g = fx.glmer_laplace!;
    expect(o.loglik - g.loglik).toBeGreaterThan(2.5e-4);
    expect(relDiff(o.se[1]!, g.std_error[1]!)).toBeGreaterThan(0.005);
    expect(relDiff(o.se[1]!, fx.glmer_laplace_tight!.std_error[1]!)).toBeLessThan(2e-5);
  });
});
