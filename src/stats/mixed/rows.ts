/**
 * One observation of the cumulative-logit model, P(Y ≤ k) = F(θ_k − η), F the logistic cdf, written
 * for a mixed model: the log-probability of the observed category and its derivatives with respect to
 * its two linear predictors, a = θ_y − η ("upper", +∞ for the last category) and b = θ_{y−1} − η ("lower",
 * −∞ for the first), and with respect to a shift e added to both (a random effect enters as e = −s).
 *
 *   p = F(a) − F(b) = F(a)·F̄(b)·(1 − e^{−(a−b)})           (no cancellation; F̄ = 1 − F)
 *   A = f(a)/p = F̄(a) / (F̄(b) g),  B = f(b)/p = F(b) / (F(a) g),  g = 1 − e^{−(a−b)}
 *   f = F F̄,  f'/f = 1 − 2F,  f''/f = 1 − 6 F F̄
 *   first:  L_a = A,  L_b = −B;                 S1 = d log p/de = A − B
 *   second: L_aa = A(1 − 2F(a)) − A²,  L_bb = −B(1 − 2F(b)) − B²,  L_ab = AB;   S2 = L_aa + 2 L_ab + L_bb
 *   third:  L_aaa = A(1 − 6F(a)F̄(a)) − 3 A²(1 − 2F(a)) + 2A³,   L_bbb = −B(1 − 6F(b)F̄(b)) − 3B²(1 − 2F(b)) − 2B³,
 *           L_aab = AB(1 − 2F(a)) − 2A²B,   L_abb = AB(1 − 2F(b)) + 2AB²;   S3 = L_aaa + 3 L_aab + 3 L_abb + L_bbb
 * (docs/mixed-models.md; the same as ordinal's clmm derivatives, extended to third order for the gradient
 * of the Laplace approximation). The binary logistic model is J = 2.
 *
 * TODO(core #12): these per-observation derivatives belong in the cumulative-logit model module
 * (src/stats/models/cumulative-logit.ts) once it exists; they move there unchanged.
 */

/** Derivatives of one observation, written into `out` (reused to avoid allocation). */
export interface RowDerivatives {
  logp: number;
  /** d log p / de (e a shift of both ends). */
  s1: number;
  s2: number;
  s3: number;
  /** ∂S1/∂a and ∂S1/∂b: how S1 moves with the upper / lower threshold. */
  t1a: number;
  t1b: number;
  /** ∂S2/∂a and ∂S2/∂b. */
  t2a: number;
  t2b: number;
  /** ∂ log p/∂a = A and ∂ log p/∂b = −B. */
  la: number;
  lb: number;
  /** F(a), F(b) (kept for the third derivatives). */
  Fa: number;
  Fb: number;
  /** Second derivatives L_aa, L_ab, L_bb (rowAll only). */
  laa: number;
  lab: number;
  lbb: number;
}

export function rowDerivatives(): RowDerivatives {
  return { logp: 0, s1: 0, s2: 0, s3: 0, t1a: 0, t1b: 0, t2a: 0, t2b: 0, la: 0, lb: 0, Fa: 0, Fb: 0, laa: 0, lab: 0, lbb: 0 };
}

/**
 * S1 and S2 of one observation (and log p when `withLog`): what the conditional modes need. `a` may be
 * +∞, `b` −∞. Per category: `gap` = 1 − e^{−(a−b)}, `logGap` its log, `expNegGap` = e^{−(a−b)} (0 at the
 * first and last category). F(a) = 1/(1 + e^{−a}) and F̄(a) = e^{−a} F(a), F̄(b) = 1/(1 + e^{b}), F(b) =
 * e^{b} F̄(b): both tails exact (1 − F would lose F(b) below −37), and one exponential per observation —
 * e^{b} = e^{−(a−b)} / e^{−a} inside the scale, computed only at the ends. Returns log p (NaN without `withLog`).
 */
export function rowFirstTwo(a: number, b: number, gap: number, logGap: number, expNegGap: number, out: RowDerivatives, withLog: boolean): number {
  const ea = Math.exp(-a);
  let eb: number;
  if (b === -Infinity) eb = 0;
  else if (a === Infinity || ea === 0 || ea === Infinity) eb = Math.exp(b);
  else eb = expNegGap / ea;
  const Fa = 1 / (1 + ea);
  const Fabar = ea === Infinity ? 1 : ea * Fa;
  const Fbbar = 1 / (1 + eb);
  const Fb = eb === Infinity ? 1 : eb * Fbbar;
  const A = Fabar / (Fbbar * gap);
  const B = Fb / (Fa * gap);
  const s1 = A - B;
  out.s1 = s1;
  out.s2 = A * (Fabar - Fa) - B * (Fbbar - Fb) - s1 * s1;
  out.la = A;
  out.lb = -B;
  out.Fa = Fa;
  out.Fb = Fb;
  if (!withLog) return NaN;
  // p = F(a) F̄(b) g; its log from the product unless that underflows
  const prod = Fa * Fbbar * gap;
  const logp = prod > 1e-300 ? Math.log(prod) : -Math.log1p(ea) - Math.log1p(eb) + logGap;
  out.logp = logp;
  return logp;
}

/** Every derivative of one observation up to third order (the gradient pass). */
export function rowAll(a: number, b: number, gap: number, logGap: number, expNegGap: number, out: RowDerivatives): void {
  rowFirstTwo(a, b, gap, logGap, expNegGap, out, true);
  const Fa = out.Fa;
  const Fb = out.Fb;
  const A = out.la;
  const B = -out.lb;
  const da = 1 - 2 * Fa; // f'(a)/f(a)
  const db = 1 - 2 * Fb;
  const ea = 1 - 6 * Fa * (1 - Fa); // f''(a)/f(a)
  const eb = 1 - 6 * Fb * (1 - Fb);
  const Laa = A * da - A * A;
  const Lbb = -B * db - B * B;
  const Lab = A * B;
  const Laaa = A * ea - 3 * A * A * da + 2 * A * A * A;
  const Lbbb = -B * eb - 3 * B * B * db - 2 * B * B * B;
  const Laab = A * B * da - 2 * A * A * B;
  const Labb = A * B * db + 2 * A * B * B;
  out.laa = Laa;
  out.lab = Lab;
  out.lbb = Lbb;
  out.s3 = Laaa + 3 * Laab + 3 * Labb + Lbbb;
  out.t1a = Laa + Lab;
  out.t1b = Lab + Lbb;
  out.t2a = Laaa + 2 * Laab + Labb;
  out.t2b = Laab + 2 * Labb + Lbbb;
}
