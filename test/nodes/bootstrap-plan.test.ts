/**
 * The bootstrap's fast path for `mediate` (its row samples, mediateResamplePlan, used by the replicate
 * construct's worker, runSamplesWith): replicate and
 * jackknife values equal to running the step on takeRows(table, rows) to the fits' convergence (the plan
 * sums rows in another order and starts the direct clm elsewhere), on the HERMES-like fixture
 * (missing values, a three-level factor), for ordinal and binary outcomes and with counterfactual effects;
 * resamples the step would treat differently (a missing outcome category) left to the step itself.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Table, takeRows, withColumn } from '../../src/data/table.js';
import { bootstrap } from '../../src/nodes/bootstrap.js';
import { numericLeaves } from '../../src/nodes/bootstrap-estimates.js';
import type { BatchArgs, StepKind, WorkerPool } from '../../src/nodes/kind.js';
import { loadKinds } from '../../src/nodes/kinds.js';
import { mediate, type MediateParams, type MediatePlanData, mediateResamplePlan } from '../../src/nodes/mediate.js';
import { registry } from '../../src/nodes/registry.js';
import { batchRanges } from '../../src/runner/replicate/batches.js';
import { runSamplesWith, type SampleShared } from '../../src/runner/replicate/worker.js';
import { resamplingDesign, type ResamplingDesign } from '../../src/stats/resample.js';
import { rngFor } from '../../src/stats/rng.js';
import { inProcessPool, runStep, testContext } from '../support/context.js';
import { type FixtureColumn, fixtureTable } from '../stats/fixture-table.js';

const fx = JSON.parse(readFileSync(new URL('../fixtures/mediation/hermes-like.json', import.meta.url), 'utf8')) as { covariates: string[]; data: Record<string, FixtureColumn> };
const table = fixtureTable(fx.data);
const base: MediateParams = { input: 'cohort', outcome: 'mrs90', exposure: 'evt', mediator: 'fiv_ml', transform: 'cbrt', covariates: fx.covariates, counterfactual: false };

/** mediate without its row samples: the worker then runs the step on takeRows(table, rows). */
const plainMediate = { ...mediate, rowSamples: undefined } as unknown as StepKind;

type Mode = 'bootstrap' | 'jackknife';

/** A batch of a sample set as the runner sends it to a worker. */
function sampleTask(t: Table, params: MediateParams, design: ResamplingDesign, mode: Mode, start: number, end: number, paths: string[], more: Partial<SampleShared> = {}): BatchArgs<SampleShared> {
  return {
    shared: {
      table: t,
      from: 'cohort',
      steps: [{ name: 'med', kind: 'mediate', params: params as unknown as Record<string, unknown>, inputs: ['cohort'] }],
      sample: { module: 'nodes/bootstrap-samples', fn: mode === 'bootstrap' ? 'bootstrapSample' : 'jackknifeSample', args: design },
      paths,
      ...more,
    },
    seed: 777,
    start,
    end,
  };
}

function evtDesign(t: Table): ResamplingDesign {
  const evt = t.columns.get('evt')!;
  return resamplingDesign(t.nrows, evt.type === 'number' ? Int32Array.from(evt.values) : null, null);
}

async function batch(t: Table, params: MediateParams, mode: Mode, start: number, end: number, fast: boolean, paths: string[]): Promise<{ values: Float64Array; failures: unknown[] }> {
  return runSamplesWith(sampleTask(t, params, evtDesign(t), mode, start, end, paths), (k) => (k === 'mediate' ? (fast ? countedMediate : plainMediate) : undefined));
}

/** mediate with its row samples, counting the resamples the plan answers (so a test sees the fast path taken). */
const planned = { n: 0 };
const countedMediate = {
  ...mediate,
  rowSamples: {
    prepare: (p: MediateParams, t: Table) => mediate.rowSamples!.prepare(p, t),
    plan: (p: MediateParams, t: Table, data: unknown) => {
      const f = mediate.rowSamples!.plan(p, t, data);
      return f === undefined
        ? undefined
        : (rows: Int32Array, seed: number) => {
            const out = f(rows, seed);
            if (out !== undefined) planned.n++;
            return out;
          };
    },
  },
} as unknown as StepKind;

async function pathsOf(t: Table, params: MediateParams): Promise<string[]> {
  const out = await mediate.run(params, new Map([['cohort', { type: 'table', table: t }]]), testContext());
  if (out.type !== 'result') throw new Error('mediate gives a result');
  return [...numericLeaves(out.value).keys()];
}

async function expectSame(t: Table, params: MediateParams, mode: 'bootstrap' | 'jackknife', start: number, end: number): Promise<void> {
  const paths = await pathsOf(t, params);
  const before = planned.n;
  const fast = await batch(t, params, mode, start, end, true, paths);
  expect(planned.n).toBeGreaterThan(before); // the fast path answered some of the resamples
  const slow = await batch(t, params, mode, start, end, false, paths);
  expect(fast.failures).toEqual(slow.failures);
  // to the fits' convergence (the plan sums the rows in another order and starts the direct clm from the
  // whole sample's estimate), NaN (an estimate missing from a replicate) at the same places
  const k = paths.length;
  let worst = 0;
  let worstAt = '';
  fast.values.forEach((v, i) => {
    const w = slow.values[i]!;
    if (Number.isNaN(w) || Number.isNaN(v)) {
      expect([paths[i % k], v]).toEqual([paths[i % k], w]);
      return;
    }
    const err = Math.abs(v - w) / Math.max(Math.abs(w), 1e-3);
    if (err > worst) [worst, worstAt] = [err, `${paths[i % k]!}: ${v} vs ${w}`];
  });
  expect(worst, worstAt).toBeLessThan(TOLERANCE);
}

/**
 * Largest difference allowed between the plan's and the step's replicate values, relative (absolute below
 * 1e-3): the fits stop within clm's criteria at points ~1e-10 apart here.
 */
const TOLERANCE = 1e-8;

/** Two mediate results alike but for rounding: the same fields and non-numeric values, numbers to TOLERANCE. */
function expectAlike(actual: unknown, expected: unknown): void {
  const numbersOut = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' ? 0 : x)));
  expect(numbersOut(actual)).toEqual(numbersOut(expected));
  const a = numericLeaves(actual);
  for (const [path, w] of numericLeaves(expected)) {
    const v = a.get(path)!;
    expect(Math.abs(v - w) / Math.max(Math.abs(w), 1e-3), `${path}: ${v} vs ${w}`).toBeLessThan(TOLERANCE);
  }
}

describe('mediate resample plan (bootstrap fast path)', () => {
  it('gives the bootstrap replicates of mediate on the resampled table (ordinal outcome, missing values, a factor)', async () => {
    await expectSame(table, base, 'bootstrap', 0, 40);
  });

  it('gives the jackknife samples of mediate on the table without the unit', async () => {
    await expectSame(table, base, 'jackknife', 100, 125);
  });

  it('gives the same binary-outcome replicates and counterfactual effects (same random streams)', async () => {
    await expectSame(table, { ...base, binary_cut: 2 }, 'bootstrap', 0, 15);
    await expectSame(table, { ...base, counterfactual: true, sims: 20 }, 'bootstrap', 5, 12);
  });

  it("is the registry's mediate that the worker loads by name without importing the registry", async () => {
    expect(registry.get('mediate')).toBe(mediate);
    expect((await loadKinds(['mediate'])).get('mediate')).toBe(mediate);
  });

  it('leaves to mediate the resamples it would treat differently, and the designs it cannot gather', async () => {
    // mRS 6 kept in a single row: most resamples lose the category (fewer thresholds), some keep it
    const mrs = table.columns.get('mrs90')!;
    if (mrs.type !== 'number') throw new Error('mrs90 is numeric');
    let seen = false;
    const rare = withColumn(table, 'mrs90', {
      type: 'number',
      values: mrs.values.map((v) => {
        if (v !== 6) return v;
        if (seen) return 5;
        seen = true;
        return 6;
      }),
    });
    await expectSame(rare, base, 'bootstrap', 0, 12);
    const plan = mediateResamplePlan(base, rare)!;
    const rng = rngFor(1, 2);
    const without6 = Int32Array.from({ length: 300 }, () => rng.int(rare.nrows));
    const has6 = Array.from(without6).some((i) => (rare.columns.get('mrs90') as { values: Float64Array }).values[i] === 6);
    if (!has6) expect(plan(without6, 1)).toBeUndefined();
    // a spline's knots depend on the whole sample: no plan
    expect(mediateResamplePlan({ ...base, covariates: ['rcs(age, 4)', 'nihss'] }, table)).toBeUndefined();
    expect(mediateResamplePlan({ ...base, covariates: ['I(age / 10)', 'nihss'] }, table)).toBeUndefined();
    // and what plan gives equals mediate on the rows
    const rows = Int32Array.from({ length: table.nrows }, (_, i) => (i * 7) % table.nrows);
    const viaStep = await mediate.run(base, new Map([['cohort', { type: 'table', table: takeRows(table, rows) }]]), testContext());
    expectAlike(mediateResamplePlan(base, table)!(rows, 1), viaStep.type === 'result' ? viaStep.value : undefined);
  });
});

describe('bootstrap of a mediate step with counterfactual effects (issue 4\'s example spec)', () => {
  async function boot(params: MediateParams, estimates?: string[]) {
    const ctx = testContext({ seed: 99 });
    const original = await mediate.run(params, new Map([['cohort', { type: 'table', table }]]), ctx);
    const inputs = new Map([['cohort', { type: 'table' as const, table }], ['med', original]]);
    const out = await runStep(bootstrap, { of: 'med', from: 'cohort', replicates: 20, strata: ['evt'], ci: ['percentile'], conf: 0.95, ...(estimates === undefined ? {} : { estimates }) }, inputs, ctx, {
      subPipeline: { from: 'cohort', steps: [{ name: 'med', kind: 'mediate', params: params as unknown as Record<string, unknown>, inputs: ['cohort'] }] },
      kinds: (k) => registry.get(k),
      batch: 10,
    });
    if (out.type !== 'result') throw new Error('bootstrap gives a result');
    return out.value as { estimates: { name: string; percentile: unknown; se: number }[]; not_bootstrapped: { paths: string[]; why: string } | null };
  }

  it('resamples the regression estimates without re-running the simulation, and says so', async () => {
    const withCf = await boot({ ...base, counterfactual: true, sims: 50 });
    const without = await boot(base);
    const names = withCf.estimates.map((e) => e.name);
    expect(names.some((n) => n.startsWith('counterfactual'))).toBe(false);
    expect(names).toContain('proportion_explained');
    // the same replicates as the bootstrap of mediate without counterfactual effects, value for value
    expect(withCf.estimates).toEqual(without.estimates);
    expect(withCf.not_bootstrapped?.paths).toEqual(['counterfactual']);
    expect(withCf.not_bootstrapped?.why).toMatch(/not re-simulated/);
    expect(without.not_bootstrapped).toBeNull();
  });

  it('refuses counterfactual estimates asked for by name, saying where their intervals are', async () => {
    await expect(boot({ ...base, counterfactual: true, sims: 50 }, ['counterfactual.proportion_mediated.estimate'])).rejects.toThrow(
      /estimates "counterfactual\.proportion_mediated\.estimate" of step "med" cannot be bootstrapped: its counterfactual effects are not re-simulated/,
    );
  });
});

/** mediate whose row samples count how often the data is prepared on a worker (prepared) and a plan made (plans). */
const built = { prepared: 0, plans: 0 };
const countingPlans = {
  ...mediate,
  rowSamples: {
    prepare: (p: MediateParams, t: Table) => {
      built.prepared++;
      return mediate.rowSamples!.prepare(p, t);
    },
    plan: (p: MediateParams, t: Table, data: unknown) => {
      built.plans++;
      return mediate.rowSamples!.plan(p, t, data);
    },
  },
} as unknown as StepKind;

describe('the resample plan across batches', () => {
  it('is built once per planKey on a worker, and the batches give the values of fresh plans', async () => {
    const paths = await pathsOf(table, base);
    const design = evtDesign(table);
    const task = (mode: Mode, start: number, end: number, planKey?: string) => sampleTask(table, base, design, mode, start, end, paths, { planKey });
    const run = (t: BatchArgs<SampleShared>) => runSamplesWith(t, (k) => (k === 'mediate' ? countingPlans : undefined));
    built.plans = 0;
    const keyed = [await run(task('bootstrap', 0, 3, 'run-1')), await run(task('bootstrap', 3, 6, 'run-1')), await run(task('jackknife', 0, 3, 'run-1'))];
    expect(built.plans).toBe(1);
    await run(task('bootstrap', 0, 3, 'run-2')); // another run: a plan of its own
    expect(built.plans).toBe(2);
    const fresh = [await run(task('bootstrap', 0, 3)), await run(task('bootstrap', 3, 6)), await run(task('jackknife', 0, 3))];
    expect(built.plans).toBe(5); // no key: a plan per batch
    expect(keyed.map((b) => [...b.values])).toEqual(fresh.map((b) => [...b.values]));
  });
});

describe('the resample plan\'s data, built on the main thread', () => {
  it('goes with every batch, is used there instead of being rebuilt, and gives the same replicates', async () => {
    const tasks: BatchArgs<SampleShared>[] = [];
    const warmed: (readonly string[])[] = [];
    const recording: WorkerPool = {
      size: 2,
      warm: (modules) => {
        warmed.push(modules ?? []);
      },
      run: async <T>(task: { readonly module: string; readonly fn: string; readonly args: unknown }): Promise<T> => {
        tasks.push(task.args as BatchArgs<SampleShared>);
        return (await inProcessPool.run(task));
      },
    };
    const ctx = testContext({ seed: 3, pool: recording });
    const original = await mediate.run(base, new Map([['cohort', { type: 'table', table }]]), ctx);
    const inputs = new Map([['cohort', { type: 'table' as const, table }], ['med', original]]);
    const params = { of: 'med', from: 'cohort', replicates: 12, strata: ['evt'], ci: ['percentile' as const], conf: 0.95 };
    const out = await runStep(bootstrap, params, inputs, ctx, {
      subPipeline: { from: 'cohort', steps: [{ name: 'med', kind: 'mediate', params: base as unknown as Record<string, unknown>, inputs: ['cohort'] }] },
      kinds: (k) => registry.get(k),
      batch: 4,
    });
    // the threads are warmed with the worker and the sub-pipeline's kind before the batches go out
    expect(warmed).toEqual([['runner/replicate/worker', 'nodes/mediate']]);
    expect(tasks).toHaveLength(batchRanges(12, 4).length);
    const data = tasks[0]!.shared.planData as MediatePlanData;
    expect(data.collapse?.K).toBeGreaterThan(1000);
    expect(tasks.every((t) => t.shared.planData === data && t.shared.planKey === tasks[0]!.shared.planKey)).toBe(true);
    // the worker's plan from this data equals the plan it would build itself, value for value
    const paths = await pathsOf(table, base);
    const run = (planData: unknown) => runSamplesWith({ ...tasks[0]!, shared: { ...tasks[0]!.shared, paths, planData, planKey: undefined } }, (k) => (k === 'mediate' ? countingPlans : undefined));
    built.prepared = 0;
    built.plans = 0;
    const given = await run(data);
    expect([built.prepared, built.plans]).toEqual([0, 1]); // made from the data given
    const own = await run(undefined);
    expect(built.prepared).toBe(1); // no data given: the worker prepares it
    expect([...given.values]).toEqual([...own.values]);
    expect(out.type).toBe('result');
    // null: the main thread found no plan, and the worker runs the step itself
    built.prepared = 0;
    built.plans = 0;
    await run(null);
    expect(built.prepared + built.plans).toBe(0);
  });
});
