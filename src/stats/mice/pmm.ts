/**
 * Predictive mean matching as `mice.impute.pmm` (mice 3.15) with `matchtype = 1` ("type-1 matching"):
 * donors are scored by ŷ from the least-squares β̂, targets by the drawn β*; each target takes the
 * observed value of one donor drawn at random among its `donors` nearest (mice's `matchindex`, which
 * shuffles the donors first so that ties are broken at random).
 */
import { lowerBound } from '../bisect.js';
import type { Rng } from '../rng.js';

/**
 * For each target value t[j], the index (into d) of a donor drawn uniformly among the k donors whose
 * d is nearest to t[j].
 */
export function matchIndex(d: Float64Array, t: Float64Array, k: number, rng: Rng): Int32Array {
  const n1 = d.length;
  const n0 = t.length;
  const out = new Int32Array(n0);
  if (n1 === 0) return out.fill(-1);
  const kk = Math.min(Math.max(k, 1), n1);
  // Sort the donors, then put each run of equal d in random order: ties are broken at random, as
  // mice's shuffle-then-sort does, at the cost of random draws only for tied donors.
  const order = sortOrder(d);
  const sorted = new Float64Array(n1);
  for (let i = 0; i < n1; i++) sorted[i] = d[order[i]!]!;
  for (let a = 0; a < n1; ) {
    let b = a + 1;
    while (b < n1 && sorted[b] === sorted[a]) b++;
    for (let i = b - 1; i > a; i--) {
      const j = a + rng.int(i - a + 1);
      const tmp = order[i]!;
      order[i] = order[j]!;
      order[j] = tmp;
    }
    a = b;
  }

  for (let j = 0; j < n0; j++) {
    const tj = t[j]!;
    // First position with sorted[pos] >= tj.
    const lo = lowerBound(sorted, tj, 0, n1);
    // Walk outwards to the pick-th nearest (0-based) of the kk nearest.
    const pick = rng.int(kk);
    let left = lo - 1;
    let right = lo;
    let chosen = -1;
    for (let step = 0; step <= pick; step++) {
      const dl = left >= 0 ? tj - sorted[left]! : Infinity;
      const dr = right < n1 ? sorted[right]! - tj : Infinity;
      if (dl <= dr) chosen = left--;
      else chosen = right++;
    }
    out[j] = order[chosen]!;
  }
  return out;
}

/** Sorts keys[lo..hi] increasingly, permuting idx alongside (quicksort, median of three, insertion sort below 16). */
export function sortPairs(keys: Float64Array, idx: Int32Array, lo: number, hi: number): void {
  while (hi - lo > 16) {
    const mid = (lo + hi) >>> 1;
    // Median of three to the middle.
    if (keys[mid]! < keys[lo]!) swap(keys, idx, mid, lo);
    if (keys[hi]! < keys[lo]!) swap(keys, idx, hi, lo);
    if (keys[hi]! < keys[mid]!) swap(keys, idx, hi, mid);
    const pivot = keys[mid]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (keys[i]! < pivot) i++;
      while (keys[j]! > pivot) j--;
      if (i <= j) {
        swap(keys, idx, i, j);
        i++;
        j--;
      }
    }
    // Recurse into the smaller part, loop on the larger (stack depth O(log n)).
    if (j - lo < hi - i) {
      sortPairs(keys, idx, lo, j);
      lo = i;
    } else {
      sortPairs(keys, idx, i, hi);
      hi = j;
    }
  }
  for (let i = lo + 1; i <= hi; i++) {
    const k = keys[i]!;
    const v = idx[i]!;
    let j = i - 1;
    while (j >= lo && keys[j]! > k) {
      keys[j + 1] = keys[j]!;
      idx[j + 1] = idx[j]!;
      j--;
    }
    keys[j + 1] = k;
    idx[j + 1] = v;
  }
}

function swap(keys: Float64Array, idx: Int32Array, a: number, b: number): void {
  const k = keys[a]!;
  keys[a] = keys[b]!;
  keys[b] = k;
  const v = idx[a]!;
  idx[a] = idx[b]!;
  idx[b] = v;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The permutation that sorts d increasingly: an LSD radix sort on the IEEE bits (negative numbers have all
 * bits flipped, positive ones the sign bit), stable and O(n), much faster than a comparison sort for the
 * 10⁵ donors of a large data set. Digits of 16 bits (four passes) from 65 536 donors, of 8 bits (eight
 * passes, 256 buckets) below: a pass costs its buckets as well as its rows, and 65 536 buckets would cost
 * ~30 times the work of 1 665 rows. Being stable, both give the same permutation. Falls back to quicksort
 * on big-endian hosts.
 */
export function sortOrder(d: Float64Array): Int32Array {
  const n = d.length;
  let idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  if (n < 512 || !LITTLE_ENDIAN) {
    sortPairs(Float64Array.from(d), idx, 0, n - 1);
    return idx;
  }
  const words = new Uint32Array(d.buffer, d.byteOffset, 2 * n);
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const h = words[2 * i + 1]!;
    if (h & 0x80000000) {
      hi[i] = ~h >>> 0;
      lo[i] = ~words[2 * i]! >>> 0;
    } else {
      hi[i] = (h | 0x80000000) >>> 0;
      lo[i] = words[2 * i]!;
    }
  }
  let lo2 = new Uint32Array(n);
  let hi2 = new Uint32Array(n);
  let idx2 = new Int32Array(n);
  const bits = n >= 65536 ? 16 : 8;
  const buckets = 1 << bits;
  const mask = buckets - 1;
  const perWord = 32 / bits;
  const count = new Uint32Array(buckets);
  for (let pass = 0; pass < 2 * perWord; pass++) {
    const src = pass < perWord ? lo : hi;
    const shift = (pass % perWord) * bits;
    count.fill(0);
    for (let i = 0; i < n; i++) count[(src[i]! >>> shift) & mask]!++;
    let sum = 0;
    for (let b = 0; b < buckets; b++) {
      const c = count[b]!;
      count[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const dst = count[(src[i]! >>> shift) & mask]!++;
      lo2[dst] = lo[i]!;
      hi2[dst] = hi[i]!;
      idx2[dst] = idx[i]!;
    }
    [lo, lo2] = [lo2, lo];
    [hi, hi2] = [hi2, hi];
    [idx, idx2] = [idx2, idx];
  }
  return idx;
}
