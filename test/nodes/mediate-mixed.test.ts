/**
 * `kind: mediate` with a random intercept for trial against R (test/fixtures/mixed/mediation.R) on the
 * HERMES-like fixture cohort: the a-path as lme4::lmer (REML) and the outcome models as tightly converged
 * clmm Laplace fits (laplace.R's objective, clmm's sign), giving the difference method's proportion
 * explained, the product method and the odds ratios. R's references use onset in hours; the same column
 * is made here.
 */
import { describe, expect, it } from 'vitest';
import type { Artifact, ResultArtifact } from '../../src/data/artifact.js';
import { getNumeric, withColumn } from '../../src/data/table.js';
import { mediate, type MediateParams } from '../../src/nodes/mediate.js';
import { testContext } from '../support/context.js';
import { hermesLike, mixedFixture, relDiff } from '../stats/mixed-support.js';

interface MediationFixture {
  readonly lmer: { terms: string[]; estimate: number[]; std_error: number[] };
  readonly outcome: {
    direct: number[]; direct_se: number[]; total: number[]; total_se: number[];
    proportion_explained: number; product_indirect: number; product_proportion: number;
    direct_or: number; total_or: number; mediator_or: number;
  };
}

const fx = mixedFixture<MediationFixture>('mediation.json');
const cohort = hermesLike();
const table = withColumn(cohort, 'onset_h', { type: 'number', values: getNumeric(cohort, 'onset_to_rand_min').map((v) => v / 60) });
const params: MediateParams = {
  input: 'cohort', outcome: 'mrs90', exposure: 'evt', mediator: 'fiv_ml', transform: 'cbrt',
  covariates: ['age', 'sex_female', 'nihss', 'aspects', 'occlusion', 'ivt', 'onset_h'], random: '(1 | trial)', counterfactual: false,
};
const num = (v: Record<string, unknown>, path: string): number => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], v) as number;

describe('mediate with (1 | trial) against lmer and clmm (mediation.R)', async () => {
  const a = (await mediate.run(params, new Map<string, Artifact>([['cohort', { type: 'table', table }]]), testContext())) as ResultArtifact;
  const v = a.value;

  it('fits clmm-type outcome models and reports them so', () => {
    expect(a.type).toBe('result');
    expect((v.outcome as { model: string }).model).toBe('clmm');
  });

  it('the difference method: total and direct odds ratios and the proportion explained, as the tight fits', () => {
    const o = fx.outcome;
    expect(relDiff(num(v, 'total.or'), o.total_or)).toBeLessThan(1e-5);
    expect(relDiff(num(v, 'direct.or'), o.direct_or)).toBeLessThan(1e-5);
    expect(relDiff(num(v, 'mediator_effect.or'), o.mediator_or)).toBeLessThan(1e-5);
    expect(Math.abs(num(v, 'proportion_explained') - o.proportion_explained)).toBeLessThan(1e-5);
  });

  it('the product method: the lmer a-path times the mediator\'s log-odds', () => {
    const o = fx.outcome;
    expect(relDiff(num(v, 'product.indirect'), o.product_indirect)).toBeLessThan(1e-5);
    expect(Math.abs(num(v, 'product.proportion') - o.product_proportion)).toBeLessThan(1e-5);
  });
});
