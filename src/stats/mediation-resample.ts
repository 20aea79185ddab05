/**
 * A bootstrap resample of mediate's sample, as the mediation models take it (mediation.ts MediationData),
 * built from the whole sample's design instead of a design of the resampled table (the replicate
 * construct's fast path: mediate's StepKind.rowSamples).
 *
 *   mediationResampler(base) → per resample (the table rows drawn, a clustered draw's copies): its
 *                              MediationData, or undefined where buildDesign would treat it differently
 *   sortedDistinctRows(X, N, P, codes) → the whole sample's distinct rows, sorted by category, once
 *
 * A resample's complete rows and buildDesign's checks on them are sample-design.ts's. An ordinal outcome's
 * rows are handed to the models already collapsed (MediationData.collapsed): the whole sample's distinct
 * (outcome, design row) rows are found and sorted by category once, and a resample is their counts
 * (frequency weights). A mixed model's resample keeps its rows one by one with their clusters; a cluster
 * drawn twice is two clusters (ClusterCopies).
 */
import { matrixRows } from './linalg.js';
import { type MediationData, rowClasses } from './mediation.js';
import type { MixedMediationSpec } from './mixed/mediation.js';
import { type SampleDesign, sampleRows } from './sample-design.js';

/** The whole sample that resamples are drawn from. */
export interface MediationResampleBase {
  readonly data: MediationData;
  /** With random effects: the clusters of the sample's rows. */
  readonly mixed?: MixedMediationSpec | undefined;
  /** The sample design of the table's rows (sample-design.ts). */
  readonly rows: SampleDesign;
  /** An ordinal outcome without random effects: the sample's distinct rows (sortedDistinctRows). */
  readonly collapse: DistinctRows | undefined;
}

/** One resample, as mediation() or mixedMediation() take it, with buildDesign's dropped counts. */
export interface MediationResample {
  readonly data: MediationData;
  readonly mixed: MixedMediationSpec | undefined;
  readonly nDropped: number;
  readonly dropped: { variable: string; rows: number }[];
}

/** A clustered draw's copies (the replicate construct's ClusterCopies): copies[t] is which draw of its cluster of `column` row rows[t] comes from. */
export interface DrawCopies {
  readonly column: string;
  readonly copies: Int32Array;
}

/**
 * Per resample (the rows of the table drawn, in draw order), its MediationData; undefined for a resample
 * that `mediate` on the resampled table would treat differently from the whole sample — no complete row,
 * a constant term, an empty factor level, an outcome category missing — so that the caller runs the step.
 */
export function mediationResampler({ data: d, mixed: baseMixed, rows: sample, collapse }: MediationResampleBase): (rows: Int32Array, copies?: DrawCopies) => MediationResample | undefined {
  const Nd = d.n;
  const resampleCollapsed = collapse === undefined ? undefined : distinctRowsOfResample(collapse);
  const completeRows = sampleRows(sample);
  // a clustered resample of the mixed model's own grouping column: each draw of a cluster is a cluster
  let keptCopy = new Int32Array(0);
  return (rows, copies) => {
    // the resample's complete rows as design rows, refused where buildDesign would treat it differently
    const s = completeRows(rows);
    if (s === undefined) return undefined;
    const { keep, n, dropped } = s;
    const nDropped = rows.length - n;
    const source = { X: d.X, n: Nd, rows: keep.subarray(0, n) };
    if (baseMixed !== undefined) {
      const split = copies !== undefined && copies.column === baseMixed.group ? copies.copies : undefined;
      if (split !== undefined) {
        // the draw of each kept row (sampleRows keeps the complete rows in draw order)
        if (keptCopy.length < rows.length) keptCopy = new Int32Array(rows.length);
        for (let r = 0, t = 0; r < rows.length; r++) if (sample.designRowOf[rows[r]!]! >= 0) keptCopy[t++] = split[r]!;
      }
      // a mixed model: the resample's rows one by one (no collapsing: a row's cluster matters), with their clusters
      const outcome: MediationData['outcome'] =
        d.outcome.type === 'ordinal' ? { type: 'ordinal', codes: Int32Array.from(keep.subarray(0, n), (r) => (d.outcome as { codes: Int32Array }).codes[r]!), J: d.outcome.J } : { type: 'binary', y: Float64Array.from(keep.subarray(0, n), (r) => (d.outcome as { y: Float64Array }).y[r]!) };
      if (outcome.type === 'ordinal' && !everyCategory(outcome.codes, outcome.J)) return undefined;
      const data: MediationData = { n, X: new Float64Array(0), nCovariates: d.nCovariates, columns: d.columns, outcome, source };
      const L = baseMixed.levels.length;
      const codes = Int32Array.from(keep.subarray(0, n), (r, t) => baseMixed.codes[r]! + (split === undefined ? 0 : L * keptCopy[t]!));
      let levels = baseMixed.levels;
      if (split !== undefined) {
        let most = 0;
        for (let t = 0; t < n; t++) most = Math.max(most, keptCopy[t]!);
        levels = Array.from({ length: L * (most + 1) }, (_, k) => (k < L ? baseMixed.levels[k]! : `${baseMixed.levels[k % L]!} [${Math.floor(k / L) + 1}]`));
      }
      return { data, mixed: { ...baseMixed, codes, levels }, nDropped, dropped };
    }
    let data: MediationData;
    if (resampleCollapsed !== undefined && d.outcome.type === 'ordinal') {
      const c = resampleCollapsed(keep, n);
      if (c === undefined) return undefined; // the resample's categories differ
      data = { n, X: new Float64Array(0), nCovariates: d.nCovariates, columns: d.columns, outcome: { type: 'ordinal', codes: c.codes, J: d.outcome.J }, collapsed: c, source };
    } else {
      const y = new Float64Array(n);
      if (d.outcome.type === 'binary') for (let r = 0; r < n; r++) y[r] = d.outcome.y[keep[r]!]!;
      data = { n, X: new Float64Array(0), nCovariates: d.nCovariates, columns: d.columns, outcome: { type: 'binary', y }, source };
    }
    return { data, mixed: undefined, nDropped, dropped };
  };
}

/**
 * The distinct rows (outcome and design row) of a design of N rows, sorted by category: their design
 * rows (column-major K × P), categories, and the rank of each design row's distinct row.
 */
export interface DistinctRows {
  readonly K: number;
  readonly P: number;
  readonly J: number;
  readonly X: Float64Array;
  readonly codeOfRank: Int32Array;
  readonly rankOfRow: Int32Array;
}

export function sortedDistinctRows(X: Float64Array, N: number, P: number, codes: Int32Array): DistinctRows {
  const cls = rowClasses(X, N, P, codes);
  let K = 0;
  for (let i = 0; i < N; i++) K = Math.max(K, cls[i]! + 1);
  // each class's first row (classes are numbered in order of first occurrence), then classes by category (stable)
  const firstRow = new Int32Array(K).fill(-1);
  for (let i = 0; i < N; i++) if (firstRow[cls[i]!] === -1) firstRow[cls[i]!] = i;
  let J = 0;
  for (let i = 0; i < N; i++) J = Math.max(J, codes[i]! + 1);
  const start = new Int32Array(J + 1);
  for (let k = 0; k < K; k++) start[codes[firstRow[k]!]! + 1]!++;
  for (let c = 0; c < J; c++) start[c + 1] = start[c + 1]! + start[c]!;
  const rankOfClass = new Int32Array(K);
  for (let k = 0; k < K; k++) rankOfClass[k] = start[codes[firstRow[k]!]!]!++;
  const Xr = new Float64Array(K * P);
  const codeOfRank = new Int32Array(K);
  for (let k = 0; k < K; k++) {
    const r = rankOfClass[k]!;
    codeOfRank[r] = codes[firstRow[k]!]!;
    for (let j = 0; j < P; j++) Xr[j * K + r] = X[j * N + firstRow[k]!]!;
  }
  return { K, P, J, X: Xr, codeOfRank, rankOfRow: Int32Array.from(cls, (k) => rankOfClass[k]!) };
}

/**
 * For a resample (its design rows) its distinct rows with their counts, in DistinctRows' order, gathered
 * into work arrays reused by every resample; undefined when a category has no row.
 */
function distinctRowsOfResample({ K, P, J, X: Xr, codeOfRank, rankOfRow }: DistinctRows): (rows: Int32Array, n: number) => { n: number; X: Float64Array; codes: Int32Array; weights: Float64Array } | undefined {
  const count = new Int32Array(K);
  const sel = new Int32Array(K);
  const weights = new Float64Array(K);
  const selCodes = new Int32Array(K);
  const Xs = new Float64Array(K * P);
  const perCategory = new Int32Array(J);
  return (rows, n) => {
    const m = countDistinct(rows, n, rankOfRow, count, sel, weights);
    perCategory.fill(0);
    for (let t = 0; t < m; t++) perCategory[(selCodes[t] = codeOfRank[sel[t]!]!)]!++;
    for (let c = 0; c < J; c++) if (perCategory[c] === 0) return undefined;
    const Xm = Xs.subarray(0, m * P);
    matrixRows(Xr, K, P, sel.subarray(0, m), Xm);
    return { n: m, X: Xm, codes: selCodes.subarray(0, m), weights: weights.subarray(0, m) };
  };
}

/**
 * How often each rank occurs among rankOf[rows[0..n−1]] (count, zeroed here), and the ranks that occur in
 * increasing order (sel) with their counts (weights); returns their number.
 */
function countDistinct(rows: Int32Array, n: number, rankOf: Int32Array, count: Int32Array, sel: Int32Array, weights: Float64Array): number {
  count.fill(0);
  for (let r = 0; r < n; r++) count[rankOf[rows[r]!]!]!++;
  // without a branch on c (about a third of the ranks are absent from a resample, at random): each rank is
  // written at m, which moves on only when it occurs (−c >>> 31 is 1 for a count c > 0, 0 for c = 0)
  let m = 0;
  const K = count.length;
  for (let k = 0; k < K; k++) {
    const c = count[k]!;
    sel[m] = k;
    weights[m] = c;
    m += -c >>> 31;
  }
  return m;
}

/** Whether every category 0 … J − 1 occurs in codes. */
function everyCategory(codes: Int32Array, J: number): boolean {
  const seen = new Uint8Array(J);
  let k = 0;
  for (let i = 0; i < codes.length && k < J; i++) {
    if (seen[codes[i]!] === 0) {
      seen[codes[i]!] = 1;
      k++;
    }
  }
  return k === J;
}
