import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describe as describeKind } from '../../src/nodes/describe.js';
import { load } from '../../src/nodes/load.js';
import { filter } from '../../src/nodes/filter.js';
import { derive } from '../../src/nodes/derive.js';
import { encodeArtifact, type Artifact, type ResultArtifact } from '../../src/data/artifact.js';
import { writeCsv } from '../../src/data/csv.js';
import { makeTable } from '../../src/data/table.js';
import { canonicalJson } from '../../src/data/canonical.js';
import { testContext } from '../support/context.js';

const fixtures = resolve(import.meta.dirname, '../fixtures/nodes');

interface NumericStats {
  n: number;
  missing: number;
  mean: number;
  sd: number;
  median: number;
  q1: number;
  q3: number;
  min: number;
  max: number;
}
interface CategoricalStats {
  n: number;
  missing: number;
  counts: number[];
  percent: number[];
}
interface Fixture {
  n: number;
  groups: { label: string; n: number }[];
  numeric: { name: string; overall: NumericStats; groups: NumericStats[] }[];
  categorical: { name: string; levels: string[]; overall: CategoricalStats; groups: CategoricalStats[] }[];
}
// Produced by test/fixtures/nodes/describe.R from describe-cohort.csv (quantile type 7, sd, table).
const fixture = JSON.parse(readFileSync(resolve(fixtures, 'describe.json'), 'utf8')) as Fixture;

/** load → filter → derive → describe by evt, as the demo pipeline does. */
async function tableOne(): Promise<ResultArtifact> {
  const ctx = testContext({ specDir: fixtures });
  const cohort = await load.run(
    { path: 'describe-cohort.csv', na: ['', 'NA', '.'], columns: { id: 'string', occlusion: { type: 'factor', levels: ['M1', 'ICA', 'M2'] } } },
    new Map(),
    ctx,
  );
  const small = await filter.run({ input: 'cohort', where: 'fiv_ml < 80' }, new Map([['cohort', cohort]]), ctx);
  const derived = await derive.run({ input: 'small', columns: { good_outcome: 'mrs90 <= 2' } }, new Map([['small', small]]), ctx);
  const variables = [...fixture.numeric.map((v) => v.name), ...fixture.categorical.map((v) => v.name)];
  const out = await describeKind.run({ input: 'derived', by: 'evt', variables }, new Map([['derived', derived]]), ctx);
  if (out.type !== 'result') throw new Error('expected a result');
  return out;
}

function close(actual: unknown, expected: number): void {
  expect(typeof actual).toBe('number');
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
}

describe('describe', () => {
  it('matches R for numeric variables, overall and by group', async () => {
    const out = await tableOne();
    const value = out.value as unknown as { n: number; groups: { label: string; n: number }[]; variables: { name: string; type: string; overall: Record<string, unknown>; groups: Record<string, unknown>[] }[] };
    expect(value.n).toBe(fixture.n);
    expect(value.groups).toEqual(fixture.groups);
    for (const ref of fixture.numeric) {
      const v = value.variables.find((x) => x.name === ref.name)!;
      expect(v.type).toBe('numeric');
      [ref.overall, ...ref.groups].forEach((stats, g) => {
        const got = g === 0 ? v.overall : v.groups[g - 1]!;
        for (const [k, expected] of Object.entries(stats)) close(got[k], expected as number);
      });
    }
  });

  it('matches R for factors and 0/1 variables: counts and percentages of the non-missing', async () => {
    const out = await tableOne();
    const value = out.value as unknown as { variables: { name: string; type: string; levels: string[]; overall: CategoricalStats; groups: CategoricalStats[] }[] };
    for (const ref of fixture.categorical) {
      const v = value.variables.find((x) => x.name === ref.name)!;
      expect(v.type).toBe('categorical');
      expect(v.levels).toEqual(ref.levels);
      [ref.overall, ...ref.groups].forEach((stats, g) => {
        const got = g === 0 ? v.overall : v.groups[g - 1]!;
        expect(got.n).toBe(stats.n);
        expect(got.missing).toBe(stats.missing);
        expect(got.counts).toEqual(stats.counts);
        got.percent.forEach((p, k) => {
          close(p, stats.percent[k]!);
        });
      });
    }
  });

  it('lays the table out as variable × statistic rows with overall and per-group columns', async () => {
    const out = await tableOne();
    const csv = writeCsv(out.tables!.get('table')!).split('\n');
    expect(csv[0]).toBe('variable,level,statistic,overall,evt=0,evt=1');
    expect(csv.slice(1, 10).map((l) => l.split(',').slice(0, 3).join(','))).toEqual(['age,NA,n', 'age,NA,missing', 'age,NA,mean', 'age,NA,sd', 'age,NA,median', 'age,NA,q1', 'age,NA,q3', 'age,NA,min', 'age,NA,max']);
    const occlusion = fixture.categorical.find((c) => c.name === 'occlusion')!;
    expect(csv).toContain(`occlusion,ICA,count,${occlusion.overall.counts[1]},${occlusion.groups[0]!.counts[1]},${occlusion.groups[1]!.counts[1]}`);
  });

  it('is byte-identical across runs', async () => {
    expect(encodeArtifact(await tableOne())).toBe(encodeArtifact(await tableOne()));
  });

  it('describes without by, counts rows with a missing group in overall only, and accepts expressions', async () => {
    const t = makeTable([
      ['x', { type: 'number', values: Float64Array.of(1, 2, 3, 4, 5) }],
      ['arm', { type: 'factor', levels: ['control', 'EVT'], codes: Int32Array.of(0, 1, 0, -1, 1) }],
    ]);
    const inputs = new Map<string, Artifact>([['t', { type: 'table', table: t }]]);
    const whole = (await describeKind.run({ input: 't', variables: ['x'] }, inputs, testContext())) as ResultArtifact;
    expect(canonicalJson(whole.value)).toBe(
      canonicalJson({
        by: null,
        n: 5,
        groups: [],
        by_missing: 0,
        variables: [{ name: 'x', type: 'numeric', overall: { n: 5, missing: 0, mean: 3, sd: Math.sqrt(2.5), median: 3, q1: 2, q3: 4, min: 1, max: 5 }, groups: [] }],
      }),
    );
    const grouped = (await describeKind.run({ input: 't', variables: ['x > 2'], by: 'arm' }, inputs, testContext())) as ResultArtifact;
    expect(grouped.value).toMatchObject({
      groups: [
        { label: 'control', n: 2 },
        { label: 'EVT', n: 2 },
      ],
      by_missing: 1,
      variables: [{ name: 'x > 2', type: 'categorical', levels: ['0', '1'], overall: { n: 5, counts: [2, 3] }, groups: [{ counts: [1, 1] }, { counts: [1, 1] }] }],
    });
  });

  it('refuses a continuous by, an unknown column, and malformed expressions at validation', async () => {
    const t = makeTable([['age', { type: 'number', values: Float64Array.from({ length: 30 }, (_, i) => 50 + i) }]]);
    const inputs = new Map<string, Artifact>([['t', { type: 'table', table: t }]]);
    await expect(Promise.resolve().then(() => describeKind.run({ input: 't', variables: ['age'], by: 'age' }, inputs, testContext()))).rejects.toThrow(
      'by: column "age" has 30 distinct values; describe groups by at most 20',
    );
    await expect(Promise.resolve().then(() => describeKind.run({ input: 't', variables: ['aeg'] }, inputs, testContext()))).rejects.toThrow(
      'unknown column "aeg" in describe variables (did you mean "age"?)',
    );
    expect(describeKind.check!({ input: 't', variables: ['age', 'age >'] })).toEqual([
      { path: 'variables[1]', message: 'unexpected end of expression at character 6 of "age >"', hint: 'the expression language (operators, functions, quoting) is described in docs/expressions.md' },
    ]);
  });
});
