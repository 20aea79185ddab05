/**
 * mice's `augment` (mice 3.15), its protection against perfect prediction in the categorical
 * imputation models (logreg, polr, polyreg; White, Daniel & Royston 2010): for each of the p
 * predictors and each of the k observed categories of y, two pseudo-rows with that predictor at its
 * mean ± ½ SD (clamped to its range), the other predictors at their means, y at the category, and a
 * total weight of p + 1 spread over the 2pk rows. Means, SDs and ranges are over all rows.
 */
import { type Gathered } from './crossprod.js';
import { linearPredictor as designPredictor } from '../linalg.js';
import { mean, meanSd } from '../moments.js';

export interface FitBlock {
  /** Observed + pseudo rows, centred columns. */
  readonly g: Gathered;
  /** Outcome per row of the block (a 0/1 value or a category index). */
  readonly y: Float64Array;
  readonly w: Float64Array;
}

/**
 * The fitting block for a categorical y: the observed rows `obs` (y values `yObs`) of the predictor
 * columns `cols`, followed by the augmentation rows for the categories `cats` (0-based indices), unless
 * there are no predictors or exactly one row to impute (as mice).
 */
export function augmentedBlock(cols: readonly Float64Array[], obs: Int32Array, yObs: Float64Array, cats: readonly number[], nMissing: number): FitBlock {
  const p = cols.length;
  const k = cats.length;
  const augment = p > 0 && nMissing !== 1;
  const nr = augment ? 2 * p * k : 0;
  const n0 = obs.length;
  const n = n0 + nr;
  const x = new Float64Array(n * p);
  const means = new Float64Array(p);
  const colMean = new Float64Array(p);
  const colSd = new Float64Array(p);
  const colMin = new Float64Array(p);
  const colMax = new Float64Array(p);
  if (augment) {
    for (let c = 0; c < p; c++) {
      const v = cols[c]!;
      let lo = Infinity;
      let hi = -Infinity;
      for (const e of v) {
        if (e < lo) lo = e;
        if (e > hi) hi = e;
      }
      const { mean, sd } = meanSd(v);
      colMean[c] = mean;
      colSd[c] = sd;
      colMin[c] = lo;
      colMax[c] = hi;
    }
  }
  for (let c = 0; c < p; c++) {
    const v = cols[c]!;
    const off = c * n;
    for (let i = 0; i < n0; i++) x[off + i] = v[obs[i]!]!;
    for (let r = 0; r < nr; r++) {
      // Row r belongs to predictor floor(r / 2k); within it, category floor((r mod 2k) / 2), sign + then −.
      const j = Math.floor(r / (2 * k));
      let val = colMean[c]!;
      if (j === c) val += (r % 2 === 0 ? 0.5 : -0.5) * colSd[c]!;
      x[off + n0 + r] = Math.min(colMax[c]!, Math.max(colMin[c]!, val));
    }
    const m = mean(x.subarray(off, off + n));
    means[c] = m;
    for (let i = 0; i < n; i++) x[off + i]! -= m;
  }
  const y = new Float64Array(n);
  y.set(yObs);
  const w = new Float64Array(n).fill(1);
  for (let r = 0; r < nr; r++) {
    y[n0 + r] = cats[Math.floor((r % (2 * k)) / 2)]!;
    w[n0 + r] = (p + 1) / nr;
  }
  return { g: { n, p, x, means }, y, w };
}

/** The linear predictor offset + Σ_c b_c (x_c[row] − mean_c) for the given rows of the full columns (linalg.ts's, on the rows' centred values). */
export function linearPredictor(cols: readonly Float64Array[], means: Float64Array, b: Float64Array, rows: Int32Array, offset = 0): Float64Array {
  const m = rows.length;
  const p = cols.length;
  const x = new Float64Array(m * p);
  for (let c = 0; c < p; c++) {
    const v = cols[c]!;
    const mc = means[c]!;
    for (let i = 0; i < m; i++) x[c * m + i] = v[rows[i]!]! - mc;
  }
  const out = designPredictor(x, m, p, b, new Float64Array(m));
  for (let i = 0; i < m; i++) out[i] = offset + out[i]!;
  return out;
}
