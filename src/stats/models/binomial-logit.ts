/**
 * The binomial model with the logit link — R's `binomial()` family as `glm.fit` uses it — stated once:
 *
 *   y_i ∈ {0, 1} (or a proportion of w_i trials),   μ_i = P(y_i = 1) = F(η_i),   η_i = x_i'β + o_i,   F = plogis
 *
 * with per-row log-likelihood, score and information in η (w the prior weights):
 *   ℓ_i = w_i [y_i log μ_i + (1 − y_i) log(1 − μ_i)],   ∂ℓ_i/∂η = w_i (y_i − μ_i),   −∂²ℓ_i/∂η² = w_i μ_i (1 − μ_i),
 * deviance residual d_i = 2 w_i [y_i log(y_i/μ_i) + (1 − y_i) log((1 − y_i)/(1 − μ_i))] (= −2 ℓ_i for 0/1 y),
 * and IRLS's working response and weight (glm.fit) z_i = η_i − o_i + (y_i − μ_i)/μ'(η_i),
 * W_i = w_i μ'(η_i)² / V(μ_i) with V(μ) = μ(1 − μ) — for this canonical link μ' = V, so W_i is the information.
 *
 * From η to μ the fit uses R's C functions to the bit: linkinv (logit_linkinv) e/(1 + e) with e = e^η,
 * clamped at |η| > 30 to ε/(1 + ε) and 1/(1 + ε) (ε = DBL_EPSILON), μ'(η) (logit_mu_eta) e/(1 + e)², ε
 * beyond 30, and linkfun (logit_link) log(μ/(1 − μ)) for the start. A fitted model's probability at η is
 * plogis(η) (distributions.ts: R's plogis, exact 0 and 1 at ∓∞, no clamp), as `predict` reports it to the
 * last bit or so below |η| = 30.
 *
 *   BINOMIAL_LOGIT                         the family for the IRLS driver (fit/irls.ts)
 *   linkinv, linkfun, muEta                R's logit_linkinv, logit_link, logit_mu_eta
 *   probability(eta)                       P(y = 1) at η
 *   deviance(y, mu, w), loglik(y, mu, w)   Σ deviance residuals; the log-likelihood as binomial()$aic counts it
 */
import { lgamma, plogis } from '../distributions.js';
import { kernels } from '../kernels/index.js';
import type { GlmFamily, GlmRows } from '../fit/irls.js';
import { BLOCK } from '../linalg.js';

const DBL_EPSILON = 2.220446049250313e-16;
const THRESH = 30;
const INVEPS = 1 / DBL_EPSILON;

/** R's binomial linkinv (logit_linkinv), with its clamping. */
export function linkinv(eta: number): number {
  const t = eta < -THRESH ? DBL_EPSILON : eta > THRESH ? INVEPS : Math.exp(eta);
  return t / (1 + t);
}

/** R's logit_mu_eta: dμ/dη = e^η/(1 + e^η)², ε beyond |η| = 30, given expEta = e^η. */
export function muEta(eta: number, expEta: number): number {
  return eta > THRESH || eta < -THRESH ? DBL_EPSILON : expEta / ((1 + expEta) * (1 + expEta));
}

/** R's logit_link: log(μ/(1 − μ)). */
export function linkfun(mu: number): number {
  return Math.log(mu / (1 - mu));
}

/** P(y = 1) at the linear predictor η. */
export function probability(eta: number): number {
  return plogis(eta);
}

/** glm's start for one row: mustart = (w y + ½)/(w + 1), η = linkfun(mustart). */
function startEta(w: number, y: number): number {
  return linkfun((w * y + 0.5) / (w + 1));
}

/** Σ binomial deviance residuals: 2 w (y log(y/mu) + (1−y) log((1−y)/(1−mu))). */
export function deviance(y: Float64Array, mu: Float64Array, w: Float64Array | undefined): number {
  let dev = 0;
  for (let i = 0; i < y.length; i++) {
    const yi = y[i]!;
    const mi = mu[i]!;
    const wi = w === undefined ? 1 : w[i]!;
    let d = 0;
    if (yi !== 0) d += yi * Math.log(yi / mi);
    if (yi !== 1) d += (1 - yi) * Math.log((1 - yi) / (1 - mi));
    dev += 2 * wi * d;
  }
  return dev;
}

function lchoose(nn: number, k: number): number {
  return lgamma(nn + 1) - lgamma(k + 1) - lgamma(nn - k + 1);
}

/** The binomial log-likelihood as R's binomial()$aic: Σ log dbinom(round(w y), round(w), mu) over w > 0. */
export function loglik(y: Float64Array, mu: Float64Array, w: Float64Array | undefined): number {
  let ll = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = w === undefined ? 1 : w[i]!;
    if (!(wi > 0)) continue;
    const m = Math.round(wi);
    const k = Math.round(wi * y[i]!);
    const mi = mu[i]!;
    let term = (k > 0 ? k * Math.log(mi) : 0) + (m - k > 0 ? (m - k) * Math.log(1 - mi) : 0);
    if (k > 0 && k < m) term += lchoose(m, k);
    ll += term;
  }
  return ll;
}

/** Rows per block of η's exp in the kernels (BLOCK) and the stride of their block arrays. */
const S = BLOCK + 2;

/**
 * The family on one data set (see GlmRows): μ and e^η per row, and the deviance summed in row order. For
 * unweighted 0/1 outcomes (`binary`) the deviance is −2 Σ log q_i with q_i = μ_i (y = 1) or 1 − μ_i
 * (y = 0), taken as the log of running products of q (flushed before they can underflow): one log per
 * ~100 rows instead of one per row, with a rounding error of the same size.
 */
class BinomialLogitRows implements GlmRows {
  readonly mu: Float64Array;
  /** e^η of each row, kept for μ'(η). */
  private readonly expEta: Float64Array;
  private readonly binary: boolean;
  /** The deviance summed so far: d plus −2 log of the running product prod (binary). */
  private d = 0;
  private prod = 1;
  /** The kernels' block arrays during an update: the block's η and its exp (`exps`). */
  private block: { eta: Float64Array; exps: Float64Array } | undefined;

  constructor(
    private readonly y: Float64Array,
    private readonly w: Float64Array | undefined,
    n: number,
  ) {
    this.mu = new Float64Array(n);
    this.expEta = new Float64Array(n);
    let binary = w === undefined;
    for (let i = 0; i < n && binary; i++) if (y[i] !== 0 && y[i] !== 1) binary = false;
    this.binary = binary;
  }

  start(eta: Float64Array): number {
    const { y, w } = this;
    const n = eta.length;
    // unweighted 0/1 rows take one of two values, computed once each (the same arithmetic)
    const eta0 = startEta(1, 0);
    const eta1 = startEta(1, 1);
    for (let i = 0; i < n; i++) {
      const yi = y[i]!;
      eta[i] = w === undefined && yi === 0 ? eta0 : w === undefined && yi === 1 ? eta1 : startEta(w === undefined ? 1 : w[i]!, yi);
    }
    this.fitted(eta, 0, n, this.binary ? { y0: Math.exp(eta0), y1: Math.exp(eta1) } : undefined);
    return this.takeDeviance();
  }

  beginUpdate(): void {
    this.block = kernels().arena({ eta: S, exps: S });
  }

  /** μ for rows i0 … end − 1, e^η of a block by the kernels' exps (Math.exp for a block with |η| > 700, where theirs is not valid). */
  update(eta: Float64Array, i0: number, end: number): void {
    const block = this.block!;
    const len = end - i0;
    block.eta.set(eta.subarray(i0, end), 0);
    if ((len & 1) === 1) block.eta[len] = 0;
    const maxAbs = kernels().exps(block.eta, len + (len & 1), block.exps);
    this.fitted(eta, i0, end, undefined, maxAbs <= 700 ? block.exps : undefined);
  }

  refresh(eta: Float64Array): number {
    this.fitted(eta, 0, eta.length);
    return this.takeDeviance();
  }

  takeDeviance(): number {
    const d = this.d - 2 * Math.log(this.prod);
    this.d = 0;
    this.prod = 1;
    return d;
  }

  /**
   * For rows i0..end−1 (η with any offset already added): mu = linkinv(η), keeping e^η for μ'(η), and the
   * rows' deviance into the running sum. `startExp`: e^η of the rows with y = 0 and y = 1 at glm's start for
   * unweighted 0/1 outcomes (two values: exp taken once each); `exps`: e^η of the block's rows, already
   * taken (exps[i − i0]).
   */
  private fitted(eta: Float64Array, i0: number, end: number, startExp?: { readonly y0: number; readonly y1: number }, exps?: Float64Array): void {
    const { y, w, binary, expEta, mu } = this;
    let d = this.d;
    let prod = this.prod;
    for (let i = i0; i < end; i++) {
      const e = eta[i]!;
      const yi = y[i]!;
      const ex = exps !== undefined ? exps[i - i0]! : startExp === undefined ? Math.exp(e) : yi === 1 ? startExp.y1 : startExp.y0;
      expEta[i] = ex;
      const t = e < -THRESH ? DBL_EPSILON : e > THRESH ? INVEPS : ex;
      const m = t / (1 + t);
      mu[i] = m;
      if (binary) {
        const q = yi === 1 ? m : 1 - m; // as R's y log(y/mu) + (1 − y) log((1 − y)/(1 − mu))
        if (q > 1e-100) {
          prod *= q;
          if (prod < 1e-200) {
            d -= 2 * Math.log(prod);
            prod = 1;
          }
        } else d -= 2 * Math.log(q);
        continue;
      }
      let r = 0;
      if (yi !== 0) r += yi * Math.log(yi / m);
      if (yi !== 1) r += (1 - yi) * Math.log((1 - yi) / (1 - m));
      d += 2 * (w === undefined ? 1 : w[i]!) * r;
    }
    this.d = d;
    this.prod = prod;
  }

  /**
   * glm.fit's working weights and response for the rows i0..i0+len−1, as W[t] and Wz[t] = W·z:
   * W = w mu'(η)²/(mu(1 − mu)), z = η − offset + (y − mu)/mu'(η), with mu'(η) from the kept e^η (R's
   * logit_mu_eta); rows with w = 0 or mu'(η) = 0 (not "good") get W = 0.
   */
  working(eta: Float64Array, offset: Float64Array | undefined, i0: number, len: number, W: Float64Array, Wz: Float64Array): void {
    const { y, w, mu, expEta } = this;
    for (let t = 0; t < len; t++) {
      const i = i0 + t;
      const e = eta[i]!;
      const m = mu[i]!;
      const me = muEta(e, expEta[i]!);
      const wi = w === undefined ? 1 : w[i]!;
      if (!(wi > 0) || me === 0) {
        W[t] = 0;
        Wz[t] = 0;
        continue;
      }
      const Wt = (wi * me * me) / (m * (1 - m));
      W[t] = Wt;
      Wz[t] = Wt * (e - (offset === undefined ? 0 : offset[i]!) + (y[i]! - m) / me);
    }
  }
}

/** The binomial family with the logit link, for glm.fit's IRLS (fit/irls.ts). */
export const BINOMIAL_LOGIT: GlmFamily = {
  rows: (y, w, n) => new BinomialLogitRows(y, w, n),
};
