/**
 * The simulation engine (src/stats/trial/simulation.ts):
 *   - trial by trial, its decisions are those of the tests computed the slow way on the same draws —
 *     wilcoxRankSum (ranktests.ts, checked against R's wilcox.test(exact = FALSE, correct = TRUE)) and
 *     Student's t with pt — for ratio and absolute effects (ties at 0 mL), equal and unequal arms;
 *   - shards add up to the whole (the counts depend on the trial numbers alone);
 *   - simulated power within 3 Monte-Carlo SEs of R's (fixture: test/fixtures/trial/simulation.R → .json,
 *     100 000 trials per case with R's own wilcox.test and t.test);
 *   - the n search: the smallest size from which the power stays at or above the target.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { armSizes, countLayout, monteCarloSe, simulateTrials, smallestStayingAbove, type SimulationProblem } from '../../../src/stats/trial/simulation.js';
import { VOLUME_TESTS, type VolumeTest } from '../../../src/stats/trial/volume-design.js';
import { applyEffect, type VolumeEffect } from '../../../src/stats/trial/effect.js';
import { wilcoxRankSum } from '../../../src/stats/ranktests.js';
import { pt } from '../../../src/stats/distributions.js';
import { rngFor } from '../../../src/stats/rng.js';
import { hermesControlVolumes } from './reference.js';

const ref = hermesControlVolumes();

/** Student's two-sample t test p-value, written out. */
function tTestP(x: Float64Array, y: Float64Array): number {
  const mean = (a: Float64Array): number => a.reduce((s, v) => s + v, 0) / a.length;
  const ss = (a: Float64Array, m: number): number => a.reduce((s, v) => s + (v - m) ** 2, 0);
  const mx = mean(x);
  const my = mean(y);
  const df = x.length + y.length - 2;
  const sp2 = (ss(x, mx) + ss(y, my)) / df;
  const t = (mx - my) / Math.sqrt(sp2 * (1 / x.length + 1 / y.length));
  return 2 * pt(-Math.abs(t), df);
}

/** Rejections of trials 0 … S − 1 the slow way: the same draws, each test computed from scratch. */
function slowCounts(p: SimulationProblem, S: number): Int32Array {
  const G = p.sizes.length;
  const counts = new Int32Array(p.effects.length * p.tests.length * G);
  const arms = p.sizes.map((N) => armSizes(N, p.allocation));
  const maxT = Math.max(...arms.map((a) => a.treated));
  const maxC = Math.max(...arms.map((a) => a.control));
  for (let s = 0; s < S; s++) {
    const ctl = rngFor(p.seed, p.stream, s, 0).sampleWithReplacement(p.reference.length, maxC);
    const trt = rngFor(p.seed, p.stream, s, 1).sampleWithReplacement(p.reference.length, maxT);
    p.effects.forEach((e, ei) => {
      const h = applyEffect(e, p.reference, p.floor).volumes;
      arms.forEach((a, g) => {
        const c = Float64Array.from(ctl.subarray(0, a.control), (j) => p.reference[j]!);
        const t = Float64Array.from(trt.subarray(0, a.treated), (j) => h[j]!);
        p.tests.forEach((test, ti) => {
          let pv: number;
          if (test === 'wilcoxon') pv = wilcoxRankSum(t, c, { correct: true }).p;
          else {
            const g1 = test === 'log_t' ? (v: number) => Math.log(v + p.logOffset) : test === 'cbrt_t' ? Math.cbrt : (v: number) => v;
            pv = tTestP(t.map(g1), c.map(g1));
          }
          if (pv < p.alpha) counts[(ei * p.tests.length + ti) * G + g]! += 1;
        });
      });
    });
  }
  return counts;
}

function problem(over: Partial<SimulationProblem>): SimulationProblem {
  return { reference: ref, effects: [{ kind: 'ratio', value: 0.8 }], floor: 0, logOffset: 0, tests: [...VOLUME_TESTS], sizes: [40, 120], allocation: 0.5, alpha: 0.05, seed: 7, stream: 3, ...over };
}

describe('simulateTrials', () => {
  it('decides as the tests computed from scratch, trial by trial (ratio and absolute effects, ties, unequal arms)', () => {
    const cases: SimulationProblem[] = [
      problem({ effects: [{ kind: 'ratio', value: 0.7 }, { kind: 'absolute', value: 25 }], logOffset: 1, sizes: [20, 60, 150] }),
      problem({ allocation: 1 / 3, sizes: [30, 90], alpha: 0.1, tests: ['raw_t', 'wilcoxon'] }),
      // a reference with heavy ties (volumes rounded to 10 mL) and an absolute effect flooring many at 0
      problem({ reference: ref.map((v) => Math.round(v / 10) * 10), effects: [{ kind: 'absolute', value: 20 }], tests: ['wilcoxon', 'cbrt_t'], sizes: [24, 80] }),
    ];
    for (const p of cases) {
      const S = 80;
      expect(Array.from(simulateTrials(p, 0, S))).toEqual(Array.from(slowCounts(p, S)));
    }
  });

  it('shards add up to the whole, whatever the split', () => {
    const p = problem({ effects: [{ kind: 'ratio', value: 0.75 }, { kind: 'absolute', value: 10 }], logOffset: 1 });
    const whole = simulateTrials(p, 0, 300);
    const parts = [simulateTrials(p, 0, 37), simulateTrials(p, 37, 201), simulateTrials(p, 201, 300)];
    expect(Array.from(whole)).toEqual(Array.from(whole, (_, k) => parts.reduce((s, c) => s + c[k]!, 0)));
  });

  it('effects on their own grids in one problem count as each simulated alone (the draws are shared)', () => {
    const effects = [{ kind: 'ratio', value: 0.7 }, { kind: 'absolute', value: 15 }] as const;
    const grids = [[30, 90], [20, 60, 150]];
    const p = problem({ effects: [...effects], sizes: [], sizesByEffect: grids, logOffset: 1 });
    const together = simulateTrials(p, 0, 120);
    const layout = countLayout(p);
    expect(layout.offsets).toEqual([0, VOLUME_TESTS.length * 2]);
    effects.forEach((e, k) => {
      const alone = simulateTrials(problem({ effects: [e], sizes: grids[k]!, logOffset: 1 }), 0, 120);
      expect(Array.from(together.subarray(layout.offsets[k], layout.offsets[k]! + alone.length))).toEqual(Array.from(alone));
    });
  });

  it('a size on its own gives the same counts as within a grid (common random numbers)', () => {
    const grid = simulateTrials(problem({ sizes: [40, 120, 300] }), 0, 200);
    const alone = simulateTrials(problem({ sizes: [120] }), 0, 200);
    for (let t = 0; t < VOLUME_TESTS.length; t++) expect(alone[t]).toBe(grid[t * 3 + 1]);
  });
});

interface SimFixture {
  trials: number;
  r_seconds_10000_trials_630_per_arm: number;
  cases: { name: string; kind: 'ratio' | 'absolute'; value: number; treated: number; control: number; alpha: number; log_offset: number; power: Record<VolumeTest, number>; mcse: Record<VolumeTest, number> }[];
}
const fx = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../fixtures/trial/simulation.json'), 'utf8')) as SimFixture;

describe('simulated power = R (100 000 trials, wilcox.test and t.test) within 3 Monte-Carlo SEs', () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      const S = 20000;
      const effect: VolumeEffect = { kind: c.kind, value: c.value };
      const N = c.treated + c.control;
      const p = problem({ effects: [effect], sizes: [N], allocation: c.treated / N, alpha: c.alpha, logOffset: c.log_offset, seed: 20261122, stream: 0 });
      expect(armSizes(N, p.allocation)).toEqual({ treated: c.treated, control: c.control });
      const counts = simulateTrials(p, 0, S);
      VOLUME_TESTS.forEach((t, k) => {
        const ours = counts[k]! / S;
        const se = Math.sqrt(monteCarloSe(ours, S) ** 2 + c.mcse[t] ** 2);
        expect(Math.abs(ours - c.power[t])).toBeLessThan(3 * Math.max(se, 1e-4));
      });
    });
  }
});

describe('smallestStayingAbove', () => {
  it('is the first size from which every larger size stays at or above the target', () => {
    const sizes = [100, 200, 300, 400, 500];
    expect(smallestStayingAbove(sizes, [0.5, 0.81, 0.79, 0.85, 0.9], 0.8)).toBe(400);
    expect(smallestStayingAbove(sizes, [0.5, 0.81, 0.82, 0.85, 0.9], 0.8)).toBe(200);
    expect(smallestStayingAbove(sizes, [0.5, 0.6, 0.7, 0.75, 0.79], 0.8)).toBeUndefined();
    expect(smallestStayingAbove(sizes, [0.5, 0.81, 0.83, 0.85, 0.9], 0.8, 0.02)).toBe(300);
  });
});
