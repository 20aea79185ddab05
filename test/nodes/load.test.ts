import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { load, formatOf, type LoadParams } from '../../src/nodes/load.js';
import type { Artifact } from '../../src/data/artifact.js';
import type { Table } from '../../src/data/table.js';
import { DataError } from '../../src/errors.js';
import { testContext } from '../support/context.js';
import { stepFiles } from '../../src/runner/step-files.js';

const dir = mkdtempSync(join(tmpdir(), 'lesionflow-load-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, content: string): string {
  writeFileSync(join(dir, name), content);
  return name;
}

async function run(params: Partial<LoadParams> & { path: string }): Promise<Table> {
  const a: Artifact = await load.run({ na: ['', 'NA', '.'], ...params }, new Map(), testContext({ specDir: dir }));
  if (a.type !== 'table') throw new Error('expected a table');
  return a.table;
}

async function failure(params: Partial<LoadParams> & { path: string }): Promise<DataError> {
  try {
    await run(params);
  } catch (e) {
    if (e instanceof DataError) return e;
    throw e;
  }
  throw new Error('expected a DataError');
}

describe('load', () => {
  it('declares the data file so the runner hashes it, and takes no inputs', () => {
    expect(stepFiles(load, { path: 'data/x.csv', na: [] })).toEqual(['data/x.csv']);
    expect(load.inputs).toEqual([]);
    expect(load.version).toBe(3);
  });

  it('reads a CSV relative to the spec folder with declared types, shorthand and factor levels', async () => {
    const path = file('cohort.csv', 'id,evt,age,occlusion,mrs90\nP1,1,70,M1,2\nP2,0,NA,ICA,6\nP3,1,81.5,M2,.\n');
    const t = await run({
      path,
      columns: { id: 'string', evt: 'boolean', occlusion: { type: 'factor', levels: ['M1', 'ICA', 'M2'] }, mrs90: { type: 'factor', levels: [0, 1, 2, 3, 4, 5, 6] } },
    });
    expect(t.nrows).toBe(3);
    expect(t.columns.get('evt')).toEqual({ type: 'number', values: Float64Array.of(1, 0, 1) });
    expect(t.columns.get('age')).toEqual({ type: 'number', values: Float64Array.of(70, NaN, 81.5) });
    expect(t.columns.get('occlusion')).toEqual({ type: 'factor', levels: ['M1', 'ICA', 'M2'], codes: Int32Array.of(0, 1, 2) });
    expect(t.columns.get('mrs90')).toEqual({ type: 'factor', levels: ['0', '1', '2', '3', '4', '5', '6'], codes: Int32Array.of(2, 6, -1) });
  });

  it('renames the columns of a user\'s own file', async () => {
    const path = file('theirs.csv', 'Patient,Treatment,Final infarct (ml)\n1,EVT,12.5\n2,BMM,40\n');
    const t = await run({
      path,
      rename: { Patient: 'id', Treatment: 'arm', 'Final infarct (ml)': 'fiv_ml' },
      columns: { arm: { type: 'factor', levels: ['BMM', 'EVT'] } },
    });
    expect([...t.columns.keys()]).toEqual(['id', 'arm', 'fiv_ml']);
    expect(t.columns.get('arm')).toEqual({ type: 'factor', levels: ['BMM', 'EVT'], codes: Int32Array.of(1, 0) });
  });

  it('reads quoted missing-value tokens as missing with quoted_na (a file that quotes every field)', async () => {
    const path = file('quoted.csv', '"id","arm"\n"1","EVT"\n"2","NA"\n');
    const columns = { arm: { type: 'factor' as const, levels: ['BMM', 'EVT'] } };
    expect((await run({ path, columns, quoted_na: true })).columns.get('arm')).toEqual({ type: 'factor', levels: ['BMM', 'EVT'], codes: Int32Array.of(1, -1) });
    expect((await failure({ path, columns })).message).toBe('column "arm": "NA" is not one of the declared levels (BMM, EVT)');
  });

  it('reads JSON lines (format from the extension) and TSV', async () => {
    expect(formatOf('a/b.JSONL')).toBe('jsonl');
    expect(formatOf('x.ndjson')).toBe('jsonl');
    expect(formatOf('x.tsv')).toBe('tsv');
    expect(formatOf('x.txt')).toBe('csv');
    const j = await run({ path: file('c.jsonl', '{"id": 1, "fiv_ml": 3.5}\n{"id": 2, "fiv_ml": null}\n') });
    expect(j.columns.get('fiv_ml')).toEqual({ type: 'number', values: Float64Array.of(3.5, NaN) });
    const t = await run({ path: file('c.tsv', 'a\tb\n1\tx y\n') });
    expect(t.columns.get('b')).toEqual({ type: 'factor', levels: ['x y'], codes: Int32Array.of(0) });
  });

  it('uses its own missing-value tokens', async () => {
    const t = await run({ path: file('na.csv', 'x\n-99\n.\n1\n'), na: ['-99'], columns: { x: 'string' } });
    expect(t.columns.get('x')).toEqual({ type: 'string', values: [null, '.', '1'] });
  });

  it('names the file, row and column of an unparsable value', async () => {
    const path = file('bad.csv', 'id,age,nihss\nP1,70,12\nP2,71,twelve\n');
    const e = await failure({ path, columns: { nihss: 'integer' } });
    expect(e.message).toBe('column "nihss": "twelve" is not a number');
    expect(e.location?.line).toBe(3);
    expect(e.location?.col).toBe(7);
    expect(e.location?.file.endsWith('bad.csv')).toBe(true);
  });

  it('names the file, row and column of an undeclared level', async () => {
    const path = file('levels.csv', 'id,occlusion\n1,M1\n2,M3\n');
    const e = await failure({ path, columns: { occlusion: { type: 'factor', levels: ['M1', 'ICA', 'M2'] } } });
    expect(e.message).toBe('column "occlusion": "M3" is not one of the declared levels (M1, ICA, M2) (did you mean "M1"?)');
    expect(e.location).toMatchObject({ line: 3, col: 3 });
  });

  it('says when the file is missing', async () => {
    const e = await failure({ path: 'nowhere.csv' });
    expect(e.message).toMatch(/^cannot read the data file .*nowhere\.csv: no such file$/);
    expect(e.hint).toMatch(/a path in a spec is relative to the spec file's folder/);
  });

  it('normalises the reading options at their default away, and merges recode into columns (one key either way)', () => {
    const normalise = load.normalise!;
    expect(normalise({ path: 'x.csv', na: [], delimiter: 'auto', decimal: 'auto', encoding: 'auto', sheet: '', recode: {} })).toEqual({ path: 'x.csv', na: [] });
    expect(normalise({ path: 'x.csv', na: [], delimiter: ';', sheet: 2 })).toEqual({ path: 'x.csv', na: [], delimiter: ';', sheet: 2 });
    const viaRecode = normalise({ path: 'x.csv', na: [], columns: { mrs90: 'integer', age: 'number' }, recode: { mrs90: { from: 'm', pattern: 'mRS (\\d)' } } });
    const inline = normalise({ path: 'x.csv', na: [], columns: { mrs90: { type: 'integer', from: 'm', pattern: 'mRS (\\d)' }, age: 'number' } });
    expect(viaRecode).toEqual(inline);
  });

  it('checks recodings at validation', () => {
    const check = load.check!;
    expect(check({ path: 'x.csv', na: [], columns: { s: { from: 'S', values: { F: 1, M: 'm' } } } })).toEqual([
      { path: 'columns.s.values', message: 'the values mix booleans, numbers and text', hint: 'map to one kind of value (e.g. all 0/1), or give type: to say how to read them' },
    ]);
    expect(check({ path: 'x.csv', na: [], recode: { m: { pattern: '(a+)+' } } }).map((p) => p.path)).toEqual(['recode.m.pattern']);
    expect(check({ path: 'x.csv', na: [], recode: { m: {} } }).map((p) => p.message)).toEqual(['a recoding needs from:, values: or pattern:', 'column "m" needs a type']);
  });

  it('checks factor declarations at validation', () => {
    const check = load.check!;
    expect(check({ path: 'x.csv', na: [], columns: { age: { type: 'number', levels: ['a'] } } })).toEqual([
      { path: 'columns.age', message: 'levels and reference apply to factors, but "age" is declared number', hint: 'write type: factor, or remove levels/reference' },
    ]);
    expect(check({ path: 'x.csv', na: [], columns: { occ: { type: 'factor', levels: ['M1', 'M1'], reference: 'ICA' } } })).toEqual([
      { path: 'columns.occ.levels', message: 'level "M1" is listed twice' },
      { path: 'columns.occ.reference', message: 'reference level "ICA" is not one of the levels (M1, M1)' },
    ]);
    expect(check({ path: 'x.csv', na: [], rename: { a: 'x', b: 'x' } })).toEqual([{ path: 'rename', message: 'two columns are renamed to "x"' }]);
    expect(check({ path: 'x.csv', na: [], columns: { occ: { type: 'factor', levels: ['M1', 'ICA'], reference: 'ICA' } } })).toEqual([]);
  });
});
