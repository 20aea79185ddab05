/** Bad input for the mixed models: each gives a clear error or a warning naming the term. */
import { describe, expect, it } from 'vitest';
import { takeRows, withColumn, type Table } from '../../src/data/table.js';
import { fitOneLogistic } from '../../src/nodes/fit_logistic.js';
import { fitOneOrdinal, fitOrdinalStep } from '../../src/nodes/fit_ordinal.js';
import { hermesLike, wine } from '../stats/mixed-support.js';

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('no error');
}

describe('mixed models refuse what cannot be estimated, naming it', () => {
  const t = wine();
  const judge = (t.columns.get('judge') as { codes: Int32Array }).codes;

  it('a grouping factor with one level in the fitted rows', () => {
    const one = takeRows(t, Int32Array.from({ length: t.nrows }, (_, i) => i).filter((i) => judge[i] === 2));
    expect(message(() => fitOneOrdinal({ input: 'd', formula: 'rating ~ temp + contact + (1 | judge)' }, one, 's', true))).toMatch(
      /the grouping factor "judge" of the random-effect term "\(1 \| judge\)" has one level \("3"\) in the fitted rows/,
    );
  });

  it('a cluster of one patient: a warning naming it', () => {
    const rows = Int32Array.from({ length: t.nrows }, (_, i) => i).filter((i) => judge[i] !== 8 || i === t.nrows - 1);
    const r = fitOneOrdinal({ input: 'd', formula: 'rating ~ temp + contact + (1 | judge)' }, takeRows(t, rows), 's', true);
    expect(r.warnings.join('\n')).toMatch(/the cluster "9" of "judge" has one patient/);
  });

  it('a random slope for a variable constant within every cluster', () => {
    const withJudgeScore = withColumn(t, 'strict', { type: 'number', values: Float64Array.from(judge, (j) => j % 3) });
    expect(message(() => fitOneOrdinal({ input: 'd', formula: 'rating ~ temp + contact + strict + (1 + strict | judge)' }, withJudgeScore, 's', true))).toMatch(
      /the random slope of "strict" in "\(1 \+ strict \| judge\)": "strict" is constant within every level of "judge"/,
    );
  });

  it('a random slope missing from the fixed effects, a factor slope, an unknown grouping column', () => {
    expect(message(() => fitOneOrdinal({ input: 'd', formula: 'rating ~ contact + (1 + temp | judge)' }, t, 's', true))).toMatch(/the random slope "temp" in "\(1 \+ temp \| judge\)" is not among the fixed effects/);
    expect(message(() => fitOneOrdinal({ input: 'd', formula: 'rating ~ contact + temp + (1 + temp | judge)' }, t, 's', true))).toMatch(/is a factor \(several columns\)|is not among the fixed effects/);
    expect(message(() => fitOneOrdinal({ input: 'd', formula: 'rating ~ contact + (1 | jduge)' }, t, 's', true))).toMatch(/unknown grouping column "jduge"/);
  });

  it('nAGQ with a random slope, or without a random term, is a spec error', () => {
    const check = fitOrdinalStep.check!;
    expect(check({ input: 'd', formula: 'y ~ x + (1 + x | g)', nAGQ: 10 }).map((p) => p.message).join()).toMatch(/adaptive quadrature is available for a random intercept only/);
    expect(check({ input: 'd', formula: 'y ~ x', nAGQ: 10 }).map((p) => p.message).join()).toMatch(/nAGQ applies to a mixed model/);
    expect(check({ input: 'd', formula: 'y ~ x + (1 | g)', nAGQ: 10 })).toEqual([]);
  });

  it('a boundary (zero) variance: lme4\'s singular-fit warning, and the fixed-effects estimates', () => {
    // a grouping with no effect at all: the rows dealt round-robin to 7 groups
    const h: Table = hermesLike();
    const noise = withColumn(h, 'deal', { type: 'number', values: Float64Array.from({ length: h.nrows }, (_, i) => i % 7) });
    const r = fitOneLogistic({ input: 'd', formula: 'mrs90 <= 2 ~ evt + age + nihss + (1 | deal)' }, noise, 's', false);
    const re = r.value.random_effects as { sd: number[]; singular: boolean };
    expect(re.singular).toBe(true);
    expect(re.sd[0]).toBe(0);
    expect(r.warnings.join('\n')).toMatch(/boundary \(singular\) fit of "\(1 \| deal\)": the random-intercept SD is 0/);
    // the estimates are the fixed-effects model's
    const fixed = fitOneLogistic({ input: 'd', formula: 'mrs90 <= 2 ~ evt + age + nihss' }, noise, 's', false);
    r.estimate.forEach((b, j) => { expect(Math.abs(b - fixed.estimate[j]!)).toBeLessThan(1e-6); });
  });
});
