/**
 * `kind: trial_design` — sample size and power of a future trial with lesion volume as its primary
 * endpoint, what its volume effect means on the mRS, and how large the mRS trial behind it would be.
 * See docs/steps/trial_design.md. The numerics are src/stats/trial/ (pure, R-checked); this module
 * holds the parameters and their checks and assembles the result from its helpers — the reference arm
 * (trial-design-reference.ts), the outcome model (trial-design-model.ts), the translation
 * (trial-design-translation.ts), the mRS trial (trial-design-mrs.ts), the simulation and the chain
 * bootstrap (trial-design-sets.ts), the result's number formats (trial-design-format.ts).
 *
 * A kind of the replicate lifecycle (ReplicateKind): `replicates` works out everything but the simulated
 * trials and the bootstrap replicates and declares those as unit sets, which the runner runs in batches on
 * the run's executor (threads or SLURM), checkpointed; `summarise` reads their results and assembles:
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
import type { JsonObject } from '../data/canonical.js';
import type { Table } from '../data/table.js';
import { parseExpression } from '../stats/expr.js';
import { effectLabel } from '../stats/trial/effect.js';
import { whiteheadDesign } from '../stats/trial/mrs-trial.js';
import { armSizes, monteCarloSe } from '../stats/trial/simulation.js';
import { geometricMean } from '../stats/trial/volume-scales.js';
import { prepareReference, VOLUME_TESTS, volumeDesign, type VolumeSettings, type VolumeTest } from '../stats/trial/volume-design.js';
import { DATA } from '../results/products.js';
import { inputTable } from './input-table.js';
import type { ReplicateKind, ReplicatePlan, StepInputs, UnitSet } from './kind.js';
import { finite, rowsToTable, wholeArms } from './trial-design-format.js';
import { outcomeModelOf } from './trial-design-model.js';
import { mediationGrid, mrsControl, mrsTrial, reverse } from './trial-design-mrs.js';
import { BOOTSTRAP_SET, chainPlan, chainResults, chainSet, defaultSizes, SIMULATION_SET, simulationPlan, simulationResults, simulationSet, type ChainPlan, type SimulationPlan } from './trial-design-sets.js';
import { checkLogScale, effectsOf, meanDifference, referenceArm } from './trial-design-reference.js';
import { inverse, translate } from './trial-design-translation.js';

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

/** The parameters' defaults (the schema's `default:`s), for code that builds parameters itself (tests, benchmarks). */
export const TRIAL_DESIGN_DEFAULTS = {
  tests: [...VOLUME_TESTS],
  alpha: 0.05,
  power: [0.8, 0.9],
  allocation: 0.5,
  log_offset: 0,
  min_volume: 0,
  simulation: { trials: 0, points: 25, max_n: 20000 },
  good_outcome: 2,
  targets: [0.01, 0.05, 0.1],
  proportion_through_volume: [1, 0.5],
  target_cor: [],
  bootstrap: { replicates: 0 },
  level: 0.95,
} as const satisfies Partial<TrialDesignParams>;
const D = TRIAL_DESIGN_DEFAULTS;

export const trialDesign: ReplicateKind<TrialDesignParams, DesignPlan> = {
  kind: 'trial_design',
  version: 2,
  produces: 'trial-design',
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
      tests: { type: 'array', items: { enum: VOLUME_TESTS }, minItems: 1, uniqueItems: true, default: D.tests, description: 'Volume tests: log_t, cbrt_t, raw_t (t tests on log, cube-root, raw volume), wilcoxon (Wilcoxon–Mann–Whitney).' },
      alpha: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: D.alpha, description: 'Two-sided significance level.' },
      power: { type: 'array', items: num, minItems: 1, default: D.power, description: 'Target powers, each above alpha and below 1.' },
      allocation: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: D.allocation, description: 'Fraction of patients randomised to the new treatment.' },
      log_offset: { type: 'number', minimum: 0, default: D.log_offset, description: 'log_t analyses log(volume + log_offset): needed (e.g. 1 mL) when volumes can be 0, as absolute reductions make them.' },
      min_volume: { type: 'number', minimum: 0, default: D.min_volume, description: 'The floor of volumes under an absolute reduction (mL).' },
      simulation: {
        type: 'object',
        properties: {
          trials: { type: 'integer', minimum: 0, maximum: 10000000, default: D.simulation.trials, description: 'Simulated trials per effect (0: no simulation).' },
          sizes: { type: 'array', items: { type: 'integer', minimum: 4 }, minItems: 1, uniqueItems: true, description: 'Total sample sizes to simulate; default: `points` sizes around the closed-form answers.' },
          points: { type: 'integer', minimum: 2, maximum: 200, default: D.simulation.points, description: 'Sizes of the default grid (geometrically spaced).' },
          max_n: { type: 'integer', minimum: 4, default: D.simulation.max_n, description: 'The default grid stops here (effects needing more are not simulated).' },
        },
        additionalProperties: false,
        default: {},
        description: 'Simulated power by bootstrap from the reference arm.',
      },
      outcome_model: { type: 'string', description: 'A fit_logistic step (good outcome, e.g. mRS 0–2) or fit_ordinal step (the mRS) with a term in the volume: the translation to the mRS and the mRS trial.' },
      data: { type: 'string', description: 'The patients of the translation (default: the data the outcome model was fitted on).' },
      population: { type: 'string', minLength: 1, description: 'Which patients of data the translation averages over, e.g. "fiv_ml < 80"; default all with complete model variables.' },
      good_outcome: { type: 'integer', default: D.good_outcome, description: 'Ordinal model: the good outcome is mRS ≤ good_outcome (mRS 0–2).' },
      targets: { type: 'array', items: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 }, default: D.targets, description: 'Inverse: the gains in P(good outcome) (0.05 = +5 points) to find the volume effect for.' },
      mrs: { type: 'string', minLength: 1, description: 'The mRS column of the reference arm: its distribution is the control arm\'s for Whitehead.' },
      mrs_control: { type: 'array', items: { type: 'number', minimum: 0, maximum: 1 }, minItems: 2, description: 'The control-arm mRS distribution (proportions of mRS 0, 1, …, summing to 1) instead of the data\'s.' },
      mediation: { type: 'string', description: 'A mediate step: its proportions explained (difference and product methods) join the mediation grid.' },
      proportion_through_volume: { type: 'array', items: num, default: D.proportion_through_volume, description: 'Shares of the treatment\'s mRS effect that run through volume, each in (0, 1]; 1 is the surrogate assumption.' },
      target_cor: { type: 'array', items: num, default: D.target_cor, description: 'Reverse: target common ORs of the mRS trial (> 1) to find the volume effect for.' },
      bootstrap: {
        type: 'object',
        properties: { replicates: { type: 'integer', minimum: 0, maximum: 100000, default: D.bootstrap.replicates, description: 'Replicates of the chain bootstrap (0: none).' } },
        additionalProperties: false,
        default: {},
        description: 'The bootstrap of the whole chain: CIs for N and the assurance.',
      },
      level: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: D.level, description: 'Confidence level of the intervals.' },
    },
    required: ['reference', 'volume', 'effects'],
    additionalProperties: false,
  },
  inputs: ['reference', 'outcome_model', 'data', 'mediation'],
  accepts: { reference: DATA, outcome_model: ['fit:logistic', 'fit:ordinal'], data: DATA, mediation: ['mediation'] },
  defaultReferences: { data: { via: 'outcome_model', param: 'input', through: ['impute'] } },
  random: (p) => p.simulation.trials > 0 || p.bootstrap.replicates > 0,
  check: checkParams,
  replicates: planDesign,
  summarise(params, results, _inputs, ctx) {
    const plan = results.state;
    const simulation = plan.simulation === undefined ? undefined : simulationResults(params, plan.effects, plan.simulation, results.batches(SIMULATION_SET));
    const boot = plan.chain === undefined ? undefined : chainResults(params, plan.chain, results.batches(BOOTSTRAP_SET), (m) => {
      ctx.warn(m);
    });
    return assemble(params, plan, simulation, boot);
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

// ---- the run ---------------------------------------------------------------------------------------

/** What the step works out before its units run (the closed forms, the translation, the mRS trial), and its unit sets' plans. */
interface DesignPlan {
  readonly ref: ReturnType<typeof referenceArm>;
  readonly model: ReturnType<typeof outcomeModelOf> | undefined;
  readonly effects: ReturnType<typeof effectsOf>;
  readonly settings: VolumeSettings;
  readonly designs: ReturnType<typeof volumeDesign>[];
  readonly gm: number;
  readonly translation: ReturnType<typeof translate> | undefined;
  readonly control: ReturnType<typeof mrsControl>;
  readonly mediationShares: ReturnType<typeof mediationGrid>;
  readonly planned: number[][];
  readonly notes: readonly string[];
  readonly simulation: SimulationPlan | undefined;
  readonly chain: ChainPlan | undefined;
}

function planDesign(p: TrialDesignParams, inputs: StepInputs): ReplicatePlan<DesignPlan> {
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

  // 1b. the simulation's units
  const simulation = p.simulation.trials > 0 ? simulationPlan(p, ref.volumes, effects, designs, notes) : undefined;

  // 2. translation
  const translation = model === undefined ? undefined : translate(p, inputs, model, effects, notes);

  // 3. the mRS trial
  const control = mrsControl(p, ref, model, translation);
  const mediationShares = model === undefined ? [] : mediationGrid(p, inputs, notes);

  // 4. the chain bootstrap's units
  const planned = effects.map((_, e) => p.tests.map((t) => designs[e]!.sizes[t]![0]!.total));
  const plannedMrs = effects.map((_, e) => {
    const cor = translation?.effects[e]?.cor;
    if (cor === undefined || control === undefined) return NaN;
    return whiteheadDesign(control.p, cor, 'average', p.power, p.alpha, p.allocation).sizes[0]!.total;
  });
  const chain = p.bootstrap.replicates > 0 ? chainPlan(p, ref, effects, settings, planned, plannedMrs, model, translation, control) : undefined;

  const sets: UnitSet[] = [...(simulation === undefined ? [] : [simulationSet(simulation)]), ...(chain === undefined ? [] : [chainSet(chain, p.bootstrap.replicates)])];
  return { sets, state: { ref, model, effects, settings, designs, gm, translation, control, mediationShares, planned, notes, simulation, chain } };
}

function assemble(
  p: TrialDesignParams,
  plan: DesignPlan,
  simulation: ReturnType<typeof simulationResults> | undefined,
  boot: ReturnType<typeof chainResults> | undefined,
): { type: 'result'; value: JsonObject; tables: Map<string, Table> } {
  const { ref, model, effects, settings, designs, gm, translation, control, mediationShares, planned } = plan;
  const notes = [...plan.notes];
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
    ...(translation === undefined ? {} : { translation: translation.json, inverse: inverse(p, translation, notes) }),
    ...(control === undefined ? {} : { mrs_control: { source: control.source, categories: control.labels, proportions: control.p } }),
    ...(model === undefined || control === undefined || p.target_cor.length === 0 ? {} : { reverse: reverse(p, translation!, ref.volumes, settings, mediationShares) }),
    ...(boot === undefined ? {} : { bootstrap: boot.json }),
    notes,
  };
  const tables = new Map<string, Table>([['design', rowsToTable(designRows)]]);
  if (curveRows.length > 0) tables.set('power_curves', rowsToTable(curveRows));
  if (gridRows.length > 0) tables.set('mediation', rowsToTable(gridRows));
  return { type: 'result', value, tables };
}
