import { describe, expect, it } from 'vitest';
import { fitOrdinalStep } from '../../src/nodes/fit_ordinal.js';
import { encodeArtifact, type Artifact } from '../../src/data/artifact.js';
import { testContext } from '../support/context.js';
import { cohortFactors, expectClose, fixture, readFixtureCsv } from '../stats/models-support.js';

const data = readFixtureCsv('cohort.csv', cohortFactors);
const inputs = new Map<string, Artifact>([['cohort', { type: 'table', table: data }]]);
const cohort = fixture<Record<string, { terms: string[]; estimate: number[]; std_error: number[]; loglik: number; n_thresholds: number; lrt: number[]; omnibus: number }>>('cohort.json');
const covariates = ['evt', 'age', 'sex_female', 'nihss', 'aspects', 'occlusion', 'ivt', 'onset_to_rand_min', 'log(fiv_ml)'];

interface Row {
  term: string;
  estimate: number;
  std_error: number;
  conf_low: number;
  conf_high: number;
  common_or: number;
  common_or_conf_low: number;
  common_or_conf_high: number;
}
interface Value {
  coefficients: Row[];
  thresholds: Row[];
  loglik: number;
  categories: { label: string; n: number }[];
  nominal_test?: { term: string; lrt: number; df: number }[];
  brant?: { omnibus: { statistic: number } };
  warnings: string[];
}

async function run(params: Parameters<typeof fitOrdinalStep.run>[0]): Promise<{ value: Value; bytes: string }> {
  const ctx = testContext();
  const out = await fitOrdinalStep.run(params, inputs, ctx);
  if (out.type !== 'result') throw new Error('expected a result');
  return { value: out.value as unknown as Value, bytes: encodeArtifact(out) };
}

describe('fit_ordinal', () => {
  it('matches clm; favourable: low reports exp(−β) as the common OR of a better outcome; both forms agree', async () => {
    const f = cohort.ordinal!;
    const a = await run({ input: 'cohort', outcome: 'mrs90', covariates });
    const b = await run({ input: 'cohort', formula: `mrs90 ~ ${covariates.join(' + ')}` });
    expect(a.bytes).toBe(b.bytes);
    const K = f.n_thresholds;
    expect(a.value.thresholds.map((r) => r.term)).toEqual(f.terms.slice(0, K));
    expectClose(a.value.thresholds.map((r) => r.estimate), f.estimate.slice(0, K), f.terms, 'threshold');
    expectClose(a.value.coefficients.map((r) => r.estimate), f.estimate.slice(K), f.terms.slice(K), 'beta');
    expectClose(a.value.coefficients.map((r) => r.std_error), f.std_error.slice(K), f.terms.slice(K), 'SE');
    const evt = a.value.coefficients.find((r) => r.term === 'evt')!;
    expect(evt.common_or).toBeCloseTo(Math.exp(-evt.estimate), 14);
    expect(evt.common_or_conf_low).toBeCloseTo(Math.exp(-evt.conf_high), 14);
    expect(evt.common_or_conf_high).toBeCloseTo(Math.exp(-evt.conf_low), 14);
    expect(a.value.categories.map((c) => c.label)).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    const high = await run({ input: 'cohort', outcome: 'mrs90', covariates, favourable: 'high' });
    expect(high.value.coefficients[0]!.common_or).toBeCloseTo(Math.exp(high.value.coefficients[0]!.estimate), 14);
  });

  it('merges categories (mRS 5–6)', async () => {
    const f = cohort.ordinal_merged!;
    const { value } = await run({ input: 'cohort', outcome: 'mrs90', covariates, merge: [[5, 6]] });
    expect(value.categories.map((c) => c.label)).toEqual(['0', '1', '2', '3', '4', '5-6']);
    expectClose([value.loglik], [f.loglik], ['loglik'], 'loglik', 1e-12);
  });

  it('nominal and Brant tests', async () => {
    const { value } = await run({ input: 'cohort', formula: 'mrs90 ~ evt + age + occlusion', nominal_test: true, brant: true });
    expectClose(value.nominal_test!.map((r) => r.lrt), cohort.nominal!.lrt, ['evt', 'age', 'occlusion'], 'LRT', 1e-6, 1e-7);
    expectClose([value.brant!.omnibus.statistic], [cohort.brant!.omnibus], ['omnibus'], 'Brant', 1e-6);
  });

  it('refuses a merge of a category the outcome does not have', async () => {
    await expect(run({ input: 'cohort', outcome: 'mrs90', covariates: ['evt'], merge: [[6, 7]] })).rejects.toThrow('merge: the outcome has no category "7"');
  });
});
