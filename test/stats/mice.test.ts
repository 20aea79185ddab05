/**
 * mice, piece by piece and as a whole:
 * - exact pieces against R (test/fixtures/mice/models.R): mice's augmentation rows, the weighted
 *   logistic fit of mice.impute.logreg, the weighted polr of mice.impute.polr, the multinom of
 *   mice.impute.polyreg, remove.lindep;
 * - pmm matching and the chain's bookkeeping (properties);
 * - whole imputations statistically against mice (test/fixtures/mice/nhanes.R and stroke.R): the mean
 *   over seeds of pooled estimates, between-imputation variances and imputed means agree within 4
 *   Monte-Carlo standard errors, and their spread over seeds agrees too (4 SEs of the log SD ratio).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeTable, type Table } from '../../src/data/table.js';
import { DataError } from '../../src/errors.js';
import { augmentedBlock } from '../../src/stats/mice/augment.js';
import { removeLinearDependence } from '../../src/stats/mice/lindep.js';
import { crossprod, gatherCentered } from '../../src/stats/mice/crossprod.js';
import { symmetricEigen } from '../../src/stats/linalg.js';
import { fitWeightedLogistic } from '../../src/stats/mice/logreg.js';
import { buildChainSpec, mice, runChains } from '../../src/stats/mice/mice.js';
import { matchIndex, sortOrder } from '../../src/stats/mice/pmm.js';
import { fitOrdinal } from '../../src/stats/mice/polr.js';
import { fitMultinomial } from '../../src/stats/mice/polyreg.js';
import type { ChainResult, ChainSpec } from '../../src/stats/mice/sampler.js';
import { rngFor } from '../../src/stats/rng.js';
import { type FixtureColumn, fixtureTable } from './fixture-table.js';
import { meanSd, ols, poolSummary, withinMonteCarlo } from './mice-helpers.js';

const read = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/mice/${name}`, import.meta.url), 'utf8'));

interface ModelsFixture {
  x: { x1: number[]; x2: number[]; x3: number[] };
  ry: boolean[];
  yb: number[];
  yo: number[];
  yu: number[];
  yl: number[];
  lindep_x: { x4: number[]; x6: number[] };
  augment_b: { x: { x1: number[]; x2: number[]; x3: number[] }; y: number[]; w: number };
  logreg: { coef: number[]; cov_unscaled: number[] };
  polr: { zeta: number[]; beta: number[] };
  multinom: { coef: number[] };
  lindep_keep: boolean[];
}

describe('univariate imputation models against R (models.R)', () => {
  const fx = read('models.json') as ModelsFixture;
  const cols = [fx.x.x1, fx.x.x2, fx.x.x3].map((c) => Float64Array.from(c));
  const obs = Int32Array.from(fx.ry.flatMap((r, i) => (r ? [i] : [])));
  const nMis = fx.ry.length - obs.length;
  const yObs = (y: number[]): Float64Array => Float64Array.from(obs, (i) => y[i]!);
  // Coefficients on the original (uncentred) scale: intercept / thresholds shift by Σ b_c mean_c.
  const shift = (b: ArrayLike<number>, means: Float64Array): number => Array.from(means).reduce((s, m, c) => s + b[c]! * m, 0);

  it('augments as mice:::augment (rows, categories, weights)', () => {
    const blk = augmentedBlock(cols, obs, yObs(fx.yb), [0, 1], nMis);
    const n0 = obs.length;
    const nr = fx.augment_b.y.length;
    expect(blk.g.n).toBe(n0 + nr);
    ['x1', 'x2', 'x3'].forEach((nm, c) => {
      const want = fx.augment_b.x[nm as 'x1'];
      for (let r = 0; r < nr; r++) expect(blk.g.x[c * blk.g.n + n0 + r]! + blk.g.means[c]!).toBeCloseTo(want[r]!, 10);
    });
    for (let r = 0; r < nr; r++) {
      expect(blk.y[n0 + r]).toBe(fx.augment_b.y[r]);
      expect(blk.w[n0 + r]).toBeCloseTo(fx.augment_b.w, 14);
    }
  });

  it('fits the weighted logistic model of mice.impute.logreg as glm.fit (1e-7)', () => {
    const blk = augmentedBlock(cols, obs, yObs(fx.yb), [0, 1], nMis);
    const fit = fitWeightedLogistic(blk);
    expect(fit.converged).toBe(true);
    const slopes = fit.coef.subarray(1);
    slopes.forEach((b, c) => { expect(b).toBeCloseTo(fx.logreg.coef[c + 1]!, 7); });
    expect(fit.coef[0]! - shift(slopes, blk.g.means)).toBeCloseTo(fx.logreg.coef[0]!, 6);
    // cov.unscaled of the slopes: invariant to centring.
    const q = 4;
    const l = fit.chol;
    const inv = new Float64Array(q * q);
    for (let j = 0; j < q; j++) {
      const e = new Float64Array(q);
      e[j] = 1;
      for (let i = 0; i < q; i++) {
        let s = e[i]!;
        for (let k = 0; k < i; k++) s -= l[i * q + k]! * e[k]!;
        e[i] = s / l[i * q + i]!;
      }
      for (let i = q - 1; i >= 0; i--) {
        let s = e[i]!;
        for (let k = i + 1; k < q; k++) s -= l[k * q + i]! * e[k]!;
        e[i] = s / l[i * q + i]!;
      }
      for (let i = 0; i < q; i++) inv[i * q + j] = e[i]!;
    }
    for (let a = 1; a < q; a++) for (let b = 1; b < q; b++) expect(inv[a * q + b]!).toBeCloseTo(fx.logreg.cov_unscaled[b * q + a]!, 9);
  });

  it('fits the weighted proportional-odds model of mice.impute.polr as MASS::polr (1e-5)', () => {
    const blk = augmentedBlock(cols, obs, yObs(fx.yo), [0, 1, 2, 3], nMis);
    const fit = fitOrdinal(blk, 4)!;
    fit.beta.forEach((b, c) => { expect(Math.abs(b - fx.polr.beta[c]!)).toBeLessThan(1e-5); });
    const s = shift(fit.beta, blk.g.means);
    fit.theta.forEach((t, j) => { expect(Math.abs(t + s - fx.polr.zeta[j]!)).toBeLessThan(1e-5); });
  });

  it('fits the multinomial model of mice.impute.polyreg as nnet::multinom (1e-4)', () => {
    const blk = augmentedBlock(cols, obs, yObs(fx.yu), [0, 1, 2], nMis);
    const fit = fitMultinomial(blk, 3);
    for (let j = 0; j < 2; j++) {
      const b = fit.b.subarray(j * 4, (j + 1) * 4);
      const want = fx.multinom.coef.slice(j * 4, (j + 1) * 4);
      for (let c = 1; c < 4; c++) expect(Math.abs(b[c]! - want[c]!)).toBeLessThan(1e-4);
      expect(Math.abs(b[0]! - shift(b.subarray(1), blk.g.means) - want[0]!)).toBeLessThan(1e-3);
    }
  });

  it('drops constant and collinear predictors as mice:::remove.lindep, keeping a strong negative correlation', () => {
    const xl = [...cols, Float64Array.from(fx.lindep_x.x4), new Float64Array(cols[0]!.length).fill(1), Float64Array.from(fx.lindep_x.x6)];
    const g = gatherCentered([...xl, Float64Array.from(fx.yl)], obs);
    const keep = removeLinearDependence(crossprod(g), xl.length, obs.length);
    expect(xl.map((_, c) => keep.includes(c))).toEqual(fx.lindep_keep);
  });
});

describe('linear algebra', () => {
  it('symmetricEigen gives A v = λ v, eigenvalues decreasing', () => {
    const a = Float64Array.from([4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 1]);
    const { values, vectors } = symmetricEigen(a, 3);
    expect(values[0]! >= values[1]! && values[1]! >= values[2]!).toBe(true);
    for (let k = 0; k < 3; k++) {
      for (let i = 0; i < 3; i++) {
        let av = 0;
        for (let j = 0; j < 3; j++) av += a[i * 3 + j]! * vectors[j * 3 + k]!;
        expect(av).toBeCloseTo(values[k]! * vectors[i * 3 + k]!, 12);
      }
    }
    expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(8, 12);
  });
});

describe('pmm matching', () => {
  const d = Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  it('with one donor takes the nearest', () => {
    const idx = matchIndex(d, Float64Array.from([3.2, 8.9, -5, 42]), 1, rngFor(1, 0));
    expect(Array.from(idx)).toEqual([3, 9, 0, 9]);
  });
  it('draws uniformly among the k nearest donors', () => {
    const counts = new Map<number, number>();
    const rng = rngFor(2, 0);
    const t = new Float64Array(20000).fill(4.4);
    for (const i of matchIndex(d, t, 5, rng)) counts.set(i, (counts.get(i) ?? 0) + 1);
    // Nearest five to 4.4: 4, 5, 3, 6, 2.
    expect([...counts.keys()].sort()).toEqual([2, 3, 4, 5, 6]);
    for (const c of counts.values()) expect(Math.abs(c - 4000)).toBeLessThan(4 * Math.sqrt(20000 * 0.2 * 0.8));
  });
  it('sorts donors (radix sort on the IEEE bits: negatives, zeros, ties, large and tiny values)', () => {
    const rng = rngFor(4, 0);
    const d = Float64Array.from({ length: 5000 }, (_, i) => (i % 7 === 0 ? Math.round(rng.normal()) : i % 11 === 0 ? -1e300 * rng.uniform() : rng.normal() * 10 ** (rng.int(20) - 10)));
    const order = sortOrder(d);
    expect(new Set(order).size).toBe(d.length);
    for (let i = 1; i < d.length; i++) expect(d[order[i]!]! >= d[order[i - 1]!]!).toBe(true);
  });
  it('sorts stably with either digit width (8 bits below 65 536 donors, 16 from there): the same permutation', () => {
    const rng = rngFor(5, 0);
    for (const n of [600, 5000, 70000]) {
      // many ties (rounded values), both signs, and -0 beside 0
      const d = Float64Array.from({ length: n }, (_, i) => (i % 13 === 0 ? -0 : Math.round(rng.normal() * 50) / 4));
      const stable = Array.from({ length: n }, (_, i) => i).sort((a, b) => d[a]! - d[b]! || (Object.is(d[a], -0) && !Object.is(d[b], -0) ? -1 : !Object.is(d[a], -0) && Object.is(d[b], -0) && d[a] === 0 ? 1 : 0) || a - b);
      expect(Array.from(sortOrder(d)), `n = ${n}`).toEqual(stable);
    }
  });
  it('breaks ties at random', () => {
    const tied = new Float64Array(10).fill(1);
    const seen = new Set<number>();
    const rng = rngFor(3, 0);
    for (let r = 0; r < 50; r++) seen.add(matchIndex(tied, Float64Array.from([1]), 1, rng)[0]!);
    expect(seen.size).toBeGreaterThan(5);
  });
});

// ---- whole imputations ------------------------------------------------------------------------------

function completedColumns(spec: ChainSpec, chain: ChainResult): Float64Array[] {
  const comp = spec.variables.map((v) => Float64Array.from(v.values));
  spec.visit.forEach((j, vi) => {
    let a = 0;
    const col = comp[j]!;
    for (let i = 0; i < col.length; i++) if (Number.isNaN(col[i]!)) col[i] = chain.imputed[vi]![a++]!;
  });
  return comp;
}

interface StatFixture {
  seeds: number;
  data: Record<string, FixtureColumn>;
  mean: Record<string, number>;
  sd: Record<string, number>;
}

/** Compares the per-seed statistics with R's: means within 4 Monte-Carlo SEs, SDs within 4 SEs of their log ratio. */
function expectAgreement(stats: Record<string, number[]>, fx: StatFixture): void {
  const failures: string[] = [];
  for (const [k, xs] of Object.entries(stats)) {
    const r = { mean: fx.mean[k]!, sd: fx.sd[k]! };
    expect(r.mean, `statistic ${k} in the fixture`).toBeDefined();
    const o = meanSd(xs);
    const w = withinMonteCarlo(o, r, xs.length, fx.seeds);
    if (!w.ok) failures.push(`${k}: ours ${o.mean} vs mice ${r.mean} (${(w.diff / w.se).toFixed(1)} SE)`);
    // Spread over seeds: |log(SD ratio)| within 4 normal-theory SEs, √(1/2(S₁−1) + 1/2(S₂−1)), and at least 0.3.
    const seLog = Math.sqrt(1 / (2 * (xs.length - 1)) + 1 / (2 * (fx.seeds - 1)));
    if (r.sd > 0 && Math.abs(Math.log(o.sd / r.sd)) > Math.max(0.3, 4 * seLog)) failures.push(`${k}: SD over seeds ours ${o.sd} vs mice ${r.sd}`);
  }
  expect(failures).toEqual([]);
}

describe('mice on mice::nhanes (pmm), against R over 400 seeds', () => {
  const fx = read('nhanes.json') as StatFixture;
  const table = fixtureTable(fx.data);
  it('agrees with mice within Monte-Carlo error: pooled lm(chl ~ age + bmi), between/within variances, imputed means', () => {
    const S = 400;
    const stats: Record<string, number[]> = {};
    const push = (k: string, v: number): void => {
      (stats[k] ??= []).push(v);
    };
    for (let s = 1; s <= S; s++) {
      const { spec, chains } = mice(table, { variables: ['age', 'bmi', 'hyp', 'chl'], m: 5, maxit: 5 }, s);
      const fits = chains.map((ch) => {
        const [age, bmi, , chl] = completedColumns(spec, ch);
        return ols(chl!, [age!, bmi!]);
      });
      const p = poolSummary(fits);
      ['(Intercept)', 'age', 'bmi'].forEach((nm, c) => {
        push(`qbar_${nm}`, p.qbar[c]!);
        push(`b_${nm}`, p.b[c]!);
        push(`ubar_${nm}`, p.ubar[c]!);
      });
      spec.visit.forEach((j, vi) => {
        push(`impmean_${spec.variables[j]!.name}`, meanSd(chains.map((ch) => meanSd(Array.from(ch.imputed[vi]!)).mean)).mean);
      });
    }
    expectAgreement(stats, fx);
  });
});

describe('mice on a stroke-like cohort (pmm, logreg, polr, polyreg), against R', () => {
  const fx = read('stroke.json') as StatFixture & { methods: Record<string, string> };
  const table: Table = fixtureTable(fx.data);
  const variables = Object.keys(fx.data);
  const methods = Object.fromEntries(Object.entries(fx.methods).filter(([, m]) => m !== '')) as Record<string, 'pmm' | 'logreg' | 'polr' | 'polyreg'>;

  it('chooses the same methods as the fixture (our defaults, polr where R has an ordered factor)', () => {
    const spec = buildChainSpec(table, { variables, m: 1, maxit: 1, methods: { collaterals: 'polr' } });
    expect(Object.fromEntries(spec.variables.map((v) => [v.name, v.method ?? '']))).toEqual(fx.methods);
  });

  it('agrees with mice within Monte-Carlo error: pooled lm of mRS, imputed means and level proportions', () => {
    const S = 25;
    const stats: Record<string, number[]> = {};
    const push = (k: string, v: number): void => {
      (stats[k] ??= []).push(v);
    };
    const occ = table.columns.get('occlusion');
    const occLevels = occ?.type === 'factor' ? occ.levels : [];
    const colLevels = (() => {
      const c = table.columns.get('collaterals');
      return c?.type === 'factor' ? c.levels : [];
    })();
    for (let s = 1; s <= S; s++) {
      const { spec, chains } = mice(table, { variables, m: 5, maxit: 5, methods }, 1000 + s);
      const idx = new Map(spec.variables.map((v, j) => [v.name, j]));
      const fits = chains.map((ch) => {
        const c = completedColumns(spec, ch);
        const g = (nm: string): Float64Array => c[idx.get(nm)!]!;
        const occCodes = g('occlusion');
        const dummy = (l: number): Float64Array => occCodes.map((v) => (v === l ? 1 : 0));
        return ols(g('mrs90'), [g('fiv_ml').map(Math.log), g('evt'), g('age'), g('nihss'), g('aspects'), g('onset_to_rand_min'), g('sex_female'), dummy(1), dummy(2)]);
      });
      const p = poolSummary(fits);
      ['Intercept', 'logfiv_ml', 'evt', 'age', 'nihss', 'aspects', 'onset_to_rand_min', 'sex_female', 'occlusionICA', 'occlusionM2'].forEach((nm, c) => {
        push(`qbar_${nm}`, p.qbar[c]!);
        if (nm === 'logfiv_ml' || nm === 'evt') push(`b_${nm}`, p.b[c]!);
      });
      spec.visit.forEach((j, vi) => {
        const name = spec.variables[j]!.name;
        const all = chains.flatMap((ch) => Array.from(ch.imputed[vi]!));
        if (name === 'occlusion') occLevels.forEach((l, k) => { push(`impprop_occlusion_${l}`, all.filter((v) => v === k).length / all.length); });
        else if (name === 'collaterals') colLevels.forEach((l, k) => { push(`impprop_collaterals_${l}`, all.filter((v) => v === k).length / all.length); });
        else push(`impmean_${name}`, all.reduce((a, b) => a + b, 0) / all.length);
      });
    }
    expectAgreement(stats, fx);
  }, 600_000);
});

describe('the chain machinery', () => {
  const n = 300;
  const rng = rngFor(5, 0);
  const x = Float64Array.from({ length: n }, () => rng.normal());
  const y = x.map((v) => (rng.uniform() < 0.2 ? NaN : 2 * v + rng.normal()));
  const b = x.map((v) => (rng.uniform() < 0.1 ? NaN : rng.uniform() < 1 / (1 + Math.exp(-v)) ? 1 : 0));
  const table = makeTable([
    ['x', { type: 'number', values: x }],
    ['y', { type: 'number', values: y }],
    ['b', { type: 'number', values: b }],
    ['s', { type: 'string', values: Array.from({ length: n }, () => 'a') }],
  ]);

  it('gives each imputation its own stream: the same results however imputations are batched', () => {
    const spec = buildChainSpec(table, { variables: ['x', 'y', 'b'], m: 4, maxit: 3 });
    const all = runChains({ spec, seed: 9, ks: [0, 1, 2, 3] });
    const split = [...runChains({ spec, seed: 9, ks: [2] }), ...runChains({ spec, seed: 9, ks: [0, 1] }), ...runChains({ spec, seed: 9, ks: [3] })];
    const byK = [split[1], split[2], split[0], split[3]];
    all.forEach((r, k) => {
      expect(r.imputed).toEqual(byK[k]!.imputed);
    });
    expect(all[0]!.imputed).not.toEqual(all[1]!.imputed);
  });

  it('imputes binary variables with 0/1 (logreg by default) and records chain means per iteration', () => {
    const spec = buildChainSpec(table, { variables: ['x', 'y', 'b'], m: 1, maxit: 4 });
    expect(spec.variables.map((v) => v.method)).toEqual([null, 'pmm', 'logreg']);
    const [r] = runChains({ spec, seed: 1, ks: [0] });
    expect(new Set(r!.imputed[1])).toEqual(new Set([0, 1]));
    expect(r!.chainMean.map((c) => c.length)).toEqual([4, 4]);
    // pmm imputes observed values only.
    const observed = new Set(Array.from(y).filter((v) => !Number.isNaN(v)));
    for (const v of r!.imputed[0]!) expect(observed.has(v)).toBe(true);
  });

  it('leaves out the outcome as a predictor when asked', () => {
    const spec = buildChainSpec(table, { variables: ['x', 'b'], outcome: 'y', includeOutcome: false, m: 1, maxit: 1 });
    const names = spec.variables.map((v) => v.name);
    expect(names).toEqual(['x', 'b', 'y']);
    expect(spec.variables[1]!.predictors).toEqual([0]);
    expect(spec.variables[2]!.predictors).toEqual([0, 1]);
  });

  it('refuses what it cannot impute, saying why', () => {
    expect(() => buildChainSpec(table, { variables: ['x', 's'], m: 1, maxit: 1 })).toThrow(DataError);
    expect(() => buildChainSpec(table, { variables: ['y', 'x'], m: 1, maxit: 1, methods: { y: 'logreg' } })).toThrow(/not binary/);
    expect(() => buildChainSpec(table, { variables: ['y'], m: 1, maxit: 1, predictors: { y: ['x'] } })).not.toThrow();
    expect(() => buildChainSpec(table, { variables: ['b'], m: 1, maxit: 1, predictors: { b: ['y'] } })).toThrow(/not in the imputation variables/);
  });
});
