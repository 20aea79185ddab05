/**
 * The volume difference worth δ of adjusted probability (HERMES, Boers et al.): for patient i with
 * observed volume V_i and linear predictor η_i(v) of a logistic model (all other covariates fixed at
 * the patient's own values), p0_i = plogis(η_i(V_i)) (models/binomial-logit.ts's probability) and ΔV_i(δ) = V_i − v*, where v* solves
 *
 *   η_i(v*) = qlogis(p0_i + δ)          (the logit scale: same root, better conditioned)
 *
 * by Brent's method (R's uniroot/zeroin) in [min_volume, V_i]. Not achievable: p0_i + δ ≥ 1, or the
 * target is not reached at min_volume (ΔV would exceed the volume itself). Unconstrained mode
 * extrapolates below min_volume (lower end −2^k·max(V_i, 10), k = 0 … 40) for the model's own curve.
 *
 * All (patient, δ) equations are solved in lockstep: each round evaluates η at every pending point with
 * one vectorised call (the caller's: the volume_delta step rebuilds only the volume's terms), so the
 * per-round cost is a few flops per equation; lists and state are typed arrays, no per-equation objects.
 *
 * Exported API: solveVolumeDeltas(problem) → VolumeDeltaSolution; summariseDeltas(solution, k);
 * curveGrid(observed, range) → the volumes of the adjusted probability curve.
 */
import { ZeroinBatch } from './brent.js';
import { qlogis } from './distributions.js';
import { populationAveraged, populationAveragedInverse } from './mixed/marginal.js';
import { probability } from './models/binomial-logit.js';
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
  /**
   * Population-averaged probabilities of a mixed model: per patient the SD of the random part of η;
   * p = E plogis(η + b), b ~ N(0, s²) (mixed/marginal.ts), and the target η solves p(η) = p0 + δ.
   * Undefined: the conditional (or fixed-effects) probability plogis(η).
   */
  readonly marginalSd?: Float64Array | undefined;
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
  const sd = problem.marginalSd;
  const p0 = new Float64Array(n);
  for (let i = 0; i < n; i++) p0[i] = sd === undefined ? probability(eta0[i]!) : populationAveraged(eta0[i]!, sd[i]!).p;
  const deltaV = new Float64Array(n * D).fill(NaN);
  const code = new Uint8Array(n * D).fill(NOT_REACHED);
  const iterations = new Int32Array(n * D);
  const target = new Float64Array(n * D); // qlogis(p0 + δ)

  // Equations k = d·n + i with a reachable target; f(v) = η_i(v) − target, negative at V_i.
  // Lists of equations are typed arrays filled up to a count (no per-equation objects).
  const pending = new Int32Array(n * D);
  let nPending = 0;
  for (let d = 0; d < D; d++) {
    const delta = deltas[d]!;
    for (let i = 0, k = d * n; i < n; i++, k++) {
      const p = p0[i]! + delta;
      if (p >= 1) code[k] = TARGET_GE_1;
      else if (!(volume[i]! > minVolume)) code[k] = EXCEEDS_VOLUME;
      else {
        target[k] = sd === undefined ? qlogis(p) : populationAveragedInverse(p, sd[i]!);
        pending[nPending++] = k;
      }
    }
  }
  /** f at volumes v[0 … m) for the equations eqs[0 … m) (one vectorised η evaluation). */
  const evalAt = (eqs: Int32Array, v: Float64Array): Float64Array => {
    const m = eqs.length;
    const patients = new Int32Array(m);
    for (let j = 0; j < m; j++) patients[j] = eqs[j]! % n;
    const f = problem.eta(patients, v);
    for (let j = 0; j < m; j++) f[j] = f[j]! - target[eqs[j]!]!;
    return f;
  };

  // f at the lower end min_volume: a sign change brackets the root in [min_volume, V_i].
  const fMin = evalAt(pending.subarray(0, nPending), new Float64Array(nPending).fill(minVolume));
  const bracketed = new Int32Array(nPending);
  const lower = new Float64Array(nPending);
  const fLower = new Float64Array(nPending);
  let nBracketed = 0;
  let unbracketed = new Int32Array(constrained ? 0 : nPending);
  let nUnbracketed = 0;
  for (let j = 0; j < nPending; j++) {
    const k = pending[j]!;
    const f = fMin[j]!;
    if (f >= 0) {
      bracketed[nBracketed] = k;
      lower[nBracketed] = minVolume;
      fLower[nBracketed++] = f;
    } else if (Number.isNaN(f)) code[k] = NOT_REACHED;
    else if (constrained) code[k] = EXCEEDS_VOLUME;
    else unbracketed[nUnbracketed++] = k;
  }
  // Unconstrained: extend the lower end until the target is reached on the model's extrapolated curve.
  for (let e = 0; e < MAX_EXPANSIONS && nUnbracketed > 0; e++) {
    const eqs = unbracketed.subarray(0, nUnbracketed);
    const lows = new Float64Array(nUnbracketed);
    for (let j = 0; j < nUnbracketed; j++) lows[j] = minVolume - Math.pow(2, e) * Math.max(volume[eqs[j]! % n]!, 10);
    const f = evalAt(eqs, lows);
    const still = new Int32Array(nUnbracketed);
    let nStill = 0;
    for (let j = 0; j < nUnbracketed; j++) {
      if (!Number.isFinite(f[j]!)) continue; // stays not_reached
      if (f[j]! >= 0) {
        bracketed[nBracketed] = eqs[j]!;
        lower[nBracketed] = lows[j]!;
        fLower[nBracketed++] = f[j]!;
      } else still[nStill++] = eqs[j]!;
    }
    unbracketed = still;
    nUnbracketed = nStill;
  }

  // Brent in lockstep: one vectorised evaluation per round for every unfinished equation.
  const eqs = bracketed.subarray(0, nBracketed);
  const upper = new Float64Array(nBracketed);
  const fUpper = new Float64Array(nBracketed);
  for (let j = 0; j < nBracketed; j++) {
    const k = eqs[j]!;
    upper[j] = volume[k % n]!;
    fUpper[j] = eta0[k % n]! - target[k]!;
  }
  const batch = new ZeroinBatch(lower.subarray(0, nBracketed), upper, fLower.subarray(0, nBracketed), fUpper, tol);
  const which = new Int32Array(nBracketed);
  const at = new Float64Array(nBracketed);
  for (let list = batch.pending(); list.length > 0; list = batch.pending()) {
    const m = list.length;
    for (let j = 0; j < m; j++) {
      const e = list[j]!;
      which[j] = eqs[e]!;
      at[j] = batch.x[e]!;
    }
    batch.tell(evalAt(which.subarray(0, m), at.subarray(0, m)));
  }
  for (let j = 0; j < nBracketed; j++) {
    const k = eqs[j]!;
    if (batch.state[j] !== 1) continue; // maxiter reached: not_reached
    deltaV[k] = volume[k % n]! - batch.root[j]!;
    code[k] = SOLVED;
    iterations[k] = batch.iterations[j]!;
  }
  // push keeps a packed array (new Array(len) of this size would be a slow dictionary, Array.from iterates)
  const status: DeltaStatus[] = [];
  for (let k = 0; k < n * D; k++) status.push(STATUS[code[k]!]!);
  return { p0, deltaV, status, iterations };
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
  const solved = new Float64Array(n);
  let nSolved = 0;
  let exceedsVolume = 0;
  let targetGe1 = 0;
  let notReached = 0;
  let extrapolated = 0;
  for (let i = 0, k = d * n; i < n; i++, k++) {
    switch (solution.status[k]!) {
      case 'solved': {
        const dv = solution.deltaV[k]!;
        solved[nSolved++] = dv;
        if (dv > volume[i]!) extrapolated++;
        break;
      }
      case 'exceeds_volume':
        exceedsVolume++;
        break;
      case 'target_ge_1':
        targetGe1++;
        break;
      case 'not_reached':
        notReached++;
        break;
    }
  }
  const sorted = solved.subarray(0, nSolved).sort();
  let sum = 0;
  for (let j = 0; j < nSolved; j++) sum += sorted[j]!;
  const counts = { solved: nSolved, exceeds_volume: exceedsVolume, target_ge_1: targetGe1, not_reached: notReached };
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

