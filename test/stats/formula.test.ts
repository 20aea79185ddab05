import { describe, expect, it } from 'vitest';
import { FormulaError, formulaFromParts, parseFormula } from '../../src/stats/formula.js';
import { fixture } from './models-support.js';

const cases = fixture<{ formula: string; term_labels: string[] | string; intercept: number }[]>('design.json');

describe('parseFormula', () => {
  it.each(cases.map((c) => [c.formula, c] as const))('term labels and order as R terms(): %s', (_, c) => {
    const f = parseFormula(c.formula);
    expect(f.terms.map((t) => t.label)).toEqual(([] as string[]).concat(c.term_labels));
    expect(f.intercept).toBe(c.intercept === 1);
  });

  it('reads a comparison outcome and normalises the formula', () => {
    const f = parseFormula('mrs90<=2~evt+age  +  log( fiv_ml )+I(x / 10)');
    expect(f.response?.label).toBe('mrs90 <= 2');
    expect(f.text).toBe('mrs90 <= 2 ~ evt + age + log(fiv_ml) + I(x/10)');
  });

  it('gives the outcome/covariates form the same normalised formula', () => {
    const a = parseFormula('mrs90 <= 2 ~ evt + age + rcs(fiv_ml, 4) + evt:age');
    const b = parseFormula(formulaFromParts('mrs90 <= 2', ['evt', 'age', 'rcs(fiv_ml, 4)', 'evt:age']));
    expect(b.text).toBe(a.text);
    expect(b.terms).toEqual(a.terms);
  });

  it('handles removal of terms and of the intercept', () => {
    expect(parseFormula('y ~ a * b - a:b').terms.map((t) => t.label)).toEqual(['a', 'b']);
    expect(parseFormula('y ~ 0 + a').intercept).toBe(false);
    expect(parseFormula('y ~ a - 1 + 1').intercept).toBe(true);
    expect(parseFormula('y ~ a + a').terms).toHaveLength(1);
  });

  it('reads rcs with its knots', () => {
    const f = parseFormula('y ~ rcs(fiv_ml, 4) + rcs(age)');
    expect(f.variables.map((v) => (v.kind === 'rcs' ? [v.label, v.nk] : v.label))).toEqual([
      ['rcs(fiv_ml, 4)', 4],
      ['rcs(age)', 5],
    ]);
  });

  it.each([
    ['y ~ a + ', 'the formula ends where a term was expected at character 9'],
    ['y + a', 'a formula needs "~"'],
    ['y ~ a ^ 2', 'the formula operator "^" is not supported at character 7'],
    ['y ~ a / b', 'the formula operator "/" is not supported'],
    ['y ~ lgo(x)', 'unknown function "lgo" (did you mean "log"?) at character 5'],
    ['y ~ rcs(x, 9)', 'rcs() needs 3 to 7 knots'],
    ['y ~ (a + b', 'expected ")"'],
    ['y ~ 2', 'a number (2) is not a term'],
  ])('refuses %s', (src, message) => {
    let err: unknown;
    try {
      parseFormula(src);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FormulaError);
    expect((err as Error).message).toContain(message);
  });
});
