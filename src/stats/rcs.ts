/**
 * Restricted cubic splines as `rms::rcs` (Harrell), i.e. `Hmisc::rcspline.eval(x, nk, inclx = TRUE, norm = 2)`.
 *
 *   rcsKnots(values, nk)  → knots   (Harrell's default quantiles, with rcspline.eval's rules)
 *   rcsBasis(x, knots, out?) → the k − 1 basis columns (x itself, then the k − 2 nonlinear terms)
 *   rcsConstants(knots), rcsNonlinear(x, j, c) → one nonlinear term at one x (what rcsBasis computes)
 *   rcsAddTerm(eta, x, knots, b) → eta += basis(x)·b without a basis matrix (volume-predictor.ts)
 *   rcsColumnNames(argLabel, k) → ["x", "x'", "x''", …] (rcs names its columns with primes)
 *
 * Default knot quantiles (rcspline.eval): 3 knots .10 .50 .90; 4 knots .05 .35 .65 .95;
 * 5 knots .05 .275 .50 .725 .95; 6 knots .05 .23 .41 .59 .77 .95; 7 knots .025 .1833 .3417 .50 .6583 .8167 .975
 * — i.e. seq(outer, 1 − outer, length = nk) with outer = .10 (3 knots), .05 (4–6), .025 (7); quantiles
 * of type 7 over the non-missing values. With fewer than 100 values the outer knots move to the 5th
 * smallest and 5th largest value. When the lowest (or highest) value holds at least 5 % of the data
 * and no interior value does ("fractied"), that knot is set to the next value inward and the
 * remaining knots are placed among the other values.
 *
 * Nonlinear term j (j = 1..k−2), with t the knots and τ = (t_k − t_1)^{2/3} (norm = 2):
 *   ((x−t_j)_+^3 − (x−t_{k−1})_+^3 (t_k−t_j)/(t_k−t_{k−1}) + (x−t_k)_+^3 (t_{k−1}−t_j)/(t_k−t_{k−1})) / τ^3
 */
import { DataError } from '../errors.js';

/** R's quantile type 7 of sorted values. */
function quantile7(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

function seq(from: number, to: number, length: number): number[] {
  if (length === 1) return [from];
  const by = (to - from) / (length - 1);
  return Array.from({ length }, (_, i) => from + i * by);
}

/** Harrell's default knots for `nk` knots over the non-missing `values` (rcspline.eval, fractied = 0.05). */
export function rcsKnots(values: ArrayLike<number>, nk: number, what = 'rcs()'): number[] {
  let xx = Float64Array.from(Array.prototype.filter.call(values, (v: number) => !Number.isNaN(v)) as number[]).sort();
  const n = xx.length;
  if (n < 6) throw new DataError(`${what}: knots need at least 6 non-missing values, found ${n}`);
  const xu = [...new Set(xx)];
  const nxu = xu.length;
  let knots: number[];
  if (nxu - 2 <= nk) {
    knots = xu.slice(1, -1); // rcspline.eval: "knots set to nxu − 2 interior values"
  } else {
    const outer = nk > 6 ? 0.025 : nk > 3 ? 0.05 : 0.1;
    let nke = nk;
    let firstKnot: number[] = [];
    let lastKnot: number[] = [];
    let overrideFirst = false;
    let overrideLast = false;
    // fractied = 0.05: a heavily tied lowest/highest value gets its own knot next to it
    const counts = new Map<number, number>();
    for (const v of xx) counts.set(v, (counts.get(v) ?? 0) + 1);
    let maxInterior = 0;
    for (let u = 1; u < nxu - 1; u++) maxInterior = Math.max(maxInterior, counts.get(xu[u]!)! / n);
    if (maxInterior < 0.05) {
      if (counts.get(xu[0]!)! / n >= 0.05) {
        const fk = xu[1]!;
        firstKnot = [fk];
        xx = xx.filter((v) => v > fk);
        nke--;
        overrideFirst = true;
      }
      if (counts.get(xu[nxu - 1]!)! / n >= 0.05) {
        const lk = xu[nxu - 2]!;
        lastKnot = [lk];
        xx = xx.filter((v) => v < lk);
        nke--;
        overrideLast = true;
      }
    }
    let inner: number[];
    if (nke === 1) inner = [quantile7(xx, 0.5)];
    else {
      const p = nke === 2 ? seq(0.5, 1 - outer, nke) : seq(outer, 1 - outer, nke);
      inner = p.map((q) => quantile7(xx, q));
      if (new Set(inner).size < Math.min(nke, 3)) {
        throw new DataError(`${what}: could not place ${nk} distinct knots (the variable has too many tied values)`, { hint: 'use fewer knots' });
      }
      if (xx.length < 100) {
        if (!overrideFirst) inner[0] = xx[4]!;
        if (!overrideLast) inner[nke - 1] = xx[xx.length - 5]!;
      }
    }
    knots = [...firstKnot, ...inner, ...lastKnot];
  }
  knots = [...new Set(knots)].sort((a, b) => a - b);
  if (knots.length < 3) throw new DataError(`${what}: fewer than 3 distinct knots`, { hint: 'the variable has too few distinct values for a spline' });
  return knots;
}

/** (v)₊³. */
function cube(v: number): number {
  return v > 0 ? v * v * v : 0;
}

/** The knots' constants of the nonlinear terms: the knots t, τ = (t_k − t_1)^{2/3}, t_{k−1}, t_k and t_k − t_{k−1}. */
export interface RcsConstants {
  readonly knots: readonly number[];
  readonly kd: number;
  readonly tk1: number;
  readonly tk: number;
  readonly last: number;
}

export function rcsConstants(knots: readonly number[]): RcsConstants {
  const k = knots.length;
  const tk = knots[k - 1]!;
  const tk1 = knots[k - 2]!;
  return { knots, kd: Math.pow(tk - knots[0]!, 2 / 3), tk1, tk, last: tk - tk1 };
}

/**
 * Nonlinear term j (0-based, j < k − 2) at x (not NaN), normalised as the module comment states:
 * ((x − t_j)/τ)₊³ + ((t_{k−1} − t_j)((x − t_k)/τ)₊³ − (t_k − t_j)((x − t_{k−1})/τ)₊³)/(t_k − t_{k−1}).
 */
export function rcsNonlinear(x: number, j: number, c: RcsConstants): number {
  const tj = c.knots[j]!;
  return cube((x - tj) / c.kd) + ((c.tk1 - tj) * cube((x - c.tk) / c.kd) - (c.tk - tj) * cube((x - c.tk1) / c.kd)) / c.last;
}

/**
 * The k − 1 basis columns at x (column-major, n × (k−1), NaN rows where x is NaN): x, then the
 * normalised nonlinear terms (rcspline.eval with inclx = TRUE, norm = 2, type = "ordinary").
 */
export function rcsBasis(x: ArrayLike<number>, knots: readonly number[], out?: Float64Array): Float64Array {
  const n = x.length;
  const k = knots.length;
  const res = out ?? new Float64Array(n * (k - 1));
  const c = rcsConstants(knots);
  for (let i = 0; i < n; i++) res[i] = x[i]!;
  for (let j = 0; j < k - 2; j++) {
    const o = (j + 1) * n;
    for (let i = 0; i < n; i++) {
      const xi = x[i]!;
      res[o + i] = Number.isNaN(xi) ? NaN : rcsNonlinear(xi, j, c);
    }
  }
  return res;
}

/**
 * eta[i] += Σ_q b[q]·B_q(x[i]) for the basis B of rcsBasis (x, then the nonlinear terms rcsNonlinear),
 * fused: per x a few flops with the knot constants computed once, no basis matrix. The terms are
 * rcsBasis's and they are added in linalg.ts's linearPredictor order (column by column), so η is bit for
 * bit that of the basis matrix times b. A NaN x gives NaN through b[0]·x, as a NaN basis row would.
 */
export function rcsAddTerm(eta: Float64Array, x: Float64Array, knots: readonly number[], b: readonly number[]): void {
  const c = rcsConstants(knots);
  const b0 = b[0]!;
  const bj = Float64Array.from(b.slice(1));
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    let e = eta[i]! + b0 * xi;
    for (let q = 0; q < knots.length - 2; q++) e = e + bj[q]! * rcsNonlinear(xi, q, c);
    eta[i] = e;
  }
}

/** rms's column names: the variable, then the variable with 1, 2, … primes. */
export function rcsColumnNames(argLabel: string, k: number): string[] {
  return Array.from({ length: k - 1 }, (_, j) => argLabel + "'".repeat(j));
}
