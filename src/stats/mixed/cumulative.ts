/**
 * A cumulative-logit (J ≥ 3, clmm) or logistic (J = 2, glmer with clmm's sign) model with a random
 * intercept, or a random intercept and slope, for one grouping factor, from data in the caller's row
 * order: clusters and their checks (clusters.ts), the fixed-effects start (clm), the random-intercept fit,
 * then — for a random slope — the intercept-and-slope fit started from it, with the likelihood-ratio test
 * of the slope (a 50:50 mixture of χ²₁ and χ²₂, as the variance is on its boundary under the null).
 */
import { FitError } from '../../errors.js';
import { pchisq } from '../distributions.js';
import { fitOrdinal } from '../ordinal.js';
import { checkSlopeVaries, clustersOf, type Clusters } from './clusters.js';
import { fitMixed, type MixedFit } from './fit.js';
import type { MixedData } from './laplace.js';

export interface MixedInput {
  /** Column-major n × p fixed-effects design without an intercept. */
  readonly X: Float64Array;
  readonly n: number;
  readonly p: number;
  /** Outcome categories 0..J−1. */
  readonly y: Int32Array;
  readonly J: number;
  readonly weights?: Float64Array | undefined;
  /** The grouping factor's codes (≥ 0) and levels; `name` its column. */
  readonly group: { readonly codes: Int32Array; readonly levels: readonly string[]; readonly name: string };
  /** The random-effect term as written in the formula (for messages). */
  readonly term: string;
  /** The random slope: its column of X and its name. */
  readonly slope?: { readonly column: number; readonly name: string } | undefined;
  /** 1: Laplace (default); k > 1: adaptive Gauss–Hermite with k nodes (random intercept only). */
  readonly nAGQ?: number | undefined;
  /**
   * A bootstrap replicate's shortcut: start from an earlier fit of the same model (its parameters and
   * Hessian, user scale) — no clm start, no random-intercept fit before a slope — optionally without
   * standard errors and to a looser gradient tolerance.
   */
  readonly from?: { readonly par: Float64Array; readonly hessian?: Float64Array | undefined } | undefined;
  readonly standardErrors?: boolean | undefined;
  readonly gradTol?: number | undefined;
}

export interface MixedResult {
  readonly fit: MixedFit;
  readonly clusters: Clusters;
  /** The fixed-effects fit the mixed fits start from: thresholds, β and its log-likelihood. */
  readonly fixed: { readonly thresholds: Float64Array; readonly beta: Float64Array; readonly loglik: number };
  /** With a random slope: the random-intercept fit and the LR test of the slope against it. */
  readonly interceptOnly?: MixedFit | undefined;
  readonly slopeTest?: { readonly statistic: number; readonly pValue: number } | undefined;
  readonly warnings: readonly string[];
}

export function fitMixedModel(input: MixedInput): MixedResult {
  const { n, p, J } = input;
  const nAGQ = input.nAGQ ?? 1;
  if (input.slope !== undefined && nAGQ !== 1) {
    throw new FitError(`nAGQ = ${nAGQ}: adaptive quadrature is available for a random intercept only (as in clmm and glmer); "${input.term}" is fitted by the Laplace approximation (nAGQ: 1)`);
  }
  const clusters = clustersOf(input.group.codes, input.group.levels, input.group.name, input.term);
  const order = clusters.order;
  const X = new Float64Array(n * p);
  for (let j = 0; j < p; j++) for (let r = 0; r < n; r++) X[j * n + r] = input.X[j * n + order[r]!]!;
  const y = Int32Array.from(order, (i) => input.y[i]!);
  const weights = input.weights === undefined ? undefined : Float64Array.from(order, (i) => input.weights![i]!);
  let z: Float64Array | undefined;
  if (input.slope !== undefined) {
    z = X.slice(input.slope.column * n, (input.slope.column + 1) * n);
    checkSlopeVaries(z, clusters.start, input.slope.name, input.group.name, input.term);
  }
  const control = { standardErrors: input.standardErrors, gradTol: input.gradTol, hessian: input.from?.hessian };
  if (input.from !== undefined) {
    const K = J - 1;
    const par = input.from.par;
    const fit = fitMixed({
      data: { X, n, p, y, J, weights, start: clusters.start, z },
      slopeColumn: input.slope?.column,
      nAGQ,
      start: { thresholds: par.subarray(0, K), beta: par.subarray(K, K + p), re: par.subarray(K + p) },
      control,
    });
    return { fit, clusters, fixed: { thresholds: new Float64Array(0), beta: new Float64Array(0), loglik: NaN }, warnings: clusters.warnings };
  }
  const clm = fitOrdinal(input.X, n, p, input.y, J, { weights: input.weights, checkHessian: false });
  const fixed = { thresholds: clm.thresholds, beta: clm.beta, loglik: clm.loglik };
  const base: MixedData = { X, n, p, y, J, weights, start: clusters.start, z: undefined };
  const ri = fitMixed({ data: base, nAGQ, start: { thresholds: clm.thresholds, beta: clm.beta } });
  const warnings = [...clusters.warnings];
  if (input.slope === undefined) return { fit: ri, clusters, fixed, warnings };
  const K = J - 1;
  const rho = ri.par[K + p]!;
  const fit = fitMixed({
    data: { ...base, z },
    slopeColumn: input.slope.column,
    start: { thresholds: ri.par.subarray(0, K), beta: ri.par.subarray(K, K + p), re: [rho === -Infinity ? Math.log(0.1) : rho, 0, Math.log(0.1)] },
  });
  // LR test of the slope variance (and covariance) against the random intercept: ½χ²₁ + ½χ²₂
  const statistic = Math.max(0, 2 * (fit.loglik - ri.loglik));
  const pValue = 0.5 * pchisq(statistic, 1, false) + 0.5 * pchisq(statistic, 2, false);
  return { fit, clusters, fixed, interceptOnly: ri, slopeTest: { statistic, pValue }, warnings };
}
