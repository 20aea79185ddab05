/**
 * Simulated power of a two-arm trial with a lesion-volume endpoint, by bootstrap from a reference arm:
 * trial s draws its control arm with replacement from the reference volumes c₁ … c_m and its treated
 * arm as h(c) of another such draw (effect.ts), then applies
 *
 *   - `wilcoxon`: R's wilcox.test(exact = FALSE, correct = TRUE): the normal approximation with the tie
 *     correction of the variance and the continuity correction (ranktests.ts states the formula);
 *   - `log_t`, `cbrt_t`, `raw_t`: Student's two-sample t test (var.equal = TRUE, the model of
 *     power.t.test) on log(v + offset), ∛v or v;
 *
 * and counts rejections at two-sided level α (p < α, i.e. |statistic| above the critical value).
 *
 * **Common random numbers.** Trial s draws its control indices from rngFor(seed, stream, s, 0) and its
 * treated indices from rngFor(seed, stream, s, 1), as many as the largest size needs; the trial
 * of total size N uses the first n_C(N) controls and n_T(N) treated of them (n_T = round(t·N)), so the
 * same draws serve every size of the grid, every effect and every test: power curves are smooth in N,
 * and the n search compares sizes on the same trials. Shards of trials can run anywhere: the counts
 * depend on the trial numbers alone, never on --jobs.
 *
 * **Speed.** Every volume a trial can contain is one of the m reference volumes or their m images h(c),
 * so each is sorted once per effect into codes 0 … U−1 (ties share a code: U ≤ 2m). A trial then never
 * sorts: it counts its patients per code and arm, and at each size of the grid one pass over the codes
 * gives the Mann–Whitney count of "treated smaller" pairs, Σ_u n_T(u)·[2·#{controls above u} + n_C(u)]/2,
 * in exact integers; the tie term Σ(t³ − t) grows by 3k² + 3k when a code's count goes from k to k + 1.
 * The t tests keep running sums of the centred transformed values. A trial of 630 + 630 patients costs a
 * few microseconds per effect.
 *
 * Exported API: SimulationProblem, simulateTrials (trials start … end − 1: rejection counts; trial_design's
 * batch function, src/nodes/trial-design-units.ts, calls it), countLayout, armSizes, smallestStayingAbove,
 * monteCarloSe.
 */
import { qnorm, qt } from '../distributions.js';
import { distinctRanks } from '../quantile.js';
import { rngFor } from '../rng.js';
import { applyEffect, type VolumeEffect } from './effect.js';
import { TEST_SCALE, type VolumeTest } from './volume-design.js';
import { transform, type Scale } from './volume-scales.js';

export interface SimulationProblem {
  /** The reference (control) volumes. */
  readonly reference: Float64Array;
  readonly effects: readonly VolumeEffect[];
  /** Lower bound of treated volumes under absolute effects. */
  readonly floor: number;
  readonly logOffset: number;
  readonly tests: readonly VolumeTest[];
  /** Total sample sizes N, ascending, each ≥ 4 with at least 2 patients per arm: the grid of every effect… */
  readonly sizes: readonly number[];
  /** …unless each effect has its own (then `sizes` is unused). The trials' draws serve every grid. */
  readonly sizesByEffect?: readonly (readonly number[])[] | undefined;
  /** Fraction treated. */
  readonly allocation: number;
  readonly alpha: number;
  readonly seed: number;
  /** Stream id after the seed (so that other random parts of a step use other streams). */
  readonly stream: number;
}

/** Treated and control arm sizes of a total N. */
export function armSizes(total: number, allocation: number): { treated: number; control: number } {
  const treated = Math.round(allocation * total);
  return { treated, control: total - treated };
}

/** Codes of the control values and of their images, for one effect: ranks among the distinct values of both. */
interface EffectCodes {
  readonly control: Int32Array;
  readonly treated: Int32Array;
  readonly distinct: number;
}

function effectCodes(reference: Float64Array, treated: Float64Array): EffectCodes {
  const m = reference.length;
  const all = new Float64Array(2 * m);
  all.set(reference, 0);
  all.set(treated, m);
  const { codes, distinct } = distinctRanks(all);
  return { control: codes.slice(0, m), treated: codes.slice(m), distinct: distinct.length };
}

/** Values of g on a scale, centred by the reference mean of g (so that running sums of squares do not cancel). */
function centred(scale: Scale, values: Float64Array, centre: number, logOffset: number): Float64Array {
  return Float64Array.from(values, (v) => transform(scale, v, logOffset) - centre);
}

interface PreparedEffect {
  readonly codes: EffectCodes;
  /** Per t test (in problem order, without wilcoxon): centred control and treated values. */
  readonly gControl: Float64Array[];
  readonly gTreated: Float64Array[];
}

function prepare(p: SimulationProblem): PreparedEffect[] {
  const tTests = p.tests.filter((t): t is Exclude<VolumeTest, 'wilcoxon'> => t !== 'wilcoxon');
  const centres = tTests.map((t) => {
    let s = 0;
    for (let i = 0; i < p.reference.length; i++) s += transform(TEST_SCALE[t], p.reference[i]!, p.logOffset);
    return s / p.reference.length;
  });
  return p.effects.map((e) => {
    const treated = applyEffect(e, p.reference, p.floor).volumes;
    return {
      codes: effectCodes(p.reference, treated),
      gControl: tTests.map((t, k) => centred(TEST_SCALE[t], p.reference, centres[k]!, p.logOffset)),
      gTreated: tTests.map((t, k) => centred(TEST_SCALE[t], treated, centres[k]!, p.logOffset)),
    };
  });
}

/** Where each effect's counts start: effect e's test t at size g is at offsets[e] + t·G_e + g. */
export function countLayout(p: Pick<SimulationProblem, 'effects' | 'tests' | 'sizes' | 'sizesByEffect'>): { grids: (readonly number[])[]; offsets: number[]; total: number } {
  const grids = p.effects.map((_, e) => p.sizesByEffect?.[e] ?? p.sizes);
  const offsets: number[] = [];
  let total = 0;
  for (const g of grids) {
    offsets.push(total);
    total += p.tests.length * g.length;
  }
  return { grids, offsets, total };
}

/**
 * Rejection counts of trials start … end − 1, as an Int32Array laid out by countLayout (one grid for
 * every effect: [(effect · tests + test) · sizes + size]).
 */
export function simulateTrials(p: SimulationProblem, start: number, end: number): Int32Array {
  const E = p.effects.length;
  const m = p.reference.length;
  const layout = countLayout(p);
  const counts = new Int32Array(layout.total);
  const prepared = prepare(p);
  const grids = layout.grids;
  const armsOf = grids.map((sizes) => sizes.map((N) => armSizes(N, p.allocation)));
  const maxT = armsOf.flat().reduce((a, s) => Math.max(a, s.treated), 0);
  const maxC = armsOf.flat().reduce((a, s) => Math.max(a, s.control), 0);
  const zCrit = qnorm(1 - p.alpha / 2);
  const tCritOf = grids.map((sizes) => Float64Array.from(sizes, (N) => qt(1 - p.alpha / 2, N - 2)));
  const wilcoxonAt = p.tests.indexOf('wilcoxon');
  const tTestIndex = p.tests.map((_, k) => k).filter((k) => k !== wilcoxonAt);
  const nT = tTestIndex.length;

  const ctl = new Int32Array(maxC);
  const trt = new Int32Array(maxT);
  const maxU = prepared.reduce((a, e) => Math.max(a, e.codes.distinct), 0);
  // the number of controls and of treated patients at each code
  const atC = new Int32Array(maxU);
  const atT = new Int32Array(maxU);
  const sums = new Float64Array(4 * nT); // per t test: Σg_C, Σg_C², Σg_T, Σg_T²

  for (let s = start; s < end; s++) {
    rngFor(p.seed, p.stream, s, 0).intsInto(m, ctl, 0, maxC);
    rngFor(p.seed, p.stream, s, 1).intsInto(m, trt, 0, maxT);
    for (let e = 0; e < E; e++) {
      const pe = prepared[e]!;
      const arms = armsOf[e]!;
      const tCrit = tCritOf[e]!;
      const G = arms.length;
      const offset = layout.offsets[e]!;
      const cCode = pe.codes.control;
      const tCode = pe.codes.treated;
      const U = pe.codes.distinct;
      atC.fill(0, 0, U);
      atT.fill(0, 0, U);
      sums.fill(0);
      let tieSum = 0; // Σ over codes of (k³ − k), kept as counts grow: k → k + 1 adds 3k² + 3k
      let nc = 0;
      let nt = 0;
      for (let g = 0; g < G; g++) {
        const want = arms[g]!;
        if (wilcoxonAt >= 0) {
          for (let i = nc; i < want.control; i++) {
            const u = cCode[ctl[i]!]!;
            const k = atC[u]! + atT[u]!;
            tieSum += 3 * k * k + 3 * k;
            atC[u] = atC[u]! + 1;
          }
          for (let i = nt; i < want.treated; i++) {
            const u = tCode[trt[i]!]!;
            const k = atC[u]! + atT[u]!;
            tieSum += 3 * k * k + 3 * k;
            atT[u] = atT[u]! + 1;
          }
        }
        for (let q = 0; q < nT; q++) {
          const gc = pe.gControl[q]!;
          const gt = pe.gTreated[q]!;
          let a = sums[4 * q]!;
          let a2 = sums[4 * q + 1]!;
          for (let i = nc; i < want.control; i++) {
            const x = gc[ctl[i]!]!;
            a += x;
            a2 += x * x;
          }
          let b = sums[4 * q + 2]!;
          let b2 = sums[4 * q + 3]!;
          for (let i = nt; i < want.treated; i++) {
            const x = gt[trt[i]!]!;
            b += x;
            b2 += x * x;
          }
          sums[4 * q] = a;
          sums[4 * q + 1] = a2;
          sums[4 * q + 2] = b;
          sums[4 * q + 3] = b2;
        }
        nc = want.control;
        nt = want.treated;
        const base = offset + g;
        if (wilcoxonAt >= 0) {
          // 2·#{treated < control} + #{treated = control}, in one pass over the codes (exact integers)
          const twiceSmaller = twiceTreatedSmaller(atC, atT, U, nc);
          // R: z = (W − n_x n_y/2 − sign·½)/σ, σ² = n_x n_y/12·[(N + 1) − Σ(t³ − t)/(N(N − 1))]
          const N = nc + nt;
          const centre = twiceSmaller / 2 - (nc * nt) / 2;
          const corrected = centre - Math.sign(centre) * 0.5;
          const sigma = Math.sqrt(((nc * nt) / 12) * (N + 1 - tieSum / (N * (N - 1))));
          if (Math.abs(corrected) > zCrit * sigma) counts[base + wilcoxonAt * G] = counts[base + wilcoxonAt * G]! + 1;
        }
        for (let q = 0; q < nT; q++) {
          const sc = sums[4 * q]!;
          const st = sums[4 * q + 2]!;
          const ssC = sums[4 * q + 1]! - (sc * sc) / nc;
          const ssT = sums[4 * q + 3]! - (st * st) / nt;
          const pooled = (ssC + ssT) / (nc + nt - 2);
          const diff = st / nt - sc / nc;
          const se = Math.sqrt(pooled * (1 / nc + 1 / nt));
          if (Math.abs(diff) > tCrit[g]! * se) {
            const at = base + tTestIndex[q]! * G;
            counts[at] = counts[at]! + 1;
          }
        }
      }
    }
  }
  return counts;
}

/** Σ_u n_T(u)·[2·#{controls with a code above u} + n_C(u)]: twice the Mann–Whitney count of treated-smaller pairs. */
function twiceTreatedSmaller(atC: Int32Array, atT: Int32Array, U: number, nc: number): number {
  let twice = 0;
  let above = nc;
  for (let u = 0; u < U; u++) {
    const c = atC[u]!;
    above -= c;
    twice += atT[u]! * (2 * above + c);
  }
  return twice;
}

/** √(p(1 − p)/S): the Monte-Carlo SE of a simulated power. */
export function monteCarloSe(power: number, trials: number): number {
  return Math.sqrt((power * (1 - power)) / trials);
}

/**
 * The smallest size of the grid from which the power stays at or above `target` for every larger size of
 * the grid (the saw-tooth of discrete outcomes: statsmodels #2731); undefined when the largest size is
 * below it. `margin` is subtracted from each power first (e.g. 2 Monte-Carlo SEs for a conservative n).
 */
export function smallestStayingAbove(sizes: readonly number[], power: readonly number[], target: number, margin: readonly number[] | number = 0): number | undefined {
  let found: number | undefined;
  for (let g = sizes.length - 1; g >= 0; g--) {
    const m = typeof margin === 'number' ? margin : margin[g]!;
    if (power[g]! - m >= target) found = sizes[g];
    else break;
  }
  return found;
}
