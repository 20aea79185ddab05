import { describe, expect, it } from 'vitest';
import { joinTables, type JoinOptions } from '../../src/data/join.js';
import { makeTable, type Column, type Table } from '../../src/data/table.js';

const num = (...v: number[]): Column => ({ type: 'number', values: Float64Array.from(v) });
const str = (...v: (string | null)[]): Column => ({ type: 'string', values: v });
const table = (cols: Record<string, Column>): Table => makeTable(Object.entries(cols));
const o = (extra: Partial<JoinOptions> = {}): JoinOptions => ({ leftName: 'l', rightName: 'r', byLeft: ['id'], byRight: ['id'], how: 'inner', relationship: 'one-to-one', suffix: ['.x', '.y'], ...extra });

describe('join (R\'s merge)', () => {
  const left = table({ id: str('A', 'B', 'C', null), v: num(1, 2, 3, 4) });
  const right = table({ id: str('C', 'A', 'Z'), w: num(30, 10, 99), v: num(0.3, 0.1, 0.9) });

  it('inner keeps the left rows that match, in their order; other shared columns get .x/.y', () => {
    const r = joinTables(left, right, o());
    expect(r.table).toEqual(table({ id: str('A', 'C'), 'v.x': num(1, 3), w: num(10, 30), 'v.y': num(0.1, 0.3) }));
    expect(r.unmatchedLeft).toEqual(['"B"']);
    expect(r.unmatchedRight).toEqual(['"Z"']);
    expect(r.missingKeys).toBe(1);
  });

  it('left keeps every left row, the right\'s columns missing where there is no match (a missing key matches nothing)', () => {
    const r = joinTables(left, right, o({ how: 'left' }));
    expect(r.table.nrows).toBe(4);
    expect(r.table.columns.get('w')).toEqual(num(10, NaN, 30, NaN));
  });

  it('keys named differently, several keys, numbers matched by value', () => {
    const l = table({ site: str('x', 'x', 'y'), n: num(1, 2, 1), a: num(5, 6, 7) });
    const r = table({ centre: str('x', 'y', 'x'), no: num(2, 1, 1.0), b: num(20, 11, 10) });
    const j = joinTables(l, r, o({ byLeft: ['site', 'n'], byRight: ['centre', 'no'] }));
    expect(j.table).toEqual(table({ site: str('x', 'x', 'y'), n: num(1, 2, 1), a: num(5, 6, 7), b: num(10, 20, 11) }));
  });

  it('refuses duplicate keys on the right, on the left of a one-to-one join, and a number key against text', () => {
    expect(() => joinTables(left, table({ id: str('A', 'A') }), o({ relationship: 'many-to-one' }))).toThrow('join: 1 key occurs more than once in "r": "A" (2 rows)');
    const twice = table({ id: str('A', 'A'), v: num(1, 2) });
    expect(() => joinTables(twice, right, o())).toThrow('join: 1 key occurs more than once in "l": "A" (2 rows)');
    expect(joinTables(twice, right, o({ relationship: 'many-to-one' })).table.columns.get('w')).toEqual(num(10, 10));
    expect(() => joinTables(table({ id: num(1) }), right, o())).toThrow('join key "id" is a number in "l" but "id" is text in "r"');
  });
});
