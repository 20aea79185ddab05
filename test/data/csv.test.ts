import { describe, expect, it } from 'vitest';
import { dataError } from '../support/errors.js';
import { readDelimited, writeCsv, type ReadOptions } from '../../src/data/csv.js';
import { makeTable, type Column } from '../../src/data/table.js';

const read = (text: string, options: Partial<ReadOptions> = {}) => readDelimited(text, { file: 'data/cohort.csv', ...options });

describe('readDelimited: CSV', () => {
  it('reads declared types, missing tokens and infers the rest', () => {
    const csv = 'id,age,evt,occlusion,note,flag\nP1,71.5,1,M1,ok,true\nP2,NA,0,ICA,,false\nP3,.,1,M2,"said ""no""",TRUE\n';
    const t = read(csv, {
      columns: { occlusion: { type: 'factor', levels: ['M1', 'ICA', 'M2'] }, evt: { type: 'boolean' }, id: { type: 'string' }, note: { type: 'string' } },
    });
    expect(t.nrows).toBe(3);
    expect([...t.columns.keys()]).toEqual(['id', 'age', 'evt', 'occlusion', 'note', 'flag']);
    expect(t.columns.get('id')).toEqual({ type: 'string', values: ['P1', 'P2', 'P3'] });
    expect(t.columns.get('age')).toEqual({ type: 'number', values: Float64Array.of(71.5, NaN, NaN) });
    expect(t.columns.get('evt')).toEqual({ type: 'number', values: Float64Array.of(1, 0, 1) });
    expect(t.columns.get('occlusion')).toEqual({ type: 'factor', levels: ['M1', 'ICA', 'M2'], codes: Int32Array.of(0, 1, 2) });
    expect(t.columns.get('note')).toEqual({ type: 'string', values: ['ok', null, 'said "no"'] });
    expect(t.columns.get('flag')).toEqual({ type: 'number', values: Float64Array.of(1, 0, 1) });
  });

  it('infers a factor with levels sorted by code unit, and honours reference:', () => {
    const t = read('site,x\nb,1\nA,2\na,3\nb,4\n', { columns: { x: { type: 'factor', reference: '3' } } });
    expect(t.columns.get('site')).toEqual({ type: 'factor', levels: ['A', 'a', 'b'], codes: Int32Array.of(2, 0, 1, 2) });
    expect(t.columns.get('x')).toEqual({ type: 'factor', levels: ['3', '1', '2', '4'], codes: Int32Array.of(1, 2, 0, 3) });
  });

  it('moves a declared reference level to the front', () => {
    const t = read('occ\nM1\nICA\n', { columns: { occ: { type: 'factor', levels: ['ICA', 'M1', 'M2'], reference: 'M1' } } });
    expect(t.columns.get('occ')).toEqual({ type: 'factor', levels: ['M1', 'ICA', 'M2'], codes: Int32Array.of(0, 1) });
  });

  it('handles CRLF, a BOM, blank lines, quoted line breaks and delimiters', () => {
    const t = read('\uFEFFa,b\r\n1,"x, y"\r\n\r\n2,"two\r\nlines"\r\n');
    expect(t.nrows).toBe(2);
    expect(t.columns.get('a')).toEqual({ type: 'number', values: Float64Array.of(1, 2) });
    expect(t.columns.get('b')).toEqual({ type: 'factor', levels: ['two\r\nlines', 'x, y'], codes: Int32Array.of(1, 0) });
  });

  it('takes a quoted "NA" literally in text columns but as missing in number columns', () => {
    const t = read('s,x\n"NA","NA"\nNA,3\n', { columns: { s: { type: 'string' } } });
    expect(t.columns.get('s')).toEqual({ type: 'string', values: ['NA', null] });
    expect(t.columns.get('x')).toEqual({ type: 'number', values: Float64Array.of(NaN, 3) });
  });

  it('says why a quoted "NA" is not a missing value when it is not a declared level', () => {
    const e = dataError(() => read('occ\nM1\n"NA"\n', { columns: { occ: { type: 'factor', levels: ['M1', 'M2'] } } }));
    expect([e.message, e.location]).toEqual(['column "occ": "NA" is not one of the declared levels (M1, M2)', { file: 'data/cohort.csv', line: 3, col: 1 }]);
    expect(e.hint).toBe('the field is quoted, so it is read as the text "NA", not as a missing value: write it without quotes, or set quoted_na: true if quoted tokens mean missing');
  });

  it('reads quoted missing-value tokens as missing with quotedNa, as R does (files quoting every field)', () => {
    const csv = '"s","occ","x"\n"a","M1","1"\n"NA","","NA"\n"","NA","2"\n';
    const t = read(csv, { quotedNa: true, columns: { s: { type: 'string' }, occ: { type: 'factor', levels: ['M1'] } } });
    expect(t.columns.get('s')).toEqual({ type: 'string', values: ['a', null, null] });
    expect(t.columns.get('occ')).toEqual({ type: 'factor', levels: ['M1'], codes: Int32Array.of(0, -1, -1) });
    expect(t.columns.get('x')).toEqual({ type: 'number', values: Float64Array.of(1, NaN, 2) });
    expect(read(csv, { columns: { s: { type: 'string' } } }).columns.get('s')).toEqual({ type: 'string', values: ['a', 'NA', ''] });
  });

  it('uses the given missing-value tokens instead of the defaults', () => {
    const t = read('x\n-99\n.\n4\n', { na: ['-99'], columns: { x: { type: 'string' } } });
    expect(t.columns.get('x')).toEqual({ type: 'string', values: [null, '.', '4'] });
  });

  it('reads numbers as R: exponents, Inf, surrounding spaces', () => {
    const t = read('x\n1e3\n-.5\n Inf \n-Inf\n+2\n');
    expect(t.columns.get('x')).toEqual({ type: 'number', values: Float64Array.of(1000, -0.5, Infinity, -Infinity, 2) });
  });

  it('reads a header-only file as an empty table', () => {
    const t = read('a,b\n', { columns: { a: { type: 'number' } } });
    expect(t.nrows).toBe(0);
    expect(t.columns.get('a')).toEqual({ type: 'number', values: new Float64Array(0) });
  });

  it('renames columns before declarations apply', () => {
    const t = read('AGE_YRS,Arm\n70,1\n', { rename: { AGE_YRS: 'age', Arm: 'evt' }, columns: { evt: { type: 'integer' } } });
    expect([...t.columns.keys()]).toEqual(['age', 'evt']);
  });

  it('reads TSV and other delimiters', () => {
    expect(read('a\tb\n1\t2\n', { format: 'tsv' }).columns.get('b')).toEqual({ type: 'number', values: Float64Array.of(2) });
    expect(read('a;b\n1;2,5\n', { delimiter: ';', columns: { b: { type: 'string' } } }).columns.get('b')).toEqual({ type: 'string', values: ['2,5'] });
  });
});

describe('readDelimited: errors name file, line and column', () => {
  it('an unparsable number', () => {
    const e = dataError(() => read('id,age\nP1,70\nP2,7O\n', { columns: { age: { type: 'number' } } }));
    expect(e.message).toBe('column "age": "7O" is not a number');
    expect(e.location).toEqual({ file: 'data/cohort.csv', line: 3, col: 4 });
    expect(e.hint).toMatch(/add them to na:/);
  });

  it('the line of a value after a quoted line break', () => {
    const e = dataError(() => read('note,age\n"a\nb",1\nc,x\n', { columns: { age: { type: 'number' } } }));
    expect(e.location).toEqual({ file: 'data/cohort.csv', line: 4, col: 3 });
  });

  it('a fraction in an integer column', () => {
    const e = dataError(() => read('n\n1\n2.5\n', { columns: { n: { type: 'integer' } } }));
    expect(e.message).toBe('column "n": "2.5" is not a whole number (declared integer)');
    expect(e.location).toEqual({ file: 'data/cohort.csv', line: 3, col: 1 });
  });

  it('an undeclared level, with the closest level', () => {
    const e = dataError(() => read('id,occlusion\n1,M1\n2,m2\n', { columns: { occlusion: { type: 'factor', levels: ['ICA', 'M1', 'M2'] } } }));
    expect(e.message).toBe('column "occlusion": "m2" is not one of the declared levels (ICA, M1, M2) (did you mean "M2"?)');
    expect(e.location).toEqual({ file: 'data/cohort.csv', line: 3, col: 3 });
  });

  it('a bad boolean', () => {
    const e = dataError(() => read('b\nyes\n', { columns: { b: { type: 'boolean' } } }));
    expect(e.message).toBe('column "b": "yes" is not a boolean (0/1, true/false)');
    expect(e.location).toEqual({ file: 'data/cohort.csv', line: 2, col: 1 });
  });

  it('a row with the wrong number of fields', () => {
    const e = dataError(() => read('a,b\n1,2\n3,4,5\n'));
    expect(e.message).toBe('this row has 3 fields, the header has 2');
    expect(e.location).toEqual({ file: 'data/cohort.csv', line: 3, col: 1 });
  });

  it('an unclosed quote and a stray character after a quote', () => {
    const open = dataError(() => read('a,b\n1,"open\n'));
    expect([open.message, open.location]).toEqual(['a quoted field is never closed', { file: 'data/cohort.csv', line: 2, col: 3 }]);
    const stray = dataError(() => read('a,b\n1,"x"y\n'));
    expect([stray.message, stray.location]).toEqual(['unexpected character "y" after a closing quote', { file: 'data/cohort.csv', line: 2, col: 6 }]);
  });

  it('a declared column or renamed column that is not there, duplicate names, an empty file', () => {
    const header = { file: 'data/cohort.csv', line: 1, col: 1 };
    const declared = dataError(() => read('age\n1\n', { columns: { aeg: { type: 'number' } } }));
    expect([declared.message, declared.location]).toEqual(['declared column "aeg" is not in the file (did you mean "age"?)', header]);
    const renamed = dataError(() => read('age\n1\n', { rename: { Age: 'age2' } }));
    expect([renamed.message, renamed.location]).toEqual(['rename: column "Age" is not in the file (did you mean "age"?)', header]);
    expect(dataError(() => read('a,b\n1,2\n', { rename: { a: 'b' } })).message).toBe('after rename, two columns are called "b"');
    const twice = dataError(() => read('a,a\n1,2\n'));
    expect([twice.message, twice.location]).toEqual(['column name "a" appears twice in the header', { file: 'data/cohort.csv', line: 1, col: 3 }]);
    expect(twice.hint).toBe('columns 1 and 2 are both called "a": rename one of them in the file');
    expect(dataError(() => read('')).message).toMatch(/the file is empty/);
    expect(dataError(() => read('x\nM1\n', { columns: { x: { type: 'factor', levels: ['M1'], reference: 'M2' } } })).message).toMatch(/reference level "M2" is not a level/);
  });
});

describe('readDelimited: JSON lines', () => {
  it('reads objects, null and absent keys as missing, JSON strings as literals', () => {
    const text = '{"id": "P1", "age": 70, "evt": true, "occ": "M1"}\n\n{"id": "P2", "age": null, "evt": false, "occ": "NA", "extra": 1}\n';
    const t = read(text, { format: 'jsonl', columns: { evt: { type: 'boolean' }, id: { type: 'string' } } });
    expect([...t.columns.keys()]).toEqual(['id', 'age', 'evt', 'occ', 'extra']);
    expect(t.columns.get('age')).toEqual({ type: 'number', values: Float64Array.of(70, NaN) });
    expect(t.columns.get('evt')).toEqual({ type: 'number', values: Float64Array.of(1, 0) });
    expect(t.columns.get('occ')).toEqual({ type: 'factor', levels: ['M1', 'NA'], codes: Int32Array.of(0, 1) });
    expect(t.columns.get('extra')).toEqual({ type: 'number', values: Float64Array.of(NaN, 1) });
  });

  it('names the line of a bad record or value', () => {
    const bad = dataError(() => read('{"a": 1}\n{"a": \n', { format: 'jsonl' }));
    expect(bad.message).toMatch(/^not valid JSON/);
    expect(bad.location).toEqual({ file: 'data/cohort.csv', line: 2, col: 1 });
    expect(dataError(() => read('{"a": 1}\n[1]\n', { format: 'jsonl' })).message).toBe('each line must be a JSON object ({"column": value, ...})');
    expect(dataError(() => read('{"a": {"b": 1}}\n', { format: 'jsonl' })).message).toMatch(/nested object/);
    const typed = dataError(() => read('{"a": "x"}\n{"a": "y"}\n', { format: 'jsonl', columns: { a: { type: 'number' } } }));
    expect([typed.message, typed.location]).toEqual(['column "a": 2 values are not numbers: "x" (line 1), "y" (line 2)', { file: 'data/cohort.csv', line: 1, col: 1 }]);
  });
});

describe('writeCsv', () => {
  const num = (...v: number[]): Column => ({ type: 'number', values: Float64Array.from(v) });
  const table = makeTable([
    ['x', num(0.1 + 0.2, NaN, -0, Infinity, 1e21)],
    ['occ', { type: 'factor', levels: ['M1', 'a,b'], codes: Int32Array.of(0, 1, -1, 0, 0) }],
    ['s', { type: 'string', values: ['NA', 'say "hi"', null, '', 'line\nbreak'] }],
    ['a "b"', num(1, 2, 3, 4, 5)],
  ]);

  it('writes header, NA, shortest numbers and RFC 4180 quoting with \\n', () => {
    expect(writeCsv(table)).toBe(
      'x,occ,s,"a ""b"""\n0.30000000000000004,M1,"NA",1\nNA,"a,b","say ""hi""",2\n0,NA,NA,3\nInf,M1,"",4\n1e+21,M1,"line\nbreak",5\n',
    );
  });

  it('round-trips through readDelimited', () => {
    const back = readDelimited(writeCsv(table), { file: 't.csv', columns: { occ: { type: 'factor', levels: ['M1', 'a,b'] }, s: { type: 'string' } } });
    expect(back.columns.get('x')).toEqual({ type: 'number', values: Float64Array.of(0.1 + 0.2, NaN, 0, Infinity, 1e21) });
    expect(back.columns.get('occ')).toEqual(table.columns.get('occ'));
    expect(back.columns.get('s')).toEqual(table.columns.get('s'));
  });

  it('gives identical bytes for identical tables and a header for an empty one', () => {
    expect(writeCsv(table)).toBe(writeCsv(makeTable([...table.columns])));
    expect(writeCsv(makeTable([['a', num()]]))).toBe('a\n');
  });
});
