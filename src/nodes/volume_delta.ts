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
 * vcov): the same model-matrix columns are rebuilt on the data with the volume replaced.
 */
import { DATA } from '../results/products.js';
import type { Artifact } from '../data/artifact.js';
import type { JsonObject } from '../data/canonical.js';
import { type Column, type Table, getNumeric, makeTable, takeRows, withColumn } from '../data/table.js';
import { DataError, InternalError } from '../errors.js';
import { type DesignDescription, modelMatrix } from '../stats/design.js';
import { type Expr, evaluate, exprColumns, parseExpression } from '../stats/expr.js';
import { qnorm } from '../stats/distributions.js';
import { linearPredictor as designPredictor } from '../stats/linalg.js';
import { probability } from '../stats/models/binomial-logit.js';
import { rcsConstants, rcsNonlinear } from '../stats/rcs.js';
import { curveGrid, solveVolumeDeltas, summariseDeltas } from '../stats/volume-delta.js';
import { populationAveraged, randomPartSd } from '../stats/mixed/marginal.js';
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

export interface LogisticModel {
  readonly family: string;
  readonly link: string;
  readonly design: DesignDescription;
  readonly coefficients: readonly number[];
  readonly vcov: { readonly terms: readonly string[]; readonly matrix: readonly (readonly number[])[] };
  /** A mixed model's random effects (fit-mixed.ts randomModelJson): terms ['(Intercept)'] or ['(Intercept)', slope] and their covariance. */
  readonly random?: { readonly group: string; readonly terms: readonly string[]; readonly covariance: readonly (readonly number[])[] } | undefined;
}

/**
 * Per patient (rows of X, column-major m × p), the SD of the random part of a mixed model's linear
 * predictor (mixed/marginal.ts randomPartSd): the slope's variable read from its design column.
 */
function randomPartSds(model: LogisticModel, X: Float64Array, m: number): Float64Array {
  const r = model.random!;
  const slope = r.terms.length > 1 ? model.design.columns.indexOf(r.terms[1]!) : -1;
  return Float64Array.from({ length: m }, (_, i) => randomPartSd(r.covariance, slope < 0 ? 0 : X[slope * m + i]!));
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

/** Which design columns depend on `variable`, and whether the volume enters additively (no interaction with other variables). */
export function volumeColumns(design: DesignDescription, variable: string): { columns: boolean[]; additive: boolean; sources: string[] } {
  const dependsOn = design.variables.map((v) => exprColumns(parseExpression(v.source)).includes(variable));
  const termDepends = new Map<string, boolean>();
  let additive = true;
  for (const t of design.terms) {
    const vols = t.variables.map((k) => dependsOn[k]!);
    termDepends.set(t.label, vols.some(Boolean));
    if (vols.some(Boolean) && !vols.every(Boolean)) additive = false;
    // a variable mixing the volume with other columns, e.g. I(fiv_ml * age), is not additive either
    for (const k of t.variables) if (dependsOn[k] === true && exprColumns(parseExpression(design.variables[k]!.source)).length > 1) additive = false;
  }
  const columns = design.columnTerms.map((t) => termDepends.get(t) ?? false);
  const sources = [...new Set(design.variables.flatMap((v) => exprColumns(parseExpression(v.source))))];
  return { columns, additive, sources };
}

/**
 * The part of the design that depends on the volume alone (its variables, terms and columns, no
 * intercept), for an additive model: η_i(v) = c_i + f(v) with f(v) = Σ_j β_j X_j(v) over these columns.
 */
export function volumeOnlyDesign(design: DesignDescription, vol: ReturnType<typeof volumeColumns>): { design: DesignDescription; columnIndex: number[] } {
  const keepTerms = design.terms.filter((t) => vol.columns[design.columnTerms.indexOf(t.label)] === true);
  const usedVars = [...new Set(keepTerms.flatMap((t) => [...t.variables]))].sort((a, b) => a - b);
  const remap = new Map(usedVars.map((v, k) => [v, k]));
  const columnIndex: number[] = [];
  const columns: string[] = [];
  const columnTerms: string[] = [];
  design.columns.forEach((c, j) => {
    if (vol.columns[j] === true) {
      columnIndex.push(j);
      columns.push(c);
      columnTerms.push(design.columnTerms[j]!);
    }
  });
  return {
    design: {
      ...design,
      intercept: false,
      variables: usedVars.map((v) => design.variables[v]!),
      terms: keepTerms.map((t) => ({ ...t, variables: t.variables.map((v) => remap.get(v)!) })),
      columns,
      columnTerms,
    },
    columnIndex,
  };
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

function linearPredictor(X: Float64Array, n: number, p: number, beta: readonly number[]): Float64Array {
  return designPredictor(X, n, p, beta, new Float64Array(n));
}

/**
 * f(v) = Σ_j β_j X_j(v) over the columns of a volume-only design (see volumeOnlyDesign), exactly as
 * linearPredictor(modelMatrix(design, v)): the same values summed in the same order. When every term
 * is a numeric or rcs main effect (the usual `fiv_ml`, `log(fiv_ml)`, `rcs(fiv_ml, 4)`), the
 * expressions are parsed once and evaluated straight on v (none at all for the bare variable), and a
 * spline basis is fused into the sum (addRcsTerm): a few flops per volume instead of a model frame
 * per call. Other designs (e.g. a product of two volume variables) go through modelMatrix.
 */
export function volumeTermFunction(design: DesignDescription, beta: readonly number[], variable: string): (v: Float64Array) => Float64Array {
  const general = (v: Float64Array): Float64Array => {
    const { X } = modelMatrix(design, makeTable([[variable, { type: 'number', values: v }]]));
    return linearPredictor(X, v.length, beta.length, beta);
  };
  const parts: { expr: Expr | undefined; knots: readonly number[] | undefined }[] = [];
  for (const t of design.terms) {
    const dv = t.variables.length === 1 ? design.variables[t.variables[0]!]! : undefined;
    if (dv === undefined || dv.kind === 'factor') return general;
    const expr = parseExpression(dv.source);
    parts.push({ expr: expr.type === 'col' && expr.name === variable ? undefined : expr, knots: dv.kind === 'rcs' ? dv.knots : undefined });
  }
  return (v) => {
    const m = v.length;
    const eta = new Float64Array(m);
    let j = 0;
    for (const { expr, knots } of parts) {
      let x = v;
      if (expr !== undefined) {
        const c = evaluate(expr, makeTable([[variable, { type: 'number', values: v }]]));
        if (c.type !== 'number') return general(v); // modelMatrix explains the error
        x = c.values;
      }
      if (knots === undefined) {
        const b = beta[j++]!;
        for (let i = 0; i < m; i++) eta[i] = eta[i]! + b * x[i]!;
      } else {
        addRcsTerm(eta, x, knots, beta.slice(j, j + knots.length - 1));
        j += knots.length - 1;
      }
    }
    return eta;
  };
}

/**
 * eta[i] += Σ_q b[q]·B_q(x[i]) for the rcs basis B of stats/rcs.ts (x, then its nonlinear terms
 * rcsNonlinear), fused: per volume a few flops with the knot constants computed once, no basis matrix.
 * The terms are rcsBasis's, then the same sum as linearPredictor, so η is bit for bit the same (checked in
 * the tests). A NaN x gives NaN through b[0]·x, as modelMatrix's NaN row would.
 */
function addRcsTerm(eta: Float64Array, x: Float64Array, knots: readonly number[], b: readonly number[]): void {
  const c = rcsConstants(knots);
  const b0 = b[0]!;
  const bj = Float64Array.from(b.slice(1));
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    let e = eta[i]! + b0 * xi;
    for (let q = 0; q < knots.length - 2; q++) e = e + bj[q]! * rcsNonlinear(xi, q, c);
    eta[i] = e;
  }
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

/** The rows `rows` of a column-major N × p matrix, as a column-major rows.length × p matrix. */
function rowsOf(X: Float64Array, N: number, p: number, rows: Int32Array): Float64Array {
  const m = rows.length;
  const out = new Float64Array(m * p);
  for (let j = 0; j < p; j++) for (let k = 0; k < m; k++) out[j * m + k] = X[j * N + rows[k]!]!;
  return out;
}

function quadForm(x: Float64Array, V: readonly (readonly number[])[]): number {
  let s = 0;
  for (let a = 0; a < x.length; a++) {
    const row = V[a]!;
    for (let b = 0; b < x.length; b++) s += x[a]! * row[b]! * x[b]!;
  }
  return s;
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

/**
 * The adjusted curve: at each volume v, x̄(v) = the mean over all the patients (with complete model
 * variables, not only the `where` subset) of their model-matrix rows
 * with the volume set to v (exact and cheap when the volume enters additively; on a systematic
 * sample of at most 2000 patients otherwise), η = x̄'β, se = √(x̄'Vx̄), CI plogis(η ± z·se).
 */
function adjustedCurve(
  model: LogisticModel,
  table: Table,
  variable: string,
  grid: Float64Array,
  X: Float64Array,
  rows: Int32Array,
  level: number,
  vol: ReturnType<typeof volumeColumns>,
): { table: Table; adjustedTo: string } {
  // table: every patient of data; X: its N × p model matrix; rows: the patients with complete data.
  const N = table.nrows;
  const n = rows.length;
  const p = model.design.columns.length;
  const G = grid.length;
  const xbar = new Float64Array(G * p); // row-major G × p
  let adjustedTo: string;
  if (vol.additive) {
    const means = new Float64Array(p);
    for (let j = 0; j < p; j++) {
      let s = 0;
      const o = j * N;
      for (let i = 0; i < n; i++) s += X[o + rows[i]!]!;
      means[j] = s / n;
    }
    // the first complete patient repeated; only the volume columns are used
    const repeated = takeRows(table, new Int32Array(G).fill(rows[0]!));
    const Xg = modelMatrix(model.design, withColumn(repeated, variable, { type: 'number', values: grid })).X;
    for (let g = 0; g < G; g++) for (let j = 0; j < p; j++) xbar[g * p + j] = vol.columns[j] ? Xg[j * G + g]! : means[j]!;
    adjustedTo = `mean of each model-matrix column over the ${n} patients with complete data (the volume enters additively)`;
  } else {
    const S = Math.min(n, 2000);
    const sample = Int32Array.from({ length: S }, (_, s) => rows[Math.floor((s * n) / S)]!);
    const idx = new Int32Array(G * S);
    const v = new Float64Array(G * S);
    for (let g = 0; g < G; g++) {
      for (let s = 0; s < S; s++) {
        idx[g * S + s] = sample[s]!;
        v[g * S + s] = grid[g]!;
      }
    }
    const Xg = modelMatrix(model.design, withColumn(takeRows(table, idx), variable, { type: 'number', values: v })).X;
    const N = G * S;
    for (let g = 0; g < G; g++) {
      for (let j = 0; j < p; j++) {
        let sum = 0;
        for (let s = 0; s < S; s++) sum += Xg[j * N + g * S + s]!;
        xbar[g * p + j] = sum / S;
      }
    }
    adjustedTo =
      S === n
        ? `mean over the ${n} patients with complete data of their model-matrix rows at each volume`
        : `mean over a systematic sample of ${S} of the ${n} patients with complete data of their model-matrix rows at each volume`;
  }
  const z = qnorm((1 + level) / 2);
  const eta = new Float64Array(G);
  const se = new Float64Array(G);
  for (let g = 0; g < G; g++) {
    const x = xbar.subarray(g * p, (g + 1) * p);
    let e = 0;
    for (let j = 0; j < p; j++) e += x[j]! * model.coefficients[j]!;
    eta[g] = e;
    se[g] = Math.sqrt(quadForm(x, model.vcov.matrix));
  }
  const col = (values: Float64Array): Column => ({ type: 'number', values });
  return {
    table: makeTable([
      [variable, col(Float64Array.from(grid))],
      ['probability', col(eta.map((e) => probability(e)))],
      ['lower', col(eta.map((e, g) => probability(e - z * se[g]!)))],
      ['upper', col(eta.map((e, g) => probability(e + z * se[g]!)))],
      ['eta', col(eta)],
      ['se_eta', col(se)],
    ]),
    adjustedTo,
  };
}

/**
 * The curve's population-averaged columns: p_a(η; s) at the curve's η and its CI limits (p_a is
 * increasing in η), s the random part's SD at the mean of the slope's column over the patients (a random
 * intercept: σ₀).
 */
function withPopulationAveragedCurve(curve: Table, model: LogisticModel, X: Float64Array, N: number, rows: Int32Array, level: number): Table {
  const r = model.random!;
  const slope = r.terms.length > 1 ? model.design.columns.indexOf(r.terms[1]!) : -1;
  let zbar = 0;
  if (slope >= 0) {
    for (const i of rows) zbar += X[slope * N + i]!;
    zbar /= rows.length;
  }
  const s = randomPartSd(r.covariance, zbar);
  const eta = getNumeric(curve, 'eta');
  const se = getNumeric(curve, 'se_eta');
  const z = qnorm((1 + level) / 2);
  const at = (offset: number): Float64Array => eta.map((e, g) => populationAveraged(e + offset * z * se[g]!, s).p);
  let out = withColumn(curve, 'probability_population_averaged', { type: 'number', values: at(0) });
  out = withColumn(out, 'lower_population_averaged', { type: 'number', values: at(-1) });
  out = withColumn(out, 'upper_population_averaged', { type: 'number', values: at(1) });
  return out;
}

export const volumeDelta: StepKind<VolumeDeltaParams> = {
  kind: 'volume_delta',
  version: 3,
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
    const X0 = rowsOf(everyRow.X, data.nrows, p, dataRow);
    const eta0 = linearPredictor(X0, n, p, model.coefficients);
    const volume = getNumeric(patients, params.variable).slice();

    // Only the volume's own terms are rebuilt in each round of the solver (with the expressions parsed
    // once); every sum keeps the order of linearPredictor over the full model matrix, so the η are
    // bit for bit those of rebuilding the whole matrix at the new volumes.
    const only = volumeOnlyDesign(model.design, vol);
    let etaAt: (who: Int32Array, v: Float64Array) => Float64Array;
    if (vol.additive) {
      // η_i(v) = c_i + f(v), f(v) = Σ_j β_j X_j(v) over the volume's columns.
      const f = volumeTermFunction(only.design, only.columnIndex.map((j) => model.coefficients[j]!), params.variable);
      const fObserved = f(volume);
      const c = eta0.map((e, i) => e - fObserved[i]!);
      etaAt = (who, v) => {
        const out = f(v);
        for (let k = 0; k < who.length; k++) out[k] = out[k]! + c[who[k]!]!;
        return out;
      };
    } else {
      // η_i(v) = Σ_j β_j X_ij(v) in column order: the volume's terms (which involve other variables)
      // rebuilt on the patients' rows at v, the other columns read from X0.
      const onlyVars = [...new Set(only.design.variables.flatMap((v) => exprColumns(parseExpression(v.source))))].filter((c) => patients.columns.has(c));
      const onlyTable = makeTable(onlyVars.map((c) => [c, patients.columns.get(c)!] as const));
      const volumeColumn = new Int32Array(p).fill(-1);
      only.columnIndex.forEach((j, q) => (volumeColumn[j] = q));
      etaAt = (who, v) => {
        const m = who.length;
        const { X: Xv } = modelMatrix(only.design, withColumn(takeRows(onlyTable, who), params.variable, { type: 'number', values: v }));
        const out = new Float64Array(m);
        for (let j = 0; j < p; j++) {
          const b = model.coefficients[j]!;
          const q = volumeColumn[j]!;
          if (q < 0) {
            const o = j * n;
            for (let k = 0; k < m; k++) out[k] = out[k]! + b * X0[o + who[k]!]!;
          } else {
            const o = q * m;
            for (let k = 0; k < m; k++) out[k] = out[k]! + b * Xv[o + k]!;
          }
        }
        return out;
      };
    }
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
    if (mixed === undefined) return { type: 'result', value, tables: new Map([['patients', makeTable(cols)], ['curve', curve.table]]) };
    const group = model.random!.group;
    const withMixed: JsonObject = {
      ...value,
      probability: {
        summaries: `conditional: P(good outcome | covariates, ${group} effect 0), a patient of a typical ${group}`,
        population_averaged: `P(good outcome | covariates) averaged over the distribution of the ${group} effects (${model.random!.terms.join(', ')})`,
      },
      population_averaged: { summaries: mixed.summaries.map((s) => ({ ...s, points: s.delta * 100 })) },
    };
    const curveTable = withPopulationAveragedCurve(curve.table, model, everyRow.X, data.nrows, everyone, params.level);
    return { type: 'result', value: withMixed, tables: new Map([['patients', makeTable(cols)], ['curve', curveTable]]) };
  },
};
