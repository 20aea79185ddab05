/** Helpers shared by the mice tests: plain least squares and the within-/between-imputation summary of mice::pool. */
import { cholesky, choleskyInverse, choleskySolve } from '../../src/stats/linalg.js';

/** OLS of y on [1, xs]: coefficients and their covariance σ̂²(XᵀX)⁻¹, as lm. */
export function ols(y: ArrayLike<number>, xs: readonly ArrayLike<number>[]): { coef: Float64Array; vcov: Float64Array } {
  const n = y.length;
  const q = xs.length + 1;
  const col = (c: number, i: number): number => (c === 0 ? 1 : xs[c - 1]![i]!);
  const a = new Float64Array(q * q);
  const b = new Float64Array(q);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < q; r++) {
      b[r]! += col(r, i) * y[i]!;
      for (let c = 0; c < q; c++) a[r * q + c]! += col(r, i) * col(c, i);
    }
  }
  const { L: l } = cholesky(a, q);
  choleskySolve(l, q, b);
  let rss = 0;
  for (let i = 0; i < n; i++) {
    let f = 0;
    for (let c = 0; c < q; c++) f += b[c]! * col(c, i);
    rss += (y[i]! - f) ** 2;
  }
  const s2 = rss / (n - q);
  return { coef: b, vcov: choleskyInverse(l, q).map((v) => v * s2) };
}

/** qbar, b (between) and ubar (within) per coefficient from m fits, as mice::pool. */
export function poolSummary(fits: readonly { coef: Float64Array; vcov: Float64Array }[]): { qbar: number[]; b: number[]; ubar: number[] } {
  const m = fits.length;
  const q = fits[0]!.coef.length;
  const qbar = Array.from({ length: q }, (_, c) => fits.reduce((s, f) => s + f.coef[c]!, 0) / m);
  const b = qbar.map((qb, c) => fits.reduce((s, f) => s + (f.coef[c]! - qb) ** 2, 0) / (m - 1));
  const ubar = qbar.map((_, c) => fits.reduce((s, f) => s + f.vcov[c * q + c]!, 0) / m);
  return { qbar, b, ubar };
}

/** The statistics' mean and SD over seeds: src/stats/moments.ts's (R's mean and sd). */
export { meanSd } from '../../src/stats/moments.js';

/**
 * |mean_ours − mean_R| within z Monte-Carlo standard errors of the difference of two means, of sOurs
 * and sR independent replicates.
 */
export function withinMonteCarlo(ours: { mean: number; sd: number }, r: { mean: number; sd: number }, sOurs: number, sR: number, z = 4): { ok: boolean; diff: number; se: number } {
  const se = Math.sqrt(ours.sd ** 2 / sOurs + r.sd ** 2 / sR);
  const diff = ours.mean - r.mean;
  return { ok: Math.abs(diff) <= z * se, diff, se };
}
