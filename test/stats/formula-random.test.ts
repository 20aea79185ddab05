import { describe, expect, it } from 'vitest';
import { FormulaError, formulaFromParts, parseFormula } from '../../src/stats/formula.js';

/** The error a formula gives: message and hint. */
function refusal(src: string): { message: string; hint: string | undefined } {
  try {
    parseFormula(src);
  } catch (e) {
    if (e instanceof FormulaError) return { message: e.message, hint: e.hint };
    throw e;
  }
  throw new Error(`"${src}" parsed`);
}

describe('random-effect terms in formulas', () => {
  it('reads (1 | g) and (1 + x | g) as lme4 writes them, the random term normalised last', () => {
    const a = parseFormula('mrs90 ~ evt + age + (1|trial)');
    expect(a.terms.map((t) => t.label)).toEqual(['evt', 'age']);
    expect(a.random).toEqual([{ label: '(1 | trial)', group: 'trial', slope: undefined }]);
    expect(a.text).toBe('mrs90 ~ evt + age + (1 | trial)');
    const b = parseFormula('mrs90 ~ (1 + evt | trial) + evt + age');
    expect(b.text).toBe('mrs90 ~ evt + age + (1 + evt | trial)');
    expect(b.random[0]!.slope?.label).toBe('evt');
    expect(b.random[0]!.group).toBe('trial');
  });

  it('gives equivalent specs one text: (x | g) = (1 + x | g) = (x + 1 | g), spacing aside', () => {
    const texts = ['y ~ a + (evt | trial)', 'y~a+(1+evt|trial)', 'y ~ (evt + 1 | trial) + a', 'y ~ a + ( 1 + evt|trial )'].map((f) => parseFormula(f).text);
    expect(new Set(texts)).toEqual(new Set(['y ~ a + (1 + evt | trial)']));
  });

  it('keeps the random term next to the intercept rules and with only an intercept', () => {
    expect(parseFormula('y ~ (1 | g)').text).toBe('y ~ 1 + (1 | g)');
    expect(parseFormula('y ~ 1 + (1 | g)').text).toBe('y ~ 1 + (1 | g)');
    expect(parseFormula('y ~ a - 1 + (1 | g)').text).toBe('y ~ a - 1 + (1 | g)');
    expect(parseFormula(parseFormula('y ~ a + log(x) + (log(x) | g)').text).random[0]!.slope?.label).toBe('log(x)');
  });

  it('builds the covariates form with random:', () => {
    expect(parseFormula(formulaFromParts('mrs90', ['evt', 'age'], '(1 | trial)')).text).toBe(parseFormula('mrs90 ~ evt + age + (1 | trial)').text);
    expect(formulaFromParts('y', ['a'])).toBe('y ~ a');
  });

  it('refuses what it does not fit, saying what is supported', () => {
    expect(refusal('y ~ a + (1 | g) + (1 | h)').message).toMatch(/only one random-effect term/);
    expect(refusal('y ~ a + (1 || g)').message).toMatch(/"\|\|".*not supported/);
    expect(refusal('y ~ a + (0 + evt | g)').message).toMatch(/without a random intercept/);
    expect(refusal('y ~ a + (evt - 1 | g)').message).toMatch(/without a random intercept/);
    expect(refusal('y ~ a + (1 | g:h)').message).toMatch(/must be a column name, got "g:h"/);
    expect(refusal('y ~ a + (1 + x + z | g)').message).toMatch(/unsupported random-effect term/);
    expect(refusal('y ~ a + (1 + x + z | g)').hint).toMatch(/\(1 \| group\) and \(1 \+ x \| group\)/);
    expect(refusal('y ~ a + (rcs(x, 4) | g)').message).toMatch(/not a spline/);
    expect(refusal('y ~ a - (1 | g)').message).toMatch(/cannot be removed/);
    expect(refusal('y ~ a:(1 | g)').message).toMatch(/part of an interaction/);
    expect(refusal('y ~ (1 | g):a').message).toMatch(/part of an interaction/);
    expect(refusal('y ~ (a + (1 | g))').message).toMatch(/top level/);
  });

  it('points at the character of the problem', () => {
    const e = refusal('y ~ a + (1 | g:h)');
    expect(e.message).toMatch(/at character 14 of the formula/);
  });
});
