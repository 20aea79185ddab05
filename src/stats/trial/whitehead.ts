/**
 * Whitehead's (Stat Med 1993;12:2257) sample size and power for a proportional-odds comparison of an
 * ordinal outcome (the mRS), exactly as Hmisc's `posamsize` and `popower` (Hmisc 4.8.0):
 *
 *   posamsize: N = 3(A + 1)²(z_{1−α/2} + z_{1−β})² / (A·(log OR)²·(1 − Σp̄³)),  A = (1 − t)/t
 *   popower:   power = Φ(|log OR|·√V − z_{1−α/2}),  V = n₁n₂N/(3(N + 1)²)·(1 − Σp̄³)
 *
 * where p̄ is "the" category distribution. Hmisc takes it as given (its documentation: the proportions
 * averaged over both arms); here both conventions are built from a control distribution and the common
 * OR and named: `average` = (p_C + p_T)/2 with p_T the proportional-odds shift of p_C (Whitehead's own
 * choice), `control` = p_C. The efficiency `eff` = (1 − Σp̄³)/(1 − 1/N²) is Hmisc's (relative to an
 * untied continuous response).
 *
 * Exported API: posamsize, popower, poShift, whiteheadDistribution.
 */
import { pnorm, qnorm } from '../distributions.js';

export type WhiteheadConvention = 'average' | 'control';

/** 1 − Σp³ of a distribution (renormalised to sum 1, as Hmisc insists it does to 1e-5). */
function tieFactor(p: readonly number[]): number {
  let s = 0;
  for (const x of p) s += x * x * x;
  return 1 - s;
}

/** Hmisc::posamsize: total N (real) and the efficiency. `fraction` is the share in one arm (t). */
export function posamsize(p: readonly number[], oddsRatio: number, fraction: number, alpha: number, power: number): { n: number; eff: number } {
  const A = (1 - fraction) / fraction;
  const logOr = Math.log(oddsRatio);
  const za = qnorm(1 - alpha / 2);
  const zb = qnorm(power);
  const ps = tieFactor(p);
  const n = (3 * (A + 1) ** 2 * (za + zb) ** 2) / A / (logOr * logOr) / ps;
  return { n, eff: ps / (1 - 1 / n / n) };
}

/** Hmisc::popower with n1 and n2 (N = n1 + n2): power, efficiency and the approximate SE of log OR. */
export function popower(p: readonly number[], oddsRatio: number, n1: number, n2: number, alpha: number): { power: number; eff: number; approxSe: number } {
  const n = n1 + n2;
  const z = qnorm(1 - alpha / 2);
  const ps = tieFactor(p);
  const V = ((((n1 * n2 * n) / 3) / ((n + 1) * (n + 1))) * ps);
  return { power: pnorm(Math.abs(Math.log(oddsRatio)) * Math.sqrt(V) - z), eff: ps / (1 - 1 / n / n), approxSe: 1 / Math.sqrt(V) };
}

/**
 * The distribution a proportional-odds effect makes of `control` (categories ordered best first, e.g.
 * mRS 0 … 6): each cumulative odds of being in category ≤ k multiplied by `oddsRatio` (> 1: better).
 */
export function poShift(control: readonly number[], oddsRatio: number): number[] {
  const J = control.length;
  const out = new Array<number>(J);
  let c0 = 0;
  let prev = 0;
  for (let k = 0; k < J - 1; k++) {
    c0 += control[k]!;
    const c1 = c0 >= 1 ? 1 : (oddsRatio * c0) / (1 - c0 + oddsRatio * c0);
    out[k] = c1 - prev;
    prev = c1;
  }
  out[J - 1] = 1 - prev;
  return out;
}

/** p̄ for Whitehead's formula under a convention: the control arm's, or the average of the arms'. */
export function whiteheadDistribution(control: readonly number[], oddsRatio: number, convention: WhiteheadConvention): number[] {
  if (convention === 'control') return [...control];
  const treated = poShift(control, oddsRatio);
  return control.map((p, k) => (p + treated[k]!) / 2);
}
