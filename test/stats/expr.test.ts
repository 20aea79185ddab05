import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { makeTable, type Column, type Table } from '../../src/data/table.js';
import {
  ExpressionSyntaxError,
  MAX_EXPRESSION_LENGTH,
  deparse,
  evaluate,
  evaluateNumeric,
  exprColumns,
  formatRNumber,
  parseExpression,
  roundR,
} from '../../src/stats/expr.js';

interface ExprFixture {
  deparse: { source: string; deparsed: string }[];
  round: { x: number[]; digits: number[]; rounded: number[] };
  modulo: { a: number[]; b: number[]; r: number[] };
  /** As text, 17 significant digits or Inf/-Inf/NaN. */
  modulo_precision: { a: string[]; b: string[]; r: string[] };
  modulo_infinite: { a: string[]; b: string[]; r: string[] };
}
// Produced by test/fixtures/stats/expr.R (R's deparse(), round() and %%).
const fixture = JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/stats/expr.json'), 'utf8')) as ExprFixture;

const num = (...v: number[]): Column => ({ type: 'number', values: Float64Array.from(v) });
const factor = (levels: string[], ...codes: number[]): Column => ({ type: 'factor', levels, codes: Int32Array.from(codes) });

const table: Table = makeTable([
  ['x', num(1, 2, NaN, 4)],
  ['y', num(10, 0, 5, NaN)],
  ['b', num(1, 0, NaN, 0)],
  ['modality', factor(['CT', 'MRI'], 0, 1, -1, 0)],
  ['name', { type: 'string', values: ['a', null, 'c', 'a'] }],
  ['fiv ml', num(5, 50, 90, 150)],
]);

const values = (src: string, t: Table = table): number[] => Array.from(evaluateNumeric(parseExpression(src), t));

function syntaxError(src: string): ExpressionSyntaxError {
  try {
    parseExpression(src);
  } catch (e) {
    if (e instanceof ExpressionSyntaxError) return e;
    throw e;
  }
  throw new Error(`expected "${src}" to be refused`);
}

describe('deparse matches R', () => {
  it.each(fixture.deparse)('$source → $deparsed', ({ source, deparsed }) => {
    expect(deparse(parseExpression(source))).toBe(deparsed);
  });

  it('adds the parentheses precedence needs in a tree built without them', () => {
    const sum = parseExpression('a + b');
    const product = { type: 'binary', op: '*', left: { ...sum, parens: 0 }, right: parseExpression('c'), offset: 0 } as const;
    expect(deparse(product)).toBe('(a + b) * c');
  });

  it('formats numbers as R with 15 significant digits', () => {
    expect(formatRNumber(100000)).toBe('1e+05');
    expect(formatRNumber(0.001)).toBe('0.001');
    expect(formatRNumber(1 / 3)).toBe('0.333333333333333');
    expect(formatRNumber(1e21)).toBe('1e+21');
  });
});

describe('parseExpression', () => {
  it('builds the AST with R precedence', () => {
    const e = parseExpression('-x^2 + 1');
    expect(e).toMatchObject({ type: 'binary', op: '+', left: { type: 'unary', op: '-', arg: { type: 'binary', op: '^' } }, right: { type: 'num', value: 1 } });
    expect(parseExpression('!a == 1')).toMatchObject({ type: 'unary', op: '!', arg: { type: 'binary', op: '==' } });
    expect(parseExpression('a^b^c')).toMatchObject({ type: 'binary', op: '^', left: { type: 'col', name: 'a' }, right: { type: 'binary', op: '^' } });
  });

  it('lists the columns an expression reads, once each, in order', () => {
    expect(exprColumns(parseExpression('if_else(b > 0, log(`fiv ml`), x + b)'))).toEqual(['b', 'fiv ml', 'x']);
    expect(exprColumns(parseExpression('modality %in% c("CT", "MRI")'))).toEqual(['modality']);
  });

  it.each([
    ['x + eval(1)', 'unknown function "eval" at 4'],
    ['constructor(x)', 'unknown function "constructor" at 0'],
    ['x$constructor', 'unexpected character "$" at 1'],
    ['process.exit()', 'unknown function "process.exit" at 0'],
    ['__proto__ == 1', 'unexpected character "_" at 0'],
    ['toString(x)', 'unknown function "toString" at 0'],
    ['x < 1 < 2', 'unexpected "<" at 6'],
    ['x = 1', '"=" is not a comparison at 2'],
    ['x && y', '"&&" is not supported at 2'],
    ['x<-1', '"<-" (assignment) is not allowed at 1'],
    ['log(x', 'expected "," or ")" in the call of log(), found end of expression at 5'],
    ['(x + 1', 'expected ")" to close the "(" at 0, found end of expression at 6'],
    ['x +', 'unexpected end of expression at 3'],
    ['', 'empty expression at 0'],
    ['"abc', 'unclosed string at 0'],
    ['x %o% y', 'unknown operator "%o%" at 2'],
    ['c(1, 2)', 'c(...) can only be used on the right of %in% at 0'],
    ['x %in% y', 'the values of %in% must be literals: numbers, strings, TRUE, FALSE or NA at 7'],
    ['sqrt(x, 2)', 'sqrt() takes 1 argument, got 2 at 0'],
    ['if_else(x, 1)', 'if_else() takes 3 arguments, got 2 at 0'],
    ['12abc', 'malformed number "12a" at 0'],
    ['lgo(x)', 'unknown function "lgo" (did you mean "log"?) at 0'],
    ['fiv_ml == NA', 'comparing with NA ("==") gives a missing value on every row at 7'],
  ])('refuses %j with "%s"', (src, message) => {
    expect(syntaxError(src).message).toBe(message);
  });

  it('refuses a comparison with NA, pointing to is_missing', () => {
    expect(syntaxError('modality != NA').hint).toBe('to test for a missing value, write !is_missing(modality)');
    expect(syntaxError('NA < log(x + 1)').hint).toBe('to test for a missing value, write is_missing(log(x + 1))');
    expect(deparse(parseExpression('x %in% c(1, NA) | if_else(x > 1, NA, 2) > 0'))).toBe('x %in% c(1, NA) | if_else(x > 1, NA, 2) > 0');
  });

  it('never runs JavaScript: a would-be injection is an unknown function or column', () => {
    const before = process.exitCode;
    for (const src of ['eval("process.exit(1)")', 'Function("return process")()', '`constructor`(1)', '`__proto__`']) {
      let parsed;
      try {
        parsed = parseExpression(src);
      } catch (e) {
        expect(e).toBeInstanceOf(ExpressionSyntaxError);
        continue;
      }
      expect(() => evaluate(parsed, table)).toThrow(DataError);
    }
    expect(() => evaluate(parseExpression('`__proto__`'), table)).toThrow('unknown column "__proto__" in an expression');
    expect(() => evaluate(parseExpression('`hasOwnProperty` + 1'), table)).toThrow('unknown column "hasOwnProperty"');
    expect(process.exitCode).toBe(before);
  });

  it('refuses a 100 kB expression and deep nesting with a message, without exhausting the stack', () => {
    const long = Array.from({ length: 25_000 }, () => 'x').join(' + ');
    expect(long.length).toBeGreaterThan(MAX_EXPRESSION_LENGTH);
    expect(syntaxError(long).message).toMatch(/^expression too long \(99997 characters, at most 20000\)/);
    const deep = '('.repeat(5000) + 'x' + ')'.repeat(5000);
    expect(syntaxError(deep).message).toMatch(/^expression nested too deeply/);
    const chain = Array.from({ length: 1000 }, () => 'x').join(' + ');
    expect(syntaxError(chain).message).toMatch(/^expression nested too deeply/);
    const minus = '-'.repeat(3000) + 'x';
    expect(syntaxError(minus).message).toMatch(/^expression nested too deeply/);
  });

  it('accepts a long flat %in% list', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => i).join(', ');
    expect(values(`x %in% c(${ids})`)).toEqual([1, 1, 0, 1]);
  });
});

describe('evaluate', () => {
  it('does arithmetic with missing propagating', () => {
    expect(values('x + y')).toEqual([11, 2, NaN, NaN]);
    expect(values('x * 2 - 1')).toEqual([1, 3, NaN, 7]);
    expect(values('2^-1 + x^2')).toEqual([1.5, 4.5, NaN, 16.5]);
    expect(values('-x^2')).toEqual([-1, -4, NaN, -16]);
    expect(values('I(y / 10)')).toEqual([1, 0, 0.5, NaN]);
    expect(values('x < -1')).toEqual([0, 0, NaN, 0]);
    expect(deparse(parseExpression('x**2'))).toBe('x^2'); // R reads ** as ^
  });

  it("computes %% as R (sign of the divisor)", () => {
    const { a, b, r } = fixture.modulo;
    const t = makeTable([
      ['a', num(...a)],
      ['b', num(...b)],
    ]);
    expect(values('a %% b', t)).toEqual(r);
  });

  it.each(['modulo_precision', 'modulo_infinite'] as const)('computes the remainder as R at the edges: %s', (which) => {
    const fromR = (s: string): number => (s === 'Inf' ? Infinity : s === '-Inf' ? -Infinity : Number(s));
    const { a, b, r } = fixture[which];
    const t = makeTable([
      ['a', num(...a.map(fromR))],
      ['b', num(...b.map(fromR))],
    ]);
    const got = values('a %% b', t);
    const want = r.map(fromR);
    if (which === 'modulo_infinite') {
      expect(got).toEqual(want);
    }
    // R takes the product in x87 long double, so its last bits depend on the platform: agree within
    // 8 ulps of the divisor (the plain formula misses by 0.1 on 1 %% 0.1 and by 1 on -1e-20 %% 1).
    else {
      got.forEach((x, i) => {
        expect(Math.abs(x - want[i]!), `${a[i]!} %% ${b[i]!}`).toBeLessThanOrEqual(8 * Number.EPSILON * Math.abs(fromR(b[i]!)));
      });
    }
  });

  it('rounds as R, halves to even', () => {
    const { x, digits, rounded } = fixture.round;
    x.forEach((xi, i) => {
      expect(roundR(xi, digits[i]!), `round(${xi}, ${digits[i]})`).toBe(rounded[i]);
    });
    expect(values('round(y / 4)')).toEqual([2, 0, 1, NaN]);
  });

  it('gives 0/1 for comparisons, NaN where an operand is missing', () => {
    expect(values('x > 1')).toEqual([0, 1, NaN, 1]);
    expect(values('x == 4')).toEqual([0, 0, NaN, 1]);
    expect(values('x != 4')).toEqual([1, 1, NaN, 0]);
  });

  it("follows R's three-valued logic for & | !", () => {
    // b = 1, 0, NA, 0
    expect(values('b & 1')).toEqual([1, 0, NaN, 0]);
    expect(values('b & 0')).toEqual([0, 0, 0, 0]);
    expect(values('b | 1')).toEqual([1, 1, 1, 1]);
    expect(values('b | 0')).toEqual([1, 0, NaN, 0]);
    expect(values('!b')).toEqual([0, 1, NaN, 1]);
    expect(values('TRUE & !FALSE')).toEqual([1, 1, 1, 1]);
  });

  it('compares factors and strings with literals', () => {
    expect(values('modality == "CT"')).toEqual([1, 0, NaN, 1]);
    expect(values('"MRI" != modality')).toEqual([1, 0, NaN, 1]);
    expect(values('name == "a"')).toEqual([1, NaN, 0, 1]);
    expect(values('modality %in% c("CT", "MRI")')).toEqual([1, 1, 0, 1]);
    expect(values('modality %in% c("MRI", NA)')).toEqual([0, 1, 1, 0]);
    expect(values('x %in% c(1, 4)')).toEqual([1, 0, 0, 1]);
  });

  it('refuses a level the factor does not have, naming the closest', () => {
    expect(() => values('modality == "ct"')).toThrow('"ct" is not a level of modality in modality == "ct" (did you mean "CT"?)');
    expect(() => values('modality %in% c("CT", "PET")')).toThrow('"PET" is not a level of modality');
  });

  it('refuses mixing text and numbers', () => {
    expect(() => values('modality + 1')).toThrow('modality is text (a factor; row 1 holds "CT"), a number is needed in modality + 1');
    expect(() => values('modality == 1')).toThrow('cannot compare text with a number in modality == 1: modality is text (a factor; row 1 holds "CT")');
    expect(() => values('modality < "MRI"')).toThrow('text cannot be ordered with "<"');
    expect(() => values('x %in% c("a")')).toThrow('x is numeric but "a" is text');
  });

  it('applies the functions', () => {
    expect(values('log(y)')).toEqual([Math.log(10), -Infinity, Math.log(5), NaN]);
    expect(values('log(y, 10)')[0]).toBeCloseTo(1, 15);
    expect(values('log10(100) + log2(8) + exp(0) + sqrt(16) + cbrt(-27) + abs(-2)')).toEqual([9, 9, 9, 9]);
    expect(values('floor(y / 4) + ceiling(y / 4)')).toEqual([5, 0, 3, NaN]);
    expect(values('pmin(x, y, 3)')).toEqual([1, 0, NaN, NaN]);
    expect(values('pmax(x, 3)')).toEqual([3, 3, NaN, 4]);
    expect(values('is_missing(x) + is_missing(modality) + is_missing(name)')).toEqual([0, 1, 2, 0]);
    expect(values('if_else(x > 1, y, -1)')).toEqual([-1, 0, NaN, NaN]);
  });

  it('gives a factor for text results, keeping the source levels', () => {
    const grouped = evaluate(parseExpression('if_else(x > 1, "high", "low")'), table);
    expect(grouped).toEqual({ type: 'factor', levels: ['high', 'low'], codes: Int32Array.from([1, 0, -1, 0]) });
    const kept = evaluate(parseExpression('if_else(is_missing(modality), "CT", modality)'), table);
    expect(kept).toEqual({ type: 'factor', levels: ['CT', 'MRI'], codes: Int32Array.from([0, 1, 0, 0]) });
    expect(evaluate(parseExpression('name'), table)).toEqual({ type: 'string', values: ['a', null, 'c', 'a'] });
    expect(evaluate(parseExpression('if_else(x > 1, NA, modality)'), table)).toEqual({ type: 'factor', levels: ['CT', 'MRI'], codes: Int32Array.from([0, -1, -1, -1]) });
  });

  it('copies a bare column so the result never aliases the input', () => {
    for (const src of ['x', '(x)', 'I(x)', 'I((x))']) {
      const col = evaluate(parseExpression(src), table);
      expect(col.type === 'number' && col.values !== (table.columns.get('x') as { values: Float64Array }).values).toBe(true);
    }
  });

  it('names an unknown column with the closest', () => {
    expect(() => values('fiv_ml > 1')).toThrow('unknown column "fiv_ml" in an expression (did you mean "fiv ml"?)');
    expect(values('`fiv ml` > 80')).toEqual([0, 0, 1, 1]);
  });

  it('broadcasts constants and handles an empty table', () => {
    expect(values('1')).toEqual([1, 1, 1, 1]);
    const empty = makeTable([['x', num()]]);
    expect(values('x > 1', empty)).toEqual([]);
  });
});
