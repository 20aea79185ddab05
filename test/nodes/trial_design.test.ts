/**
 * The trial_design step end to end on the synthetic HERMES cohort:
 *   - the translation through the fit steps' own fits equals R (glm / clm + the g-computation formula,
 *     fixture test/fixtures/trial/g-computation.json): ΔP and its delta-method CI to 1e-8 (logistic),
 *     to clm's convergence (ordinal);
 *   - its bootstrap CI of ΔP agrees with R's (boot, B = 2000; fixture bootstrap.json) within Monte-Carlo error;
 *   - the output is the same whatever the pool (--jobs);
 *   - bad input: a ratio outside (0, 1), a power not above alpha, a reference arm of fewer than 10
 *     volumes, a model without the volume term, zero volumes under log_t: errors naming the parameter.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TRIAL_DESIGN_DEFAULTS, trialDesign, type TrialDesignParams } from '../../src/nodes/trial_design.js';
import { fitLogisticStep } from '../../src/nodes/fit_logistic.js';
import { fitOrdinalStep } from '../../src/nodes/fit_ordinal.js';
import type { Artifact, ResultArtifact } from '../../src/data/artifact.js';
import { canonicalJson, type JsonObject } from '../../src/data/canonical.js';
import { makeTable, takeRows, type Table } from '../../src/data/table.js';
import { DataError } from '../../src/errors.js';
import type { WorkerPool } from '../../src/nodes/kind.js';
import { inProcessPool, runStep, testContext } from '../support/context.js';
import { encodeArtifact } from '../../src/data/artifact.js';
import { batchRanges } from '../../src/runner/replicate/batches.js';
import { hermesRows } from '../stats/trial/reference.js';

const rows = hermesRows().filter((r) => !Number.isNaN(r.fiv_ml) && !Number.isNaN(r.aspects));
const levels = ['M1', 'ICA', 'M2'];
const cohort: Table = makeTable([
  ['fiv_ml', { type: 'number', values: Float64Array.from(rows, (r) => r.fiv_ml) }],
  ['evt', { type: 'number', values: Float64Array.from(rows, (r) => r.evt) }],
  ['age', { type: 'number', values: Float64Array.from(rows, (r) => r.age) }],
  ['nihss', { type: 'number', values: Float64Array.from(rows, (r) => r.nihss) }],
  ['aspects', { type: 'number', values: Float64Array.from(rows, (r) => r.aspects) }],
  ['occlusion', { type: 'factor', codes: Int32Array.from(rows, (r) => levels.indexOf(r.occlusion)), levels }],
  ['mrs90', { type: 'number', values: Float64Array.from(rows, (r) => r.mrs90) }],
]);

interface Pop { n: number; difference: number[]; se: number[]; or?: number[]; log_cor?: number[]; se_log_cor?: number[] }
const gfx = JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/trial/g-computation.json'), 'utf8')) as {
  linear: { effects: { kind: string; value: number; populations: { all: Pop; under80: Pop } }[] };
  ordinal: { effects: { kind: string; value: number; populations: { all: Pop; under80: Pop } }[] };
};
const bfx = JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/trial/bootstrap.json'), 'utf8')) as { logistic: { estimate: number[]; se: number[]; ci_low: number[]; ci_high: number[]; replicates: number } };

async function fit(kind: 'logistic' | 'ordinal'): Promise<ResultArtifact> {
  const inputs = new Map<string, Artifact>([['cohort', { type: 'table', table: cohort }]]);
  const out =
    kind === 'logistic'
      ? await fitLogisticStep.run({ input: 'cohort', formula: 'mrs90 <= 2 ~ I(fiv_ml / 10) + evt + age + nihss + aspects + occlusion', ci: 'wald', level: 0.95 }, inputs, testContext())
      : await fitOrdinalStep.run({ input: 'cohort', formula: 'mrs90 ~ I(fiv_ml^(1/3)) + evt + age + nihss + aspects + occlusion', level: 0.95 }, inputs, testContext());
  if (out.type !== 'result') throw new Error('a fit gives a result');
  return out;
}

const defaults: TrialDesignParams = {
  ...TRIAL_DESIGN_DEFAULTS,
  reference: 'cohort',
  arm: 'evt == 0',
  volume: 'fiv_ml',
  effects: { ratio: [0.8, 0.5], absolute_ml: [10] },
  log_offset: 1,
};

async function design(params: Partial<TrialDesignParams>, model?: ResultArtifact, pool?: WorkerPool): Promise<JsonObject> {
  const inputs = new Map<string, Artifact>([['cohort', { type: 'table', table: cohort }]]);
  if (model !== undefined) inputs.set('model', model);
  const out = await runStep(trialDesign, { ...defaults, ...(model === undefined ? {} : { outcome_model: 'model', data: 'cohort' }), ...params }, inputs, testContext({ pool }));
  if (out.type !== 'result') throw new Error('trial_design gives a result');
  return out.value;
}

type Json = Record<string, unknown>;
const effectsOf = (v: JsonObject): Json[] => v.effects as unknown as Json[];
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe('translation through the fit steps = R', () => {
  it('logistic (mRS 0–2, I(fiv_ml/10)): ΔP and its delta-method CI to 1e-8, all patients and fiv_ml < 80', async () => {
    const model = await fit('logistic');
    for (const pop of ['all', 'under80'] as const) {
      const v = await design({ population: pop === 'all' ? undefined : 'fiv_ml < 80' }, model);
      gfx.linear.effects.forEach((e, k) => {
        const r = e.populations[pop];
        const tr = effectsOf(v)[k]!.translation as Json;
        const d = tr.difference as { estimate: number; se: number; low: number; high: number };
        expect(rel(d.estimate, r.difference[0]!)).toBeLessThan(1e-8);
        expect(rel(d.se, r.se[0]!)).toBeLessThan(1e-8);
        const z = 1.959963984540054;
        expect(rel(d.low, r.difference[0]! - z * r.se[0]!)).toBeLessThan(1e-8);
        expect(rel(d.high, r.difference[0]! + z * r.se[0]!)).toBeLessThan(1e-8);
        expect(rel((tr.odds_ratio as { estimate: number }).estimate, r.or![0]!)).toBeLessThan(1e-8);
      });
      expect((v.translation as Json).patients).toBe(gfx.linear.effects[0]!.populations[pop].n);
    }
  });

  it('ordinal (mRS, I(fiv_ml^(1/3))): ΔP(mRS ≤ 2), the implied common OR and their SEs to clm\'s convergence', async () => {
    const model = await fit('ordinal');
    const v = await design({ population: 'fiv_ml < 80' }, model);
    gfx.ordinal.effects.forEach((e, k) => {
      const r = e.populations.under80;
      const tr = effectsOf(v)[k]!.translation as Json;
      const d = tr.difference as { estimate: number; se: number };
      expect(rel(d.estimate, r.difference[0]!)).toBeLessThan(1e-6);
      expect(rel(d.se, r.se[0]!)).toBeLessThan(1e-5);
      const c = tr.common_or as { estimate: number; se: number };
      expect(rel(Math.log(c.estimate), r.log_cor![0]!)).toBeLessThan(1e-6);
      expect(rel(c.se, r.se_log_cor![0]!)).toBeLessThan(1e-5);
    });
  });
});

describe('chain bootstrap', () => {
  it('the bootstrap CI of ΔP agrees with R\'s (boot, B = 2000) within Monte-Carlo error', async () => {
    const model = await fit('logistic');
    const B = bfx.logistic.replicates;
    const v = await design({ population: 'fiv_ml < 80', effects: { ratio: [0.8] }, tests: ['log_t'], bootstrap: { replicates: B } }, model);
    const d = (effectsOf(v)[0]!.translation as Json).difference as { estimate: number; boot_low: number; boot_high: number };
    expect(rel(d.estimate, bfx.logistic.estimate[0]!)).toBeLessThan(1e-8);
    const se = bfx.logistic.se[0]!;
    // MC SE of a 2.5 % / 97.5 % bootstrap quantile ≈ SE·√(q(1 − q)/B)/φ(z_q); two independent bootstraps
    const q = 0.025;
    const mcse = (se * Math.sqrt((q * (1 - q)) / B)) / (Math.exp(-(1.959963984540054 ** 2) / 2) / Math.sqrt(2 * Math.PI));
    expect(Math.abs(d.boot_low - bfx.logistic.ci_low[0]!)).toBeLessThan(3 * Math.SQRT2 * mcse);
    expect(Math.abs(d.boot_high - bfx.logistic.ci_high[0]!)).toBeLessThan(3 * Math.SQRT2 * mcse);
    expect((v.bootstrap as Json).failed).toBe(0);
  });
});

describe('reproducibility', () => {
  it('the same output whatever the pool size (the batches follow the threads; a unit depends on its index alone)', async () => {
    const model = await fit('ordinal');
    const params: Partial<TrialDesignParams> = { effects: { ratio: [0.7] }, mrs: 'mrs90', simulation: { ...TRIAL_DESIGN_DEFAULTS.simulation, trials: 600, sizes: [200, 400] }, bootstrap: { replicates: 60 }, target_cor: [2] };
    const a = await design(params, model, inProcessPool);
    const b = await design(params, model, { ...inProcessPool, size: 7 });
    expect(canonicalJson(a)).toBe(canonicalJson(b));
  });
});

describe('on the replicate construct', () => {
  /** inProcessPool, counting the batches it runs and failing (a worker that dies) after `failAfter` of them. */
  const countingPool = (calls: { n: number }, failAfter = Infinity): WorkerPool => ({
    size: 2,
    async run<T>(task: { module: string; fn: string; args: unknown }): Promise<T> {
      expect(task.module).toBe('nodes/trial-design-units');
      if (calls.n >= failAfter) throw new Error('worker died');
      calls.n++;
      return inProcessPool.run<T>(task);
    },
  });
  const params: Partial<TrialDesignParams> = { effects: { ratio: [0.7] }, mrs: 'mrs90', simulation: { ...TRIAL_DESIGN_DEFAULTS.simulation, trials: 1000, sizes: [200, 400] }, bootstrap: { replicates: 40 } };

  it('the simulated trials (blocks of 100) and the bootstrap replicates are its unit sets: --batch changes the batches, not the bytes', async () => {
    const model = await fit('ordinal');
    const inputs = new Map<string, Artifact>([['cohort', { type: 'table', table: cohort }], ['model', model]]);
    const all = { ...defaults, outcome_model: 'model', data: 'cohort', ...params };
    const run = async (batch: number, calls: { n: number }): Promise<string> => encodeArtifact(await runStep(trialDesign, all, inputs, testContext({ pool: countingPool(calls) }), { batch }));
    const few = { n: 0 };
    const many = { n: 0 };
    const a = await run(100, few);
    const b = await run(3, many);
    expect(b).toBe(a);
    // 10 units of 100 trials and 40 replicates, each cut by batchRanges at min(batch, units / 2 threads)
    expect(few.n).toBe(batchRanges(10, 5).length + batchRanges(40, 20).length);
    expect(many.n).toBe(batchRanges(10, 3).length + batchRanges(40, 3).length);
  });

  it('resumes from checkpoints after an interruption, without redoing the finished batches, with the same bytes', async () => {
    const model = await fit('ordinal');
    const inputs = new Map<string, Artifact>([['cohort', { type: 'table', table: cohort }], ['model', model]]);
    const all = { ...defaults, outcome_model: 'model', data: 'cohort', ...params };
    const reference = encodeArtifact(await runStep(trialDesign, all, inputs, testContext({ pool: countingPool({ n: 0 }) }), { batch: 4 }));
    const interrupted = testContext({ pool: countingPool({ n: 0 }, 5) });
    await expect(runStep(trialDesign, all, inputs, interrupted, { batch: 4 })).rejects.toThrow('worker died');
    const saved = interrupted.store.size;
    expect(saved).toBe(5);
    const total = batchRanges(10, 4).length + batchRanges(40, 4).length;
    expect(saved).toBeLessThan(total);
    const calls = { n: 0 };
    const resumed = testContext({ pool: countingPool(calls) });
    for (const [k, v] of interrupted.store) resumed.store.set(k, v);
    expect(encodeArtifact(await runStep(trialDesign, all, inputs, resumed, { batch: 4 }))).toBe(reference);
    expect(calls.n).toBe(total - saved); // only the batches not checkpointed
  });
});

describe('bad input', () => {
  const problems = (p: Partial<TrialDesignParams>): { path: string; message: string }[] => [...trialDesign.check!({ ...defaults, ...p })];

  it('an effect ratio ≤ 0 or ≥ 1, or a reduction ≤ 0 mL, names the effect', () => {
    expect(problems({ effects: { ratio: [0.8, 1.2, 0] } }).map((x) => x.path)).toEqual(['effects.ratio[1]', 'effects.ratio[2]']);
    expect(problems({ effects: { ratio: [1.2] } })[0]!.message).toMatch(/ratio 1.2 is not a reduction: a ratio must lie strictly between 0 and 1/);
    expect(problems({ effects: { absolute_ml: [-5] } })[0]).toMatchObject({ path: 'effects.absolute_ml[0]' });
    expect(problems({ effects: {} })[0]).toMatchObject({ path: 'effects', message: 'no effect to design for' });
  });

  it('a target power not above alpha names the power', () => {
    expect(problems({ power: [0.8, 0.04] })).toEqual([expect.objectContaining({ path: 'power[1]', message: 'the target power 0.04 must lie above alpha (0.05) and below 1' })]);
  });

  it('a reference arm with fewer than 10 volumes', async () => {
    const small = takeRows(cohort, Int32Array.from({ length: 12 }, (_, i) => i));
    const inputs = new Map<string, Artifact>([['cohort', { type: 'table', table: small }]]);
    await expect(runStep(trialDesign, { ...defaults }, inputs, testContext())).rejects.toThrow(/trial_design reference: the reference arm has \d volumes? \(arm: evt == 0\); at least 10 are needed/);
  });

  it('a model without the volume term names outcome_model and lists its terms', async () => {
    const inputs = new Map<string, Artifact>([['cohort', { type: 'table', table: cohort }]]);
    const noVolume = await fitLogisticStep.run({ input: 'cohort', formula: 'mrs90 <= 2 ~ evt + age', ci: 'wald', level: 0.95 }, inputs, testContext());
    const err = await design({}, noVolume as ResultArtifact).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toBe('trial_design outcome_model: the model of "model" has no term in the volume "fiv_ml"');
    expect((err as DataError).hint).toMatch(/^its terms are: evt, age/);
  });

  it('zero volumes under log_t need log_offset', async () => {
    const err = await design({ log_offset: 0 }).catch((e: unknown) => e);
    expect((err as DataError).message).toMatch(/^trial_design log_offset: the absolute reduction of 10 mL takes volumes to 0 mL/);
    const ratioOnly = await design({ log_offset: 0, effects: { ratio: [0.8] } });
    expect((ratioOnly.reference as Json).n).toBeGreaterThan(10);
  });
});
