/**
 * The row-block kernels of the ordinal (clm) fit in WebAssembly SIMD (f64x2: two rows per instruction, no
 * bounds checks): the linear predictor of a block, the per-column sums of the gradient and of the threshold ×
 * β block of the Hessian, and the β × β block X' diag(c) X — and `evaluate`, the fit's whole pass over its
 * blocks calling them (compiled WebAssembly is shared by worker threads; compiled JavaScript is not). The module is assembled here from its opcodes
 * (no build step, no binary blob): `Asm` below is a minimal assembler for the few instructions used.
 *
 * All arrays live in the module's memory (`SimdArena`) and are addressed by byte offset; the column-major
 * design X (n rows × p columns) has column j at x + 8·j·n. Every kernel runs over `len` rows starting at row
 * i0, with `len` EVEN: the caller rounds a block up by one row whose weights it sets to 0 (the row read is
 * then the next row of X, or the zero row after its end — a finite value times 0 adds nothing).
 * Sums run in two lanes (even and odd rows) added at the end: the same sums as a row-by-row loop up to
 * rounding.
 *
 *   eta(x, n, i0, len, p, beta, out)                  out[t] = Σ_j beta[j] X[i0 + t, j]
 *   colpass(x, n, i0, len, p, w, stride, s, sums)     per column j, with w[m·stride + t] the weights c, d, u, l:
 *                                                      s[j·stride + t] = c_t X[i0 + t, j];
 *                                                      sums[3j..3j+2] = Σ_t (d_t, u_t, l_t) X[i0 + t, j]
 *   crossprod(s, stride, x, n, i0, len, p, out)        out[j·p + k] += Σ_t s[j·stride + t] X[i0 + t, k]  for k ≥ j
 *   exps(x, len, out, mx)                              out[t] = exp(x[t]); mx = max |x[t]| (exp is valid for ≤ 700)
 *   logprod(p, w, len, acc)                            the running product Π p[t]^w[t] (w small whole numbers) kept
 *                                                      exactly as mantissa × 2^exponent per lane; acc + 32 = min p[t]
 *                                                      (see logprodFn)
 *   evaluate(…) → status                               the ordinal fit's whole pass over its blocks of rows, calling
 *                                                      the kernels above (see evaluateFn)
 *   lmpass(…)                                          fit/least-squares.ts's pass over the row blocks (see lmpassFn)
 *   chol(A, p, relTol, L) → failedAt, cholsolve(L, p, b), cholinv(L, p, out)
 *                                                      linalg.ts's cholesky, choleskySolve and choleskyInverse
 *                                                      (scalar; the same operations in the same order)
 */

import { BLOCK } from './linalg.js';

const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** A function body under construction: locals are numbered after the parameters. */
class Asm {
  readonly code: number[] = [];
  private readonly locals: number[] = [];
  constructor(private readonly nParams: number) {}
  local(type: number): number {
    this.locals.push(type);
    return this.nParams + this.locals.length - 1;
  }
  get(i: number): this {
    this.code.push(0x20, ...uleb(i));
    return this;
  }
  set(i: number): this {
    this.code.push(0x21, ...uleb(i));
    return this;
  }
  i32(v: number): this {
    this.code.push(0x41, ...sleb(v));
    return this;
  }
  f64(v: number): this {
    const b = new Uint8Array(new Float64Array([v]).buffer);
    this.code.push(0x44, ...b);
    return this;
  }
  op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }
  simd(sub: number, ...imm: number[]): this {
    this.code.push(0xfd, ...uleb(sub), ...imm);
    return this;
  }
  /** i32 address + 8·index on the stack: pushes local a + 8·local i. */
  addr(a: number, i: number): this {
    return this.get(a).get(i).i32(3).op(0x74).op(0x6a); // a + (i << 3)
  }
  /** for (i = from; i < to; i += step) body — with `from` and `to` locals (or from = 0 when from < 0). */
  loop(i: number, from: number | null, to: number, step: number, body: () => void): this {
    if (from === null) this.i32(0).set(i);
    else this.get(from).set(i);
    this.op(0x02, 0x40); // block
    this.get(i).get(to).op(0x4e).op(0x0d, 0); // i >= to → break
    this.op(0x03, 0x40); // loop
    body();
    this.get(i).i32(step).op(0x6a).set(i);
    this.get(i).get(to).op(0x48).op(0x0d, 0); // i < to → continue
    this.op(0x0b, 0x0b); // end loop, end block
    return this;
  }
  body(): number[] {
    const groups: number[] = [];
    for (const t of this.locals) groups.push(1, t);
    const decl = [...uleb(this.locals.length), ...groups];
    const all = [...decl, ...this.code, 0x0b];
    return [...uleb(all.length), ...all];
  }
}

// SIMD sub-opcodes and memory immediates (align 2^3 for f64, 2^4 for v128; offset 0)
const V_LOAD = 0x00;
const V_STORE = 0x0b;
const F64X2_SPLAT = 0x14;
const F64X2_EXTRACT = 0x21;
const F64X2_ADD = 0xf0;
const F64X2_SUB = 0xf1;
const F64X2_MUL = 0xf2;
const F64X2_DIV = 0xf3;
const F64X2_MAX = 0xf5;
const F64X2_ABS = 0xec;
const F64X2_NEAREST = 0x94;
const F64X2_MIN = 0xf4;
const F64X2_LE = 0x4b;
const F64X2_GE = 0x4c;
const V128_AND = 0x4e;
const V128_OR = 0x50;
const V128_BITSELECT = 0x52;
const V128_ANY_TRUE = 0x53;
const I64X2_SHR_U = 0xcd;
const I64X2_SPLAT = 0x12;
const I64X2_SHL = 0xcb;
const I64X2_ADD = 0xce;
const I64X2_SUB = 0xd1;
// scalar f64 arithmetic
const F64_ADD = 0xa0;
const F64_SUB = 0xa1;
const F64_MUL = 0xa2;
const F64_DIV = 0xa3;
const MEM_V = [4, 0];
const MEM_F = [3, 0];
const f64Load = [0x2b, ...MEM_F];
const f64Store = [0x39, ...MEM_F];

/** (local v) lanes 0 + 1 as an f64 on the stack. */
function hsum(a: Asm, v: number): void {
  a.get(v).simd(F64X2_EXTRACT, 0).get(v).simd(F64X2_EXTRACT, 1).op(0xa0);
}

function zeroV(a: Asm, v: number): void {
  a.op(0x44, 0, 0, 0, 0, 0, 0, 0, 0).simd(F64X2_SPLAT).set(v); // f64.const 0, splat
}

/**
 * eta(x, n, i0, len, p, beta, out): out = 0, then out += beta[j] X[·, j] column by column — two columns per
 * pass over the rows (out loaded and stored once for both, the additions in the same order).
 */
function etaFn(): number[] {
  const a = new Asm(7);
  const [x, n, i0, len, p, beta, out] = [0, 1, 2, 3, 4, 5, 6];
  const t = a.local(I32);
  const j = a.local(I32);
  const pairs = a.local(I32);
  const col0 = a.local(I32);
  const col1 = a.local(I32);
  const b0 = a.local(V128);
  const b1 = a.local(V128);
  const z = a.local(V128);
  zeroV(a, z);
  a.loop(t, null, len, 2, () => {
    a.addr(out, t).get(z).simd(V_STORE, ...MEM_V);
  });
  /** local col = x + 8 ((j + plus) n + i0); local b = splat(beta[j + plus]) */
  const column = (col: number, b: number, plus: number): void => {
    a.get(beta).get(j).i32(plus).op(0x6a).i32(3).op(0x74).op(0x6a).op(...f64Load).simd(F64X2_SPLAT).set(b);
    a.get(j).i32(plus).op(0x6a).get(n).op(0x6c).get(i0).op(0x6a).set(col);
    a.addr(x, col).set(col);
  };
  a.get(p).i32(-2).op(0x71).set(pairs); // p rounded down to even
  a.loop(j, null, pairs, 2, () => {
    column(col0, b0, 0);
    column(col1, b1, 1);
    a.loop(t, null, len, 2, () => {
      a.addr(out, t);
      a.addr(out, t).simd(V_LOAD, ...MEM_V);
      a.get(b0).addr(col0, t).simd(V_LOAD, ...MEM_V).simd(F64X2_MUL).simd(F64X2_ADD);
      a.get(b1).addr(col1, t).simd(V_LOAD, ...MEM_V).simd(F64X2_MUL).simd(F64X2_ADD);
      a.simd(V_STORE, ...MEM_V);
    });
  });
  // an odd p: the last column alone (j = pairs here)
  a.get(pairs).get(p).op(0x48).op(0x04, 0x40);
  column(col0, b0, 0);
  a.loop(t, null, len, 2, () => {
    a.addr(out, t);
    a.addr(out, t).simd(V_LOAD, ...MEM_V);
    a.get(b0).addr(col0, t).simd(V_LOAD, ...MEM_V).simd(F64X2_MUL).simd(F64X2_ADD);
    a.simd(V_STORE, ...MEM_V);
  });
  a.op(0x0b);
  return a.body();
}

/**
 * colpass(x, n, i0, len, p, w, stride, s, sums): per column j the scratch c·x_j and the sums Σ d x_j,
 * Σ u x_j, Σ l x_j — two columns per pass over the rows (the weights c, d, u, l loaded once for both).
 */
function colpassFn(): number[] {
  const a = new Asm(9);
  const [x, n, i0, len, p, w, stride, s, sums] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const t = a.local(I32);
  const j = a.local(I32);
  const pairs = a.local(I32);
  const wd = a.local(I32);
  const wu = a.local(I32);
  const wl = a.local(I32);
  const col = [a.local(I32), a.local(I32)] as const;
  const sj = [a.local(I32), a.local(I32)] as const;
  const xv = [a.local(V128), a.local(V128)] as const;
  const g = [a.local(V128), a.local(V128)] as const;
  const u = [a.local(V128), a.local(V128)] as const;
  const l = [a.local(V128), a.local(V128)] as const;
  const cv = a.local(V128);
  const dv = a.local(V128);
  const uv = a.local(V128);
  const lv = a.local(V128);
  const out = a.local(I32);
  // the weight rows d, u, l after c
  a.get(stride).i32(3).op(0x74).get(w).op(0x6a).set(wd);
  a.get(stride).i32(3).op(0x74).get(wd).op(0x6a).set(wu);
  a.get(stride).i32(3).op(0x74).get(wu).op(0x6a).set(wl);
  /** column j + h's addresses, its sums zeroed */
  const begin = (h: 0 | 1): void => {
    a.get(j).i32(h).op(0x6a).get(n).op(0x6c).get(i0).op(0x6a).set(col[h]);
    a.addr(x, col[h]).set(col[h]);
    a.get(j).i32(h).op(0x6a).get(stride).op(0x6c).set(sj[h]);
    a.addr(s, sj[h]).set(sj[h]);
    zeroV(a, g[h]);
    zeroV(a, u[h]);
    zeroV(a, l[h]);
  };
  /** the rows' terms of column j + h, from the weights loaded into cv, dv, uv, lv */
  const terms = (h: 0 | 1): void => {
    a.addr(col[h], t).simd(V_LOAD, ...MEM_V).set(xv[h]);
    a.addr(sj[h], t).get(cv).get(xv[h]).simd(F64X2_MUL).simd(V_STORE, ...MEM_V);
    a.get(g[h]).get(dv).get(xv[h]).simd(F64X2_MUL).simd(F64X2_ADD).set(g[h]);
    a.get(u[h]).get(uv).get(xv[h]).simd(F64X2_MUL).simd(F64X2_ADD).set(u[h]);
    a.get(l[h]).get(lv).get(xv[h]).simd(F64X2_MUL).simd(F64X2_ADD).set(l[h]);
  };
  const loadWeights = (): void => {
    a.addr(w, t).simd(V_LOAD, ...MEM_V).set(cv);
    a.addr(wd, t).simd(V_LOAD, ...MEM_V).set(dv);
    a.addr(wu, t).simd(V_LOAD, ...MEM_V).set(uv);
    a.addr(wl, t).simd(V_LOAD, ...MEM_V).set(lv);
  };
  /** sums + 24 (j + h) */
  const finish = (h: 0 | 1): void => {
    a.get(j).i32(h).op(0x6a).i32(24).op(0x6c).set(out);
    a.get(sums).get(out).op(0x6a).set(out);
    a.get(out);
    hsum(a, g[h]);
    a.op(...f64Store);
    a.get(out).i32(8).op(0x6a);
    hsum(a, u[h]);
    a.op(...f64Store);
    a.get(out).i32(16).op(0x6a);
    hsum(a, l[h]);
    a.op(...f64Store);
  };
  a.get(p).i32(-2).op(0x71).set(pairs); // p rounded down to even
  a.loop(j, null, pairs, 2, () => {
    begin(0);
    begin(1);
    a.loop(t, null, len, 2, () => {
      loadWeights();
      terms(0);
      terms(1);
    });
    finish(0);
    finish(1);
  });
  // an odd p: the last column alone (j = pairs here)
  a.get(pairs).get(p).op(0x48).op(0x04, 0x40);
  begin(0);
  a.loop(t, null, len, 2, () => {
    loadWeights();
    terms(0);
  });
  finish(0);
  a.op(0x0b);
  return a.body();
}

/**
 * crossprod(s, stride, x, n, i0, len, p, out): the upper triangle in tiles of two rows j, j + 1 of the
 * result by up to four columns k … k + 3, for k = j, j + 4, … (a 2 × 4 tile loads 6 vectors for 8 vector
 * multiply-adds per pass over the rows); the entry (j + 1, j) a tile at k = j also forms is not stored. An
 * odd p's last row has only its diagonal. Each entry is its own sum over the rows, in row order: the tiling
 * does not change it.
 */
function crossprodFn(): number[] {
  const a = new Asm(8);
  const [s, stride, x, n, i0, len, p, out] = [0, 1, 2, 3, 4, 5, 6, 7];
  const t = a.local(I32);
  const j = a.local(I32);
  const k = a.local(I32);
  const rows = [a.local(I32), a.local(I32)] as const;
  const cols = [a.local(I32), a.local(I32), a.local(I32), a.local(I32)] as const;
  const pairEnd = a.local(I32);
  const kEnd4 = a.local(I32);
  const rest = a.local(I32);
  const o = a.local(I32);
  const rv = [a.local(V128), a.local(V128)] as const;
  const xv = a.local(V128);
  const acc = [0, 1].map(() => [a.local(V128), a.local(V128), a.local(V128), a.local(V128)] as const);
  /** local dst = x + 8 ((k + plus) n + i0) */
  const colAddr = (dst: number, plus: number): void => {
    a.get(k).i32(plus).op(0x6a).get(n).op(0x6c).get(i0).op(0x6a).set(dst);
    a.addr(x, dst).set(dst);
  };
  /** local dst = s + 8 (j + plus) stride */
  const rowAddr = (dst: number, plus: number): void => {
    a.get(j).i32(plus).op(0x6a).get(stride).op(0x6c).set(dst);
    a.addr(s, dst).set(dst);
  };
  /** out[(j + rowPlus) p + k + colPlus] += hsum(v) */
  const add = (v: number, rowPlus: number, colPlus: number): void => {
    a.get(j).i32(rowPlus).op(0x6a).get(p).op(0x6c).get(k).op(0x6a).i32(colPlus).op(0x6a).set(o);
    a.addr(out, o).set(o);
    a.get(o).get(o).op(...f64Load);
    hsum(a, v);
    a.op(0xa0).op(...f64Store);
  };
  /** One pass over the rows for the tile of rows j … j + h − 1 by columns k … k + w − 1. */
  const tile = (h: number, w: number): void => {
    for (let r = 0; r < h; r++) rowAddr(rows[r]!, r);
    for (let c = 0; c < w; c++) colAddr(cols[c]!, c);
    for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) zeroV(a, acc[r]![c]!);
    a.loop(t, null, len, 2, () => {
      for (let r = 0; r < h; r++) a.addr(rows[r]!, t).simd(V_LOAD, ...MEM_V).set(rv[r]!);
      for (let c = 0; c < w; c++) {
        a.addr(cols[c]!, t).simd(V_LOAD, ...MEM_V).set(xv);
        for (let r = 0; r < h; r++) a.get(acc[r]![c]!).get(rv[r]!).get(xv).simd(F64X2_MUL).simd(F64X2_ADD).set(acc[r]![c]!);
      }
    });
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) {
        if (r === 1 && c === 0) {
          // (j + 1, k) lies below the diagonal when k = j
          a.get(k).get(j).op(0x47).op(0x04, 0x40); // i32.ne, if
          add(acc[r]![c], r, c);
          a.op(0x0b);
        } else add(acc[r]![c]!, r, c);
      }
    }
  };
  /** while (k < end) { body; k += step } */
  const whileK = (end: number, step: number, body: () => void): void => {
    a.op(0x02, 0x40);
    a.get(k).get(end).op(0x4e).op(0x0d, 0);
    a.op(0x03, 0x40);
    body();
    a.get(k).i32(step).op(0x6a).set(k);
    a.get(k).get(end).op(0x48).op(0x0d, 0);
    a.op(0x0b, 0x0b);
  };
  /** if (local v == c) body */
  const when = (v: number, c: number, body: () => void): void => {
    a.get(v).i32(c).op(0x46).op(0x04, 0x40);
    body();
    a.op(0x0b);
  };
  a.get(p).i32(1).op(0x6b).set(pairEnd); // pairs while j < p − 1
  a.get(p).i32(3).op(0x6b).set(kEnd4); // whole tiles while k < p − 3
  a.i32(0).set(j);
  a.op(0x02, 0x40);
  a.get(j).get(pairEnd).op(0x4e).op(0x0d, 0);
  a.op(0x03, 0x40);
  {
    a.get(j).set(k);
    whileK(kEnd4, 4, () => { tile(2, 4); });
    // the last 1–3 columns (k ≤ p here)
    a.get(p).get(k).op(0x6b).set(rest);
    when(rest, 3, () => { tile(2, 3); });
    when(rest, 2, () => { tile(2, 2); });
    when(rest, 1, () => { tile(2, 1); });
  }
  a.get(j).i32(2).op(0x6a).set(j);
  a.get(j).get(pairEnd).op(0x48).op(0x0d, 0);
  a.op(0x0b, 0x0b);
  // an odd p: the last row's diagonal
  a.get(j).get(p).op(0x48).op(0x04, 0x40); // if (j < p)
  a.get(j).set(k);
  tile(1, 1);
  a.op(0x0b);
  return a.body();
}

/** A v128 local holding splat(v). */
function constV(a: Asm, v: number): number {
  const l = a.local(V128);
  a.f64(v).simd(F64X2_SPLAT).set(l);
  return l;
}

// exp(x) = 2^k e^r, k = nearest(x / log 2), r = x − k log 2 in two parts (fdlibm's ln2HI, ln2LO: k·ln2HI is
// exact), e^r by its Taylor polynomial to degree 13 (|r| ≤ ½ log 2: truncation < 2⁻⁵⁸), 2^k from its bits
// (k + 1023) << 52. Valid for |x| ≤ 700 (2^k normal); the caller checks max |x| and falls back to Math.exp.
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const MAGIC = 6755399441055744; // 1.5·2⁵²: k + MAGIC holds k in its low mantissa bits
const TAYLOR = Array.from({ length: 14 }, (_, i) => {
  let f = 1;
  for (let j = 2; j <= i; j++) f *= j;
  return 1 / f;
});

interface ExpConstants {
  readonly invLn2: number;
  readonly ln2Hi: number;
  readonly ln2Lo: number;
  readonly magic: number;
  readonly coef: readonly number[];
  readonly k: number;
  readonly r: number;
  /** expV2's Horner accumulator. */
  readonly acc: number;
}

function expConstants(a: Asm): ExpConstants {
  return {
    invLn2: constV(a, 1 / Math.LN2),
    ln2Hi: constV(a, LN2_HI),
    ln2Lo: constV(a, LN2_LO),
    magic: constV(a, MAGIC),
    coef: TAYLOR.map((c) => constV(a, c)),
    k: a.local(V128),
    r: a.local(V128),
    acc: a.local(V128),
  };
}

/** Leaves exp(local x) (two lanes) on the stack. */
function expV(a: Asm, c: ExpConstants, x: number): void {
  a.get(x).get(c.invLn2).simd(F64X2_MUL).simd(F64X2_NEAREST).set(c.k);
  a.get(x).get(c.k).get(c.ln2Hi).simd(F64X2_MUL).simd(F64X2_SUB).get(c.k).get(c.ln2Lo).simd(F64X2_MUL).simd(F64X2_SUB).set(c.r);
  // Horner: ((c13 r + c12) r + …) r + c0
  a.get(c.coef[13]!);
  for (let i = 12; i >= 0; i--) a.get(c.r).simd(F64X2_MUL).get(c.coef[i]!).simd(F64X2_ADD);
  // × 2^k: bits of (k + MAGIC) − bits of MAGIC = k as int64; (k + 1023) << 52
  a.get(c.k).get(c.magic).simd(F64X2_ADD).get(c.magic).simd(I64X2_SUB);
  a.i32(1023).op(0xac).simd(I64X2_SPLAT).simd(I64X2_ADD); // i64.extend_i32_s, splat
  a.i32(52).simd(I64X2_SHL);
  a.simd(F64X2_MUL);
}

/**
 * Leaves exp(local x0) and exp(local x1) on the stack (x1's on top): expV's steps for the two, interleaved
 * instruction by instruction (c2: constants shared with c, its own k and r), each value computed exactly
 * as expV computes it.
 */
function expV2(a: Asm, c: ExpConstants, c2: ExpConstants, x0: number, x1: number): void {
  const both = (f: (cc: ExpConstants, x: number) => void): void => {
    f(c, x0);
    f(c2, x1);
  };
  both((cc, x) => a.get(x).get(cc.invLn2).simd(F64X2_MUL).simd(F64X2_NEAREST).set(cc.k));
  both((cc, x) => a.get(x).get(cc.k).get(cc.ln2Hi).simd(F64X2_MUL).simd(F64X2_SUB).get(cc.k).get(cc.ln2Lo).simd(F64X2_MUL).simd(F64X2_SUB).set(cc.r));
  // Horner, each chain in its own local, step by step alternately
  both((cc) => a.get(cc.coef[13]!).set(cc.acc));
  for (let i = 12; i >= 0; i--) both((cc) => a.get(cc.acc).get(cc.r).simd(F64X2_MUL).get(cc.coef[i]!).simd(F64X2_ADD).set(cc.acc));
  for (const cc of [c, c2]) {
    a.get(cc.acc);
    a.get(cc.k).get(cc.magic).simd(F64X2_ADD).get(cc.magic).simd(I64X2_SUB);
    a.i32(1023).op(0xac).simd(I64X2_SPLAT).simd(I64X2_ADD); // i64.extend_i32_s, splat
    a.i32(52).simd(I64X2_SHL);
    a.simd(F64X2_MUL);
  }
}

/** exps(x, len, out, mx): out[t] = exp(x[t]) for the `len` (even) values at x; the f64 at mx = max |x[t]| (NaN if any is). */
function expsFn(): number[] {
  const a = new Asm(4);
  const [x, len, out, mxAt] = [0, 1, 2, 3];
  const t = a.local(I32);
  const v = a.local(V128);
  const mx = a.local(V128);
  const c = expConstants(a);
  zeroV(a, mx);
  a.loop(t, null, len, 2, () => {
    a.addr(x, t).simd(V_LOAD, ...MEM_V).set(v);
    a.get(mx).get(v).simd(F64X2_ABS).simd(F64X2_MAX).set(mx);
    a.addr(out, t);
    expV(a, c, v);
    a.simd(V_STORE, ...MEM_V);
  });
  a.get(mxAt).get(mx).simd(F64X2_EXTRACT, 0).get(mx).simd(F64X2_EXTRACT, 1).op(0xa5).op(...f64Store); // f64.max
  return a.body();
}

/**
 * rows(eta, len, kind, w, out, stride, sums, tU, tL, r, omr, iomr): the per-row quantities of the ordinal
 * likelihood for `len` (even) rows of one category — models/cumulative-logit.ts's rowTerms, operation for
 * operation (tested bit for bit, test/stats/cumulative-logit.test.ts):
 * out + 8·m·stride holds, for m = 0…4, the arrays c, d, u, l and p; sums[0..5] = Σ w f(a)/p, Σ −w f(b)/p,
 * Σ w ∂²/∂a², Σ w ∂²/∂b², Σ w ∂²/∂a∂b and max |x| over the rows (x = θ − η, the exp argument).
 * kind 0: a middle category (θ_c, θ_{c−1}, r = exp(θ_{c−1} − θ_c), omr = 1 − r, iomr = 1/omr); kind 1: the
 * lowest (the same formulas with r = 0, omr = iomr = 1); kind 2: the highest (only θ_{c−1} = tL).
 */
function rowsFn(): number[] {
  const a = new Asm(12);
  const [eta, len, kind, w, out, stride, sums, tU, tL, rr, omr, iomr] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const t = a.local(I32);
  const len4 = a.local(I32);
  const [oC, oD, oU, oL, oP] = [a.local(I32), a.local(I32), a.local(I32), a.local(I32), a.local(I32)];
  const vs = Array.from({ length: 22 }, () => a.local(V128));
  const [A1, eb, B, invAB, invA, invB, pr, la, lb, haa, hbb, wv, ga, gb, wHaa, wHbb, hab, sGU, sGL, sHUU, sHLL, sHUL] = vs as [
    number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number,
  ];
  // the exp argument and its value for two pairs of rows at once (two independent exp chains)
  const x = [a.local(V128), a.local(V128)] as const;
  const e = [a.local(V128), a.local(V128)] as const;
  const mx = a.local(V128);
  const one = constV(a, 1);
  const two = constV(a, 2);
  const zero = constV(a, 0);
  const c = expConstants(a);
  const c2 = { ...c, k: a.local(V128), r: a.local(V128), acc: a.local(V128) };
  const vT = a.local(V128);
  const vR = a.local(V128);
  const vNegR = a.local(V128);
  const vOmr = a.local(V128);
  const vIomr = a.local(V128);
  a.get(tU).simd(F64X2_SPLAT).set(vT);
  a.get(rr).simd(F64X2_SPLAT).set(vR);
  a.f64(0).get(rr).op(0xa1).simd(F64X2_SPLAT).set(vNegR); // f64.sub: −r
  a.get(omr).simd(F64X2_SPLAT).set(vOmr);
  a.get(iomr).simd(F64X2_SPLAT).set(vIomr);
  // out arrays
  const stride8 = (dst: number, from: number): void => {
    a.get(stride).i32(3).op(0x74).get(from).op(0x6a).set(dst);
  };
  a.get(out).set(oC);
  stride8(oD, oC);
  stride8(oU, oD);
  stride8(oL, oU);
  stride8(oP, oL);
  for (const v of [sGU, sGL, sHUU, sHLL, sHUL, mx]) a.get(zero).set(v);
  a.get(len).i32(-4).op(0x71).set(len4); // i32.and: len rounded down to a multiple of 4
  /** v128 at base + 8t + off (off: 0 for the first pair of rows, 16 for the second) */
  const load = (base: number, off: number): void => {
    a.addr(base, t).simd(V_LOAD, 4, off);
  };
  const storeWith = (base: number, off: number, value: () => void): void => {
    a.addr(base, t);
    value();
    a.simd(V_STORE, 4, off);
  };
  const mul = (p: number, q: number): Asm => a.get(p).get(q).simd(F64X2_MUL);
  const accumulate = (sum: number, v: number): void => {
    a.get(sum).get(v).simd(F64X2_ADD).set(sum);
  };
  /** x[h] = θ − η for pair h, max |x| updated */
  const argument = (h: 0 | 1): void => {
    a.get(vT);
    load(eta, 16 * h);
    a.simd(F64X2_SUB).set(x[h]);
    a.get(mx).get(x[h]).simd(F64X2_ABS).simd(F64X2_MAX).set(mx);
  };
  /** the highest category, pair h: e_b = e[h] */
  const highest = (h: 0 | 1): void => {
    const off = 16 * h;
    // invB = 1/(1 + eb); p = invB; ∂ log p/∂b = −eb invB; ∂²/∂b² = −eb invB invB
    a.get(one).get(one).get(e[h]).simd(F64X2_ADD).simd(F64X2_DIV).set(invB);
    a.get(zero).get(e[h]).simd(F64X2_SUB).get(invB).simd(F64X2_MUL).set(lb);
    a.get(lb).get(invB).simd(F64X2_MUL).set(hbb);
    load(w, off);
    a.set(wv);
    mul(wv, lb).set(gb);
    mul(wv, hbb).set(wHbb);
    storeWith(oD, off, () => a.get(gb));
    storeWith(oC, off, () => a.get(zero).get(wHbb).simd(F64X2_SUB));
    storeWith(oU, off, () => a.get(zero));
    storeWith(oL, off, () => a.get(wHbb));
    storeWith(oP, off, () => a.get(invB));
    accumulate(sGL, gb);
    accumulate(sHLL, wHbb);
  };
  /** a middle or the lowest category, pair h: e_a = e[h] */
  const middle = (h: 0 | 1): void => {
    const off = 16 * h;
    const ea = e[h];
    a.get(one).get(ea).simd(F64X2_ADD).set(A1);
    mul(vR, ea).set(eb);
    a.get(one).get(eb).simd(F64X2_ADD).set(B);
    a.get(one);
    mul(A1, B);
    a.simd(F64X2_DIV).set(invAB);
    mul(B, invAB).set(invA);
    mul(A1, invAB).set(invB);
    mul(ea, vOmr).get(invAB).simd(F64X2_MUL).set(pr);
    mul(B, invA).get(vIomr).simd(F64X2_MUL).set(la);
    mul(vNegR, A1).get(invB).simd(F64X2_MUL).get(vIomr).simd(F64X2_MUL).set(lb);
    // haa = la ((1 − ea) invA − la), hbb = lb ((1 − eb) invB − lb)
    a.get(la).get(one).get(ea).simd(F64X2_SUB).get(invA).simd(F64X2_MUL).get(la).simd(F64X2_SUB).simd(F64X2_MUL).set(haa);
    a.get(lb).get(one).get(eb).simd(F64X2_SUB).get(invB).simd(F64X2_MUL).get(lb).simd(F64X2_SUB).simd(F64X2_MUL).set(hbb);
    load(w, off);
    a.set(wv);
    mul(wv, la).set(ga);
    mul(wv, lb).set(gb);
    mul(wv, haa).set(wHaa);
    mul(wv, hbb).set(wHbb);
    a.get(zero).get(wv).simd(F64X2_SUB).get(la).simd(F64X2_MUL).get(lb).simd(F64X2_MUL).set(hab);
    storeWith(oD, off, () => a.get(ga).get(gb).simd(F64X2_ADD));
    // c = −((wHaa + 2 hab) + wHbb)
    storeWith(oC, off, () => a.get(zero).get(wHaa).get(two).get(hab).simd(F64X2_MUL).simd(F64X2_ADD).get(wHbb).simd(F64X2_ADD).simd(F64X2_SUB));
    storeWith(oU, off, () => a.get(wHaa).get(hab).simd(F64X2_ADD));
    storeWith(oL, off, () => a.get(hab).get(wHbb).simd(F64X2_ADD));
    storeWith(oP, off, () => a.get(pr));
    accumulate(sGU, ga);
    accumulate(sGL, gb);
    accumulate(sHUU, wHaa);
    accumulate(sHLL, wHbb);
    accumulate(sHUL, hab);
  };
  /**
   * The rows four at a time while they last — both pairs' exp chains interleaved (independent, so the
   * processor overlaps them), then each pair's quantities in row order, so that every sum takes its terms
   * in the same order as two rows at a time would — and a last pair of rows.
   */
  const rowLoop = (perPair: (h: 0 | 1) => void): void => {
    a.loop(t, null, len4, 4, () => {
      argument(0);
      argument(1);
      expV2(a, c, c2, x[0], x[1]);
      a.set(e[1]).set(e[0]);
      perPair(0);
      perPair(1);
    });
    a.get(len4).get(len).op(0x48).op(0x04, 0x40); // if (len4 < len): t = len4 here
    argument(0);
    expV(a, c, x[0]);
    a.set(e[0]);
    perPair(0);
    a.op(0x0b);
  };
  // if (kind == 2) highest-category loop else middle/lowest loop
  a.get(kind).i32(2).op(0x46).op(0x04, 0x40); // i32.eq, if
  a.get(tL).simd(F64X2_SPLAT).set(vT);
  rowLoop(highest);
  a.op(0x05); // else
  rowLoop(middle);
  a.op(0x0b); // end if
  [sGU, sGL, sHUU, sHLL, sHUL].forEach((v, m) => {
    a.get(sums).i32(8 * m).op(0x6a);
    hsum(a, v);
    a.op(...f64Store);
  });
  // max |x| of the two lanes (NaN stays NaN: the caller's check fails and it falls back)
  a.get(sums).i32(40).op(0x6a).get(mx).simd(F64X2_EXTRACT, 0).get(mx).simd(F64X2_EXTRACT, 1).op(0xa5).op(...f64Store); // f64.max
  return a.body();
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
function logprodFn(): number[] {
  const a = new Asm(4);
  const [p, w, len, acc] = [0, 1, 2, 3];
  const t = a.local(I32);
  const [m, e, mn, pv, wv, kv, msk, bits] = Array.from({ length: 8 }, () => a.local(V128)) as [number, number, number, number, number, number, number, number];
  const one = constV(a, 1);
  const tiny = constV(a, 1e-100);
  const mant = constV(a, 2 ** -1022 - 2 ** -1074); // bits 0x000FFFFFFFFFFFFF: the mantissa field
  const bias = a.local(V128);
  a.i32(1023).op(0xac).simd(I64X2_SPLAT).set(bias); // i64.extend_i32_s, splat
  a.get(acc).simd(V_LOAD, ...MEM_V).set(m);
  a.get(acc).i32(16).op(0x6a).simd(V_LOAD, ...MEM_V).set(e);
  a.f64(Infinity).simd(F64X2_SPLAT).set(mn);
  a.loop(t, null, len, 2, () => {
    a.addr(p, t).simd(V_LOAD, ...MEM_V).set(pv);
    a.addr(w, t).simd(V_LOAD, ...MEM_V).set(wv);
    // mn = min(mn, p); the factors taken: p ≥ 1e-100
    a.get(mn).get(pv).simd(F64X2_MIN).set(mn);
    a.get(pv).get(tiny).simd(F64X2_GE).get(wv).simd(V128_AND).set(wv); // w where p ≥ 1e-100, else 0 (bits of +0)
    a.get(one).set(kv);
    // for k = 1, 2, … while some lane has k ≤ w: m ← m · (k ≤ w ? p : 1), renormalised
    a.op(0x02, 0x40).op(0x03, 0x40); // block, loop
    a.get(kv).get(wv).simd(F64X2_LE).set(msk);
    a.get(msk).simd(V128_ANY_TRUE).op(0x45).op(0x0d, 1); // i32.eqz, br_if 1: done
    a.get(m).get(pv).get(one).get(msk).simd(V128_BITSELECT).simd(F64X2_MUL).set(bits);
    // e += biased exponent − 1023; m = mantissa with the exponent of 1
    a.get(e).get(bits).i32(52).simd(I64X2_SHR_U).get(bias).simd(I64X2_SUB).simd(I64X2_ADD).set(e);
    a.get(bits).get(mant).simd(V128_AND).get(one).simd(V128_OR).set(m);
    a.get(kv).get(one).simd(F64X2_ADD).set(kv);
    a.op(0x0c, 0).op(0x0b, 0x0b); // br 0 (loop), end loop, end block
  });
  a.get(acc).get(m).simd(V_STORE, ...MEM_V);
  a.get(acc).i32(16).op(0x6a).get(e).simd(V_STORE, ...MEM_V);
  a.get(acc).i32(32).op(0x6a).get(mn).simd(F64X2_EXTRACT, 0).get(mn).simd(F64X2_EXTRACT, 1).op(0xa4).op(...f64Store); // f64.min
  return a.body();
}

/** local len = min(BLOCK, end − i0), the rows of the block at i0; local len2 = len rounded up to even (the kernels take two rows at a time). */
function blockLength(a: Asm, end: number, i0: number, len: number, len2: number): void {
  a.get(end).get(i0).op(0x6b).i32(BLOCK).get(end).get(i0).op(0x6b).i32(BLOCK).op(0x48).op(0x1b).set(len); // select(end − i0, BLOCK, end − i0 < BLOCK)
  a.get(len).get(len).i32(1).op(0x71).op(0x6a).set(len2);
}

/** The kernels' function indices in the module (moduleBytes), for `call`. */
const FN = { eta: 0, colpass: 1, crossprod: 2, rows: 3, exps: 4, logprod: 5 } as const;


/**
 * evaluate(x, n, p, seg, J, cats, wts, eta, w, stride, s, sums, rs, acc, xtcx, beta, grad, hess, npar, nt,
 * derivs, zeroBeta) → status: CumulativeLogitObjective.evaluateSorted's pass over the rows of a
 * proportional-odds fit with whole-number weights (models/cumulative-logit-objective.ts; its JavaScript loop,
 * evaluateSortedJs, is the same steps in the same order, so the sums are the same to the last bit). Rows sorted by category: category c is rows i32 seg[c] … seg[c + 1] − 1; for
 * each, blocks of at most BLOCK rows (an odd block padded by one row of weight 0) go through eta (or
 * η = 0 when zeroBeta), rows (with the category's f64 constants at cats + 40c: θ_c or 0, θ_{c−1}, r, 1 − r,
 * 1/(1 − r), as rows takes them), logprod into acc, and with `derivs` colpass and crossprod, adding the
 * column sums into grad (β part, at nt) and hess (θ × β rows, npar wide) block by block, and each
 * category's threshold sums into grad and hess at its end — grad, hess (npar²) and xtcx (p²) zeroed first.
 * Status 0: done; 1: a row's |θ − η| exceeds the exp kernel's range; 2: a probability below 1e-100 (its log
 * is needed); 3: a probability that is not positive (the likelihood is 0). On 1 and 2 the caller runs its
 * own loop (which has Math.exp and Math.log), on 3 it returns Infinity. The padding rows' weights are left
 * as found.
 */
function evaluateFn(): number[] {
  const a = new Asm(22);
  const [x, n, p, seg, J, cats, wts, eta, w, stride, s, sums, rs, acc, xtcx, beta, grad, hess, npar, nt, derivs, zeroBeta] = Array.from({ length: 22 }, (_, i) => i) as [
    number, number, number, number, number, number, number, number, number, number, number,
    number, number, number, number, number, number, number, number, number, number, number,
  ];
  const [c, K, i0, end, len, len2, pad, t, j, o, kind, cat, bP, rowW, hasU, hasL, count] = Array.from({ length: 17 }, () => a.local(I32)) as [
    number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number,
  ];
  const [padWeight, tU, tL, rr, omr, iomr, minP] = Array.from({ length: 7 }, () => a.local(F64)) as [number, number, number, number, number, number, number];
  const sumsOf = Array.from({ length: 5 }, () => a.local(F64));
  /** mem[base + 8·i] (op)= value, value pushed by `value` */
  const update = (base: number, i: number, op: number, value: () => void): void => {
    a.addr(base, i).set(o);
    a.get(o).get(o).op(...f64Load);
    value();
    a.op(op).op(...f64Store);
  };
  /** zero `count` doubles from byte address local base */
  const zero = (base: number, doubles: () => void): void => {
    doubles();
    a.set(count);
    a.loop(t, null, count, 1, () => {
      a.addr(base, t).f64(0).op(...f64Store);
    });
  };
  /** if (cond) body — cond pushes an i32 */
  const when = (cond: () => void, body: () => void): void => {
    cond();
    a.op(0x04, 0x40);
    body();
    a.op(0x0b);
  };
  /** leave the function with status k, the padding weight put back */
  const leave = (k: number): void => {
    a.get(pad).get(padWeight).op(...f64Store);
    a.i32(k).op(0x0f);
  };
  a.get(J).i32(1).op(0x6b).set(K);
  when(
    () => a.get(derivs),
    () => {
      zero(grad, () => a.get(npar));
      zero(hess, () => a.get(npar).get(npar).op(0x6c));
      zero(xtcx, () => a.get(p).get(p).op(0x6c));
    },
  );
  a.i32(0).set(c);
  a.op(0x02, 0x40).op(0x03, 0x40); // block, loop: the categories
  {
    a.get(c).i32(40).op(0x6c).get(cats).op(0x6a).set(cat);
    [tU, tL, rr, omr, iomr].forEach((v, m) => a.get(cat).op(0x2b, 3, 8 * m).set(v));
    a.get(c).get(K).op(0x48).set(hasU); // c < K
    a.get(c).i32(0).op(0x4a).set(hasL); // c > 0
    // kind: 0 a middle category, 1 the lowest, 2 the highest
    a.i32(0).i32(1).i32(2).get(hasU).op(0x1b).get(hasU).get(hasL).op(0x71).op(0x1b).set(kind);
    for (const v of sumsOf) a.f64(0).set(v);
    a.get(seg).get(c).i32(2).op(0x74).op(0x6a).op(0x28, 2, 0).set(i0);
    a.get(seg).get(c).i32(2).op(0x74).op(0x6a).op(0x28, 2, 4).set(end);
    a.op(0x02, 0x40); // block: the category's rows
    a.get(i0).get(end).op(0x4e).op(0x0d, 0); // i0 >= end: none
    a.op(0x03, 0x40); // loop: its blocks
    {
      blockLength(a, end, i0, len, len2);
      a.get(i0).get(len).op(0x6a).set(pad);
      a.addr(wts, pad).set(pad);
      a.get(pad).op(...f64Load).set(padWeight);
      when(
        () => a.get(len2).get(len).op(0x4a),
        () => a.get(pad).f64(0).op(...f64Store),
      );
      a.get(zeroBeta).op(0x04, 0x40);
      a.loop(t, null, len2, 1, () => a.addr(eta, t).f64(0).op(...f64Store));
      a.op(0x05);
      a.get(x).get(n).get(i0).get(len2).get(p).get(beta).get(eta).op(0x10, FN.eta);
      a.op(0x0b);
      a.addr(wts, i0).set(rowW);
      a.get(eta).get(len2).get(kind).get(rowW).get(w).get(stride).get(rs).get(tU).get(tL).get(rr).get(omr).get(iomr).op(0x10, FN.rows);
      // beyond the exp kernel's range (or NaN): the caller's loop
      a.get(rs).op(0x2b, 3, 40).f64(700).op(0x65).op(0x45).op(0x04, 0x40); // !(max |x| <= 700)
      leave(1);
      a.op(0x0b);
      sumsOf.forEach((v, m) => a.get(v).get(rs).op(0x2b, 3, 8 * m).op(F64_ADD).set(v));
      // p is the fifth row array; the padded row: c, d, u, l = 0 and p = 1
      a.get(stride).i32(5).op(0x74).get(w).op(0x6a).set(bP); // w + 32·stride
      when(
        () => a.get(len2).get(len).op(0x4a),
        () => {
          for (let m = 0; m < 4; m++) {
            a.get(stride).i32(m).op(0x6c).get(len).op(0x6a).set(o);
            a.addr(w, o).f64(0).op(...f64Store);
          }
          a.addr(bP, len).f64(1).op(...f64Store);
        },
      );
      a.get(bP).get(rowW).get(len2).get(acc).op(0x10, FN.logprod);
      a.get(acc).op(0x2b, 3, 32).set(minP);
      a.get(minP).f64(1e-100).op(0x63).op(0x04, 0x40); // minP < 1e-100: logs needed
      leave(2);
      a.op(0x0b);
      a.get(minP).f64(0).op(0x64).op(0x45).op(0x04, 0x40); // !(minP > 0)
      leave(3);
      a.op(0x0b);
      a.get(pad).get(padWeight).op(...f64Store);
      when(
        () => a.get(derivs),
        () => {
          a.get(x).get(n).get(i0).get(len2).get(p).get(w).get(stride).get(s).get(sums).op(0x10, FN.colpass);
          a.loop(j, null, p, 1, () => {
            // the column sums at sums + 24 j: Σ d x_j (β gradient), Σ u x_j (row c), Σ l x_j (row c − 1)
            a.get(j).i32(24).op(0x6c).get(sums).op(0x6a).set(count);
            a.get(nt).get(j).op(0x6a).set(t);
            update(grad, t, F64_ADD, () => a.get(count).op(0x2b, 3, 0));
            when(
              () => a.get(hasU),
              () => {
                a.get(c).get(npar).op(0x6c).get(nt).op(0x6a).get(j).op(0x6a).set(t);
                update(hess, t, F64_ADD, () => a.get(count).op(0x2b, 3, 8));
              },
            );
            when(
              () => a.get(hasL),
              () => {
                a.get(c).i32(1).op(0x6b).get(npar).op(0x6c).get(nt).op(0x6a).get(j).op(0x6a).set(t);
                update(hess, t, F64_ADD, () => a.get(count).op(0x2b, 3, 16));
              },
            );
          });
          a.get(s).get(stride).get(x).get(n).get(i0).get(len2).get(p).get(xtcx).op(0x10, FN.crossprod);
        },
      );
      a.get(i0).i32(BLOCK).op(0x6a).set(i0);
      a.get(i0).get(end).op(0x48).op(0x0d, 0); // i0 < end: the next block
    }
    a.op(0x0b, 0x0b); // end loop, end block
    // the category's threshold sums
    when(
      () => a.get(derivs),
      () => {
        const [gU, gL, hUU, hLL, hUL] = sumsOf as [number, number, number, number, number];
        const diag = (r: number): void => {
          a.get(r).get(npar).op(0x6c).get(r).op(0x6a).set(t);
        };
        when(
          () => a.get(hasU),
          () => {
            update(grad, c, F64_SUB, () => a.get(gU));
            diag(c);
            update(hess, t, F64_SUB, () => a.get(hUU));
          },
        );
        when(
          () => a.get(hasL),
          () => {
            a.get(c).i32(1).op(0x6b).set(j);
            update(grad, j, F64_SUB, () => a.get(gL));
            diag(j);
            update(hess, t, F64_SUB, () => a.get(hLL));
          },
        );
        when(
          () => a.get(hasU).get(hasL).op(0x71),
          () => {
            a.get(c).get(npar).op(0x6c).get(j).op(0x6a).set(t); // (c, c − 1)
            update(hess, t, F64_SUB, () => a.get(hUL));
            a.get(j).get(npar).op(0x6c).get(c).op(0x6a).set(t); // (c − 1, c)
            update(hess, t, F64_SUB, () => a.get(hUL));
          },
        );
      },
    );
    a.get(c).i32(1).op(0x6a).set(c);
    a.get(c).get(J).op(0x48).op(0x0d, 0); // c < J: the next category
  }
  a.op(0x0b, 0x0b);
  a.i32(0);
  return a.body();
}

/**
 * lmpass(x, n, p, y, w, hasW, residuals, beta, fit, c, stride, s, sums, out, xtwx): fit/least-squares.ts's pass over
 * the row blocks (its JavaScript steps in their order): per block of at most BLOCK rows, the row weights
 * c_t = w_t and d_t = w_t y_t — or, with `residuals`, d_t = (y_t − x_t'β) w_t from eta's fitted values at
 * fit — (w_t = 1 without hasW; an odd block's padding row 0), then colpass (out[j] += Σ d x_j) and, without
 * `residuals`, crossprod (xtwx += X' diag(c) X, upper triangle). out (p) is zeroed first; the row arrays
 * c, d, u, l are at c + 8·m·stride (u and l are left as they are: the caller zeroes them).
 */
function lmpassFn(): number[] {
  const a = new Asm(15);
  const [x, n, p, y, w, hasW, residuals, beta, fit, c, stride, s, sums, out, xtwx] = Array.from({ length: 15 }, (_, i) => i) as [
    number, number, number, number, number, number, number, number, number, number, number, number, number, number, number,
  ];
  const [i0, len, len2, t, j, d, row, o] = Array.from({ length: 8 }, () => a.local(I32)) as [number, number, number, number, number, number, number, number];
  const [wi, yi] = [a.local(F64), a.local(F64)];
  a.get(stride).i32(3).op(0x74).get(c).op(0x6a).set(d); // the d row after c
  a.loop(j, null, p, 1, () => {
    a.addr(out, j).f64(0).op(...f64Store);
  });
  a.i32(0).set(i0);
  a.op(0x02, 0x40);
  a.get(i0).get(n).op(0x4e).op(0x0d, 0); // no rows
  a.op(0x03, 0x40);
  {
    blockLength(a, n, i0, len, len2);
    a.get(residuals).op(0x04, 0x40);
    a.get(x).get(n).get(i0).get(len2).get(p).get(beta).get(fit).op(0x10, FN.eta);
    a.op(0x0b);
    a.loop(t, null, len, 1, () => {
      a.get(i0).get(t).op(0x6a).set(row);
      // wi = hasW ? w[i0 + t] : 1
      a.addr(w, row).op(...f64Load).f64(1).get(hasW).op(0x1b).set(wi);
      a.addr(y, row).op(...f64Load).set(yi);
      a.addr(c, t).get(wi).op(...f64Store);
      a.addr(d, t);
      a.get(residuals).op(0x04, 0x7c); // if (result f64)
      a.get(yi);
      a.addr(fit, t).op(...f64Load);
      a.op(F64_SUB).get(wi).op(F64_MUL);
      a.op(0x05);
      a.get(wi).get(yi).op(F64_MUL);
      a.op(0x0b);
      a.op(...f64Store);
    });
    a.get(len2).get(len).op(0x4a).op(0x04, 0x40);
    a.addr(c, len).f64(0).op(...f64Store);
    a.addr(d, len).f64(0).op(...f64Store);
    a.op(0x0b);
    a.get(x).get(n).get(i0).get(len2).get(p).get(c).get(stride).get(s).get(sums).op(0x10, FN.colpass);
    a.loop(j, null, p, 1, () => {
      a.addr(out, j).set(o);
      a.get(o).get(o).op(...f64Load);
      a.get(j).i32(24).op(0x6c).get(sums).op(0x6a).op(...f64Load);
      a.op(F64_ADD).op(...f64Store);
    });
    a.get(residuals).op(0x45).op(0x04, 0x40);
    a.get(s).get(stride).get(x).get(n).get(i0).get(len2).get(p).get(xtwx).op(0x10, FN.crossprod);
    a.op(0x0b);
    a.get(i0).i32(BLOCK).op(0x6a).set(i0);
    a.get(i0).get(n).op(0x48).op(0x0d, 0);
  }
  a.op(0x0b, 0x0b);
  return a.body();
}

// ---- small dense linear algebra (scalar): linalg.ts's cholesky, choleskySolve and choleskyInverse, the same
// operations in the same order (the same bits), for the Newton iteration of the ordinal fit -------------

/** Pushes the f64 at byte address local base + 8·(local i·p + local k) (row-major p × p). */
function at(a: Asm, base: number, i: number, p: number, k: number): Asm {
  return a.get(base).get(i).get(p).op(0x6c).get(k).op(0x6a).i32(3).op(0x74).op(0x6a);
}

/** for (i = from; i > downTo; i--) body, with from and downTo i32 locals (from may be ≤ downTo: no pass). */
function loopDown(a: Asm, i: number, from: number, downTo: number, body: () => void): void {
  a.get(from).set(i);
  a.op(0x02, 0x40);
  a.get(i).get(downTo).op(0x4c).op(0x0d, 0); // i <= downTo → break
  a.op(0x03, 0x40);
  body();
  a.get(i).i32(1).op(0x6b).set(i);
  a.get(i).get(downTo).op(0x4a).op(0x0d, 0); // i > downTo → continue
  a.op(0x0b, 0x0b);
}

/**
 * chol(A, p, relTol, L) → failedAt: linalg.ts's cholesky — L (row-major, lower triangle written) with
 * A = L L', or the first j whose pivot d is not > 0 or ≤ relTol·|A_jj| (then L is partial); −1 when done.
 */
function cholFn(): number[] {
  const a = new Asm(4);
  const [A, p, relTol, L] = [0, 1, 2, 3];
  const [i, j, k, jp1] = [a.local(I32), a.local(I32), a.local(I32), a.local(I32)];
  const [d, ljj, acc] = [a.local(F64), a.local(F64), a.local(F64)];
  /** local s = A[row][j] − Σ_{k<j} L[row][k] L[j][k], subtracted in k order */
  const minusDot = (s: number, row: number): void => {
    at(a, A, row, p, j).op(...f64Load).set(s);
    a.loop(k, null, j, 1, () => {
      a.get(s);
      at(a, L, row, p, k).op(...f64Load);
      at(a, L, j, p, k).op(...f64Load);
      a.op(F64_MUL).op(F64_SUB).set(s);
    });
  };
  a.loop(j, null, p, 1, () => {
    minusDot(d, j);
    // !(d > 0) || d <= relTol·|A_jj|
    a.get(d).f64(0).op(0x64).op(0x45);
    a.get(d).get(relTol);
    at(a, A, j, p, j).op(...f64Load).op(0x99); // f64.abs
    a.op(F64_MUL).op(0x65).op(0x72); // f64.le, i32.or
    a.op(0x04, 0x40).get(j).op(0x0f).op(0x0b); // if: return j
    a.get(d).op(0x9f).set(ljj); // f64.sqrt
    at(a, L, j, p, j).get(ljj).op(...f64Store);
    a.get(j).i32(1).op(0x6a).set(jp1);
    a.loop(i, jp1, p, 1, () => {
      minusDot(acc, i);
      at(a, L, i, p, j).get(acc).get(ljj).op(F64_DIV).op(...f64Store);
    });
  });
  a.i32(-1);
  return a.body();
}

/** cholsolve(L, p, b): linalg.ts's choleskySolve — (L L') x = b in place: L y = b, then L' x = y. */
function cholsolveFn(): number[] {
  const a = new Asm(3);
  const [L, p, b] = [0, 1, 2];
  const [i, k, ip1, minus1] = [a.local(I32), a.local(I32), a.local(I32), a.local(I32)];
  const s = a.local(F64);
  const bAt = (idx: number): Asm => a.get(b).get(idx).i32(3).op(0x74).op(0x6a);
  a.loop(i, null, p, 1, () => {
    bAt(i).op(...f64Load).set(s);
    a.loop(k, null, i, 1, () => {
      a.get(s);
      at(a, L, i, p, k).op(...f64Load);
      bAt(k).op(...f64Load);
      a.op(F64_MUL).op(F64_SUB).set(s);
    });
    bAt(i).get(s);
    at(a, L, i, p, i).op(...f64Load).op(F64_DIV).op(...f64Store);
  });
  a.i32(-1).set(minus1);
  a.get(p).i32(1).op(0x6b).set(ip1); // from p − 1
  loopDown(a, i, ip1, minus1, () => {
    bAt(i).op(...f64Load).set(s);
    a.get(i).i32(1).op(0x6a).set(k);
    a.op(0x02, 0x40);
    a.get(k).get(p).op(0x4e).op(0x0d, 0);
    a.op(0x03, 0x40);
    a.get(s);
    at(a, L, k, p, i).op(...f64Load);
    bAt(k).op(...f64Load);
    a.op(F64_MUL).op(F64_SUB).set(s);
    a.get(k).i32(1).op(0x6a).set(k);
    a.get(k).get(p).op(0x48).op(0x0d, 0);
    a.op(0x0b, 0x0b);
    bAt(i).get(s);
    at(a, L, i, p, i).op(...f64Load).op(F64_DIV).op(...f64Store);
  });
  return a.body();
}

/** cholinv(L, p, out): linalg.ts's choleskyInverse — out = (L L')⁻¹ (p × p), symmetrised. */
function cholinvFn(): number[] {
  const a = new Asm(3);
  const [L, p, out] = [0, 1, 2];
  const [i, k, c, ip1, kp1, minus1, o] = Array.from({ length: 7 }, () => a.local(I32)) as [number, number, number, number, number, number, number];
  const [l, d, v] = [a.local(F64), a.local(F64), a.local(F64)];
  // out is zero first
  a.get(p).get(p).op(0x6c).set(ip1);
  a.loop(o, null, ip1, 1, () => {
    a.get(out).get(o).i32(3).op(0x74).op(0x6a).f64(0).op(...f64Store);
  });
  /** out[i][c] = out[i][c] − l · out[k][c] */
  const update = (): void => {
    at(a, out, i, p, c).set(o);
    a.get(o).get(o).op(...f64Load).get(l);
    at(a, out, k, p, c).op(...f64Load);
    a.op(F64_MUL).op(F64_SUB).op(...f64Store);
  };
  /** out[i][c] = out[i][c] / d for c < local end */
  const divide = (end: number): void => {
    a.loop(c, null, end, 1, () => {
      at(a, out, i, p, c).set(o);
      a.get(o).get(o).op(...f64Load).get(d).op(F64_DIV).op(...f64Store);
    });
  };
  // forward: row i of L⁻¹
  a.loop(i, null, p, 1, () => {
    at(a, out, i, p, i).f64(1).op(...f64Store);
    a.loop(k, null, i, 1, () => {
      at(a, L, i, p, k).op(...f64Load).set(l);
      a.get(k).i32(1).op(0x6a).set(kp1);
      a.loop(c, null, kp1, 1, update);
    });
    at(a, L, i, p, i).op(...f64Load).set(d);
    a.get(i).i32(1).op(0x6a).set(ip1);
    divide(ip1);
  });
  // back: rows from the last
  a.i32(-1).set(minus1);
  a.get(p).i32(1).op(0x6b).set(ip1);
  loopDown(a, i, ip1, minus1, () => {
    a.get(i).i32(1).op(0x6a).set(kp1);
    a.loop(k, kp1, p, 1, () => {
      at(a, L, k, p, i).op(...f64Load).set(l);
      a.loop(c, null, p, 1, update);
    });
    at(a, L, i, p, i).op(...f64Load).set(d);
    divide(p);
  });
  // symmetrise: (r, c) and (c, r) = ½ (their sum)
  a.loop(i, null, p, 1, () => {
    a.get(i).i32(1).op(0x6a).set(kp1);
    a.loop(c, kp1, p, 1, () => {
      a.f64(0.5);
      at(a, out, i, p, c).op(...f64Load);
      at(a, out, c, p, i).op(...f64Load);
      a.op(F64_ADD).op(F64_MUL).set(v);
      at(a, out, i, p, c).get(v).op(...f64Store);
      at(a, out, c, p, i).get(v).op(...f64Store);
    });
  });
  return a.body();
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function name(s: string): number[] {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
}

/** The module: memory imported as env.memory; functions eta, colpass, crossprod (i32 parameters, no results). */
export function moduleBytes(): Uint8Array {
  const i32s = (k: number): number[] => Array<number>(k).fill(I32);
  const fns: { name: string; params: number[]; results?: number[]; body: number[] }[] = [
    { name: 'eta', params: i32s(7), body: etaFn() },
    { name: 'colpass', params: i32s(9), body: colpassFn() },
    { name: 'crossprod', params: i32s(8), body: crossprodFn() },
    { name: 'rows', params: [...i32s(7), F64, F64, F64, F64, F64], body: rowsFn() },
    { name: 'exps', params: i32s(4), body: expsFn() },
    { name: 'logprod', params: i32s(4), body: logprodFn() },
    { name: 'evaluate', params: i32s(22), results: [I32], body: evaluateFn() },
    { name: 'chol', params: [I32, I32, F64, I32], results: [I32], body: cholFn() },
    { name: 'cholsolve', params: i32s(3), body: cholsolveFn() },
    { name: 'cholinv', params: i32s(3), body: cholinvFn() },
    { name: 'lmpass', params: i32s(15), body: lmpassFn() },
  ];
  for (const [name, i] of Object.entries(FN)) if (fns[i]?.name !== name) throw new Error(`simd kernels: function ${i} is not ${name}`);
  const types = fns.flatMap((f) => [0x60, ...uleb(f.params.length), ...f.params, ...uleb(f.results?.length ?? 0), ...(f.results ?? [])]);
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [...uleb(fns.length), ...types]),
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 0x01]), // memory, min 1 page, no max
    ...section(3, [...uleb(fns.length), ...fns.map((_, i) => i)]),
    ...section(7, [...uleb(fns.length), ...fns.flatMap((f, i) => [...name(f.name), 0x00, i])]),
    ...section(10, [...uleb(fns.length), ...fns.flatMap((f) => f.body)]),
  ];
  return Uint8Array.from(bytes);
}

type Kernel = (...args: number[]) => void;

/** The parts of the WebAssembly API used here (the project's TypeScript lib has no DOM/WebAssembly types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export interface SimdKernels {
  readonly eta: (x: number, n: number, i0: number, len: number, p: number, beta: number, out: number) => void;
  readonly colpass: (x: number, n: number, i0: number, len: number, p: number, w: number, stride: number, s: number, sums: number) => void;
  readonly crossprod: (s: number, stride: number, x: number, n: number, i0: number, len: number, p: number, out: number) => void;
  readonly rows: (eta: number, len: number, kind: number, w: number, out: number, stride: number, sums: number, tU: number, tL: number, r: number, omr: number, iomr: number) => void;
  readonly exps: (x: number, len: number, out: number, mx: number) => void;
  readonly logprod: (p: number, w: number, len: number, acc: number) => void;
  readonly evaluate: (...args: number[]) => number;
  /** linalg.ts's cholesky, choleskySolve and choleskyInverse on byte addresses (row-major p × p; the same bits). */
  readonly chol: (A: number, p: number, relTol: number, L: number) => number;
  readonly cholsolve: (L: number, p: number, b: number) => void;
  readonly cholinv: (L: number, p: number, out: number) => void;
  /** fit/least-squares.ts's pass over the row blocks (see lmpassFn). */
  readonly lmpass: (...args: number[]) => void;
  readonly memory: WasmMemory;
}

let instance: SimdKernels | undefined;
let compiled: object | undefined;
/** Whether this thread's module was compiled here or handed over (useKernelModule): for tests. */
let origin: 'compiled' | 'given' | undefined;

/**
 * The kernels' compiled module (assembled and compiled on first use in this thread). A worker thread can
 * be handed another thread's (useKernelModule): structured cloning a module shares its compiled code.
 */
export function kernelModule(): object {
  if (compiled === undefined) {
    compiled = new wasm.Module(moduleBytes());
    origin = 'compiled';
  }
  return compiled;
}

/** Makes this thread's kernels instantiate `module`, another thread's kernelModule(), instead of assembling and compiling their own. */
export function useKernelModule(module: object): void {
  if (compiled !== undefined) return;
  compiled = module;
  origin = 'given';
}

/** Where this thread's kernel module came from, once it has one. */
export function kernelModuleOrigin(): 'compiled' | 'given' | undefined {
  return origin;
}

/** The kernels of this thread (instantiated on first use; one memory per thread). */
export function simdKernels(): SimdKernels {
  if (instance !== undefined) return instance;
  const memory = new wasm.Memory({ initial: 1 });
  const exp = new wasm.Instance(kernelModule(), { env: { memory } }).exports as Record<string, Kernel>;
  instance = { eta: exp.eta!, colpass: exp.colpass!, crossprod: exp.crossprod!, rows: exp.rows!, exps: exp.exps!, logprod: exp.logprod!, evaluate: exp.evaluate as unknown as (...args: number[]) => number,
    chol: exp.chol as unknown as (A: number, p: number, relTol: number, L: number) => number,
    cholsolve: exp.cholsolve!,
    cholinv: exp.cholinv!,
    lmpass: exp.lmpass!,
    memory,
  };
  return instance;
}

/**
 * The kernels' memory as one arena of Float64 slots, handed to one fit at a time (fits are synchronous
 * and never nested). `reserve(doubles)` grows the memory if needed and returns a fresh Float64Array view
 * of the first `doubles` slots (a grown memory detaches the views of an earlier reservation).
 */
export function reserveArena(doubles: number): Float64Array {
  const k = simdKernels();
  const bytes = doubles * 8;
  const have = k.memory.buffer.byteLength;
  if (bytes > have) k.memory.grow(Math.ceil((bytes - have) / 65536));
  return new Float64Array(k.memory.buffer, 0, doubles);
}
