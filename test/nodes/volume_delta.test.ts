/**
 * The volume_delta step against R (fixture: test/fixtures/stats/volume-delta.R → .json): the model's
 * design is rebuilt by design.ts on the same data (columns and rcs knots as R's), with R's glm
 * coefficients and vcov; per-patient ΔV (volume < 80 mL) within 1e-6 mL of uniroot; the adjusted
 * curve and its CI at 1e-10, over all the patients and on R's grids: the default one (min_volume to the
 * 99th percentile of every volume, beyond the 80 mL cut) and an explicit curve_from / curve_to /
 * curve_points one. End to end, the fit_logistic step's own fit gives the same ΔV within 1e-6 mL.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { volumeDelta, type VolumeDeltaParams } from '../../src/nodes/volume_delta.js';
import { fitLogisticStep } from '../../src/nodes/fit_logistic.js';
import type { Artifact, ResultArtifact } from '../../src/data/artifact.js';
import type { JsonObject } from '../../src/data/canonical.js';
import { getNumeric, makeTable, takeRows, withColumn, type Table } from '../../src/data/table.js';
import { buildDesign, modelMatrix } from '../../src/stats/design.js';
import { solveVolumeDeltas } from '../../src/stats/volume-delta.js';
import { volumeColumns, volumeOnlyDesign, volumeTermFunction } from '../../src/stats/volume-predictor.js';
import { DataError } from '../../src/errors.js';
import { testContext } from '../support/context.js';

type Curve = Record<'grid' | 'eta' | 'se' | 'probability' | 'lower' | 'upper', number[]> & { from: number; to: number; points: number };
interface Case {
  formula: string;
  coefficients: number[];
  terms: string[];
  vcov: number[][];
  rows: number[];
  p0: number[];
  dv: (number | null)[][];
  curve: Curve;
  curve_explicit: Curve;
  curve_patients: number;
  knots?: number[];
}
interface Fixture {
  data: { fiv_ml: number[]; evt: number[]; age: (number | null)[]; occlusion: number[]; occlusion_levels: string[]; good: number[] };
  deltas: number[];
  linear: Case;
  rcs: Case;
}
const fx = JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/stats/volume-delta.json'), 'utf8')) as Fixture;

const cohort: Table = makeTable([
  ['fiv_ml', { type: 'number', values: Float64Array.from(fx.data.fiv_ml) }],
  ['evt', { type: 'number', values: Float64Array.from(fx.data.evt) }],
  ['age', { type: 'number', values: Float64Array.from(fx.data.age, (v) => v ?? NaN) }],
  ['occlusion', { type: 'factor', codes: Int32Array.from(fx.data.occlusion), levels: fx.data.occlusion_levels }],
  ['good', { type: 'number', values: Float64Array.from(fx.data.good) }],
]);

function modelArtifact(c: Case): ResultArtifact {
  const md = buildDesign(c.formula, cohort);
  expect([...md.design.columns]).toEqual(c.terms);
  const model = { family: 'binomial', link: 'logit', design: md.design as unknown as JsonObject, coefficients: c.coefficients, vcov: { terms: c.terms, matrix: c.vcov } };
  return { type: 'result', value: { model } };
}

async function run(model: Artifact, params: Partial<VolumeDeltaParams> = {}): Promise<ResultArtifact> {
  const inputs = new Map<string, Artifact>([
    ['fit', model],
    ['cohort', { type: 'table', table: cohort }],
  ]);
  const full: VolumeDeltaParams = { model: 'fit', data: 'cohort', variable: 'fiv_ml', deltas: fx.deltas, constrained: true, min_volume: 0, tol: 1e-8, curve_points: 11, level: 0.95, ...params };
  const out = await volumeDelta.run(full, inputs, testContext());
  if (out.type !== 'result') throw new Error('volume_delta must produce a result');
  return out;
}

function checkPatients(out: ResultArtifact, c: Case, tol: number): void {
  const t = out.tables!.get('patients')!;
  expect(Array.from(getNumeric(t, 'row'))).toEqual(c.rows);
  fx.deltas.forEach((delta, d) => {
    const dv = getNumeric(t, `dv_${Math.round(delta * 100)}`);
    const bad: string[] = [];
    c.dv[d]!.forEach((want, k) => {
      const got = dv[k]!;
      if (want === null ? !Number.isNaN(got) : !(Math.abs(got - want) <= tol)) bad.push(`row ${c.rows[k]}: ${got} vs R ${want}`);
    });
    expect(bad).toEqual([]);
  });
}

/** The curve table and the result's curve description against R's curve on the same grid. */
function checkCurve(out: ResultArtifact, want: Curve, patients: number): void {
  const curve = out.tables!.get('curve')!;
  expect(curve.nrows).toBe(want.points);
  const bad: string[] = [];
  for (const [col, values] of [
    ['fiv_ml', want.grid],
    ['eta', want.eta],
    ['se_eta', want.se],
    ['probability', want.probability],
    ['lower', want.lower],
    ['upper', want.upper],
  ] as const) {
    getNumeric(curve, col).forEach((v, g) => {
      if (!(Math.abs(v - values[g]!) <= 1e-10 * Math.max(1, Math.abs(values[g]!)))) bad.push(`${col}[${g}]: ${v} vs R ${values[g]}`);
    });
  }
  expect(bad).toEqual([]);
  const desc = out.value.curve as { from: number; to: number; points: number; patients: number };
  expect(desc.from).toBe(want.from);
  expect(Math.abs(desc.to - want.to)).toBeLessThanOrEqual(1e-12 * want.to);
  expect(desc.points).toBe(want.points);
  expect(desc.patients).toBe(patients);
}

describe('volume_delta', () => {
  for (const name of ['linear', 'rcs'] as const) {
    it(`matches uniroot and R's curve for the ${name} volume term`, async () => {
      const c = fx[name];
      const out = await run(modelArtifact(c));
      checkPatients(out, c, 1e-6);
      expect(out.value.excluded_missing).toBe(fx.data.fiv_ml.filter((v, i) => v < 80 && fx.data.age[i] === null).length);
      expect(out.value.additive).toBe(true);
      checkCurve(out, c.curve, c.curve_patients);
    });

    it(`matches R's curve on an explicit range for the ${name} volume term, the ΔV unchanged`, async () => {
      const c = fx[name];
      const e = c.curve_explicit;
      const out = await run(modelArtifact(c), { curve_from: e.from, curve_to: e.to, curve_points: e.points });
      checkPatients(out, c, 1e-6);
      checkCurve(out, e, c.curve_patients);
    });
  }

  it('spans all the patients\' volumes by default, beyond the where subset, and marks the cut', async () => {
    const out = await run(modelArtifact(fx.linear));
    const subsetMax = Math.max(...fx.linear.rows.map((r) => fx.data.fiv_ml[r - 1]!));
    expect(subsetMax).toBeLessThan(80);
    const grid = getNumeric(out.tables!.get('curve')!, 'fiv_ml');
    expect(grid[0]).toBe(0);
    expect(grid[grid.length - 1]!).toBeGreaterThan(3 * 80);
    expect(grid[grid.length - 1]!).toBeLessThan(Math.max(...fx.data.fiv_ml)); // the 99th percentile, not the largest
    expect(out.value.cut).toBe(80);
    expect(out.value.where).toBe('fiv_ml < 80');
    // curve_quantile: 1 ends the curve at the largest volume; the cut from the where condition, either way round.
    const wide = await run(modelArtifact(fx.linear), { curve_quantile: 1, where: '60 >= fiv_ml' });
    const g = getNumeric(wide.tables!.get('curve')!, 'fiv_ml');
    expect(g[g.length - 1]).toBe(Math.max(...fx.data.fiv_ml));
    expect(wide.value.cut).toBe(60);
    // An explicit cut wins; a condition that is not a simple threshold gives none.
    expect((await run(modelArtifact(fx.linear), { cut: 75 })).value.cut).toBe(75);
    expect((await run(modelArtifact(fx.linear), { where: 'fiv_ml < 80 & evt == 1' })).value.cut).toBeNull();
  });

  it('explains a curve range that ends below its start', async () => {
    await expect(run(modelArtifact(fx.linear), { curve_from: 1000 })).rejects.toThrow(DataError);
    await expect(run(modelArtifact(fx.linear), { curve_from: 1000 })).rejects.toThrow(/volume_delta curve: the curve would end at 276\.1.* not above its start 1000/);
    const base = { model: 'fit', data: 'cohort', variable: 'fiv_ml', deltas: [0.1], constrained: true, min_volume: 0, tol: 1e-8, curve_points: 11, level: 0.95 };
    expect(volumeDelta.check?.({ ...base, curve_to: 0 })).toEqual([expect.objectContaining({ path: 'curve_to' })]);
    expect(volumeDelta.check?.({ ...base, curve_from: 50, curve_to: 10 })).toEqual([expect.objectContaining({ path: 'curve_to' })]);
    expect(volumeDelta.check?.({ ...base, curve_from: 10, curve_to: 50 })).toEqual([]);
  });

  it('uses the design knots that R used for rcs(fiv_ml, 4)', () => {
    const md = buildDesign(fx.rcs.formula, cohort);
    const v = md.design.variables.find((x) => x.kind === 'rcs');
    expect(v?.kind === 'rcs' ? v.knots.map((k, j) => Math.abs(k - fx.rcs.knots![j]!) < 1e-12) : []).toEqual([true, true, true, true]);
  });

  it('gives the same ΔV end to end from the fit_logistic step', async () => {
    for (const name of ['linear', 'rcs'] as const) {
      const c = fx[name];
      const fit = await fitLogisticStep.run({ input: 'cohort', formula: c.formula, ci: 'wald' }, new Map([['cohort', { type: 'table', table: cohort }]]), testContext());
      checkPatients(await run(fit), c, 1e-6);
    }
  });

  it('summarises per delta and counts the patients not achievable', async () => {
    const out = await run(modelArtifact(fx.linear));
    const s = out.value.summaries as unknown as { delta: number; solved: number; exceeds_volume: number; target_ge_1: number; median: number }[];
    expect(s.map((x) => x.delta)).toEqual(fx.deltas);
    const n = fx.linear.rows.length;
    s.forEach((x, d) => {
      expect(x.solved).toBe(fx.linear.dv[d]!.filter((v) => v !== null).length);
      expect(x.solved + x.exceeds_volume + x.target_ge_1).toBe(n);
    });
    expect(s[0]!.median).toBeLessThan(s[1]!.median);
  });

  it('handles a volume × treatment interaction (not additive) exactly', async () => {
    const md = buildDesign('good ~ fiv_ml * evt + age', cohort);
    expect([...md.design.columns]).toEqual(['(Intercept)', 'fiv_ml', 'evt', 'age', 'fiv_ml:evt']);
    const beta = [2, -0.03, 0.5, -0.02, 0.012];
    const vcov = beta.map((_, a) => beta.map((__, b) => (a === b ? 1e-4 : 0)));
    const model: Artifact = { type: 'result', value: { model: { family: 'binomial', link: 'logit', design: md.design as unknown as JsonObject, coefficients: beta, vcov: { terms: [...md.design.columns], matrix: vcov } } } };
    const out = await run(model, { deltas: [0.05] });
    expect(out.value.additive).toBe(false);
    const t = out.tables!.get('patients')!;
    const rows = getNumeric(t, 'row');
    const p0 = getNumeric(t, 'p0');
    const dv = getNumeric(t, 'dv_5');
    const logit = (p: number): number => Math.log(p / (1 - p));
    let solved = 0;
    rows.forEach((r, k) => {
      if (Number.isNaN(dv[k]!)) return;
      solved++;
      // η is linear in v with slope β_v + β_int·evt: ΔV = (logit(p0 + δ) − logit(p0)) / −slope.
      const slope = beta[1]! + beta[4]! * fx.data.evt[r - 1]!;
      expect(Math.abs(dv[k]! - (logit(p0[k]! + 0.05) - logit(p0[k]!)) / -slope)).toBeLessThanOrEqual(1e-7);
    });
    expect(solved).toBeGreaterThan(100);
    const curve = out.tables!.get('curve')!;
    expect(getNumeric(curve, 'probability').every((p, g) => p > getNumeric(curve, 'lower')[g]! && p < getNumeric(curve, 'upper')[g]!)).toBe(true);
  });

  it('refuses a model without the volume and a text where:', async () => {
    const md = buildDesign('good ~ evt + age', cohort);
    const model: Artifact = { type: 'result', value: { model: { family: 'binomial', link: 'logit', design: md.design as unknown as JsonObject, coefficients: [0, 0, 0], vcov: { terms: [], matrix: [] } } } };
    await expect(run(model)).rejects.toThrow(DataError);
    await expect(run(model)).rejects.toThrow(/has no term in "fiv_ml"/);
    expect(volumeDelta.check?.({ model: 'fit', data: 'cohort', variable: 'fiv_ml', where: 'fiv_ml < ', deltas: [0.1], constrained: true, min_volume: 0, tol: 1e-8, curve_points: 11, level: 0.95 })).toHaveLength(1);
  });
});

/** Σ_j β_j X_ij in column order, as the step's linear predictor (the reference arithmetic). */
function etaOf(X: Float64Array, n: number, beta: readonly number[]): Float64Array {
  const eta = new Float64Array(n);
  beta.forEach((b, j) => {
    for (let i = 0; i < n; i++) eta[i] = eta[i]! + b * X[j * n + i]!;
  });
  return eta;
}

describe('the solver\'s fast η (bit for bit the model matrix rebuilt at each volume)', () => {
  const v = Float64Array.of(0, -0, 0.5, 3, 7.25, 12, 19.9, 40, 79.999, 80, 150, 400, -3, -1e3, NaN, 1e-300, -2.5e6);
  for (const formula of ['good ~ fiv_ml + evt', 'good ~ log(fiv_ml + 1) + evt', 'good ~ rcs(fiv_ml, 4) + evt', 'good ~ rcs(fiv_ml, 5) + I(fiv_ml / 10) + age', 'good ~ fiv_ml + I(fiv_ml^2) + fiv_ml:I(fiv_ml^2) + evt']) {
    it(`volume terms of ${formula}`, () => {
      const { design } = buildDesign(formula, cohort);
      const vol = volumeColumns(design, 'fiv_ml');
      expect(vol.additive).toBe(true);
      const only = volumeOnlyDesign(design, vol);
      const beta = only.columnIndex.map((j) => [0.7, -0.031, 0.0123, -0.27, 0.0041, 1.3][j % 6]! / (j + 1));
      const want = etaOf(modelMatrix(only.design, makeTable([['fiv_ml', { type: 'number', values: v }]])).X, v.length, beta);
      const got = volumeTermFunction(only.design, beta, 'fiv_ml')(v);
      got.forEach((e, i) => {
        expect(Object.is(e, want[i]!)).toBe(true);
      });
    });
  }

  it('gives the ΔV of a full model-matrix rebuild for a volume × treatment interaction', async () => {
    const md = buildDesign('good ~ occlusion + fiv_ml * evt + age + rcs(fiv_ml, 3):evt', cohort);
    const p = md.design.columns.length;
    const beta = Array.from({ length: p }, (_, j) => [1.1, 0.3, -0.2, -0.03, 0.5, -0.02, 0.012, 0.004, -0.006][j % 9]!);
    const vcov = beta.map((_, a) => beta.map((__, b) => (a === b ? 1e-4 : 0)));
    const model: Artifact = { type: 'result', value: { model: { family: 'binomial', link: 'logit', design: md.design as unknown as JsonObject, coefficients: beta, vcov: { terms: [...md.design.columns], matrix: vcov } } } };
    for (const constrained of [true, false]) {
      const out = await run(model, { constrained });
      expect(out.value.additive).toBe(false);
      const t = out.tables!.get('patients')!;
      const patients = takeRows(cohort, Int32Array.from(getNumeric(t, 'row'), (r) => r - 1));
      const volume = Float64Array.from(getNumeric(patients, 'fiv_ml'));
      const n = patients.nrows;
      // the reference: the whole model matrix rebuilt on the patients' rows at each round's volumes
      const ref = solveVolumeDeltas({
        volume,
        eta0: etaOf(modelMatrix(md.design, patients).X, n, beta),
        eta: (who, at) => etaOf(modelMatrix(md.design, withColumn(takeRows(patients, who), 'fiv_ml', { type: 'number', values: at })).X, who.length, beta),
        deltas: fx.deltas,
        minVolume: 0,
        constrained,
        tol: 1e-8,
      });
      fx.deltas.forEach((delta, d) => {
        const dv = getNumeric(t, `dv_${Math.round(delta * 100)}`);
        dv.forEach((x, k) => {
          expect(Object.is(x, ref.deltaV[d * n + k]!)).toBe(true);
        });
      });
    }
  });
});
