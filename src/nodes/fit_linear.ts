/**
 * `kind: fit_linear` — least squares (R's `lm`), optionally weighted: estimates, SEs, t tests, CIs,
 * R², adjusted R², residual SE. An imputed input is fitted per imputation and pooled by Rubin's rules.
 * See docs/steps/fit_linear.md.
 */
import { fitOutputTables } from './fit-tables.js';
import { withFitFlow } from './flow-record.js';
import type { StepKind } from './kind.js';
import type { JsonObject } from '../data/canonical.js';
import type { Table } from '../data/table.js';
import { DataError } from '../errors.js';
import { buildDesign, checkFullRank } from '../stats/design.js';
import { fitLinear } from '../stats/linear.js';
import { weightedCrossprod } from '../stats/linalg.js';
import { checkFitParams, noRandomTerm, droppedJson, fitSchema, fitTables, normaliseFitParams, parsedFormula, pooled, pooledHeader, rowsJson, rowsTable, vcovJson, waldRows, type FitParams, type SingleFit } from './fit-common.js';

export function fitOneLinear(params: FitParams, table: Table, step: string): SingleFit {
  const formula = parsedFormula(params, step);
  const md = buildDesign(formula, table, { weights: params.weights, reference: params.reference });
  if (md.response?.type !== 'number') throw new DataError(`the outcome of a linear model must be numeric; "${md.design.response?.label ?? ''}" is a factor`);
  checkFullRank(md.design, md.X, md.n, md.p, weightedCrossprod(md.X, md.n, md.p, md.weights, new Float64Array(md.p * md.p)));
  const names = md.design.columns;
  const fit = fitLinear(md.X, md.n, md.p, md.response.values, { weights: md.weights, intercept: md.design.intercept });
  const level = params.level ?? 0.95;
  const rows = waldRows(names, fit.coefficients, fit.stdErrors, level, fit.dfResidual, true);
  const value: JsonObject = {
    model_type: 'linear',
    formula: md.design.formula,
    n: md.n,
    ...droppedJson(md),
    level,
    coefficients: rowsJson(rows),
    vcov: vcovJson(names, fit.vcov),
    sigma: fit.sigma,
    df_residual: fit.dfResidual,
    r_squared: fit.rSquared,
    adj_r_squared: fit.adjRSquared,
    loglik: fit.loglik,
    aic: fit.aic,
    bic: fit.bic,
    converged: true,
    iterations: 1,
    warnings: [],
    model: { family: 'gaussian', link: 'identity', design: md.design as unknown as JsonObject, coefficients: Array.from(fit.coefficients), vcov: vcovJson(names, fit.vcov), sigma: fit.sigma },
  };
  return { names, estimate: fit.coefficients, vcov: fit.vcov, dfcom: fit.dfResidual, useT: true, md, value };
}

export const fitLinearStep: StepKind<FitParams> = {
  kind: 'fit_linear',
  version: 2,
  produces: 'fit:linear',
  summary: "Linear regression (R's lm), optionally weighted: estimates, t tests, CIs, R², residual SE",
  params: fitSchema({}),
  inputs: ['input'],
  accepts: { input: ['table', 'imputed'] },
  check: (p) => {
    const problems = checkFitParams(p);
    return problems.length > 0 ? problems : noRandomTerm(p, 'fit_linear');
  },
  normalise: normaliseFitParams,
  run(params, inputs, ctx) {
    const { tables, imputed } = fitTables(inputs, params.input, 'fit_linear');
    if (!imputed) {
      const one = fitOneLinear(params, tables[0]!, ctx.step);
      return { type: 'result', value: withFitFlow(one.value, inputs, params.input, ctx.step, 'fit_linear', one.md), tables: fitOutputTables(one.value, rowsTable(one.value.coefficients as unknown as Parameters<typeof rowsTable>[0]), params, ctx.step) };
    }
    const fits = tables.map((t) => fitOneLinear(params, t, ctx.step));
    const level = params.level ?? 0.95;
    const pool = pooled(fits, level);
    const first = fits[0]!;
    const value: JsonObject = {
      ...pooledHeader('linear', first.md, pool.m, level),
      coefficients: rowsJson(pool.rows),
      vcov: vcovJson(first.names, pool.vcov),
      loglik: null,
      aic: null,
      bic: null,
      converged: true,
      iterations: 1,
      per_imputation: fits.map((f) => ({ r_squared: f.value.r_squared ?? null, sigma: f.value.sigma ?? null, loglik: f.value.loglik ?? null })),
      warnings: [],
      model: { family: 'gaussian', link: 'identity', design: first.md.design as unknown as JsonObject, coefficients: pool.rows.map((r) => r.estimate), vcov: vcovJson(first.names, pool.vcov) },
    };
    return { type: 'result', value: withFitFlow(value, inputs, params.input, ctx.step, 'fit_linear', first.md), tables: fitOutputTables(value, rowsTable(pool.rows), params, ctx.step) };
  },
};
