/** src/nodes/bootstrap-estimates.ts: estimate paths of a result's JSON. */
import { describe, expect, it } from 'vitest';
import { numericLeaves, selectPaths } from '../../src/nodes/bootstrap-estimates.js';

describe('numericLeaves', () => {
  it('names estimates by path, array rows by their naming field, and skips counts', () => {
    const leaves = numericLeaves({
      n: 1665,
      proportion_explained: 0.12,
      total: { log_or: -0.8, level: 0.95 },
      coefficients: [
        { term: 'fiv_ml', estimate: -0.02, se: 0.003 },
        { term: '(Intercept)', estimate: 1.5, se: 0.2 },
      ],
      curve: [0.5, 0.4],
      label: 'text is ignored',
      ok: true,
    });
    expect([...leaves]).toEqual([
      ['coefficients[term=fiv_ml].estimate', -0.02],
      ['coefficients[term=fiv_ml].se', 0.003],
      ['coefficients[term=(Intercept)].estimate', 1.5],
      ['coefficients[term=(Intercept)].se', 0.2],
      ['curve[0]', 0.5],
      ['curve[1]', 0.4],
      ['proportion_explained', 0.12],
      ['total.log_or', -0.8],
    ]);
    expect(selectPaths(leaves, ['coefficients[term=fiv_ml]', 'total'])).toEqual(['coefficients[term=fiv_ml].estimate', 'coefficients[term=fiv_ml].se', 'total.log_or']);
  });
});
