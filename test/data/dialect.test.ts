import { describe, expect, it } from 'vitest';
import { guessDecimal, guessDelimiter, noteDecimal, type DecimalEvidence } from '../../src/data/dialect.js';
import { readText } from '../../src/data/csv.js';
import { DataError } from '../../src/errors.js';

describe('guessing the delimiter', () => {
  it('takes the candidate the header and every record have equally often', () => {
    expect(guessDelimiter('a,b,c\n1,2,3\n', 0)).toEqual({ delimiter: ',', consistent: true });
    expect(guessDelimiter('a;b\r\n1,5;2\r\n', 0)).toEqual({ delimiter: ';', consistent: true });
    expect(guessDelimiter('a\tb\n1\t2\n', 0)).toEqual({ delimiter: '\t', consistent: true });
    expect(guessDelimiter('a|b\n1|2\n', 0)).toEqual({ delimiter: '|', consistent: true });
  });

  it('ignores delimiters inside quotes, also across lines', () => {
    expect(guessDelimiter('"a;x",b\n"1;\n2",3\n', 0).delimiter).toBe(',');
  });

  it('prefers the most fields, and "," on a tie; a header without any candidate is one column', () => {
    expect(guessDelimiter('a;b;c,d\n1;2;3,4\n', 0).delimiter).toBe(';');
    expect(guessDelimiter('a,b;c\n1,2;3\n', 0).delimiter).toBe(',');
    expect(guessDelimiter('age\n70\n', 0)).toEqual({ delimiter: ',', consistent: true });
    expect(guessDelimiter('a,b\n1,2,3\n', 0)).toEqual({ delimiter: ',', consistent: false });
  });
});

describe('guessing the decimal mark', () => {
  const evidence = (...fields: string[]): DecimalEvidence => {
    const ev: DecimalEvidence = { comma: 0, point: 0 };
    for (const f of fields) noteDecimal(ev, f);
    return ev;
  };

  it('a comma when numbers are written 70,5 and none 70.5, and the delimiter is not a comma', () => {
    expect(guessDecimal(evidence('70,5', '12', ' -0,25 '), ';')).toEqual({ decimal: ',', ambiguous: false });
    expect(guessDecimal(evidence('70,5'), ',')).toEqual({ decimal: '.', ambiguous: false });
    expect(guessDecimal(evidence('70.5', 'x,y'), ';')).toEqual({ decimal: '.', ambiguous: false });
    expect(guessDecimal(evidence('70,5', '1.5'), ';')).toEqual({ decimal: '.', ambiguous: true, comma: '70,5', point: '1.5' });
  });

  it('reads a European file as read.csv2 does, and refuses to guess between both kinds', () => {
    const { table, dialect } = readText('id;age\n1;70,5\n2;65\n', { file: 'x.csv' });
    expect(dialect).toEqual({ delimiter: ';', decimal: ',', guessed: { delimiter: true, decimal: true } });
    expect(table.columns.get('age')).toEqual({ type: 'number', values: Float64Array.of(70.5, 65) });
    expect(() => readText('id;a;b\n1;70,5;1.5\n', { file: 'x.csv' })).toThrow(DataError);
    expect(readText('id;a\n1;70,5\n', { file: 'x.csv', decimal: '.', columns: { a: { type: 'string' } } }).table.columns.get('a')).toEqual({ type: 'string', values: ['70,5'] });
  });
});
