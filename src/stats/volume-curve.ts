/**
 * The adjusted probability curve of a fitted logistic model against volume, with its pointwise CI (the
 * volume_delta step's figure), and the population-averaged version of a mixed model's.
 *
 *   adjustedCurve(model, table, variable, grid, X, rows, level, vol) → η, se(η), p and CI per volume
 *   populationAveragedCurve(model, curve, X, N, rows, level)       → p_a and its CI (mixed models)
 *   randomPartSds(model, X, m)                                      → per patient, the SD of the random part
 *
 * At each volume v, x̄(v) = the mean over the patients with complete data of their model-matrix rows
 * with the volume set to v; η = x̄'β (linalg.ts's linearPredictor), se = √(x̄'Vx̄), and the CI
 * plogis(η ± z·se) (models/binomial-logit.ts's probability), z = qnorm((1 + level)/2).
 */
import { takeRows, withColumn, type Table } from '../data/table.js';
import { type DesignDescription, modelMatrix } from './design.js';
import { qnorm } from './distributions.js';
import { linearPredictor } from './linalg.js';
import { populationAveraged, randomPartSd } from './mixed/marginal.js';
import { mean } from './moments.js';
import { probability } from './models/binomial-logit.js';
import type { VolumeColumns } from './volume-predictor.js';

/** A fitted logistic model as a fit step's result stores it (`model`): design, coefficients, covariance, a mixed model's random effects. */
export interface FittedLogistic {
  readonly design: DesignDescription;
  readonly coefficients: readonly number[];
  readonly vcov: { readonly terms: readonly string[]; readonly matrix: readonly (readonly number[])[] };
  /** A mixed model's random effects: terms ['(Intercept)'] or ['(Intercept)', slope] and their covariance. */
  readonly random?: { readonly group: string; readonly terms: readonly string[]; readonly covariance: readonly (readonly number[])[] } | undefined;
}

export interface AdjustedCurve {
  readonly eta: Float64Array;
  readonly se: Float64Array;
  readonly probability: Float64Array;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** How x̄ was formed, in words (for the result). */
  readonly adjustedTo: string;
}

/** x'Vx for a row vector x and a square matrix V given by rows. */
function quadForm(x: Float64Array, V: readonly (readonly number[])[]): number {
  let s = 0;
  for (let a = 0; a < x.length; a++) {
    const row = V[a]!;
    for (let b = 0; b < x.length; b++) s += x[a]! * row[b]! * x[b]!;
  }
  return s;
}

/**
 * The adjusted curve at the volumes `grid`: x̄(v) over the patients `rows` of `table` (X: its N × p model
 * matrix at the observed volumes) — exact and cheap when the volume enters additively (the other
 * columns' means, the volume's columns at v); on a systematic sample of at most 2000 patients otherwise.
 */
export function adjustedCurve(model: FittedLogistic, table: Table, variable: string, grid: Float64Array, X: Float64Array, rows: Int32Array, level: number, vol: VolumeColumns): AdjustedCurve {
  const N = table.nrows;
  const n = rows.length;
  const p = model.design.columns.length;
  const G = grid.length;
  const xbar = new Float64Array(G * p); // column-major G × p
  let adjustedTo: string;
  if (vol.additive) {
    const column = new Float64Array(n);
    const means = new Float64Array(p);
    for (let j = 0; j < p; j++) {
      const o = j * N;
      for (let i = 0; i < n; i++) column[i] = X[o + rows[i]!]!;
      means[j] = mean(column);
    }
    // the first complete patient repeated; only the volume columns are used
    const repeated = takeRows(table, new Int32Array(G).fill(rows[0]!));
    const Xg = modelMatrix(model.design, withColumn(repeated, variable, { type: 'number', values: grid })).X;
    for (let j = 0; j < p; j++) for (let g = 0; g < G; g++) xbar[j * G + g] = vol.columns[j] ? Xg[j * G + g]! : means[j]!;
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
    const GS = G * S;
    for (let g = 0; g < G; g++) {
      for (let j = 0; j < p; j++) {
        let sum = 0;
        for (let s = 0; s < S; s++) sum += Xg[j * GS + g * S + s]!;
        xbar[j * G + g] = sum / S;
      }
    }
    adjustedTo =
      S === n
        ? `mean over the ${n} patients with complete data of their model-matrix rows at each volume`
        : `mean over a systematic sample of ${S} of the ${n} patients with complete data of their model-matrix rows at each volume`;
  }
  const z = qnorm((1 + level) / 2);
  const eta = linearPredictor(xbar, G, p, model.coefficients, new Float64Array(G));
  const se = new Float64Array(G);
  const x = new Float64Array(p);
  for (let g = 0; g < G; g++) {
    for (let j = 0; j < p; j++) x[j] = xbar[j * G + g]!;
    se[g] = Math.sqrt(quadForm(x, model.vcov.matrix));
  }
  return {
    eta,
    se,
    probability: eta.map((e) => probability(e)),
    lower: eta.map((e, g) => probability(e - z * se[g]!)),
    upper: eta.map((e, g) => probability(e + z * se[g]!)),
    adjustedTo,
  };
}

/**
 * A mixed model's curve, population-averaged: p_a(η; s) (mixed/marginal.ts) at the curve's η and its CI
 * limits (p_a is increasing in η), s the random part's SD at the mean of the slope's column over the
 * patients `rows` of the N × p model matrix X (a random intercept: σ₀).
 */
export function populationAveragedCurve(model: FittedLogistic, curve: Pick<AdjustedCurve, 'eta' | 'se'>, X: Float64Array, N: number, rows: Int32Array, level: number): { probability: Float64Array; lower: Float64Array; upper: Float64Array } {
  const r = model.random!;
  const slope = r.terms.length > 1 ? model.design.columns.indexOf(r.terms[1]!) : -1;
  const zbar = slope >= 0 ? mean(Float64Array.from(rows, (i) => X[slope * N + i]!)) : 0;
  const s = randomPartSd(r.covariance, zbar);
  const { eta, se } = curve;
  const z = qnorm((1 + level) / 2);
  const at = (offset: number): Float64Array => eta.map((e, g) => populationAveraged(e + offset * z * se[g]!, s).p);
  return { probability: at(0), lower: at(-1), upper: at(1) };
}

/**
 * Per patient (rows of X, column-major m × p), the SD of the random part of a mixed model's linear
 * predictor (mixed/marginal.ts randomPartSd): the slope's variable read from its design column.
 */
export function randomPartSds(model: FittedLogistic, X: Float64Array, m: number): Float64Array {
  const r = model.random!;
  const slope = r.terms.length > 1 ? model.design.columns.indexOf(r.terms[1]!) : -1;
  return Float64Array.from({ length: m }, (_, i) => randomPartSd(r.covariance, slope < 0 ? 0 : X[slope * m + i]!));
}
