/**
 * g-computation (src/stats/trial/g-computation.ts) against R (fixture: test/fixtures/trial/g-computation.R →
 * .json): with R's glm / clm coefficients and covariances and the model rows rebuilt here, ΔP and its
 * delta-method SE, the marginal OR, the implied distributions, the implied common OR (clm on the 2 × 7
 * table) and its SE (R: numDeriv's Richardson jacobian of the whole map; here the implicit-function
 * derivative), for ratio and absolute effects and two populations.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cumulativeOddsRatios, gComputeLogistic, gComputeOrdinal, inverseEffect, poProjection } from '../../../src/stats/trial/g-computation.js';
import { applyEffect } from '../../../src/stats/trial/effect.js';
import { hermesRows, type HermesRow } from './reference.js';

interface LogisticPop { n: number; p0: number[]; p1: number[]; difference: number[]; se: number[]; or: number[]; se_log_or: number[] }
interface OrdinalPop { n: number; pi0: number[]; pi1: number[]; p0: number[]; p1: number[]; difference: number[]; se: number[]; log_cor: number[]; se_log_cor: number[]; cumulative_or: number[] }
interface Case<P> { coefficients: number[]; vcov: number[][]; thresholds?: number[]; effects: { kind: 'ratio' | 'absolute'; value: number; populations: { all: P; under80: P } }[] }
interface Fixture { rows: number; linear: Case<LogisticPop>; log: Case<LogisticPop>; ordinal: Case<OrdinalPop> }
const fx = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../fixtures/trial/g-computation.json'), 'utf8')) as Fixture;

const rows = hermesRows().filter((r) => !Number.isNaN(r.fiv_ml) && !Number.isNaN(r.aspects));
const populations = { all: (_: HermesRow) => true, under80: (r: HermesRow) => r.fiv_ml < 80 };

/** Column-major model matrix of the rows, with the volume term `vol` of each patient's volume in `v`. */
function matrix(who: HermesRow[], v: Float64Array, vol: (x: number) => number, intercept: boolean): Float64Array {
  const cols: ((r: HermesRow, i: number) => number)[] = [
    ...(intercept ? [() => 1] : []),
    (_, i) => vol(v[i]!),
    (r) => r.evt,
    (r) => r.age,
    (r) => r.nihss,
    (r) => r.aspects,
    (r) => (r.occlusion === 'ICA' ? 1 : 0),
    (r) => (r.occlusion === 'M2' ? 1 : 0),
  ];
  const n = who.length;
  const X = new Float64Array(n * cols.length);
  cols.forEach((c, j) => {
    who.forEach((r, i) => (X[j * n + i] = c(r, i)));
  });
  return X;
}

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

describe('gComputeLogistic = glm + the delta-method formula', () => {
  for (const [name, c, vol] of [['I(fiv_ml/10)', fx.linear, (x: number) => x / 10], ['log(fiv_ml)', fx.log, Math.log]] as const) {
    for (const e of c.effects) {
      for (const pop of ['all', 'under80'] as const) {
        it(`${name}, ${e.kind} ${e.value}, ${pop}`, () => {
          const r = e.populations[pop];
          const who = rows.filter(populations[pop]);
          expect(who.length).toBe(r.n);
          const v = Float64Array.from(who, (x) => x.fiv_ml);
          const h = applyEffect({ kind: e.kind, value: e.value }, v).volumes;
          const p = c.coefficients.length;
          const g = gComputeLogistic(matrix(who, v, vol, true), matrix(who, h, vol, true), who.length, p, c.coefficients, c.vcov.flat());
          expect(rel(g.p0, r.p0[0]!)).toBeLessThan(1e-12);
          expect(rel(g.p1, r.p1[0]!)).toBeLessThan(1e-12);
          expect(rel(g.difference.estimate, r.difference[0]!)).toBeLessThan(1e-10);
          expect(rel(g.difference.se, r.se[0]!)).toBeLessThan(1e-10);
          expect(rel(g.oddsRatio.estimate, r.or[0]!)).toBeLessThan(1e-12);
          expect(rel(g.oddsRatio.se, r.se_log_or[0]!)).toBeLessThan(1e-10);
          expect(g.difference.low).toBeCloseTo(g.difference.estimate - 1.959963984540054 * g.difference.se, 14);
          // a log term and a ratio effect: the same conditional OR for everyone, r^b
          if (name === 'log(fiv_ml)') expect(g.conditionalOr).toBeCloseTo(Math.exp(c.coefficients[1]! * Math.log(e.value)), 12);
          else expect(g.conditionalOr).toBeUndefined();
        });
      }
    }
  }
});

describe('gComputeOrdinal = clm + g-computation, the PO projection and its delta-method SE', () => {
  const c = fx.ordinal;
  const K = c.thresholds!.length;
  const p = c.coefficients.length;
  const vcov = c.vcov.flat();
  for (const e of c.effects) {
    for (const pop of ['all', 'under80'] as const) {
      it(`I(fiv_ml^(1/3)), ${e.kind} ${e.value}, ${pop}`, () => {
        const r = e.populations[pop];
        const who = rows.filter(populations[pop]);
        const v = Float64Array.from(who, (x) => x.fiv_ml);
        const h = applyEffect({ kind: e.kind, value: e.value }, v).volumes;
        const cube = (x: number): number => Math.pow(x, 1 / 3);
        const g = gComputeOrdinal(matrix(who, v, cube, false), matrix(who, h, cube, false), who.length, p, c.thresholds!, c.coefficients, vcov, 2);
        expect(vcov.length).toBe((K + p) ** 2);
        g.pi0.forEach((x, k) => { expect(rel(x, r.pi0[k]!)).toBeLessThan(1e-11); });
        g.pi1.forEach((x, k) => { expect(rel(x, r.pi1[k]!)).toBeLessThan(1e-11); });
        expect(rel(g.difference.estimate, r.difference[0]!)).toBeLessThan(1e-9);
        // R's SE comes from a numerical (Richardson) gradient: ~1e-9 relative
        expect(rel(g.difference.se, r.se[0]!)).toBeLessThan(1e-8);
        expect(rel(Math.log(g.commonOr.estimate), r.log_cor[0]!)).toBeLessThan(1e-12);
        expect(rel(g.commonOr.se, r.se_log_cor[0]!)).toBeLessThan(1e-8);
        g.cumulativeOrs.forEach((x, k) => { expect(rel(x, r.cumulative_or[k]!)).toBeLessThan(1e-10); });
      });
    }
  }
});

describe('poProjection', () => {
  it('recovers the common OR of an exactly proportional-odds pair, and its derivative matches finite differences', () => {
    const pi0 = [0.05, 0.079, 0.136, 0.164, 0.247, 0.135, 0.189];
    const C0 = pi0.slice(0, 6).reduce<number[]>((a, x) => [...a, (a.at(-1) ?? 0) + x], []);
    const C1 = C0.map((c) => (2 * c) / (1 - c + 2 * c));
    const pi1 = [...C1, 1].map((c, k) => c - (k > 0 ? C1[k - 1]! : 0));
    const proj = poProjection(pi0, pi1);
    expect(proj.logCor).toBeCloseTo(Math.log(2), 10);
    const h = 1e-6;
    for (let r = 0; r < 14; r++) {
      const a0 = [...pi0];
      const a1 = [...pi1];
      const b0 = [...pi0];
      const b1 = [...pi1];
      if (r < 7) {
        a0[r]! += h;
        b0[r]! -= h;
      } else {
        a1[r - 7]! += h;
        b1[r - 7]! -= h;
      }
      const fd = (poProjection(a0, a1).logCor - poProjection(b0, b1).logCor) / (2 * h);
      expect(proj.gradient[r]).toBeCloseTo(fd, 6);
    }
    expect(cumulativeOddsRatios(pi0, pi1).every((x) => Math.abs(x - 2) < 1e-12)).toBe(true);
  });
});

describe('inverseEffect', () => {
  it('solves a monotone gain for its target, and says when it cannot reach it', () => {
    const gain = (r: number): number => 0.2 * (1 - r); // ratio: smaller r gains more
    const hit = inverseEffect(gain, 0.05, 1e-6, 1, 'low', 1e-12);
    expect(hit.value).toBeCloseTo(0.75, 10);
    const miss = inverseEffect(gain, 0.3, 1e-6, 1, 'low', 1e-12);
    expect(miss.value).toBeUndefined();
    expect(miss.maximum).toBeCloseTo(0.2, 6);
    const abs = inverseEffect((d) => d / 100, 0.1, 0, 50, 'high', 1e-12);
    expect(abs.value).toBeCloseTo(10, 9);
  });
});
