/**
 * The fits' row-block kernels in WebAssembly SIMD (f64x2: two rows per instruction, no bounds checks),
 * compiled by AssemblyScript (`npm run kernels` → src/stats/kernels/kernels.wasm, committed; see
 * docs/architecture.md, "Kernels"). TypeScript callers never see these functions: src/stats/kernels/
 * wraps them behind the `Kernels` interface, which lays out their memory (the arena) and hands them byte
 * addresses in it. The JavaScript backend there (kernels/js.ts) mirrors every sum below in the same order.
 *
 * Arrays are addressed by byte offset in the imported memory (env.memory); the column-major design X (n rows
 * × p columns) has column j at x + 8·j·n. Every kernel runs over `len` rows from row i0 with `len` EVEN: the
 * caller rounds a block up by one row whose weights it sets to 0 (the row read is then the next row of X,
 * or the zero row after its end — a finite value times 0 adds nothing). Sums run in two lanes (even and
 * odd rows) added at the end. No fused multiply-add anywhere (each product is rounded, then the sum), so a
 * plain JavaScript loop can give the same bits.
 *
 *   eta(x, n, i0, len, p, beta, out)                  out[t] = Σ_j beta[j] X[i0 + t, j]
 *   colpass(x, n, i0, len, p, w, stride, s, sums)     per column j, with w[m·stride + t] the weights c, d, u, l:
 *                                                      s[j·stride + t] = c_t X[i0 + t, j];
 *                                                      sums[3j..3j+2] = Σ_t (d_t, u_t, l_t) X[i0 + t, j]
 *   crossprod(s, stride, x, n, i0, len, p, out)        out[j·p + k] += Σ_t s[j·stride + t] X[i0 + t, k]  for k ≥ j
 *   exps(x, len, out, mx)                              out[t] = exp(x[t]); mx = max |x[t]| (exp valid for ≤ 700)
 *   rows(eta, len, kind, w, out, stride, sums, …)      the cumulative-logit rows' terms (models/cumulative-logit.ts's rowTerms)
 *   logprod(p, w, len, acc)                            the running product Π p[t]^w[t], exact as mantissa × 2^exponent
 *   evaluate(…) → status                               the ordinal fit's whole pass over its blocks of rows
 *   lmpass(…)                                          fit/least-squares.ts's pass over the row blocks
 *   chol(A, p, relTol, L) → failedAt, cholsolve(L, p, b), cholinv(L, p, out)
 *                                                      linalg.ts's cholesky, choleskySolve and choleskyInverse
 *                                                      (scalar; the same operations in the same order)
 */

/** Rows per block (src/stats/linalg.ts's BLOCK). */
const BLOCK: i32 = 256;

/** Byte address of the f64 at index i of the array at byte address base. */
// @ts-ignore: decorator
@inline function at(base: usize, i: i32): usize {
  return base + (<usize>i << 3);
}

// @ts-ignore: decorator
@inline function ld(base: usize, i: i32): f64 {
  return load<f64>(at(base, i));
}

// @ts-ignore: decorator
@inline function st(base: usize, i: i32, v: f64): void {
  store<f64>(at(base, i), v);
}

// @ts-ignore: decorator
@inline function vld(base: usize, i: i32): v128 {
  return v128.load(at(base, i));
}

// @ts-ignore: decorator
@inline function vst(base: usize, i: i32, v: v128): void {
  v128.store(at(base, i), v);
}

/** Lane 0 + lane 1. */
// @ts-ignore: decorator
@inline function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** a + b·c, the product rounded first (no fused multiply-add). */
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  return f64x2.add(a, f64x2.mul(b, c));
}

const ZERO: v128 = f64x2(0, 0);

/**
 * eta(x, n, i0, len, p, beta, out): out = 0, then out += beta[j] X[·, j] column by column — two columns per
 * pass over the rows (out loaded and stored once for both, the additions in column order).
 */
export function eta(x: usize, n: i32, i0: i32, len: i32, p: i32, beta: usize, out: usize): void {
  // (the loops over the rows test at the end, as do-while: one branch per pass)
  if (len > 0) {
    let t = 0;
    do {
      vst(out, t, ZERO);
      t += 2;
    } while (t < len);
  }
  const pairs = p & -2;
  let j = 0;
  for (; j < pairs; j += 2) {
    const b0 = f64x2.splat(ld(beta, j));
    const b1 = f64x2.splat(ld(beta, j + 1));
    const col0 = at(x, j * n + i0);
    const col1 = at(x, (j + 1) * n + i0);
    if (len > 0) {
      let t = 0;
      do {
        vst(out, t, madd(madd(vld(out, t), b0, vld(col0, t)), b1, vld(col1, t)));
        t += 2;
      } while (t < len);
    }
  }
  if (pairs < p) {
    // an odd p: the last column alone
    const b0 = f64x2.splat(ld(beta, j));
    const col0 = at(x, j * n + i0);
    if (len > 0) {
      let t = 0;
      do {
        vst(out, t, madd(vld(out, t), b0, vld(col0, t)));
        t += 2;
      } while (t < len);
    }
  }
}

/**
 * colpass(x, n, i0, len, p, w, stride, s, sums): per column j the scratch c·x_j and the sums Σ d x_j,
 * Σ u x_j, Σ l x_j — two columns per pass over the rows (the weights c, d, u, l loaded once for both).
 */
export function colpass(x: usize, n: i32, i0: i32, len: i32, p: i32, w: usize, stride: i32, s: usize, sums: usize): void {
  const wd = at(w, stride);
  const wu = at(wd, stride);
  const wl = at(wu, stride);
  const pairs = p & -2;
  let j = 0;
  for (; j < pairs; j += 2) {
    const col0 = at(x, j * n + i0);
    const col1 = at(x, (j + 1) * n + i0);
    const s0 = at(s, j * stride);
    const s1 = at(s, (j + 1) * stride);
    let g0 = ZERO, u0 = ZERO, l0 = ZERO;
    let g1 = ZERO, u1 = ZERO, l1 = ZERO;
    let t = 0;
    if (len > 0) do {
      const cv = vld(w, t);
      const dv = vld(wd, t);
      const uv = vld(wu, t);
      const lv = vld(wl, t);
      const x0 = vld(col0, t);
      vst(s0, t, f64x2.mul(cv, x0));
      g0 = madd(g0, dv, x0);
      u0 = madd(u0, uv, x0);
      l0 = madd(l0, lv, x0);
      const x1 = vld(col1, t);
      vst(s1, t, f64x2.mul(cv, x1));
      g1 = madd(g1, dv, x1);
      u1 = madd(u1, uv, x1);
      l1 = madd(l1, lv, x1);
      t += 2;
    } while (t < len);
    const o0 = at(sums, 3 * j);
    store<f64>(o0, hsum(g0));
    store<f64>(o0, hsum(u0), 8);
    store<f64>(o0, hsum(l0), 16);
    const o1 = at(sums, 3 * (j + 1));
    store<f64>(o1, hsum(g1));
    store<f64>(o1, hsum(u1), 8);
    store<f64>(o1, hsum(l1), 16);
  }
  if (pairs < p) {
    // an odd p: the last column alone
    const col0 = at(x, j * n + i0);
    const s0 = at(s, j * stride);
    let g0 = ZERO, u0 = ZERO, l0 = ZERO;
    let t = 0;
    if (len > 0) do {
      const cv = vld(w, t);
      const dv = vld(wd, t);
      const uv = vld(wu, t);
      const lv = vld(wl, t);
      const x0 = vld(col0, t);
      vst(s0, t, f64x2.mul(cv, x0));
      g0 = madd(g0, dv, x0);
      u0 = madd(u0, uv, x0);
      l0 = madd(l0, lv, x0);
      t += 2;
    } while (t < len);
    const o0 = at(sums, 3 * j);
    store<f64>(o0, hsum(g0));
    store<f64>(o0, hsum(u0), 8);
    store<f64>(o0, hsum(l0), 16);
  }
}

/** out[r·p + k] += hsum(v) */
// @ts-ignore: decorator
@inline function addTo(out: usize, r: i32, p: i32, k: i32, v: v128): void {
  const o = at(out, r * p + k);
  store<f64>(o, load<f64>(o) + hsum(v));
}

/**
 * One pass over the rows for the tile of result rows j, j + 1 (h = 2) or j alone (h = 1) by columns
 * k … k + w − 1 (w ≤ 4; h and w constants once inlined): each entry its own two-lane sum over the rows.
 * The entry (j + 1, j), below the diagonal when k = j, is not stored.
 */
// @ts-ignore: decorator
@inline function tile(s: usize, stride: i32, x: usize, n: i32, i0: i32, len: i32, p: i32, out: usize, j: i32, k: i32, h: i32, w: i32): void {
  const r0 = at(s, j * stride);
  const r1 = at(s, (j + 1) * stride);
  const c0 = at(x, k * n + i0);
  const c1 = at(x, (k + 1) * n + i0);
  const c2 = at(x, (k + 2) * n + i0);
  const c3 = at(x, (k + 3) * n + i0);
  let a00 = ZERO, a01 = ZERO, a02 = ZERO, a03 = ZERO;
  let a10 = ZERO, a11 = ZERO, a12 = ZERO, a13 = ZERO;
  let t = 0;
  if (len > 0) do {
    const v0 = vld(r0, t);
    const v1 = h > 1 ? vld(r1, t) : ZERO;
    let xv = vld(c0, t);
    a00 = madd(a00, v0, xv);
    if (h > 1) a10 = madd(a10, v1, xv);
    if (w > 1) {
      xv = vld(c1, t);
      a01 = madd(a01, v0, xv);
      if (h > 1) a11 = madd(a11, v1, xv);
    }
    if (w > 2) {
      xv = vld(c2, t);
      a02 = madd(a02, v0, xv);
      if (h > 1) a12 = madd(a12, v1, xv);
    }
    if (w > 3) {
      xv = vld(c3, t);
      a03 = madd(a03, v0, xv);
      if (h > 1) a13 = madd(a13, v1, xv);
    }
    t += 2;
  } while (t < len);
  addTo(out, j, p, k, a00);
  if (w > 1) addTo(out, j, p, k + 1, a01);
  if (w > 2) addTo(out, j, p, k + 2, a02);
  if (w > 3) addTo(out, j, p, k + 3, a03);
  if (h > 1) {
    if (k != j) addTo(out, j + 1, p, k, a10);
    if (w > 1) addTo(out, j + 1, p, k + 1, a11);
    if (w > 2) addTo(out, j + 1, p, k + 2, a12);
    if (w > 3) addTo(out, j + 1, p, k + 3, a13);
  }
}

/**
 * crossprod(s, stride, x, n, i0, len, p, out): the upper triangle in tiles of two rows j, j + 1 of the
 * result by up to four columns k … k + 3, for k = j, j + 4, … (a 2 × 4 tile loads 6 vectors for 8 vector
 * multiply-adds per pass over the rows). An odd p's last row has only its diagonal. Each entry is its own
 * sum over the rows, in row order: the tiling does not change it.
 */
export function crossprod(s: usize, stride: i32, x: usize, n: i32, i0: i32, len: i32, p: i32, out: usize): void {
  let j = 0;
  for (; j < p - 1; j += 2) {
    let k = j;
    for (; k < p - 3; k += 4) tile(s, stride, x, n, i0, len, p, out, j, k, 2, 4);
    // the last 1–3 columns
    const rest = p - k;
    if (rest == 3) tile(s, stride, x, n, i0, len, p, out, j, k, 2, 3);
    else if (rest == 2) tile(s, stride, x, n, i0, len, p, out, j, k, 2, 2);
    else if (rest == 1) tile(s, stride, x, n, i0, len, p, out, j, k, 2, 1);
  }
  if (j < p) tile(s, stride, x, n, i0, len, p, out, j, j, 1, 1);
}

// exp(x) = 2^k e^r, k = nearest(x / log 2), r = x − k log 2 in two parts (fdlibm's ln2HI, ln2LO: k·ln2HI is
// exact), e^r by its Taylor polynomial to degree 13 (|r| ≤ ½ log 2: truncation < 2⁻⁵⁸), 2^k from its bits
// (k + 1023) << 52. Valid for |x| ≤ 700 (2^k normal); the caller checks max |x| and falls back to Math.exp.
const INV_LN2: f64 = 1.4426950408889634; // 1 / Math.LN2
const LN2_HI: f64 = 6.93147180369123816490e-1;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const MAGIC: f64 = 6755399441055744; // 1.5·2⁵²: k + MAGIC holds k in its low mantissa bits
// 1/i! for i = 0 … 13 (as doubles: the factorials are exact, then one division)
const C0: f64 = 1;
const C1: f64 = 1;
const C2: f64 = 0.5;
const C3: f64 = 0.16666666666666666;
const C4: f64 = 0.041666666666666664;
const C5: f64 = 0.008333333333333333;
const C6: f64 = 0.001388888888888889;
const C7: f64 = 0.0001984126984126984;
const C8: f64 = 0.0000248015873015873;
const C9: f64 = 0.0000027557319223985893;
const C10: f64 = 2.755731922398589e-7;
const C11: f64 = 2.505210838544172e-8;
const C12: f64 = 2.08767569878681e-9;
const C13: f64 = 1.6059043836821613e-10;

/** acc·r + c (Horner's step, the product rounded first) */
// @ts-ignore: decorator
@inline function horner(acc: v128, r: v128, c: f64): v128 {
  return f64x2.add(f64x2.mul(acc, r), f64x2.splat(c));
}

/** exp of both lanes of x (see above). */
// @ts-ignore: decorator
@inline function expV(x: v128): v128 {
  const k = f64x2.nearest(f64x2.mul(x, f64x2.splat(INV_LN2)));
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(k, f64x2.splat(LN2_HI))), f64x2.mul(k, f64x2.splat(LN2_LO)));
  let acc = f64x2.splat(C13);
  acc = horner(acc, r, C12);
  acc = horner(acc, r, C11);
  acc = horner(acc, r, C10);
  acc = horner(acc, r, C9);
  acc = horner(acc, r, C8);
  acc = horner(acc, r, C7);
  acc = horner(acc, r, C6);
  acc = horner(acc, r, C5);
  acc = horner(acc, r, C4);
  acc = horner(acc, r, C3);
  acc = horner(acc, r, C2);
  acc = horner(acc, r, C1);
  acc = horner(acc, r, C0);
  // × 2^k: bits of (k + MAGIC) − bits of MAGIC = k as int64; (k + 1023) << 52
  const magic = f64x2.splat(MAGIC);
  const ki = i64x2.sub(f64x2.add(k, magic), magic);
  return f64x2.mul(acc, i64x2.shl(i64x2.add(ki, i64x2.splat(1023)), 52));
}

/** exps(x, len, out, mx): out[t] = exp(x[t]) for the `len` (even) values at x; the f64 at mx = max |x[t]| (NaN if any is). */
export function exps(x: usize, len: i32, out: usize, mxAt: usize): void {
  let mx = ZERO;
  let t = 0;
  if (len > 0) do {
    const v = vld(x, t);
    mx = f64x2.max(mx, f64x2.abs(v));
    vst(out, t, expV(v));
    t += 2;
  } while (t < len);
  store<f64>(mxAt, max(f64x2.extract_lane(mx, 0), f64x2.extract_lane(mx, 1)));
}

/** rows's sums (see rows) from the lanes of the running sums and of max |x|. */
// @ts-ignore: decorator
@inline function rowSums(sums: usize, sGU: v128, sGL: v128, sHUU: v128, sHLL: v128, sHUL: v128, mx: v128): void {
  st(sums, 0, hsum(sGU));
  st(sums, 1, hsum(sGL));
  st(sums, 2, hsum(sHUU));
  st(sums, 3, hsum(sHLL));
  st(sums, 4, hsum(sHUL));
  // max |x| of the two lanes (NaN stays NaN: the caller's check fails and it falls back)
  st(sums, 5, max(f64x2.extract_lane(mx, 0), f64x2.extract_lane(mx, 1)));
}

/**
 * rows for the highest category (p = 1 − F(b), b = θ_{c−1} − η = tL − η; e = e_b), four rows per pass.
 * invB = 1/(1 + eb); p = invB; ∂ log p/∂b = −eb invB; ∂²/∂b² = −eb invB invB.
 */
function rowsHighest(eta: usize, len: i32, w: usize, out: usize, stride: i32, sums: usize, tL: f64): void {
  const one = f64x2.splat(1);
  const vT = f64x2.splat(tL);
  const oD = at(out, stride);
  const oU = at(oD, stride);
  const oL = at(oU, stride);
  const oP = at(oL, stride);
  let sGL = ZERO, sHLL = ZERO;
  let mx = ZERO;
  // four rows per pass, then a last pair (see rowsMiddle)
  const len4 = len & -4;
  let t = 0;
  if (len4 > 0) do {
    const xA = f64x2.sub(vT, vld(eta, t));
    mx = f64x2.max(mx, f64x2.abs(xA));
    const xB = f64x2.sub(vT, vld(eta, t + 2));
    mx = f64x2.max(mx, f64x2.abs(xB));
    const eA = expV(xA);
    const eB = expV(xB);
    // pair A: rows t, t + 1
    const wvA = vld(w, t);
    const invBA = f64x2.div(one, f64x2.add(one, eA));
    const lbA = f64x2.mul(f64x2.sub(ZERO, eA), invBA);
    const hbbA = f64x2.mul(lbA, invBA);
    const gbA = f64x2.mul(wvA, lbA);
    const wHbbA = f64x2.mul(wvA, hbbA);
    vst(oD, t, gbA);
    vst(out, t, f64x2.sub(ZERO, wHbbA));
    vst(oU, t, ZERO);
    vst(oL, t, wHbbA);
    vst(oP, t, invBA);
    sGL = f64x2.add(sGL, gbA);
    sHLL = f64x2.add(sHLL, wHbbA);
    const u = t + 2;
    // pair B: rows t + 2, t + 3
    const wvB = vld(w, u);
    const invBB = f64x2.div(one, f64x2.add(one, eB));
    const lbB = f64x2.mul(f64x2.sub(ZERO, eB), invBB);
    const hbbB = f64x2.mul(lbB, invBB);
    const gbB = f64x2.mul(wvB, lbB);
    const wHbbB = f64x2.mul(wvB, hbbB);
    vst(oD, u, gbB);
    vst(out, u, f64x2.sub(ZERO, wHbbB));
    vst(oU, u, ZERO);
    vst(oL, u, wHbbB);
    vst(oP, u, invBB);
    sGL = f64x2.add(sGL, gbB);
    sHLL = f64x2.add(sHLL, wHbbB);
    t += 4;
  } while (t < len4);
  if (len4 < len) {
    const x = f64x2.sub(vT, vld(eta, t));
    mx = f64x2.max(mx, f64x2.abs(x));
    const e = expV(x);
    // the last pair
    const wv = vld(w, t);
    const invB = f64x2.div(one, f64x2.add(one, e));
    const lb = f64x2.mul(f64x2.sub(ZERO, e), invB);
    const hbb = f64x2.mul(lb, invB);
    const gb = f64x2.mul(wv, lb);
    const wHbb = f64x2.mul(wv, hbb);
    vst(oD, t, gb);
    vst(out, t, f64x2.sub(ZERO, wHbb));
    vst(oU, t, ZERO);
    vst(oL, t, wHbb);
    vst(oP, t, invB);
    sGL = f64x2.add(sGL, gb);
    sHLL = f64x2.add(sHLL, wHbb);
  }
  rowSums(sums, ZERO, sGL, ZERO, sHLL, ZERO, mx);
}

/** rows for a middle or the lowest category (a = θ_c − η = tU − η; e = e_a): rowTerms's formulas. */
function rowsMiddle(eta: usize, len: i32, w: usize, out: usize, stride: i32, sums: usize, tU: f64, r: f64, omr: f64, iomr: f64): void {
  const one = f64x2.splat(1);
  const two = f64x2.splat(2);
  const vT = f64x2.splat(tU);
  const vR = f64x2.splat(r);
  const vNegR = f64x2.splat(0 - r);
  const vOmr = f64x2.splat(omr);
  const vIomr = f64x2.splat(iomr);
  const oD = at(out, stride);
  const oU = at(oD, stride);
  const oL = at(oU, stride);
  const oP = at(oL, stride);
  let sGU = ZERO, sGL = ZERO, sHUU = ZERO, sHLL = ZERO, sHUL = ZERO;
  let mx = ZERO;
  // four rows per pass while they last: both pairs' exps first (independent chains the processor
  // overlaps), then each pair's terms in row order, so that every sum takes its terms in the order two rows
  // at a time would; then a last pair. The pair's code is written out three times (pair A, pair B, the last
  // pair; the golden tests run all three): AssemblyScript has no multi-value return, and the sums must stay
  // in locals — kept in globals, or with a loop over the pairs, the kernel ran 10-20 % slower
  const len4 = len & -4;
  let t = 0;
  if (len4 > 0) do {
    const xA = f64x2.sub(vT, vld(eta, t));
    mx = f64x2.max(mx, f64x2.abs(xA));
    const xB = f64x2.sub(vT, vld(eta, t + 2));
    mx = f64x2.max(mx, f64x2.abs(xB));
    const eA = expV(xA);
    const eB = expV(xB);
    // pair A: rows t, t + 1
    const wvA = vld(w, t);
    const A1A = f64x2.add(one, eA);
    const ebA = f64x2.mul(vR, eA);
    const BA = f64x2.add(one, ebA);
    const invABA = f64x2.div(one, f64x2.mul(A1A, BA));
    const invAA = f64x2.mul(BA, invABA);
    const invBA = f64x2.mul(A1A, invABA);
    const prA = f64x2.mul(f64x2.mul(eA, vOmr), invABA);
    const laA = f64x2.mul(f64x2.mul(BA, invAA), vIomr);
    const lbA = f64x2.mul(f64x2.mul(f64x2.mul(vNegR, A1A), invBA), vIomr);
    // haaA = laA ((1 − ea) invAA − laA), hbbA = lbA ((1 − ebA) invBA − lbA)
    const haaA = f64x2.mul(laA, f64x2.sub(f64x2.mul(f64x2.sub(one, eA), invAA), laA));
    const hbbA = f64x2.mul(lbA, f64x2.sub(f64x2.mul(f64x2.sub(one, ebA), invBA), lbA));
    const gaA = f64x2.mul(wvA, laA);
    const gbA = f64x2.mul(wvA, lbA);
    const wHaaA = f64x2.mul(wvA, haaA);
    const wHbbA = f64x2.mul(wvA, hbbA);
    const habA = f64x2.mul(f64x2.mul(f64x2.sub(ZERO, wvA), laA), lbA);
    vst(oD, t, f64x2.add(gaA, gbA));
    // c = −((wHaaA + 2 habA) + wHbbA)
    vst(out, t, f64x2.sub(ZERO, f64x2.add(f64x2.add(wHaaA, f64x2.mul(two, habA)), wHbbA)));
    vst(oU, t, f64x2.add(wHaaA, habA));
    vst(oL, t, f64x2.add(habA, wHbbA));
    vst(oP, t, prA);
    sGU = f64x2.add(sGU, gaA);
    sGL = f64x2.add(sGL, gbA);
    sHUU = f64x2.add(sHUU, wHaaA);
    sHLL = f64x2.add(sHLL, wHbbA);
    sHUL = f64x2.add(sHUL, habA);
    const u = t + 2;
    // pair B: rows t + 2, t + 3
    const wvB = vld(w, u);
    const A1B = f64x2.add(one, eB);
    const ebB = f64x2.mul(vR, eB);
    const BB = f64x2.add(one, ebB);
    const invABB = f64x2.div(one, f64x2.mul(A1B, BB));
    const invAB = f64x2.mul(BB, invABB);
    const invBB = f64x2.mul(A1B, invABB);
    const prB = f64x2.mul(f64x2.mul(eB, vOmr), invABB);
    const laB = f64x2.mul(f64x2.mul(BB, invAB), vIomr);
    const lbB = f64x2.mul(f64x2.mul(f64x2.mul(vNegR, A1B), invBB), vIomr);
    // haaB = laB ((1 − ea) invAB − laB), hbbB = lbB ((1 − ebB) invBB − lbB)
    const haaB = f64x2.mul(laB, f64x2.sub(f64x2.mul(f64x2.sub(one, eB), invAB), laB));
    const hbbB = f64x2.mul(lbB, f64x2.sub(f64x2.mul(f64x2.sub(one, ebB), invBB), lbB));
    const gaB = f64x2.mul(wvB, laB);
    const gbB = f64x2.mul(wvB, lbB);
    const wHaaB = f64x2.mul(wvB, haaB);
    const wHbbB = f64x2.mul(wvB, hbbB);
    const habB = f64x2.mul(f64x2.mul(f64x2.sub(ZERO, wvB), laB), lbB);
    vst(oD, u, f64x2.add(gaB, gbB));
    // c = −((wHaaB + 2 habB) + wHbbB)
    vst(out, u, f64x2.sub(ZERO, f64x2.add(f64x2.add(wHaaB, f64x2.mul(two, habB)), wHbbB)));
    vst(oU, u, f64x2.add(wHaaB, habB));
    vst(oL, u, f64x2.add(habB, wHbbB));
    vst(oP, u, prB);
    sGU = f64x2.add(sGU, gaB);
    sGL = f64x2.add(sGL, gbB);
    sHUU = f64x2.add(sHUU, wHaaB);
    sHLL = f64x2.add(sHLL, wHbbB);
    sHUL = f64x2.add(sHUL, habB);
    t += 4;
  } while (t < len4);
  if (len4 < len) {
    const x = f64x2.sub(vT, vld(eta, t));
    mx = f64x2.max(mx, f64x2.abs(x));
    const e = expV(x);
    // the last pair
    const wv = vld(w, t);
    const A1 = f64x2.add(one, e);
    const eb = f64x2.mul(vR, e);
    const B = f64x2.add(one, eb);
    const invAB = f64x2.div(one, f64x2.mul(A1, B));
    const invA = f64x2.mul(B, invAB);
    const invB = f64x2.mul(A1, invAB);
    const pr = f64x2.mul(f64x2.mul(e, vOmr), invAB);
    const la = f64x2.mul(f64x2.mul(B, invA), vIomr);
    const lb = f64x2.mul(f64x2.mul(f64x2.mul(vNegR, A1), invB), vIomr);
    // haa = la ((1 − ea) invA − la), hbb = lb ((1 − eb) invB − lb)
    const haa = f64x2.mul(la, f64x2.sub(f64x2.mul(f64x2.sub(one, e), invA), la));
    const hbb = f64x2.mul(lb, f64x2.sub(f64x2.mul(f64x2.sub(one, eb), invB), lb));
    const ga = f64x2.mul(wv, la);
    const gb = f64x2.mul(wv, lb);
    const wHaa = f64x2.mul(wv, haa);
    const wHbb = f64x2.mul(wv, hbb);
    const hab = f64x2.mul(f64x2.mul(f64x2.sub(ZERO, wv), la), lb);
    vst(oD, t, f64x2.add(ga, gb));
    // c = −((wHaa + 2 hab) + wHbb)
    vst(out, t, f64x2.sub(ZERO, f64x2.add(f64x2.add(wHaa, f64x2.mul(two, hab)), wHbb)));
    vst(oU, t, f64x2.add(wHaa, hab));
    vst(oL, t, f64x2.add(hab, wHbb));
    vst(oP, t, pr);
    sGU = f64x2.add(sGU, ga);
    sGL = f64x2.add(sGL, gb);
    sHUU = f64x2.add(sHUU, wHaa);
    sHLL = f64x2.add(sHLL, wHbb);
    sHUL = f64x2.add(sHUL, hab);
  }
  rowSums(sums, sGU, sGL, sHUU, sHLL, sHUL, mx);
}

/**
 * rows(eta, len, kind, w, out, stride, sums, tU, tL, r, omr, iomr): the per-row quantities of the ordinal
 * likelihood for `len` (even) rows of one category — models/cumulative-logit.ts's rowTerms, operation for
 * operation: out + 8·m·stride holds, for m = 0…4, the arrays c, d, u, l and p; sums[0..5] = Σ w f(a)/p,
 * Σ −w f(b)/p, Σ w ∂²/∂a², Σ w ∂²/∂b², Σ w ∂²/∂a∂b and max |x| over the rows (x = θ − η, the exp argument).
 * kind 0: a middle category (θ_c, θ_{c−1}, r = exp(θ_{c−1} − θ_c), omr = 1 − r, iomr = 1/omr); kind 1: the
 * lowest (the same formulas with r = 0, omr = iomr = 1); kind 2: the highest (only θ_{c−1} = tL).
 */
export function rows(eta: usize, len: i32, kind: i32, w: usize, out: usize, stride: i32, sums: usize, tU: f64, tL: f64, r: f64, omr: f64, iomr: f64): void {
  if (kind == 2) rowsHighest(eta, len, w, out, stride, sums, tL);
  else rowsMiddle(eta, len, w, out, stride, sums, tU, r, omr, iomr);
}

/**
 * logprod(p, w, len, acc): Π p[t]^w[t] over `len` (even) rows, for whole-number weights w (0, 1, 2, … as
 * frequency weights; 0 for padding rows), multiplied into the running product at acc held per lane as
 * mantissa m ∈ [1, 2) (f64x2 at acc) and binary exponent e (i64x2 at acc + 16): m·2^e is the product, never
 * rounded beyond one rounding per factor and never under- or overflowing. The caller takes
 * log Π = log(m₀m₁) + (e₀ + e₁) log 2 once. Factors p < 1e-100 are left out (the caller adds their
 * w log p itself); the f64 at acc + 32 is min p over all the rows, weighted or not (NaN when a p is NaN;
 * the caller then stops, as for p ≤ 0), reset per call.
 */
export function logprod(p: usize, w: usize, len: i32, acc: usize): void {
  const one = f64x2.splat(1);
  const tiny = f64x2.splat(1e-100);
  const mant = i64x2.splat(0x000fffffffffffff); // the mantissa field
  const bias = i64x2.splat(1023);
  let m = v128.load(acc);
  let e = v128.load(acc, 16);
  let mn = f64x2.splat(Infinity);
  let t = 0;
  if (len > 0) do {
    const pv = vld(p, t);
    mn = f64x2.min(mn, pv);
    // w where p ≥ 1e-100, else 0 (the bits of +0)
    const wv = v128.and(f64x2.ge(pv, tiny), vld(w, t));
    // for k = 1, 2, … while some lane has k ≤ w: m ← m · (k ≤ w ? p : 1), renormalised
    let kv = one;
    while (true) {
      const msk = f64x2.le(kv, wv);
      if (!v128.any_true(msk)) break;
      const bits = f64x2.mul(m, v128.bitselect(pv, one, msk));
      // e += biased exponent − 1023; m = the mantissa with the exponent of 1
      e = i64x2.add(e, i64x2.sub(i64x2.shr_u(bits, 52), bias));
      m = v128.or(v128.and(bits, mant), one);
      kv = f64x2.add(kv, one);
    }
    t += 2;
  } while (t < len);
  v128.store(acc, m);
  v128.store(acc, e, 16);
  store<f64>(acc, min(f64x2.extract_lane(mn, 0), f64x2.extract_lane(mn, 1)), 32);
}

/** The rows of the block at i0 before `end`: min(BLOCK, end − i0). */
// @ts-ignore: decorator
@inline function blockLength(end: i32, i0: i32): i32 {
  return end - i0 < BLOCK ? end - i0 : BLOCK;
}

/**
 * evaluate(x, n, p, seg, J, cats, wts, eta, w, stride, s, sums, rs, acc, xtcx, beta, grad, hess, npar, nt,
 * derivs, zeroBeta) → status: CumulativeLogitObjective's pass over the rows of a proportional-odds fit with
 * whole-number weights (models/cumulative-logit-objective.ts; its JavaScript loop, evaluateSortedJs, is the
 * same steps in the same order, so the sums are the same to the last bit). Rows sorted by category:
 * category c is rows i32 seg[c] … seg[c + 1] − 1; for each, blocks of at most BLOCK rows (an odd block
 * padded by one row of weight 0) go through eta (or η = 0 when zeroBeta), rows (with the category's f64
 * constants at cats + 40c: θ_c or 0, θ_{c−1}, r, 1 − r, 1/(1 − r)), logprod into acc, and with `derivs`
 * colpass and crossprod, adding the column sums into grad (β part, at nt) and hess (θ × β rows, npar wide)
 * block by block, and each category's threshold sums into grad and hess at its end — grad, hess (npar²)
 * and xtcx (p²) zeroed first. Status 0: done; 1: a row's |θ − η| exceeds the exp kernel's range; 2: a
 * probability below 1e-100 (its log is needed); 3: a probability that is not positive (the likelihood is
 * 0). On 1 and 2 the caller runs its own loop (which has Math.exp and Math.log), on 3 it returns Infinity.
 * The padding rows' weights are left as found.
 */
export function evaluate(
  x: usize, n: i32, p: i32, seg: usize, J: i32, cats: usize, wts: usize, etaAt: usize, w: usize, stride: i32, s: usize,
  sums: usize, rs: usize, acc: usize, xtcx: usize, beta: usize, grad: usize, hess: usize, npar: i32, nt: i32, derivs: i32, zeroBeta: i32,
): i32 {
  const K = J - 1;
  if (derivs) {
    for (let t = 0; t < npar; t++) st(grad, t, 0);
    for (let t = 0, m = npar * npar; t < m; t++) st(hess, t, 0);
    for (let t = 0, m = p * p; t < m; t++) st(xtcx, t, 0);
  }
  let c = 0;
  do {
    const cat = at(cats, 5 * c);
    const tU = load<f64>(cat);
    const tL = load<f64>(cat, 8);
    const r = load<f64>(cat, 16);
    const omr = load<f64>(cat, 24);
    const iomr = load<f64>(cat, 32);
    const hasU = c < K;
    const hasL = c > 0;
    // 0 a middle category, 1 the lowest, 2 the highest
    const kind = hasU && hasL ? 0 : hasU ? 1 : 2;
    let gU: f64 = 0, gL: f64 = 0, hUU: f64 = 0, hLL: f64 = 0, hUL: f64 = 0;
    let i0 = load<i32>(seg + (<usize>c << 2));
    const end = load<i32>(seg + (<usize>c << 2), 4);
    if (i0 < end) {
      do {
        const len = blockLength(end, i0);
        const len2 = len + (len & 1);
        const pad = at(wts, i0 + len);
        const padWeight = load<f64>(pad);
        if (len2 > len) store<f64>(pad, 0);
        if (zeroBeta) {
          for (let t = 0; t < len2; t++) st(etaAt, t, 0);
        } else eta(x, n, i0, len2, p, beta, etaAt);
        const rowW = at(wts, i0);
        rows(etaAt, len2, kind, rowW, w, stride, rs, tU, tL, r, omr, iomr);
        // beyond the exp kernel's range (or NaN): the caller's loop
        if (!(ld(rs, 5) <= 700)) {
          store<f64>(pad, padWeight);
          return 1;
        }
        gU += ld(rs, 0);
        gL += ld(rs, 1);
        hUU += ld(rs, 2);
        hLL += ld(rs, 3);
        hUL += ld(rs, 4);
        // p is the fifth row array; the padded row: c, d, u, l = 0 and p = 1
        const bP = at(w, 4 * stride);
        if (len2 > len) {
          for (let m = 0; m < 4; m++) st(w, stride * m + len, 0);
          st(bP, len, 1);
        }
        logprod(bP, rowW, len2, acc);
        const minP = load<f64>(acc, 32);
        if (minP < 1e-100) {
          // logs needed
          store<f64>(pad, padWeight);
          return 2;
        }
        if (!(minP > 0)) {
          store<f64>(pad, padWeight);
          return 3;
        }
        store<f64>(pad, padWeight);
        if (derivs) {
          colpass(x, n, i0, len2, p, w, stride, s, sums);
          for (let j = 0; j < p; j++) {
            // the column sums at sums + 24 j: Σ d x_j (β gradient), Σ u x_j (row c), Σ l x_j (row c − 1)
            const cs = at(sums, 3 * j);
            const g = at(grad, nt + j);
            store<f64>(g, load<f64>(g) + load<f64>(cs));
            if (hasU) {
              const h = at(hess, c * npar + nt + j);
              store<f64>(h, load<f64>(h) + load<f64>(cs, 8));
            }
            if (hasL) {
              const h = at(hess, (c - 1) * npar + nt + j);
              store<f64>(h, load<f64>(h) + load<f64>(cs, 16));
            }
          }
          crossprod(s, stride, x, n, i0, len2, p, xtcx);
        }
        i0 += BLOCK;
      } while (i0 < end);
    }
    // the category's threshold sums
    if (derivs) {
      if (hasU) {
        st(grad, c, ld(grad, c) - gU);
        st(hess, c * npar + c, ld(hess, c * npar + c) - hUU);
      }
      if (hasL) {
        const l = c - 1;
        st(grad, l, ld(grad, l) - gL);
        st(hess, l * npar + l, ld(hess, l * npar + l) - hLL);
        if (hasU) {
          st(hess, c * npar + l, ld(hess, c * npar + l) - hUL);
          st(hess, l * npar + c, ld(hess, l * npar + c) - hUL);
        }
      }
    }
    c++;
  } while (c < J);
  return 0;
}

/**
 * lmpass(x, n, p, y, w, hasW, residuals, beta, fit, c, stride, s, sums, out, xtwx): fit/least-squares.ts's
 * pass over the row blocks: per block of at most BLOCK rows, the row weights c_t = w_t and d_t = w_t y_t —
 * or, with `residuals`, d_t = (y_t − x_t'β) w_t from eta's fitted values at fit — (w_t = 1 without hasW; an
 * odd block's padding row 0), then colpass (out[j] += Σ d x_j) and, without `residuals`, crossprod
 * (xtwx += X' diag(c) X, upper triangle). out (p) is zeroed first; the row arrays c, d, u, l are at
 * c + 8·m·stride (u and l are left as they are: the caller zeroes them).
 */
export function lmpass(
  x: usize, n: i32, p: i32, y: usize, w: usize, hasW: i32, residuals: i32, beta: usize, fit: usize, c: usize, stride: i32, s: usize,
  sums: usize, out: usize, xtwx: usize,
): void {
  const d = at(c, stride);
  for (let j = 0; j < p; j++) st(out, j, 0);
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const len = blockLength(n, i0);
    const len2 = len + (len & 1);
    if (residuals) eta(x, n, i0, len2, p, beta, fit);
    for (let t = 0; t < len; t++) {
      const row = i0 + t;
      const wi = hasW ? ld(w, row) : 1.0;
      const yi = ld(y, row);
      st(c, t, wi);
      st(d, t, residuals ? (yi - ld(fit, t)) * wi : wi * yi);
    }
    if (len2 > len) {
      st(c, len, 0);
      st(d, len, 0);
    }
    colpass(x, n, i0, len2, p, c, stride, s, sums);
    for (let j = 0; j < p; j++) st(out, j, ld(out, j) + ld(sums, 3 * j));
    if (!residuals) crossprod(s, stride, x, n, i0, len2, p, xtwx);
  }
}

// ---- small dense linear algebra (scalar): linalg.ts's cholesky, choleskySolve and choleskyInverse, the same
// operations in the same order (the same bits), for the Newton iteration of the ordinal fit -------------

/**
 * chol(A, p, relTol, L) → failedAt: linalg.ts's cholesky — L (row-major, lower triangle written) with
 * A = L L', or the first j whose pivot d is not > 0 or ≤ relTol·|A_jj| (then L is partial); −1 when done.
 */
export function chol(A: usize, p: i32, relTol: f64, L: usize): i32 {
  for (let j = 0; j < p; j++) {
    // d = A_jj − Σ_{k<j} L_jk², subtracted in k order
    let d = ld(A, j * p + j);
    for (let k = 0; k < j; k++) d = d - ld(L, j * p + k) * ld(L, j * p + k);
    if (!(d > 0) || d <= relTol * abs(ld(A, j * p + j))) return j;
    const ljj = sqrt(d);
    st(L, j * p + j, ljj);
    for (let i = j + 1; i < p; i++) {
      let s = ld(A, i * p + j);
      for (let k = 0; k < j; k++) s = s - ld(L, i * p + k) * ld(L, j * p + k);
      st(L, i * p + j, s / ljj);
    }
  }
  return -1;
}

/** cholsolve(L, p, b): linalg.ts's choleskySolve — (L L') x = b in place: L y = b, then L' x = y. */
export function cholsolve(L: usize, p: i32, b: usize): void {
  for (let i = 0; i < p; i++) {
    let s = ld(b, i);
    for (let k = 0; k < i; k++) s = s - ld(L, i * p + k) * ld(b, k);
    st(b, i, s / ld(L, i * p + i));
  }
  for (let i = p - 1; i > -1; i--) {
    let s = ld(b, i);
    for (let k = i + 1; k < p; k++) s = s - ld(L, k * p + i) * ld(b, k);
    st(b, i, s / ld(L, i * p + i));
  }
}

/** cholinv(L, p, out): linalg.ts's choleskyInverse — out = (L L')⁻¹ (p × p), symmetrised. */
export function cholinv(L: usize, p: i32, out: usize): void {
  for (let o = 0, m = p * p; o < m; o++) st(out, o, 0);
  // forward: row i of L⁻¹
  for (let i = 0; i < p; i++) {
    st(out, i * p + i, 1);
    for (let k = 0; k < i; k++) {
      const l = ld(L, i * p + k);
      for (let c = 0; c < k + 1; c++) st(out, i * p + c, ld(out, i * p + c) - l * ld(out, k * p + c));
    }
    const d = ld(L, i * p + i);
    for (let c = 0; c < i + 1; c++) st(out, i * p + c, ld(out, i * p + c) / d);
  }
  // back: rows from the last
  for (let i = p - 1; i > -1; i--) {
    for (let k = i + 1; k < p; k++) {
      const l = ld(L, k * p + i);
      for (let c = 0; c < p; c++) st(out, i * p + c, ld(out, i * p + c) - l * ld(out, k * p + c));
    }
    const d = ld(L, i * p + i);
    for (let c = 0; c < p; c++) st(out, i * p + c, ld(out, i * p + c) / d);
  }
  // symmetrise: (r, c) and (c, r) = ½ (their sum)
  for (let i = 0; i < p; i++) {
    for (let c = i + 1; c < p; c++) {
      const v = 0.5 * (ld(out, i * p + c) + ld(out, c * p + i));
      st(out, i * p + c, v);
      st(out, c * p + i, v);
    }
  }
}
