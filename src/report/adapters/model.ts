/**
 * From a fit_logistic / fit_ordinal / fit_linear result to the report's model columns and forest rows.
 *
 * The fit result (src/nodes/fit-common.ts) has `model_type` (logistic | ordinal | linear) and
 * `coefficients` rows `{term, estimate, std_error, statistic, p_value, conf_low, conf_high}` on the
 * model's scale, plus `odds_ratio` (logistic) or `common_or` (ordinal, in the step's `favourable`
 * direction) with `<name>_conf_low` / `<name>_conf_high`. Linear models are shown on their own scale.
 */
import type { Json } from '../../data/canonical.js';
import type { ModelColumn, ModelTerm } from '../sections/model.js';
import { asArray, asRecord, optNumber, optString, reqNumber, shapeError, type JsonRecord, type Origin } from './read.js';

export type Effect = 'OR' | 'cOR' | 'β';

export interface FitSummary {
  readonly n?: number | undefined;
  /** "OR" for a logistic model, "cOR" for an ordinal one, "β" for a linear one. */
  readonly effect: Effect;
  readonly terms: readonly ModelTerm[];
}

const EFFECT_COLUMN: Readonly<Record<Effect, string | undefined>> = { OR: 'odds_ratio', cOR: 'common_or', β: undefined };

function termOf(row: JsonRecord, origin: Origin, what: string, effect: Effect): ModelTerm {
  const term = optString(row, ['term']);
  if (term === undefined) throw shapeError(origin, `${what} has no "term"`);
  const p = optNumber(row, ['p_value'], origin, what) ?? NaN;
  const col = EFFECT_COLUMN[effect];
  if (col === undefined) {
    return { term, estimate: reqNumber(row, ['estimate'], origin, what), low: reqNumber(row, ['conf_low'], origin, what), high: reqNumber(row, ['conf_high'], origin, what), p };
  }
  return {
    term,
    estimate: reqNumber(row, [col], origin, what),
    low: reqNumber(row, [`${col}_conf_low`], origin, what),
    high: reqNumber(row, [`${col}_conf_high`], origin, what),
    p,
  };
}

function effectOf(root: JsonRecord, origin: Origin): Effect {
  const type = optString(root, ['model_type']);
  switch (type) {
    case 'logistic':
      return 'OR';
    case 'ordinal':
      return 'cOR';
    case 'linear':
      return 'β';
    default:
      throw shapeError(origin, type === undefined ? 'it has no model_type' : `its model_type "${type}" is not logistic, ordinal or linear`, 'name a fit_logistic, fit_ordinal or fit_linear step');
  }
}

export function fitSummary(value: Json, origin: Origin): FitSummary {
  const root = asRecord(value, origin, 'the result');
  const effect = effectOf(root, origin);
  const rows = asArray(root.coefficients, origin, 'coefficients');
  const terms = rows.map((r, i) => termOf(asRecord(r, origin, `coefficients[${i}]`), origin, `coefficients[${i}]`, effect)).filter((t) => t.term !== '(Intercept)');
  return { n: optNumber(root, ['n'], origin, 'the result'), effect, terms };
}

/** A model's column of a regression table, keeping only `only` (in that order) when given. */
export function modelColumn(label: string, s: FitSummary, only?: readonly string[]): ModelColumn {
  return { label, n: s.n, terms: only === undefined ? s.terms : only.flatMap((t) => s.terms.filter((x) => x.term === t)) };
}
