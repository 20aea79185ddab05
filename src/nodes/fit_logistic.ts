/**
 * `kind: fit_logistic` — logistic regression (R's `glm(family = binomial)`) of a 0/1 outcome, with
 * Wald or profile-likelihood (MASS `confint`) intervals and odds ratios. An imputed input is fitted
 * per imputation and pooled by Rubin's rules. See docs/steps/fit_logistic.md.
 */
import { fitOutputTables } from './fit-tables.js';
import { withFitFlow } from './flow-record.js';
import type { StepKind } from './kind.js';
import type { JsonObject } from '../data/canonical.js';
import type { Table } from '../data/table.js';
import { DataError } from '../errors.js';
import { buildDesign, checkFullRank, type ModelData } from '../stats/design.js';
import { fitLogistic, profileConfint } from '../stats/logistic.js';
import { weightedCrossprod } from '../stats/linalg.js';
import { checkFitParams, droppedJson, fitSchema, fitTables, imputationWarnings, normaliseFitParams, parsedFormula, pooled, pooledHeader, rowsJson, rowsTable, vcovJson, waldRows, withExp, type FitParams, type SingleFit } from './fit-common.js';

export interface FitLogisticParams extends FitParams {
  readonly ci?: 'profile' | 'wald';
  readonly on_separation?: 'error' | 'warn';
}

/** The 0/1 outcome: numbers in [0, 1] (comparisons give 0/1), or a two-level factor (second level = 1, as glm). */
export function binaryOutcome(md: ModelData): Float64Array {
  const r = md.response!;
  if (r.type === 'number') return r.values;
  if (r.levels.length !== 2) {
    throw new DataError(`the logistic outcome "${md.design.response?.label ?? ''}" is a factor with ${r.levels.length} levels; it needs 2`, { hint: 'use a comparison such as "mrs90 <= 2" as the outcome' });
  }
  return Float64Array.from(r.codes, (c) => (c > 0 ? 1 : 0));
}

export function fitOneLogistic(params: FitLogisticParams, table: Table, step: string, withProfile: boolean): SingleFit & { warnings: readonly string[] } {
  const formula = parsedFormula(params, step);
  const md = buildDesign(formula, table, { weights: params.weights, reference: params.reference });
  const y = binaryOutcome(md);
  checkFullRank(md.design, md.X, md.n, md.p, weightedCrossprod(md.X, md.n, md.p, md.weights, new Float64Array(md.p * md.p)));
  const names = md.design.columns;
  const fit = fitLogistic(md.X, md.n, md.p, y, { weights: md.weights, columns: names, columnTerms: md.design.columnTerms, onFailure: params.on_separation ?? 'error', intercept: md.design.intercept });
  const level = params.level ?? 0.95;
  let rows = waldRows(names, fit.coefficients, fit.stdErrors, level, Infinity, false);
  if (withProfile) {
    const ci = profileConfint(fit, md.X, md.n, md.p, y, { weights: md.weights, level });
    rows = rows.map((r, j) => ({ ...r, conf_low: ci.low[j]!, conf_high: ci.high[j]! }));
  }
  rows = withExp(rows, 'odds_ratio');
  const value: JsonObject = {
    model_type: 'logistic',
    formula: md.design.formula,
    n: md.n,
    ...droppedJson(md),
    ci_method: withProfile ? 'profile' : 'wald',
    level,
    coefficients: rowsJson(rows),
    vcov: vcovJson(names, fit.vcov),
    loglik: fit.loglik,
    deviance: fit.deviance,
    null_deviance: fit.nullDeviance,
    df_residual: fit.dfResidual,
    df_null: fit.dfNull,
    aic: fit.aic,
    bic: fit.bic,
    converged: fit.converged,
    iterations: fit.iterations,
    warnings: [...fit.warnings],
    model: { family: 'binomial', link: 'logit', design: md.design as unknown as JsonObject, coefficients: Array.from(fit.coefficients), vcov: vcovJson(names, fit.vcov) },
  };
  return { names, estimate: fit.coefficients, vcov: fit.vcov, dfcom: fit.dfResidual, useT: false, md, value, warnings: fit.warnings };
}

export const fitLogisticStep: StepKind<FitLogisticParams> = {
  kind: 'fit_logistic',
  version: 4,
  produces: 'fit:logistic',
  summary: "Logistic regression of a 0/1 outcome, as R's glm(family = binomial): odds ratios, Wald or profile-likelihood CIs",
  params: fitSchema({
    ci: { enum: ['profile', 'wald'], default: 'profile', description: 'Confidence intervals: profile likelihood (as R\'s confint) or Wald (confint.default).' },
    on_separation: { enum: ['error', 'warn'], default: 'error', description: 'Separation or non-convergence: stop with an error naming the term, or return R\'s fit with warnings.' },
  }),
  inputs: ['input'],
  accepts: { input: ['table', 'imputed'] },
  check: checkFitParams,
  normalise: normaliseFitParams,
  run(params, inputs, ctx) {
    const { tables, imputed } = fitTables(inputs, params.input, 'fit_logistic');
    if (!imputed) {
      const one = fitOneLogistic(params, tables[0]!, ctx.step, (params.ci ?? 'profile') === 'profile');
      one.warnings.forEach((w) => { ctx.warn(w); });
      return { type: 'result', value: withFitFlow(one.value, inputs, params.input, ctx.step, 'fit_logistic', one.md), tables: fitOutputTables(one.value, rowsTable((one.value.coefficients as unknown as Parameters<typeof rowsTable>[0])), params, ctx.step) };
    }
    const fits = tables.map((t) => fitOneLogistic(params, t, ctx.step, false));
    const warnings = imputationWarnings(fits);
    warnings.forEach((w) => { ctx.warn(w); });
    const level = params.level ?? 0.95;
    const pool = pooled(fits, level);
    const rows = withExp(pool.rows, 'odds_ratio');
    const first = fits[0]!;
    const value: JsonObject = {
      ...pooledHeader('logistic', first.md, pool.m, level),
      coefficients: rowsJson(rows),
      vcov: vcovJson(first.names, pool.vcov),
      loglik: null,
      aic: null,
      bic: null,
      converged: fits.every((f) => f.value.converged === true),
      iterations: fits.map((f) => f.value.iterations as number),
      per_imputation: fits.map((f) => ({ loglik: f.value.loglik ?? null, aic: f.value.aic ?? null, bic: f.value.bic ?? null, converged: f.value.converged ?? null, iterations: f.value.iterations ?? null })),
      warnings,
      model: { family: 'binomial', link: 'logit', design: first.md.design as unknown as JsonObject, coefficients: rows.map((r) => r.estimate), vcov: vcovJson(first.names, pool.vcov) },
    };
    return { type: 'result', value: withFitFlow(value, inputs, params.input, ctx.step, 'fit_logistic', first.md), tables: fitOutputTables(value, rowsTable(rows), params, ctx.step) };
  },
};
