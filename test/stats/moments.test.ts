import { describe, expect, it } from 'vitest';
import { mean, meanSd } from '../../src/stats/moments.js';

// R 4.2.2: sprintf("%.17g", c(mean(x), var(x), sd(x))) and mean(rep(0.1, 10)), mean(numeric(0))
describe("moments: R's mean, var and sd", () => {
  it('a sample with one large value', () => {
    const x = [0.1, 0.2, 0.3, 1e8 + 0.7, 3.3];
    const m = meanSd(x);
    expect(m.mean).toBe(20000000.920000002);
    expect(m.variance).toBe(1999999989000002);
    expect(m.sd).toBe(44721359.427012078);
    expect(mean(x)).toBe(m.mean);
  });
  it('refines the double sum as R does: mean(rep(0.1, 10)) is 0.1, where sum/n is not', () => {
    const x = new Float64Array(10).fill(0.1);
    let s = 0;
    for (const v of x) s += v;
    expect(s / 10).not.toBe(0.1);
    expect(mean(x)).toBe(0.1);
  });
  it('an empty sample has mean NaN, one value an SD of NaN, a NaN makes both NaN', () => {
    expect(mean([])).toBeNaN();
    expect(meanSd([2]).sd).toBeNaN();
    expect(meanSd([2]).mean).toBe(2);
    const m = meanSd([1, NaN, 3]);
    expect(m.mean).toBeNaN();
    expect(m.sd).toBeNaN();
  });
});
