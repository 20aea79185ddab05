/**
 * From a fitted model (decoded by src/results/fitted-model.ts) to the report's model columns and forest
 * rows: the odds ratio (logistic) or common odds ratio (ordinal, in the step's `favourable` direction)
 * with its CI; linear models on their own scale. The intercept is left out (thresholds are not terms).
 */
import type { Json } from '../../data/canonical.js';
import { decodeFittedModel, type FittedModel, type ModelType, type RandomEffects } from '../../results/fitted-model.js';
import type { Origin } from '../../results/read.js';
import type { ModelColumn, ModelTerm } from '../sections/model.js';

export type Effect = 'OR' | 'cOR' | 'β';

export interface FitSummary {
  readonly n?: number | undefined;
  /** A mixed model's random effects (the table's note says what they are). */
  readonly randomEffects?: RandomEffects | undefined;
  /** The number of imputations a pooled fit averaged its random-effect SDs over. */
  readonly imputations?: number | undefined;
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
  return { n: fit.n, effect, terms, randomEffects: fit.randomEffects, imputations: fit.imputations };
}

/**
 * The note under a table of a mixed model, VarCorr style: "Model with volume: random effects for trial
 * (7 trials; Laplace): SD of the intercept 0.24, of the Endovascular treatment slope 0.40, correlation
 * 0.30; ICC (latent scale) 0.018." A boundary fit says so, as lme4's isSingular.
 */
export function randomEffectsNote(model: string, s: FitSummary, label: (term: string) => string): string | undefined {
  const re = s.randomEffects;
  if (re === undefined) return undefined;
  const method = re.method === 'agq' ? `adaptive Gauss–Hermite, ${re.nAGQ} nodes` : 'Laplace';
  const sds = re.sd.map((sd, k) => `${k === 0 ? 'SD of the intercept' : `of the ${label(re.terms[k]!)} slope`} ${sd.toFixed(2)}`);
  const parts = [re.correlation === undefined ? sds.join(', ') : `${sds.join(', ')}, correlation ${re.correlation.toFixed(2)}`];
  if (re.iccLatent !== undefined) parts.push(`ICC (latent scale) ${re.iccLatent.toFixed(3)}`);
  const pooled = s.imputations === undefined ? '' : ` (SDs: mean over ${s.imputations} imputations)`;
  const singular = re.singular ? ` Boundary (singular) fit: a variance is 0 or the correlation ±1, common with ${re.clusters} clusters; the estimates are maximum likelihood under that covariance.` : '';
  return `${model}${model === '' ? 'Random' : 'random'} effects for ${re.group} (${re.term}; ${re.clusters} clusters; ${method}): ${parts.join('; ')}${pooled}.${singular}`;
}

export function fitSummary(value: Json, origin: Origin): FitSummary {
  return fitSummaryOf(decodeFittedModel(value, origin));
}

/** A model's column of a regression table, keeping only `only` (in that order) when given. */
export function modelColumn(label: string, s: FitSummary, only?: readonly string[]): ModelColumn {
  return { label, n: s.n, terms: only === undefined ? s.terms : only.flatMap((t) => s.terms.filter((x) => x.term === t)) };
}
