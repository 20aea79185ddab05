/**
 * `volume_delta`: from a fitted logistic model of good outcome with a volume term (linear, transformed
 * or `rcs`) and the patients' data, per patient the adjusted probability p0 at the observed volume and
 * the volume reduction ΔV that raises it to p0 + δ (stats/volume-delta.ts, Brent to `tol` mL); per δ,
 * median, type-7 quartiles, mean, range and the counts solved / not achievable; the adjusted
 * probability curve against volume with a pointwise CI from the model's covariance; and the
 * per-patient table (written as `<step>.patients.csv`).
 *
 * The ΔV are solved for the `where` patients only (volume < 80 mL by default), but the curve spans
 * the volumes of all the patients of `data` (default: min_volume to their 99th percentile) and is
 * adjusted over all of them, so a figure shows it beyond the cut; the cut (`cut:`, or the c of a
 * `where: <variable> < c`) is recorded in the result for the figure's dashed line.
 *
 * The model is the `model` object of a fit_logistic result (design description + coefficients +
 * vcov): the same model-matrix columns are rebuilt on the data with the volume replaced. The numerics are
 * src/stats/'s: the solver (volume-delta.ts), η as a function of the volume (volume-predictor.ts), the
 * adjusted curve (volume-curve.ts); this module checks the parameters and the data and shapes the result.
 */
import { DATA } from '../results/products.js';
import type { Artifact } from '../data/artifact.js';
import type { JsonObject } from '../data/canonical.js';
import { type Column, getNumeric, makeTable, takeRows } from '../data/table.js';
import { DataError, InternalError } from '../errors.js';
import { modelMatrix } from '../stats/design.js';
import { type Expr, evaluate, parseExpression } from '../stats/expr.js';
import { linearPredictor, matrixRows } from '../stats/linalg.js';
import { type AdjustedCurve, type FittedLogistic, adjustedCurve, populationAveragedCurve, randomPartSds } from '../stats/volume-curve.js';
import { curveGrid, solveVolumeDeltas, summariseDeltas } from '../stats/volume-delta.js';
import { volumeColumns, volumePredictor } from '../stats/volume-predictor.js';
import { inputTable } from './input-table.js';
import type { StepKind } from './kind.js';

export interface VolumeDeltaParams {
  readonly model: string;
  /** Filled in by the runner from `model` when left out (defaultReferences). */
  readonly data: string;
  readonly variable: string;
  readonly where?: string;
  readonly deltas: readonly number[];
  readonly constrained: boolean;
  readonly min_volume: number;
  readonly tol: number;
  readonly curve_points: number;
  /** Lower end of the curve; default min_volume. */
  readonly curve_from?: number | undefined;
  /** Upper end of the curve; default the curve_quantile quantile of all the patients' volumes. */
  readonly curve_to?: number | undefined;
  /** Default 0.99; 1 = the largest volume. */
  readonly curve_quantile?: number | undefined;
  /** The volume cut marked in the result (for the figure's dashed line); default read from `where`. */
  readonly cut?: number | undefined;
  readonly level: number;
}

const DEFAULT_CURVE_QUANTILE = 0.99;

/** The `model` of a fit_logistic result (a mixed model's `random`: fit-mixed.ts randomModelJson). */
export interface LogisticModel extends FittedLogistic {
  readonly family: string;
  readonly link: string;
}

/** The `model` object of a fit step's result, checked. */
export function logisticModelOf(artifact: Artifact | undefined, step: string): LogisticModel {
  if (artifact?.type !== 'result') throw new DataError(`volume_delta model: step "${step}" does not produce a fitted model`, { hint: 'point model: at a fit_logistic step' });
  const m = artifact.value.model as unknown as LogisticModel | undefined | null;
  if (m === undefined || m === null || typeof m !== 'object' || !('design' in m)) {
    throw new DataError(`volume_delta model: step "${step}" has no fitted model in its result`, { hint: 'point model: at a fit_logistic step' });
  }
  if (m.family !== 'binomial' || m.link !== 'logit') {
    throw new DataError(`volume_delta needs a logistic model; step "${step}" fitted a ${m.family}/${m.link} model`, { hint: 'point model: at a fit_logistic step' });
  }
  if (m.coefficients.length !== m.design.columns.length) throw new InternalError(`model of "${step}": ${m.coefficients.length} coefficients for ${m.design.columns.length} columns`);
  return m;
}

/**
 * A volume below zero is a data error (a sign flipped, a sentinel): solved, it would be counted as "not
 * achievable" and shift the summaries. Refused, naming the rows, rather than dropped unseen.
 */
function refuseNegative(volume: Float64Array, variable: string, step: string): void {
  const rows: number[] = [];
  let count = 0;
  for (let i = 0; i < volume.length; i++) {
    if (volume[i]! < 0) {
      if (rows.length < 5) rows.push(i);
      count++;
    }
  }
  if (count === 0) return;
  throw new DataError(`volume_delta: "${variable}" is negative in ${count} row${count === 1 ? '' : 's'} of "${step}": ${rows.map((i) => `row ${i + 1} (${volume[i]!})`).join(', ')}${count > rows.length ? ', …' : ''}`, {
    hint: `a volume cannot be negative: fix the data, or make such values missing before this step (e.g. a filter step with where: ${variable} >= 0 | is_missing(${variable}))`,
  });
}

/** The finite values, in order (as `filter(Number.isFinite)`, without a call per value). */
function finiteValues(values: Float64Array): Float64Array {
  let m = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) m++;
  const out = new Float64Array(m);
  for (let i = 0, k = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) out[k++] = values[i]!;
  return out;
}

/** 0-based row indices as 1-based row numbers. */
function oneBased(rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = rows[k]! + 1;
  return out;
}

/** The c of a `where` of the form `<variable> < c` or `<variable> <= c` (or `c > <variable>`, `c >= <variable>`); else undefined. */
export function cutOfWhere(where: Expr, variable: string): number | undefined {
  if (where.type !== 'binary') return undefined;
  const { op, left, right } = where;
  if ((op === '<' || op === '<=') && left.type === 'col' && left.name === variable && right.type === 'num') return right.value;
  if ((op === '>' || op === '>=') && right.type === 'col' && right.name === variable && left.type === 'num') return left.value;
  return undefined;
}

/** `0.05` → `5`, `0.025` → `2.5`: δ in percentage points for column names. */
function pointsLabel(delta: number): string {
  return String(Math.round(delta * 100 * 1e9) / 1e9);
}

export const volumeDelta: StepKind<VolumeDeltaParams> = {
  kind: 'volume_delta',
  version: 4,
  produces: 'volume-delta',
  summary: 'Per patient, the lesion-volume reduction that raises the adjusted probability of good outcome by 1, 5, 10 points (Brent), with summaries and the adjusted curve.',
  params: {
    type: 'object',
    properties: {
      model: { type: 'string', description: 'A fit_logistic step with a term in the volume variable.' },
      data: { type: 'string', description: 'The patients (a data step with the model\'s variables); default: the data the model was fitted on (its input, or the table an impute step imputed).' },
      variable: { type: 'string', description: 'The volume column, e.g. fiv_ml.' },
      where: { type: 'string', description: 'Which patients (an expression); default "<variable> < 80".' },
      deltas: { type: 'array', items: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 }, minItems: 1, default: [0.01, 0.05, 0.1], description: 'Probability increments (0.01 = 1 percentage point).' },
      constrained: { type: 'boolean', default: true, description: 'true: ΔV at most the volume itself (else "not achievable"); false: extrapolate the model below min_volume.' },
      min_volume: { type: 'number', default: 0, description: 'The smallest volume considered (use > 0 for a log-volume model).' },
      tol: { type: 'number', exclusiveMinimum: 0, default: 1e-8, description: 'Root-finding tolerance in volume units (mL).' },
      curve_points: { type: 'integer', minimum: 2, maximum: 10000, default: 101, description: 'Points of the adjusted probability curve.' },
      curve_from: { type: 'number', description: 'Lower end of the curve (volume units); default min_volume.' },
      curve_to: { type: 'number', description: 'Upper end of the curve; default the curve_quantile quantile of the volumes of all the patients of data (not only the where subset).' },
      curve_quantile: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: DEFAULT_CURVE_QUANTILE, description: 'Which quantile (type 7) of all the patients\' volumes ends the curve when curve_to is not given; 1 = the largest.' },
      cut: { type: 'number', description: 'The volume cut to mark on the curve (a figure\'s dashed line); default the c of a where: "<variable> < c".' },
      level: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.95, description: 'Confidence level of the curve.' },
    },
    required: ['model', 'variable'],
    additionalProperties: false,
  },
  inputs: ['model', 'data'],
  accepts: { model: ['fit:logistic'], data: DATA },
  defaultReferences: { data: { via: 'model', param: 'input', through: ['impute'] } },
  check(params) {
    const problems: { path: string; message: string; hint?: string }[] = [];
    try {
      parseExpression(params.where ?? `${params.variable} < 80`);
    } catch (e) {
      problems.push({ path: 'where', message: e instanceof Error ? e.message : String(e) });
    }
    const from = params.curve_from ?? params.min_volume;
    if (params.curve_to !== undefined && !(params.curve_to > from)) {
      problems.push({ path: 'curve_to', message: `the curve must end above its start (${from})`, hint: params.curve_from === undefined ? 'the curve starts at min_volume unless curve_from is given' : 'swap curve_from and curve_to?' });
    }
    return problems;
  },
  run(params, inputs) {
    const model = logisticModelOf(inputs.get(params.model), params.model);
    const vol = volumeColumns(model.design, params.variable);
    if (!vol.columns.some(Boolean)) {
      throw new DataError(`volume_delta: the model of "${params.model}" has no term in "${params.variable}"`, { hint: `its terms are: ${model.design.terms.map((t) => t.label).join(', ')}` });
    }
    const data = inputTable(inputs, params.data, 'volume_delta data:');
    const where = params.where ?? `${params.variable} < 80`;
    const keep = evaluate(parseExpression(where), data);
    if (keep.type !== 'number') throw new DataError(`volume_delta where: "${where}" gives text values, a condition was expected`);
    const volumeAll = getNumeric(data, params.variable, 'volume_delta variable:');
    refuseNegative(volumeAll, params.variable, params.data);
    // Only the columns the model reads (smaller copies in the solver's rounds).
    const needed = vol.sources.filter((c) => data.columns.has(c));
    const slim = makeTable(needed.map((c) => [c, data.columns.get(c)!] as const));
    const p = model.design.columns.length;
    // The model matrix of every patient of data: the curve is adjusted over all with complete data,
    // the ΔV are solved for those of the where subset.
    const everyRow = modelMatrix(model.design, slim);
    // (row lists as typed arrays filled up to a count: Int32Array.from(number[]) iterates, slowly)
    const completeRows = new Int32Array(data.nrows);
    const subsetRows = new Int32Array(data.nrows);
    let nComplete = 0;
    let nSubset = 0;
    let nMissing = 0;
    for (let i = 0; i < data.nrows; i++) {
      const complete = everyRow.complete[i] === 1;
      if (complete) completeRows[nComplete++] = i;
      if (keep.values[i]! !== 0 && !Number.isNaN(keep.values[i]!) && !Number.isNaN(volumeAll[i]!)) {
        if (complete) subsetRows[nSubset++] = i;
        else nMissing++;
      }
    }
    if (nSubset === 0) throw new DataError(`volume_delta: no patient with complete data satisfies "${where}"`, { hint: 'check the where: condition and the missing values of the model\'s variables' });
    const dataRow = subsetRows.slice(0, nSubset);
    const patients = takeRows(slim, dataRow);
    const n = patients.nrows;
    const X0 = matrixRows(everyRow.X, data.nrows, p, dataRow);
    const eta0 = linearPredictor(X0, n, p, model.coefficients, new Float64Array(n));
    const volume = getNumeric(patients, params.variable).slice();
    const etaAt = volumePredictor({ design: model.design, coefficients: model.coefficients, variable: params.variable, vol, patients, X0, eta0, volume });
    const solution = solveVolumeDeltas({ volume, eta0, eta: etaAt, deltas: params.deltas, minVolume: params.min_volume, constrained: params.constrained, tol: params.tol });
    const summaries = params.deltas.map((_, d) => summariseDeltas(solution, volume, params.deltas, d));
    // A mixed model: the same deltas on the population-averaged probability (integrated over the random effects)
    const mixed = model.random === undefined ? undefined : (() => {
      const sds = randomPartSds(model, X0, n);
      const averaged = solveVolumeDeltas({ volume, eta0, eta: etaAt, deltas: params.deltas, minVolume: params.min_volume, constrained: params.constrained, tol: params.tol, marginalSd: sds });
      return { sds, solution: averaged, summaries: params.deltas.map((_, d) => summariseDeltas(averaged, volume, params.deltas, d)) };
    })();

    // The curve over the volumes of all the patients with one (not only the where subset), adjusted
    // over all the patients with complete data.
    const G = params.curve_points;
    const from = params.curve_from ?? params.min_volume;
    let range: ReturnType<typeof curveGrid>;
    try {
      range = curveGrid(finiteValues(volumeAll), { from, to: params.curve_to, quantile: params.curve_quantile ?? DEFAULT_CURVE_QUANTILE, points: G });
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      throw new DataError(`volume_delta curve: ${e.message}`, { hint: 'set curve_from and curve_to (volume units) to choose the range of the adjusted curve' });
    }
    const everyone = completeRows.subarray(0, nComplete);
    const curve = adjustedCurve(model, slim, params.variable, range.grid, everyRow.X, everyone, params.level, vol);
    const curveColumns = (c: Pick<AdjustedCurve, 'probability' | 'lower' | 'upper'>, suffix = ''): [string, Column][] => [
      [`probability${suffix}`, { type: 'number', values: c.probability }],
      [`lower${suffix}`, { type: 'number', values: c.lower }],
      [`upper${suffix}`, { type: 'number', values: c.upper }],
    ];
    const curveTable: [string, Column][] = [[params.variable, { type: 'number', values: Float64Array.from(range.grid) }], ...curveColumns(curve), ['eta', { type: 'number', values: curve.eta }], ['se_eta', { type: 'number', values: curve.se }]];
    const cut = params.cut ?? cutOfWhere(parseExpression(where), params.variable);

    const cols: [string, Column][] = [
      ['row', { type: 'number', values: oneBased(dataRow) }],
      [params.variable, { type: 'number', values: volume }],
      ['p0', { type: 'number', values: solution.p0 }],
    ];
    params.deltas.forEach((delta, d) => {
      const label = pointsLabel(delta);
      cols.push([`dv_${label}`, { type: 'number', values: solution.deltaV.slice(d * n, (d + 1) * n) }]);
      cols.push([`status_${label}`, { type: 'string', values: solution.status.slice(d * n, (d + 1) * n) }]);
    });
    if (mixed !== undefined) {
      cols.push(['p0_population_averaged', { type: 'number', values: mixed.solution.p0 }]);
      params.deltas.forEach((delta, d) => {
        const label = pointsLabel(delta);
        cols.push([`dv_${label}_population_averaged`, { type: 'number', values: mixed.solution.deltaV.slice(d * n, (d + 1) * n) }]);
        cols.push([`status_${label}_population_averaged`, { type: 'string', values: mixed.solution.status.slice(d * n, (d + 1) * n) }]);
      });
    }
    const value: JsonObject = {
      model: params.model,
      data: params.data,
      variable: params.variable,
      where,
      constrained: params.constrained,
      min_volume: params.min_volume,
      tol: params.tol,
      patients: n,
      excluded_missing: nMissing,
      additive: vol.additive,
      summaries: summaries.map((s) => ({ ...s, points: s.delta * 100 })),
      cut: cut ?? null,
      curve: { adjusted_to: curve.adjustedTo, level: params.level, points: G, from, to: range.to, patients: everyone.length },
    };
    if (mixed === undefined) return { type: 'result', value, tables: new Map([['patients', makeTable(cols)], ['curve', makeTable(curveTable)]]) };
    const group = model.random!.group;
    const withMixed: JsonObject = {
      ...value,
      probability: {
        summaries: `conditional: P(good outcome | covariates, ${group} effect 0), a patient of a typical ${group}`,
        population_averaged: `P(good outcome | covariates) averaged over the distribution of the ${group} effects (${model.random!.terms.join(', ')})`,
      },
      population_averaged: { summaries: mixed.summaries.map((s) => ({ ...s, points: s.delta * 100 })) },
    };
    const averaged = populationAveragedCurve(model, curve, everyRow.X, data.nrows, everyone, params.level);
    return { type: 'result', value: withMixed, tables: new Map([['patients', makeTable(cols)], ['curve', makeTable([...curveTable, ...curveColumns(averaged, '_population_averaged')])]]) };
  },
};
