/**
 * The cumulative-logit model (proportional odds; `ordinal::clm`, `MASS::polr`), stated once:
 *
 *   P(Y ≤ j | x, z) = F(θ_j + z'γ_j − η),   η = x'β + o,   j = 1 … J−1,   F(t) = 1/(1 + e^{−t}) (plogis)
 *
 * with θ_0 = −∞ and θ_J = +∞; x the location covariates (no intercept column: the thresholds are the
 * intercepts), z the nominal covariates whose effects γ_j vary by threshold (clm's `nominal =`, with its
 * sign.nominal = "positive"; without z this is the proportional-odds model) and o an offset (clm's
 * `offset()`; a random intercept τu of a trial enters the linear predictor here, as clmm's).
 *
 * One observation in category c (1 … J) with weight w: its upper and lower arguments a = θ_c(z) − η and
 * b = θ_{c−1}(z) − η, probability p = F(a) − F(b), log-likelihood ℓ = w log p, and with f = F(1 − F) and
 * f' = f(1 − 2F):
 *   ∂ℓ/∂a = w f(a)/p,    ∂ℓ/∂b = −w f(b)/p,
 *   ∂²ℓ/∂a² = w [f'(a)/p − (f(a)/p)²],   ∂²ℓ/∂b² = w [−f'(b)/p − (f(b)/p)²],   ∂²ℓ/∂a∂b = w f(a) f(b)/p².
 * The score and the information of the parameters follow by the chain rule: a moves with θ_c (and γ_c by
 * z), b with θ_{c−1} (and γ_{c−1} by z), both with −x'β — so the β score is −Σ x (∂ℓ/∂a + ∂ℓ/∂b) and the
 * β × β information Σ x x' (−∂²ℓ/∂a² − 2∂²ℓ/∂a∂b − ∂²ℓ/∂b²).
 *
 * A common shift s of both arguments (a random intercept: s = −τu) has, per observation (mixed-models.md §2),
 *   S1 = ∂ log p/∂s = f(a)/p − f(b)/p,   S2 = ∂² log p/∂s² = ∂²/∂a² + 2 ∂²/∂a∂b + ∂²/∂b²  (of log p),
 * which are the row quantities d = w S1 and c = −w S2 below (observationShift gives them for w = 1).
 * The Laplace gradient of a mixed model (src/stats/mixed/laplace.ts) also needs the third derivatives of
 * log p (w = 1; A = f(a)/p, B = f(b)/p, F' = f, f'/f = 1 − 2F, f''/f = 1 − 6F(1 − F)):
 *   L_aaa = A f''(a)/f(a) − 3A² (1 − 2F(a)) + 2A³,    L_bbb = −B f''(b)/f(b) − 3B² (1 − 2F(b)) − 2B³,
 *   L_aab = AB (1 − 2F(a)) − 2A²B,                    L_abb = AB (1 − 2F(b)) + 2AB²,
 *   S3 = ∂³ log p/∂s³ = L_aaa + 3L_aab + 3L_abb + L_bbb,
 *   ∂S2/∂a = L_aaa + 2L_aab + L_abb,   ∂S2/∂b = L_aab + 2L_abb + L_bbb      (rowThirdOrder; mixed-models.md §2)
 * and ∂S1/∂a = ∂²/∂a² + ∂²/∂a∂b, ∂S1/∂b = ∂²/∂a∂b + ∂²/∂b², which are rowTerms's u and l for w = 1.
 *
 * Numerics: one exp per row. With e_a = e^a and r = e^{b − a} = exp(θ_{c−1} − θ_c) < 1 (a constant of the
 * category: categoryConstants), e_b = r e_a and
 *   F(a) = e_a/(1 + e_a),  1 − F(a) = 1/(1 + e_a),  f(a) = F(a)(1 − F(a)),  1 − 2F(a) = (1 − e_a)/(1 + e_a),
 *   p = F(a) − F(b) = e_a (1 − r) / ((1 + e_a)(1 + e_b))   with 1 − r = −expm1(θ_{c−1} − θ_c): no cancellation,
 *   f(a)/p = (1 + e_b) / ((1 + e_a)(1 − r)),   f(b)/p = r (1 + e_a) / ((1 + e_b)(1 − r)).
 * The lowest category is the same with r = 0 (p = F(a)); the highest has p = 1 − F(b) = 1/(1 + e_b).
 * (1 + e_a)(1 + e_b) overflows for θ − η beyond ~355 (then p is NaN and the fit halves its step; R's clm
 * loses p there too.) The kernel `rows` (assembly/kernels.ts, and kernels/js.ts) computes exactly rowTerms's
 * operations, two rows at a time (tested bit for bit, given the same e_a).
 *
 *   rowTerms(kind, e, r, omr, iomr, w, out)      one observation's p, ∂ℓ and ∂²ℓ, and its row quantities
 *   rowThirdOrder(kind, e, r, terms, out)        its third-order terms S3, ∂S2/∂a, ∂S2/∂b (w = 1)
 *   rowLogProbability(kind, e, logE, omr, r, p)  log p without underflow
 *   categoryConstants(tU, tL, kind, out, at)     a category's θ_c, θ_{c−1}, r, 1 − r, 1/(1 − r)
 *   observationShift(kind, thetaU, thetaL, eta, out)   log p, S1, S2 of one observation
 *   cumulativeProbability(theta, eta)            P(Y ≤ j) = F(θ_j − η)
 *   categoryProbabilities(theta, eta, out, at)   P(Y = c), c = 1 … J
 *   clmStart(J, q, out)                          clm.start's thresholds
 *   nullModelThresholds(y, w, J)                 the thresholds of the model without covariates
 */
import { plogis, qlogis } from '../distributions.js';

/** The row kinds: a middle category, the lowest (p = F(a)), the highest (p = 1 − F(b)). */
export const MIDDLE = 0;
export const LOWEST = 1;
export const HIGHEST = 2;
export type RowKind = typeof MIDDLE | typeof LOWEST | typeof HIGHEST;

/** The kind of category c (0-based) of J. */
export function rowKind(c: number, J: number): RowKind {
  return c === 0 ? LOWEST : c === J - 1 ? HIGHEST : MIDDLE;
}

/**
 * What rowTerms writes, by index: the row quantities c = −w S2 (the β × β information weight), d = w S1
 * (minus the β score weight), u = ∂²ℓ/∂a² + ∂²ℓ/∂a∂b and l = ∂²ℓ/∂a∂b + ∂²ℓ/∂b² (the θ_c × β and θ_{c−1} × β
 * information weights), the probability p, and the threshold terms ∂ℓ/∂a, ∂ℓ/∂b, ∂²ℓ/∂a², ∂²ℓ/∂b², ∂²ℓ/∂a∂b.
 */
export const ROW_C = 0;
export const ROW_D = 1;
export const ROW_U = 2;
export const ROW_L = 3;
export const ROW_P = 4;
export const ROW_GA = 5;
export const ROW_GB = 6;
export const ROW_HAA = 7;
export const ROW_HBB = 8;
export const ROW_HAB = 9;
/** Length of rowTerms's output. */
export const ROW_TERMS = 10;

/**
 * One observation's terms (see the module comment) into out[0 … ROW_TERMS): for a middle or the lowest
 * category e = e_a = exp(θ_c − η) with the category's r, omr = 1 − r and iomr = 1/(1 − r) (the lowest: 0,
 * 1, 1); for the highest e = e_b = exp(θ_{c−1} − η) (r, omr, iomr unused). The operations are the `rows`
 * kernel's, in its order (a sign is taken as 0 − x, as the kernel does).
 */
export function rowTerms(kind: RowKind, e: number, r: number, omr: number, iomr: number, w: number, out: Float64Array): void {
  if (kind === HIGHEST) {
    // p = 1 − F(b) = 1/(1 + e_b); ∂ log p/∂b = −e_b/(1 + e_b); ∂² log p/∂b² = −f(b)
    const invB = 1 / (1 + e);
    const lb = (0 - e) * invB;
    const hbb = lb * invB;
    const gb = w * lb;
    const wHbb = w * hbb;
    out[ROW_C] = 0 - wHbb;
    out[ROW_D] = gb;
    out[ROW_U] = 0;
    out[ROW_L] = wHbb;
    out[ROW_P] = invB;
    out[ROW_GA] = 0;
    out[ROW_GB] = gb;
    out[ROW_HAA] = 0;
    out[ROW_HBB] = wHbb;
    out[ROW_HAB] = 0;
    return;
  }
  const A1 = 1 + e;
  const eb = r * e;
  const B = 1 + eb;
  // one division for both reciprocals
  const invAB = 1 / (A1 * B);
  const invA = B * invAB;
  const invB = A1 * invAB;
  const pr = e * omr * invAB;
  const la = B * invA * iomr; // f(a)/p
  const lb = (0 - r) * A1 * invB * iomr; // −f(b)/p
  const haa = la * ((1 - e) * invA - la); // f'(a)/p − (f(a)/p)²
  const hbb = lb * ((1 - eb) * invB - lb); // −f'(b)/p − (f(b)/p)²
  const ga = w * la;
  const gb = w * lb;
  const wHaa = w * haa;
  const wHbb = w * hbb;
  const hab = (0 - w) * la * lb; // w f(a) f(b)/p²
  out[ROW_C] = 0 - (wHaa + 2 * hab + wHbb);
  out[ROW_D] = ga + gb;
  out[ROW_U] = wHaa + hab;
  out[ROW_L] = hab + wHbb;
  out[ROW_P] = pr;
  out[ROW_GA] = ga;
  out[ROW_GB] = gb;
  out[ROW_HAA] = wHaa;
  out[ROW_HBB] = wHbb;
  out[ROW_HAB] = hab;
}

/** What rowThirdOrder writes, by index: S3, ∂S2/∂a and ∂S2/∂b of log p (w = 1). */
export const ROW3_S3 = 0;
export const ROW3_T2A = 1;
export const ROW3_T2B = 2;
/** Length of rowThirdOrder's output. */
export const ROW3_TERMS = 3;

/**
 * One observation's third-order terms (module comment) into out[0 … ROW3_TERMS), from its rowTerms
 * output `terms` computed with w = 1 at the same e (and the category's r): A = terms[ROW_GA],
 * B = −terms[ROW_GB]; F(a) = e_a/(1 + e_a) and F(b) = e_b/(1 + e_b) with e_b = r e_a (the highest
 * category: e is e_b and A = 0; the lowest: B = 0).
 */
export function rowThirdOrder(kind: RowKind, e: number, r: number, terms: Float64Array, out: Float64Array): void {
  const A = terms[ROW_GA]!;
  const B = 0 - terms[ROW_GB]!;
  let Laaa = 0;
  let Laab = 0;
  let Labb = 0;
  let Lbbb = 0;
  if (kind !== HIGHEST) {
    const Fa = e / (1 + e);
    const da = 1 - 2 * Fa; // f'(a)/f(a)
    const ea = 1 - 6 * Fa * (1 - Fa); // f''(a)/f(a)
    Laaa = A * ea - 3 * A * A * da + 2 * A * A * A;
    Laab = A * B * da - 2 * A * A * B;
  }
  if (kind !== LOWEST) {
    const eb = kind === HIGHEST ? e : r * e;
    const Fb = eb / (1 + eb);
    const db = 1 - 2 * Fb;
    const fb = 1 - 6 * Fb * (1 - Fb);
    Lbbb = 0 - B * fb - 3 * B * B * db - 2 * B * B * B;
    Labb = A * B * db + 2 * A * B * B;
  }
  out[ROW3_S3] = Laaa + 3 * Laab + 3 * Labb + Lbbb;
  out[ROW3_T2A] = Laaa + 2 * Laab + Labb;
  out[ROW3_T2B] = Laab + 2 * Labb + Lbbb;
}

/**
 * log p of one observation from rowTerms's p, or — where p underflows (below 1e-300) — from the logs:
 * log p = log e_a + log(1 − r) − log(1 + e_a) − log(1 + e_b) (middle; the lowest without the last term),
 * −log(1 + e_b) (highest). logE = log e (θ_c − η, or θ_{c−1} − η for the highest).
 */
export function rowLogProbability(kind: RowKind, e: number, logE: number, omr: number, r: number, p: number): number {
  if (p > 1e-300) return Math.log(p);
  if (kind === HIGHEST) return -Math.log1p(e);
  const lower = kind === LOWEST ? 0 : Math.log1p(r * e);
  return logE + Math.log(omr) - Math.log1p(e) - lower;
}

/**
 * A category's constants for rowTerms (and the `rows` kernel), at out[at … at + 5): θ_c (0 for the
 * highest), θ_{c−1} (0 for the lowest), r = exp(θ_{c−1} − θ_c), 1 − r = −expm1(θ_{c−1} − θ_c) and
 * 1/(1 − r) — for the lowest r = 0 and 1 − r = 1/(1 − r) = 1. Returns 1 − r: a middle category whose
 * thresholds are out of order (θ_{c−1} ≥ θ_c) has 1 − r ≤ 0, and its p would be ≤ 0.
 */
export function categoryConstants(tU: number, tL: number, kind: RowKind, out: Float64Array, at: number): number {
  const r = Math.exp(tL - tU);
  const oneMinusR = -Math.expm1(tL - tU);
  const lowest = kind === LOWEST;
  out[at] = tU;
  out[at + 1] = tL;
  out[at + 2] = lowest ? 0 : r;
  out[at + 3] = lowest ? 1 : oneMinusR;
  out[at + 4] = lowest ? 1 : 1 / oneMinusR;
  return oneMinusR;
}

const scratch = new Float64Array(ROW_TERMS);
const constants = new Float64Array(5);

/**
 * log p, S1 and S2 (the first and second derivatives of log p with respect to a common shift of its
 * arguments; see the module comment) of one observation of the given kind, with thresholds thetaU = θ_c(z)
 * and thetaL = θ_{c−1}(z) (either ignored where the kind has none) and linear predictor η (offset and any
 * random intercept included), into out[0 … 3). log p is −Infinity where p is not positive.
 */
export function observationShift(kind: RowKind, thetaU: number, thetaL: number, eta: number, out: Float64Array): void {
  categoryConstants(kind === HIGHEST ? 0 : thetaU, kind === LOWEST ? 0 : thetaL, kind, constants, 0);
  const e = Math.exp(kind === HIGHEST ? thetaL - eta : thetaU - eta);
  rowTerms(kind, e, constants[2]!, constants[3]!, constants[4]!, 1, scratch);
  const p = scratch[ROW_P]!;
  out[0] = p > 0 ? Math.log(p) : -Infinity;
  out[1] = scratch[ROW_D]!;
  out[2] = 0 - scratch[ROW_C]!;
}

/** P(Y ≤ j) = F(θ_j − η). */
export function cumulativeProbability(theta: number, eta: number): number {
  return plogis(theta - eta);
}

/** P(Y = c) for c = 1 … J (J = theta.length + 1) at η, into out[at …]: differences of the cumulative probabilities. */
export function categoryProbabilities(theta: ArrayLike<number>, eta: number, out: Float64Array, at = 0): void {
  const K = theta.length;
  let prev = 0;
  for (let j = 0; j <= K; j++) {
    const cum = j < K ? cumulativeProbability(theta[j]!, eta) : 1;
    out[at + j] = cum - prev;
    prev = cum;
  }
}

/** clm.start (ordinal 2022.11): thresholds θ_j = qlogis(j/J) at par[j·q] (q = 1 + nominal columns), the rest left 0. */
export function clmStart(J: number, q: number, par: Float64Array): void {
  for (let j = 0; j < J - 1; j++) par[j * q] = qlogis((j + 1) / J);
}

/**
 * The maximum of the model without covariates: θ_j = the logit of the (weighted) proportion of
 * observations in categories ≤ j — or undefined when a category is empty (a threshold would be infinite).
 */
export function nullModelThresholds(y: Int32Array, w: Float64Array | undefined, n: number, J: number): Float64Array | undefined {
  const count = new Float64Array(J);
  for (let i = 0; i < n; i++) count[y[i]!]! += w === undefined ? 1 : w[i]!;
  let total = 0;
  for (const c of count) total += c;
  const theta = new Float64Array(J - 1);
  let cum = 0;
  for (let j = 0; j < J - 1; j++) {
    cum += count[j]!;
    theta[j] = qlogis(cum / total);
    if (!Number.isFinite(theta[j])) return undefined;
  }
  return theta;
}
