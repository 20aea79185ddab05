/**
 * One chain of multiple imputation by chained equations, as `mice:::sampler` (mice 3.15) runs for one
 * imputation: start every missing cell at a random draw from the observed values of its variable
 * (`mice.impute.sample`), then `maxit` times visit the incomplete variables in order and re-impute
 * each from the current completed values of its predictors. mice advances its m chains side by side
 * on one random stream; here chain k draws from its own stream `rngFor(seed, k)`, so imputations are
 * independent of each other and of the number of workers that compute them.
 */
import type { Rng } from '../rng.js';
import { crossprod, gatherCentered, selectColumns } from './crossprod.js';
import { removeLinearDependence } from './lindep.js';
import { subMatrix } from '../linalg.js';
import { meanSd } from '../moments.js';
import { imputeLogreg, type WarmStart } from './logreg.js';
import { normDraw } from './norm-draw.js';
import { matchIndex } from './pmm.js';
import { imputePolr } from './polr.js';
import { imputePolyreg } from './polyreg.js';

export type MiceMethod = 'pmm' | 'logreg' | 'polr' | 'polyreg';
export const miceMethods: readonly MiceMethod[] = ['pmm', 'logreg', 'polr', 'polyreg'];

export interface ChainVariable {
  readonly name: string;
  /** For a factor, its number of levels (values are codes 0..levels−1); 0 for a numeric variable. */
  readonly levels: number;
  /** NaN marks a missing value (factor codes as numbers). */
  readonly values: Float64Array;
  /** How it is imputed; null when it is complete or only a predictor. */
  readonly method: MiceMethod | null;
  /** Indices (into `variables`) of its predictors. */
  readonly predictors: readonly number[];
}

export interface ChainSpec {
  readonly nrows: number;
  readonly variables: readonly ChainVariable[];
  /** Indices of the variables to impute, in visiting order. */
  readonly visit: readonly number[];
  readonly maxit: number;
  /** pmm donor pool size (mice: 5). */
  readonly donors: number;
}

export interface ChainResult {
  /** Per visited variable (same order as `visit`): the imputed values of its missing rows, in row order. */
  readonly imputed: Float64Array[];
  /** chainMean[v][it], chainSd[v][it]: mean and SD of the imputed values of visited variable v after iteration it. */
  readonly chainMean: number[][];
  readonly chainSd: number[][];
  /** Univariate imputations that needed mice's ridge (near-collinear predictors). */
  readonly ridged: number;
}

/** Rows where `values` is missing / observed. */
export function missingRows(values: Float64Array): { obs: Int32Array; mis: Int32Array } {
  let nm = 0;
  for (const v of values) if (Number.isNaN(v)) nm++;
  const obs = new Int32Array(values.length - nm);
  const mis = new Int32Array(nm);
  let a = 0;
  let b = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i]!)) mis[b++] = i;
    else obs[a++] = i;
  }
  return { obs, mis };
}

export function runChain(spec: ChainSpec, rng: Rng): ChainResult {
  const n = spec.nrows;
  const current = spec.variables.map((v) => Float64Array.from(v.values));
  const rows = spec.variables.map((v) => missingRows(v.values));
  // Predictor columns of each variable: itself (numeric) or its treatment dummies (factor), kept in step with `current`.
  const expanded: Float64Array[][] = spec.variables.map((v, j) => (v.levels === 0 ? [current[j]!] : Array.from({ length: Math.max(v.levels - 1, 0) }, () => new Float64Array(n))));
  const refreshDummies = (j: number): void => {
    const v = spec.variables[j]!;
    if (v.levels === 0) return;
    const cur = current[j]!;
    expanded[j]!.forEach((d, l) => {
      for (let i = 0; i < n; i++) d[i] = cur[i] === l + 1 ? 1 : 0;
    });
  };

  for (const j of spec.visit) {
    const { obs, mis } = rows[j]!;
    const cur = current[j]!;
    for (const r of mis) cur[r] = cur[obs[rng.int(obs.length)]!]!;
  }
  for (let j = 0; j < spec.variables.length; j++) refreshDummies(j);

  // One scratch block for the gathered [x, y] of the largest model, reused by every univariate imputation.
  const widest = Math.max(0, ...spec.visit.map((j) => spec.variables[j]!.predictors.reduce((s, k) => s + expanded[k]!.length, 0)));
  const scratch = new Float64Array(n * (widest + 1));
  const warm = spec.variables.map((): WarmStart => ({}));
  const chainMean = spec.visit.map(() => [] as number[]);
  const chainSd = spec.visit.map(() => [] as number[]);
  let ridged = 0;
  for (let it = 0; it < spec.maxit; it++) {
    spec.visit.forEach((j, vi) => {
      const v = spec.variables[j]!;
      const { obs, mis } = rows[j]!;
      const cur = current[j]!;
      const cols = v.predictors.flatMap((s) => expanded[s]!);
      const yObs = new Float64Array(obs.length);
      for (let i = 0; i < obs.length; i++) yObs[i] = cur[obs[i]!]!;

      // remove.lindep on the observed rows, from the centred cross-products of [x, y].
      const g = gatherCentered([...cols, cur], obs, scratch);
      const s = crossprod(g);
      const p = cols.length;
      const keep = removeLinearDependence(s, p, obs.length);
      const kept = keep.map((c) => cols[c]!);

      let imputed: Float64Array;
      switch (v.method) {
        case 'pmm': {
          const gx = selectColumns({ n: g.n, p, x: g.x.subarray(0, g.n * p), means: g.means.subarray(0, p) }, keep);
          const draw = normDraw(gx, yObs, rng, subMatrix(s, p + 1, keep));
          if (draw.ridged) ridged++;
          // Type-1 matching: donors scored with β̂, targets with β*.
          const yhatMis = new Float64Array(mis.length).fill(draw.alpha);
          kept.forEach((col, c) => {
            const b = draw.beta[c]!;
            const m = gx.means[c]!;
            for (let i = 0; i < mis.length; i++) yhatMis[i]! += b * (col[mis[i]!]! - m);
          });
          const idx = matchIndex(draw.fittedObs, yhatMis, spec.donors, rng);
          imputed = new Float64Array(mis.length);
          for (let i = 0; i < mis.length; i++) imputed[i] = yObs[idx[i]!]!;
          break;
        }
        case 'logreg':
          // 0/1 values, or the codes of a two-level factor.
          imputed = imputeLogreg(kept, obs, yObs, mis, rng, warm[j]);
          break;
        case 'polr':
          imputed = imputePolr(kept, obs, yObs, mis, rng, warm[j]);
          break;
        case 'polyreg':
          imputed = imputePolyreg(kept, obs, yObs, mis, rng, warm[j]);
          break;
        case null:
          return;
      }
      for (let i = 0; i < mis.length; i++) cur[mis[i]!] = imputed[i]!;
      refreshDummies(j);
      const { mean, sd } = meanSd(imputed);
      chainMean[vi]!.push(mean);
      chainSd[vi]!.push(sd);
    });
  }
  const imputed = spec.visit.map((j) => {
    const { mis } = rows[j]!;
    const cur = current[j]!;
    return Float64Array.from(mis, (r) => cur[r]!);
  });
  return { imputed, chainMean, chainSd, ridged };
}
