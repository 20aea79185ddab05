/**
 * Reproducible random streams. `rngFor(seed, ...stream)` gives a generator whose whole sequence depends
 * only on the 32-bit seed and the integer stream ids — e.g. (step seed, replicate b) — so a bootstrap
 * replicate draws the same numbers whichever worker, batch or job count runs it.
 *
 * Generator: xoshiro128** (Blackman & Vigna 2018, 128-bit state, 32-bit outputs). Its state is four
 * words, each a different hash lane (MurmurHash3's fmix32 chain) over (lane, seed, stream ids), then
 * stirred by SplitMix32 — so nearby seeds and stream ids give unrelated states, and two streams share
 * a state only with probability ≈ 2⁻¹²⁸.
 *
 * Exported API: rngFor(seed, ...stream) → Rng with uniform, normal, int, gamma, chisq, shuffle,
 * sampleWithReplacement.
 */
import { qnorm } from './distributions.js';

export interface Rng {
  /** Uniform on the open interval (0, 1), 53 random bits. */
  uniform(): number;
  /** Standard normal by inversion, qnorm(uniform()): exactly one uniform per normal, so streams stay aligned. */
  normal(): number;
  /** Uniform on 0..n−1 (1 ≤ n ≤ 2³²), unbiased (rejection of the incomplete last block). */
  int(n: number): number;
  /** Gamma(shape, scale 1), shape > 0 (Marsaglia & Tsang 2000). */
  gamma(shape: number): number;
  /** Chi-squared with df degrees of freedom: 2·Gamma(df/2). */
  chisq(df: number): number;
  /** Shuffles `a` in place (Fisher–Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T;
  /** `size` indices drawn uniformly with replacement from 0..n−1. */
  sampleWithReplacement(n: number, size: number): Int32Array;
  /** int(n) `count` times into out[offset …] (sampleWithReplacement without allocating). */
  intsInto(n: number, out: Int32Array, offset: number, count: number): void;
}

/** MurmurHash3's 32-bit finaliser: a bijection with full avalanche. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** One hash lane over a list of 32-bit words. */
function hashWords(lane: number, words: readonly number[]): number {
  let h = fmix32(Math.imul(lane + 1, 0x9e3779b9) >>> 0);
  for (const w of words) h = fmix32((h ^ fmix32((w + 0x7f4a7c15) >>> 0)) + 0x165667b1);
  return fmix32(h ^ words.length);
}

/** The seed and stream ids as 32-bit words (stream ids up to 2⁵³ take two words). */
function streamWords(seed: number, stream: readonly number[]): number[] {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`rng seed must be a 32-bit unsigned integer, got ${seed}`);
  const words = [seed];
  for (const s of stream) {
    if (!Number.isSafeInteger(s) || s < 0) throw new RangeError(`rng stream id must be a non-negative integer, got ${s}`);
    words.push(s >>> 0, Math.floor(s / 0x100000000) >>> 0);
  }
  return words;
}

export function rngFor(seed: number, ...stream: number[]): Rng {
  const words = streamWords(seed, stream);
  // SplitMix32-style stirring of four independent hash lanes.
  const s = new Uint32Array(4);
  let z = 0;
  for (let k = 0; k < 4; k++) {
    z = (z + 0x9e3779b9 + hashWords(k, words)) >>> 0;
    s[k] = fmix32(z);
  }
  if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) s[0] = 1; // the all-zero state is a fixed point
  return new Xoshiro128(s);
}

const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;

/** A generator started from an explicit xoshiro128** state (for checking against the reference implementation). */
export function xoshiro128FromState(state: readonly [number, number, number, number]): Rng & { next32(): number } {
  return new Xoshiro128(Uint32Array.from(state));
}

class Xoshiro128 implements Rng {
  /** The n of the last int(n), its rejection limit and 1/n (int is called in long runs with one n). */
  private intN = NaN;
  private intLimit = 0;
  private intInv = 0;
  constructor(private readonly s: Uint32Array) {}

  /** The next 32-bit output of xoshiro128**. */
  next32(): number {
    const st = this.s;
    let s0 = st[0]!;
    let s1 = st[1]!;
    let s2 = st[2]!;
    let s3 = st[3]!;
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3 >>> 0, 11);
    st[0] = s0;
    st[1] = s1;
    st[2] = s2;
    st[3] = s3;
    return result;
  }

  uniform(): number {
    // 27 + 26 bits make a 53-bit integer k; (k + ½)/2⁵³ lies strictly inside (0, 1).
    const a = this.next32() >>> 5;
    const b = this.next32() >>> 6;
    return (a * TWO_POW_26 + b + 0.5) / TWO_POW_53;
  }

  normal(): number {
    return qnorm(this.uniform());
  }

  int(n: number): number {
    if (n !== this.intN) {
      this.intLimit = rejectionLimit(n, 'int');
      this.intN = n;
      this.intInv = 1 / n;
    }
    const limit = this.intLimit;
    for (;;) {
      const x = this.next32();
      if (x < limit) return residue(x, n, this.intInv);
    }
  }

  gamma(shape: number): number {
    if (!(shape > 0) || !Number.isFinite(shape)) throw new RangeError(`rng.gamma(shape) needs a finite shape > 0, got ${shape}`);
    if (shape < 1) {
      // Gamma(a) = Gamma(a + 1)·U^{1/a} (Marsaglia & Tsang, §6).
      const g = this.gamma(shape + 1);
      return g * Math.pow(this.uniform(), 1 / shape);
    }
    // Marsaglia & Tsang: d = a − 1/3, c = 1/√(9d); accept v = (1 + c·x)³ when log U < x²/2 + d − d·v + d·log v.
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniform();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  chisq(df: number): number {
    return 2 * this.gamma(df / 2);
  }

  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
    return a;
  }

  sampleWithReplacement(n: number, size: number): Int32Array {
    const out = new Int32Array(size);
    this.intsInto(n, out, 0, size);
    return out;
  }

  intsInto(n: number, out: Int32Array, offset: number, count: number): void {
    const limit = rejectionLimit(n, 'intsInto');
    // int(n) `count` times, with the state in locals (next32 written out here): the same draws
    const end = offset + count;
    const invN = 1 / n;
    const st = this.s;
    let s0 = st[0]!;
    let s1 = st[1]!;
    let s2 = st[2]!;
    let s3 = st[3]!;
    for (let i = offset; i < end; ) {
      const x = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      if (x < limit) out[i++] = residue(x, n, invN);
    }
    st[0] = s0;
    st[1] = s1;
    st[2] = s2;
    st[3] = s3;
  }
}

/**
 * The rejection limit of int(n): outputs x < limit, the largest multiple of n not above 2³², are accepted,
 * so that every residue is equally likely. Throws for n outside 1 … 2³² (`what` names the caller).
 */
function rejectionLimit(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1 || n > 0x100000000) throw new RangeError(`rng.${what}(n) needs an integer 1 ≤ n ≤ 2^32, got ${n}`);
  return 0x100000000 - (0x100000000 % n);
}

/**
 * x mod n for a whole 0 ≤ x < 2³², exactly, without a division: the quotient estimated by a multiplication
 * with invN = 1/n is off by at most one either way, and one correction puts the remainder in 0 … n − 1.
 */
function residue(x: number, n: number, invN: number): number {
  let r = x - Math.floor(x * invN) * n;
  if (r < 0) r += n;
  else if (r >= n) r -= n;
  return r;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
