/**
 * The unit sets of a trial_design step, which the runner's replicate construct runs (src/runner/replicate/:
 * in batches on the run's executor — worker threads or SLURM array tasks — each batch checkpointed, so an
 * interrupted run resumes with the batches it had not finished), and how their results are read back:
 *   - `simulation`: the simulated trials of every effect, in blocks of TRIALS_PER_UNIT (trial-design-units.ts:
 *     simulationBatch, on src/stats/trial/simulation.ts); their rejection counts add up to the power curves;
 *   - `bootstrap`: the chain bootstrap's replicates (chainBatch, on src/stats/trial/chain-bootstrap.ts);
 *     their rows give percentile intervals and assurances.
 * A unit draws from (the step's seed, its stream, its index) alone: the output is the same bytes whatever
 * --jobs, --batch or the executor.
 */
import type { JsonObject } from '../data/canonical.js';
import { getColumn } from '../data/table.js';
import { percentileInterval } from '../stats/bootci.js';
import { applyEffect, effectLabel, type VolumeEffect } from '../stats/trial/effect.js';
import { armSizes, countLayout, monteCarloSe, smallestStayingAbove, type SimulationProblem } from '../stats/trial/simulation.js';
import { chainEstimateNames, type ChainModel } from '../stats/trial/chain-bootstrap.js';
import { matrixRows } from '../stats/linalg.js';
import type { VolumeDesign, VolumeSettings, VolumeTest } from '../stats/trial/volume-design.js';
import type { UnitSet } from './kind.js';
import type { ReferenceArm } from './trial-design-reference.js';
import type { ControlDistribution } from './trial-design-mrs.js';
import type { Translation } from './trial-design-translation.js';
import { finite } from './trial-design-format.js';
import { matrixAt, modelOutcome, type OutcomeModel } from './trial-design-model.js';
import { TRIALS_PER_UNIT, type chainBatch, type ChainShared, type SimulationShared } from './trial-design-units.js';
import type { TrialDesignParams } from './trial_design.js';

export const SIMULATION_SET = 'simulation';
export const BOOTSTRAP_SET = 'bootstrap';
/** The sets' batch functions. */
const UNITS_MODULE = 'nodes/trial-design-units';
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

/** The simulation set's plan: its batches' shared argument, and which effects it simulates (indices into the step's effects). */
export interface SimulationPlan {
  readonly shared: SimulationShared;
  readonly simulated: readonly number[];
}

/** The simulation of the effects whose grid is not empty (a note for each other), or undefined when there is none. */
export function simulationPlan(p: TrialDesignParams, reference: Float64Array, effects: readonly VolumeEffect[], designs: readonly VolumeDesign[], notes: string[]): SimulationPlan | undefined {
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
  if (simulated.length === 0) return undefined;
  const problem: Omit<SimulationProblem, 'seed'> = {
    reference,
    effects: simulated.map((ei) => effects[ei]!),
    floor: p.min_volume,
    logOffset: p.log_offset,
    tests: p.tests,
    sizes: [],
    sizesByEffect: simulated.map((ei) => grids[ei]!),
    allocation: p.allocation,
    alpha: p.alpha,
    stream: SIMULATION_STREAM,
  };
  return { shared: { problem, trials: p.simulation.trials }, simulated };
}

/** The simulation's units: blocks of TRIALS_PER_UNIT trials (trial-design-units.ts). */
export function simulationSet(plan: SimulationPlan): UnitSet {
  return { name: SIMULATION_SET, count: Math.ceil(plan.shared.trials / TRIALS_PER_UNIT), task: { module: UNITS_MODULE, fn: 'simulationBatch' }, args: plan.shared };
}

/** Per effect (undefined for one not simulated): the power curves from the batches' rejection counts, and the smallest N per test and target. */
export function simulationResults(p: TrialDesignParams, effects: readonly VolumeEffect[], plan: SimulationPlan, batches: readonly { readonly result: unknown }[]): (SimulatedEffect | undefined)[] {
  const S = p.simulation.trials;
  const layout = countLayout(plan.shared.problem);
  // integer counts: their sum is the same in any order of the batches
  const counts = new Float64Array(layout.total);
  for (const b of batches) {
    const c = b.result as Int32Array;
    for (let k = 0; k < c.length; k++) counts[k] = counts[k]! + c[k]!;
  }
  return effects.map((_, ei) => {
    const k = plan.simulated.indexOf(ei);
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

/** The bootstrap set's plan: its batches' shared argument and the names of a replicate's estimates. */
export interface ChainPlan {
  readonly shared: ChainShared;
  readonly names: readonly string[];
}

/** The chain to bootstrap: the reference arm, the effects and designs, the outcome model's matrices at V and at h(V) for each effect. */
export function chainPlan(
  p: TrialDesignParams,
  ref: ReferenceArm,
  effects: readonly VolumeEffect[],
  settings: VolumeSettings,
  planned: readonly (readonly number[])[],
  plannedMrs: readonly number[],
  model: OutcomeModel | undefined,
  t: Translation | undefined,
  control: ControlDistribution | undefined,
): ChainPlan {
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
  const shared: ChainShared = {
    reference: ref.volumes,
    referenceMrs: p.mrs_control === undefined && control !== undefined ? ref.mrs : undefined,
    mrsControl: p.mrs_control !== undefined ? control?.p : control !== undefined && ref.mrs === undefined ? control.p : undefined,
    mrsCategories: ref.mrsLabels.length,
    effects,
    volume: settings,
    plannedVolume: planned,
    plannedMrs,
    model: chainModel,
    stream: BOOTSTRAP_STREAM,
  };
  return { shared, names: chainEstimateNames(shared) };
}

/** The chain bootstrap's units: its replicates. */
export function chainSet(plan: ChainPlan, replicates: number): UnitSet {
  return { name: BOOTSTRAP_SET, count: replicates, task: { module: UNITS_MODULE, fn: 'chainBatch' }, args: plan.shared };
}

/** Percentile intervals and means (assurances) of every estimate, from the batches' rows; failed replicates left out, with a warning. */
export function chainResults(p: TrialDesignParams, plan: ChainPlan, batches: readonly { readonly start: number; readonly result: unknown }[], warn: (message: string) => void): ChainBootstrapResult {
  const B = p.bootstrap.replicates;
  const names = plan.names;
  const width = names.length;
  const values = new Float64Array(B * width);
  // the batches come in unit order: so do their failures
  const failures: { index: number; reason: string }[] = [];
  for (const b of batches) {
    const r = b.result as ReturnType<typeof chainBatch>;
    values.set(r.values, b.start * width);
    failures.push(...r.failures);
  }
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
  if (failures.length > 0) warn(`trial_design bootstrap: ${failures.length} of ${B} replicates failed (first: ${failures[0]!.reason}); they are left out`);
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
