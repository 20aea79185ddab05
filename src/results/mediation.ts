/**
 * The mediation result family: what `mediate` writes (src/nodes/mediate.ts, src/stats/mediation.ts),
 * read back into one typed value for the report (and any other reader):
 *
 *   total / direct / mediator_effect: {log_or, se, z, p_value, or, or_low, or_high}  (ORs in the
 *                                      step's favourable direction)
 *   proportion_explained: number      (difference method, 1 − β_direct/β_total)
 *   product: {indirect, se, proportion}
 *   counterfactual?: {total_effect, ade_average, acme_average, proportion_mediated: {estimate, ci_low, ci_high}, sims}
 */
import type { Json } from '../data/canonical.js';
import { asRecord, isRecord, optNumber, optString, reqNumber, type JsonRecord, type Origin } from './read.js';

/** An effect on the odds-ratio scale. */
export interface OrEffect {
  readonly or: number;
  readonly low: number;
  readonly high: number;
  readonly p?: number | undefined;
}

/** A counterfactual effect on the probability scale (a proportion), with its simulation interval. */
export interface ProbabilityEffect {
  readonly estimate: number;
  readonly low?: number | undefined;
  readonly high?: number | undefined;
}

export interface Mediation {
  readonly exposure: string;
  /** The mediator's model term (e.g. cbrt(fiv_ml)), or its column. */
  readonly mediator?: string | undefined;
  readonly n?: number | undefined;
  readonly total: OrEffect;
  readonly direct: OrEffect;
  readonly mediatorEffect?: OrEffect | undefined;
  /** Difference method: 1 − β_direct / β_total. */
  readonly proportionExplained: number;
  /** Product of coefficients: a × b / total. */
  readonly productProportion?: number | undefined;
  /** e.g. `P(mrs90 <= 2)`: what the counterfactual effects are on. */
  readonly threshold?: string | undefined;
  readonly counterfactual?: {
    readonly totalEffect?: ProbabilityEffect | undefined;
    readonly adeAverage?: ProbabilityEffect | undefined;
    readonly acmeAverage?: ProbabilityEffect | undefined;
    readonly proportionMediated?: ProbabilityEffect | undefined;
    readonly sims?: number | undefined;
  } | undefined;
}

function orEffect(e: JsonRecord, origin: Origin, what: string): OrEffect {
  return { or: reqNumber(e, ['or'], origin, what), low: reqNumber(e, ['or_low'], origin, what), high: reqNumber(e, ['or_high'], origin, what), p: optNumber(e, ['p_value'], origin, what) };
}

function probability(v: Json | undefined, origin: Origin, what: string): ProbabilityEffect | undefined {
  if (!isRecord(v)) return undefined;
  return { estimate: reqNumber(v, ['estimate'], origin, what), low: optNumber(v, ['ci_low'], origin, what), high: optNumber(v, ['ci_high'], origin, what) };
}

export function decodeMediation(value: Json, origin: Origin): Mediation {
  const root = asRecord(value, origin, 'the result');
  const cf = root.counterfactual;
  return {
    exposure: optString(root, ['exposure']) ?? 'exposure',
    mediator: isRecord(root.mediator) ? optString(root.mediator, ['term', 'column']) : undefined,
    n: optNumber(root, ['n'], origin, 'the result'),
    total: orEffect(asRecord(root.total, origin, 'total'), origin, 'total'),
    direct: orEffect(asRecord(root.direct, origin, 'direct'), origin, 'direct'),
    mediatorEffect: isRecord(root.mediator_effect) ? orEffect(root.mediator_effect, origin, 'mediator_effect') : undefined,
    proportionExplained: reqNumber(root, ['proportion_explained'], origin, 'the result'),
    productProportion: isRecord(root.product) ? reqNumber(root.product, ['proportion'], origin, 'product') : undefined,
    threshold: optString(root, ['threshold']),
    counterfactual: isRecord(cf)
      ? {
          totalEffect: probability(cf.total_effect, origin, 'counterfactual.total_effect'),
          adeAverage: probability(cf.ade_average, origin, 'counterfactual.ade_average'),
          acmeAverage: probability(cf.acme_average, origin, 'counterfactual.acme_average'),
          proportionMediated: probability(cf.proportion_mediated, origin, 'counterfactual.proportion_mediated'),
          sims: optNumber(cf, ['sims'], origin, 'counterfactual'),
        }
      : undefined,
  };
}
