/**
 * The compare step against R (fixture: test/fixtures/nodes/compare.R → .json): quartiles per group,
 * wilcox.test(y ~ evt, exact = FALSE, correct = TRUE, conf.int = TRUE) and chisq.test(table(f, evt)).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compare, type CompareParams } from '../../src/nodes/compare.js';
import { makeTable, type Table } from '../../src/data/table.js';
import type { Artifact, ResultArtifact } from '../../src/data/artifact.js';
import { DataError } from '../../src/errors.js';
import { testContext } from '../support/context.js';

interface NumCase {
  W: [number];
  p: [number];
  estimate: [number];
  conf_int: [number, number];
  quartiles: [number[], number[]];
}
interface FacCase {
  statistic: [number];
  df: number;
  p: [number];
  counts: number[][];
}
interface Fixture {
  data: { evt: number[]; fiv_ml: (number | null)[]; mrs90: number[]; occlusion: number[]; occlusion_levels: string[]; sex: number[]; sex_levels: string[] };
  fiv_ml: NumCase;
  mrs90: NumCase;
  occlusion: FacCase;
  sex: FacCase;
}
const fx = JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/nodes/compare.json'), 'utf8')) as Fixture;

const cohort: Table = makeTable([
  ['evt', { type: 'number', values: Float64Array.from(fx.data.evt) }],
  ['fiv_ml', { type: 'number', values: Float64Array.from(fx.data.fiv_ml, (v) => v ?? NaN) }],
  ['mrs90', { type: 'number', values: Float64Array.from(fx.data.mrs90) }],
  ['occlusion', { type: 'factor', codes: Int32Array.from(fx.data.occlusion), levels: fx.data.occlusion_levels }],
  ['sex', { type: 'factor', codes: Int32Array.from(fx.data.sex), levels: fx.data.sex_levels }],
  ['site', { type: 'string', values: fx.data.evt.map(() => 'A') }],
]);

async function run(params: Partial<CompareParams>, table = cohort): Promise<ResultArtifact> {
  const inputs = new Map<string, Artifact>([['cohort', { type: 'table', table }]]);
  const out = await compare.run({ input: 'cohort', by: 'evt', variables: ['fiv_ml'], conf: 0.95, ...params }, inputs, testContext());
  if (out.type !== 'result') throw new Error('compare must produce a result');
  return out;
}

function near(got: unknown, want: number, rel = 1e-12): void {
  expect(typeof got).toBe('number');
  expect(Math.abs((got as number) - want)).toBeLessThanOrEqual(rel * Math.abs(want) + 1e-14);
}

type V = Record<string, unknown> & { groups: Record<string, number>[]; wilcoxon: Record<string, number>; shift: Record<string, number> };

describe('compare', () => {
  for (const name of ['fiv_ml', 'mrs90'] as const) {
    it(`matches R for the numeric variable ${name}`, async () => {
      const out = await run({ variables: [name] });
      const v = (out.value.variables as unknown as V[])[0]!;
      const want = fx[name];
      for (const g of [0, 1] as const) {
        near(v.groups[g]!.q1, want.quartiles[g][0]!);
        near(v.groups[g]!.median, want.quartiles[g][1]!);
        near(v.groups[g]!.q3, want.quartiles[g][2]!);
      }
      expect(v.wilcoxon.W).toBe(want.W[0]);
      near(v.wilcoxon.p, want.p[0]);
      near(v.shift.estimate, want.estimate[0], 1e-9);
      near(v.shift.lower, want.conf_int[0], 1e-9);
      near(v.shift.upper, want.conf_int[1], 1e-9);
    });
  }

  for (const name of ['occlusion', 'sex'] as const) {
    it(`matches chisq.test for the factor ${name}`, async () => {
      const out = await run({ variables: [name] });
      const v = (out.value.variables as unknown as { chisq: Record<string, number>; levels: { counts: Record<string, number> }[] }[])[0]!;
      const want = fx[name];
      near(v.chisq.statistic, want.statistic[0]);
      expect(v.chisq.df).toBe(want.df);
      near(v.chisq.p, want.p[0]);
      expect(v.levels.map((l) => [l.counts['0'], l.counts['1']])).toEqual(want.counts);
    });
  }

  it('writes the numeric and factor tables', async () => {
    const out = await run({ variables: ['fiv_ml', 'mrs90', 'occlusion'] });
    expect(out.tables?.get('numeric')?.nrows).toBe(2);
    expect(out.tables?.get('factor')?.nrows).toBe(3);
  });

  it('refuses a grouping column without exactly two groups, and text variables', async () => {
    await expect(run({ by: 'mrs90' })).rejects.toThrow(DataError);
    await expect(run({ by: 'mrs90' })).rejects.toThrow(/exactly two groups in "mrs90"/);
    await expect(run({ variables: ['site'] })).rejects.toThrow(/text column/);
    await expect(run({ variables: ['fiv_mll'] })).rejects.toThrow(/did you mean "fiv_ml"/);
  });
});
