/**
 * The row-samples fast path of the fits (StepKind.rowSamples, src/stats/sample-design.ts) — fit_ordinal's: a
 * sample as its distinct complete rows with counts as frequency weights gives the result of running the
 * step on takeRows(table, rows), to the fit's convergence; samples the step would treat differently are
 * left to it; and a bootstrap of fit_ordinal gives, through the replicate worker, the same replicates with
 * and without the fast path. On the HERMES-like fixture (missing values, a three-level factor).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { takeRows, withColumn, type Table } from '../../src/data/table.js';
import { numericLeaves } from '../../src/nodes/bootstrap-estimates.js';
import { fitOrdinalStep, type FitOrdinalParams } from '../../src/nodes/fit_ordinal.js';
import type { BatchArgs, StepKind } from '../../src/nodes/kind.js';
import { countRows } from '../../src/stats/sample-design.js';
import { runSamplesWith, type SampleShared } from '../../src/runner/replicate/worker.js';
import { resamplingDesign } from '../../src/stats/resample.js';
import { rngFor } from '../../src/stats/rng.js';
import { testContext } from '../support/context.js';
import { type FixtureColumn, fixtureTable } from '../stats/fixture-table.js';

const fx = JSON.parse(readFileSync(new URL('../fixtures/mediation/hermes-like.json', import.meta.url), 'utf8')) as { data: Record<string, FixtureColumn> };
const table = fixtureTable(fx.data);
const params: FitOrdinalParams = { input: 'cohort', formula: 'mrs90 ~ evt + age + nihss + occlusion + fiv_ml', level: 0.95, merge: [], favourable: 'low', nominal_test: false, brant: false };

/** Relative difference allowed (absolute below 1e-3): clm stops within its criteria at points ~1e-10 apart. */
const TOLERANCE = 1e-7;

async function viaRun(t: Table, rows: Int32Array): Promise<unknown> {
  const out = await fitOrdinalStep.run(params, new Map([['cohort', { type: 'table', table: takeRows(t, rows) }]]), testContext());
  return out.type === 'result' ? out.value : undefined;
}

function expectAlike(actual: unknown, expected: unknown): void {
  const numbersOut = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' ? 0 : x)));
  expect(numbersOut(actual)).toEqual(numbersOut(expected));
  const a = numericLeaves(actual);
  for (const [path, w] of numericLeaves(expected)) {
    if (path === 'iterations' || path === 'max_gradient' || path === 'cond_hessian') continue; // where the iteration stops
    const v = a.get(path)!;
    expect(Math.abs(v - w) / Math.max(Math.abs(w), 1e-3), `${path}: ${v} vs ${w}`).toBeLessThan(TOLERANCE);
  }
}

describe('fit_ordinal on row samples (counts as frequency weights)', () => {
  const rs = fitOrdinalStep.rowSamples!;
  const data = rs.prepare(params, table);
  const plan = rs.plan(params, table, data)!;

  it('gives the result of the step on the resampled rows, n and dropped rows included', async () => {
    for (let b = 0; b < 4; b++) {
      const rng = rngFor(11, b);
      const rows = Int32Array.from({ length: table.nrows }, () => rng.int(table.nrows));
      const fast = plan(rows, 0);
      expect(fast).toBeDefined();
      expectAlike(fast, await viaRun(table, rows));
    }
  });

  it('leaves to the step a sample without an outcome category, and does not apply to splines, tests or case weights', () => {
    const mrs = table.columns.get('mrs90')!;
    if (mrs.type !== 'number') throw new Error('mrs90 is numeric');
    const rows6 = Int32Array.from({ length: table.nrows }, (_, i) => i).filter((i) => mrs.values[i] !== 6);
    expect(plan(rows6, 0)).toBeUndefined();
    expect(rs.prepare({ ...params, formula: 'mrs90 ~ evt + rcs(age, 4)' }, table)).toBeUndefined();
    expect(rs.prepare({ ...params, nominal_test: true }, table)).toBeUndefined();
    expect(rs.prepare({ ...params, weights: 'age' }, table)).toBeUndefined();
    const noSix = withColumn(table, 'mrs90', { type: 'number', values: mrs.values.map((v) => (v === 6 ? 5 : v)) });
    expect(rs.prepare(params, noSix)).toBeDefined();
  });

  it('counts the distinct rows of a sample', () => {
    expect(countRows(Int32Array.of(3, 1, 3, 3, 0, 9), 5, 5)).toEqual({ rows: Int32Array.of(0, 1, 3), counts: Float64Array.of(1, 1, 3) });
  });

  it('gives a bootstrap of fit_ordinal the same replicates as running the step, through the replicate worker', async () => {
    const leaves = numericLeaves(await viaRun(table, Int32Array.from({ length: table.nrows }, (_, i) => i)));
    const paths = [...leaves.keys()].filter((p) => p.startsWith('coefficients'));
    const design = resamplingDesign(table.nrows, null, null);
    const task = (planData: unknown): BatchArgs<SampleShared> => ({
      shared: {
        table,
        from: 'cohort',
        steps: [{ name: 'fit', kind: 'fit_ordinal', params: params as unknown as Record<string, unknown>, inputs: ['cohort'] }],
        sample: { module: 'nodes/bootstrap-samples', fn: 'bootstrapSample', args: design },
        paths,
        planData,
      },
      seed: 5,
      start: 0,
      end: 12,
    });
    const plain = { ...fitOrdinalStep, rowSamples: undefined } as unknown as StepKind;
    const fast = await runSamplesWith(task(data), () => fitOrdinalStep as unknown as StepKind);
    const slow = await runSamplesWith(task(null), () => plain);
    expect(fast.failures).toEqual(slow.failures);
    fast.values.forEach((v, i) => {
      const w = slow.values[i]!;
      expect(Math.abs(v - w) / Math.max(Math.abs(w), 1e-3)).toBeLessThan(TOLERANCE);
    });
  });
});
