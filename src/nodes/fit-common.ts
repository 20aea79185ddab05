/**
 * What the fit steps (fit_linear, fit_logistic, fit_ordinal) share: the model parameters (`formula:`
 * or `outcome:` + `covariates:`), their checks, the input (a table, or an imputed set fitted per
 * imputation and pooled by Rubin's rules), and the coefficient rows of the result.
 *
 * `formula: "y ~ a + b"` and `outcome: y` + `covariates: [a, b]` give the same model, the same output
 * and the same cache key: `normaliseFitParams` (the kinds' `normalise`) rewrites both forms to one
 * canonical `formula:` string — the parser's deparsed formula (`Formula.text`), so spacing does not
 * matter either (see `normaliseFitParams` for the one case kept as written).
 */
import type { ParamSchema, StepInputs } from './kind.js';
import { completed } from '../data/artifact.js';
import type { Json, JsonObject } from '../data/canonical.js';
import { makeTable, type Column, type Table } from '../data/table.js';
import { DataError, InternalError, SpecError } from '../errors.js';
import { FormulaError, formulaFromParts, parseFormula } from '../stats/formula.js';
import type { ModelData } from '../stats/design.js';
import { poolRubin } from '../stats/rubin.js';
import { pnorm, pt, qnorm, qt } from '../stats/distributions.js';
import { toRows } from '../stats/linalg.js';

export interface FitParams {
  readonly input: string;
  readonly formula?: string;
  readonly outcome?: string;
  readonly covariates?: readonly string[];
  /** A random-effect term with the `outcome:`/`covariates:` form, e.g. "(1 | trial)". */
  readonly random?: string;
  readonly weights?: string;
  readonly reference?: Readonly<Record<string, string>>;
  readonly level?: number;
  /** Also write broom's tidy and glance tables (src/results/broom.ts). */
  readonly broom?: boolean;
}

/** JSON-schema properties common to the fit steps. */
export const fitProperties: Readonly<Record<string, unknown>> = {
  input: { type: 'string', description: 'The step whose table (or multiply-imputed set) is fitted.' },
  formula: { type: 'string', minLength: 3, description: 'An R formula, e.g. "mrs90 <= 2 ~ evt + age + log(fiv_ml)". Give either formula or outcome + covariates.' },
  outcome: { type: 'string', minLength: 1, description: 'The outcome (a column or an expression such as "mrs90 <= 2"), with covariates instead of formula.' },
  covariates: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Formula terms: columns, log(x), I(x / 10), rcs(x, 4), a:b, a*b.' },
  random: { type: 'string', minLength: 5, description: 'With outcome + covariates: a random-effect term, "(1 | trial)" (random intercept) or "(1 + evt | trial)" (random intercept and slope), as lme4 writes it (fit_logistic and fit_ordinal).' },
  weights: { type: 'string', minLength: 1, description: 'A numeric column of case weights.' },
  reference: { type: 'object', additionalProperties: { type: 'string' }, description: 'Reference level per factor, e.g. {occlusion: M1} (default: the first level).' },
  level: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.95, description: 'Confidence level of the intervals.' },
  broom: { type: 'boolean', default: true, description: "Also write <step>.tidy.csv and <step>.glance.csv with broom's column names (std.error, p.value, conf.low, logLik, AIC, nobs, …) for checking in R." },
};

export function fitSchema(extra: Readonly<Record<string, unknown>>): ParamSchema {
  return { type: 'object', properties: { ...fitProperties, ...extra }, required: ['input'], additionalProperties: false };
}

export interface CheckProblem {
  readonly path: string;
  readonly message: string;
  readonly hint?: string;
}

/** The formula of the step (either form), not yet parsed. */
export function formulaText(p: FitParams): string {
  if (p.formula !== undefined) return p.formula;
  if (p.outcome === undefined || p.covariates === undefined) throw new InternalError('fit step without formula or outcome/covariates passed its check');
  return formulaFromParts(p.outcome, p.covariates, p.random);
}

/** Spec-time checks: exactly one form, and a formula that parses. */
export function checkFitParams(p: FitParams): CheckProblem[] {
  const hasFormula = p.formula !== undefined;
  const hasParts = p.outcome !== undefined || p.covariates !== undefined;
  if (hasFormula && hasParts) return [{ path: 'formula', message: 'give either formula or outcome + covariates, not both' }];
  if (hasFormula && p.random !== undefined) return [{ path: 'random', message: 'random goes with outcome + covariates; with formula, write the term in the formula', hint: 'formula: "mrs90 ~ evt + age + (1 | trial)"' }];
  if (!hasFormula && !hasParts) return [{ path: 'formula', message: 'a fit step needs a formula (or outcome + covariates)', hint: 'formula: "mrs90 <= 2 ~ evt + age"' }];
  if (!hasFormula && (p.outcome === undefined || p.covariates === undefined)) {
    return [{ path: p.outcome === undefined ? 'outcome' : 'covariates', message: 'outcome and covariates go together' }];
  }
  try {
    parseFormula(formulaText(p));
    return [];
  } catch (e) {
    if (!(e instanceof FormulaError)) throw e;
    return [{ path: hasFormula ? 'formula' : 'covariates', message: `${e.message}: ${JSON.stringify(formulaText(p))}`, ...(e.hint === undefined ? {} : { hint: e.hint }) }];
  }
}

/**
 * The canonical form of a fit step's model parameters: `outcome` + `covariates` become `formula`, and
 * the formula becomes the parser's normalised text (R's labels and spacing, terms by degree), so
 * `mrs90 <= 2 ~ a + b`, `mrs90<=2~a+b` and `{outcome: "mrs90 <= 2", covariates: [a, b]}` are equal.
 * The normalised text is used only when it parses back to the same formula (same response, variables
 * in the same order, terms, intercept): re-ordering terms can change the order of the variables and
 * with it R's interaction labels (`y ~ x:f + f` has `x:f`, `y ~ f + x:f` has `f:x`); such a formula is
 * kept as written. Parameters that fail `checkFitParams` are returned unchanged (check reports them).
 */
export function normaliseFitParams<P extends FitParams>(p: P): P {
  const hasParts = p.outcome !== undefined || p.covariates !== undefined;
  if (p.formula !== undefined ? hasParts : p.outcome === undefined || p.covariates === undefined) return p;
  const written = formulaText(p);
  const parsed = parseOrUndefined(written);
  if (parsed === undefined) return p;
  const again = parseOrUndefined(parsed.text);
  const text = again !== undefined && sameFormula(again, parsed) ? parsed.text : written;
  const out: Record<string, unknown> = { ...(p as Readonly<Record<string, unknown>>), formula: text };
  delete out.outcome;
  delete out.covariates;
  delete out.random;
  return out as unknown as P;
}

function parseOrUndefined(text: string): ReturnType<typeof parseFormula> | undefined {
  try {
    return parseFormula(text);
  } catch (e) {
    if (e instanceof FormulaError) return undefined;
    throw e;
  }
}

/** Whether two parsed formulas fit the same model with the same term names (sources and offsets aside). */
function sameFormula(a: ReturnType<typeof parseFormula>, b: ReturnType<typeof parseFormula>): boolean {
  // Expression trees without their character offsets.
  const tree = (e: unknown): string => JSON.stringify(e, (k, v: unknown) => (k === 'offset' ? undefined : v));
  const shape = (f: ReturnType<typeof parseFormula>): string =>
    JSON.stringify({
      response: f.response === undefined ? null : [f.response.label, tree(f.response.expr)],
      variables: f.variables.map((v) => (v.kind === 'rcs' ? [v.label, tree(v.arg), v.nk, v.knots ?? null] : [v.label, tree(v.expr)])),
      terms: f.terms.map((t) => [t.label, t.variables]),
      random: f.random.map((r) => [r.label, r.group, r.slope === undefined ? null : [r.slope.label, tree(r.slope.expr)]]),
      intercept: f.intercept,
      text: f.text,
    });
  return shape(a) === shape(b);
}

/** The formula, parsed (a SpecError naming the step if it does not parse: check() should have caught it). */
export function parsedFormula(p: FitParams, step: string): ReturnType<typeof parseFormula> {
  try {
    return parseFormula(formulaText(p));
  } catch (e) {
    if (e instanceof FormulaError) throw new SpecError(`formula: ${e.message}`, { hint: e.hint, step });
    throw e;
  }
}

/** A check problem when a kind that fits no random effects is given a random-effect term. */
export function noRandomTerm(p: FitParams, kind: string): CheckProblem[] {
  const f = parseOrUndefined(formulaText(p));
  if (f === undefined || f.random.length === 0) return [];
  return [{ path: p.formula !== undefined ? 'formula' : 'random', message: `${kind} fits no random effects: "${f.random[0]!.label}"`, hint: 'mixed models: fit_logistic or fit_ordinal' }];
}

/** The tables to fit: one, or the m completed imputations. */
export function fitTables(inputs: StepInputs, name: string, kind: string): { tables: Table[]; imputed: boolean } {
  const a = inputs.get(name);
  if (a === undefined) throw new InternalError(`the output of step "${name}" was not handed to ${kind}`);
  switch (a.type) {
    case 'table':
      return { tables: [a.table], imputed: false };
    case 'imputed':
      return { tables: Array.from({ length: a.m }, (_, k) => completed(a, k)), imputed: true };
    case 'result':
      throw new DataError(`${kind} fits a data table, but step "${name}" produces a result`, { hint: 'point input: at a load, filter, derive, impute or simulate step' });
  }
}

/** One fit of one table, as the pooling needs it. */
export interface SingleFit {
  /** Parameter names (for ordinal: thresholds, then coefficients). */
  readonly names: readonly string[];
  readonly estimate: Float64Array;
  readonly vcov: Float64Array;
  /** Complete-data residual df for Rubin's rules and t-intervals (Infinity for z-based fits). */
  readonly dfcom: number;
  /** Whether tests and intervals use t (lm) or the normal (glm, clm). */
  readonly useT: boolean;
  readonly md: ModelData;
  readonly value: JsonObject;
}

/**
 * The warnings of the fits of m imputations, each once with the imputations that gave it (`imputation 2: …`,
 * `imputations 1-3, 7 (4 of 20): …`, `all 20 imputations: …`), in the order first given.
 */
export function imputationWarnings(fits: readonly { readonly warnings: readonly string[] }[]): string[] {
  const where = new Map<string, number[]>();
  fits.forEach((f, k) => {
    for (const w of new Set(f.warnings)) {
      const list = where.get(w);
      if (list === undefined) where.set(w, [k + 1]);
      else list.push(k + 1);
    }
  });
  return [...where].map(([w, ks]) => `${imputationsLabel(ks, fits.length)}: ${w}`);
}

/** "imputation 3", "imputations 1-4, 7 (5 of 20)", "all 20 imputations": which imputations gave a warning. */
function imputationsLabel(ks: readonly number[], m: number): string {
  if (ks.length === 1) return `imputation ${String(ks[0])}`;
  if (ks.length === m) return `all ${String(m)} imputations`;
  const runs: string[] = [];
  for (let i = 0; i < ks.length; ) {
    let j = i;
    while (j + 1 < ks.length && ks[j + 1] === ks[j]! + 1) j++;
    runs.push(j === i ? String(ks[i]) : j === i + 1 ? `${String(ks[i])}, ${String(ks[j])}` : `${String(ks[i])}-${String(ks[j])}`);
    i = j + 1;
  }
  return `imputations ${runs.join(', ')} (${String(ks.length)} of ${String(m)})`;
}

/** The `n_dropped` block of a result. */
export function droppedJson(md: ModelData): JsonObject {
  return { n_dropped: md.nDropped, dropped: md.dropped.map((d) => ({ variable: d.variable, rows: d.rows })) };
}

/** The fields every pooled (multiply-imputed) fit result starts with: its model, sample and pooling. */
export function pooledHeader(modelType: string, md: ModelData, imputations: number, level: number): JsonObject {
  return { model_type: modelType, formula: md.design.formula, n: md.n, ...droppedJson(md), imputations, ci_method: 'rubin', level };
}

export interface Row {
  term: string;
  estimate: number;
  std_error: number;
  statistic: number;
  p_value: number;
  conf_low: number;
  conf_high: number;
  [extra: string]: number | string;
}

/** Wald rows: statistic = estimate/SE, p two-sided from t(df) or the normal, CI estimate ± q·SE. */
export function waldRows(names: readonly string[], est: ArrayLike<number>, se: ArrayLike<number>, level: number, df: number | ArrayLike<number>, useT: boolean): Row[] {
  return names.map((term, j) => {
    const d = typeof df === 'number' ? df : df[j]!;
    const s = se[j]!;
    const b = est[j]!;
    const stat = b / s;
    const q = useT ? qt(1 - (1 - level) / 2, d) : qnorm(1 - (1 - level) / 2);
    const p = useT ? 2 * pt(-Math.abs(stat), d) : 2 * pnorm(-Math.abs(stat));
    return { term, estimate: b, std_error: s, statistic: stat, p_value: p, conf_low: b - q * s, conf_high: b + q * s };
  });
}

/** Rubin's rules over the fits of the m imputations: rows with the pooling columns, and the pooled total covariance. */
export function pooled(fits: readonly SingleFit[], level: number): { rows: Row[]; vcov: Float64Array; m: number } {
  const first = fits[0]!;
  const p = first.names.length;
  for (const f of fits) {
    if (f.names.join('\u0000') !== first.names.join('\u0000')) {
      throw new DataError('the imputed data sets give models with different terms (a factor level is missing from one imputation)', { hint: `imputation terms: ${f.names.join(', ')}` });
    }
  }
  const dfcom = first.useT ? first.dfcom : first.dfcom;
  const pool = poolRubin(
    fits.map((f) => f.estimate),
    fits.map((f) => f.vcov),
    dfcom,
  );
  const m = fits.length;
  // T = Ū + (1 + 1/m) B as full matrices (mice pools only the diagonal)
  const vcov = new Float64Array(p * p);
  const mean = pool.estimate;
  for (const f of fits) for (let r = 0; r < p * p; r++) vcov[r] = vcov[r]! + f.vcov[r]! / m;
  for (let r = 0; r < p; r++) {
    for (let c = 0; c < p; c++) {
      let s = 0;
      for (const f of fits) s += (f.estimate[r]! - mean[r]!) * (f.estimate[c]! - mean[c]!);
      vcov[r * p + c] = vcov[r * p + c]! + (1 + 1 / m) * (s / (m - 1));
    }
  }
  const se = pool.t.map(Math.sqrt);
  // mice's summary(pool): t-based tests and intervals on the Barnard–Rubin df
  const rows = waldRows(first.names, pool.estimate, se, level, pool.df, true).map((row, j) => ({
    ...row,
    ubar: pool.ubar[j]!,
    b: pool.b[j]!,
    t: pool.t[j]!,
    df: pool.df[j]!,
    riv: pool.riv[j]!,
    lambda: pool.lambda[j]!,
    fmi: pool.fmi[j]!,
  }));
  return { rows, vcov, m };
}

/** The covariance as JSON: names and rows. */
export function vcovJson(names: readonly string[], vcov: Float64Array): JsonObject {
  return { terms: [...names], matrix: toRows(vcov, names.length) };
}

/** Rows as a Table (written as `<step>.coefficients.csv`). */
export function rowsTable(rows: readonly Row[]): Table {
  const keys = rows.length === 0 ? ['term'] : Object.keys(rows[0]!);
  const cols: [string, Column][] = keys.map((k): [string, Column] =>
    k === 'term'
      ? [k, { type: 'string', values: rows.map((r) => r.term) }]
      : [k, { type: 'number', values: Float64Array.from(rows, (r) => (typeof r[k] === 'number' ? r[k] : NaN)) }],
  );
  return makeTable(cols);
}

/** Adds exp(estimate) and its interval under `name` (odds_ratio, common_or), optionally for exp(−β). */
export function withExp(rows: Row[], name: string, sign: 1 | -1 = 1): Row[] {
  return rows.map((r) => {
    const lo = Math.exp(sign * (sign === 1 ? r.conf_low : r.conf_high));
    const hi = Math.exp(sign * (sign === 1 ? r.conf_high : r.conf_low));
    return { ...r, [name]: Math.exp(sign * r.estimate), [`${name}_conf_low`]: lo, [`${name}_conf_high`]: hi };
  });
}

export function rowsJson(rows: readonly Row[]): Json {
  return rows.map((r) => ({ ...r }));
}
