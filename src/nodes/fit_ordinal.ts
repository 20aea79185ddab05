/**
 * `kind: fit_ordinal` — the proportional-odds (cumulative logit) model of an ordinal outcome such as
 * the 90-day mRS, as `ordinal::clm`: logit P(Y ≤ j) = θ_j − x'β. Reports thresholds, coefficients, the
 * common odds ratio of a better outcome (`favourable: low` → exp(−β)), optionally merged categories,
 * the nominal (LR) test and the Brant test of the PO assumption. An imputed input is pooled by
 * Rubin's rules. See docs/steps/fit_ordinal.md.
 */
import { fitOutputTables } from './fit-tables.js';
import { withFitFlow } from './flow-record.js';
import type { StepKind } from './kind.js';
import type { Json, JsonObject } from '../data/canonical.js';
import type { Table } from '../data/table.js';
import { DataError } from '../errors.js';
import { buildDesign, checkFullRank, type ModelData } from '../stats/design.js';
import { parseFormula, type Formula } from '../stats/formula.js';
import { fitOrdinal, nominalTest, responseCategories, thresholdNames } from '../stats/ordinal.js';
import { brantTest } from '../stats/brant.js';
import { weightedCrossprod } from '../stats/linalg.js';
import { countRows, sampleDesign, sampleRows, type SampleDesign } from '../stats/sample-design.js';
import { pooledRandomJson, checkNAGQ, normaliseNAGQ, fitMixedDesign, mixedCommonJson, mixedRows, mixedWarnings, nAGQProperty, randomEffectsJson, randomModelJson, reportedParameters } from './fit-mixed.js';
import { checkFitParams, formulaText, droppedJson, fitSchema, fitTables, imputationWarnings, normaliseFitParams, parsedFormula, pooled, pooledHeader, rowsJson, rowsTable, vcovJson, waldRows, withExp, type CheckProblem, type FitParams, type Row, type SingleFit } from './fit-common.js';

export interface FitOrdinalParams extends FitParams {
  readonly nAGQ?: number;
  readonly merge?: readonly (readonly (string | number)[])[];
  readonly favourable?: 'low' | 'high';
  readonly nominal_test?: boolean | readonly string[];
  readonly brant?: boolean;
  readonly max_categories?: number;
}

interface OrdinalSingle extends SingleFit {
  readonly warnings: readonly string[];
  readonly nThresholds: number;
}

/** The model's formula: clm's thresholds are its intercept, so a "- 1" is taken out (with a warning). */
function ordinalFormula(params: FitOrdinalParams, step: string): { formula: Formula; warnings: string[] } {
  let formula = parsedFormula(params, step);
  const warnings: string[] = [];
  if (!formula.intercept) {
    // clm: the thresholds are the intercept; a "- 1" would turn a factor into indicators of every level
    formula = { ...formula, intercept: true, text: formula.text.replace(/ - 1$/, '') };
    warnings.push('"- 1" has no effect in an ordinal model: the thresholds play the intercept');
  }
  return { formula, warnings };
}

export function fitOneOrdinal(params: FitOrdinalParams, table: Table, step: string, tests: boolean): OrdinalSingle {
  const { formula, warnings } = ordinalFormula(params, step);
  if (formula.random.length > 0) return fitOneOrdinalMixed(params, formula, table);
  const md = buildDesign(formula, table, { weights: params.weights, reference: params.reference });
  return fitDesign(params, md, () => responseCategories(md.response!, params.merge ?? []), warnings, tests);
}

/** The fit and its result, from the design (its weights: case weights, or a row sample's counts) and its outcome's categories. */
function fitDesign(params: FitOrdinalParams, md: ModelData, categories: () => ReturnType<typeof responseCategories>, warnings: string[], tests: boolean): OrdinalSingle {
  checkFullRank(md.design, md.X, md.n, md.p, weightedCrossprod(md.X, md.n, md.p, md.weights, new Float64Array(md.p * md.p)));
  const cats = categories();
  checkCategoryCount(cats.labels, md.design.response?.label ?? 'the outcome', params.max_categories ?? MAX_CATEGORIES);
  if (cats.dropped.length > 0) warnings.push(`outcome categories with no rows were dropped: ${cats.dropped.join(', ')}`);
  if (cats.labels.length < 3 && cats.labels.length > 0) warnings.push(`the ordinal outcome has only ${cats.labels.length} categories (a logistic model)`);
  const J = cats.labels.length;
  const p = md.p - 1;
  const X = md.X.subarray(md.n); // without the intercept column
  const names = md.design.columns.slice(1);
  const terms = md.design.columnTerms.slice(1);
  const fit = fitOrdinal(X, md.n, p, cats.codes, J, { weights: md.weights, columns: names, columnTerms: terms });
  warnings.push(...fit.warnings);
  const level = params.level ?? 0.95;
  const K = J - 1;
  const thNames = thresholdNames(cats.labels);
  const allNames = [...thNames, ...names];
  const all = waldRows(allNames, fit.par, fit.stdErrors, level, Infinity, false);
  const sign = (params.favourable ?? 'low') === 'low' ? -1 : 1;
  const coefRows = withExp(all.slice(K), 'common_or', sign);
  const counts = new Array<number>(J).fill(0);
  cats.codes.forEach((c, i) => (counts[c] = counts[c]! + (md.weights === undefined ? 1 : md.weights[i]!)));
  const value: Record<string, Json> = {
    model_type: 'ordinal',
    formula: md.design.formula,
    n: md.n,
    nobs: fit.nobs,
    ...droppedJson(md),
    categories: cats.labels.map((label, j) => ({ label, n: counts[j]! })),
    favourable: params.favourable ?? 'low',
    level,
    coefficients: rowsJson(coefRows),
    thresholds: rowsJson(all.slice(0, K)),
    vcov: vcovJson(allNames, fit.vcov),
    loglik: fit.loglik,
    aic: fit.aic,
    bic: fit.bic,
    edf: fit.edf,
    converged: fit.converged,
    iterations: fit.iterations,
    max_gradient: fit.maxGradient,
    cond_hessian: fit.condH,
    warnings,
    model: {
      family: 'cumulative',
      link: 'logit',
      design: md.design as unknown as JsonObject,
      categories: cats.labels,
      thresholds: Array.from(fit.thresholds),
      coefficients: Array.from(fit.beta),
      vcov: vcovJson(allNames, fit.vcov),
    },
  };
  if (tests && params.nominal_test !== undefined && params.nominal_test !== false) {
    const wanted = params.nominal_test === true ? md.design.terms.map((t) => t.label) : params.nominal_test;
    const groups = wanted.map((term) => {
      const columns = terms.map((t, j) => (t === term ? j : -1)).filter((j) => j >= 0);
      if (columns.length === 0) throw new DataError(`nominal_test: "${term}" is not a term of the model`, { hint: `the terms are: ${md.design.terms.map((t) => t.label).join(', ')}` });
      return { term, columns };
    });
    value.nominal_test = nominalTest(X, md.n, p, cats.codes, J, fit, groups, md.weights).map((r) => ({ ...r, error: r.error ?? null }));
  }
  if (tests && params.brant === true) {
    if (md.weights !== undefined) throw new DataError('brant: the Brant test is defined for unweighted data', { hint: 'use nominal_test with case weights' });
    const b = brantTest(md.X, md.n, md.p, cats.codes, J, md.design.columns);
    value.brant = { omnibus: { ...b.omnibus }, terms: b.terms.map((t) => ({ ...t })) };
  }
  return { names: allNames, estimate: fit.par, vcov: fit.vcov, dfcom: fit.nobs - fit.edf, useT: false, md, value, warnings, nThresholds: K };
}

/** More outcome categories than this is taken for a continuous outcome given to an ordinal model (the mRS has 7). */
export const MAX_CATEGORIES = 20;

/** An ordinal model of a continuous outcome would fit one threshold per distinct value, slowly and meaninglessly. */
function checkCategoryCount(labels: readonly string[], outcome: string, max: number): void {
  if (labels.length <= max) return;
  throw new DataError(`the ordinal outcome "${outcome}" has ${labels.length} categories (${labels.slice(0, 5).join(', ')}, …): an ordinal model fits a threshold between each two, at most ${max} are allowed`, {
    hint: `a continuous outcome takes fit_linear; else cut it into categories in a derive step, pool categories with merge:, or raise max_categories: if ${labels.length} is meant`,
  });
}

/** The mixed-effects fit (clmm): a random intercept or intercept and slope for one grouping factor. */
function fitOneOrdinalMixed(params: FitOrdinalParams, formula: Formula, table: Table): OrdinalSingle {
  if (params.nominal_test !== undefined && params.nominal_test !== false) throw new DataError('nominal_test is not available for a mixed model (as clmm)', { hint: 'test proportional odds on the fixed-effects model: a second fit_ordinal step without the random-effect term' });
  if (params.brant === true) throw new DataError('brant is not available for a mixed model', { hint: 'run the Brant test on the fixed-effects model: a second fit_ordinal step without the random-effect term' });
  const extra: string[] = [];
  let labels: string[] = [];
  const fitted = fitMixedDesign(formula, table, { weights: params.weights, reference: params.reference, nAGQ: params.nAGQ }, (md) => {
    const cats = responseCategories(md.response!, params.merge ?? []);
    if (cats.dropped.length > 0) extra.push(`outcome categories with no rows were dropped: ${cats.dropped.join(', ')}`);
    if (cats.labels.length < 3) extra.push(`the ordinal outcome has only ${cats.labels.length} categories (a logistic model)`);
    checkCategoryCount(cats.labels, md.design.response?.label ?? 'the outcome', params.max_categories ?? MAX_CATEGORIES);
    labels = cats.labels;
    return { codes: cats.codes, J: cats.labels.length, thresholdNames: thresholdNames(cats.labels) };
  });
  const { md, result } = fitted;
  const warnings = [...extra, ...mixedWarnings(fitted)];
  const level = params.level ?? 0.95;
  const K = labels.length - 1;
  const p = md.p - 1;
  const rep = reportedParameters(fitted);
  const all = mixedRows(fitted.names, rep.estimate, rep.vcov, K + p, level);
  const sign = (params.favourable ?? 'low') === 'low' ? -1 : 1;
  const coefRows = withExp(all.slice(K), 'common_or', sign);
  const counts = new Array<number>(labels.length).fill(0);
  fitted.categories.codes.forEach((c, i) => (counts[c] = counts[c]! + (md.weights === undefined ? 1 : md.weights[i]!)));
  const names = fitted.names.slice(0, K + p);
  const npar = fitted.names.length;
  const fixedVcov = new Float64Array((K + p) * (K + p));
  for (let r = 0; r < K + p; r++) for (let c = 0; c < K + p; c++) fixedVcov[r * (K + p) + c] = rep.vcov[r * npar + c]!;
  const random = randomEffectsJson(fitted, 1);
  const value: Record<string, Json> = {
    model_type: 'ordinal',
    mixed: true,
    ...mixedCommonJson(fitted, fitted.names, rep.estimate, rep.vcov),
    nobs: md.weights === undefined ? md.n : md.weights.reduce((a, b) => a + b, 0),
    categories: labels.map((label, j) => ({ label, n: counts[j]! })),
    favourable: params.favourable ?? 'low',
    level,
    ci_method: 'wald',
    coefficients: rowsJson(coefRows),
    thresholds: rowsJson(all.slice(0, K)),
    random_effects: random,
    warnings,
    model: {
      family: 'cumulative',
      link: 'logit',
      design: md.design as unknown as JsonObject,
      categories: labels,
      thresholds: Array.from(rep.estimate.subarray(0, K)),
      coefficients: Array.from(rep.estimate.subarray(K, K + p)),
      vcov: vcovJson(names, fixedVcov),
      random: randomModelJson(fitted, 1),
    },
  };
  return { names, estimate: rep.estimate.slice(0, K + p), vcov: fixedVcov, dfcom: (value.nobs as number) - result.fit.edf, useT: false, md, value, warnings, nThresholds: K };
}

function checkOrdinal(p: FitOrdinalParams): CheckProblem[] {
  const problems = checkFitParams(p);
  if (problems.length === 0) problems.push(...checkNAGQ(p, parseFormula(formulaText(p))));
  (p.merge ?? []).forEach((g, k) => {
    if (g.length < 2) problems.push({ path: `merge[${k}]`, message: 'a merge group needs at least two categories', hint: 'merge: [[5, 6]]' });
  });
  return problems;
}

/**
 * The row-samples fast path (StepKind.rowSamples, stats/sample-design.ts): the design and the outcome's categories
 * built once on the whole table; a sample is its distinct complete rows with their counts as frequency
 * weights — clm's likelihood of the rows repeated (ordinal.ts takes weights as frequencies: nobs = Σ w).
 * The estimates are those of `run` on takeRows(table, rows) to the fit's convergence criteria (the rows are
 * summed in another order). For the plain model only: without case weights, the nominal and Brant tests, or
 * outcome categories missing from the whole table; a sample missing an outcome category, with a constant
 * term or an empty factor level is left to `run` (undefined).
 */
interface OrdinalSampleData {
  readonly md: Pick<ModelData, 'design' | 'X' | 'n' | 'p'>;
  readonly codes: Int32Array;
  readonly labels: readonly string[];
  readonly formulaWarnings: readonly string[];
  readonly rows: SampleDesign;
}

function ordinalSampleData(params: FitOrdinalParams, table: Table): OrdinalSampleData | undefined {
  if (params.weights !== undefined || (params.nominal_test !== undefined && params.nominal_test !== false) || params.brant === true) return undefined;
  try {
    const { formula, warnings } = ordinalFormula(params, 'rows');
    if (formula.random.length > 0) return undefined; // a mixed model's replicates run the step
    const md = buildDesign(formula, table, { reference: params.reference });
    const cats = responseCategories(md.response!, params.merge ?? []);
    const rows = sampleDesign(formula, table, md.rows);
    if (cats.dropped.length > 0 || rows === undefined) return undefined;
    return { md: { design: md.design, X: md.X, n: md.n, p: md.p }, codes: cats.codes, labels: cats.labels, formulaWarnings: warnings, rows };
  } catch {
    return undefined; // `run` reports what is wrong
  }
}

function ordinalSamplePlan(params: FitOrdinalParams, data: OrdinalSampleData | undefined): ((rows: Int32Array) => JsonObject | undefined) | undefined {
  if (data === undefined) return undefined;
  const { md, codes, labels, formulaWarnings } = data;
  const completeRows = sampleRows(data.rows);
  const present = new Int32Array(labels.length);
  return (rows) => {
    const s = completeRows(rows);
    if (s === undefined) return undefined;
    const { rows: distinct, counts } = countRows(s.keep, s.n, md.n);
    const m = distinct.length;
    present.fill(0);
    for (let t = 0; t < m; t++) present[codes[distinct[t]!]!] = 1;
    if (present.includes(0)) return undefined; // run would drop the category
    const X = new Float64Array(m * md.p);
    for (let j = 0; j < md.p; j++) for (let t = 0; t < m; t++) X[j * m + t] = md.X[j * md.n + distinct[t]!]!;
    const sample: ModelData = { design: md.design, X, n: m, p: md.p, response: undefined, weights: counts, rows: distinct, nDropped: rows.length - s.n, dropped: s.dropped };
    const one = fitDesign(params, sample, () => ({ codes: Int32Array.from(distinct, (i) => codes[i]!), labels: [...labels], dropped: [] }), [...formulaWarnings], false);
    // the sample's rows are its complete rows, each as often as it was drawn
    return { ...one.value, n: s.n };
  };
}

export const fitOrdinalStep: StepKind<FitOrdinalParams> = {
  kind: 'fit_ordinal',
  version: 9,
  produces: 'fit:ordinal',
  summary: 'Proportional-odds (cumulative logit) model of an ordinal outcome such as the mRS, as ordinal::clm: common odds ratio, thresholds, PO tests',
  params: fitSchema({
    merge: {
      type: 'array',
      items: { type: 'array', items: { type: ['string', 'number'] }, minItems: 2 },
      default: [],
      description: 'Groups of outcome categories to pool, e.g. [[5, 6]] for mRS 5–6.',
    },
    favourable: { enum: ['low', 'high'], default: 'low', description: 'Which end of the scale is better: common_or is the odds ratio of a better outcome (exp(−β) when low is better).' },
    nominal_test: {
      anyOf: [{ type: 'boolean' }, { type: 'array', items: { type: 'string' } }],
      default: false,
      description: 'Likelihood-ratio test of proportional odds (ordinal::nominal_test): true for every term, or a list of terms.',
    },
    brant: { type: 'boolean', default: false, description: 'The Brant (1990) test of proportional odds, per column and omnibus.' },
    // no schema default: it would enter every fit_ordinal step's key
    max_categories: { type: 'integer', minimum: 2, description: `Most outcome categories accepted (default ${MAX_CATEGORIES}); more is taken for a continuous outcome.` },
    nAGQ: nAGQProperty,
  }),
  inputs: ['input'],
  accepts: { input: ['table', 'imputed'] },
  check: checkOrdinal,
  normalise: (p) => normaliseNAGQ(normaliseFitParams(p)),
  rowSamples: { prepare: ordinalSampleData, plan: (params, _table, data) => ordinalSamplePlan(params, data as OrdinalSampleData | undefined) },
  run(params, inputs, ctx) {
    const { tables, imputed } = fitTables(inputs, params.input, 'fit_ordinal');
    if (!imputed) {
      const one = fitOneOrdinal(params, tables[0]!, ctx.step, true);
      one.warnings.forEach((w) => { ctx.warn(w); });
      return { type: 'result', value: withFitFlow(one.value, inputs, params.input, ctx.step, 'fit_ordinal', one.md), tables: fitOutputTables(one.value, rowsTable(one.value.coefficients as unknown as Row[]), params, ctx.step) };
    }
    const fits = tables.map((t) => fitOneOrdinal(params, t, ctx.step, false));
    const warnings = imputationWarnings(fits);
    warnings.forEach((w) => { ctx.warn(w); });
    const level = params.level ?? 0.95;
    const pool = pooled(fits, level);
    const first = fits[0]!;
    const K = first.nThresholds;
    const sign = (params.favourable ?? 'low') === 'low' ? -1 : 1;
    const coefRows = withExp(pool.rows.slice(K), 'common_or', sign);
    const mixed = pooledRandomJson(fits.map((f) => f.value));
    const value: JsonObject = {
      ...pooledHeader('ordinal', first.md, pool.m, level),
      ...(mixed.random_effects === undefined ? {} : { mixed: true, random_effects: mixed.random_effects }),
      favourable: params.favourable ?? 'low',
      coefficients: rowsJson(coefRows),
      thresholds: rowsJson(pool.rows.slice(0, K)),
      vcov: vcovJson(first.names, pool.vcov),
      loglik: null,
      aic: null,
      bic: null,
      converged: fits.every((f) => f.value.converged === true),
      iterations: fits.map((f) => f.value.iterations as number),
      per_imputation: fits.map((f) => ({ loglik: f.value.loglik ?? null, aic: f.value.aic ?? null, converged: f.value.converged ?? null, iterations: f.value.iterations ?? null })),
      warnings,
      model: {
        family: 'cumulative',
        link: 'logit',
        design: first.md.design as unknown as JsonObject,
        categories: (first.value.model as JsonObject).categories ?? null,
        thresholds: pool.rows.slice(0, K).map((r) => r.estimate),
        coefficients: pool.rows.slice(K).map((r) => r.estimate),
        vcov: vcovJson(first.names, pool.vcov),
        ...(mixed.random === undefined ? {} : { random: mixed.random }),
      },
    };
    return { type: 'result', value: withFitFlow(value, inputs, params.input, ctx.step, 'fit_ordinal', first.md), tables: fitOutputTables(value, rowsTable(coefRows), params, ctx.step) };
  },
};
