/**
 * The volume difference worth δ of adjusted probability (HERMES, Boers et al.): for patient i with
 * observed volume V_i and linear predictor η_i(v) of a logistic model (all other covariates fixed at
 * the patient's own values), p0_i = plogis(η_i(V_i)) and ΔV_i(δ) = V_i − v*, where v* solves
 *
 *   η_i(v*) = qlogis(p0_i + δ)          (the logit scale: same root, better conditioned)
 *
 * by Brent's method (R's uniroot/zeroin) in [min_volume, V_i]. Not achievable: p0_i + δ ≥ 1, or the
 * target is not reached at min_volume (ΔV would exceed the volume itself). Unconstrained mode
 * extrapolates below min_volume (lower end −2^k·max(V_i, 10), k = 0 … 40) for the model's own curve.
 *
 * All (patient, δ) equations are solved in lockstep: each round evaluates η at every pending point with
 * one vectorised call, so the model matrix is rebuilt once per round, not once per evaluation.
 *
 * Exported API: solveVolumeDeltas(problem) → VolumeDeltaSolution; summariseDeltas(solution, k);
 * curveGrid(observed, range) → the volumes of the adjusted probability curve.
 */
import { ZeroinBatch } from './brent.js';
import { qlogis, plogis } from './distributions.js';
import { quantile7, sortedFinite } from './quantile.js';

export type DeltaStatus = 'solved' | 'exceeds_volume' | 'target_ge_1' | 'not_reached';

export interface VolumeDeltaProblem {
  /** Observed volumes of the patients. */
  readonly volume: Float64Array;
  /** η at the observed volumes. */
  readonly eta0: Float64Array;
  /** η of patients `patients[k]` at volumes `volumes[k]` (vectorised). */
  readonly eta: (patients: Int32Array, volumes: Float64Array) => Float64Array;
  /** Probability increments, e.g. [0.01, 0.05, 0.10]. */
  readonly deltas: readonly number[];
  readonly minVolume: number;
  readonly constrained: boolean;
  /** Brent tolerance on the volume (mL). */
  readonly tol: number;
}

export interface VolumeDeltaSolution {
  readonly p0: Float64Array;
  /** deltaV[d * n + i]: ΔV of patient i for delta d; NaN when not solved. */
  readonly deltaV: Float64Array;
  readonly status: DeltaStatus[];
  /** Brent iterations per equation (0 when not solved). */
  readonly iterations: Int32Array;
}

const MAX_EXPANSIONS = 40;

export function solveVolumeDeltas(problem: VolumeDeltaProblem): VolumeDeltaSolution {
  const { volume, eta0, deltas, minVolume, constrained, tol } = problem;
  const n = volume.length;
  const D = deltas.length;
  const p0 = new Float64Array(n);
  for (let i = 0; i < n; i++) p0[i] = plogis(eta0[i]!);
  const deltaV = new Float64Array(n * D).fill(NaN);
  const code = new Uint8Array(n * D).fill(NOT_REACHED);
  const iterations = new Int32Array(n * D);
  const target = new Float64Array(n * D); // qlogis(p0 + δ)

  // Equations k = d·n + i with a reachable target; f(v) = η_i(v) − target, negative at V_i.
  const pendingList: number[] = [];
  for (let d = 0; d < D; d++) {
    for (let i = 0; i < n; i++) {
      const k = d * n + i;
      const p = p0[i]! + deltas[d]!;
      if (p >= 1) code[k] = TARGET_GE_1;
      else if (!(volume[i]! > minVolume)) code[k] = EXCEEDS_VOLUME;
      else {
        target[k] = qlogis(p);
        pendingList.push(k);
      }
    }
  }
  /** f at volumes v for the equations eqs (one vectorised η evaluation). */
  const evalAt = (eqs: Int32Array, v: Float64Array): Float64Array => {
    const patients = new Int32Array(eqs.length);
    for (let j = 0; j < eqs.length; j++) patients[j] = eqs[j]! % n;
    const f = problem.eta(patients, v);
    for (let j = 0; j < eqs.length; j++) f[j] = f[j]! - target[eqs[j]!]!;
    return f;
  };

  // f at the lower end min_volume: a sign change brackets the root in [min_volume, V_i].
  const pending = Int32Array.from(pendingList);
  const fMin = evalAt(pending, new Float64Array(pending.length).fill(minVolume));
  const lower: number[] = [];
  const fLower: number[] = [];
  const bracketed: number[] = [];
  let unbracketed: number[] = [];
  for (let j = 0; j < pending.length; j++) {
    const k = pending[j]!;
    const f = fMin[j]!;
    if (f >= 0) {
      bracketed.push(k);
      lower.push(minVolume);
      fLower.push(f);
    } else if (Number.isNaN(f)) code[k] = NOT_REACHED;
    else if (constrained) code[k] = EXCEEDS_VOLUME;
    else unbracketed.push(k);
  }
  // Unconstrained: extend the lower end until the target is reached on the model's extrapolated curve.
  for (let e = 0; e < MAX_EXPANSIONS && unbracketed.length > 0; e++) {
    const eqs = Int32Array.from(unbracketed);
    const lows = new Float64Array(eqs.length);
    for (let j = 0; j < eqs.length; j++) lows[j] = minVolume - Math.pow(2, e) * Math.max(volume[eqs[j]! % n]!, 10);
    const f = evalAt(eqs, lows);
    const still: number[] = [];
    for (let j = 0; j < eqs.length; j++) {
      if (!Number.isFinite(f[j]!)) continue; // stays not_reached
      if (f[j]! >= 0) {
        bracketed.push(eqs[j]!);
        lower.push(lows[j]!);
        fLower.push(f[j]!);
      } else still.push(eqs[j]!);
    }
    unbracketed = still;
  }

  // Brent in lockstep: one vectorised evaluation per round for every unfinished equation.
  const eqs = Int32Array.from(bracketed);
  const upper = new Float64Array(eqs.length);
  const fUpper = new Float64Array(eqs.length);
  for (let j = 0; j < eqs.length; j++) {
    const k = eqs[j]!;
    upper[j] = volume[k % n]!;
    fUpper[j] = eta0[k % n]! - target[k]!;
  }
  const batch = new ZeroinBatch(lower, upper, fLower, fUpper, tol);
  for (let list = batch.pending(); list.length > 0; list = batch.pending()) {
    const which = new Int32Array(list.length);
    const at = new Float64Array(list.length);
    for (let j = 0; j < list.length; j++) {
      which[j] = eqs[list[j]!]!;
      at[j] = batch.x[list[j]!]!;
    }
    batch.tell(evalAt(which, at));
  }
  for (let j = 0; j < eqs.length; j++) {
    const k = eqs[j]!;
    if (batch.state[j] !== 1) continue; // maxiter reached: not_reached
    deltaV[k] = volume[k % n]! - batch.root[j]!;
    code[k] = SOLVED;
    iterations[k] = batch.iterations[j]!;
  }
  return { p0, deltaV, status: Array.from(code, (c) => STATUS[c]!), iterations };
}

const SOLVED = 0;
const EXCEEDS_VOLUME = 1;
const TARGET_GE_1 = 2;
const NOT_REACHED = 3;
const STATUS: readonly DeltaStatus[] = ['solved', 'exceeds_volume', 'target_ge_1', 'not_reached'];

export interface DeltaSummary {
  readonly delta: number;
  readonly patients: number;
  readonly solved: number;
  readonly exceeds_volume: number;
  readonly target_ge_1: number;
  readonly not_reached: number;
  /** Solved with ΔV larger than the volume (unconstrained mode only). */
  readonly extrapolated: number;
  readonly median: number;
  readonly q1: number;
  readonly q3: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
}

/** Median, type-7 quartiles, mean and range of the solved ΔV for delta index d, with the counts by status. */
export function summariseDeltas(solution: VolumeDeltaSolution, volume: Float64Array, deltas: readonly number[], d: number): DeltaSummary {
  const n = volume.length;
  const solved: number[] = [];
  const counts = { solved: 0, exceeds_volume: 0, target_ge_1: 0, not_reached: 0 };
  let extrapolated = 0;
  for (let i = 0; i < n; i++) {
    const k = d * n + i;
    const s = solution.status[k]!;
    counts[s]++;
    if (s === 'solved') {
      solved.push(solution.deltaV[k]!);
      if (solution.deltaV[k]! > volume[i]!) extrapolated++;
    }
  }
  const sorted = Float64Array.from(solved).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    delta: deltas[d]!,
    patients: n,
    ...counts,
    extrapolated,
    median: quantile7(sorted, 0.5),
    q1: quantile7(sorted, 0.25),
    q3: quantile7(sorted, 0.75),
    mean: sorted.length === 0 ? NaN : sum / sorted.length,
    min: sorted.length === 0 ? NaN : sorted[0]!,
    max: sorted.length === 0 ? NaN : sorted[sorted.length - 1]!,
  };
}

export interface CurveRange {
  /** Lower end of the curve (volume units). */
  readonly from: number;
  /** Upper end; default: the type-7 quantile `quantile` of the observed volumes. */
  readonly to?: number | undefined;
  /** Which quantile of the observed volumes ends the curve when `to` is not given (1 = the largest). */
  readonly quantile: number;
  /** Number of equally spaced volumes, at least 2. */
  readonly points: number;
}

/**
 * The volumes of the adjusted curve: `points` equally spaced values from `from` to `to` (default
 * quantile(observed, quantile, type = 7), NaN ignored), computed as R's
 * seq(from, to, length.out = points): from + k·(to − from)/(points − 1), the last exactly `to`.
 * Returns the grid and the `to` used; `to ≤ from` is a RangeError for the caller to explain.
 */
export function curveGrid(observed: ArrayLike<number>, range: CurveRange): { grid: Float64Array; to: number } {
  const to = range.to ?? quantile7(sortedFinite(observed), range.quantile);
  if (!(to > range.from)) throw new RangeError(`the curve would end at ${to}, not above its start ${range.from}`);
  const G = range.points;
  const by = (to - range.from) / (G - 1);
  const grid = Float64Array.from({ length: G }, (_, g) => (g === G - 1 ? to : range.from + g * by));
  return { grid, to };
}
