/**
 * Dense linear algebra for model fitting, over Float64Array.
 *
 * Storage conventions:
 * - a design matrix X (n × p) is COLUMN-major: X[j * n + i] is row i of column j, so a column is a
 *   contiguous `subarray` and a row loop touches each column once;
 * - a small p × p matrix is a Float64Array of p * p entries; the symmetric ones here are stored in full
 *   (row- and column-major coincide).
 *
 *   weightedCrossprod(X, n, p, w, out)  X' diag(w) X  (w undefined: X'X), blocked for cache locality
 *   crossprodVector(X, n, p, v, out)    X' v
 *   linearPredictor(X, n, p, beta, out) X beta (linearPredictorBlock: rows i0..end−1 of it)
 *   cholesky(A, p, relTol?, L?)         lower L with A = L L', or the first failing pivot
 *   forwardSolve / backSolveTransposed  solve L x = b / L' x = b in place
 *   choleskySolve(L, p, b)              solves (L L') x = b in place
 *   choleskyInverse(L, p)               (L L')^{-1}
 *   solveSymmetric(A, p, b)             A^{-1} b for symmetric positive definite A (equilibrated)
 *   invertSymmetric(A, p)               A^{-1} (equilibrated Cholesky)
 *   aliasedColumns(X, n, p, tol)        columns linearly dependent on earlier ones (R's dqrdc2 rule)
 *   subMatrix(A, n, keep)               rows and columns `keep` of a square matrix
 *   matrixProduct(A, B, r, k, c)        A B of row-major r × k and k × c matrices
 *   ridgeDiagonal(A, p, rel, abs)       A_jj ← A_jj (1 + rel) + abs, in place
 *   symmetricEigen(A, p)                eigenvalues (decreasing) and vectors by Jacobi rotations
 */

/** Rows per block in the cross-products: a block of every column stays in the L1/L2 cache. */
export const BLOCK = 256;

/**
 * out = X' diag(w) X (p × p, full symmetric); w undefined means unit weights. With `v` and `outV`, also
 * outV = X' diag(w) v in the same pass (the IRLS right-hand side X'Wz). No allocation.
 * The products run over blocks of BLOCK rows (cache-resident) with weightedCrossprodBlock.
 * (`scratch` is accepted for callers of the earlier signature and not used.)
 */
export function weightedCrossprod(
  X: Float64Array,
  n: number,
  p: number,
  w: Float64Array | undefined,
  out: Float64Array,
  _scratch?: Float64Array,
  v?: Float64Array,
  outV?: Float64Array,
): Float64Array {
  out.fill(0);
  outV?.fill(0);
  const ones = w === undefined ? new Float64Array(BLOCK).fill(1) : undefined;
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const len = Math.min(BLOCK, n - i0);
    // unit weights: 1·x is x exactly, so X'X comes out as the unweighted sums
    if (ones !== undefined) weightedCrossprodBlock(X, n, i0, len, p, ones, 0, v, i0, out, outV);
    else weightedCrossprodBlock(X, n, i0, len, p, w!, i0, v, i0, out, outV);
  }
  symmetrizeUpper(out, p);
  return out;
}

/**
 * The upper triangle (k ≥ j) of X_b' diag(w) X_b added into out (p × p), for the block X_b of the `len`
 * rows of the column-major n × p matrix X starting at row i0, with the weights w[wOff + r] of those rows;
 * with `v` and `outV`, also outV += X_b' diag(w) v_b (v[vOff + r]). Each term is (w_r x_rj)·x_rk (and
 * (w_r x_rj)·v_r), summed over the rows of the block in order, then added into out, without writing the
 * weighted columns out. Two rows j of the result at a time against four columns k (7 loads for 8
 * multiply-adds and 2 multiplies).
 */
function weightedCrossprodBlock(
  X: Float64Array,
  n: number,
  i0: number,
  len: number,
  p: number,
  w: Float64Array,
  wOff: number,
  v: Float64Array | undefined,
  vOff: number,
  out: Float64Array,
  outV: Float64Array | undefined,
): void {
  let j = 0;
  for (; j + 1 < p; j += 2) {
    const xj0 = j * n + i0;
    const xj1 = xj0 + n;
    // the 2 × 2 corner (j, j), (j, j+1), (j+1, j+1), with the right-hand side of both rows
    let c00 = 0;
    let c01 = 0;
    let c11 = 0;
    let v0 = 0;
    let v1 = 0;
    if (v !== undefined) {
      for (let r = 0; r < len; r++) {
        const wr = w[wOff + r]!;
        const x0 = X[xj0 + r]!;
        const x1 = X[xj1 + r]!;
        const a = wr * x0;
        const b = wr * x1;
        const vr = v[vOff + r]!;
        c00 += a * x0;
        c01 += a * x1;
        c11 += b * x1;
        v0 += a * vr;
        v1 += b * vr;
      }
    } else {
      for (let r = 0; r < len; r++) {
        const wr = w[wOff + r]!;
        const x0 = X[xj0 + r]!;
        const x1 = X[xj1 + r]!;
        const a = wr * x0;
        c00 += a * x0;
        c01 += a * x1;
        c11 += wr * x1 * x1;
      }
    }
    out[j * p + j] = out[j * p + j]! + c00;
    out[j * p + j + 1] = out[j * p + j + 1]! + c01;
    out[(j + 1) * p + j + 1] = out[(j + 1) * p + j + 1]! + c11;
    if (outV !== undefined) {
      outV[j] = outV[j]! + v0;
      outV[j + 1] = outV[j + 1]! + v1;
    }
    let k = j + 2;
    for (; k + 3 < p; k += 4) {
      const x0 = k * n + i0;
      const x1 = x0 + n;
      const x2 = x1 + n;
      const x3 = x2 + n;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      for (let r = 0; r < len; r++) {
        const wr = w[wOff + r]!;
        const a = wr * X[xj0 + r]!;
        const b = wr * X[xj1 + r]!;
        const y0 = X[x0 + r]!;
        const y1 = X[x1 + r]!;
        const y2 = X[x2 + r]!;
        const y3 = X[x3 + r]!;
        a0 += a * y0;
        a1 += a * y1;
        a2 += a * y2;
        a3 += a * y3;
        b0 += b * y0;
        b1 += b * y1;
        b2 += b * y2;
        b3 += b * y3;
      }
      const o = j * p + k;
      out[o] = out[o]! + a0;
      out[o + 1] = out[o + 1]! + a1;
      out[o + 2] = out[o + 2]! + a2;
      out[o + 3] = out[o + 3]! + a3;
      out[o + p] = out[o + p]! + b0;
      out[o + p + 1] = out[o + p + 1]! + b1;
      out[o + p + 2] = out[o + p + 2]! + b2;
      out[o + p + 3] = out[o + p + 3]! + b3;
    }
    for (; k < p; k++) {
      const xo = k * n + i0;
      let a0 = 0;
      let b0 = 0;
      for (let r = 0; r < len; r++) {
        const wr = w[wOff + r]!;
        const y0 = X[xo + r]!;
        a0 += wr * X[xj0 + r]! * y0;
        b0 += wr * X[xj1 + r]! * y0;
      }
      out[j * p + k] = out[j * p + k]! + a0;
      out[(j + 1) * p + k] = out[(j + 1) * p + k]! + b0;
    }
  }
  if (j < p) {
    // the last row of an odd p: its diagonal and right-hand side
    const xo = j * n + i0;
    let c = 0;
    let v0 = 0;
    for (let r = 0; r < len; r++) {
      const a = w[wOff + r]! * X[xo + r]!;
      c += a * X[xo + r]!;
      if (v !== undefined) v0 += a * v[vOff + r]!;
    }
    out[j * p + j] = out[j * p + j]! + c;
    if (outV !== undefined) outV[j] = outV[j]! + v0;
  }
}

/** Copies the upper triangle of the p × p matrix `out` into its lower triangle. */
export function symmetrizeUpper(out: Float64Array, p: number): void {
  for (let j = 0; j < p; j++) for (let k = j + 1; k < p; k++) out[k * p + j] = out[j * p + k]!;
}

/** out = X' v (length p). */
export function crossprodVector(X: Float64Array, n: number, p: number, v: Float64Array, out: Float64Array): Float64Array {
  for (let j = 0; j < p; j++) {
    const o = j * n;
    let s = 0;
    for (let i = 0; i < n; i++) s += X[o + i]! * v[i]!;
    out[j] = s;
  }
  return out;
}

/** out = X beta (length n). */
export function linearPredictor(X: Float64Array, n: number, p: number, beta: ArrayLike<number>, out: Float64Array): Float64Array {
  // by blocks of rows, four columns per pass: the partial sums stay in the cache instead of streaming
  // `out` p times. The additions keep the order ((x₁b₁ + x₂b₂) + x₃b₃) + …, whatever the unrolling.
  for (let i0 = 0; i0 < n; i0 += BLOCK) linearPredictorBlock(X, n, p, beta, i0, Math.min(n, i0 + BLOCK), out);
  return out;
}

/** out[i] = Σ_j X[i, j] beta_j for the rows i0 ≤ i < end (the sum from j = 0 up, as linearPredictor). */
export function linearPredictorBlock(X: Float64Array, n: number, p: number, beta: ArrayLike<number>, i0: number, end: number, out: Float64Array): void {
  for (let i = i0; i < end; i++) out[i] = 0;
  let j = 0;
  for (; j + 3 < p; j += 4) {
    const b0 = beta[j]!;
    const b1 = beta[j + 1]!;
    const b2 = beta[j + 2]!;
    const b3 = beta[j + 3]!;
    const o0 = j * n;
    const o1 = o0 + n;
    const o2 = o1 + n;
    const o3 = o2 + n;
    for (let i = i0; i < end; i++) out[i] = out[i]! + b0 * X[o0 + i]! + b1 * X[o1 + i]! + b2 * X[o2 + i]! + b3 * X[o3 + i]!;
  }
  for (; j < p; j++) {
    const b = beta[j]!;
    const o = j * n;
    for (let i = i0; i < end; i++) out[i] = out[i]! + b * X[o + i]!;
  }
}

/**
 * Cholesky factor: lower-triangular L (row-major, p × p) with A = L L', or `failedAt` = the first
 * non-positive pivot. Into `L` when given (a buffer reused between factorisations: only its lower triangle
 * is written, and only the lower triangle is read by the solvers here). With `relTol` > 0 a pivot d_j ≤ relTol·|A_jj| also fails (a pivot lost to rounding
 * against the original diagonal: singular to working precision; mice's imputation models use 1e-13).
 */
export function cholesky(A: Float64Array, p: number, relTol = 0, L: Float64Array = new Float64Array(p * p)): { L: Float64Array; failedAt: number } {
  for (let j = 0; j < p; j++) {
    let d = A[j * p + j]!;
    for (let k = 0; k < j; k++) d -= L[j * p + k]! * L[j * p + k]!;
    if (!(d > 0) || d <= relTol * Math.abs(A[j * p + j]!)) return { L, failedAt: j };
    const ljj = Math.sqrt(d);
    L[j * p + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      let s = A[i * p + j]!;
      for (let k = 0; k < j; k++) s -= L[i * p + k]! * L[j * p + k]!;
      L[i * p + j] = s / ljj;
    }
  }
  return { L, failedAt: -1 };
}

/** Solves L x = b in place (L lower-triangular, row-major p × p). */
export function forwardSolve(L: Float64Array, p: number, b: Float64Array): Float64Array {
  for (let i = 0; i < p; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i * p + k]! * b[k]!;
    b[i] = s / L[i * p + i]!;
  }
  return b;
}

/** Solves L' x = b in place (L lower-triangular, row-major p × p). */
export function backSolveTransposed(L: Float64Array, p: number, b: Float64Array): Float64Array {
  for (let i = p - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < p; k++) s -= L[k * p + i]! * b[k]!;
    b[i] = s / L[i * p + i]!;
  }
  return b;
}

/** Solves (L L') x = b in place: L y = b, then L' x = y. */
export function choleskySolve(L: Float64Array, p: number, b: Float64Array): Float64Array {
  return backSolveTransposed(L, p, forwardSolve(L, p, b));
}

/**
 * (L L')^{-1}, as R's chol2inv: column c solves L z = e_c, then L' x = z. All columns at once, a row at a
 * time (each row's updates run along contiguous rows of the result); every entry takes the same operations
 * in the same order as solving the columns one by one with forwardSolve and backSolveTransposed. z's first
 * c entries are exactly 0 (they add exactly nothing to later sums), so the forward pass leaves them out.
 */
export function choleskyInverse(L: Float64Array, p: number): Float64Array {
  const inv = new Float64Array(p * p);
  // forward: row i of Z = L⁻¹, Z[i][c] = (δ_ic − Σ_{k=c}^{i−1} L[i][k] Z[k][c]) / L[i][i] for c ≤ i
  for (let i = 0; i < p; i++) {
    const zi = i * p;
    inv[zi + i] = 1;
    for (let k = 0; k < i; k++) {
      const l = L[zi + k]!;
      const zk = k * p;
      for (let c = 0; c <= k; c++) inv[zi + c] = inv[zi + c]! - l * inv[zk + c]!;
    }
    const d = L[zi + i]!;
    for (let c = 0; c <= i; c++) inv[zi + c] = inv[zi + c]! / d;
  }
  // back: X[i][c] = (Z[i][c] − Σ_{k=i+1}^{p−1} L[k][i] X[k][c]) / L[i][i], rows from the last
  for (let i = p - 1; i >= 0; i--) {
    const xi = i * p;
    for (let k = i + 1; k < p; k++) {
      const l = L[k * p + i]!;
      const xk = k * p;
      for (let c = 0; c < p; c++) inv[xi + c] = inv[xi + c]! - l * inv[xk + c]!;
    }
    const d = L[xi + i]!;
    for (let c = 0; c < p; c++) inv[xi + c] = inv[xi + c]! / d;
  }
  // symmetrise (rounding makes the two triangles differ in the last bit)
  for (let r = 0; r < p; r++) {
    for (let c = r + 1; c < p; c++) {
      const v = 0.5 * (inv[r * p + c]! + inv[c * p + r]!);
      inv[r * p + c] = v;
      inv[c * p + r] = v;
    }
  }
  return inv;
}

/**
 * Cholesky of D^{-1/2} A D^{-1/2} with D = diag(A): equilibration makes the factorisation insensitive
 * to the scale of the covariates (a covariate in minutes next to a 0/1 indicator).
 * Returns the factor and the scales 1/sqrt(A_jj), or `failedAt` (the first dependent column).
 */
export function equilibratedCholesky(A: Float64Array, p: number, factorise: CholeskyRoutines['cholesky'] = cholesky): { L: Float64Array; scale: Float64Array; failedAt: number } {
  const scale = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const d = A[j * p + j]!;
    if (!(d > 0)) return { L: new Float64Array(p * p), scale, failedAt: j };
    scale[j] = 1 / Math.sqrt(d);
  }
  const S = new Float64Array(p * p);
  for (let r = 0; r < p; r++) for (let c = 0; c < p; c++) S[r * p + c] = A[r * p + c]! * scale[r]! * scale[c]!;
  const { L, failedAt } = factorise(S, p);
  return { L, scale, failedAt };
}

/** The factorisation and inverse invertSymmetric uses: these of this file, or others with the same bits (fit/least-squares.ts's, in the WebAssembly kernels). */
export interface CholeskyRoutines {
  readonly cholesky: (A: Float64Array, p: number) => { L: Float64Array; failedAt: number };
  readonly choleskyInverse: (L: Float64Array, p: number) => Float64Array;
}

/** x = A^{-1} b for a symmetric positive-definite A, or undefined when A is not numerically positive definite. */
export function solveSymmetric(A: Float64Array, p: number, b: ArrayLike<number>, out: Float64Array = new Float64Array(p)): Float64Array | undefined {
  const { L, scale, failedAt } = equilibratedCholesky(A, p);
  if (failedAt >= 0) return undefined;
  for (let j = 0; j < p; j++) out[j] = b[j]! * scale[j]!;
  choleskySolve(L, p, out);
  for (let j = 0; j < p; j++) out[j] = out[j]! * scale[j]!;
  return out;
}

/**
 * A^{-1} for a symmetric positive-definite A, or undefined when it is not numerically positive definite.
 * `via`: the factorisation and inverse of the equilibrated matrix (the inverse must be a new array).
 */
export function invertSymmetric(A: Float64Array, p: number, via: CholeskyRoutines = { cholesky, choleskyInverse }): Float64Array | undefined {
  const { L, scale, failedAt } = equilibratedCholesky(A, p, via.cholesky);
  if (failedAt >= 0) return undefined;
  const inv = via.choleskyInverse(L, p);
  for (let r = 0; r < p; r++) for (let c = 0; c < p; c++) inv[r * p + c] = inv[r * p + c]! * scale[r]! * scale[c]!;
  return inv;
}

/**
 * Columns of X (column-major n × p) that are linear combinations of earlier columns, by
 * modified Gram–Schmidt with R's dqrdc2 rule (as `lm`/`glm`, tol = 1e-7): column j is aliased when
 * the norm of what remains after projecting out the kept earlier columns is below tol × its own norm.
 * O(n p²): call it only to confirm a suspected dependence.
 */
export function aliasedColumns(X: Float64Array, n: number, p: number, tol = 1e-7): number[] {
  const Q: Float64Array[] = [];
  const aliased: number[] = [];
  for (let j = 0; j < p; j++) {
    const v = Float64Array.from(X.subarray(j * n, (j + 1) * n));
    let norm0 = 0;
    for (let i = 0; i < n; i++) norm0 += v[i]! * v[i]!;
    norm0 = Math.sqrt(norm0);
    for (const q of Q) {
      let d = 0;
      for (let i = 0; i < n; i++) d += q[i]! * v[i]!;
      for (let i = 0; i < n; i++) v[i] = v[i]! - d * q[i]!;
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += v[i]! * v[i]!;
    norm = Math.sqrt(norm);
    if (norm0 === 0 || norm < tol * norm0) {
      aliased.push(j);
      continue;
    }
    for (let i = 0; i < n; i++) v[i] = v[i]! / norm;
    Q.push(v);
  }
  return aliased;
}

/** Symmetric p × p matrix (flat) → array of rows, for JSON output. */
export function toRows(A: ArrayLike<number>, p: number): number[][] {
  const rows: number[][] = [];
  for (let r = 0; r < p; r++) {
    const row: number[] = [];
    for (let c = 0; c < p; c++) row.push(A[r * p + c]!);
    rows.push(row);
  }
  return rows;
}

/** The product A B of the row-major r × k matrix A and k × c matrix B (row-major r × c). */
export function matrixProduct(A: Float64Array, B: Float64Array, r: number, k: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) {
    for (let t = 0; t < k; t++) {
      const a = A[i * k + t]!;
      for (let j = 0; j < c; j++) out[i * c + j] = out[i * c + j]! + a * B[t * c + j]!;
    }
  }
  return out;
}

/** A ridge on the diagonal of the p × p matrix A, in place: A_jj ← A_jj (1 + relative) + absolute. */
export function ridgeDiagonal(A: Float64Array, p: number, relative: number, absolute: number): void {
  for (let j = 0; j < p; j++) A[j * p + j] = A[j * p + j]! * (1 + relative) + absolute;
}

/**
 * The rows `rows` (any order, repeats allowed) of the column-major N × p matrix `X`, as a column-major
 * rows.length × p matrix. Four columns per pass over `rows` (a third less time than one, measured on
 * mediate's bootstrap resamples: each row index is read once), then the last one to three.
 */
export function matrixRows(X: Float64Array, N: number, p: number, rows: Int32Array, out: Float64Array = new Float64Array(rows.length * p)): Float64Array {
  const m = rows.length;
  let j = 0;
  for (; j + 3 < p; j += 4) {
    const f0 = j * N;
    const f1 = f0 + N;
    const f2 = f1 + N;
    const f3 = f2 + N;
    const t0 = j * m;
    const t1 = t0 + m;
    const t2 = t1 + m;
    const t3 = t2 + m;
    for (let t = 0; t < m; t++) {
      const s = rows[t]!;
      out[t0 + t] = X[f0 + s]!;
      out[t1 + t] = X[f1 + s]!;
      out[t2 + t] = X[f2 + s]!;
      out[t3 + t] = X[f3 + s]!;
    }
  }
  const rest = p - j;
  if (rest === 0) return out;
  const f0 = j * N;
  const t0 = j * m;
  if (rest === 1) for (let t = 0; t < m; t++) out[t0 + t] = X[f0 + rows[t]!]!;
  else if (rest === 2) {
    for (let t = 0; t < m; t++) {
      const s = rows[t]!;
      out[t0 + t] = X[f0 + s]!;
      out[t0 + m + t] = X[f0 + N + s]!;
    }
  } else {
    for (let t = 0; t < m; t++) {
      const s = rows[t]!;
      out[t0 + t] = X[f0 + s]!;
      out[t0 + m + t] = X[f0 + N + s]!;
      out[t0 + 2 * m + t] = X[f0 + 2 * N + s]!;
    }
  }
  return out;
}

/** The sub-matrix of the row-major n × n matrix `A` on the rows and columns `keep`. */
export function subMatrix(A: Float64Array, n: number, keep: readonly number[]): Float64Array {
  const k = keep.length;
  const out = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) out[i * k + j] = A[keep[i]! * n + keep[j]!]!;
  return out;
}

/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations (as R's `eigen(symmetric =
 * TRUE)` up to the signs of the vectors): values in decreasing order, vectors as columns of a row-major
 * p × p matrix in the same order. For the small matrices of mice's `remove.lindep`.
 */
export function symmetricEigen(a: Float64Array, p: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(p * p);
  for (let i = 0; i < p; i++) v[i * p + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) off += m[i * p + j]! * m[i * p + j]!;
    if (off < 1e-30) break;
    for (let r = 0; r < p; r++) {
      for (let c = r + 1; c < p; c++) {
        const arc = m[r * p + c]!;
        if (arc === 0) continue;
        const theta = (m[c * p + c]! - m[r * p + r]!) / (2 * arc);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const cs = 1 / Math.sqrt(t * t + 1);
        const sn = t * cs;
        for (let k = 0; k < p; k++) {
          const mkr = m[k * p + r]!;
          const mkc = m[k * p + c]!;
          m[k * p + r] = cs * mkr - sn * mkc;
          m[k * p + c] = sn * mkr + cs * mkc;
        }
        for (let k = 0; k < p; k++) {
          const mrk = m[r * p + k]!;
          const mck = m[c * p + k]!;
          m[r * p + k] = cs * mrk - sn * mck;
          m[c * p + k] = sn * mrk + cs * mck;
        }
        for (let k = 0; k < p; k++) {
          const vkr = v[k * p + r]!;
          const vkc = v[k * p + c]!;
          v[k * p + r] = cs * vkr - sn * vkc;
          v[k * p + c] = sn * vkr + cs * vkc;
        }
      }
    }
  }
  const order = Array.from({ length: p }, (_, i) => i).sort((x, y) => m[y * p + y]! - m[x * p + x]!);
  const values = new Float64Array(p);
  const vectors = new Float64Array(p * p);
  order.forEach((src, dst) => {
    values[dst] = m[src * p + src]!;
    for (let k = 0; k < p; k++) vectors[k * p + dst] = v[k * p + src]!;
  });
  return { values, vectors };
}
