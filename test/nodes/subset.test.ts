import { describe, expect, it } from 'vitest';
import { subset, type SubsetParams } from '../../src/nodes/subset.js';
import { makeTable, type Table } from '../../src/data/table.js';
import type { Artifact } from '../../src/data/artifact.js';
import { DataError } from '../../src/errors.js';
import { analyseSpecText } from '../../src/runner/spec.js';
import { SpecErrors } from '../../src/errors.js';
import type { StepKind } from '../../src/nodes/kind.js';
import { load } from '../../src/nodes/load.js';
import { testContext } from '../support/context.js';

const cohort = makeTable([
  ['id', { type: 'string', values: ['P1', 'P2', 'P3', 'P4', 'P5'] }],
  ['modality', { type: 'factor', levels: ['CT', 'MRI', 'CTP'], codes: Int32Array.of(0, 1, 0, -1, 2) }],
  ['evt', { type: 'number', values: Float64Array.of(1, 0, NaN, 1, 0) }],
  ['site', { type: 'string', values: ['A', 'B', null, 'A', 'C'] }],
]);
const inputs = new Map<string, Artifact>([['cohort', { type: 'table', table: cohort }]]);

async function run(p: Partial<SubsetParams> & Pick<SubsetParams, 'column' | 'value'>, ctx = testContext()): Promise<Table> {
  const a = await subset.run({ input: 'cohort', all: 'all', ...p }, inputs, ctx);
  if (a.type !== 'table') throw new Error('expected a table');
  return a.table;
}
const ids = (t: Table): unknown => (t.columns.get('id') as { values: unknown }).values;

describe('subset', () => {
  it('keeps the rows where a factor equals a level, dropping missing values', async () => {
    expect(ids(await run({ column: 'modality', value: 'CT' }))).toEqual(['P1', 'P3']);
    expect(ids(await run({ column: 'modality', value: 'MRI' }))).toEqual(['P2']);
  });

  it('keeps every row, missing values included, for the all value', async () => {
    const t = await run({ column: 'modality', value: 'all' });
    expect(ids(t)).toEqual(['P1', 'P2', 'P3', 'P4', 'P5']);
    expect(ids(await run({ column: 'modality', value: 'ANY', all: 'ANY' }))).toEqual(['P1', 'P2', 'P3', 'P4', 'P5']);
  });

  it('keeps the rows holding any of a list of values, in their order', async () => {
    expect(ids(await run({ column: 'modality', value: ['CTP', 'CT'] }))).toEqual(['P1', 'P3', 'P5']);
    expect(ids(await run({ column: 'site', value: ['A', 'C'] }))).toEqual(['P1', 'P4', 'P5']);
  });

  it('compares numeric columns with numbers, booleans or numeric text', async () => {
    expect(ids(await run({ column: 'evt', value: 1 }))).toEqual(['P1', 'P4']);
    expect(ids(await run({ column: 'evt', value: false }))).toEqual(['P2', 'P5']);
    expect(ids(await run({ column: 'evt', value: '1' }))).toEqual(['P1', 'P4']);
    await expect(run({ column: 'evt', value: 'yes' })).rejects.toThrow('column "evt" holds numbers, but the value "yes" is not one');
  });

  it('keeps every column and the factor levels', async () => {
    const t = await run({ column: 'modality', value: 'MRI' });
    expect([...t.columns.keys()]).toEqual(['id', 'modality', 'evt', 'site']);
    expect(t.columns.get('modality')).toEqual({ type: 'factor', levels: ['CT', 'MRI', 'CTP'], codes: Int32Array.of(1) });
  });

  it('names an unknown column or a value that is not a level, with the closest one', async () => {
    await expect(run({ column: 'modalty', value: 'CT' })).rejects.toThrow('unknown column "modalty" in column: of the subset step (did you mean "modality"?)');
    const e = await run({ column: 'modality', value: 'MRi' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DataError);
    expect((e as DataError).message).toBe('"MRi" is not a level of column "modality" (did you mean "MRI"?)');
    expect((e as DataError).hint).toBe('the levels are CT, MRI, CTP; or write value: all to keep every row');
    await expect(run({ column: 'site', value: ['A', 'D'] })).rejects.toThrow('"D" is not a value of column "site"');
    await expect(run({ column: 'evt', value: 2 })).rejects.toThrow('2 is not a value of column "evt"');
  });

  it('refuses an all word that is also a value of the column', async () => {
    await expect(run({ column: 'site', value: 'A', all: 'A' })).rejects.toThrow('column "site" has a value "A", so value: A could mean that value or every row');
  });

  it('warns when a level has no rows', async () => {
    const ctx = testContext();
    const only = makeTable([['modality', { type: 'factor', levels: ['CT', 'MRI'], codes: Int32Array.of(0, 0) }]]);
    const a = await subset.run({ input: 'x', column: 'modality', value: 'MRI', all: 'all' }, new Map([['x', { type: 'table', table: only }]]), ctx);
    expect(a.type === 'table' && a.table.nrows).toBe(0);
    expect(ctx.warnings).toEqual(['subset kept none of the 2 rows of "x" (modality = MRI)']);
  });

  it('refuses the all word inside a list at validation', () => {
    expect(subset.check!({ input: 'cohort', column: 'modality', value: ['all', 'CT'], all: 'all' })).toEqual([
      { path: 'value', message: '"all" keeps every row and cannot be one of a list of values', hint: 'write value: all, or list only levels of modality' },
    ]);
    expect(subset.check!({ input: 'cohort', column: 'modality', value: 'all', all: 'all' })).toEqual([]);
  });

  it('is swept by modality in a spec: one instance per value, value taken from the sweep', () => {
    const registry = new Map<string, StepKind>([
      ['load', load as unknown as StepKind],
      ['subset', subset as unknown as StepKind],
    ]);
    const spec = [
      'name: s',
      'seed: 1',
      'steps:',
      '  cohort: {kind: load, path: cohort.csv}',
      '  by_modality:',
      '    kind: subset',
      '    foreach: {modality: [all, CT, MRI]}',
      '    input: cohort',
      '    column: modality',
      '    value: ${foreach.modality}',
    ].join('\n');
    const p = analyseSpecText(spec, '/tmp/s.yaml', { registry });
    expect([...p.steps.keys()]).toEqual(['cohort', 'by_modality[modality=all]', 'by_modality[modality=CT]', 'by_modality[modality=MRI]']);
    expect(p.steps.get('by_modality[modality=CT]' as never)?.params).toEqual({ all: 'all', column: 'modality', input: 'cohort', value: 'CT' });
    const errorsFor = (text: string): string[] => {
      try {
        analyseSpecText(text, '/tmp/s.yaml', { registry });
      } catch (e) {
        if (e instanceof SpecErrors) return e.errors.map((x) => `${x.location?.line ?? 0}:${x.location?.col ?? 0} ${x.message}`);
        throw e;
      }
      return [];
    };
    expect(errorsFor(spec.replace('value: ${foreach.modality}', 'value: [all, CT]'))).toEqual(['10:12 parameter "value": "all" keeps every row and cannot be one of a list of values']);
    expect(errorsFor(spec.replace('value: ${foreach.modality}', 'value: {a: 1}'))).toEqual(['10:12 parameter "value" must be a string or a number or a boolean or a list, got a mapping']);
  });
});
