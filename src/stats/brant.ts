/**
 * The Brant (1990) test of the proportional-odds assumption, as the R package `brant` computes it.
 *
 *   brantTest(X, n, p, y, J, columns) → omnibus and per-column Wald statistics
 *
 * X is the model matrix WITH its intercept (column 0). For each cut m = 1 … J−1 fit the binary logit of
 * 1(Y > m) on X, giving β̂_m (without intercept, K = p − 1 values) and fitted π_m. The covariance of the
 * stacked β̂ has diagonal blocks vcov(fit_m) and, for m < l,
 *   Cov(β̂_m, β̂_l) = [(X'W_m X)⁻¹ (X'W_ml X) (X'W_l X)⁻¹] without the intercept row/column,
 *   W_m = diag(π_m(1 − π_m)),  W_ml = diag(π_l − π_m π_l).
 * With D the contrasts β_1 − β_m (m = 2 … J−1), the omnibus statistic is (Dβ)'(DVD')⁻¹(Dβ) on K(J−2) df,
 * and the statistic of column k uses only the rows of D for that column (J−2 df).
 */
import { Matrix, inverse } from 'ml-matrix';
import { pchisq } from './distributions.js';
import { fitLogistic } from './logistic.js';
import { invertSymmetric, weightedCrossprod } from './linalg.js';

export interface BrantResult {
  readonly omnibus: { readonly statistic: number; readonly df: number; readonly p_value: number };
  readonly terms: readonly { readonly term: string; readonly statistic: number; readonly df: number; readonly p_value: number }[];
}

function quadraticForm(d: Matrix, V: Matrix, beta: Matrix): number {
  const db = d.mmul(beta);
  const m = inverse(d.mmul(V).mmul(d.transpose()));
  return db.transpose().mmul(m).mmul(db).get(0, 0);
}

export function brantTest(X: Float64Array, n: number, p: number, y: Int32Array, J: number, columns: readonly string[]): BrantResult {
  const K = p - 1;
  const cuts = J - 1;
  const betas: Float64Array[] = [];
  const pis: Float64Array[] = [];
  const V = Matrix.zeros(cuts * K, cuts * K);
  for (let m = 0; m < cuts; m++) {
    const ym = Float64Array.from(y, (c) => (c > m ? 1 : 0));
    const fit = fitLogistic(X, n, p, ym, { columns, onFailure: 'warn' });
    betas.push(fit.coefficients.slice(1));
    pis.push(fit.mu);
    for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) V.set(m * K + a, m * K + b, fit.vcov[(a + 1) * p + b + 1]!);
  }
  const xtwx = (w: Float64Array): Float64Array => weightedCrossprod(X, n, p, w, new Float64Array(p * p));
  const invs = pis.map((pi) => invertSymmetric(xtwx(pi.map((v) => v - v * v)), p)!);
  const toMatrix = (a: Float64Array): Matrix => new Matrix(Array.from({ length: p }, (_, r) => Array.from(a.subarray(r * p, (r + 1) * p))));
  for (let m = 0; m < cuts - 1; m++) {
    for (let l = m + 1; l < cuts; l++) {
      const pm = pis[m]!;
      const pl = pis[l]!;
      const wml = pl.map((v, i) => v - pm[i]! * v);
      const B = toMatrix(invs[m]!).mmul(toMatrix(xtwx(wml))).mmul(toMatrix(invs[l]!));
      for (let a = 0; a < K; a++) {
        for (let b = 0; b < K; b++) {
          V.set(m * K + a, l * K + b, B.get(a + 1, b + 1));
          V.set(l * K + b, m * K + a, B.get(a + 1, b + 1));
        }
      }
    }
  }
  const beta = new Matrix(betas.flatMap((b) => Array.from(b, (v) => [v])));
  const D = Matrix.zeros((cuts - 1) * K, cuts * K);
  for (let m = 0; m < cuts - 1; m++) {
    for (let k = 0; k < K; k++) {
      D.set(m * K + k, k, 1);
      D.set(m * K + k, (m + 1) * K + k, -1);
    }
  }
  const omni = quadraticForm(D, V, beta);
  const omniDf = K * (cuts - 1);
  const terms = Array.from({ length: K }, (_, k) => {
    const rows = Array.from({ length: cuts - 1 }, (_, m) => m * K + k);
    const Dk = D.selection(rows, Array.from({ length: cuts * K }, (_, c) => c));
    const stat = quadraticForm(Dk, V, beta);
    return { term: columns[k + 1]!, statistic: stat, df: cuts - 1, p_value: pchisq(stat, cuts - 1, false) };
  });
  return { omnibus: { statistic: omni, df: omniDf, p_value: pchisq(omni, omniDf, false) }, terms };
}
