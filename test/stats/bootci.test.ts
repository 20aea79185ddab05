/**
 * src/stats/bootci.ts against boot::boot.ci (fixture: test/fixtures/stats/bootci.R → .json): given R's
 * replicates t*, t0 and jackknife influence values, the percentile and BCa end points agree at 1e-12;
 * the jackknife influence values agree with boot's empinf(type = "jack").
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bcaInterval, jackknifeInfluence, normInter, percentileInterval } from '../../src/stats/bootci.js';

interface CiCase {
  t0: [number];
  t: number[];
  L: number[];
  conf: number;
  perc: [number, number];
  bca: [number, number];
}
interface JackCase {
  t0: [number];
  tminus: number[];
  strata: number[];
  L: number[];
}
const fixture = JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/stats/bootci.json'), 'utf8')) as Record<string, unknown>;

function near(got: number, want: number, rel: number): void {
  expect(Math.abs(got - want)).toBeLessThanOrEqual(rel * Math.abs(want));
}

describe('boot.ci intervals', () => {
  for (const name of ['logmean_999', 'logmean_1000', 'ratio_strata_1999', 'ratio_small']) {
    it(`percentile and BCa match boot.ci for ${name}`, () => {
      const c = fixture[name] as CiCase;
      const perc = percentileInterval(c.t, c.conf);
      near(perc.lower, c.perc[0], 1e-12);
      near(perc.upper, c.perc[1], 1e-12);
      const bca = bcaInterval(c.t, c.t0[0], c.L, c.conf);
      near(bca.lower, c.bca[0], 1e-12);
      near(bca.upper, c.bca[1], 1e-12);
    });
  }

  it('flags extreme order statistics, as boot warns, for few replicates', () => {
    const c = fixture.ratio_small as CiCase;
    expect(bcaInterval(c.t, c.t0[0], c.L, c.conf).extreme).toBe(true);
    expect(percentileInterval((fixture.logmean_999 as CiCase).t).extreme).toBe(false);
  });

  it('norm.inter takes the exact order statistic when (R + 1)α is an integer', () => {
    const sorted = Float64Array.from({ length: 99 }, (_, i) => i * 10);
    expect(normInter(sorted, 0.05).value).toBe(40);
    const between = normInter(sorted, 0.053).value;
    expect(between).toBeGreaterThan(40);
    expect(between).toBeLessThan(50);
  });

  it('BCa refuses an infinite bias correction (all replicates above t0)', () => {
    expect(() => bcaInterval([2, 3, 4], 1, [1, -1, 0.5])).toThrow(/'w' is infinite/);
  });
});

describe('jackknifeInfluence', () => {
  for (const name of ['jack_plain', 'jack_strata']) {
    it(`matches empinf(type = "jack") for ${name}`, () => {
      const c = fixture[name] as JackCase;
      const sizes = c.strata.map((s) => c.strata.filter((v) => v === s).length);
      const L = jackknifeInfluence(c.t0[0], c.tminus, sizes);
      c.L.forEach((want, i) => {
        expect(Math.abs(L[i]! - want)).toBeLessThanOrEqual(1e-10 * Math.abs(want) + 1e-13);
      });
    });
  }
});
