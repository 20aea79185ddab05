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
import { cbpp, hermesLike, mixedFixture, relDiff, wine, type RFit } from '../stats/mixed-support.js';

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

/**
 * The HERMES-like fixture cohort (1 665 patients, 7 trials; hermes.R). R's references use onset in hours
 * (onset_h): our formula writes it `I(onset_to_rand_min / 60)`, the same column; ours also fits the minutes
 * as the data come (columns are scaled internally).
 */
describe('the HERMES-like cohort (hermes.R): clmm, glmer and the independent tight fits', () => {
  const fx = mixedFixture<Fixture & { clmm_agq10_error: string }>('hermes.json');
  const table = hermesLike();
  const rhs = 'cbrt(fiv_ml) + evt + age + sex_female + nihss + aspects + occlusion + ivt';
  const hours = `${rhs} + I(onset_to_rand_min / 60)`;
  /** Our result under the reference's names (the columns are the same, in the same order). */
  const as = (o: Ours, t: RFit): Ours => ({ ...o, names: t.terms.map((n) => (n.startsWith('log_sd') ? 'log_sd' : n)) });
  const binary = (nAGQ: number): Ours => ours(fitOneLogistic({ input: 'd', formula: `mrs90 <= 2 ~ ${hours} + (1 | trial)`, ...(nAGQ === 1 ? {} : { nAGQ }) }, table, 'fit', false).value);
  /** A logistic fit in the cumulative model's sign (θ − x'β: the coefficients other than the intercept negated). */
  const flipped = (o: Ours, t: RFit): Ours => ({ ...as(o, t), estimate: o.estimate.map((v, j) => (j >= 1 && j < 11 ? -v : v)) });
  const ordinal = (re: string, nAGQ = 1): Ours => ours(fitOneOrdinal({ input: 'd', formula: `mrs90 ~ ${hours} + ${re}`, ...(nAGQ === 1 ? {} : { nAGQ }) }, table, 'fit', true).value);

  it('random intercept, Laplace: as clmm (onset in hours) or tighter, and as the tight fit to 1e-6 (modes and conditional variances too)', () => {
    const o = ordinal('(1 | trial)');
    expectAgreesOrBetter(o, fx.clmm_hours!, 16);
    const t = fx.tight_ordinal!;
    // SEs: R's two references disagree at 2e-4 on the thresholds' (clmm's finite-difference Hessian and
    // numDeriv's Richardson Hessian of laplace.R's objective, whose sums over 1 665 rows round at ~1e-10);
    // ours (forward differences of the analytic gradient) lies between them: 1.3e-4 above the tight fit's,
    // 1.0e-4 below clmm's. The estimates agree to 2e-9, the log-likelihood to 1e-11.
    expectTight(as(o, t), t, 1e-6, 3e-4);
    expect(maxRel(o.se, fx.clmm_hours!.std_error, 16)).toBeLessThan(3e-4);
    o.modes.forEach((m, i) => {
      expect(Math.abs(m[0]! - t.modes![i]!)).toBeLessThan(1e-7);
      expect(relDiff(o.condSd[i]![0]! ** 2, t.cond_var![i]!)).toBeLessThan(1e-6);
    });
  });

  it('onset in minutes, as the data come: the same optimum as with hours (per minute = per hour / 60), at least as high as clmm\'s', () => {
    // On this cohort clmm with minutes stops at "relative convergence" with a max |gradient| of 1.0 (with
    // hours 0.018): its estimates are a little below the optimum, which ours reaches without rescaling.
    const r = fx.clmm_minutes!;
    const o = ours(fitOneOrdinal({ input: 'd', formula: `mrs90 ~ ${rhs} + onset_to_rand_min + (1 | trial)` }, table, 'fit', true).value);
    const t = fx.tight_ordinal!;
    expect(Math.abs(o.loglik - t.loglik)).toBeLessThan(1e-8);
    expect(o.loglik).toBeGreaterThanOrEqual(r.loglik_at_estimates! - 1e-9);
    // the onset coefficient per minute is the per-hour one / 60 (and its SE)
    expect(relDiff(o.estimate[15]! * 60, t.estimate[15]!)).toBeLessThan(1e-6);
    expect(relDiff(o.se[15]! * 60, t.std_error[15]!)).toBeLessThan(1e-5);
    expect(o.maxGradient).toBeLessThan(1e-6);
    expect(maxRel(o.estimate, r.estimate, 16)).toBeLessThan(1e-3);
  });

  it('clmm\'s AGQ fails on this cohort (its quadrature underflows); ours does not (hermes-agq.json checks its values)', () => {
    expect(fx.clmm_agq10_error).toMatch(/non-finite|Inf/);
    expect(Number.isFinite(ordinal('(1 | trial)', 10).loglik)).toBe(true);
  });

  it.each([
    ['hours', 1],
    ['agq10', 10],
    ['agq25', 25],
  ] as const)('binary mRS 0-2, %s: as glmer with tight tolerances; glmer\'s default as good or looser', (key, nAGQ) => {
    const o = binary(nAGQ);
    expectAgreesOrBetter(o, fx[`glmer_${key}`]!, 11);
    // glmer with tight tolerances still stops short (e.g. Laplace: its log-likelihood at its estimates is
    // 2.7e-9 below the tight optimum, a coefficient 8e-5 off): within the issue's 1e-4, and ours is higher
    const gt = fx[`glmer_${key}_tight`]!;
    expect(maxRel(o.estimate, gt.estimate, 11)).toBeLessThan(1e-4);
    expect(relDiff(o.sd[0]!, gt.sd as number)).toBeLessThan(1e-3);
    expect(o.loglik).toBeGreaterThan(gt.loglik_at_estimates! - 1e-9);
  });

  it('binary mRS 0-2, Laplace: the independent tight fit (clmm\'s sign) to 1e-6', () => {
    const t = fx.tight_binary_agq1!;
    expectTight(flipped(binary(1), t), t);
  });
});

/** Quadrature on the HERMES-like cohort (hermes-agq.R): the independent tight AGQ fits, nAGQ = 10 and 25. */
describe('the HERMES-like cohort, adaptive Gauss-Hermite quadrature (hermes-agq.R)', () => {
  const fx = mixedFixture<Fixture>('hermes-agq.json');
  const table = hermesLike();
  const hours = 'cbrt(fiv_ml) + evt + age + sex_female + nihss + aspects + occlusion + ivt + I(onset_to_rand_min / 60)';
  const as = (o: Ours, t: RFit): Ours => ({ ...o, names: t.terms.map((n) => (n.startsWith('log_sd') ? 'log_sd' : n)) });

  it.each([10, 25])('nAGQ = %i, ordinal outcome: the tight AGQ fit to 1e-6', (k) => {
    const t = fx[`tight_ordinal_agq${String(k)}`]!;
    // SEs within 3e-4: R's reference Hessian (numDeriv on sums over 1 665 rows) carries ~1e-4 of noise on
    // the thresholds' SEs, as with the Laplace fit (see the hermes.R block above)
    expectTight(as(ours(fitOneOrdinal({ input: 'd', formula: `mrs90 ~ ${hours} + (1 | trial)`, nAGQ: k }, table, 'fit', true).value), t), t, 1e-6, 3e-4);
  });

  it.each([10, 25])('nAGQ = %i, binary mRS 0-2: the tight AGQ fit (clmm\'s sign) to 1e-6', (k) => {
    const t = fx[`tight_binary_agq${String(k)}`]!;
    const o = ours(fitOneLogistic({ input: 'd', formula: `mrs90 <= 2 ~ ${hours} + (1 | trial)`, nAGQ: k }, table, 'fit', false).value);
    expectTight({ ...as(o, t), estimate: o.estimate.map((v, j) => (j >= 1 && j < 11 ? -v : v)) }, t);
  });
});

/** A random intercept and EVT slope on the HERMES-like cohort (hermes-slope.R). */
describe('the HERMES-like cohort, (1 + evt | trial) (hermes-slope.R)', () => {
  const fx = mixedFixture<Fixture & { tight_slope: RFit & { corr: number } }>('hermes-slope.json');
  const table = hermesLike();
  const hours = 'cbrt(fiv_ml) + evt + age + sex_female + nihss + aspects + occlusion + ivt + I(onset_to_rand_min / 60)';

  it('random intercept and EVT slope (2-D Laplace): the tight fit; clmm by default stops at its iteration limit below it', () => {
    const r = fitOneOrdinal({ input: 'd', formula: `mrs90 ~ ${hours} + (1 + evt | trial)` }, table, 'fit', true).value;
    const o = ours(r);
    const t = fx.tight_slope;
    for (let j = 0; j < 16; j++) {
      expect(Math.abs(o.estimate[j]! - t.estimate[j]!), t.terms[j]).toBeLessThan(1e-5 * Math.max(1, Math.abs(t.estimate[j]!)));
      expect(relDiff(o.se[j]!, t.std_error[j]!), `SE of ${t.terms[j]!}`).toBeLessThan(3e-4); // R's Hessian noise, as above
    }
    (t.sd as number[]).forEach((sd, k) => { expect(Math.abs(o.sd[k]! - sd)).toBeLessThan(1e-5); });
    const corr = (r.random_effects as { correlation: number }).correlation;
    expect(Math.abs(corr - t.corr)).toBeLessThan(1e-4);
    expect(Math.abs(o.loglik - t.loglik)).toBeLessThan(1e-7);
    expect(o.loglik).toBeGreaterThan(fx.clmm_slope_default!.loglik_at_estimates! - 1e-9);
    expect(o.loglik).toBeGreaterThan(fx.clmm_slope!.loglik_at_estimates! - 1e-9);
    // clmm's default stops at its iteration limit 0.8 below the maximum
    expect(o.loglik - fx.clmm_slope_default!.loglik_at_estimates!).toBeGreaterThan(0.5);
  });

  it('binary mRS 0-2 with (1 + evt | trial): the independent 2-D Laplace (clmm\'s sign) and glmer with tight tolerances', () => {
    const r = fitOneLogistic({ input: 'd', formula: `mrs90 <= 2 ~ ${hours} + (1 + evt | trial)` }, table, 'fit', false).value;
    const o = ours(r);
    const t = fx.tight_binary_slope!;
    for (let j = 0; j < 11; j++) {
      const est = j === 0 ? o.estimate[j]! : -o.estimate[j]!;
      expect(Math.abs(est - t.estimate[j]!), t.terms[j]).toBeLessThan(1e-5 * Math.max(1, Math.abs(t.estimate[j]!)));
    }
    expect(Math.abs(o.loglik - t.loglik)).toBeLessThan(1e-7);
    const g = fx.glmer_slope_tight!;
    expect(maxRel(o.estimate, g.estimate, 11)).toBeLessThan(1e-3);
    (g.sd as number[]).forEach((sd, k) => { expect(relDiff(o.sd[k]!, sd)).toBeLessThan(1e-3); });
    expect(o.loglik).toBeGreaterThan(g.loglik_at_estimates! - 1e-9);
  });
});
