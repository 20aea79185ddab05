/**
 * The noncentral t distribution function, as R's `pt(q, df, ncp)` (nmath/pnt.c): Lenth's algorithm
 * AS 243 (Applied Statistics 1989;38:185–9). For t ≥ 0,
 *
 *   P[T ≤ t] = Φ(−δ) + Σ_j [ p_j · I_x(j + ½, ν/2) + q_j · I_x(j + 1, ν/2) ],   x = t²/(t² + ν),
 *
 * with Poisson weights p_j = ½·e^{−δ²/2}(δ²/2)^j/j!, q_j = δ/√(2π)·e^{−δ²/2}(δ²/2)^j/Γ(j + 3/2)·…
 * updated by recurrences; the incomplete betas are updated by their own recurrences from one pbeta.
 * The series stops when Lenth's error bound falls below 1e-12 (R's errmax) or after 1000 terms.
 * For t < 0, P[T ≤ t; δ] = P[T ≥ −t; −δ]. For ν > 4·10⁵ or δ² > 2·log 2·1021, R's normal
 * approximation (Abramowitz & Stegun 26.7.10) is used, as pnt.c does.
 *
 * R sums the series in long double (80 bits on x86-64); here in double: the two agree to ~1e-15.
 *
 * Exported API: pnt(t, df, ncp, lowerTail).
 */
import { lgamma, pbetaTails, pnorm, pt } from './distributions.js';

const ERRMAX = 1e-12;
const ITRMAX = 1000;
const LN_SQRT_PI = 0.5723649429247001; // log(√π)
const SQRT_2_OVER_PI = 0.7978845608028654; // √(2/π)
const DBL_EPSILON = 2.220446049250313e-16;
const NORMAL_APPROX_DEL2 = 2 * Math.LN2 * 1021; // 2·log 2·(−DBL_MIN_EXP)

/** P[T ≤ t] (or P[T > t]) for the t distribution with `df` degrees of freedom and noncentrality `ncp`. */
export function pnt(t: number, df: number, ncp: number, lowerTail = true): number {
  if (Number.isNaN(t) || Number.isNaN(df) || Number.isNaN(ncp)) return NaN;
  if (df <= 0) return NaN;
  if (ncp === 0) return pt(t, df, lowerTail);
  if (!Number.isFinite(t)) return (t < 0) === lowerTail ? 0 : 1;
  let negdel: boolean;
  let tt: number;
  let del: number;
  if (t >= 0) {
    negdel = false;
    tt = t;
    del = ncp;
  } else {
    // P[T ≤ t] is below 1e-300 or so: R returns 0 for the lower tail (and 1 for the upper)
    if (ncp > 40 && !lowerTail) return 1;
    if (ncp > 40) return 0;
    negdel = true;
    tt = -t;
    del = -ncp;
  }
  if (df > 4e5 || del * del > NORMAL_APPROX_DEL2) {
    // Abramowitz & Stegun 26.7.10: T ≈ normal with mean δ and variance 1 + t²/(2ν)
    const s = 1 / (4 * df);
    const z = (tt * (1 - s) - del) / Math.sqrt(1 + tt * tt * 2 * s);
    return pnorm(z, lowerTail !== negdel);
  }
  const x2 = t * t;
  const rxb0 = df / (x2 + df); // 1 − x, accurately when t² ≪ ν
  const x = x2 / (x2 + df);
  let tnc = 0;
  if (x > 0) {
    const lambda = del * del;
    let p = 0.5 * Math.exp(-0.5 * lambda);
    if (p === 0) return lowerTail !== negdel ? 0 : 1; // underflow: the whole mass lies beyond t
    let q = SQRT_2_OVER_PI * p * del;
    let s = 0.5 - p;
    if (s < 1e-7) s = -0.5 * Math.expm1(-0.5 * lambda);
    let a = 0.5;
    const b = 0.5 * df;
    const rxb = Math.pow(rxb0, b);
    const albeta = LN_SQRT_PI + lgamma(b) - lgamma(0.5 + b);
    let xodd = pbetaTails(x, rxb0, a, b)[0];
    let godd = 2 * rxb * Math.exp(a * Math.log(x) - albeta);
    tnc = b * x;
    let xeven = tnc < DBL_EPSILON ? tnc : 1 - rxb;
    let geven = tnc * rxb;
    tnc = p * xodd + q * xeven;
    for (let it = 1; it <= ITRMAX; it++) {
      a += 1;
      xodd -= godd;
      xeven -= geven;
      godd *= (x * (a + b - 1)) / a;
      geven *= (x * (a + b - 0.5)) / (a + 0.5);
      p *= lambda / (2 * it);
      q *= lambda / (2 * it + 1);
      tnc += p * xodd + q * xeven;
      s -= p;
      if (s < -1e-10) break; // rounding error (R warns "full precision may not have been achieved")
      if (s <= 0 && it > 1) break;
      const errbd = 2 * s * (xodd - godd);
      if (Math.abs(errbd) < ERRMAX) break;
    }
  }
  tnc += pnorm(-del);
  const lower = lowerTail !== negdel;
  const v = Math.min(tnc, 1);
  return lower ? v : 0.5 - v + 0.5;
}
