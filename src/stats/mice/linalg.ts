/**
 * The little dense linear algebra the imputation models need: symmetric p×p matrices stored row-major
 * in a Float64Array (p is the number of predictors, a dozen or so), Cholesky factors, triangular solves
 * and a Jacobi eigen-decomposition for `remove.lindep`. Hot loops over rows live in the callers.
 */

/**
 * Cholesky factor of the symmetric positive-definite matrix `a` (row-major p×p): the lower-triangular
 * L with a = L Lᵀ, written into a new array. Returns undefined when a pivot is not positive (the
 * matrix is singular or indefinite to working precision).
 */
export function cholesky(a: Float64Array, p: number): Float64Array | undefined {
  const l = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    let d = a[j * p + j]!;
    for (let k = 0; k < j; k++) d -= l[j * p + k]! * l[j * p + k]!;
    // Relative pivot tolerance: a pivot lost to rounding against the original diagonal means singular.
    if (!(d > 1e-13 * Math.abs(a[j * p + j]!)) || !(d > 0)) return undefined;
    const ljj = Math.sqrt(d);
    l[j * p + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      let s = a[i * p + j]!;
      for (let k = 0; k < j; k++) s -= l[i * p + k]! * l[j * p + k]!;
      l[i * p + j] = s / ljj;
    }
  }
  return l;
}

/** Solves L x = b in place (L lower-triangular, row-major p×p). */
export function forwardSolve(l: Float64Array, p: number, b: Float64Array): void {
  for (let i = 0; i < p; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * p + k]! * b[k]!;
    b[i] = s / l[i * p + i]!;
  }
}

/** Solves Lᵀ x = b in place (L lower-triangular, row-major p×p). */
export function backSolveTransposed(l: Float64Array, p: number, b: Float64Array): void {
  for (let i = p - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < p; k++) s -= l[k * p + i]! * b[k]!;
    b[i] = s / l[i * p + i]!;
  }
}

/** Solves (L Lᵀ) x = b in place. */
export function choleskySolve(l: Float64Array, p: number, b: Float64Array): void {
  forwardSolve(l, p, b);
  backSolveTransposed(l, p, b);
}

/** The inverse of L Lᵀ as a row-major p×p matrix. */
export function choleskyInverse(l: Float64Array, p: number): Float64Array {
  const inv = new Float64Array(p * p);
  const e = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    e.fill(0);
    e[j] = 1;
    choleskySolve(l, p, e);
    for (let i = 0; i < p; i++) inv[i * p + j] = e[i]!;
  }
  return inv;
}

/** The sub-matrix of the row-major n×n matrix `a` on the rows and columns `keep`. */
export function subMatrix(a: Float64Array, n: number, keep: readonly number[]): Float64Array {
  const k = keep.length;
  const out = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) out[i * k + j] = a[keep[i]! * n + keep[j]!]!;
  return out;
}

/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations (as R's `eigen(symmetric =
 * TRUE)` up to the signs of the vectors): values in decreasing order, vectors as columns of a row-major
 * p×p matrix in the same order.
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
