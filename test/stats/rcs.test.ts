import { describe, expect, it } from 'vitest';
import { rcsBasis, rcsColumnNames, rcsKnots } from '../../src/stats/rcs.js';
import { cohortFactors, expectClose, fixture, readFixtureCsv } from './models-support.js';

const spline = fixture<{ logistic_spline: Record<string, number[] | number[][]> }>('cohort.json').logistic_spline;
const fiv = (readFixtureCsv('cohort.csv', cohortFactors).columns.get('fiv_ml') as { values: Float64Array }).values;

describe('rcs as rms::rcs', () => {
  it.each([3, 4, 5, 6, 7])('default knots for %i knots', (k) => {
    const expected = (k === 4 ? spline.knots : spline[`knots${k}`]) as number[];
    expectClose(rcsKnots(fiv, k), expected, [], `knots${k}`, 1e-14, 1e-12);
  });
  it('basis values (rcspline.eval, inclx = TRUE, norm = 2)', () => {
    const x = spline.basis_x as number[];
    const b = rcsBasis(x, rcsKnots(fiv, 4));
    const expected = spline.basis as number[][];
    for (let r = 0; r < x.length; r++) expectClose([b[r]!, b[x.length + r]!, b[2 * x.length + r]!], expected[r]!, ['x', "x'", "x''"], `row ${r + 1}`, 1e-12, 1e-14);
  });
  it("names columns with primes, and moves outer knots with < 100 values", () => {
    expect(rcsColumnNames('fiv_ml', 4)).toEqual(['fiv_ml', "fiv_ml'", "fiv_ml''"]);
    const small = Float64Array.from({ length: 50 }, (_, i) => i + 1);
    // n < 100: outer knots are the 5th smallest and 5th largest values
    const k = rcsKnots(small, 4);
    expect(k[0]).toBe(5);
    expect(k[3]).toBe(46);
  });
});
