/**
 * The parts of a trial_design step that run on the worker pool: the simulation (fixed shards of trials
 * of src/stats/trial/simulation.ts) and the chain bootstrap (fixed shards of replicates of
 * src/stats/trial/chain-bootstrap.ts), and their summaries. Shards depend on the trial or replicate
 * numbers alone, so the results never depend on --jobs.
 */
import type { JsonObject } from '../data/canonical.js';
import { getColumn } from '../data/table.js';
import { percentileInterval } from '../stats/bootci.js';
import { applyEffect, effectLabel, type VolumeEffect } from '../stats/trial/effect.js';
import { armSizes, countLayout, monteCarloSe, smallestStayingAbove, type SimulationProblem } from '../stats/trial/simulation.js';
import { chainEstimateNames, type ChainModel, type ChainTask } from '../stats/trial/chain-bootstrap.js';
import { matrixRows } from '../stats/linalg.js';
import type { VolumeDesign, VolumeSettings, VolumeTest } from '../stats/trial/volume-design.js';
import type { StepContext } from './kind.js';
import type { ReferenceArm } from './trial-design-reference.js';
import type { ControlDistribution } from './trial-design-mrs.js';
import type { Translation } from './trial-design-translation.js';
import { finite } from './trial-design-format.js';
import { matrixAt, modelOutcome, type OutcomeModel } from './trial-design-model.js';
import type { TrialDesignParams } from './trial_design.js';

export const SIMULATION_MODULE = 'stats/trial/simulation';
export const BOOTSTRAP_MODULE = 'stats/trial/chain-bootstrap';
/** Trials per simulation task and replicates per bootstrap task: fixed, so that the tasks are the same whatever --jobs. */
const SIMULATION_SHARD = 500;
const BOOTSTRAP_SHARD = 50;
/** Random streams after the step seed. */
const SIMULATION_STREAM = 1;
const BOOTSTRAP_STREAM = 2;

export interface SimulatedEffect {
  readonly sizes: number[];
  readonly power: Partial<Record<VolumeTest, number[]>>;
  readonly json: JsonObject;
}

/** The default grid: `points` even sizes, geometrically spaced from half the smallest closed-form N to 1.5 × the largest (capped at max_n). */
export function defaultSizes(p: TrialDesignParams, d: VolumeDesign): number[] | undefined {
  const all = p.tests.flatMap((t) => d.sizes[t]!.map((s) => s.total)).filter(Number.isFinite);
  if (all.length === 0) return undefined;
  const lo = Math.max(8, 0.5 * Math.min(...all));
  const hi = Math.min(p.simulation.max_n, 1.5 * Math.max(...all));
  if (!(hi > lo)) return undefined;
  const sizes = new Set<number>();
  // geometric spacing: the same relative resolution at the small N of one test as at the large N of another
  for (let k = 0; k < p.simulation.points; k++) {
    const N = 2 * Math.round((lo * Math.pow(hi / lo, k / (p.simulation.points - 1))) / 2);
    const a = armSizes(N, p.allocation);
    if (a.treated >= 2 && a.control >= 2) sizes.add(N);
  }
  return [...sizes].sort((a, b) => a - b);
}

export async function simulate(p: TrialDesignParams, reference: Float64Array, effects: readonly VolumeEffect[], designs: readonly VolumeDesign[], ctx: StepContext, notes: string[]): Promise<(SimulatedEffect | undefined)[]> {
  const S = p.simulation.trials;
  // the effects simulated, each on its own grid; one problem, so that every trial's draws serve them all
  const grids = effects.map((e, ei) => {
    const sizes = p.simulation.sizes === undefined ? defaultSizes(p, designs[ei]!) : [...p.simulation.sizes].sort((a, b) => a - b);
    if (sizes === undefined || sizes.length === 0) {
      notes.push(`${effectLabel(e)}: not simulated (the closed-form sizes exceed simulation.max_n = ${p.simulation.max_n})`);
      return undefined;
    }
    return sizes;
  });
  const simulated = effects.map((_, ei) => ei).filter((ei) => grids[ei] !== undefined);
  if (simulated.length === 0) return effects.map(() => undefined);
  const problem: SimulationProblem = {
    reference,
    effects: simulated.map((ei) => effects[ei]!),
    floor: p.min_volume,
    logOffset: p.log_offset,
    tests: p.tests,
    sizes: [],
    sizesByEffect: simulated.map((ei) => grids[ei]!),
    allocation: p.allocation,
    alpha: p.alpha,
    seed: ctx.seed,
    stream: SIMULATION_STREAM,
  };
  const layout = countLayout(problem);
  const counts = new Float64Array(layout.total);
  const shards: { start: number; end: number }[] = [];
  for (let s = 0; s < S; s += SIMULATION_SHARD) shards.push({ start: s, end: Math.min(S, s + SIMULATION_SHARD) });
  let done = 0;
  await Promise.all(
    shards.map(async (sh) => {
      const c = await ctx.pool.run<Int32Array>({ module: SIMULATION_MODULE, fn: 'simulateShard', args: { problem, start: sh.start, end: sh.end } });
      for (let k = 0; k < c.length; k++) counts[k] = counts[k]! + c[k]!;
      ctx.progress(++done, shards.length);
    }),
  );
  return effects.map((_, ei) => {
    const k = simulated.indexOf(ei);
    if (k < 0) return undefined;
    const sizes = [...layout.grids[k]!];
    const G = sizes.length;
    const power: Partial<Record<VolumeTest, number[]>> = {};
    const required: JsonObject[] = [];
    p.tests.forEach((test, ti) => {
      const pw = Array.from({ length: G }, (_, g) => counts[layout.offsets[k]! + ti * G + g]! / S);
      power[test] = pw;
      const mc = pw.map((x) => monteCarloSe(x, S));
      for (const target of p.power) {
        required.push({ test, power: target, n: smallestStayingAbove(sizes, pw, target) ?? null, n_conservative: smallestStayingAbove(sizes, pw, target, mc.map((s) => 2 * s)) ?? null });
      }
    });
    const json: JsonObject = {
      trials: S,
      sizes,
      power: Object.fromEntries(p.tests.map((t) => [t, power[t]!])),
      mcse: Object.fromEntries(p.tests.map((t) => [t, power[t]!.map((x) => monteCarloSe(x, S))])),
      required,
      rule: 'n: the smallest simulated size from which the power stays at or above the target for every larger size; n_conservative: the same for the power minus 2 Monte-Carlo SEs',
    };
    return { sizes, power, json };
  });
}

export interface ChainBootstrapResult {
  readonly intervals: Map<string, { lower: number; upper: number }>;
  readonly means: Map<string, number>;
  readonly json: JsonObject;
}

export async function chainBootstrap(
  p: TrialDesignParams,
  ref: ReferenceArm,
  effects: readonly VolumeEffect[],
  settings: VolumeSettings,
  planned: readonly (readonly number[])[],
  plannedMrs: readonly number[],
  model: OutcomeModel | undefined,
  t: Translation | undefined,
  control: ControlDistribution | undefined,
  ctx: StepContext,
): Promise<ChainBootstrapResult> {
  let chainModel: ChainModel | undefined;
  if (model !== undefined && t !== undefined) {
    const y = modelOutcome(model, t.table);
    const rows = Int32Array.from([...t.complete].filter((r) => !Number.isNaN(y[r]!)));
    const N = t.table.nrows;
    const base = matrixAt(model, t.table, p.volume, undefined);
    const vol = getColumn(t.table, p.volume) as { values: Float64Array };
    const X1 = effects.map((e) => {
      const full = new Float64Array(vol.values);
      const h = applyEffect(e, Float64Array.from(rows, (r) => vol.values[r]!), p.min_volume).volumes;
      rows.forEach((r, k) => {
        if (t.population[r] === 1) full[r] = h[k]!;
      });
      return matrixRows(matrixAt(model, t.table, p.volume, full).X, N, base.p, rows);
    });
    chainModel = {
      type: model.type,
      X0: matrixRows(base.X, N, base.p, rows),
      X1,
      n: rows.length,
      p: base.p,
      y: Float64Array.from(rows, (r) => y[r]!),
      J: model.type === 'ordinal' ? model.categories.length : 2,
      good: t.goodIndex,
      population: Uint8Array.from(rows, (r) => t.population[r]!),
      start: Float64Array.from(model.type === 'ordinal' ? [...model.thresholds, ...model.beta] : model.beta),
    };
  }
  const B = p.bootstrap.replicates;
  const base: Omit<ChainTask, 'start' | 'end'> = {
    reference: ref.volumes,
    referenceMrs: p.mrs_control === undefined && control !== undefined ? ref.mrs : undefined,
    mrsControl: p.mrs_control !== undefined ? control?.p : control !== undefined && ref.mrs === undefined ? control.p : undefined,
    mrsCategories: ref.mrsLabels.length,
    effects,
    volume: settings,
    plannedVolume: planned,
    plannedMrs,
    model: chainModel,
    seed: ctx.seed,
    stream: BOOTSTRAP_STREAM,
  };
  const names = chainEstimateNames(base);
  const width = names.length;
  const values = new Float64Array(B * width);
  const failures: { index: number; reason: string }[] = [];
  const shards: [number, number][] = [];
  for (let s = 0; s < B; s += BOOTSTRAP_SHARD) shards.push([s, Math.min(B, s + BOOTSTRAP_SHARD)]);
  let done = 0;
  await Promise.all(
    shards.map(async ([start, end]) => {
      const r = await ctx.pool.run<{ values: Float64Array; failures: { index: number; reason: string }[] }>({ module: BOOTSTRAP_MODULE, fn: 'runChainReplicates', args: { ...base, start, end } });
      values.set(r.values, start * width);
      failures.push(...r.failures);
      ctx.progress(++done, shards.length);
    }),
  );
  failures.sort((a, b) => a.index - b.index);
  const intervals = new Map<string, { lower: number; upper: number }>();
  const means = new Map<string, number>();
  names.forEach((name, j) => {
    const col = new Float64Array(B);
    let s = 0;
    let n = 0;
    for (let b = 0; b < B; b++) {
      const v = values[b * width + j]!;
      col[b] = v;
      if (Number.isFinite(v)) {
        s += v;
        n++;
      }
    }
    means.set(name, n === 0 ? NaN : s / n);
    const ci = percentileInterval(col, p.level);
    intervals.set(name, { lower: ci.lower, upper: ci.upper });
  });
  if (failures.length > 0) ctx.warn(`trial_design bootstrap: ${failures.length} of ${B} replicates failed (first: ${failures[0]!.reason}); they are left out`);
  const reasons = new Map<string, number>();
  for (const f of failures) reasons.set(f.reason, (reasons.get(f.reason) ?? 0) + 1);
  return {
    intervals,
    means,
    json: {
      replicates: B,
      failed: failures.length,
      failure_reasons: Object.fromEntries(reasons),
      level: p.level,
      method: 'replicate b resamples the reference arm (volumes, with their mRS when the control distribution comes from the data) and, separately, the outcome model\'s patients, refits the model and recomputes every link; percentile intervals; assurance = mean power at the planned N over the replicates',
      estimates: names.map((name) => ({ name, mean: finite(means.get(name)!), lower: finite(intervals.get(name)!.lower), upper: finite(intervals.get(name)!.upper) })),
    },
  };
}
