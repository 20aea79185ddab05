import { describe, expect, it } from 'vitest';
import { filter, type FilterParams } from '../../src/nodes/filter.js';
import { makeTable, type Table } from '../../src/data/table.js';
import type { Artifact } from '../../src/data/artifact.js';
import { DataError } from '../../src/errors.js';
import { testContext } from '../support/context.js';

const cohort = makeTable([
  ['id', { type: 'string', values: ['P1', 'P2', 'P3', 'P4', 'P5'] }],
  ['fiv_ml', { type: 'number', values: Float64Array.of(12, 95, NaN, 79.9, 80) }],
  ['modality', { type: 'factor', levels: ['CT', 'MRI'], codes: Int32Array.of(0, 1, 0, -1, 0) }],
]);
const inputs = new Map<string, Artifact>([['cohort', { type: 'table', table: cohort }]]);

async function run(where: FilterParams['where'], ctx = testContext()): Promise<Table> {
  const a = await filter.run({ input: 'cohort', where }, inputs, ctx);
  if (a.type !== 'table') throw new Error('expected a table');
  return a.table;
}
const ids = (t: Table): unknown => (t.columns.get('id') as { values: unknown }).values;

describe('filter', () => {
  it('keeps rows where the condition holds and drops those where it is missing (dplyr::filter)', async () => {
    expect(ids(await run('fiv_ml < 80'))).toEqual(['P1', 'P4']);
    expect(ids(await run('modality == "CT"'))).toEqual(['P1', 'P3', 'P5']);
    expect(ids(await run('is_missing(fiv_ml) | fiv_ml >= 80'))).toEqual(['P2', 'P3', 'P5']);
  });

  it('requires every condition of a list', async () => {
    expect(ids(await run(['fiv_ml <= 80', 'modality == "CT"']))).toEqual(['P1', 'P5']);
  });

  it('keeps all columns and their types', async () => {
    const t = await run('fiv_ml > 50');
    expect(t.columns.get('modality')).toEqual({ type: 'factor', levels: ['CT', 'MRI'], codes: Int32Array.of(1, -1, 0) });
  });

  it('warns when no row is left', async () => {
    const ctx = testContext();
    expect((await run('fiv_ml > 1000', ctx)).nrows).toBe(0);
    expect(ctx.warnings).toEqual(['filter kept none of the 5 rows of "cohort"']);
  });

  it('refuses a malformed condition at validation, naming where', () => {
    expect(filter.check!({ input: 'cohort', where: 'fiv_ml << 80' })).toEqual([
      { path: 'where', message: 'unexpected "<" at character 9 of "fiv_ml << 80"', hint: 'the expression language (operators, functions, quoting) is described in docs/expressions.md' },
    ]);
    expect(filter.check!({ input: 'cohort', where: ['fiv_ml < 80', 'eval("x")'] })).toMatchObject([{ path: 'where[1]', message: /^unknown function "eval" at character 1/ }]);
    expect(filter.check!({ input: 'cohort', where: ['fiv_ml < 80'] })).toEqual([]);
  });

  it('names an unknown column or level, and refuses a text condition', async () => {
    await expect(run('fiv < 80')).rejects.toThrow(DataError);
    await expect(run('fivml < 80')).rejects.toThrow('unknown column "fivml" in an expression (did you mean "fiv_ml"?)');
    await expect(run('modality == "Ct"')).rejects.toThrow('"Ct" is not a level of modality');
    await expect(run('modality')).rejects.toThrow('where: modality gives text, not a condition');
  });

  it('refuses an input that is not a table', () => {
    const bad = new Map<string, Artifact>([['cohort', { type: 'result', value: {} }]]);
    expect(() => filter.run({ input: 'cohort', where: 'x > 1' }, bad, testContext())).toThrow(
      'filter reads a data table, but step "cohort" produces a result, not a table',
    );
  });
});
