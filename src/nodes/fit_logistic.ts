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
import { parseFormula, type Formula } from '../stats/formula.js';
import { pooledRandomJson, checkNAGQ, normaliseNAGQ, fitMixedDesign, mixedCommonJson, mixedRows, mixedWarnings, nAGQProperty, randomEffectsJson, randomModelJson, reportedParameters } from './fit-mixed.js';
import { checkFitParams, formulaText, droppedJson, fitSchema, fitTables, imputationWarnings, normaliseFitParams, parsedFormula, pooled, pooledHeader, rowsJson, rowsTable, vcovJson, waldRows, withExp, type FitParams, type SingleFit } from './fit-common.js';

export interface FitLogisticParams extends FitParams {
  readonly ci?: 'profile' | 'wald';
  readonly nAGQ?: number;
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
  if (formula.random.length > 0) return fitOneLogisticMixed(params, formula, table);
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

/**
 * The mixed-effects logistic fit (glmer): the two-category cumulative model of fit-mixed.ts, reported as
 * glmer reports it — intercept θ, coefficients −β, modes −b_i (P(y = 1) = F(θ − x'β − b) = plogis(β₀ + x'β_glmer + b_glmer)).
 */
function fitOneLogisticMixed(params: FitLogisticParams, formula: Formula, table: Table): SingleFit & { warnings: readonly string[] } {
  const fitted = fitMixedDesign(formula, table, { weights: params.weights, reference: params.reference, nAGQ: params.nAGQ }, (md) => {
    const y = binaryOutcome(md);
    const codes = new Int32Array(md.n);
    for (let i = 0; i < md.n; i++) {
      const v = y[i]!;
      if (v !== 0 && v !== 1) throw new DataError(`the mixed logistic model needs a 0/1 outcome; row ${md.rows[i]! + 1} has ${v}`, { hint: 'give each patient a row (no proportions with weights)' });
      codes[i] = v === 1 ? 0 : 1; // category 0 is "y = 1": P(y = 1) = F(θ − x'β − b)
    }
    return { codes, J: 2, thresholdNames: ['(Intercept)'] };
  });
  const { md } = fitted;
  const rep = reportedParameters(fitted);
  const npar = fitted.names.length;
  const p = md.p; // with the intercept
  // glmer's sign: β → −β (rows and columns of the covariance too); the intercept and RE parameters keep theirs
  const flip = (j: number): number => (j >= 1 && j < p ? -1 : 1);
  const estimate = Float64Array.from(rep.estimate, (v, j) => flip(j) * v);
  const vcov = Float64Array.from(rep.vcov, (v, k) => flip(Math.floor(k / npar)) * flip(k % npar) * v);
  const level = params.level ?? 0.95;
  const rows = withExp(mixedRows(fitted.names, estimate, vcov, p, level), 'odds_ratio');
  const names = fitted.names.slice(0, p);
  const fixedVcov = new Float64Array(p * p);
  for (let r = 0; r < p; r++) for (let c = 0; c < p; c++) fixedVcov[r * p + c] = vcov[r * npar + c]!;
  const warnings = mixedWarnings(fitted);
  const value: JsonObject = {
    model_type: 'logistic',
    mixed: true,
    ...mixedCommonJson(fitted, fitted.names, estimate, vcov),
    ci_method: 'wald',
    level,
    coefficients: rowsJson(rows),
    random_effects: randomEffectsJson(fitted, -1),
    warnings,
    model: { family: 'binomial', link: 'logit', design: md.design as unknown as JsonObject, coefficients: Array.from(estimate.subarray(0, p)), vcov: vcovJson(names, fixedVcov), random: randomModelJson(fitted, -1) },
  };
  const nobs = md.weights === undefined ? md.n : md.weights.reduce((a, b) => a + b, 0);
  return { names, estimate: estimate.slice(0, p), vcov: fixedVcov, dfcom: nobs - fitted.result.fit.edf, useT: false, md, value, warnings };
}

export const fitLogisticStep: StepKind<FitLogisticParams> = {
  kind: 'fit_logistic',
  version: 6,
  produces: 'fit:logistic',
  summary: "Logistic regression of a 0/1 outcome, as R's glm(family = binomial): odds ratios, Wald or profile-likelihood CIs",
  params: fitSchema({
    ci: { enum: ['profile', 'wald'], default: 'profile', description: 'Confidence intervals: profile likelihood (as R\'s confint) or Wald (confint.default). A mixed model (random-effect term) always has Wald intervals.' },
    on_separation: { enum: ['error', 'warn'], default: 'error', description: 'Separation or non-convergence: stop with an error naming the term, or return R\'s fit with warnings.' },
    nAGQ: nAGQProperty,
  }),
  inputs: ['input'],
  accepts: { input: ['table', 'imputed'] },
  check: (p) => {
    const problems = checkFitParams(p);
    return problems.length > 0 ? problems : checkNAGQ(p, parseFormula(formulaText(p)));
  },
  normalise: (p) => normaliseNAGQ(normaliseFitParams(p)),
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
    const mixed = pooledRandomJson(fits.map((f) => f.value));
    const value: JsonObject = {
      ...pooledHeader('logistic', first.md, pool.m, level),
      ...(mixed.random_effects === undefined ? {} : { mixed: true, random_effects: mixed.random_effects }),
      coefficients: rowsJson(rows),
      vcov: vcovJson(first.names, pool.vcov),
      loglik: null,
      aic: null,
      bic: null,
      converged: fits.every((f) => f.value.converged === true),
      iterations: fits.map((f) => f.value.iterations as number),
      per_imputation: fits.map((f) => ({ loglik: f.value.loglik ?? null, aic: f.value.aic ?? null, bic: f.value.bic ?? null, converged: f.value.converged ?? null, iterations: f.value.iterations ?? null })),
      warnings,
      model: {
        family: 'binomial',
        link: 'logit',
        design: first.md.design as unknown as JsonObject,
        coefficients: rows.map((r) => r.estimate),
        vcov: vcovJson(first.names, pool.vcov),
        ...(mixed.random === undefined ? {} : { random: mixed.random }),
      },
    };
    return { type: 'result', value: withFitFlow(value, inputs, params.input, ctx.step, 'fit_logistic', first.md), tables: fitOutputTables(value, rowsTable(rows), params, ctx.step) };
  },
};
