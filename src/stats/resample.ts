/**
 * Row resampling for the bootstrap and the jackknife, over "units" (rows, or clusters of rows such
 * as trials) optionally grouped in strata. Pure index arithmetic: the rows of a replicate depend
 * only on the design and the random stream handed in.
 *
 * Exported API: resamplingDesign(n, strata, clusters) → ResamplingDesign; unitRowsOf(design, u);
 * bootstrapRows(design, rng); jackknifeRows(design, unit); drawCopies(design, rows).
 */
import type { Rng } from './rng.js';

export interface ResamplingDesign {
  /** Number of units (rows, or clusters). */
  readonly units: number;
  /**
   * The rows of unit u, ascending: unitRows[unitStart[u] … unitStart[u + 1] − 1] (unitRowsOf). Two flat
   * arrays rather than one per unit: the design goes to the worker threads with every batch.
   */
  readonly unitStart: Int32Array;
  readonly unitRows: Int32Array;
  /** strataUnits[s]: the units of stratum s (strata in order of first appearance), ascending. */
  readonly strataUnits: readonly Int32Array[];
  /** The stratum of each unit. */
  readonly stratumOf: Int32Array;
  readonly nrows: number;
}

/**
 * `strata[i]` and `clusters[i]` are integer codes per row (any values; null for "none"). A cluster must
 * lie within one stratum. Rows with a missing code (negative) form their own group -1 → refused by the caller.
 */
export function resamplingDesign(n: number, strata: Int32Array | null, clusters: Int32Array | null): ResamplingDesign {
  // units
  const unitOfRow = new Int32Array(n);
  const rowsLists: number[][] = [];
  if (clusters === null) {
    for (let i = 0; i < n; i++) {
      unitOfRow[i] = i;
      rowsLists.push([i]);
    }
  } else {
    const index = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      let u = index.get(clusters[i]!);
      if (u === undefined) {
        u = rowsLists.length;
        index.set(clusters[i]!, u);
        rowsLists.push([]);
      }
      unitOfRow[i] = u;
      rowsLists[u]!.push(i);
    }
  }
  const units = rowsLists.length;
  const stratumOf = new Int32Array(units);
  const strataLists: number[][] = [];
  if (strata === null) {
    strataLists.push(Array.from({ length: units }, (_, u) => u));
  } else {
    const index = new Map<number, number>();
    for (let u = 0; u < units; u++) {
      const code = strata[rowsLists[u]![0]!]!;
      for (const r of rowsLists[u]!) {
        if (strata[r] !== code) throw new RangeError(`cluster of row ${r + 1} spans more than one stratum`);
      }
      let s = index.get(code);
      if (s === undefined) {
        s = strataLists.length;
        index.set(code, s);
        strataLists.push([]);
      }
      stratumOf[u] = s;
      strataLists[s]!.push(u);
    }
  }
  const unitStart = new Int32Array(units + 1);
  rowsLists.forEach((r, u) => (unitStart[u + 1] = unitStart[u]! + r.length));
  const unitRows = Int32Array.from(rowsLists.flat());
  return { units, unitStart, unitRows, strataUnits: strataLists.map((s) => Int32Array.from(s)), stratumOf, nrows: n };
}

/** The rows of unit u, ascending (a view into the design). */
export function unitRowsOf(design: ResamplingDesign, u: number): Int32Array {
  return design.unitRows.subarray(design.unitStart[u], design.unitStart[u + 1]);
}

/** One bootstrap resample: within each stratum, as many units drawn with replacement as it has; their rows, in draw order. */
export function bootstrapRows(design: ResamplingDesign, rng: Rng): Int32Array {
  if (design.units === design.nrows) {
    // units are rows (unit u is row u): the resample has exactly n rows (same draws as the general case below)
    const out = new Int32Array(design.nrows);
    let k = 0;
    for (const units of design.strataUnits) {
      const m = units.length;
      // the draws in place, then each replaced by the unit it names
      rng.intsInto(m, out, k, m);
      for (let j = 0; j < m; j++, k++) out[k] = units[out[k]!]!;
    }
    return out;
  }
  const rows: number[] = [];
  for (const units of design.strataUnits) {
    const m = units.length;
    for (let k = 0; k < m; k++) {
      const u = units[rng.int(m)]!;
      for (let t = design.unitStart[u]!, end = design.unitStart[u + 1]!; t < end; t++) rows.push(design.unitRows[t]!);
    }
  }
  return Int32Array.from(rows);
}

/** The rows of every unit but `unit`, in data order (a jackknife sample). */
export function jackknifeRows(design: ResamplingDesign, unit: number): Int32Array {
  const drop = unitRowsOf(design, unit);
  const out = new Int32Array(design.nrows - drop.length);
  let k = 0;
  let d = 0;
  for (let i = 0; i < design.nrows; i++) {
    if (d < drop.length && drop[d] === i) {
      d++;
      continue;
    }
    out[k++] = i;
  }
  return out;
}

/**
 * Which draw of its cluster each row of a clustered resample (bootstrapRows with clusters) comes from:
 * 0 for a cluster's first draw in the resample, 1 for its second, …  A cluster drawn twice is two clusters
 * of the replicate (the cluster bootstrap's rule): a model with a random effect for the cluster column must
 * give each copy its own effect. Each draw adds its cluster's rows as one ascending run, so a run starts
 * where the cluster changes or a row is not above the one before.
 */
export function drawCopies(design: ResamplingDesign, rows: Int32Array): Int32Array {
  const unitOf = new Int32Array(design.nrows);
  for (let u = 0; u < design.units; u++) for (let t = design.unitStart[u]!; t < design.unitStart[u + 1]!; t++) unitOf[design.unitRows[t]!] = u;
  const seen = new Int32Array(design.units);
  const copies = new Int32Array(rows.length);
  let copy = 0;
  for (let t = 0; t < rows.length; t++) {
    const u = unitOf[rows[t]!]!;
    if (t === 0 || u !== unitOf[rows[t - 1]!] || rows[t]! <= rows[t - 1]!) copy = seen[u]!++;
    copies[t] = copy;
  }
  return copies;
}
