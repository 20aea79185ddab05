/**
 * Volume → outcome for a trial_design step: the outcome model rebuilt on the population's patients at
 * their volumes and at h(V), the g-computation of src/stats/trial/g-computation.ts for each effect, and
 * the inverse (the effect a target gain needs).
 */
import type { Json, JsonObject } from '../data/canonical.js';
import { type Table, getColumn, takeRows } from '../data/table.js';
import { DataError, InternalError } from '../errors.js';
import { linearPredictor, matrixRows } from '../stats/linalg.js';
import { applyEffect, type VolumeEffect } from '../stats/trial/effect.js';
import { categoryProbabilities, gComputeLogistic, gComputeOrdinal, inverseEffect, meanProbability, poProjection, type Estimate } from '../stats/trial/g-computation.js';
import { inputTable } from './input-table.js';
import type { StepInputs } from './kind.js';
import { estimateJson } from './trial-design-format.js';
import { matrixAt, type OutcomeModel } from './trial-design-model.js';
import { rowsWhere } from './trial-design-reference.js';
import type { TrialDesignParams } from './trial_design.js';

export interface EffectTranslation {
  /** The implied common OR (ordinal) or marginal OR of good outcome (logistic), for the mRS trial. */
  readonly cor: number;
  /** Ordinal: the implied distribution at the observed volumes. */
  readonly pi0: number[] | undefined;
  readonly p0: number;
  readonly p1: number;
  json(bootOf: (name: string) => { lower: number; upper: number } | undefined): JsonObject;
}

export interface Translation {
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
}

export function translate(p: TrialDesignParams, inputs: StepInputs, model: OutcomeModel, effects: readonly VolumeEffect[], notes: string[]): Translation {
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
  // the population's rows alone: the inverse rebuilds their model matrix at every volume it tries
  const popTable = takeRows(table, popRows);
  const at = (e: VolumeEffect): { X1: Float64Array; floored: number; reduction: number } => {
    const h = applyEffect(e, volumes, p.min_volume);
    const m1 = matrixAt(model, popTable, p.volume, h.volumes);
    const bad = m1.complete.indexOf(0);
    if (bad >= 0) throw new DataError(`trial_design outcome_model: the model is not defined at the reduced volume ${h.volumes[bad]!} mL (row ${popRows[bad]! + 1})`, { hint: 'a log(volume) term needs min_volume > 0 under absolute reductions' });
    let red = 0;
    for (let k = 0; k < volumes.length; k++) red += volumes[k]! - h.volumes[k]!;
    return { X1: m1.X, floored: h.floored, reduction: red / volumes.length };
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
  for (const v of volumes) maxVolume = Math.max(maxVolume, v);
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
  };
}

/** Inverse: the ratio and the absolute reduction that raise P(good) by each target, or the most reachable. */
export function inverse(p: TrialDesignParams, t: Translation, notes: string[]): Json {
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
