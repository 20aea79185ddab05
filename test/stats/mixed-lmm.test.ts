/**
 * The linear mixed model of mediation's a-path (src/stats/mixed/lmm.ts: REML, a random intercept)
 * against lme4::lmer on the HERMES-like fixture cohort (test/fixtures/mixed/mediation.R): the mediator
 * cbrt(fiv_ml) on evt and the HERMES adjustment with (1 | trial); and a grouping that explains almost
 * nothing (trial labels permuted), where lmer's SD is small but not at its boundary.
 */
import { describe, expect, it } from 'vitest';
import { getNumeric, type Table } from '../../src/data/table.js';
import { fitLmm } from '../../src/stats/mixed/lmm.js';
import { hermesLike, mixedFixture, relDiff } from './mixed-support.js';

interface LmerFixture {
  readonly lmer: { terms: string[]; estimate: number[]; std_error: number[]; sigma: number; sd: number; reml_crit: number; singular: boolean };
  readonly lmer_noise: { estimate: number[]; sd: number; sigma: number; reml_crit: number; singular: boolean; noise_trial: number[] };
}

/** Column-major design (intercept, evt, age, sex_female, nihss, aspects, occlusionICA, occlusionM2, ivt, onset_h) and the mediator. */
function aPath(t: Table): { X: Float64Array; y: Float64Array; n: number; p: number } {
  const n = t.nrows;
  const num = (c: string): Float64Array => getNumeric(t, c);
  const occ = t.columns.get('occlusion');
  if (occ?.type !== 'factor') throw new Error('occlusion is not a factor');
  const onset = num('onset_to_rand_min');
  const cols = [
    new Float64Array(n).fill(1), num('evt'), num('age'), num('sex_female'), num('nihss'), num('aspects'),
    Float64Array.from(occ.codes, (c) => (c === 1 ? 1 : 0)), Float64Array.from(occ.codes, (c) => (c === 2 ? 1 : 0)),
    num('ivt'), Float64Array.from(onset, (v) => v / 60),
  ];
  const X = new Float64Array(n * cols.length);
  cols.forEach((c, j) => { X.set(c, j * n); });
  return { X, y: Float64Array.from(num('fiv_ml'), Math.cbrt), n, p: cols.length };
}

describe('linear mixed model (REML) against lme4::lmer', () => {
  const fx = mixedFixture<LmerFixture>('mediation.json');
  const t = hermesLike();
  const { X, y, n, p } = aPath(t);

  it('random intercept for trial: coefficients, SEs, σ, σ_b and the REML criterion', () => {
    const trial = t.columns.get('trial');
    if (trial?.type !== 'factor') throw new Error('trial is not a factor');
    const f = fitLmm(X, n, p, y, trial.codes, trial.levels.length);
    const r = fx.lmer;
    expect(f.singular).toBe(r.singular);
    r.estimate.forEach((b, j) => { expect(Math.abs(f.coefficients[j]! - b), r.terms[j]).toBeLessThan(1e-7 * Math.max(1, Math.abs(b))); });
    r.std_error.forEach((se, j) => { expect(relDiff(f.stdErrors[j]!, se), `SE of ${r.terms[j]!}`).toBeLessThan(1e-5); });
    expect(relDiff(f.sigma, r.sigma)).toBeLessThan(1e-7);
    expect(relDiff(f.sdIntercept, r.sd)).toBeLessThan(1e-4);
    // lmer's optimiser stops near the optimum; ours is at least as good (a smaller criterion)
    expect(f.remlCrit).toBeLessThan(r.reml_crit + 1e-8);
    expect(r.reml_crit - f.remlCrit).toBeLessThan(1e-6);
  });

  it('a grouping that explains almost nothing (a permuted trial): lmer\'s small SD (0.028, not at the boundary) and its coefficients', () => {
    const r = fx.lmer_noise;
    const codes = Int32Array.from(r.noise_trial, (k) => k - 1);
    const f = fitLmm(X, n, p, y, codes, 7);
    expect(r.singular).toBe(false);
    expect(f.singular).toBe(false);
    expect(relDiff(f.sdIntercept, r.sd)).toBeLessThan(1e-4);
    r.estimate.forEach((b, j) => { expect(Math.abs(f.coefficients[j]! - b)).toBeLessThan(1e-7 * Math.max(1, Math.abs(b))); });
    expect(relDiff(f.sigma, r.sigma)).toBeLessThan(1e-7);
    expect(f.remlCrit).toBeLessThan(r.reml_crit + 1e-8);
  });
});
