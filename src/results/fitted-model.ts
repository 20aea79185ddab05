/**
 * The fitted-model result family: what fit_logistic, fit_ordinal and fit_linear write (src/nodes/fit_*.ts,
 * fit-common.ts), read back into one typed value. The report's model tables and forest plots, the broom
 * exports (broom.ts) and the run history read fits through `decodeFittedModel` only.
 *
 * Extending it (e.g. random-effect variances of a mixed model): add an optional field to `FittedModel`,
 * read it in `decodeFittedModel` (absent in older results → undefined), and, if broom's glance has a
 * column for it, add the column to `GLANCE` in broom.ts. Readers that do not know the field ignore it.
 */
import type { Json } from '../data/canonical.js';
import { asArray, asRecord, isRecord, numberList, optNumber, optString, reqNumber, shapeError, type JsonRecord, type Origin } from './read.js';

export const MODEL_TYPES = ['logistic', 'ordinal', 'linear'] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

/** One coefficient (or threshold) row, on the model's scale, with the exponentiated effect where there is one. */
export interface Coefficient {
  readonly term: string;
  readonly estimate: number;
  readonly stdError: number;
  readonly statistic: number;
  readonly pValue: number;
  readonly confLow: number;
  readonly confHigh: number;
  /** exp(β) — odds ratio (logistic) or common odds ratio in the favourable direction (ordinal) — with its CI; not for thresholds or linear models. */
  readonly effect?: { readonly estimate: number; readonly low: number; readonly high: number } | undefined;
  /** Rubin's-rules columns of a pooled fit (ubar, b, t, df, riv, lambda, fmi), by name. */
  readonly pooling?: Readonly<Record<string, number>> | undefined;
}

/** Model-level statistics; undefined where the model type or a pooled fit has none. */
export interface FitStatistics {
  readonly logLik?: number | undefined;
  readonly aic?: number | undefined;
  readonly bic?: number | undefined;
  readonly deviance?: number | undefined;
  readonly nullDeviance?: number | undefined;
  readonly dfResidual?: number | undefined;
  readonly dfNull?: number | undefined;
  /** Effective degrees of freedom (clm). */
  readonly edf?: number | undefined;
  readonly sigma?: number | undefined;
  readonly rSquared?: number | undefined;
  readonly adjRSquared?: number | undefined;
}

/**
 * The random-effects block of a mixed model (fit_logistic / fit_ordinal with a random-effect term: the
 * `random_effects` object of src/nodes/fit-mixed.ts), VarCorr style. A pooled fit's SDs are the mean over
 * its imputations, and `singular` says whether any imputation's fit was singular.
 */
export interface RandomEffects {
  /** The term as written, e.g. "(1 + evt | trial)". */
  readonly term: string;
  readonly group: string;
  readonly clusters: number;
  /** "(Intercept)" and the slope's variable, in order. */
  readonly terms: readonly string[];
  readonly sd: readonly number[];
  /** Intercept–slope correlation (random slope only). */
  readonly correlation?: number | undefined;
  /** σ₀² / (σ₀² + π²/3): the intraclass correlation on the latent logistic scale. */
  readonly iccLatent?: number | undefined;
  readonly singular: boolean;
  /** "laplace" or "agq", with its number of nodes. */
  readonly method: string;
  readonly nAGQ: number;
}

export interface FittedModel {
  readonly modelType: ModelType;
  readonly formula: string;
  /** Rows the model was fitted on (after dropping rows with missing model variables). */
  readonly n?: number | undefined;
  /** Rows dropped for missing model variables, and the count per variable. */
  readonly dropped: { readonly total: number; readonly byVariable: readonly { readonly variable: string; readonly rows: number }[] };
  /** The number of imputations pooled by Rubin's rules, for a fit of an imputed set. */
  readonly imputations?: number | undefined;
  readonly level: number;
  readonly coefficients: readonly Coefficient[];
  /** Thresholds (cut-points) of an ordinal model, in order. */
  readonly thresholds: readonly Coefficient[];
  readonly statistics: FitStatistics;
  /** A mixed model's random effects; undefined for a fixed-effects fit. */
  readonly randomEffects?: RandomEffects | undefined;
}

const EFFECT: Readonly<Record<ModelType, string | undefined>> = { logistic: 'odds_ratio', ordinal: 'common_or', linear: undefined };
const POOLING = ['ubar', 'b', 't', 'df', 'riv', 'lambda', 'fmi'] as const;

function coefficient(raw: Json, origin: Origin, what: string, effectName: string | undefined): Coefficient {
  const r = asRecord(raw, origin, what);
  const term = optString(r, ['term']);
  if (term === undefined) throw shapeError(origin, `${what} has no "term"`);
  const num = (k: string): number => reqNumber(r, [k], origin, what);
  const effect = effectName === undefined ? undefined : { estimate: num(effectName), low: num(`${effectName}_conf_low`), high: num(`${effectName}_conf_high`) };
  const pooling = Object.hasOwn(r, 'ubar') ? Object.fromEntries(POOLING.map((k) => [k, optNumber(r, [k], origin, what) ?? NaN])) : undefined;
  return {
    term,
    estimate: num('estimate'),
    stdError: num('std_error'),
    statistic: optNumber(r, ['statistic'], origin, what) ?? NaN,
    pValue: optNumber(r, ['p_value'], origin, what) ?? NaN,
    confLow: num('conf_low'),
    confHigh: num('conf_high'),
    effect,
    pooling,
  };
}

function modelTypeOf(root: JsonRecord, origin: Origin): ModelType {
  const type = optString(root, ['model_type']);
  if (type === 'logistic' || type === 'ordinal' || type === 'linear') return type;
  throw shapeError(origin, type === undefined ? 'it has no model_type' : `its model_type "${type}" is not logistic, ordinal or linear`, 'name a fit_logistic, fit_ordinal or fit_linear step');
}

/** A number field that a pooled fit writes as null: absent or null → undefined. */
function stat(root: JsonRecord, key: string, origin: Origin): number | undefined {
  const v = optNumber(root, [key], origin, 'the result');
  return v === undefined || Number.isNaN(v) ? undefined : v;
}

function randomEffects(root: JsonRecord, origin: Origin): RandomEffects | undefined {
  if (root.random_effects === undefined || root.random_effects === null) return undefined;
  const what = 'random_effects';
  const r = asRecord(root.random_effects, origin, what);
  const finite = (k: string): number | undefined => {
    const v = optNumber(r, [k], origin, what);
    return v === undefined || Number.isNaN(v) ? undefined : v;
  };
  const singularImputations = optNumber(r, ['singular_imputations'], origin, what);
  return {
    term: optString(r, ['term']) ?? '',
    group: optString(r, ['group']) ?? '',
    clusters: reqNumber(r, ['clusters'], origin, what),
    terms: asArray(r.terms, origin, `${what}.terms`).map((t, i) => {
      if (typeof t !== 'string') throw shapeError(origin, `${what}.terms[${i}] is not a term name`);
      return t;
    }),
    sd: numberList(r.sd, origin, `${what}.sd`),
    correlation: finite('correlation'),
    iccLatent: finite('icc_latent'),
    singular: r.singular === true || (singularImputations ?? 0) > 0,
    method: optString(r, ['method']) ?? 'laplace',
    nAGQ: optNumber(r, ['n_agq'], origin, what) ?? 1,
  };
}

export function decodeFittedModel(value: Json, origin: Origin): FittedModel {
  const root = asRecord(value, origin, 'the result');
  const modelType = modelTypeOf(root, origin);
  const effect = EFFECT[modelType];
  const coefficients = asArray(root.coefficients, origin, 'coefficients').map((r, i) => coefficient(r, origin, `coefficients[${i}]`, effect));
  const thresholds = root.thresholds === undefined ? [] : asArray(root.thresholds, origin, 'thresholds').map((r, i) => coefficient(r, origin, `thresholds[${i}]`, undefined));
  const dropped = root.dropped === undefined ? [] : asArray(root.dropped, origin, 'dropped').map((d, i) => {
    const r = asRecord(d, origin, `dropped[${i}]`);
    return { variable: optString(r, ['variable']) ?? '?', rows: reqNumber(r, ['rows'], origin, `dropped[${i}]`) };
  });
  return {
    modelType,
    formula: optString(root, ['formula']) ?? '',
    n: optNumber(root, ['n'], origin, 'the result'),
    dropped: { total: optNumber(root, ['n_dropped'], origin, 'the result') ?? 0, byVariable: dropped },
    imputations: optNumber(root, ['imputations'], origin, 'the result'),
    level: optNumber(root, ['level'], origin, 'the result') ?? 0.95,
    coefficients,
    thresholds,
    statistics: {
      logLik: stat(root, 'loglik', origin),
      aic: stat(root, 'aic', origin),
      bic: stat(root, 'bic', origin),
      deviance: stat(root, 'deviance', origin),
      nullDeviance: stat(root, 'null_deviance', origin),
      dfResidual: stat(root, 'df_residual', origin),
      dfNull: stat(root, 'df_null', origin),
      edf: stat(root, 'edf', origin),
      sigma: stat(root, 'sigma', origin),
      rSquared: stat(root, 'r_squared', origin),
      adjRSquared: stat(root, 'adj_r_squared', origin),
    },
    randomEffects: randomEffects(root, origin),
  };
}

/** Whether a result's JSON is a fitted model (has a known model_type), without decoding it. */
export function isFittedModel(value: Json): boolean {
  return isRecord(value) && MODEL_TYPES.includes(value.model_type as ModelType);
}
