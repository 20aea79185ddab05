/**
 * broom-shaped tables of a fitted model, for R users who check results with broom (1.0.x):
 *
 * - `tidy`: one row per parameter with broom's column names — term, estimate, std.error, statistic,
 *   p.value, conf.low, conf.high (tidy(fit, conf.int = TRUE); estimates on the model's scale, as broom's
 *   default exponentiate = FALSE). An ordinal model lists its thresholds first with coef.type
 *   "intercept", then its coefficients with "location" (tidy.clm). A pooled fit adds mice's pooling
 *   columns after them — df, ubar, b, t, riv, lambda, fmi, and m (tidy.mipo).
 * - `glance`: one row of model statistics with broom's names, in glance's column order per model:
 *   glm: null.deviance, df.null, logLik, AIC, BIC, deviance, df.residual, nobs; clm: edf, AIC, BIC,
 *   logLik, df.residual, nobs; lm: r.squared, adj.r.squared, sigma, statistic, p.value, df, logLik,
 *   AIC, BIC, deviance, df.residual, nobs; a pooled fit (glance.mipo):
 *   nimp, nobs (glance.mipo's pooled r.squared of an lm is not computed).
 */
import { makeTable, type Column, type Table } from '../data/table.js';
import { pf } from '../stats/distributions.js';
import type { Coefficient, FitStatistics, FittedModel, ModelType } from './fitted-model.js';

/** The model's numerator degrees of freedom: its coefficients less the intercept. */
function modelDf(f: FittedModel): number {
  return f.coefficients.filter((c) => c.term !== '(Intercept)').length;
}

function fStatistic(s: FitStatistics, f: FittedModel): { f: number; df: number } | undefined {
  const df = modelDf(f);
  if (s.rSquared === undefined || s.dfResidual === undefined || df === 0) return undefined;
  return { f: s.rSquared / df / ((1 - s.rSquared) / s.dfResidual), df };
}

const numberColumn = (values: readonly number[]): Column => ({ type: 'number', values: Float64Array.from(values) });
const stringColumn = (values: readonly string[]): Column => ({ type: 'string', values: [...values] });

export function tidyTable(fit: FittedModel): Table {
  const rows: (Coefficient & { coefType?: string })[] = fit.modelType === 'ordinal'
    ? [...fit.thresholds.map((c) => ({ ...c, coefType: 'intercept' })), ...fit.coefficients.map((c) => ({ ...c, coefType: 'location' }))]
    : [...fit.coefficients];
  const cols: [string, Column][] = [
    ['term', stringColumn(rows.map((r) => r.term))],
    ['estimate', numberColumn(rows.map((r) => r.estimate))],
    ['std.error', numberColumn(rows.map((r) => r.stdError))],
    ['statistic', numberColumn(rows.map((r) => r.statistic))],
    ['p.value', numberColumn(rows.map((r) => r.pValue))],
    ['conf.low', numberColumn(rows.map((r) => r.confLow))],
    ['conf.high', numberColumn(rows.map((r) => r.confHigh))],
  ];
  if (fit.modelType === 'ordinal') cols.push(['coef.type', stringColumn(rows.map((r) => r.coefType ?? ''))]);
  if (fit.imputations !== undefined) {
    for (const k of ['df', 'ubar', 'b', 't', 'riv', 'lambda', 'fmi']) cols.push([k, numberColumn(rows.map((r) => r.pooling?.[k] ?? NaN))]);
    cols.push(['m', numberColumn(rows.map(() => fit.imputations!))]);
  }
  return makeTable(cols);
}

/** glance's columns per model type: broom's name and where the value comes from. */
const GLANCE: Readonly<Record<ModelType, readonly (readonly [string, (s: FitStatistics, f: FittedModel) => number | undefined])[]>> = {
  logistic: [
    ['null.deviance', (s) => s.nullDeviance],
    ['df.null', (s) => s.dfNull],
    ['logLik', (s) => s.logLik],
    ['AIC', (s) => s.aic],
    ['BIC', (s) => s.bic],
    ['deviance', (s) => s.deviance],
    ['df.residual', (s) => s.dfResidual],
    ['nobs', (_, f) => f.n],
  ],
  ordinal: [
    ['edf', (s) => s.edf],
    ['AIC', (s) => s.aic],
    ['BIC', (s) => s.bic],
    ['logLik', (s) => s.logLik],
    // clm's df.residual: nobs − edf.
    ['df.residual', (s, f) => s.dfResidual ?? (s.edf === undefined || f.n === undefined ? undefined : f.n - s.edf)],
    ['nobs', (_, f) => f.n],
  ],
  linear: [
    ['r.squared', (s) => s.rSquared],
    ['adj.r.squared', (s) => s.adjRSquared],
    ['sigma', (s) => s.sigma],
    // summary.lm's F test of all terms but the intercept: F = (R²/df) / ((1 − R²)/df.residual).
    ['statistic', (s, f) => fStatistic(s, f)?.f],
    ['p.value', (s, f) => { const t = fStatistic(s, f); return t === undefined ? undefined : pf(t.f, t.df, s.dfResidual!, false); }],
    ['df', (_, f) => modelDf(f)],
    ['logLik', (s) => s.logLik],
    ['AIC', (s) => s.aic],
    ['BIC', (s) => s.bic],
    // lm's deviance is the residual sum of squares, σ² × df.residual.
    ['deviance', (s) => (s.sigma === undefined || s.dfResidual === undefined ? undefined : s.sigma * s.sigma * s.dfResidual)],
    ['df.residual', (s) => s.dfResidual],
    ['nobs', (_, f) => f.n],
  ],
};

export function glanceTable(fit: FittedModel): Table {
  if (fit.imputations !== undefined) {
    const cols: [string, Column][] = [
      ['nimp', numberColumn([fit.imputations])],
      ['nobs', numberColumn([fit.n ?? NaN])],
    ];
    return makeTable(cols);
  }
  return makeTable(GLANCE[fit.modelType].map(([name, get]) => [name, numberColumn([get(fit.statistics, fit) ?? NaN])]));
}
