/**
 * Probability distributions as R's nmath computes them: densities, distribution functions (lower or
 * upper tail) and quantiles of the normal, t, chi-squared, F and logistic distributions, with the
 * log-gamma / log-beta helpers they need.
 *
 * - `pnorm`: Cody's rational Chebyshev approximations (W. J. Cody 1969/1993, as R's pnorm.c), ≈1e-16 relative.
 * - `qnorm`: Wichura's AS 241 (PPND16), as R ≤ 4.2's qnorm.c.
 * - `pt`, `pf`: through the regularised incomplete beta function (continued fraction), as pt.c/pf.c reduce them.
 * - `pchisq`: through the regularised incomplete gamma function (series / continued fraction).
 * - `qt`, `qchisq`: a starting value (Hill / Wilson–Hilferty) refined by safeguarded Newton steps on the
 *   log of the smaller tail, so the quantile is accurate to a few ulps wherever the cdf is.
 *
 * Exported API: dnorm, pnorm, qnorm, dt, pt, qt, dchisq, pchisq, qchisq, pf, plogis, qlogis,
 * lgamma, lbeta, pbetaTails, pgammaTails.
 */

const LN_SQRT_2PI = 0.9189385332046728; // log(sqrt(2π))
const ONE_OVER_SQRT_2PI = 0.3989422804014327;
const SQRT_32 = 5.656854249492381;
const DBL_EPSILON = 2.220446049250313e-16;

// ---- log-gamma and log-beta -----------------------------------------------------------------------

/**
 * The remainder of Stirling's series, lgamma(x) − [(x − ½)·log x − x + log √(2π)], for x ≥ 10
 * (R's lgammacor): 1/(12x) − 1/(360x³) + 1/(1260x⁵) − 1/(1680x⁷) + 1/(1188x⁹) − 691/(360360x¹¹) + 1/(156x¹³).
 */
export function lgammacor(x: number): number {
  const r = 1 / x;
  const r2 = r * r;
  return r * (1 / 12 + r2 * (-1 / 360 + r2 * (1 / 1260 + r2 * (-1 / 1680 + r2 * (1 / 1188 + r2 * (-691 / 360360 + r2 * (1 / 156)))))));
}

/** log Γ(x) for x > 0: Stirling's series for x ≥ 10, the recurrence Γ(x) = Γ(x + n) / (x(x+1)…(x+n−1)) below. */
export function lgamma(x: number): number {
  if (Number.isNaN(x) || x <= 0) return x === 0 ? Infinity : NaN;
  if (x === Infinity) return Infinity;
  if (x >= 10) return (x - 0.5) * Math.log(x) - x + LN_SQRT_2PI + lgammacor(x);
  let prod = 1;
  let y = x;
  while (y < 10) {
    prod *= y;
    y += 1;
  }
  return (y - 0.5) * Math.log(y) - y + LN_SQRT_2PI + lgammacor(y) - Math.log(prod);
}

/** log B(a, b), as R's lbeta: Stirling's form when an argument is large, to avoid cancellation. */
export function lbeta(a: number, b: number): number {
  const p = Math.min(a, b);
  const q = Math.max(a, b);
  if (p <= 0) return p === 0 ? Infinity : NaN;
  if (q === Infinity) return -Infinity;
  if (p >= 10) {
    const corr = lgammacor(p) + lgammacor(q) - lgammacor(p + q);
    return Math.log(q) * -0.5 + LN_SQRT_2PI + corr + (p - 0.5) * Math.log(p / (p + q)) + q * Math.log1p(-p / (p + q));
  }
  if (q >= 10) {
    const corr = lgammacor(q) - lgammacor(p + q);
    return lgamma(p) + corr + p - p * Math.log(p + q) + (q - 0.5) * Math.log1p(-p / (p + q));
  }
  return lgamma(p) + lgamma(q) - lgamma(p + q);
}

// ---- normal -----------------------------------------------------------------------------------------

/** The standard normal density; for |x| ≥ 5, exp(−x²/2) is split as R's dnorm does (x = x₁ + x₂, x₁ on a 2⁻¹⁶ grid) to keep full relative accuracy. */
export function dnorm(x: number, logP = false): number {
  if (logP) return -LN_SQRT_2PI - 0.5 * x * x;
  const y = Math.abs(x);
  if (y < 5) return ONE_OVER_SQRT_2PI * Math.exp(-0.5 * y * y);
  if (y > 38.6) return 0; // below the smallest subnormal
  const x1 = Math.round(y * 65536) / 65536;
  const x2 = y - x1;
  return ONE_OVER_SQRT_2PI * (Math.exp(-0.5 * x1 * x1) * Math.exp((-0.5 * x2 - x1) * x2));
}

// Cody's coefficients (R's pnorm.c, pnorm_both).
const PN_A = [2.2352520354606837, 161.02823106855587, 1067.6894854603709, 18154.98125334356, 0.06568233791820745];
const PN_B = [47.202581904688245, 976.0985517377767, 10260.932208618979, 45507.78933502673];
const PN_C = [
  0.39894151208813466, 8.883149794388377, 93.50665613217785, 597.2702763948002, 2494.5375852903726, 6848.190450536283,
  11602.65143764735, 9842.714838383978, 1.0765576773720192e-08,
];
const PN_D = [
  22.266688044328117, 235.387901782625, 1519.3775994075547, 6485.558298266761, 18615.571640885097, 34900.95272114598,
  38912.00328609327, 19685.429676859992,
];
const PN_P = [0.215898534057957, 0.12740116116024736, 0.022235277870649807, 0.0014216191932278934, 2.9112874951168793e-05, 0.023073441764940174];
const PN_Q = [1.284260096144911, 0.4682382124808651, 0.06598813786892856, 0.0037823963320275824, 7.297515550839662e-05];

/** Φ(x) (lowerTail) or 1 − Φ(x), optionally on the log scale: R's pnorm(x, lower.tail, log.p). */
export function pnorm(x: number, lowerTail = true, logP = false): number {
  if (Number.isNaN(x)) return NaN;
  const y = Math.abs(x);
  let cum: number; // P[X ≤ x] (log when logP)
  let ccum: number; // P[X > x]
  if (y <= 0.67448975) {
    // |x| ≤ qnorm(3/4): Φ(x) = ½ + x·R(x²), R rational.
    let num = 0;
    let den = 0;
    if (y > DBL_EPSILON * 0.5) {
      const xsq = x * x;
      num = PN_A[4]! * xsq;
      den = xsq;
      for (let i = 0; i < 3; i++) {
        num = (num + PN_A[i]!) * xsq;
        den = (den + PN_B[i]!) * xsq;
      }
    }
    const temp = (x * (num + PN_A[3]!)) / (den + PN_B[3]!);
    cum = 0.5 + temp;
    ccum = 0.5 - temp;
    if (logP) {
      cum = Math.log(cum);
      ccum = Math.log(ccum);
    }
    return lowerTail ? cum : ccum;
  }
  let temp: number;
  if (y <= SQRT_32) {
    // 0.674 < |x| ≤ √32: the tail is exp(−y²/2)·R(y).
    let num = PN_C[8]! * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + PN_C[i]!) * y;
      den = (den + PN_D[i]!) * y;
    }
    temp = (num + PN_C[7]!) / (den + PN_D[7]!);
  } else if ((logP && y < 1e170) || (lowerTail && -37.5193 < x && x < 8.2924) || (!lowerTail && -8.2924 < x && x < 37.5193)) {
    // √32 < |x|: asymptotic rational form in 1/x².
    const xsq = 1 / (x * x);
    let num = PN_P[5]! * xsq;
    let den = xsq;
    for (let i = 0; i < 4; i++) {
      num = (num + PN_P[i]!) * xsq;
      den = (den + PN_Q[i]!) * xsq;
    }
    temp = (xsq * (num + PN_P[4]!)) / (den + PN_Q[4]!);
    temp = (ONE_OVER_SQRT_2PI - temp) / y;
  } else {
    const lower = x > 0 ? (logP ? 0 : 1) : logP ? -Infinity : 0;
    const upper = x > 0 ? (logP ? -Infinity : 0) : logP ? 0 : 1;
    return lowerTail ? lower : upper;
  }
  // exp(−y²/2) split as exp(−s²/2)·exp(−(y−s)(y+s)/2) with s = y rounded down to 1/16, for accuracy.
  const s = Math.trunc(y * 16) / 16;
  const del = (y - s) * (y + s);
  let small: number; // the tail beyond |x|
  let large: number;
  if (logP) {
    small = -s * s * 0.5 + -del * 0.5 + Math.log(temp);
    large = Math.log1p(-Math.exp(-s * s * 0.5) * Math.exp(-del * 0.5) * temp);
  } else {
    small = Math.exp(-s * s * 0.5) * Math.exp(-del * 0.5) * temp;
    large = 1 - small;
  }
  cum = x > 0 ? large : small;
  ccum = x > 0 ? small : large;
  return lowerTail ? cum : ccum;
}

/** The p-quantile of N(0, 1): Wichura (1988) AS 241, as R's qnorm. */
export function qnorm(p: number, lowerTail = true): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return NaN;
  if (p === 0) return lowerTail ? -Infinity : Infinity;
  if (p === 1) return lowerTail ? Infinity : -Infinity;
  const pLower = lowerTail ? p : 0.5 - p + 0.5;
  const q = pLower - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (
      (q *
        (((((((r * 2509.0809287301227 + 33430.57558358813) * r + 67265.7709270087) * r + 45921.95393154987) * r +
          13731.69376550946) *
          r +
          1971.5909503065513) *
          r +
          133.14166789178438) *
          r +
          3.3871328727963665)) /
      (((((((r * 5226.495278852854 + 28729.085735721943) * r + 39307.89580009271) * r + 21213.794301586597) * r + 5394.196021424751) *
        r +
        687.1870074920579) *
        r +
        42.31333070160091) *
        r +
        1)
    );
  }
  // r = min(p, 1 − p), taken from the tail given so that no precision is lost.
  let r = q > 0 ? (lowerTail ? 0.5 - p + 0.5 : p) : pLower;
  r = Math.sqrt(-Math.log(r));
  let val: number;
  if (r <= 5) {
    r -= 1.6;
    val =
      (((((((r * 0.0007745450142783414 + 0.022723844989269184) * r + 0.2417807251774506) * r + 1.2704582524523684) * r +
        3.6478483247632045) *
        r +
        5.769497221460691) *
        r +
        4.630337846156546) *
        r +
        1.4234371107496835) /
      (((((((r * 1.0507500716444169e-09 + 0.0005475938084995345) * r + 0.015198666563616457) * r + 0.14810397642748008) * r +
        0.6897673349851) *
        r +
        1.6763848301838038) *
        r +
        2.053191626637759) *
        r +
        1);
  } else {
    r -= 5;
    val =
      (((((((r * 2.0103343992922881e-07 + 2.7115555687434876e-05) * r + 0.0012426609473880784) * r + 0.026532189526576124) * r +
        0.29656057182850487) *
        r +
        1.7848265399172913) *
        r +
        5.463784911164114) *
        r +
        6.657904643501103) /
      (((((((r * 2.0442631033899397e-15 + 1.421511758316446e-07) * r + 1.8463183175100548e-05) * r + 0.0007868691311456133) * r +
        0.014875361290850615) *
        r +
        0.1369298809227358) *
        r +
        0.599832206555888) *
        r +
        1);
  }
  return q < 0 ? -val : val;
}

// ---- incomplete beta and gamma -----------------------------------------------------------------------

const TINY = 1e-300;
const CF_EPS = 1e-16;
const CF_MAX_ITER = 10000;

/**
 * The continued fraction of I_x(a, b) (Numerical Recipes §6.4, modified Lentz): I_x(a,b) =
 * x^a y^b / (a B(a,b)) · 1/(1+ d₁/(1+ d₂/(1+ …))), d_{2m+1} = −(a+m)(a+b+m)x/((a+2m)(a+2m+1)),
 * d_{2m} = m(b−m)x/((a+2m−1)(a+2m)). Converges fast for x < (a+1)/(a+b+2).
 */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= CF_MAX_ITER; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) <= CF_EPS) break;
  }
  return h;
}

/**
 * Both tails of the regularised incomplete beta function, [I_x(a,b), 1 − I_x(a,b)], given x and
 * y = 1 − x separately (so callers that know y exactly, as pt and pf do, lose nothing forming 1 − x).
 * The tail on the convergent side of the continued fraction is computed directly, the other as its complement.
 */
export function pbetaTails(x: number, y: number, a: number, b: number): [number, number] {
  if (x <= 0) return [0, 1];
  if (y <= 0) return [1, 0];
  // log of x^a y^b / B(a, b); the logarithm of whichever of x, y is near 1 is taken as log1p(−other).
  const logX = y < 0.5 ? Math.log1p(-y) : Math.log(x);
  const logY = x < 0.5 ? Math.log1p(-x) : Math.log(y);
  const logFront = a * logX + b * logY - lbeta(a, b);
  if (x < (a + 1) / (a + b + 2)) {
    const lower = (Math.exp(logFront) * betaContinuedFraction(x, a, b)) / a;
    return [lower, 0.5 - lower + 0.5];
  }
  const upper = (Math.exp(logFront) * betaContinuedFraction(y, b, a)) / b;
  return [0.5 - upper + 0.5, upper];
}

/** log(x^a e^{−x} / Γ(a)), in Stirling's form for a ≥ 10 so that a·log x and lgamma(a) do not cancel. */
function logGammaFront(a: number, x: number): number {
  if (a < 10) return a * Math.log(x) - x - lgamma(a);
  // Γ(a) = √(2π/a)·a^a·e^{−a}·e^{lgammacor(a)}, so the log is a·log(x/a) − (x − a) + ½log a − log√(2π) − lgammacor(a);
  // near x = a the first two terms are taken together as a·(log1p(d) − d), d = (x − a)/a.
  const d = (x - a) / a;
  const main = Math.abs(d) < 0.5 ? a * (Math.log1p(d) - d) : a * Math.log(x / a) - (x - a);
  return main + 0.5 * Math.log(a) - LN_SQRT_2PI - lgammacor(a);
}

/** Both tails of the regularised incomplete gamma function, [P(a, x), Q(a, x)]. */
export function pgammaTails(x: number, a: number): [number, number] {
  if (x <= 0) return [0, 1];
  if (x === Infinity) return [1, 0];
  const front = Math.exp(logGammaFront(a, x));
  if (x < a + 1) {
    // P(a,x) = x^a e^{−x}/Γ(a+1) · Σ_n x^n / ((a+1)…(a+n))
    let ap = a;
    let del = 1 / a;
    let sum = del;
    for (let n = 0; n < CF_MAX_ITER; n++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * CF_EPS) break;
    }
    const lower = sum * front;
    return [lower, 0.5 - lower + 0.5];
  }
  // Q(a,x) = x^a e^{−x}/Γ(a) · 1/(x+1−a− 1·(1−a)/(x+3−a− 2·(2−a)/(x+5−a− …))) (Lentz)
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i <= CF_MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) <= CF_EPS) break;
  }
  const upper = front * h;
  return [0.5 - upper + 0.5, upper];
}

// ---- t -------------------------------------------------------------------------------------------------

/** Student t density: (1 + x²/n)^{−(n+1)/2} / (√n·B(½, n/2)). */
export function dt(x: number, n: number): number {
  if (n === Infinity) return dnorm(x);
  return Math.exp(-0.5 * (n + 1) * Math.log1p((x * x) / n) - lbeta(0.5, n / 2) - 0.5 * Math.log(n));
}

/** P[T ≤ t] (or the upper tail) for Student's t with n degrees of freedom, as R's pt.c. */
export function pt(t: number, n: number, lowerTail = true): number {
  if (Number.isNaN(t) || Number.isNaN(n) || n <= 0) return NaN;
  if (!Number.isFinite(t)) return (t < 0) === lowerTail ? 0 : 1;
  if (n === Infinity) return pnorm(t, lowerTail);
  // twoTail = P[|T| > |t|] = I_{n/(n+t²)}(n/2, ½)
  const nx = 1 + (t / n) * t;
  let twoTail: number;
  if (nx > 1e100) {
    twoTail = Math.exp(-0.5 * n * (2 * Math.log(Math.abs(t)) - Math.log(n)) - lbeta(0.5 * n, 0.5) - Math.log(0.5 * n));
  } else {
    const t2 = t * t;
    twoTail = n > t2 ? pbetaTails(t2 / (n + t2), n / (n + t2), 0.5, n / 2)[1] : pbetaTails(1 / nx, t2 / n / nx, n / 2, 0.5)[0];
  }
  const tail = twoTail / 2; // P[T > |t|]
  const lower = t <= 0 ? lowerTail : !lowerTail; // is the requested tail the small one?
  return lower ? tail : 0.5 - tail + 0.5;
}

/**
 * Safeguarded Newton solve of log F(x) = log target for a monotone increasing tail function F (its
 * log is smooth and close to concave in the tail), inside the bracket [lo, hi] with F(lo) < target < F(hi).
 * Steps leaving the bracket are replaced by bisection; stops at a relative step of 4 ulps.
 */
function solveTail(logF: (x: number) => number, dlogF: (x: number) => number, logTarget: number, x0: number, lo: number, hi: number): number {
  let x = x0;
  for (let iter = 0; iter < 200; iter++) {
    const f = logF(x) - logTarget;
    if (f === 0) return x;
    if (f < 0) lo = x;
    else hi = x;
    const g = dlogF(x);
    let next = x - f / g;
    if (!(next > lo && next < hi) || !Number.isFinite(next)) {
      next = Number.isFinite(lo) && Number.isFinite(hi) ? 0.5 * (lo + hi) : Number.isFinite(lo) ? (lo > 0 ? lo * 2 : lo / 2 + 1) : hi < 0 ? hi * 2 : hi / 2 - 1;
    }
    if (Math.abs(next - x) <= 4 * DBL_EPSILON * Math.abs(x)) return next;
    x = next;
  }
  return x;
}

/** The p-quantile of Student's t with n degrees of freedom (as R's qt, to ≈1e-14 relative). */
export function qt(p: number, n: number, lowerTail = true): number {
  if (Number.isNaN(p) || Number.isNaN(n) || p < 0 || p > 1 || n <= 0) return NaN;
  const pLower = lowerTail ? p : 0.5 - p + 0.5;
  if (p === 0) return lowerTail ? -Infinity : Infinity;
  if (p === 1) return lowerTail ? Infinity : -Infinity;
  if (n === Infinity) return qnorm(p, lowerTail);
  // Solve P[T ≤ x] = q for x ≤ 0 with q the smaller tail, then restore the sign (symmetry).
  const q = pLower <= 0.5 ? pLower : lowerTail ? 0.5 - p + 0.5 : p;
  const sign = pLower <= 0.5 ? 1 : -1;
  if (q === 0.5) return 0;
  let x0: number;
  if (n === 1) x0 = Math.tan(Math.PI * (q - 0.5));
  else if (n === 2) x0 = -Math.sqrt(2 / (4 * q * (1 - q)) - 2);
  else {
    // Cornish–Fisher expansion around the normal quantile (A&S 26.7.5), a starting value only.
    const z = qnorm(q);
    const z2 = z * z;
    x0 = z + (z * (z2 + 1)) / (4 * n) + (z * ((5 * z2 + 16) * z2 + 3)) / (96 * n * n);
    if (!(x0 < 0) || !Number.isFinite(x0)) x0 = z;
  }
  const logF = (x: number): number => Math.log(pt(x, n));
  const dlogF = (x: number): number => dt(x, n) / pt(x, n);
  const x = solveTail(logF, dlogF, Math.log(q), x0, -Infinity, 0);
  return sign * x;
}

// ---- chi-squared and F ------------------------------------------------------------------------------

/** Chi-squared density with df degrees of freedom: Gamma(df/2, scale 2). */
export function dchisq(x: number, df: number): number {
  if (x < 0) return 0;
  if (x === 0) return df < 2 ? Infinity : df === 2 ? 0.5 : 0;
  const a = df / 2;
  return Math.exp(logGammaFront(a, x / 2)) / x;
}

/** P[X ≤ x] (or the upper tail) for chi-squared with df degrees of freedom: P(df/2, x/2). */
export function pchisq(x: number, df: number, lowerTail = true): number {
  if (Number.isNaN(x) || Number.isNaN(df) || df < 0) return NaN;
  if (df === 0) return (x > 0) === lowerTail ? 1 : 0;
  const [lower, upper] = pgammaTails(x / 2, df / 2);
  return lowerTail ? lower : upper;
}

/** The p-quantile of chi-squared with df degrees of freedom, to full precision (Newton on the smaller tail). */
export function qchisq(p: number, df: number, lowerTail = true): number {
  if (Number.isNaN(p) || Number.isNaN(df) || p < 0 || p > 1 || df <= 0) return NaN;
  const pLower = lowerTail ? p : 0.5 - p + 0.5;
  const pUpper = lowerTail ? 0.5 - p + 0.5 : p;
  if (pLower === 0) return 0;
  if (pUpper === 0) return Infinity;
  // Wilson–Hilferty start: (X/df)^{1/3} ≈ N(1 − 2/(9df), 2/(9df)).
  const c = 2 / (9 * df);
  let x0 = df * Math.pow(1 - c + qnorm(pLower) * Math.sqrt(c), 3);
  // Small-x form P(a, x/2) ≈ (x/2)^a / Γ(a + 1) where Wilson–Hilferty fails.
  if (!(x0 > 0) || !Number.isFinite(x0)) x0 = 2 * Math.exp((Math.log(pLower) + lgamma(df / 2 + 1)) / (df / 2));
  if (!(x0 > 0) || !Number.isFinite(x0)) x0 = df;
  // Work on whichever tail is smaller; the upper tail is decreasing, so negate x for it.
  if (pLower <= 0.5) {
    return solveTail(
      (x) => Math.log(pchisq(x, df)),
      (x) => dchisq(x, df) / pchisq(x, df),
      Math.log(pLower),
      x0,
      0,
      Infinity,
    );
  }
  const y = solveTail(
    (u) => Math.log(pchisq(-u, df, false)),
    (u) => dchisq(-u, df) / pchisq(-u, df, false),
    Math.log(pUpper),
    -x0,
    -Infinity,
    0,
  );
  return -y;
}

/** P[F ≤ x] (or the upper tail) for F(df1, df2), through the incomplete beta as R's pf.c. */
export function pf(x: number, df1: number, df2: number, lowerTail = true): number {
  if (Number.isNaN(x) || df1 <= 0 || df2 <= 0) return NaN;
  if (x <= 0) return lowerTail ? 0 : 1;
  if (x === Infinity) return lowerTail ? 1 : 0;
  if (df2 === Infinity) return pchisq(x * df1, df1, lowerTail);
  const s = df2 + df1 * x;
  const [lower, upper] = pbetaTails((df1 * x) / s, df2 / s, df1 / 2, df2 / 2);
  return lowerTail ? lower : upper;
}

// ---- logistic ---------------------------------------------------------------------------------------

/**
 * The logistic distribution function 1/(1 + e^{−x}) (the inverse logit), as R's plogis — lesionflow's one
 * plogis (the model modules, the simulators and the reports use it): exactly 0 and 1 at ∓∞ and wherever
 * e^{∓x} over- or underflows (|x| > ~745), NaN for NaN, full relative accuracy in the lower tail (the upper
 * tail is plogis(x, false) = 1/(1 + e^x)); no clamp. glm's inverse link, which clamps at |η| > 30, is the
 * binomial family's own (models/binomial-logit.ts linkinv): used only where glm.fit's arithmetic is
 * reproduced. (Private copies that tested ±∞ first, or clamped, are gone.)
 */
export function plogis(x: number, lowerTail = true): number {
  return 1 / (1 + Math.exp(lowerTail ? -x : x));
}

/**
 * The logit, as R's qlogis, computed as log p − log1p(−p): within an ulp of R's log(p/(1 − p)) (both are
 * accurate to an ulp or two of the result), −∞ and ∞ at 0 and 1, NaN outside [0, 1]. glm's start uses its
 * own link function (models/binomial-logit.ts linkfun, R's form to the bit).
 */
export function qlogis(p: number, lowerTail = true): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return NaN;
  const l = Math.log(p) - Math.log1p(-p);
  return lowerTail ? l : -l;
}
