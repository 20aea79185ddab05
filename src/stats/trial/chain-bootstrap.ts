/**
 * The uncertainty of the whole design chain, by the bootstrap: replicate b resamples the reference arm
 * (its volumes, with their mRS when the control mRS distribution comes from the data) and, separately,
 * the patients of the outcome model, refits the model on them (its model matrix as built on the whole
 * data: factor levels and spline knots fixed), and recomputes on the same replicate
 *
 *   per effect: each volume test's N for each target power and its power at the planned N (the N the
 *   point estimates give for the first target), the g-computed ΔP and the implied (c)OR over the
 *   replicate's population patients, and Whitehead's N for the mRS trial (both conventions) with its
 *   power at the planned mRS N.
 *
 * Percentile intervals of the N's, and the assurance of a design — the mean of its power over the
 * replicates (O'Hagan, Stevens & Campbell 2005): the probability of success averaged over what the data
 * leave uncertain. Replicate b draws from rngFor(seed, stream, b, 0) (reference) and (seed, stream, b, 1)
 * (model patients) alone: the values are the same whatever the shards or --jobs.
 *
 * Called by trial_design's batch function (src/nodes/trial-design-units.ts) on a range of replicates.
 *
 * Exported API: ChainTask, ChainModel, chainEstimateNames, runChainReplicates.
 */
import { linearPredictor, matrixRows } from '../linalg.js';
import { fitLogistic } from '../logistic.js';
import { fitOrdinal } from '../ordinal.js';
import { rngFor } from '../rng.js';
import type { VolumeEffect } from './effect.js';
import { categoryProbabilities, meanProbability, poProjection } from './g-computation.js';
import { CONVENTIONS, whiteheadDesign } from './mrs-trial.js';
import { prepareReference, volumeDesign, type VolumeSettings, type VolumeTest } from './volume-design.js';

export interface ChainModel {
  readonly type: 'logistic' | 'ordinal';
  /** The model matrix at the observed volumes (column-major n × p; with the intercept for logistic, without for ordinal). */
  readonly X0: Float64Array;
  /** The model matrix at h(V), per effect. */
  readonly X1: readonly Float64Array[];
  readonly n: number;
  readonly p: number;
  /** Logistic: 0/1 outcome; ordinal: category codes 0 … J − 1 (as numbers). */
  readonly y: Float64Array;
  readonly J: number;
  /** Ordinal: the last good category. */
  readonly good: number;
  /** 1 for the patients of the translation population. */
  readonly population: Uint8Array;
  /** The whole-data estimates (ordinal: thresholds then β, clm's order), the refits' start. */
  readonly start: Float64Array;
}

export interface ChainTask {
  readonly reference: Float64Array;
  /** The reference arm's mRS categories (codes 0 … J − 1), aligned with `reference`, when the control distribution comes from the data. */
  readonly referenceMrs: Int32Array | undefined;
  /** The control distribution when given (not resampled). */
  readonly mrsControl: readonly number[] | undefined;
  readonly mrsCategories: number;
  readonly effects: readonly VolumeEffect[];
  readonly volume: VolumeSettings;
  /** Planned total N per effect and volume test (the point estimate's, at the first target power). */
  readonly plannedVolume: readonly (readonly number[])[];
  /** Planned total N of the mRS trial per effect (Whitehead, average convention, first target power); NaN without a model. */
  readonly plannedMrs: readonly number[];
  readonly model: ChainModel | undefined;
  readonly seed: number;
  readonly stream: number;
  readonly start: number;
  readonly end: number;
}

/** The names of a replicate's values, in order: `<effect k>/<quantity>`. */
export function chainEstimateNames(t: Pick<ChainTask, 'effects' | 'volume' | 'model' | 'mrsControl' | 'referenceMrs'>): string[] {
  const names: string[] = [];
  const mrs = t.model !== undefined && (t.mrsControl !== undefined || t.referenceMrs !== undefined || t.model.type === 'ordinal');
  t.effects.forEach((_, e) => {
    for (const test of t.volume.tests) {
      t.volume.powers.forEach((pw) => names.push(`${e}/${test}/n@${pw}`));
      names.push(`${e}/${test}/power_planned`);
    }
    if (t.model !== undefined) names.push(`${e}/difference`, `${e}/${t.model.type === 'ordinal' ? 'common_or' : 'odds_ratio'}`);
    if (mrs) {
      for (const c of CONVENTIONS) {
        t.volume.powers.forEach((pw) => names.push(`${e}/whitehead_${c}/n@${pw}`));
        names.push(`${e}/whitehead_${c}/power_planned`);
      }
    }
  });
  return names;
}

/** Fraction of each category among codes. */
function distribution(codes: Int32Array, rows: Int32Array, J: number): number[] {
  const out = new Array<number>(J).fill(0);
  for (let i = 0; i < rows.length; i++) out[codes[rows[i]!]!]! += 1;
  return out.map((c) => c / rows.length);
}

/**
 * Where h changes the model matrix: per effect, the columns of X1 that differ from X0 (the volume's) and
 * X1 − X0 on them (column-major n × columns), so that η at h(V) is η at V plus a few columns' worth.
 */
function volumeShifts(model: ChainModel): { columns: number[]; delta: Float64Array }[] {
  const { n, p, X0 } = model;
  return model.X1.map((X1) => {
    const columns: number[] = [];
    for (let j = 0; j < p; j++) {
      for (let i = 0; i < n; i++) {
        if (X1[j * n + i] !== X0[j * n + i]) {
          columns.push(j);
          break;
        }
      }
    }
    const delta = new Float64Array(n * columns.length);
    columns.forEach((j, q) => {
      for (let i = 0; i < n; i++) delta[q * n + i] = X1[j * n + i]! - X0[j * n + i]!;
    });
    return { columns, delta };
  });
}

/** Rows (end − start) × names, row-major; NaN where a replicate failed (its reason in `failures`). */
export function runChainReplicates(t: ChainTask): { values: Float64Array; failures: { index: number; reason: string }[] } {
  const names = chainEstimateNames(t);
  const width = names.length;
  const B = t.end - t.start;
  const values = new Float64Array(B * width).fill(NaN);
  const failures: { index: number; reason: string }[] = [];
  const m = t.reference.length;
  const refRows = new Int32Array(m);
  const refVolumes = new Float64Array(m);
  const model = t.model;
  // a replicate's N to a hundredth of a patient (the point estimate's to 1e-10): 2–3 noncentral-t evaluations instead of 6–8
  const replicateSettings: VolumeSettings = { ...t.volume, tolerance: 0.01 };
  const mrs = model !== undefined && (t.mrsControl !== undefined || t.referenceMrs !== undefined || model.type === 'ordinal');
  const modelRows = new Int32Array(model?.n ?? 0);
  const Xb = new Float64Array(model === undefined ? 0 : model.n * model.p);
  // the replicate's population rows and their linear predictors, reused by every effect and replicate
  const popBuffer = new Int32Array(model?.n ?? 0);
  const etaAll = new Float64Array(model?.n ?? 0);
  const etaBuffer0 = new Float64Array(model?.n ?? 0);
  const etaBuffer1 = new Float64Array(model?.n ?? 0);
  const shifts = model === undefined ? [] : volumeShifts(model);
  for (let b = t.start; b < t.end; b++) {
    const row = values.subarray((b - t.start) * width, (b - t.start + 1) * width);
    let k = 0;
    try {
      rngFor(t.seed, t.stream, b, 0).intsInto(m, refRows, 0, m);
      for (let i = 0; i < m; i++) refVolumes[i] = t.reference[refRows[i]!]!;
      const control = t.mrsControl ?? (t.referenceMrs === undefined ? undefined : distribution(t.referenceMrs, refRows, t.mrsCategories));
      let fit: { beta: ArrayLike<number>; thresholds?: ArrayLike<number> } | undefined;
      let popRows: Int32Array | undefined;
      let g0: { type: 'logistic'; p0: number } | { type: 'ordinal'; pi0: number[] } | undefined;
      if (model !== undefined) {
        rngFor(t.seed, t.stream, b, 1).intsInto(model.n, modelRows, 0, model.n);
        matrixRows(model.X0, model.n, model.p, modelRows, Xb);
        fit = refit(model, Xb, modelRows);
        let np = 0;
        for (let i = 0; i < model.n; i++) if (model.population[modelRows[i]!] === 1) popBuffer[np++] = modelRows[i]!;
        popRows = popBuffer.subarray(0, np);
        // every patient's η at V (a sequential pass over X0), the population's taken from it: the same for every effect
        linearPredictor(model.X0, model.n, model.p, fit.beta, etaAll);
        const eta0 = etaBuffer0.subarray(0, np);
        for (let q = 0; q < np; q++) eta0[q] = etaAll[popRows[q]!]!;
        g0 = model.type === 'logistic' ? { type: 'logistic', p0: meanProbability(eta0) } : { type: 'ordinal', pi0: categoryProbabilities(eta0, fit.thresholds!) };
      }
      const prepared = prepareReference(refVolumes, t.volume);
      t.effects.forEach((effect, e) => {
        const vd = volumeDesign(refVolumes, effect, replicateSettings, prepared);
        t.volume.tests.forEach((test: VolumeTest, ti) => {
          for (const size of vd.sizes[test]!) row[k++] = size.total;
          const planned = t.plannedVolume[e]![ti]!;
          row[k++] = vd.power(test, t.volume.allocation * planned, (1 - t.volume.allocation) * planned);
        });
        if (model === undefined || fit === undefined || popRows === undefined || g0 === undefined) return;
        // η at h(V) = η at V + Σ β_j (X1 − X0)_j over the volume's columns
        const np = popRows.length;
        const eta1 = etaBuffer1.subarray(0, np);
        eta1.set(etaBuffer0.subarray(0, np));
        const { columns, delta } = shifts[e]!;
        columns.forEach((j, q) => {
          const bj = fit.beta[j]!;
          const o = q * model.n;
          for (let r = 0; r < np; r++) eta1[r] = eta1[r]! + bj * delta[o + popRows[r]!]!;
        });
        let cor: number;
        if (g0.type === 'logistic') {
          const p1 = meanProbability(eta1);
          row[k++] = p1 - g0.p0;
          cor = p1 / (1 - p1) / (g0.p0 / (1 - g0.p0));
          row[k++] = cor;
        } else {
          const pi1 = categoryProbabilities(eta1, fit.thresholds!);
          let d = 0;
          for (let c = 0; c <= model.good; c++) d += pi1[c]! - g0.pi0[c]!;
          row[k++] = d;
          cor = Math.exp(poProjection(g0.pi0, pi1).logCor);
          row[k++] = cor;
        }
        if (!mrs || control === undefined) return;
        for (const c of CONVENTIONS) {
          const w = whiteheadDesign(control, cor, c, t.volume.powers, t.volume.alpha, t.volume.allocation);
          for (const size of w.sizes) row[k++] = size.total;
          const planned = t.plannedMrs[e]!;
          row[k++] = w.power(t.volume.allocation * planned, (1 - t.volume.allocation) * planned);
        }
      });
      if (k !== width) throw new Error(`internal: ${k} values for ${width} names`);
    } catch (err) {
      row.fill(NaN);
      failures.push({ index: b, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  return { values, failures };
}

/** The model refitted on a resample of its patients (rows into the whole data's X0 and y). */
function refit(model: ChainModel, Xb: Float64Array, rows: Int32Array): { beta: ArrayLike<number>; thresholds?: ArrayLike<number> } {
  const n = rows.length;
  if (model.type === 'logistic') {
    const y = Float64Array.from(rows, (r) => model.y[r]!);
    const f = fitLogistic(Xb, n, model.p, y, { onFailure: 'error' });
    return { beta: f.coefficients };
  }
  const y = Int32Array.from(rows, (r) => model.y[r]!);
  const f = fitOrdinal(Xb, n, model.p, y, model.J, { checkHessian: false, start: model.start });
  if (!f.converged) throw new Error('the ordinal refit did not converge');
  return { beta: f.beta, thresholds: f.thresholds };
}
