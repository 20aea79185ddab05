/**
 * Which predictors to keep, as `mice:::remove.lindep` (mice 3.15, called by `sampler.univ` before every
 * univariate imputation): none when the observed outcome is (near) constant; drop predictors with
 * variance ≤ eps or a correlation with the outcome ≥ maxcor (mice checks `cor < maxcor`, so a strong
 * *negative* correlation is kept — reproduced as is); then, while the smallest eigenvalue of the
 * predictors' correlation matrix is < eps times the largest, drop the predictor loading most on the
 * smallest eigenvector.
 */
import { subMatrix, symmetricEigen } from '../linalg.js';

const EPS = 1e-4;
const MAXCOR = 0.99;

/**
 * `s` is the centred cross-product matrix of [x_1 … x_p, y] over the observed rows (row-major
 * (p+1)×(p+1), y last), `n` the number of those rows. Returns the indices of the predictors to keep.
 */
export function removeLinearDependence(s: Float64Array, p: number, n: number): number[] {
  const q = p + 1;
  if (p === 0 || n < 2) return p === 0 ? [] : Array.from({ length: p }, (_, i) => i);
  const syy = s[p * q + p]!;
  if (syy / (n - 1) < EPS) return [];
  let keep: number[] = [];
  for (let c = 0; c < p; c++) {
    const scc = s[c * q + c]!;
    if (!(scc / (n - 1) > EPS)) continue;
    const cor = s[c * q + p]! / Math.sqrt(scc * syy);
    if (cor < MAXCOR) keep.push(c);
  }
  if (keep.length <= 1) return keep;
  // Correlation matrix of the kept predictors.
  const cx = (set: readonly number[]): Float64Array => {
    const sub = subMatrix(s, q, set);
    const k = set.length;
    const d = Array.from({ length: k }, (_, i) => Math.sqrt(sub[i * k + i]!));
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) sub[i * k + j] = sub[i * k + j]! / (d[i]! * d[j]!);
    return sub;
  };
  let eig = symmetricEigen(cx(keep), keep.length);
  while (keep.length > 1 && eig.values[keep.length - 1]! / eig.values[0]! < EPS) {
    const k = keep.length;
    let worst = 0;
    for (let i = 1; i < k; i++) if (Math.abs(eig.vectors[i * k + k - 1]!) > Math.abs(eig.vectors[worst * k + k - 1]!)) worst = i;
    keep = keep.filter((_, i) => i !== worst);
    eig = symmetricEigen(cx(keep), keep.length);
  }
  return keep;
}
