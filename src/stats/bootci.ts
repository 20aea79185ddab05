/**
 * Bootstrap confidence intervals as R's `boot::boot.ci` (boot 1.3-28), given the replicate values t*,
 * the original estimate t0 and (for BCa) the empirical influence values L:
 *
 * - percentile (`perc.ci`): the α = (1 ∓ conf)/2 quantiles of t* by `norm.inter` — the order statistic
 *   k = ⌊(R + 1)α⌋, interpolated on the normal quantile scale between t*(k) and t*(k+1) when (R + 1)α is
 *   not an integer;
 * - BCa (`bca.ci`): bias correction w = Φ⁻¹(#{t* < t0}/R), acceleration a = ΣL³ / (6·(ΣL²)^{3/2}),
 *   adjusted levels α' = Φ(w + (w + z_α)/(1 − a(w + z_α))), then `norm.inter` at α'.
 *   L is the jackknife influence (boot's `empinf(type = "jack")`, `usual.jack`):
 *   L_i = (n_s − 1)·(t0 − t₋ᵢ) with n_s the size of unit i's stratum.
 * Non-finite replicates are dropped first, as boot does.
 *
 * Exported API: normInter, percentileInterval, bcaInterval, bcaAcceleration, jackknifeInfluence.
 */
import { pnorm, qnorm } from './distributions.js';

export interface Interval {
  readonly lower: number;
  readonly upper: number;
  /** True when an end point is an extreme order statistic (boot warns "extreme order statistics used as endpoints"). */
  readonly extreme: boolean;
}

function finiteSorted(t: ArrayLike<number>): Float64Array {
  const out = new Float64Array(t.length);
  let k = 0;
  for (let i = 0; i < t.length; i++) if (Number.isFinite(t[i]!)) out[k++] = t[i]!;
  return out.subarray(0, k).sort();
}

/** boot's norm.inter for one level α on the sorted finite replicates. */
export function normInter(sorted: Float64Array, alpha: number): { value: number; extreme: boolean } {
  const R = sorted.length;
  if (R === 0) return { value: NaN, extreme: true };
  const rk = (R + 1) * alpha;
  const extreme = !(rk > 1 && rk < R);
  const k = Math.trunc(rk);
  if (k === rk && k >= 1 && k <= R) return { value: sorted[k - 1]!, extreme };
  if (k <= 0) return { value: sorted[0]!, extreme };
  if (k >= R) return { value: sorted[R - 1]!, extreme };
  const z = qnorm(alpha);
  const zk = qnorm(k / (R + 1));
  const zk1 = qnorm((k + 1) / (R + 1));
  const tk = sorted[k - 1]!;
  const tk1 = sorted[k]!;
  return { value: tk + ((z - zk) / (zk1 - zk)) * (tk1 - tk), extreme };
}

/** The percentile interval (boot.ci type "perc"). */
export function percentileInterval(t: ArrayLike<number>, conf = 0.95): Interval {
  const sorted = finiteSorted(t);
  const lo = normInter(sorted, (1 - conf) / 2);
  const hi = normInter(sorted, (1 + conf) / 2);
  return { lower: lo.value, upper: hi.value, extreme: lo.extreme || hi.extreme };
}

/** The BCa acceleration a = ΣL³ / (6·(ΣL²)^{3/2}). */
export function bcaAcceleration(L: ArrayLike<number>): number {
  let s2 = 0;
  let s3 = 0;
  for (let i = 0; i < L.length; i++) {
    const l = L[i]!;
    s2 += l * l;
    s3 += l * l * l;
  }
  return s3 / (6 * Math.pow(s2, 1.5));
}

/** The BCa interval (boot.ci type "bca"); throws a RangeError where boot stops (infinite w or a). */
export function bcaInterval(t: ArrayLike<number>, t0: number, L: ArrayLike<number>, conf = 0.95): Interval {
  const sorted = finiteSorted(t);
  let below = 0;
  for (const v of sorted) if (v < t0) below++;
  const w = qnorm(below / sorted.length);
  if (!Number.isFinite(w)) throw new RangeError("estimated adjustment 'w' is infinite");
  const a = bcaAcceleration(L);
  if (!Number.isFinite(a)) throw new RangeError("estimated adjustment 'a' is NA");
  const adj = (alpha: number): number => {
    const z = qnorm(alpha);
    return pnorm(w + (w + z) / (1 - a * (w + z)));
  };
  const lo = normInter(sorted, adj((1 - conf) / 2));
  const hi = normInter(sorted, adj((1 + conf) / 2));
  return { lower: lo.value, upper: hi.value, extreme: lo.extreme || hi.extreme };
}

/**
 * Jackknife influence values L_i = (n_s − 1)·(t0 − t₋ᵢ) (boot's usual.jack), where tMinus[i] is the
 * estimate without unit i and stratumSize[i] the number of units in i's stratum.
 */
export function jackknifeInfluence(t0: number, tMinus: ArrayLike<number>, stratumSize: ArrayLike<number>): Float64Array {
  const L = new Float64Array(tMinus.length);
  for (let i = 0; i < L.length; i++) L[i] = (stratumSize[i]! - 1) * (t0 - tMinus[i]!);
  return L;
}
