/**
 * Gauss–Hermite quadrature for the weight e^{−x²}: nodes x_h and weights w_h with
 * ∫ e^{−x²} f(x) dx ≈ Σ_h w_h f(x_h), exact for polynomials of degree < 2n.
 *
 * The nodes are the roots of the orthonormal Hermite polynomial p_n, found by Newton's method on the
 * three-term recurrence p_0 = π^{−1/4}, p_j(x) = x √(2/j) p_{j−1}(x) − √((j−1)/j) p_{j−2}(x), with
 * p_n' = √(2n) p_{n−1}; the weight of a node is w = 2 / p_n'(x)². Starting values as Stroud & Secrest
 * (1966; Numerical Recipes' gauher). The same nodes and weights as the Golub–Welsch eigen-decomposition
 * that lme4's GHrule and ordinal use (lme4 in the probabilists' form: nodes √2·x_h, weights w_h/√π).
 */

export interface GaussHermiteRule {
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
  /** log w_h + x_h²: the per-node constant of adaptive quadrature, log-sum-exp form. */
  readonly logWeightsPlusSquare: Float64Array;
}

const cache = new Map<number, GaussHermiteRule>();

/** The n-point rule (1 ≤ n ≤ 100), nodes ascending. n = 1 is the node 0 with weight √π (Laplace). */
export function gaussHermite(n: number): GaussHermiteRule {
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new RangeError(`Gauss–Hermite rule with ${n} points (1 to 100)`);
  const known = cache.get(n);
  if (known !== undefined) return known;
  const x = new Float64Array(n);
  const w = new Float64Array(n);
  const m = (n + 1) >> 1;
  let z = 0;
  for (let i = 0; i < m; i++) {
    // Stroud & Secrest's starting values for the i-th largest root
    if (i === 0) z = Math.sqrt(2 * n + 1) - 1.85575 * Math.pow(2 * n + 1, -1 / 6);
    else if (i === 1) z -= (1.14 * Math.pow(n, 0.426)) / z;
    else if (i === 2) z = 1.86 * z - 0.86 * x[n - 1]!;
    else if (i === 3) z = 1.91 * z - 0.91 * x[n - 2]!;
    else z = 2 * z - x[n - 1 - i + 2]!;
    let dp = 0;
    for (let it = 0; it < 100; it++) {
      const { pn, pn1 } = hermite(n, z);
      dp = Math.sqrt(2 * n) * pn1;
      const dz = pn / dp;
      z -= dz;
      if (Math.abs(dz) <= 1e-15 * Math.max(1, Math.abs(z))) break;
    }
    dp = Math.sqrt(2 * n) * hermite(n, z).pn1;
    x[n - 1 - i] = z;
    x[i] = -z;
    w[n - 1 - i] = 2 / (dp * dp);
    w[i] = w[n - 1 - i]!;
  }
  if (n % 2 === 1) x[(n - 1) >> 1] = 0;
  const logWeightsPlusSquare = x.map((xi, h) => Math.log(w[h]!) + xi * xi);
  const rule = { nodes: x, weights: w, logWeightsPlusSquare };
  cache.set(n, rule);
  return rule;
}

/** The orthonormal Hermite polynomials p_n(z) and p_{n−1}(z). */
function hermite(n: number, z: number): { pn: number; pn1: number } {
  let p1 = Math.pow(Math.PI, -0.25);
  let p2 = 0;
  for (let j = 1; j <= n; j++) {
    const p3 = p2;
    p2 = p1;
    p1 = z * Math.sqrt(2 / j) * p2 - Math.sqrt((j - 1) / j) * p3;
  }
  return { pn: p1, pn1: p2 };
}
