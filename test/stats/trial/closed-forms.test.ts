/**
 * The closed-form designs against R (fixture: test/fixtures/trial/closed-forms.R → .json, R 4.2.2, Hmisc
 * 4.8.0): the noncentral t as pt(q, df, ncp); power and n of power.t.test and power.prop.test (n the
 * root, R's uniroot at tol 1e-12); Hmisc::popower/posamsize with the HERMES control mRS distribution
 * (both p̄ conventions); on the synthetic HERMES control arm, the scales' δ and σ, the t-test n per
 * scale and Noether's N with the empirical P(h(C) < C) + ½P(=). All to 1e-9 relative or better.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pnt } from '../../../src/stats/noncentral-t.js';
import { tTestPower, tTestSize } from '../../../src/stats/trial/t-power.js';
import { propTestPower, propTestSize } from '../../../src/stats/trial/prop-power.js';
import { poShift, popower, posamsize, whiteheadDistribution } from '../../../src/stats/trial/whitehead.js';
import { noetherPower, noetherSize, probabilitySmaller } from '../../../src/stats/trial/noether.js';
import { scaleEffect, type Scale } from '../../../src/stats/trial/volume-scales.js';
import { applyEffect, type VolumeEffect } from '../../../src/stats/trial/effect.js';
import { hermesControlVolumes } from './reference.js';

interface WhiteheadCase { p: number[]; n: number; eff: number; n_third_01_90: number; power_500: number; eff_500: number; se_500: number; power_200_400_01: number }
interface Fixture {
  pnt: { q: number[]; df: number[]; ncp: number[]; lower: number[]; upper: number[] };
  ttest: { d: number[]; alpha: number[]; power: number[]; n: number[]; power_at_100: number[]; power_at_630: number[] };
  prop: { p1: number[]; p2: number[]; n: number[]; n90: number[]; power_at_250: number[] };
  mrs_control: number[];
  whitehead: { or: number; treated: number[]; control: WhiteheadCase; average: WhiteheadCase }[];
  reference: { n: number; log_offset: number };
  effects: { kind: 'ratio' | 'absolute'; value: number; floored: number; p: number[]; noether_n: number[]; noether_n_third: number[]; noether_power_1000: number[]; scales: { scale: string; delta: number[]; sd: number[]; n_per_arm: number[]; power_630: number[] }[] }[];
}
const fx = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../fixtures/trial/closed-forms.json'), 'utf8')) as Fixture;

function rel(a: number, b: number): number {
  return a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

describe('pnt (noncentral t) = R pt(q, df, ncp)', () => {
  it('on a grid of q, df and ncp, both tails: 1e-11 relative above 1e-3, 2e-14 absolute everywhere', () => {
    // R sums the series in long double; a tail near 0 taken as 1 − (a sum near 1) keeps ~1e-16 absolute
    // accuracy in double here (R: ~1e-19), so tiny tails are compared absolutely.
    let worstRel = 0;
    let worstAbs = 0;
    fx.pnt.q.forEach((q, i) => {
      const df = fx.pnt.df[i]!;
      const ncp = fx.pnt.ncp[i]!;
      for (const [ours, r] of [[pnt(q, df, ncp), fx.pnt.lower[i]!], [pnt(q, df, ncp, false), fx.pnt.upper[i]!]] as const) {
        worstAbs = Math.max(worstAbs, Math.abs(ours - r));
        if (r > 1e-3) worstRel = Math.max(worstRel, rel(ours, r));
      }
    });
    expect(worstRel).toBeLessThan(1e-11);
    expect(worstAbs).toBeLessThan(2e-14);
  });
});

describe('power.t.test', () => {
  it('power at n = 100 and 630 per arm, and the root n per arm, to 1e-9', () => {
    fx.ttest.d.forEach((d, i) => {
      const a = fx.ttest.alpha[i]!;
      expect(rel(tTestPower(d, 100, 100, a), fx.ttest.power_at_100[i]!)).toBeLessThan(1e-12);
      expect(rel(tTestPower(d, 630, 630, a), fx.ttest.power_at_630[i]!)).toBeLessThan(1e-12);
      const size = tTestSize(d, fx.ttest.power[i]!, a);
      expect(rel(size.total / 2, fx.ttest.n[i]!)).toBeLessThan(1e-9);
      expect(size.treated).toBe(size.total / 2);
    });
  });
  it('unequal allocation: power at the returned N is the target', () => {
    const s = tTestSize(0.3, 0.85, 0.05, 1 / 3);
    expect(tTestPower(0.3, s.treated, s.control, 0.05)).toBeCloseTo(0.85, 12);
    expect(s.control).toBeCloseTo(2 * s.treated, 9);
  });
});

describe('power.prop.test', () => {
  it('power at 250 per arm and n per arm for 80 % (α 0.05) and 90 % (α 0.01), to 1e-9', () => {
    fx.prop.p1.forEach((p1, i) => {
      const p2 = fx.prop.p2[i]!;
      expect(rel(propTestPower(p1, p2, 250, 250, 0.05), fx.prop.power_at_250[i]!)).toBeLessThan(1e-12);
      expect(rel(propTestSize(p1, p2, 0.8, 0.05).total / 2, fx.prop.n[i]!)).toBeLessThan(1e-9);
      expect(rel(propTestSize(p1, p2, 0.9, 0.01).total / 2, fx.prop.n90[i]!)).toBeLessThan(1e-9);
    });
  });
});

describe('Whitehead = Hmisc::posamsize / popower (HERMES control mRS, cOR 1.5–2.5)', () => {
  for (const w of fx.whitehead) {
    it(`cOR ${w.or}`, () => {
      const shifted = poShift(fx.mrs_control, w.or);
      shifted.forEach((p, k) => { expect(rel(p, w.treated[k]!)).toBeLessThan(1e-13); });
      for (const convention of ['control', 'average'] as const) {
        const c = w[convention];
        const p = whiteheadDistribution(fx.mrs_control, w.or, convention);
        p.forEach((x, k) => { expect(rel(x, c.p[k]!)).toBeLessThan(1e-14); });
        const s = posamsize(p, w.or, 0.5, 0.05, 0.8);
        expect(rel(s.n, c.n)).toBeLessThan(1e-12);
        expect(rel(s.eff, c.eff)).toBeLessThan(1e-12);
        expect(rel(posamsize(p, w.or, 1 / 3, 0.01, 0.9).n, c.n_third_01_90)).toBeLessThan(1e-12);
        const pw = popower(p, w.or, 250, 250, 0.05);
        expect(rel(pw.power, c.power_500)).toBeLessThan(1e-12);
        expect(rel(pw.eff, c.eff_500)).toBeLessThan(1e-12);
        expect(rel(pw.approxSe, c.se_500)).toBeLessThan(1e-12);
        expect(rel(popower(p, w.or, 200, 400, 0.01).power, c.power_200_400_01)).toBeLessThan(1e-12);
      }
    });
  }
});

describe('volume endpoint on the synthetic HERMES control arm', () => {
  const ref = hermesControlVolumes();
  it('has the fixture\'s reference arm', () => {
    expect(ref.length).toBe(fx.reference.n);
  });
  for (const e of fx.effects) {
    const effect: VolumeEffect = { kind: e.kind, value: e.value };
    it(`${e.kind} ${e.value}: scales, t-test n, Noether with the empirical P`, () => {
      const { volumes: treated, floored } = applyEffect(effect, ref);
      expect(floored).toBe(e.floored);
      for (const s of e.scales) {
        const scale: Scale = s.scale === 'log0' ? 'log' : (s.scale as Scale);
        const offset = s.scale === 'log' ? fx.reference.log_offset : 0;
        const se = scaleEffect(scale, ref, treated, offset);
        expect(rel(se.delta, s.delta[0]!)).toBeLessThan(1e-11);
        expect(rel(se.sd, s.sd[0]!)).toBeLessThan(1e-12);
        expect(rel(tTestSize(se.standardised, 0.8, 0.05).total / 2, s.n_per_arm[0]!)).toBeLessThan(1e-9);
        expect(rel(tTestPower(se.standardised, 630, 630, 0.05), s.power_630[0]!)).toBeLessThan(1e-10);
      }
      const p = probabilitySmaller(treated, ref);
      expect(rel(p, e.p[0]!)).toBeLessThan(1e-14);
      expect(rel(noetherSize(p, 0.8, 0.05).total, e.noether_n[0]!)).toBeLessThan(1e-12);
      expect(rel(noetherSize(p, 0.9, 0.01, 1 / 3).total, e.noether_n_third[0]!)).toBeLessThan(1e-12);
      expect(rel(noetherPower(p, 1000, 0.05), e.noether_power_1000[0]!)).toBeLessThan(1e-12);
    });
  }
});
