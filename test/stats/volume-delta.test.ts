/**
 * src/stats/volume-delta.ts against uniroot (fixture: test/fixtures/stats/volume-delta.R → .json): with
 * R's glm coefficients and design (linear and rms::rcs(fiv_ml, 4) volume terms), per-patient p0 at
 * 1e-12 and ΔV within 1e-6 mL of uniroot(tol = 1e-12); the same patients not achievable; summaries
 * (type-7 quartiles, mean, range, count) as R; the curve's grid as R's
 * seq(0, quantile(fiv_ml, 0.99, type = 7), length.out = 11) and seq(5, 500, length.out = 7).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { curveGrid, solveVolumeDeltas, summariseDeltas } from '../../src/stats/volume-delta.js';
import { rcsBasis } from '../../src/stats/rcs.js';

interface Case {
  curve: { from: number; to: number; points: number; grid: number[] };
  curve_explicit: { from: number; to: number; points: number; grid: number[] };
  coefficients: number[];
  terms: string[];
  rows: number[];
  p0: number[];
  dv: (number | null)[][];
  summary: number[][];
  knots?: number[];
}
interface Fixture {
  data: { fiv_ml: number[]; evt: number[]; age: (number | null)[]; occlusion: number[] };
  deltas: number[];
  linear: Case;
  rcs: Case;
}
const fx = JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/stats/volume-delta.json'), 'utf8')) as Fixture;

/** The R design row of data row r (1-based) with the volume basis at v. */
function etaFn(c: Case, basis: (v: number) => number[]): (row: number, v: number) => number {
  const b = c.coefficients;
  return (row, v) => {
    const i = row - 1;
    const occ = fx.data.occlusion[i]!;
    const x = [1, ...basis(v), fx.data.evt[i]!, fx.data.age[i]!, occ === 1 ? 1 : 0, occ === 2 ? 1 : 0];
    return x.reduce((s, xj, j) => s + xj * b[j]!, 0);
  };
}

const cases: [string, Case, (v: number) => number[]][] = [
  ['linear', fx.linear, (v) => [v]],
  ['rcs', fx.rcs, (v) => Array.from(rcsBasis([v], fx.rcs.knots!))],
];

describe('solveVolumeDeltas', () => {
  for (const [name, c, basis] of cases) {
    it(`matches uniroot per patient for the ${name} volume term`, () => {
      const eta = etaFn(c, basis);
      const volume = Float64Array.from(c.rows, (r) => fx.data.fiv_ml[r - 1]!);
      const eta0 = Float64Array.from(c.rows, (r, k) => eta(r, volume[k]!));
      const sol = solveVolumeDeltas({
        volume,
        eta0,
        eta: (who, v) => Float64Array.from(who, (k, j) => eta(c.rows[k]!, v[j]!)),
        deltas: fx.deltas,
        minVolume: 0,
        constrained: true,
        tol: 1e-8,
      });
      const n = c.rows.length;
      c.p0.forEach((p, k) => {
        expect(Math.abs(sol.p0[k]! - p)).toBeLessThanOrEqual(1e-12);
      });
      fx.deltas.forEach((_, d) => {
        const bad: string[] = [];
        c.dv[d]!.forEach((want, k) => {
          const got = sol.deltaV[d * n + k]!;
          if (want === null) {
            if (sol.status[d * n + k] === 'solved') bad.push(`patient ${k}: solved ${got}, R not achievable`);
          } else if (!(Math.abs(got - want) <= 1e-6)) bad.push(`patient ${k}: ${got} vs R ${want}`);
        });
        expect(bad).toEqual([]);
        const s = summariseDeltas(sol, volume, fx.deltas, d);
        const [q1, med, q3, mean, min, max, count] = c.summary[d]!;
        expect(s.solved).toBe(count);
        expect(s.solved + s.exceeds_volume + s.target_ge_1 + s.not_reached).toBe(n);
        for (const [got, want] of [
          [s.q1, q1],
          [s.median, med],
          [s.q3, q3],
          [s.mean, mean],
          [s.min, min],
          [s.max, max],
        ] as const) {
          expect(Math.abs(got - want!)).toBeLessThanOrEqual(1e-6);
        }
      });
    });
  }

  it('extrapolates below zero volume when unconstrained, on the linear model', () => {
    const c = fx.linear;
    const eta = etaFn(c, (v) => [v]);
    const volume = Float64Array.from(c.rows, (r) => fx.data.fiv_ml[r - 1]!);
    const eta0 = Float64Array.from(c.rows, (r, k) => eta(r, volume[k]!));
    const problem = { volume, eta0, eta: (who: Int32Array, v: Float64Array) => Float64Array.from(who, (k, j) => eta(c.rows[k]!, v[j]!)), deltas: [0.1], minVolume: 0, tol: 1e-8 };
    const constrained = solveVolumeDeltas({ ...problem, constrained: true });
    const free = solveVolumeDeltas({ ...problem, constrained: false });
    const s = summariseDeltas(free, volume, [0.1], 0);
    expect(s.extrapolated).toBeGreaterThan(0);
    expect(s.solved).toBe(summariseDeltas(constrained, volume, [0.1], 0).solved + s.extrapolated);
    // With a linear term, ΔV solves β_v ΔV = logit(p0 + δ) − logit(p0) exactly.
    const beta = c.coefficients[1]!;
    volume.forEach((_, k) => {
      if (free.status[k] !== 'solved') return;
      const p0 = free.p0[k]!;
      const exact = (Math.log((p0 + 0.1) / (1 - p0 - 0.1)) - Math.log(p0 / (1 - p0))) / -beta;
      expect(Math.abs(free.deltaV[k]! - exact)).toBeLessThanOrEqual(1e-7);
    });
  });

  it('marks p0 + δ ≥ 1 as not achievable', () => {
    const sol = solveVolumeDeltas({
      volume: Float64Array.of(10),
      eta0: Float64Array.of(5),
      eta: (who, v) => Float64Array.from(v, (x) => 5 - 0.1 * (x - 10)),
      deltas: [0.01],
      minVolume: 0,
      constrained: true,
      tol: 1e-8,
    });
    expect(sol.status[0]).toBe('target_ge_1');
  });
});

describe('curveGrid', () => {
  const volumes = Float64Array.from(fx.data.fiv_ml);

  it("ends at the type-7 quantile of the volumes by default, on R's seq() grid", () => {
    const want = fx.linear.curve;
    const { grid, to } = curveGrid(volumes, { from: want.from, quantile: 0.99, points: want.points });
    expect(Math.abs(to - want.to)).toBeLessThanOrEqual(1e-12 * want.to);
    expect(grid.length).toBe(want.points);
    grid.forEach((v, g) => {
      expect(Math.abs(v - want.grid[g]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, want.grid[g]!));
    });
  });

  it('takes an explicit range, ignores missing volumes and ends at the largest for quantile 1', () => {
    const want = fx.linear.curve_explicit;
    const explicit = curveGrid(volumes, { from: want.from, to: want.to, quantile: 0.99, points: want.points });
    expect(Array.from(explicit.grid)).toEqual(want.grid);
    const withMissing = Float64Array.of(NaN, 3, 12, NaN, 7);
    expect(Array.from(curveGrid(withMissing, { from: 0, quantile: 1, points: 5 }).grid)).toEqual([0, 3, 6, 9, 12]);
  });

  it('refuses a range that ends at or below its start', () => {
    expect(() => curveGrid(Float64Array.of(1, 2, 3), { from: 5, quantile: 0.99, points: 11 })).toThrow(RangeError);
    expect(() => curveGrid(Float64Array.of(NaN), { from: 0, quantile: 0.99, points: 11 })).toThrow(RangeError);
  });
});
