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
 * and the statistic of column k uses only the rows of D for that column (J−2 df). (brant inverts DVD' by
 * `solve`; it is symmetric positive definite, so here by linalg.ts's Cholesky.)
 */
import { pchisq } from './distributions.js';
import { fitLogistic } from './logistic.js';
import { invertSymmetric, matrixProduct, solveSymmetric, weightedCrossprod } from './linalg.js';
import { FitError } from '../errors.js';

export interface BrantResult {
  readonly omnibus: { readonly statistic: number; readonly df: number; readonly p_value: number };
  readonly terms: readonly { readonly term: string; readonly statistic: number; readonly df: number; readonly p_value: number }[];
}

export function brantTest(X: Float64Array, n: number, p: number, y: Int32Array, J: number, columns: readonly string[]): BrantResult {
  const K = p - 1;
  const cuts = J - 1;
  const q = cuts * K;
  const beta = new Float64Array(q); // β̂_m stacked, row-major (m, k) at m·K + k
  const V = new Float64Array(q * q); // their covariance, row-major q × q
  const pis: Float64Array[] = [];
  for (let m = 0; m < cuts; m++) {
    const ym = Float64Array.from(y, (c) => (c > m ? 1 : 0));
    const fit = fitLogistic(X, n, p, ym, { columns, onFailure: 'warn' });
    beta.set(fit.coefficients.subarray(1), m * K);
    pis.push(fit.mu);
    for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) V[(m * K + a) * q + m * K + b] = fit.vcov[(a + 1) * p + b + 1]!;
  }
  const xtwx = (w: Float64Array): Float64Array => weightedCrossprod(X, n, p, w, new Float64Array(p * p));
  const invs = pis.map((pi) => invertSymmetric(xtwx(pi.map((v) => v - v * v)), p));
  if (invs.some((inv) => inv === undefined)) throw new FitError("the Brant test's binary model of one cut has a singular information matrix", { hint: 'an outcome category with few patients separates; merge sparse categories (merge:) or use nominal_test' });
  for (let m = 0; m < cuts - 1; m++) {
    for (let l = m + 1; l < cuts; l++) {
      const pm = pis[m]!;
      const wml = pis[l]!.map((v, i) => v - pm[i]! * v);
      const B = matrixProduct(matrixProduct(invs[m]!, xtwx(wml), p, p, p), invs[l]!, p, p, p);
      for (let a = 0; a < K; a++) {
        for (let b = 0; b < K; b++) {
          const v = B[(a + 1) * p + b + 1]!;
          V[(m * K + a) * q + l * K + b] = v;
          V[(l * K + b) * q + m * K + a] = v;
        }
      }
    }
  }
  // Row r = m·K + k of D (m = 0 … cuts − 2) is β_{0,k} − β_{m+1,k}: the stacked β's entries k = r mod K and
  // r + K. (Dβ)_r and (DVD')_{rs} are read off β and V at those indices, for the rows of D in `rows`.
  const wald = (rows: readonly number[]): number => {
    const d = rows.length;
    const db = Float64Array.from(rows, (r) => beta[r % K]! - beta[r + K]!);
    const dvd = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      const [fi, oi] = [rows[i]! % K, rows[i]! + K];
      for (let j = 0; j < d; j++) {
        const [fj, oj] = [rows[j]! % K, rows[j]! + K];
        dvd[i * d + j] = V[fi * q + fj]! - V[fi * q + oj]! - V[oi * q + fj]! + V[oi * q + oj]!;
      }
    }
    const x = solveSymmetric(dvd, d, db);
    if (x === undefined) throw new FitError("the Brant test's covariance of the cut-wise differences is singular", { hint: 'merge sparse outcome categories (merge:) or use nominal_test' });
    let stat = 0;
    for (let i = 0; i < d; i++) stat += db[i]! * x[i]!;
    return stat;
  };
  const omniDf = K * (cuts - 1);
  const omni = wald(Array.from({ length: omniDf }, (_, r) => r));
  const terms = Array.from({ length: K }, (_, k) => {
    const stat = wald(Array.from({ length: cuts - 1 }, (_, m) => m * K + k));
    return { term: columns[k + 1]!, statistic: stat, df: cuts - 1, p_value: pchisq(stat, cuts - 1, false) };
  });
  return { omnibus: { statistic: omni, df: omniDf, p_value: pchisq(omni, omniDf, false) }, terms };
}
