/**
 * `kind: trial_design` — sample size and power of a future trial with lesion volume as its primary
 * endpoint, what its volume effect means on the mRS, and how large the mRS trial behind it would be.
 * See docs/steps/trial_design.md. The numerics are src/stats/trial/ (pure, R-checked); this module
 * reads the inputs, runs the simulation and the chain bootstrap on the worker pool, and assembles the
 * result:
 *
 *   1. volume endpoint: per effect and test, N for each target power (power.t.test on log / cube-root /
 *      raw volume; Noether with the empirical P(V_T < V_C)), and by simulation (bootstrap from the
 *      reference arm, the four tests, common random numbers over the size grid) the power curves and the
 *      smallest N from which the power stays at or above the target;
 *   2. volume → outcome by g-computation over the population (ΔP with delta-method and bootstrap CIs;
 *      ordinal: implied distributions, implied common OR, per-threshold ORs), and the inverse;
 *   3. the mRS trial: Whitehead (both p̄ conventions), power.prop.test for mRS 0–2, the ratio of sizes,
 *      the mediation grid and its reverse;
 *   4. the chain bootstrap: CIs for N and the assurance.
 */
import type { JsonObject, Json } from '../data/canonical.js';
import { type Column, type Table, getColumn, makeTable } from '../data/table.js';
import { DataError, InternalError } from '../errors.js';
import { percentileInterval } from '../stats/bootci.js';
import { evaluate, parseExpression } from '../stats/expr.js';
import { applyEffect, effectLabel, type VolumeEffect } from '../stats/trial/effect.js';
import { categoryProbabilities, gComputeLogistic, gComputeOrdinal, inverseEffect, meanProbability, poProjection, type Estimate } from '../stats/trial/g-computation.js';
import { linearPredictor, matrixRows } from '../stats/linalg.js';
import { CONVENTIONS, throughVolumeLogOr, totalLogOr, whiteheadDesign } from '../stats/trial/mrs-trial.js';
import { propTestPower, propTestSize } from '../stats/trial/prop-power.js';
import { armSizes, monteCarloSe, smallestStayingAbove, type SimulationProblem } from '../stats/trial/simulation.js';
import { chainEstimateNames, type ChainModel, type ChainTask } from '../stats/trial/chain-bootstrap.js';
import { geometricMean } from '../stats/trial/volume-scales.js';
import { prepareReference, VOLUME_TESTS, volumeDesign, type VolumeDesign, type VolumeSettings, type VolumeTest } from '../stats/trial/volume-design.js';
import { inputTable } from './input-table.js';
import type { StepContext, StepInputs, StepKind } from './kind.js';
import { matrixAt, modelOutcome, outcomeModelOf, type OutcomeModel } from './trial-design-model.js';

const SIMULATION_MODULE = 'stats/trial/simulation';
const BOOTSTRAP_MODULE = 'stats/trial/chain-bootstrap';
/** Trials per simulation task and replicates per bootstrap task: fixed, so that the tasks are the same whatever --jobs. */
const SIMULATION_SHARD = 500;
const BOOTSTRAP_SHARD = 50;
/** Random streams after the step seed. */
const SIMULATION_STREAM = 1;
const BOOTSTRAP_STREAM = 2;
const MIN_REFERENCE = 10;

export interface TrialDesignParams {
  readonly reference: string;
  readonly arm?: string;
  readonly volume: string;
  readonly effects: { readonly ratio?: readonly number[]; readonly absolute_ml?: readonly number[] };
  readonly tests: readonly VolumeTest[];
  readonly alpha: number;
  readonly power: readonly number[];
  readonly allocation: number;
  readonly log_offset: number;
  readonly min_volume: number;
  readonly simulation: { readonly trials: number; readonly sizes?: readonly number[]; readonly points: number; readonly max_n: number };
  readonly outcome_model?: string;
  readonly data?: string;
  readonly population?: string;
  readonly good_outcome: number;
  readonly targets: readonly number[];
  readonly mrs?: string;
  readonly mrs_control?: readonly number[];
  readonly mediation?: string;
  readonly proportion_through_volume: readonly number[];
  readonly target_cor: readonly number[];
  readonly bootstrap: { readonly replicates: number };
  readonly level: number;
}

const num = { type: 'number' } as const;

export const trialDesign: StepKind<TrialDesignParams> = {
  kind: 'trial_design',
  version: 1,
  summary: 'Sample size and power of a trial with a lesion-volume endpoint (t tests, Wilcoxon by Noether and by simulation), the mRS effect it implies (g-computation), and the mRS trial behind it (Whitehead) with the mediation caveat',
  params: {
    type: 'object',
    properties: {
      reference: { type: 'string', description: 'The data step holding the reference (control) arm: its volumes are what the treated arm is compared with.' },
      arm: { type: 'string', minLength: 1, description: 'Which rows of reference form the reference arm, e.g. "evt == 0"; default every row.' },
      volume: { type: 'string', minLength: 1, description: 'The volume column (mL), e.g. fiv_ml.' },
      effects: {
        type: 'object',
        properties: {
          ratio: { type: 'array', items: num, minItems: 1, description: 'Treated volume = ratio × control volume (0.8 = 20 % smaller); each strictly between 0 and 1.' },
          absolute_ml: { type: 'array', items: num, minItems: 1, description: 'Treated volume = control volume − Δ mL (floored at min_volume); each > 0.' },
        },
        additionalProperties: false,
        description: 'The volume effects to design for: ratios and/or absolute reductions.',
      },
      tests: { type: 'array', items: { enum: VOLUME_TESTS }, minItems: 1, uniqueItems: true, default: [...VOLUME_TESTS], description: 'Volume tests: log_t, cbrt_t, raw_t (t tests on log, cube-root, raw volume), wilcoxon (Wilcoxon–Mann–Whitney).' },
      alpha: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.05, description: 'Two-sided significance level.' },
      power: { type: 'array', items: num, minItems: 1, default: [0.8, 0.9], description: 'Target powers, each above alpha and below 1.' },
      allocation: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.5, description: 'Fraction of patients randomised to the new treatment.' },
      log_offset: { type: 'number', minimum: 0, default: 0, description: 'log_t analyses log(volume + log_offset): needed (e.g. 1 mL) when volumes can be 0, as absolute reductions make them.' },
      min_volume: { type: 'number', minimum: 0, default: 0, description: 'The floor of volumes under an absolute reduction (mL).' },
      simulation: {
        type: 'object',
        properties: {
          trials: { type: 'integer', minimum: 0, maximum: 10000000, default: 0, description: 'Simulated trials per effect (0: no simulation).' },
          sizes: { type: 'array', items: { type: 'integer', minimum: 4 }, minItems: 1, uniqueItems: true, description: 'Total sample sizes to simulate; default: `points` sizes around the closed-form answers.' },
          points: { type: 'integer', minimum: 2, maximum: 200, default: 21, description: 'Sizes of the default grid.' },
          max_n: { type: 'integer', minimum: 4, default: 20000, description: 'The default grid stops here (effects needing more are not simulated).' },
        },
        additionalProperties: false,
        default: {},
        description: 'Simulated power by bootstrap from the reference arm.',
      },
      outcome_model: { type: 'string', description: 'A fit_logistic step (good outcome, e.g. mRS 0–2) or fit_ordinal step (the mRS) with a term in the volume: the translation to the mRS and the mRS trial.' },
      data: { type: 'string', description: 'The patients of the translation (default: the data the outcome model was fitted on).' },
      population: { type: 'string', minLength: 1, description: 'Which patients of data the translation averages over, e.g. "fiv_ml < 80"; default all with complete model variables.' },
      good_outcome: { type: 'integer', default: 2, description: 'Ordinal model: the good outcome is mRS ≤ good_outcome (mRS 0–2).' },
      targets: { type: 'array', items: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 }, default: [0.01, 0.05, 0.1], description: 'Inverse: the gains in P(good outcome) (0.05 = +5 points) to find the volume effect for.' },
      mrs: { type: 'string', minLength: 1, description: 'The mRS column of the reference arm: its distribution is the control arm\'s for Whitehead.' },
      mrs_control: { type: 'array', items: { type: 'number', minimum: 0, maximum: 1 }, minItems: 2, description: 'The control-arm mRS distribution (proportions of mRS 0, 1, …, summing to 1) instead of the data\'s.' },
      mediation: { type: 'string', description: 'A mediate step: its proportions explained (difference and product methods) join the mediation grid.' },
      proportion_through_volume: { type: 'array', items: num, default: [1, 0.5], description: 'Shares of the treatment\'s mRS effect that run through volume, each in (0, 1]; 1 is the surrogate assumption.' },
      target_cor: { type: 'array', items: num, default: [], description: 'Reverse: target common ORs of the mRS trial (> 1) to find the volume effect for.' },
      bootstrap: {
        type: 'object',
        properties: { replicates: { type: 'integer', minimum: 0, maximum: 100000, default: 0, description: 'Replicates of the chain bootstrap (0: none).' } },
        additionalProperties: false,
        default: {},
        description: 'The bootstrap of the whole chain: CIs for N and the assurance.',
      },
      level: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.95, description: 'Confidence level of the intervals.' },
    },
    required: ['reference', 'volume', 'effects'],
    additionalProperties: false,
  },
  inputs: ['reference', 'outcome_model', 'data', 'mediation'],
  defaultReferences: { data: { via: 'outcome_model', param: 'input', through: ['impute'] } },
  poolModules: [SIMULATION_MODULE, BOOTSTRAP_MODULE],
  random: (p) => p.simulation.trials > 0 || p.bootstrap.replicates > 0,
  check: checkParams,
  async run(params, inputs, ctx) {
    return runTrialDesign(params, inputs, ctx);
  },
};

type Problem = { path: string; message: string; hint?: string };

function checkParams(p: TrialDesignParams): Problem[] {
  const out: Problem[] = [];
  const ratios = p.effects.ratio ?? [];
  const absolutes = p.effects.absolute_ml ?? [];
  if (ratios.length + absolutes.length === 0) out.push({ path: 'effects', message: 'no effect to design for', hint: 'write e.g. effects: {ratio: [0.8, 0.7]} or effects: {absolute_ml: [10]}' });
  ratios.forEach((r, i) => {
    if (!(r > 0 && r < 1)) out.push({ path: `effects.ratio[${i}]`, message: `the effect ratio ${r} is not a reduction: a ratio must lie strictly between 0 and 1 (treated volume = ratio × control volume)`, hint: '0.8 means 20 % smaller volumes; for larger volumes the design is the same with the arms swapped' });
  });
  absolutes.forEach((d, i) => {
    if (!(d > 0)) out.push({ path: `effects.absolute_ml[${i}]`, message: `the absolute reduction ${d} mL is not a reduction: it must be > 0`, hint: 'absolute_ml: [10] means 10 mL smaller volumes' });
  });
  p.power.forEach((pw, i) => {
    if (!(pw > p.alpha && pw < 1)) out.push({ path: `power[${i}]`, message: `the target power ${pw} must lie above alpha (${p.alpha}) and below 1`, hint: 'a two-sided test rejects with probability alpha when there is no effect: write e.g. power: [0.8, 0.9]' });
  });
  p.proportion_through_volume.forEach((pm, i) => {
    if (!(pm > 0 && pm <= 1)) out.push({ path: `proportion_through_volume[${i}]`, message: `the share of the effect through volume ${pm} must lie in (0, 1]`, hint: 'HERMES: 0.12 of the EVT effect ran through follow-up volume' });
  });
  p.target_cor.forEach((c, i) => {
    if (!(c > 1)) out.push({ path: `target_cor[${i}]`, message: `the target common OR ${c} must be above 1 (odds of a better mRS)` });
  });
  for (const [name, src] of [['arm', p.arm], ['population', p.population]] as const) {
    if (src === undefined) continue;
    try {
      parseExpression(src);
    } catch (e) {
      out.push({ path: name, message: e instanceof Error ? e.message : String(e) });
    }
  }
  if (p.mrs !== undefined && p.mrs_control !== undefined) out.push({ path: 'mrs_control', message: 'give either mrs (the column) or mrs_control (the proportions), not both' });
  if (p.mrs_control !== undefined) {
    const s = p.mrs_control.reduce((a, b) => a + b, 0);
    if (Math.abs(s - 1) > 1e-5) out.push({ path: 'mrs_control', message: `the proportions add up to ${s}, not 1`, hint: 'give the proportions of mRS 0, 1, …, 6 in the control arm, e.g. [0.05, 0.079, 0.136, 0.164, 0.247, 0.135, 0.189]' });
  }
  if (p.outcome_model === undefined) {
    for (const name of ['population', 'mediation', 'data', 'mrs', 'mrs_control'] as const) {
      if (p[name] !== undefined) out.push({ path: name, message: `${name} needs an outcome_model`, hint: 'name the fit_logistic or fit_ordinal step of the outcome with outcome_model:' });
    }
    if (p.target_cor.length > 0) out.push({ path: 'target_cor', message: 'target_cor needs an outcome_model' });
  }
  const sizes = p.simulation.sizes ?? [];
  sizes.forEach((N, i) => {
    const a = armSizes(N, p.allocation);
    if (a.treated < 2 || a.control < 2) out.push({ path: `simulation.sizes[${i}]`, message: `a trial of ${N} patients has fewer than 2 in an arm at allocation ${p.allocation}` });
  });
  return out;
}

// ---- the reference arm ------------------------------------------------------------------------------

interface ReferenceArm {
  readonly volumes: Float64Array;
  /** mRS category codes aligned with volumes (with `mrs:`). */
  readonly mrs: Int32Array | undefined;
  readonly mrsLabels: string[];
  readonly excludedMissing: number;
}

function rowsWhere(table: Table, src: string | undefined, what: string): Uint8Array {
  const keep = new Uint8Array(table.nrows).fill(1);
  if (src === undefined) return keep;
  const col = evaluate(parseExpression(src), table);
  if (col.type !== 'number') throw new DataError(`trial_design ${what}: "${src}" gives text values, a condition was expected`, { hint: `write e.g. ${what}: "evt == 0"` });
  for (let i = 0; i < table.nrows; i++) keep[i] = col.values[i]! !== 0 && !Number.isNaN(col.values[i]!) ? 1 : 0;
  return keep;
}

function referenceArm(p: TrialDesignParams, table: Table, categories: readonly string[]): ReferenceArm {
  const arm = rowsWhere(table, p.arm, 'arm');
  const vcol = getColumn(table, p.volume, 'trial_design volume:');
  if (vcol.type !== 'number') throw new DataError(`trial_design volume: "${p.volume}" is not a numeric column`);
  const mcol = p.mrs === undefined ? undefined : getColumn(table, p.mrs, 'trial_design mrs:');
  if (mcol !== undefined && mcol.type !== 'number') throw new DataError(`trial_design mrs: "${p.mrs!}" is not a numeric column (the mRS as 0 … 6)`);
  const volumes: number[] = [];
  const mrsValues: number[] = [];
  let excluded = 0;
  for (let i = 0; i < table.nrows; i++) {
    if (arm[i] !== 1) continue;
    const v = vcol.values[i]!;
    const m = mcol?.values[i];
    if (Number.isNaN(v) || (m !== undefined && Number.isNaN(m))) {
      excluded++;
      continue;
    }
    if (v < 0) throw new DataError(`trial_design volume: row ${i + 1} of "${p.reference}" has a negative volume (${v} mL)`);
    volumes.push(v);
    if (m !== undefined) mrsValues.push(m);
  }
  if (volumes.length < MIN_REFERENCE) {
    throw new DataError(`trial_design reference: the reference arm has ${volumes.length} volume${volumes.length === 1 ? '' : 's'}${p.arm === undefined ? '' : ` (arm: ${p.arm})`}; at least ${MIN_REFERENCE} are needed`, {
      hint: `check arm: and the missing values of "${p.volume}" in "${p.reference}" (${excluded} rows of the arm have none)`,
    });
  }
  let mrs: Int32Array | undefined;
  let labels: string[] = [];
  if (p.mrs !== undefined) {
    labels = categories.length > 0 ? [...categories] : [...new Set(mrsValues)].sort((a, b) => a - b).map(String);
    const code = new Map<string, number>();
    labels.forEach((l, k) => {
      for (const part of [l, ...l.split('-')]) if (!code.has(part)) code.set(part, k);
    });
    mrs = Int32Array.from(mrsValues, (v) => {
      const c = code.get(String(v));
      if (c === undefined) throw new DataError(`trial_design mrs: the value ${v} of "${p.mrs!}" is not one of the outcome model's categories (${labels.join(', ')})`);
      return c;
    });
  }
  return { volumes: Float64Array.from(volumes), mrs, mrsLabels: labels, excludedMissing: excluded };
}

function effectsOf(p: TrialDesignParams): VolumeEffect[] {
  return [...(p.effects.ratio ?? []).map((value) => ({ kind: 'ratio' as const, value })), ...(p.effects.absolute_ml ?? []).map((value) => ({ kind: 'absolute' as const, value }))];
}

/** null for a non-finite number (a size that cannot be reached). */
function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Arms of a real total N rounded up to whole patients: ⌈t·N⌉ treated, ⌈(1 − t)·N⌉ control. */
function wholeArms(total: number, allocation: number): { n: number | null; treated: number | null; control: number | null } {
  if (!Number.isFinite(total)) return { n: null, treated: null, control: null };
  const treated = Math.ceil(allocation * total - 1e-9);
  const control = Math.ceil((1 - allocation) * total - 1e-9);
  return { n: treated + control, treated, control };
}

function estimateJson(e: Estimate, boot?: { lower: number; upper: number }): JsonObject {
  return { estimate: e.estimate, se: finite(e.se), low: finite(e.low), high: finite(e.high), ...(boot === undefined ? {} : { boot_low: finite(boot.lower), boot_high: finite(boot.upper) }) };
}

// ---- the run ---------------------------------------------------------------------------------------

async function runTrialDesign(p: TrialDesignParams, inputs: StepInputs, ctx: StepContext): Promise<{ type: 'result'; value: JsonObject; tables: Map<string, Table> }> {
  if (p.simulation.trials > 0 || p.bootstrap.replicates > 0) ctx.pool.warm?.([...(p.simulation.trials > 0 ? [SIMULATION_MODULE] : []), ...(p.bootstrap.replicates > 0 ? [BOOTSTRAP_MODULE] : [])]);
  const refTable = inputTable(inputs, p.reference, 'trial_design reference:');
  const model = p.outcome_model === undefined ? undefined : outcomeModelOf(inputs.get(p.outcome_model), p.outcome_model, p.volume);
  const ref = referenceArm(p, refTable, model?.type === 'ordinal' ? model.categories : []);
  const effects = effectsOf(p);
  const settings: VolumeSettings = { tests: p.tests, alpha: p.alpha, powers: p.power, allocation: p.allocation, logOffset: p.log_offset, floor: p.min_volume };
  const notes: string[] = [];

  // 1. the volume endpoint, closed forms
  if (p.tests.includes('log_t')) checkLogScale(p, ref.volumes, effects);
  const prepared = prepareReference(ref.volumes, settings);
  const designs = effects.map((e) => volumeDesign(ref.volumes, e, settings, prepared));
  const gm = geometricMean(p.log_offset > 0 ? ref.volumes.map((v) => v + p.log_offset) : ref.volumes) - p.log_offset;

  // 1b. simulation
  const simulation = p.simulation.trials > 0 ? await simulate(p, ref.volumes, effects, designs, ctx, notes) : undefined;

  // 2. translation
  const translation = model === undefined ? undefined : translate(p, inputs, model, effects, notes);

  // 3. the mRS trial
  const control = mrsControl(p, ref, model, translation);
  const mediationShares = model === undefined ? [] : mediationGrid(p, inputs, notes);

  // 4. the chain bootstrap
  const planned = effects.map((_, e) => p.tests.map((t) => designs[e]!.sizes[t]![0]!.total));
  const plannedMrs = effects.map((_, e) => {
    const cor = translation?.effects[e]?.cor;
    if (cor === undefined || control === undefined) return NaN;
    return whiteheadDesign(control.p, cor, 'average', p.power, p.alpha, p.allocation).sizes[0]!.total;
  });
  const boot = p.bootstrap.replicates > 0 ? await chainBootstrap(p, ref, effects, settings, planned, plannedMrs, model, translation, control, ctx) : undefined;

  // assemble
  const level = p.level;
  const bootOf = (name: string): { lower: number; upper: number } | undefined => boot?.intervals.get(name);
  const designRows: Record<string, unknown>[] = [];
  const curveRows: { effect: string; test: string; n: number; closed_form: number; simulated: number; mcse: number }[] = [];
  const gridRows: Record<string, unknown>[] = [];
  const effectsJson: JsonObject[] = effects.map((e, ei) => {
    const d = designs[ei]!;
    const label = effectLabel(e);
    const tests = p.tests.map((test, ti) => {
      const sizes = d.sizes[test]!.map((s, k) => {
        const whole = wholeArms(s.total, p.allocation);
        const row = {
          power: p.power[k]!,
          n_exact: finite(s.total),
          ...whole,
          power_achieved: whole.treated === null ? null : d.power(test, whole.treated, whole.control!),
          ...(bootOf(`${ei}/${test}/n@${p.power[k]!}`) === undefined ? {} : { n_boot_low: bootOf(`${ei}/${test}/n@${p.power[k]!}`)!.lower, n_boot_high: bootOf(`${ei}/${test}/n@${p.power[k]!}`)!.upper }),
        };
        designRows.push({ effect: label, test, method: test === 'wilcoxon' ? 'Noether' : 'power.t.test', ...row });
        return row;
      });
      const scale = test === 'wilcoxon' ? undefined : d.scales[test];
      const assurance = boot?.means.get(`${ei}/${test}/power_planned`);
      return {
        test,
        method: test === 'wilcoxon' ? 'Noether (empirical P)' : 'power.t.test (noncentral t)',
        ...(scale === undefined ? { p_smaller: d.pSmaller ?? null } : { delta: scale.delta, sd: scale.sd, standardised: scale.standardised }),
        sizes,
        ...(assurance === undefined ? {} : { planned_n: finite(planned[ei]![ti]!), assurance }),
      };
    });
    const sim = simulation?.[ei];
    const grid = sim?.sizes ?? (p.simulation.sizes === undefined ? defaultSizes(p, d) : [...p.simulation.sizes].sort((a, b) => a - b));
    for (const test of p.tests) {
      (grid ?? []).forEach((N, g) => {
        const a = armSizes(N, p.allocation);
        const simulated = sim?.power[test]?.[g];
        curveRows.push({
          effect: label,
          test,
          n: N,
          closed_form: d.power(test, a.treated, a.control),
          simulated: simulated ?? NaN,
          mcse: simulated === undefined ? NaN : monteCarloSe(simulated, p.simulation.trials),
        });
      });
    }
    const tr = translation?.effects[ei];
    const mrs = tr === undefined ? undefined : mrsTrial(p, model!.type, e, ei, d, tr, control, mediationShares, gridRows, boot);
    const volumeReduction = {
      geometric_mean_control_ml: gm,
      geometric_mean_treated_ml: e.kind === 'ratio' ? gm * e.value : null,
      difference_at_geometric_mean_ml: e.kind === 'ratio' ? gm * (1 - e.value) : e.value,
      mean_difference_ml: meanDifference(ref.volumes, e, p.min_volume),
      reference_floored: d.floored,
    };
    return {
      label,
      kind: e.kind,
      value: e.value,
      volume: volumeReduction,
      tests,
      ...(sim === undefined ? {} : { simulation: sim.json }),
      ...(tr === undefined ? {} : { translation: tr.json(bootOf) }),
      ...(mrs === undefined ? {} : { mrs_trial: mrs }),
    };
  });

  const value: JsonObject = {
    reference: {
      step: p.reference,
      arm: p.arm ?? null,
      volume: p.volume,
      n: ref.volumes.length,
      excluded_missing: ref.excludedMissing,
      geometric_mean_ml: gm,
      log_offset: p.log_offset,
      min_volume: p.min_volume,
    },
    alpha: p.alpha,
    power: [...p.power],
    allocation: p.allocation,
    level,
    effects: effectsJson,
    ...(translation === undefined ? {} : { translation: translation.json, inverse: inverse(p, translation, model!, notes) }),
    ...(control === undefined ? {} : { mrs_control: { source: control.source, categories: control.labels, proportions: control.p } }),
    ...(model === undefined || control === undefined || p.target_cor.length === 0 ? {} : { reverse: reverse(p, translation!, control, ref.volumes, settings, mediationShares, model) }),
    ...(boot === undefined ? {} : { bootstrap: boot.json }),
    notes,
  };
  const tables = new Map<string, Table>([['design', rowsToTable(designRows)]]);
  if (curveRows.length > 0) tables.set('power_curves', rowsToTable(curveRows));
  if (gridRows.length > 0) tables.set('mediation', rowsToTable(gridRows));
  return { type: 'result', value, tables };
}

function checkLogScale(p: TrialDesignParams, volumes: Float64Array, effects: readonly VolumeEffect[]): void {
  let zero = 0;
  for (const v of volumes) if (!(v + p.log_offset > 0)) zero++;
  if (zero > 0) throw new DataError(`trial_design log_offset: ${zero} reference volume${zero === 1 ? ' is' : 's are'} 0 mL, whose log is undefined`, { hint: 'set log_offset (e.g. 1 mL: log_t then analyses log(volume + 1)), or drop log_t from tests' });
  effects.forEach((e) => {
    if (e.kind === 'absolute' && !(p.min_volume + p.log_offset > 0)) {
      throw new DataError(`trial_design log_offset: the absolute reduction of ${e.value} mL takes volumes to ${p.min_volume} mL, whose log is undefined`, { hint: 'set log_offset (e.g. 1 mL) or min_volume > 0, or drop log_t from tests' });
    }
  });
}

function meanDifference(volumes: Float64Array, e: VolumeEffect, floor: number): number {
  const h = applyEffect(e, volumes, floor).volumes;
  let s = 0;
  for (let i = 0; i < volumes.length; i++) s += volumes[i]! - h[i]!;
  return s / volumes.length;
}

function rowsToTable(rows: readonly Record<string, unknown>[]): Table {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return makeTable(
    keys.map((k): [string, Column] => {
      const values = rows.map((r) => r[k]);
      if (values.every((v) => v === undefined || v === null || typeof v === 'number')) return [k, { type: 'number', values: Float64Array.from(values, (v) => (typeof v === 'number' ? v : NaN)) }];
      return [k, { type: 'string', values: values.map((v) => (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number' ? String(v) : null)) }];
    }),
  );
}

// ---- 1b. simulation ----------------------------------------------------------------------------------

interface SimulatedEffect {
  readonly sizes: number[];
  readonly power: Partial<Record<VolumeTest, number[]>>;
  readonly json: JsonObject;
}

/** The default grid: `points` even sizes from half the smallest closed-form N to 1.5 × the largest (capped at max_n). */
function defaultSizes(p: TrialDesignParams, d: VolumeDesign): number[] | undefined {
  const all = p.tests.flatMap((t) => d.sizes[t]!.map((s) => s.total)).filter(Number.isFinite);
  if (all.length === 0) return undefined;
  const lo = Math.max(8, 0.5 * Math.min(...all));
  const hi = Math.min(p.simulation.max_n, 1.5 * Math.max(...all));
  if (!(hi > lo)) return undefined;
  const sizes = new Set<number>();
  for (let k = 0; k < p.simulation.points; k++) {
    const N = 2 * Math.round((lo + ((hi - lo) * k) / (p.simulation.points - 1)) / 2);
    const a = armSizes(N, p.allocation);
    if (a.treated >= 2 && a.control >= 2) sizes.add(N);
  }
  return [...sizes].sort((a, b) => a - b);
}

async function simulate(p: TrialDesignParams, reference: Float64Array, effects: readonly VolumeEffect[], designs: readonly VolumeDesign[], ctx: StepContext, notes: string[]): Promise<(SimulatedEffect | undefined)[]> {
  const S = p.simulation.trials;
  const jobs = effects.map((e, ei) => {
    const sizes = p.simulation.sizes === undefined ? defaultSizes(p, designs[ei]!) : [...p.simulation.sizes].sort((a, b) => a - b);
    if (sizes === undefined || sizes.length === 0) {
      notes.push(`${effectLabel(e)}: not simulated (the closed-form sizes exceed simulation.max_n = ${p.simulation.max_n})`);
      return undefined;
    }
    const problem: SimulationProblem = { reference, effects: [e], floor: p.min_volume, logOffset: p.log_offset, tests: p.tests, sizes, allocation: p.allocation, alpha: p.alpha, seed: ctx.seed, stream: SIMULATION_STREAM };
    return { ei, sizes, problem };
  });
  const shards: { job: number; start: number; end: number }[] = [];
  jobs.forEach((j, k) => {
    if (j === undefined) return;
    for (let s = 0; s < S; s += SIMULATION_SHARD) shards.push({ job: k, start: s, end: Math.min(S, s + SIMULATION_SHARD) });
  });
  const counts = jobs.map((j) => (j === undefined ? undefined : new Float64Array(p.tests.length * j.sizes.length)));
  let done = 0;
  await Promise.all(
    shards.map(async (sh) => {
      const job = jobs[sh.job]!;
      const c = await ctx.pool.run<Int32Array>({ module: SIMULATION_MODULE, fn: 'simulateShard', args: { problem: job.problem, start: sh.start, end: sh.end } });
      const total = counts[sh.job]!;
      for (let k = 0; k < c.length; k++) total[k] = total[k]! + c[k]!;
      ctx.progress(++done, shards.length);
    }),
  );
  return jobs.map((j, k) => {
    if (j === undefined) return undefined;
    const G = j.sizes.length;
    const power: Partial<Record<VolumeTest, number[]>> = {};
    const required: JsonObject[] = [];
    p.tests.forEach((test, ti) => {
      const pw = Array.from({ length: G }, (_, g) => counts[k]![ti * G + g]! / S);
      power[test] = pw;
      const mc = pw.map((x) => monteCarloSe(x, S));
      for (const target of p.power) {
        required.push({ test, power: target, n: smallestStayingAbove(j.sizes, pw, target) ?? null, n_conservative: smallestStayingAbove(j.sizes, pw, target, mc.map((s) => 2 * s)) ?? null });
      }
    });
    const json: JsonObject = {
      trials: S,
      sizes: j.sizes,
      power: Object.fromEntries(p.tests.map((t) => [t, power[t]!])),
      mcse: Object.fromEntries(p.tests.map((t) => [t, power[t]!.map((x) => monteCarloSe(x, S))])),
      required,
      rule: 'n: the smallest simulated size from which the power stays at or above the target for every larger size; n_conservative: the same for the power minus 2 Monte-Carlo SEs',
    };
    return { sizes: j.sizes, power, json };
  });
}

// ---- 2. translation ------------------------------------------------------------------------------------

interface EffectTranslation {
  /** The implied common OR (ordinal) or marginal OR of good outcome (logistic), for the mRS trial. */
  readonly cor: number;
  /** Ordinal: the implied distribution at the observed volumes. */
  readonly pi0: number[] | undefined;
  readonly logCorSe: number;
  readonly p0: number;
  readonly p1: number;
  json(bootOf: (name: string) => { lower: number; upper: number } | undefined): JsonObject;
}

interface Translation {
  readonly effects: EffectTranslation[];
  readonly json: JsonObject;
  /** ΔP of an effect (for the inverse), and the implied log (c)OR (for the reverse). */
  gain(e: VolumeEffect): number;
  logCor(e: VolumeEffect): number;
  /** The whole data, its complete rows and population rows (for the bootstrap). */
  readonly table: Table;
  readonly complete: Int32Array;
  readonly population: Uint8Array;
  readonly goodIndex: number;
  readonly maxVolume: number;
  readonly minPopulationVolume: number;
}

function translate(p: TrialDesignParams, inputs: StepInputs, model: OutcomeModel, effects: readonly VolumeEffect[], notes: string[]): Translation {
  if (p.data === undefined) throw new InternalError('trial_design: data was not filled in from outcome_model');
  const table = inputTable(inputs, p.data, 'trial_design data:');
  const inPop = rowsWhere(table, p.population, 'population');
  const vol = getColumn(table, p.volume, 'trial_design volume:');
  if (vol.type !== 'number') throw new DataError(`trial_design volume: "${p.volume}" is not a numeric column`);
  const base = matrixAt(model, table, p.volume, undefined);
  const rowsAll: number[] = [];
  const rowsPop: number[] = [];
  let excluded = 0;
  for (let i = 0; i < table.nrows; i++) {
    if (base.complete[i] === 1) rowsAll.push(i);
    if (inPop[i] === 1) {
      if (base.complete[i] === 1) rowsPop.push(i);
      else excluded++;
    }
  }
  const complete = Int32Array.from(rowsAll);
  const popRows = Int32Array.from(rowsPop);
  if (popRows.length === 0) throw new DataError(`trial_design population: no patient of "${p.data}" with complete model variables satisfies "${p.population ?? 'all'}"`);
  const N = table.nrows;
  const X0 = matrixRows(base.X, N, base.p, popRows);
  const volumes = Float64Array.from(popRows, (i) => vol.values[i]!);
  let goodIndex = p.good_outcome;
  if (model.type === 'ordinal') {
    goodIndex = model.categories.findIndex((l) => l === String(p.good_outcome) || l.split('-').includes(String(p.good_outcome)));
    if (goodIndex < 0 || goodIndex >= model.categories.length - 1) {
      throw new DataError(`trial_design good_outcome: ${p.good_outcome} is not a category of the model's outcome below its last`, { hint: `the categories are: ${model.categories.join(', ')}` });
    }
  }
  const at = (e: VolumeEffect): { X1: Float64Array; floored: number; reduction: number } => {
    const h = applyEffect(e, volumes, p.min_volume);
    const full = new Float64Array(vol.values);
    popRows.forEach((r, k) => (full[r] = h.volumes[k]!));
    const m1 = matrixAt(model, table, p.volume, full);
    for (const r of popRows) {
      if (m1.complete[r] !== 1) throw new DataError(`trial_design outcome_model: the model is not defined at the reduced volume ${full[r]!} mL (row ${r + 1})`, { hint: 'a log(volume) term needs min_volume > 0 under absolute reductions' });
    }
    let red = 0;
    for (let k = 0; k < volumes.length; k++) red += volumes[k]! - h.volumes[k]!;
    return { X1: matrixRows(m1.X, N, m1.p, popRows), floored: h.floored, reduction: red / volumes.length };
  };
  const vcov = model.vcov;
  const np = popRows.length;
  const compute = (X1: Float64Array): { difference: Estimate; or: Estimate; p0: number; p1: number; pi0?: number[]; extra: JsonObject } => {
    if (model.type === 'logistic') {
      const g = gComputeLogistic(X0, X1, np, base.p, model.beta, vcov, p.level);
      return { difference: g.difference, or: g.oddsRatio, p0: g.p0, p1: g.p1, extra: { conditional_or: g.conditionalOr ?? null } };
    }
    const g = gComputeOrdinal(X0, X1, np, base.p, model.thresholds, model.beta, vcov, goodIndex, p.level);
    return { difference: g.difference, or: g.commonOr, p0: g.p0, p1: g.p1, pi0: g.pi0, extra: { pi0: g.pi0, pi1: g.pi1, cumulative_or: g.cumulativeOrs, conditional_cor: g.conditionalOr ?? null } };
  };
  // point estimates alone, for the inverse and the reverse (Brent evaluates them many times)
  const eta0 = linearPredictor(X0, np, base.p, model.beta, new Float64Array(np));
  const at0 = model.type === 'logistic' ? meanProbability(eta0) : categoryProbabilities(eta0, model.thresholds);
  const point = (e: VolumeEffect): { gain: number; logOr: number } => {
    const eta1 = linearPredictor(at(e).X1, np, base.p, model.beta, new Float64Array(np));
    if (typeof at0 === 'number') {
      const p1 = meanProbability(eta1);
      return { gain: p1 - at0, logOr: Math.log(p1 / (1 - p1)) - Math.log(at0 / (1 - at0)) };
    }
    const pi1 = categoryProbabilities(eta1, model.thresholds);
    let gain = 0;
    for (let k = 0; k <= goodIndex; k++) gain += pi1[k]! - at0[k]!;
    return { gain, logOr: poProjection(at0, pi1).logCor };
  };
  const perEffect = effects.map((e, ei): EffectTranslation => {
    const a = at(e);
    const r = compute(a.X1);
    return {
      cor: r.or.estimate,
      pi0: r.pi0,
      logCorSe: r.or.se,
      p0: r.p0,
      p1: r.p1,
      json: (bootOf) => ({
        p0: r.p0,
        p1: r.p1,
        difference: estimateJson(r.difference, bootOf(`${ei}/difference`)),
        difference_per_ml: r.difference.estimate / a.reduction,
        mean_reduction_ml: a.reduction,
        [model.type === 'ordinal' ? 'common_or' : 'odds_ratio']: estimateJson(r.or, bootOf(`${ei}/${model.type === 'ordinal' ? 'common_or' : 'odds_ratio'}`)),
        floored: a.floored,
        ...r.extra,
      }),
    };
  });
  if (excluded > 0) notes.push(`${excluded} patients of the population were left out of the translation for missing model variables`);
  let maxVolume = 0;
  let minVolume = Infinity;
  for (const v of volumes) {
    maxVolume = Math.max(maxVolume, v);
    minVolume = Math.min(minVolume, v);
  }
  return {
    effects: perEffect,
    json: {
      model: p.outcome_model!,
      model_type: model.type,
      data: p.data,
      population: p.population ?? 'all',
      patients: popRows.length,
      excluded_missing: excluded,
      good_outcome: model.type === 'ordinal' ? `${model.design.response?.label ?? 'outcome'} ≤ ${p.good_outcome}` : (model.design.response?.label ?? 'the model outcome'),
      estimand: 'population average over the patients of the population: mean over patients of P(good | h(V_i), x_i) − P(good | V_i, x_i) (g-computation); NOT the median per-patient volume reduction of volume_delta',
      ci_method: 'delta method (conditional on the patients); boot_low/boot_high: percentile interval of the chain bootstrap (patients resampled, model refitted)',
    },
    gain: (e) => point(e).gain,
    logCor: (e) => point(e).logOr,
    table,
    complete,
    population: inPop,
    goodIndex,
    maxVolume,
    minPopulationVolume: minVolume,
  };
}

/** Inverse: the ratio and the absolute reduction that raise P(good) by each target, or the most reachable. */
function inverse(p: TrialDesignParams, t: Translation, _model: OutcomeModel, notes: string[]): Json {
  const tinyRatio = 1e-6;
  return p.targets.map((target) => {
    const r = inverseEffect((x) => t.gain({ kind: 'ratio', value: x }), target, tinyRatio, 1, 'low', 1e-9);
    const a = inverseEffect((x) => t.gain({ kind: 'absolute', value: x }), target, 0, t.maxVolume, 'high', 1e-6);
    if (r.value === undefined || a.value === undefined) notes.push(`+${target * 100} points of P(good outcome) cannot be reached by shrinking volumes alone in this model (at most +${(Math.max(r.maximum, a.maximum) * 100).toFixed(1)} points)`);
    return {
      target,
      points: target * 100,
      ratio: r.value ?? null,
      reduction_percent: r.value === undefined ? null : 100 * (1 - r.value),
      absolute_ml: a.value ?? null,
      reachable: r.value !== undefined,
      max_gain: Math.max(r.maximum, a.maximum),
    };
  });
}

// ---- 3. the mRS trial ------------------------------------------------------------------------------------

interface ControlDistribution {
  readonly p: number[];
  readonly labels: string[];
  readonly source: string;
}

function mrsControl(p: TrialDesignParams, ref: ReferenceArm, model: OutcomeModel | undefined, t: Translation | undefined): ControlDistribution | undefined {
  if (model === undefined) return undefined;
  if (p.mrs_control !== undefined) return { p: [...p.mrs_control], labels: p.mrs_control.map((_, k) => String(k)), source: 'given (mrs_control)' };
  if (ref.mrs !== undefined) {
    const J = ref.mrsLabels.length;
    const counts = new Array<number>(J).fill(0);
    for (const c of ref.mrs) counts[c]! += 1;
    return { p: counts.map((c) => c / ref.mrs!.length), labels: ref.mrsLabels, source: `the reference arm's ${p.mrs!} (${ref.mrs.length} patients)` };
  }
  const pi0 = t?.effects[0]?.pi0;
  if (pi0 !== undefined) return { p: pi0, labels: [...model.categories], source: 'model-implied: the distribution the ordinal model gives the translation population at its observed volumes' };
  return undefined;
}

/** Shares of the effect through volume: the given list, then the mediate step's estimates. */
function mediationGrid(p: TrialDesignParams, inputs: StepInputs, notes: string[]): { proportion: number; source: string }[] {
  const out = p.proportion_through_volume.map((pm) => ({ proportion: pm, source: pm === 1 ? 'assumption: all of the effect runs through volume (surrogate-implied)' : 'given' }));
  if (p.mediation === undefined) return out;
  const a = inputs.get(p.mediation);
  if (a?.type !== 'result') throw new DataError(`trial_design mediation: step "${p.mediation}" does not produce a mediation result`, { hint: 'point mediation: at a mediate step' });
  const v = a.value;
  const product = v.product as JsonObject | undefined;
  const found: [string, unknown][] = [
    [`${p.mediation}: proportion explained (difference method)`, v.proportion_explained],
    [`${p.mediation}: product of coefficients`, product?.proportion],
  ];
  if (found.every(([, x]) => typeof x !== 'number')) throw new DataError(`trial_design mediation: step "${p.mediation}" has no proportion_explained`, { hint: 'point mediation: at a mediate step' });
  for (const [source, x] of found) {
    if (typeof x !== 'number') continue;
    if (x > 0 && x <= 1) out.push({ proportion: x, source });
    else notes.push(`${source} = ${x} is outside (0, 1]: left out of the mediation grid`);
  }
  return out;
}

function mrsTrial(
  p: TrialDesignParams,
  modelType: OutcomeModel['type'],
  e: VolumeEffect,
  ei: number,
  d: VolumeDesign,
  tr: EffectTranslation,
  control: ControlDistribution | undefined,
  shares: readonly { proportion: number; source: string }[],
  gridRows: Record<string, unknown>[],
  boot: ChainBootstrapResult | undefined,
): JsonObject | undefined {
  if (control === undefined) return undefined;
  const label = effectLabel(e);
  const first = p.tests[0]!;
  const nVol = d.sizes[first]![0]!.total;
  const whitehead = CONVENTIONS.map((c) => {
    const w = whiteheadDesign(control.p, tr.cor, c, p.power, p.alpha, p.allocation);
    const at = wholeArms(nVol, p.allocation);
    const assurance = boot?.means.get(`${ei}/whitehead_${c}/power_planned`);
    return {
      convention: c,
      description: c === 'average' ? 'p̄ = mean of the control distribution and its proportional-odds shift (Whitehead 1993)' : 'p̄ = the control distribution',
      sizes: w.sizes.map((s, k) => {
        const ci = boot?.intervals.get(`${ei}/whitehead_${c}/n@${p.power[k]!}`);
        return { power: p.power[k]!, n_exact: finite(s.total), ...wholeArms(s.total, p.allocation), ...(ci === undefined ? {} : { n_boot_low: ci.lower, n_boot_high: ci.upper }) };
      }),
      power_at_volume_n: at.treated === null ? null : w.power(at.treated, at.control!),
      ...(assurance === undefined ? {} : { assurance }),
    };
  });
  // mRS 0–2 (the good outcome): the control proportion and its shift by the implied OR
  let pc = 0;
  const goodLast = Math.min(p.good_outcome, control.p.length - 2);
  for (let k = 0; k <= goodLast; k++) pc += control.p[k]!;
  const pt = (tr.cor * pc) / (1 - pc + tr.cor * pc);
  const binary = {
    p_control: pc,
    p_treated: pt,
    sizes: p.power.map((pw) => {
      const s = propTestSize(pt, pc, pw, p.alpha, p.allocation);
      return { power: pw, n_exact: finite(s.total), ...wholeArms(s.total, p.allocation) };
    }),
    power_at_volume_n: Number.isFinite(nVol) ? propTestPower(pt, pc, p.allocation * nVol, (1 - p.allocation) * nVol, p.alpha) : null,
  };
  const avg = whitehead[0]!.sizes[0]!.n_exact;
  const ratios = p.tests.map((test) => {
    const nv = d.sizes[test]![0]!.total;
    return { test, power: p.power[0]!, ratio: avg === null || !Number.isFinite(nv) ? null : avg / nv };
  });
  const logInd = Math.log(tr.cor);
  const grid = shares.map((s) => {
    const total = totalLogOr(logInd, s.proportion);
    const sizes = CONVENTIONS.map((c) => ({ convention: c, n: finite(whiteheadDesign(control.p, Math.exp(total), c, p.power, p.alpha, p.allocation).sizes[0]!.total) }));
    const nAvg = sizes[0]!.n;
    const row = {
      effect: label,
      proportion: s.proportion,
      source: s.source,
      assumption: s.proportion === 1,
      through_volume_cor: tr.cor,
      total_cor: Math.exp(total),
      power: p.power[0]!,
      n_average_exact: nAvg,
      n_average: nAvg === null ? null : wholeArms(nAvg, p.allocation).n,
      n_control_exact: sizes[1]!.n,
      n_control: sizes[1]!.n === null ? null : wholeArms(sizes[1]!.n, p.allocation).n,
      ratio_to_volume_trial: nAvg === null || !Number.isFinite(nVol) ? null : nAvg / nVol,
    };
    gridRows.push(row);
    return row;
  });
  return {
    common_or: tr.cor,
    common_or_source:
      modelType === 'ordinal' ? 'the implied common OR (proportional-odds projection of the implied mRS distributions)' : 'the implied marginal OR of the good outcome, taken as the common OR of the mRS (proportional odds assumed)',
    control_source: control.source,
    whitehead,
    binary,
    ratios,
    volume_test: first,
    mediation: grid,
    caveat:
      'A volume effect identifies only the part of the mRS effect that runs through volume. The row with proportion 1 assumes the treatment has no other effect on the mRS (surrogate-implied), never the treatment\'s effect; the total is β_ind/PM only if the direct effect has the sign of the indirect one (haemorrhage can make it harmful).',
  };
}

/** Reverse: for each target cOR and share through volume, the volume effect (ratio) needed and its trial size. */
function reverse(p: TrialDesignParams, t: Translation, _control: ControlDistribution, reference: Float64Array, settings: VolumeSettings, shares: readonly { proportion: number; source: string }[], _model: OutcomeModel): Json {
  return p.target_cor.flatMap((target) =>
    shares.map((s) => {
      const needed = throughVolumeLogOr(Math.log(target), s.proportion);
      const r = inverseEffect((x) => t.logCor({ kind: 'ratio', value: x }), needed, 1e-6, 1, 'low', 1e-9);
      const sizes = r.value === undefined ? [] : p.tests.map((test) => ({ test, n: finite(volumeDesign(reference, { kind: 'ratio', value: r.value! }, settings).sizes[test]![0]!.total) }));
      return {
        target_cor: target,
        proportion: s.proportion,
        source: s.source,
        needed_through_volume_cor: Math.exp(needed),
        ratio: r.value ?? null,
        reachable: r.value !== undefined,
        max_through_volume_cor: Math.exp(r.maximum),
        power: p.power[0]!,
        volume_trial: sizes,
      };
    }),
  );
}

// ---- 4. chain bootstrap --------------------------------------------------------------------------------

interface ChainBootstrapResult {
  readonly intervals: Map<string, { lower: number; upper: number }>;
  readonly means: Map<string, number>;
  readonly json: JsonObject;
}

async function chainBootstrap(
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
