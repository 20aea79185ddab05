import { describe, expect, it } from 'vitest';
import { derive, evaluationOrder } from '../../src/nodes/derive.js';
import { makeTable, type Table } from '../../src/data/table.js';
import type { Artifact } from '../../src/data/artifact.js';
import { parseExpression } from '../../src/stats/expr.js';
import { testContext } from '../support/context.js';

const cohort = makeTable([
  ['age', { type: 'number', values: Float64Array.of(64, 81, NaN) }],
  ['fiv_ml', { type: 'number', values: Float64Array.of(0, 54.2, 120) }],
  ['mrs90', { type: 'number', values: Float64Array.of(1, 4, NaN) }],
  ['occlusion', { type: 'factor', levels: ['M1', 'ICA', 'M2'], codes: Int32Array.of(0, 1, 2) }],
]);
const inputs = new Map<string, Artifact>([['cohort', { type: 'table', table: cohort }]]);

async function run(columns: Record<string, string>): Promise<Table> {
  const a = await derive.run({ input: 'cohort', columns }, inputs, testContext());
  if (a.type !== 'table') throw new Error('expected a table');
  return a.table;
}
const values = (t: Table, name: string): number[] => Array.from((t.columns.get(name) as { values: Float64Array }).values);

describe('derive', () => {
  it('adds columns from expressions, missing propagating', async () => {
    const t = await run({ age10: 'I(age / 10)', good: 'mrs90 <= 2', log_fiv: 'log(fiv_ml + 1)', proximal: 'occlusion %in% c("ICA", "M1")' });
    expect([...t.columns.keys()]).toEqual(['age', 'fiv_ml', 'mrs90', 'occlusion', 'age10', 'good', 'log_fiv', 'proximal']);
    expect(values(t, 'age10')).toEqual([6.4, 8.1, NaN]);
    expect(values(t, 'good')).toEqual([1, 0, NaN]);
    expect(values(t, 'log_fiv')).toEqual([0, Math.log(55.2), Math.log(121)]);
    expect(values(t, 'proximal')).toEqual([1, 1, 0]);
  });

  it('lets a column use another new one whatever the written order', async () => {
    const t = await run({ large: 'fiv_cc > 50', fiv_cc: 'fiv_ml' });
    expect([...t.columns.keys()].slice(4)).toEqual(['fiv_cc', 'large']);
    expect(values(t, 'large')).toEqual([0, 1, 1]);
  });

  it('replaces a column in place, reading the input value', async () => {
    const t = await run({ fiv_ml: 'pmin(fiv_ml, 100)' });
    expect([...t.columns.keys()]).toEqual(['age', 'fiv_ml', 'mrs90', 'occlusion']);
    expect(values(t, 'fiv_ml')).toEqual([0, 54.2, 100]);
  });

  it('makes factors from text results', async () => {
    const t = await run({ age_group: 'if_else(age >= 80, "80+", "<80")' });
    expect(t.columns.get('age_group')).toEqual({ type: 'factor', levels: ['80+', '<80'], codes: Int32Array.of(1, 0, -1) });
  });

  it('is deterministic: the same inputs give the same table', async () => {
    expect(await run({ a: 'age + 1', b: 'a * 2' })).toEqual(await run({ a: 'age + 1', b: 'a * 2' }));
  });

  it('checks every expression and dependency cycles at validation', () => {
    expect(derive.check!({ input: 'cohort', columns: { ok: 'age + 1', bad: 'age +* 1', worse: 'exec(1)' } })).toMatchObject([
      { path: 'columns.bad', message: 'unexpected "*" at character 6 of "age +* 1"' },
      { path: 'columns.worse', message: /^unknown function "exec"/ },
    ]);
    expect(derive.check!({ input: 'cohort', columns: { a: 'b + 1', b: 'c + 1', c: 'a + 1', d: 'age' } })).toEqual([
      { path: 'columns.a', message: 'the derived columns depend on each other in a cycle: a → b → c → a', hint: 'a derived column cannot depend on itself through others' },
    ]);
    expect(derive.check!({ input: 'cohort', columns: { age: 'age + 1' } })).toEqual([]);
  });

  it('orders evaluation by dependency, ties in written order', () => {
    const parsed = new Map([
      ['z', parseExpression('y + x')],
      ['x', parseExpression('1')],
      ['y', parseExpression('x')],
    ]);
    expect(evaluationOrder(parsed)).toEqual(['x', 'y', 'z']);
  });

  it('names an unknown column', async () => {
    await expect(run({ a: 'agee + 1' })).rejects.toThrow('unknown column "agee" in an expression (did you mean "age"?)');
  });
});
