/**
 * What fit_ordinal and fit_logistic do with a random-effect term in the formula: the mixed model of
 * src/stats/mixed/ (Laplace, or adaptive Gauss–Hermite with `nAGQ`), and its result in the fit steps'
 * shape plus the random-effect block. See docs/mixed-models.md.
 *
 * Sign conventions: fit_ordinal reports clmm's (P(Y ≤ k) = F(θ_k − x'β − b_i): a positive mode is a cluster
 * with worse outcomes when low is better); fit_logistic reports glmer's (logit P(y = 1) = β₀ + x'β + b_i),
 * i.e. the intercept θ, coefficients −β and modes −b_i of the two-category cumulative model.
 */
import type { Json, JsonObject } from '../data/canonical.js';
import type { Table } from '../data/table.js';
import { DataError } from '../errors.js';
import { buildDesign, checkFullRank, type ModelData } from '../stats/design.js';
import type { Formula, RandomTerm } from '../stats/formula.js';
import { weightedCrossprod } from '../stats/linalg.js';
import { fitMixedModel, type MixedResult } from '../stats/mixed/cumulative.js';
import { mixedDesign } from '../stats/mixed/design.js';
import { pchisq } from '../stats/distributions.js';
import { droppedJson, rowsJson, vcovJson, waldRows, withExp, type CheckProblem, type Row } from './fit-common.js';

/** JSON-schema property of the fit kinds that fit mixed models. */
export const nAGQProperty = {
  type: 'integer',
  minimum: 1,
  maximum: 100,
  description:
    'Default 1. With a random intercept: 1 = the Laplace approximation (as clmm and glmer with nAGQ = 1); k > 1 = adaptive Gauss–Hermite quadrature with k nodes (as nAGQ = k). A random slope is always fitted by Laplace.',
};

export const SE_METHOD =
  'inverse of the Hessian of the negative log-likelihood in (thresholds, coefficients, log SD), the Hessian by forward differences (h = 1e-7) of the analytic gradient';

/** `nAGQ: 1` is the default: dropped so that writing it or not gives one cache key. */
export function normaliseNAGQ<P extends { readonly nAGQ?: number }>(p: P): P {
  if (p.nAGQ !== 1) return p;
  const out: Record<string, unknown> = { ...p };
  delete out.nAGQ;
  return out as P;
}

/** nAGQ only means something with a random intercept. */
export function checkNAGQ(p: { readonly nAGQ?: number }, formula: Formula | undefined): CheckProblem[] {
  if (p.nAGQ === undefined || p.nAGQ === 1 || formula === undefined) return [];
  const term = formula.random[0];
  if (term === undefined) return [{ path: 'nAGQ', message: 'nAGQ applies to a mixed model: the formula has no random-effect term', hint: 'add e.g. "(1 | trial)" to the formula, or remove nAGQ' }];
  if (term.slope !== undefined) return [{ path: 'nAGQ', message: `adaptive quadrature is available for a random intercept only (as in clmm and glmer); "${term.label}" is fitted by the Laplace approximation`, hint: 'remove nAGQ (or set it to 1)' }];
  return [];
}

/** The random-effect term of a formula (at most one: the parser refuses more). */
export function randomTerm(formula: Formula): RandomTerm | undefined {
  return formula.random[0];
}

export interface MixedFitted {
  readonly md: ModelData;
  readonly result: MixedResult;
  readonly term: RandomTerm;
  /** Parameter names of (thresholds…, β…) in the engine's order, then the RE parameters. */
  readonly names: readonly string[];
}

/** Builds the design and fits the mixed cumulative model; `y` maps the fitted rows to categories. */
export function fitMixedDesign(
  formula: Formula,
  table: Table,
  options: { readonly weights?: string | undefined; readonly reference?: Readonly<Record<string, string>> | undefined; readonly nAGQ?: number | undefined },
  outcome: (md: ModelData) => { readonly codes: Int32Array; readonly J: number; readonly thresholdNames: readonly string[] },
): MixedFitted & { readonly categories: { readonly codes: Int32Array; readonly J: number; readonly thresholdNames: readonly string[] } } {
  const term = randomTerm(formula)!;
  const md0 = buildDesign(formula, table, { weights: options.weights, reference: options.reference });
  const { md, group, slopeColumn } = mixedDesign(md0, table, term);
  if (!md.design.intercept) throw new DataError(`a model with the random-effect term "${term.label}" needs its intercept (thresholds)`, { hint: 'remove "- 1" / "+ 0" from the formula' });
  checkFullRank(md.design, md.X, md.n, md.p, weightedCrossprod(md.X, md.n, md.p, md.weights, new Float64Array(md.p * md.p)));
  const cats = outcome(md);
  const p = md.p - 1;
  const X = md.X.subarray(md.n);
  const names = md.design.columns.slice(1);
  const result = fitMixedModel({
    X,
    n: md.n,
    p,
    y: cats.codes,
    J: cats.J,
    weights: md.weights,
    group,
    term: term.label,
    slope: slopeColumn === undefined ? undefined : { column: slopeColumn - 1, name: term.slope!.label },
    nAGQ: options.nAGQ,
  });
  const reNames = term.slope === undefined ? [`log_sd(${term.group})`] : [`log_sd(${term.group}:(Intercept))`, `log_sd(${term.group}:${term.slope.label})`, `corr(${term.group})`];
  return { md, result, term, names: [...cats.thresholdNames, ...names, ...reNames], categories: cats };
}

/**
 * The random-effect parameters as reported: SDs, variances, correlation, log SDs and the covariance of
 * (θ, β, log SD… [, corr]) — the engine's (log a, c, log b) mapped by the delta method:
 * log sd₂ = ½ log(c² + b²), corr = c / √(c² + b²).
 */
export function reportedParameters(fitted: MixedFitted): { estimate: Float64Array; vcov: Float64Array; sd: number[]; corr: number | null } {
  const { fit } = fitted.result;
  const npar = fit.par.length;
  const base = npar - (fit.q === 1 ? 1 : 3);
  if (fit.q === 1) {
    return { estimate: Float64Array.from(fit.par), vcov: Float64Array.from(fit.vcov), sd: [Math.exp(fit.par[base]!)], corr: null };
  }
  const la = fit.par[base]!;
  const c = fit.par[base + 1]!;
  const lb = fit.par[base + 2]!;
  const b = Math.exp(lb);
  const s2 = c * c + b * b;
  const sd2 = Math.sqrt(s2);
  const corr = Math.exp(la) === 0 || sd2 === 0 ? null : c / sd2;
  const estimate = Float64Array.from(fit.par);
  estimate[base + 1] = 0.5 * Math.log(s2);
  estimate[base + 2] = corr ?? NaN;
  // Jacobian J (identity on θ, β, log a): rows = reported, columns = engine
  const Jm = new Float64Array(npar * npar);
  for (let j = 0; j <= base; j++) Jm[j * npar + j] = 1;
  const bb = b * b;
  Jm[(base + 1) * npar + base + 1] = s2 > 0 ? c / s2 : 0;
  Jm[(base + 1) * npar + base + 2] = s2 > 0 ? bb / s2 : 0;
  Jm[(base + 2) * npar + base + 1] = s2 > 0 ? bb / Math.pow(s2, 1.5) : 0;
  Jm[(base + 2) * npar + base + 2] = s2 > 0 ? (-c * bb) / Math.pow(s2, 1.5) : 0;
  const vcov = new Float64Array(npar * npar);
  for (let r = 0; r < npar; r++) {
    for (let s = 0; s < npar; s++) {
      let sum = 0;
      for (let i = 0; i < npar; i++) {
        const jri = Jm[r * npar + i]!;
        if (jri === 0) continue;
        for (let k = 0; k < npar; k++) {
          const jsk = Jm[s * npar + k]!;
          if (jsk !== 0) sum += jri * fit.vcov[i * npar + k]! * jsk;
        }
      }
      vcov[r * npar + s] = sum;
    }
  }
  return { estimate, vcov, sd: [Math.exp(la), sd2], corr };
}

/** The `random_effects` block of a mixed fit's result; `sign` −1 reports modes as glmer does (logistic). */
export function randomEffectsJson(fitted: MixedFitted, sign: 1 | -1): JsonObject {
  const { fit, clusters, slopeTest, interceptOnly, fixed } = fitted.result;
  const { term } = fitted;
  const rep = reportedParameters(fitted);
  const npar = fit.par.length;
  const base = npar - (fit.q === 1 ? 1 : 3);
  const terms = term.slope === undefined ? ['(Intercept)'] : ['(Intercept)', term.slope.label];
  const logSd = rep.sd.map(Math.log);
  const seLogSd = rep.sd.map((_, k) => Math.sqrt(rep.vcov[(base + k) * npar + base + k]!));
  const sigma2 = rep.sd[0]! * rep.sd[0]!;
  const levels: Json[] = clusters.levels.map((level, i) => {
    const q = fit.q;
    const mode = q === 1 ? [sign * fit.modes[i]!] : [sign * fit.modes[2 * i]!, sign * fit.modes[2 * i + 1]!];
    const condSd = q === 1 ? [Math.sqrt(fit.condCov[i]!)] : [Math.sqrt(fit.condCov[3 * i]!), Math.sqrt(fit.condCov[3 * i + 2]!)];
    return { level, n: clusters.sizes[i]!, mode, cond_sd: condSd };
  });
  // LR test of the random intercept against the fixed-effects model: ½χ²₀ + ½χ²₁ (variance on its boundary)
  const ri = interceptOnly ?? fit;
  const lrIntercept = Math.max(0, 2 * (ri.loglik - fixed.loglik));
  const out: JsonObject = {
    group: term.group,
    term: term.label,
    clusters: clusters.levels.length,
    method: fit.nAGQ === 1 ? 'laplace' : 'agq',
    n_agq: fit.nAGQ,
    terms,
    sd: rep.sd,
    variance: rep.sd.map((s) => s * s),
    correlation: rep.corr,
    log_sd: logSd,
    se_log_sd: seLogSd.map((v) => (Number.isFinite(v) ? v : null)),
    icc_latent: sigma2 / (sigma2 + (Math.PI * Math.PI) / 3),
    singular: fit.singular,
    levels,
    intercept_test: { statistic: lrIntercept, p_value: lrIntercept === 0 ? 1 : 0.5 * pchisq(lrIntercept, 1, false), reference: '½χ²₀ + ½χ²₁' },
    slope_test: slopeTest === undefined ? null : { statistic: slopeTest.statistic, p_value: slopeTest.pValue, reference: '½χ²₁ + ½χ²₂' },
  };
  return out;
}

/**
 * The random-effect part of `model` (what prediction needs): the grouping column, the terms, the SDs,
 * the correlation and covariance of the random effects, and each cluster's mode (`sign` as the modes of
 * random_effects).
 */
export function randomModelJson(fitted: MixedFitted, sign: 1 | -1): JsonObject {
  const rep = reportedParameters(fitted);
  const { fit, clusters } = fitted.result;
  const sd = rep.sd;
  const corr = rep.corr ?? 0;
  const covariance = fit.q === 1 ? [[sd[0]! * sd[0]!]] : [[sd[0]! * sd[0]!, corr * sd[0]! * sd[1]!], [corr * sd[0]! * sd[1]!, sd[1]! * sd[1]!]];
  return {
    group: fitted.term.group,
    terms: fitted.term.slope === undefined ? ['(Intercept)'] : ['(Intercept)', fitted.term.slope.label],
    sd,
    correlation: rep.corr,
    covariance,
    levels: [...clusters.levels],
    modes: clusters.levels.map((_, i) => (fit.q === 1 ? [sign * fit.modes[i]!] : [sign * fit.modes[2 * i]!, sign * fit.modes[2 * i + 1]!])),
  };
}

/**
 * The random-effect part of a result pooled over imputations: the fixed effects are pooled by Rubin's
 * rules (fit-common.ts); the random-effect SDs and correlation are averaged over the imputations (with
 * each imputation's values kept), and so are the clusters' modes. Empty for fixed-effects fits.
 */
export function pooledRandomJson(values: readonly JsonObject[]): { random_effects?: JsonObject; random?: JsonObject } {
  const first = values[0]!;
  if (first.mixed !== true) return {};
  const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const res = values.map((v) => v.random_effects as { sd: number[]; correlation: number | null; singular: boolean; clusters: number; group: string; term: string; terms: string[]; method: string; n_agq: number });
  const models = values.map((v) => (v.model as { random: { sd: number[]; correlation: number | null; modes: number[][]; levels: string[]; group: string; terms: string[] } }).random);
  const q = res[0]!.sd.length;
  const sd = Array.from({ length: q }, (_, k) => mean(res.map((r) => r.sd[k]!)));
  const corr = res[0]!.correlation === null ? null : mean(res.map((r) => r.correlation ?? 0));
  const m0 = models[0]!;
  const covariance = q === 1 ? [[sd[0]! * sd[0]!]] : [[sd[0]! * sd[0]!, (corr ?? 0) * sd[0]! * sd[1]!], [(corr ?? 0) * sd[0]! * sd[1]!, sd[1]! * sd[1]!]];
  return {
    random_effects: {
      group: res[0]!.group,
      term: res[0]!.term,
      clusters: res[0]!.clusters,
      method: res[0]!.method,
      n_agq: res[0]!.n_agq,
      terms: res[0]!.terms,
      pooling: 'mean over imputations (the coefficients are pooled by Rubin\'s rules)',
      sd,
      variance: sd.map((s) => s * s),
      correlation: corr,
      icc_latent: (sd[0]! * sd[0]!) / (sd[0]! * sd[0]! + (Math.PI * Math.PI) / 3),
      singular_imputations: res.filter((r) => r.singular).length,
      per_imputation: res.map((r) => ({ sd: r.sd, correlation: r.correlation, singular: r.singular })),
    },
    random: {
      group: m0.group,
      terms: m0.terms,
      sd,
      correlation: corr,
      covariance,
      levels: m0.levels,
      modes: m0.levels.map((_, i) => m0.modes[i]!.map((_, k) => mean(models.map((m) => m.modes[i]![k]!)))),
    },
  };
}

/** Warnings of a mixed fit: the engine's, the clusters', and the singular-fit note (as lme4's isSingular). */
export function mixedWarnings(fitted: MixedFitted): string[] {
  const { fit } = fitted.result;
  const w = [...fitted.result.warnings, ...fit.warnings];
  if (fit.singular) {
    const which = fit.q === 1 ? 'the random-intercept SD is 0' : fit.atBoundary[0] ? 'the random-slope variance is at its boundary (correlation ±1 or SD 0)' : fit.atBoundary[1] ? 'the random-intercept SD is 0' : 'a random-effect SD is near 0 (correlation near ±1)';
    w.push(
      `boundary (singular) fit of "${fitted.term.label}": ${which}. With ${fitted.result.clusters.levels.length} clusters this is a common maximum-likelihood outcome; ` +
        (fit.q === 1 ? 'the estimates equal the fixed-effects model\'s' : 'the data do not support the full covariance: consider "(1 | ' + fitted.term.group + ')"'),
    );
  }
  return w;
}

/** Wald rows of the reported parameters (first `count` of them) under `names`. */
export function mixedRows(names: readonly string[], estimate: ArrayLike<number>, vcov: Float64Array, count: number, level: number): Row[] {
  const npar = Math.round(Math.sqrt(vcov.length));
  const se = Array.from({ length: count }, (_, j) => Math.sqrt(vcov[j * npar + j]!));
  return waldRows(names.slice(0, count), Array.from(estimate).slice(0, count), se, level, Infinity, false);
}

/** The fields of a mixed fit's result that do not depend on the family. */
export function mixedCommonJson(fitted: MixedFitted, names: readonly string[], estimate: Float64Array, vcov: Float64Array): JsonObject {
  const { fit } = fitted.result;
  const md = fitted.md;
  return {
    formula: md.design.formula,
    n: md.n,
    ...droppedJson(md),
    vcov: vcovJson(names, vcov),
    loglik: fit.loglik,
    aic: -2 * fit.loglik + 2 * fit.edf,
    bic: -2 * fit.loglik + Math.log(md.weights === undefined ? md.n : md.weights.reduce((a, b) => a + b, 0)) * fit.edf,
    edf: fit.edf,
    converged: fit.converged,
    iterations: fit.iterations,
    evaluations: fit.evaluations,
    max_gradient: fit.maxGradient,
    cond_hessian: fit.condH,
    se_method: SE_METHOD,
    fixed_effects_loglik: fitted.result.fixed.loglik,
  };
}

export { rowsJson, withExp, vcovJson };
