/**
 * The outcome model of a `trial_design` step, read from a fit_logistic or fit_ordinal result: its design
 * (rebuilt on the patients of `data` with the volume replaced by h(V), the fit's knots and factor levels
 * kept), coefficients and covariance, and — for the chain bootstrap's refits — the outcome of each
 * patient. A thin adapter: the g-computation itself is src/stats/trial/g-computation.ts.
 */
import type { Artifact } from '../data/artifact.js';
import { type Table, withColumn } from '../data/table.js';
import { DataError } from '../errors.js';
import { type DesignDescription, modelMatrix } from '../stats/design.js';
import { evaluate, parseExpression } from '../stats/expr.js';
import { volumeColumns } from '../stats/volume-predictor.js';

export interface OutcomeModel {
  readonly type: 'logistic' | 'ordinal';
  readonly design: DesignDescription;
  /** Logistic: β with the intercept; ordinal: β without it (clm: logit P(Y ≤ k) = θ_k − x'β). */
  readonly beta: readonly number[];
  readonly thresholds: readonly number[];
  /** Flat covariance in the fit's order (ordinal: thresholds then β). */
  readonly vcov: Float64Array;
  /** Ordinal: the category labels (e.g. "0" … "6"). */
  readonly categories: readonly string[];
  /** The volume enters no other variable (η = c + f(V)). */
  readonly additive: boolean;
}

const HINT = 'point outcome_model: at a fit_logistic step (of mRS 0–2) or a fit_ordinal step (of the mRS) with a term in the volume';

/** The model of a fit step's result, checked: a logistic or proportional-odds fit with a term in `volume`. */
export function outcomeModelOf(artifact: Artifact | undefined, step: string, volume: string): OutcomeModel {
  if (artifact?.type !== 'result') throw new DataError(`trial_design outcome_model: step "${step}" does not produce a fitted model`, { hint: HINT });
  const m = artifact.value.model as unknown;
  if (m === null || typeof m !== 'object' || !('design' in m)) throw new DataError(`trial_design outcome_model: step "${step}" has no fitted model in its result`, { hint: HINT });
  const model = m as { family: string; link: string; design: DesignDescription; coefficients: number[]; thresholds?: number[]; categories?: string[]; vcov: { matrix: number[][] } };
  let type: 'logistic' | 'ordinal';
  if (model.family === 'binomial' && model.link === 'logit') type = 'logistic';
  else if (model.family === 'cumulative' && model.link === 'logit') type = 'ordinal';
  else throw new DataError(`trial_design outcome_model: step "${step}" fitted a ${model.family}/${model.link} model; a logistic or proportional-odds model is needed`, { hint: HINT });
  const vol = volumeColumns(model.design, volume);
  if (!vol.columns.some(Boolean)) {
    throw new DataError(`trial_design outcome_model: the model of "${step}" has no term in the volume "${volume}"`, {
      hint: `its terms are: ${model.design.terms.map((t) => t.label).join(', ')}; the translation needs the volume in the model (fiv_ml, log(fiv_ml), cbrt(fiv_ml), rcs(fiv_ml, 4), …)`,
    });
  }
  return {
    type,
    design: model.design,
    beta: model.coefficients,
    thresholds: model.thresholds ?? [],
    vcov: Float64Array.from(model.vcov.matrix.flat()),
    categories: model.categories ?? [],
    additive: vol.additive,
  };
}

/**
 * The model matrix of `table` (every row; incomplete rows NaN and flagged) with `volume` replaced by
 * `values` — with the intercept column for logistic models, without it for ordinal ones (clm's thresholds
 * play the intercept).
 */
export function matrixAt(model: OutcomeModel, table: Table, volume: string, values: Float64Array | undefined): { X: Float64Array; p: number; complete: Uint8Array } {
  const t = values === undefined ? table : withColumn(table, volume, { type: 'number', values });
  const { X, n, p, complete } = modelMatrix(model.design, t);
  if (model.type === 'logistic') return { X, p, complete };
  return { X: X.slice(n), p: p - 1, complete };
}

/**
 * Each patient's outcome as the model codes it, for refits: logistic the 0/1 response; ordinal the
 * category index (a merged category "5-6" takes both values). NaN where missing or not a category.
 */
export function modelOutcome(model: OutcomeModel, table: Table): Float64Array {
  const response = model.design.response;
  if (response === null) throw new DataError('trial_design outcome_model: the fitted model has no outcome');
  const col = evaluate(parseExpression(response.source), table);
  const text = (i: number): string | undefined => {
    if (col.type === 'number') return Number.isNaN(col.values[i]!) ? undefined : String(col.values[i]!);
    if (col.type === 'factor') return col.codes[i]! < 0 ? undefined : col.levels[col.codes[i]!];
    return col.values[i] ?? undefined;
  };
  const out = new Float64Array(table.nrows);
  if (model.type === 'logistic') {
    for (let i = 0; i < table.nrows; i++) {
      const v = col.type === 'number' ? col.values[i]! : col.type === 'factor' ? (col.codes[i]! < 0 ? NaN : col.codes[i]! > 0 ? 1 : 0) : NaN;
      out[i] = v;
    }
    return out;
  }
  const code = new Map<string, number>();
  model.categories.forEach((label, k) => {
    code.set(label, k);
    for (const part of label.split('-')) if (!code.has(part)) code.set(part, k);
  });
  for (let i = 0; i < table.nrows; i++) out[i] = code.get(text(i) ?? '') ?? NaN;
  return out;
}
