/**
 * From a fitted model (decoded by src/results/fitted-model.ts) to the report's model columns and forest
 * rows: the odds ratio (logistic) or common odds ratio (ordinal, in the step's `favourable` direction)
 * with its CI; linear models on their own scale. The intercept is left out (thresholds are not terms).
 */
import type { Json } from '../../data/canonical.js';
import { decodeFittedModel, type FittedModel, type ModelType } from '../../results/fitted-model.js';
import type { Origin } from '../../results/read.js';
import type { ModelColumn, ModelTerm } from '../sections/model.js';

export type Effect = 'OR' | 'cOR' | 'β';

export interface FitSummary {
  readonly n?: number | undefined;
  /** "OR" for a logistic model, "cOR" for an ordinal one, "β" for a linear one. */
  readonly effect: Effect;
  readonly terms: readonly ModelTerm[];
}

const EFFECT: Readonly<Record<ModelType, Effect>> = { logistic: 'OR', ordinal: 'cOR', linear: 'β' };

export function fitSummaryOf(fit: FittedModel): FitSummary {
  const effect = EFFECT[fit.modelType];
  const terms = fit.coefficients
    .filter((c) => c.term !== '(Intercept)')
    .map((c): ModelTerm => {
      if (c.effect === undefined) return { term: c.term, estimate: c.estimate, low: c.confLow, high: c.confHigh, p: c.pValue };
      return { term: c.term, estimate: c.effect.estimate, low: c.effect.low, high: c.effect.high, p: c.pValue };
    });
  return { n: fit.n, effect, terms };
}

export function fitSummary(value: Json, origin: Origin): FitSummary {
  return fitSummaryOf(decodeFittedModel(value, origin));
}

/** A model's column of a regression table, keeping only `only` (in that order) when given. */
export function modelColumn(label: string, s: FitSummary, only?: readonly string[]): ModelColumn {
  return { label, n: s.n, terms: only === undefined ? s.terms : only.flatMap((t) => s.terms.filter((x) => x.term === t)) };
}
