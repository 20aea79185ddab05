/**
 * The bootstrap's fast path for `mediate` (mediateResamplePlan, used by runReplicatesWith): replicate and
 * jackknife values equal to running the step on takeRows(table, rows) to the fits' convergence (the plan
 * sums rows in another order and starts the direct clm elsewhere), on the HERMES-like fixture
 * (missing values, a three-level factor), for ordinal and binary outcomes and with counterfactual effects;
 * resamples the step would treat differently (a missing outcome category) left to the step itself.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Table, takeRows, withColumn } from '../../src/data/table.js';
import { batchRanges, bootstrap } from '../../src/nodes/bootstrap.js';
import { numericLeaves } from '../../src/nodes/bootstrap-estimates.js';
import { runReplicatesWith, type ReplicateTask } from '../../src/nodes/bootstrap-worker.js';
import type { StepKind, WorkerPool } from '../../src/nodes/kind.js';
import { mediate, type MediateParams, type MediatePlanData, mediateResamplePlan } from '../../src/nodes/mediate.js';
import { registry } from '../../src/nodes/registry.js';
import { resamplingDesign } from '../../src/stats/resample.js';
import { rngFor } from '../../src/stats/rng.js';
import { inProcessPool, testContext } from '../support/context.js';
import { type FixtureColumn, fixtureTable } from '../stats/fixture-table.js';

const fx = JSON.parse(readFileSync(new URL('../fixtures/mediation/hermes-like.json', import.meta.url), 'utf8')) as { covariates: string[]; data: Record<string, FixtureColumn> };
const table = fixtureTable(fx.data);
const base: MediateParams = { input: 'cohort', outcome: 'mrs90', exposure: 'evt', mediator: 'fiv_ml', transform: 'cbrt', covariates: fx.covariates, counterfactual: false };

/** mediate without its resample plan: runReplicatesWith then runs the step on takeRows(table, rows). */
const plainMediate = { ...mediate, replicate: { ...mediate.replicate, plan: undefined } } as unknown as StepKind;

async function batch(t: Table, params: MediateParams, mode: 'bootstrap' | 'jackknife', start: number, end: number, fast: boolean, paths: string[]): Promise<{ values: Float64Array; failures: unknown[] }> {
  const evt = t.columns.get('evt')!;
  const design = resamplingDesign(t.nrows, evt.type === 'number' ? Int32Array.from(evt.values) : null, null);
  const task: ReplicateTask = { mode, table: t, from: 'cohort', steps: [{ name: 'med', kind: 'mediate', params: params as unknown as Record<string, unknown>, inputs: ['cohort'] }], seed: 777, start, end, design, paths };
  return runReplicatesWith(task, (k) => (k === 'mediate' ? (fast ? countedMediate : plainMediate) : undefined));
}

/** mediate with its plan, counting the resamples the plan answers (so a test sees the fast path taken). */
const planned = { n: 0 };
const countedMediate = {
  ...mediate,
  replicate: {
    ...mediate.replicate,
    plan: (p: MediateParams, t: Table) => {
      const f = mediate.replicate!.plan!(p, t);
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

  it("is the registry's mediate that the worker uses without importing the registry", () => {
    expect(registry.get('mediate')).toBe(mediate);
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
  const subgraph = (params: MediateParams) => [{ name: 'med', kind: 'mediate', params: params as unknown as Record<string, unknown>, inputs: ['cohort'] }];
  async function boot(params: MediateParams, estimates?: string[]) {
    const ctx = testContext({ seed: 99, subgraph: subgraph(params) });
    const original = await mediate.run(params, new Map([['cohort', { type: 'table', table }]]), ctx);
    const inputs = new Map([['cohort', { type: 'table' as const, table }], ['med', original]]);
    const out = await bootstrap.run({ of: 'med', from: 'cohort', replicates: 20, strata: ['evt'], ci: ['percentile'], conf: 0.95, batch: 10, ...(estimates === undefined ? {} : { estimates }) }, inputs, ctx);
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

/** mediate whose plan counts how often it is made (n) and how often from data given to it (data). */
const built = { n: 0, data: 0 };
const countingPlans = {
  ...mediate,
  replicate: {
    ...mediate.replicate,
    plan: (p: MediateParams, t: Table, data?: unknown) => {
      if (data === undefined) built.n++;
      else built.data++;
      return mediate.replicate!.plan!(p, t, data);
    },
  },
} as unknown as StepKind;

describe('the resample plan across batches', () => {
  it('is built once per planKey on a worker, and the batches give the values of fresh plans', async () => {
    const paths = await pathsOf(table, base);
    const evt = table.columns.get('evt')!;
    const design = resamplingDesign(table.nrows, evt.type === 'number' ? Int32Array.from(evt.values) : null, null);
    const task = (start: number, end: number, planKey?: string): ReplicateTask => ({
      mode: 'bootstrap', table, from: 'cohort', steps: [{ name: 'med', kind: 'mediate', params: base as unknown as Record<string, unknown>, inputs: ['cohort'] }], seed: 777, start, end, design, paths, planKey,
    });
    const run = (t: ReplicateTask) => runReplicatesWith(t, (k) => (k === 'mediate' ? countingPlans : undefined));
    built.n = 0;
    const keyed = [await run(task(0, 3, 'run-1')), await run(task(3, 6, 'run-1')), await run({ ...task(0, 3, 'run-1'), mode: 'jackknife' })];
    expect(built.n).toBe(1);
    await run(task(0, 3, 'run-2')); // another run: a plan of its own
    expect(built.n).toBe(2);
    const fresh = [await run(task(0, 3)), await run(task(3, 6)), await run({ ...task(0, 3), mode: 'jackknife' })];
    expect(built.n).toBe(5); // no key: a plan per batch
    expect(keyed.map((b) => [...b.values])).toEqual(fresh.map((b) => [...b.values]));
  });
});

describe('the resample plan\'s data, built on the main thread', () => {
  it('goes with every batch, is used there instead of being rebuilt, and gives the same replicates', async () => {
    const tasks: ReplicateTask[] = [];
    let warmed = 0;
    const recording: WorkerPool = {
      size: 2,
      warm: () => {
        warmed++;
      },
      run: async <T>(task: { readonly module: string; readonly fn: string; readonly args: unknown }): Promise<T> => {
        tasks.push(task.args as ReplicateTask);
        return (await inProcessPool.run(task));
      },
    };
    const subgraph = [{ name: 'med', kind: 'mediate', params: base as unknown as Record<string, unknown>, inputs: ['cohort'] }];
    const ctx = testContext({ seed: 3, subgraph, pool: recording });
    const original = await mediate.run(base, new Map([['cohort', { type: 'table', table }]]), ctx);
    const inputs = new Map([['cohort', { type: 'table' as const, table }], ['med', original]]);
    const params = { of: 'med', from: 'cohort', replicates: 12, strata: ['evt'], ci: ['percentile' as const], conf: 0.95, batch: 4 };
    const out = await bootstrap.run(params, inputs, ctx);
    expect(warmed).toBe(1); // the threads start before the batches are prepared
    expect(tasks).toHaveLength(batchRanges(12, 4).length);
    const data = tasks[0]!.planData as MediatePlanData;
    expect(data.collapse?.K).toBeGreaterThan(1000);
    expect(tasks.every((t) => t.planData === data && t.planKey === tasks[0]!.planKey)).toBe(true);
    // the worker's plan from this data equals the plan it would build itself, value for value
    const paths = await pathsOf(table, base);
    const run = (planData: unknown) => runReplicatesWith({ ...tasks[0]!, paths, planData, planKey: undefined }, (k) => (k === 'mediate' ? countingPlans : undefined));
    built.n = 0;
    const given = await run(data);
    expect(built.data).toBe(1); // made from the data given
    const own = await run(undefined);
    expect([...given.values]).toEqual([...own.values]);
    expect(out.type).toBe('result');
    // null: the main thread found no plan, and the worker runs the step itself
    built.n = 0;
    built.data = 0;
    await run(null);
    expect(built.n + built.data).toBe(0);
  });
});
