/**
 * Mediation (../mediation.ts's three estimands) with random effects for a grouping factor (trial):
 *
 *   a-path:          mediator ~ exposure + covariates + (1 | trial), REML (lmm.ts, as lme4::lmer)
 *   outcome models:  clmm (ordinal) or glmer (binary) with (1 | trial) or (1 + exposure | trial), with and
 *                    without the mediator (cumulative.ts)
 *
 * The difference method uses the two outcome models' exposure coefficients, the product method the
 * a-path's exposure coefficient and the direct model's mediator coefficient — all conditional on the
 * random effects (the coefficients of a patient in a given trial). The counterfactual effects are
 * computed as ../mediation.ts does from the fixed parts, i.e. for a patient of a trial whose random
 * effects are 0, with the a-path's residual SD; they are not averaged over trials.
 *
 * A bootstrap replicate (`fast`) starts each fit from the whole sample's (`start`) and skips the standard
 * errors; the replicate's estimates are those of a full fit to the optimiser's tolerance (1e-7 on the
 * scaled gradient).
 */
import { FitError } from '../../errors.js';
import { qnorm } from '../distributions.js';
import { counterfactualEffects, designOf, effect, type MediationData, type MediationOptions, type MediationResult, type OutcomeFit } from '../mediation.js';
import type { Rng } from '../rng.js';
import { fitMixedModel, type MixedResult } from './cumulative.js';
import { fitLmm } from './lmm.js';

export interface MixedMediationSpec {
  /** Cluster codes per sample row (0 … levels.length − 1). */
  readonly codes: Int32Array;
  readonly levels: readonly string[];
  readonly group: string;
  /** The outcome models' term: `(1 | g)` or `(1 + exposure | g)`. */
  readonly term: string;
  readonly slope: boolean;
}

/** The whole sample's outcome fits, for a replicate's start. */
export interface MixedMediationStart {
  readonly direct: { readonly par: Float64Array; readonly hessian: Float64Array | undefined };
  readonly total: { readonly par: Float64Array; readonly hessian: Float64Array | undefined };
}

export interface MixedMediationResult extends MediationResult {
  readonly random_effects: {
    readonly group: string;
    readonly term: string;
    readonly clusters: number;
    readonly a_path: { readonly sd: number; readonly singular: boolean; readonly method: string };
    readonly direct: { readonly sd: number[]; readonly correlation: number | null; readonly singular: boolean };
    readonly total: { readonly sd: number[]; readonly correlation: number | null; readonly singular: boolean };
  };
  readonly warnings: string[];
}

interface Fitted {
  readonly fit: OutcomeFit;
  readonly result: MixedResult;
}

/** One outcome model: columns `cols` of the sample's design (ordinal: no intercept; binary: J = 2 in clmm's sign). */
function outcomeModel(d: MediationData, X: Float64Array, withMediator: boolean, spec: MixedMediationSpec, fast: boolean, from: MixedMediationStart['direct'] | undefined): Fitted {
  const n = d.n;
  const c = d.nCovariates;
  const p = 1 + c + (withMediator ? 1 : 0); // exposure, covariates, (mediator)
  const Xo = X.subarray(n, n * (1 + p));
  let y: Int32Array;
  let J: number;
  if (d.outcome.type === 'ordinal') {
    y = d.outcome.codes;
    J = d.outcome.J;
  } else {
    const yb = d.outcome.y;
    y = Int32Array.from(yb, (v) => (v === 1 ? 0 : 1)); // category 0 = "y = 1": P(y = 1) = F(θ − x'β − b)
    J = 2;
  }
  const result = fitMixedModel({
    X: Xo,
    n,
    p,
    y,
    J,
    group: { codes: spec.codes, levels: spec.levels, name: spec.group },
    term: spec.term,
    slope: spec.slope ? { column: 0, name: d.columns[1]! } : undefined,
    from,
    standardErrors: !fast,
    gradTol: fast ? 1e-7 : undefined,
  });
  const f = result.fit;
  const K = J - 1;
  const npar = K + p;
  const vcov = new Float64Array(npar * npar);
  const all = f.par.length;
  for (let r = 0; r < npar; r++) for (let s = 0; s < npar; s++) vcov[r * npar + s] = f.vcov[r * all + s]!;
  if (d.outcome.type === 'ordinal') {
    return { fit: { coef: f.par.slice(K, K + p), vcov, thresholds: f.par.slice(0, K), exposure: 0 }, result };
  }
  // glm's convention: [intercept, exposure, covariates, (mediator)] = (θ, −β); the covariance's signs likewise
  const coef = Float64Array.from({ length: 1 + p }, (_, j) => (j === 0 ? f.par[0]! : -f.par[j]!));
  const flip = (j: number): number => (j === 0 ? 1 : -1);
  const v = vcov.map((x, k) => x * flip(Math.floor(k / npar)) * flip(k % npar));
  return { fit: { coef, vcov: v, thresholds: new Float64Array(0), exposure: 1 }, result };
}

/** The fitted RE SDs of an outcome model, as reported. */
function reSummary(r: MixedResult): { sd: number[]; correlation: number | null; singular: boolean } {
  const f = r.fit;
  const base = f.par.length - (f.q === 1 ? 1 : 3);
  if (f.q === 1) return { sd: [Math.exp(f.par[base]!)], correlation: null, singular: f.singular };
  const a = Math.exp(f.par[base]!);
  const c = f.par[base + 1]!;
  const b = Math.exp(f.par[base + 2]!);
  const sd2 = Math.sqrt(c * c + b * b);
  return { sd: [a, sd2], correlation: a === 0 || sd2 === 0 ? null : c / sd2, singular: f.singular };
}

function seOf(fit: OutcomeFit, j: number): number {
  const K = fit.thresholds.length;
  const npar = K + fit.coef.length;
  const idx = K + j;
  return Math.sqrt(fit.vcov[idx * npar + idx]!);
}

export function mixedMediation(d: MediationData, spec: MixedMediationSpec, opt: MediationOptions & { readonly mixedStart?: MixedMediationStart | undefined }, rng?: Rng): MixedMediationResult {
  const n = d.n;
  const fast = opt.fast === true;
  const zq = qnorm(0.5 + opt.level / 2);
  const sign = d.outcome.type === 'ordinal' && opt.favourable === 'lower' ? -1 : 1;
  const X = designOf(d);
  const c = d.nCovariates;
  // a-path: lmer(mediator ~ exposure + covariates + (1 | g)), REML
  const pa = 2 + c;
  const lin = fitLmm(X.subarray(0, n * pa), n, pa, X.subarray(n * pa, n * (pa + 1)), spec.codes, spec.levels.length);
  const direct = outcomeModel(d, X, true, spec, fast, opt.mixedStart?.direct);
  const total = outcomeModel(d, X, false, spec, fast, opt.mixedStart?.total);
  const bT = total.fit.coef[total.fit.exposure]!;
  const bD = direct.fit.coef[direct.fit.exposure]!;
  const mIdx = direct.fit.coef.length - 1;
  const b = direct.fit.coef[mIdx]!;
  const seB = seOf(direct.fit, mIdx);
  const a = lin.coefficients[1]!;
  const seA = lin.stdErrors[1]!;
  const indirect = a * b;
  const warnings = [...direct.result.fit.warnings.map((w) => `direct model: ${w}`), ...total.result.fit.warnings.map((w) => `total model: ${w}`)];
  if (lin.singular) warnings.push(`a-path: boundary (singular) fit, the between-${spec.group} variance of the mediator is 0`);
  const res: MixedMediationResult = {
    n,
    total: effect(bT, seOf(total.fit, total.fit.exposure), sign, zq),
    direct: effect(bD, seOf(direct.fit, direct.fit.exposure), sign, zq),
    mediator_effect: effect(b, seB, sign, zq),
    proportion_explained: 1 - bD / bT,
    a_path: { estimate: a, se: seA, sigma: lin.sigma },
    b_path: { estimate: b, se: seB },
    product: { indirect, se: Math.sqrt(a * a * seB * seB + b * b * seA * seA), proportion: indirect / (indirect + bD) },
    random_effects: {
      group: spec.group,
      term: spec.term,
      clusters: direct.result.clusters.levels.length,
      a_path: { sd: lin.sdIntercept, singular: lin.singular, method: 'REML (lme4::lmer), random intercept' },
      direct: reSummary(direct.result),
      total: reSummary(total.result),
    },
    warnings,
  };
  if (opt.counterfactual !== undefined) {
    if (rng === undefined) throw new FitError('counterfactual effects need a random stream');
    res.counterfactual = counterfactualEffects(d, direct.fit, lin.coefficients, lin.vcov, lin.sigma, opt.counterfactual, opt.level, rng);
  }
  return res;
}

/** The whole sample's outcome fits as a replicate's start (MixedMediationStart), or undefined when a fit fails. */
export function mixedMediationStart(d: MediationData, spec: MixedMediationSpec): MixedMediationStart | undefined {
  try {
    const X = designOf(d);
    const direct = outcomeModel(d, X, true, spec, false, undefined).result.fit;
    const total = outcomeModel(d, X, false, spec, false, undefined).result.fit;
    return { direct: { par: direct.par, hessian: direct.hessian }, total: { par: total.par, hessian: total.hessian } };
  } catch (e) {
    if (e instanceof FitError) return undefined;
    throw e;
  }
}
