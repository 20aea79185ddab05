/**
 * The one plogis/qlogis (src/stats/distributions.ts) and the binomial family's link functions
 * (src/stats/models/binomial-logit.ts) against R 4.2 at their extremes (test/fixtures/stats/logit.R → .json):
 * plogis is R's plogis (1/(1 + e^{−x}): exactly 0 and 1 at ∓∞ and beyond ±745, no clamp); linkinv, mu.eta
 * and linkfun are glm's C functions (clamped at |η| > 30 to ε/(1 + ε), 1/(1 + ε) and ε); qlogis,
 * log p − log1p(−p), is R's log(p/(1 − p)) (exactly ∓∞ at 0 and 1). "To an ulp": V8's Math.exp and log
 * and the C library's may differ in the last bit; the clamps, limits and ½ are exact.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plogis, qlogis } from '../../src/stats/distributions.js';
import { linkfun, linkinv, muEta, probability } from '../../src/stats/models/binomial-logit.js';

type Num = number | string;
const fx = JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/stats/logit.json'), 'utf8')) as Record<string, Num[]>;
const col = (name: string): number[] => fx[name]!.map((v) => (v === 'Inf' ? Infinity : v === '-Inf' ? -Infinity : (v as number)));
const EPS = 2.220446049250313e-16;

/** got is want, or within one ulp of it when want is not 0, ±∞, ½, 1 or a clamp value. */
function ulp(got: number, want: number, what: string): void {
  const exact = !Number.isFinite(want) || want === 0 || want === 0.5 || want === 1 || want === EPS / (1 + EPS) || want === 1 / (1 + EPS) || want === EPS;
  if (exact) expect(got, what).toBe(want);
  else expect(Math.abs(got - want), what).toBeLessThanOrEqual(EPS * Math.abs(want));
}

describe('the logistic function and the logit link, as R', () => {
  const x = col('x');
  it('plogis (and P(y = 1) of a fitted binomial model), both tails', () => {
    x.forEach((v, i) => {
      ulp(plogis(v), col('plogis')[i]!, `plogis(${v})`);
      expect(probability(v)).toBe(plogis(v));
      ulp(plogis(v, false), col('plogis_upper')[i]!, `plogis(${v}, upper)`);
    });
    expect(plogis(NaN)).toBeNaN();
  });
  it('glm\'s linkinv and mu.eta, clamped beyond |η| = 30', () => {
    x.forEach((v, i) => {
      ulp(linkinv(v), col('linkinv')[i]!, `linkinv(${v})`);
      ulp(muEta(v, Math.exp(v)), col('mu_eta')[i]!, `mu.eta(${v})`);
    });
  });
  it('glm\'s linkfun and qlogis, exactly ∓∞ at 0 and 1', () => {
    col('p').forEach((p, i) => {
      const want = col('linkfun')[i]!;
      ulp(linkfun(p), want, `linkfun(${p})`);
      ulp(qlogis(p), want, `qlogis(${p})`);
      expect(qlogis(p, false)).toBe(-qlogis(p));
    });
    expect(qlogis(-0.1)).toBeNaN();
    expect(qlogis(1.1)).toBeNaN();
  });
});
