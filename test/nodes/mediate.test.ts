/** `kind: mediate` run directly on the HERMES-like fixture (test/fixtures/mediation/hermes-like.R). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Artifact, type ResultArtifact, encodeArtifact } from '../../src/data/artifact.js';
import { withColumn } from '../../src/data/table.js';
import { DataError } from '../../src/errors.js';
import { mediate, type MediateParams } from '../../src/nodes/mediate.js';
import { testContext } from '../support/context.js';
import { type FixtureColumn, fixtureTable } from '../stats/fixture-table.js';

const fx = JSON.parse(readFileSync(new URL('../fixtures/mediation/hermes-like.json', import.meta.url), 'utf8')) as {
  covariates: string[];
  data: Record<string, FixtureColumn>;
  cases: { name: string; n: number; total: { log_or: number }; direct: { log_or: number }; proportion_explained: number; product: { proportion: number }; g: Record<string, number> }[];
};
const table = fixtureTable(fx.data);
const inputs = new Map<string, Artifact>([['cohort', { type: 'table', table }]]);
const base: MediateParams = { input: 'cohort', outcome: 'mrs90', exposure: 'evt', mediator: 'fiv_ml', transform: 'cbrt', covariates: fx.covariates };
const ref = fx.cases.find((c) => c.name === 'ordinal_cbrt')!;

async function value(p: MediateParams, seed?: number): Promise<Record<string, unknown>> {
  const a = (await mediate.run(p, inputs, testContext(seed === undefined ? {} : { seed }))) as ResultArtifact;
  expect(a.type).toBe('result');
  return a.value;
}
const num = (v: Record<string, unknown>, path: string): number => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], v) as number;

describe('mediate', () => {
  it('reports the difference and product methods at stable numeric paths, with n and the dropped rows', async () => {
    const v = await value({ ...base, counterfactual: false });
    expect(v.n).toBe(ref.n);
    expect(v.n_dropped).toBe(table.nrows - ref.n);
    expect(v.dropped).toEqual({ aspects: 25, fiv_ml: 40 });
    expect(num(v, 'total.log_or')).toBeCloseTo(ref.total.log_or, 6);
    expect(num(v, 'direct.log_or')).toBeCloseTo(ref.direct.log_or, 6);
    expect(num(v, 'proportion_explained')).toBeCloseTo(ref.proportion_explained, 6);
    expect(num(v, 'product.proportion')).toBeCloseTo(ref.product.proportion, 6);
    // The common OR of EVT towards lower (better) mRS.
    expect(num(v, 'total.or')).toBeCloseTo(Math.exp(-ref.total.log_or), 6);
    expect(v.mediator).toEqual({ column: 'fiv_ml', term: 'cbrt(fiv_ml)' });
    expect(v.covariates).toEqual(['age', 'sex_female', 'nihss', 'aspects', 'occlusionICA', 'occlusionM2', 'ivt', 'onset_to_rand_min']);
    expect(v.counterfactual).toBeUndefined();
    expect(mediate.random!({ ...base, counterfactual: false })).toBe(false);
  });

  it('adds counterfactual effects on P(mRS <= 2), reproducible for a seed', async () => {
    const v = await value({ ...base, sims: 200 });
    expect(v.threshold).toBe('P(mrs90 <= 2)');
    expect(Math.abs(num(v, 'counterfactual.total_effect.estimate') - ref.g.total_effect!)).toBeLessThan(3e-3);
    expect(Math.abs(num(v, 'counterfactual.proportion_mediated.estimate') - ref.g.proportion_mediated!)).toBeLessThan(0.02);
    const again = await mediate.run({ ...base, sims: 200 }, inputs, testContext());
    expect(encodeArtifact(again)).toBe(encodeArtifact({ type: 'result', value: v as ResultArtifact['value'] }));
    expect(mediate.random!(base)).toBe(true);
  });

  it('codes a numeric outcome by its sorted distinct values, integer scores or not', async () => {
    // mrs90 + 0.5 takes the sort-and-search path, mrs90 the integer table: the same categories, the same fits.
    const mrs = table.columns.get('mrs90')!;
    if (mrs.type !== 'number') throw new Error('mrs90 should be numeric');
    const shifted = new Map<string, Artifact>([['cohort', { type: 'table', table: withColumn(table, 'mrs90', { type: 'number', values: mrs.values.map((v) => v + 0.5) }) }]]);
    const a = await value({ ...base, counterfactual: false });
    const b = (await mediate.run({ ...base, counterfactual: false }, shifted, testContext())) as ResultArtifact;
    expect((b.value.outcome as { categories: string[] }).categories).toEqual((a.outcome as { categories: string[] }).categories.map((c) => String(Number(c) + 0.5)));
    expect(b.value.total).toEqual(a.total);
    expect(b.value.direct).toEqual(a.direct);
  });

  it('refuses what it cannot do, saying why', async () => {
    const zeros = new Map<string, Artifact>([
      ['cohort', { type: 'table', table: withColumn(table, 'fiv_ml', { type: 'number', values: Float64Array.from({ length: table.nrows }, (_, i) => i % 10) }) }],
    ]);
    const attempt = (p: MediateParams, ins = inputs): Promise<Artifact> => Promise.resolve().then(() => mediate.run(p, ins, testContext()));
    await expect(attempt({ ...base, transform: 'log' }, zeros)).rejects.toThrow(/log of the mediator "fiv_ml" is undefined in \d+ rows/);
    await expect(attempt({ ...base, exposure: 'age' })).rejects.toThrow(DataError);
    await expect(attempt({ ...base, threshold: 6 })).rejects.toThrow(/threshold 6 is not a category/);
    expect(mediate.check!({ ...base, covariates: ['age', 'evt'] }).map((e) => e.path)).toEqual(['covariates.1']);
  });
});
