import { describe, expect, it } from 'vitest';
import { checkPattern, impliedLevels, impliedType } from '../../src/data/recode.js';
import { readDelimited } from '../../src/data/csv.js';
import { DataError } from '../../src/errors.js';

const read = (csv: string, columns: Parameters<typeof readDelimited>[1]['columns']) => readDelimited(csv, { file: 'x.csv', columns });

describe('recoding in load', () => {
  it('maps values (null: missing), keeps the source out unless declared, and takes the type from the values', () => {
    const t = read('id,Sex\n1,F\n2,M\n3,NA\n4,U\n', { sex_female: { from: 'Sex', values: { F: true, M: false, U: null } } });
    expect([...t.columns.keys()]).toEqual(['id', 'sex_female']);
    expect(t.columns.get('sex_female')).toEqual({ type: 'number', values: Float64Array.of(1, 0, NaN, NaN) });
    const both = read('Sex\nF\n', { Sex: { type: 'string' }, sex_female: { from: 'Sex', values: { F: 1, M: 0 } } });
    expect([...both.columns.keys()]).toEqual(['Sex', 'sex_female']);
  });

  it('text values give a factor whose levels are in the order written', () => {
    const t = read('occ\nICA segment\nM1 segment\n', { occlusion: { from: 'occ', values: { 'M1 segment': 'M1', 'ICA segment': 'ICA', 'M2 segment': 'M2' } } });
    expect(t.columns.get('occlusion')).toEqual({ type: 'factor', levels: ['M1', 'ICA', 'M2'], codes: Int32Array.of(1, 0) });
  });

  it('a pattern keeps its first group, then the declared type reads it', () => {
    const t = read('m\nmRS 3\n mRS 0 \nNA\n', { mrs90: { from: 'm', pattern: 'mRS (\\d)', type: 'integer' } });
    expect(t.columns.get('mrs90')).toEqual({ type: 'number', values: Float64Array.of(3, 0, NaN) });
  });

  it('lists every unlisted or unmatched value with its count and first line', () => {
    const e = (() => {
      try {
        read('s\nF\nM\nX\nM\n', { sex_female: { from: 's', values: { F: 1 } } });
      } catch (err) {
        return err as DataError;
      }
      throw new Error('expected an error');
    })();
    expect(e.message).toBe('column "sex_female" (from "s"): 3 values are not listed in values: (F): "M" (2 rows, first on line 3), "X" (line 4)');
    expect(e.location).toEqual({ file: 'x.csv', line: 3, col: 1 });
    expect(() => read('m\nmRS 7\n', { mrs90: { from: 'm', pattern: 'mRS ([0-6])' } })).toThrow('"mRS 7" does not match the pattern "mRS ([0-6])"');
  });

  it('checks patterns when the spec is checked: syntax, back-references, nested quantifiers, length', () => {
    expect(checkPattern('mRS (\\d)')).toBeUndefined();
    expect(checkPattern('(M1|M2|ICA)( segment)?')).toBeUndefined();
    expect(checkPattern('(a')).toMatch(/not a valid regular expression/);
    expect(checkPattern('(a)\\1')).toMatch(/back-references/);
    expect(checkPattern('(a+)+$')).toMatch(/exponential time/);
    expect(checkPattern('(?:\\d*)*')).toMatch(/exponential time/);
    expect(checkPattern('x'.repeat(201))).toMatch(/longer than 200/);
  });

  it('the type and levels a values map implies', () => {
    expect(impliedType({ a: true, b: false, c: null })).toBe('boolean');
    expect(impliedType({ a: 1, b: 2.5 })).toBe('number');
    expect(impliedType({ a: 'x', b: 'y' })).toBe('factor');
    expect(impliedType({ a: 1, b: 'y' })).toBe('mixed');
    expect(impliedLevels({ b: 'y', a: 'x', c: 'y', d: null })).toEqual(['y', 'x']);
  });
});

describe('inference never changes a model silently', () => {
  it('a mostly numeric undeclared column with text in it is an error naming the text', () => {
    expect(() => readDelimited('x\n1\n2\nn/a\n', { file: 'x.csv' })).toThrow('column "x": undeclared and mostly numbers (2 values), but "n/a" is text');
    expect(readDelimited('x\n1\nn/a\n', { file: 'x.csv', na: ['n/a'] }).columns.get('x')).toEqual({ type: 'number', values: Float64Array.of(1, NaN) });
    expect(readDelimited('x\nM1\nICA\n2\n', { file: 'x.csv' }).columns.get('x')).toEqual({ type: 'factor', levels: ['2', 'ICA', 'M1'], codes: Int32Array.of(2, 1, 0) });
  });
});
