/**
 * The Wilcoxon rank-sum (Mann–Whitney) test with the normal approximation, as R's
 * `wilcox.test(x, y, exact = FALSE, correct = TRUE, conf.int = TRUE)` (two-sided, mu = 0):
 *
 *   W = Σ ranks of x in c(x, y) − n_x(n_x + 1)/2   (average ranks for ties),
 *   z = (W − n_x n_y/2 − sign(·)·½) / σ,  σ² = n_x n_y/12 · [(n_x + n_y + 1) − Σ(t³ − t)/((n_x + n_y)(n_x + n_y − 1))],
 *   p = 2·min(Φ(z), 1 − Φ(z)).
 *
 * The location shift ("difference in location", the Hodges–Lehmann-type estimate R reports in the
 * normal case) and its CI are roots in d of the standardised statistic of (x − d, y), found by Brent's
 * method with R's tol.root = 1e-4 — R's exact procedure, so the numbers agree with R's to the last digits.
 *
 * Exported API: rank(values) → average ranks; wilcoxRankSum(x, y, options) → RankSumResult.
 */
import { zeroin } from './brent.js';
import { pnorm, qnorm } from './distributions.js';

/** Average ranks (1-based), ties sharing the mean of their positions: R's rank(ties.method = "average"). Also Σ(t³ − t) over tie groups. */
export function rank(values: ArrayLike<number>): { ranks: Float64Array; tieSum: number } {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(n);
  let tieSum = 0;
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && values[order[j]!] === values[order[i]!]) j++;
    const avg = (i + 1 + j) / 2; // mean of positions i+1 … j
    for (let k = i; k < j; k++) ranks[order[k]!] = avg;
    const t = j - i;
    tieSum += t * t * t - t;
    i = j;
  }
  return { ranks, tieSum };
}

export interface RankSumResult {
  readonly nx: number;
  readonly ny: number;
  /** R's W statistic. */
  readonly W: number;
  /** The standardised statistic (continuity-corrected). */
  readonly z: number;
  readonly p: number;
  readonly ties: boolean;
  /** Location shift x − y (R's "difference in location"); NaN when it cannot be computed (all tied). */
  readonly estimate: number;
  readonly confInt: readonly [number, number];
  readonly confLevel: number;
}

export interface RankSumOptions {
  readonly confLevel?: number;
  readonly correct?: boolean;
  /** R's tol.root. */
  readonly tolRoot?: number;
}

function finite(a: ArrayLike<number>): Float64Array {
  return Float64Array.from(Array.prototype.filter.call(a, (v: number) => Number.isFinite(v)) as number[]);
}

export function wilcoxRankSum(xIn: ArrayLike<number>, yIn: ArrayLike<number>, options: RankSumOptions = {}): RankSumResult {
  const x = finite(xIn);
  const y = finite(yIn);
  const confLevel = options.confLevel ?? 0.95;
  const correct = options.correct ?? true;
  const tolRoot = options.tolRoot ?? 1e-4;
  const nx = x.length;
  const ny = y.length;
  if (nx < 1) throw new RangeError("not enough (non-missing) 'x' observations");
  if (ny < 1) throw new RangeError("not enough 'y' observations");
  const N = nx + ny;
  const combined = new Float64Array(N);

  /** W and Σ(t³ − t) for the samples (x − d, y). */
  const statistic = (d: number): { W: number; tieSum: number } => {
    for (let i = 0; i < nx; i++) combined[i] = x[i]! - d;
    combined.set(y, nx);
    const { ranks, tieSum } = rank(combined);
    let s = 0;
    for (let i = 0; i < nx; i++) s += ranks[i]!;
    return { W: s - (nx * (nx + 1)) / 2, tieSum };
  };
  const sigmaOf = (tieSum: number): number => Math.sqrt(((nx * ny) / 12) * (N + 1 - tieSum / (N * (N - 1))));

  const at0 = statistic(0);
  const W = at0.W;
  let z = W - (nx * ny) / 2;
  const correction = correct ? Math.sign(z) * 0.5 : 0;
  z = (z - correction) / sigmaOf(at0.tieSum);
  const p = 2 * Math.min(pnorm(z), pnorm(z, false));

  // The standardised statistic of (x − d, y), decreasing in d (R's W(d) inside wilcox.test).
  const standardised = (d: number, withCorrection: boolean): number => {
    const s = statistic(d);
    const dz = s.W - (nx * ny) / 2;
    const corr = withCorrection ? Math.sign(dz) * 0.5 : 0;
    return (dz - corr) / sigmaOf(s.tieSum);
  };
  const mumin = Math.min(...x) - Math.max(...y);
  const mumax = Math.max(...x) - Math.min(...y);
  const alpha = 1 - confLevel;
  const wMin = standardised(mumin, correct);
  const wMax = standardised(mumax, correct);
  const root = (zq: number): number => {
    const fLower = wMin - zq;
    if (fLower <= 0) return mumin;
    const fUpper = wMax - zq;
    if (fUpper >= 0) return mumax;
    return zeroin((d) => standardised(d, correct) - zq, mumin, mumax, { tol: tolRoot, fLower, fUpper }).root;
  };
  let confInt: [number, number] = [NaN, NaN];
  let estimate = NaN;
  if (Number.isFinite(wMin) && Number.isFinite(wMax) && mumin < mumax) {
    confInt = [root(qnorm(alpha / 2, false)), root(qnorm(alpha / 2))];
    // R sets correct <- FALSE before the estimate: the root of the uncorrected statistic.
    estimate = zeroin((d) => standardised(d, false), mumin, mumax, { tol: tolRoot }).root;
  }
  return { nx, ny, W, z, p, ties: at0.tieSum > 0, estimate, confInt, confLevel };
}
