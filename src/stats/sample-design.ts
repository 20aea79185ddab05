/**
 * A model's design on row samples of its table, without building it again per sample — what the kinds'
 * fast paths (StepKind.rowSamples: mediate, fit_ordinal) share. The design is built once on the whole
 * table; a sample's design is then its complete rows taken from it, which is the design `buildDesign` gives
 * for takeRows(table, rows) when every model variable is a plain column (a row's design row then depends on
 * that row alone: no spline, whose knots come from the whole sample). A sample that `buildDesign` would
 * treat differently — no complete row, a constant numeric variable, a factor level without rows — is
 * refused (undefined), so that the caller runs the step itself and gets its result or its error. The rules
 * are buildDesign's own (design.ts: missingMask, isConstantOn, everyLevelOn), applied to a sample's rows.
 *
 * A sample comes as the rows drawn (with repeats, in draw order); `countRows` turns its complete rows into
 * the distinct design rows with their counts, the frequency weights of a model fitted to them.
 */
import type { Column, Table } from '../data/table.js';
import { everyLevelOn, isConstantOn, missingMask } from './design.js';
import type { Formula } from './formula.js';

/** What a sample's rows are checked against, built once from the whole table (typed arrays and plain objects only). */
export interface SampleDesign {
  /** design row of each table row, −1 for an incomplete row */
  readonly designRowOf: Int32Array;
  /** per table row, which noted variables it misses (bit k: noted[k]) */
  readonly missingBits: Int32Array;
  /** the variables as buildDesign notes their missing values: the response, then the formula's variables */
  readonly noted: readonly string[];
  /** buildDesign's checks per design row: a numeric variable's values, a factor's codes and level count */
  readonly checks: readonly ({ readonly type: 'number'; readonly values: Float64Array } | { readonly type: 'factor'; readonly codes: Int32Array; readonly levels: number })[];
}

/**
 * The sample design of `formula` on `table` (`designRows`: the whole table's complete rows, buildDesign's
 * ModelData.rows), or undefined when a design row does not depend on its row alone: a response or variable
 * that is not a plain column (a spline, a computed term), or more than 31 variables.
 */
export function sampleDesign(formula: Formula, table: Table, designRows: Int32Array): SampleDesign | undefined {
  const response = formula.response;
  if (response?.expr.type !== 'col') return undefined;
  const noted: { label: string; col: Column }[] = [{ label: response.label, col: table.columns.get(response.expr.name)! }];
  for (const v of formula.variables) {
    if (v.kind !== 'expr' || v.expr.type !== 'col') return undefined;
    const col = table.columns.get(v.expr.name);
    if (col === undefined || col.type === 'string') return undefined;
    noted.push({ label: v.label, col });
  }
  if (noted.length > 31) return undefined;
  const N = table.nrows;
  const designRowOf = new Int32Array(N).fill(-1);
  designRows.forEach((i, r) => (designRowOf[i] = r));
  const missingBits = new Int32Array(N);
  noted.forEach(({ col }, k) => missingMask(col, missingBits, 1 << k));
  const checks: SampleDesign['checks'][number][] = [];
  for (const { col } of noted.slice(1)) {
    if (col.type === 'number') checks.push({ type: 'number', values: Float64Array.from(designRows, (i) => col.values[i]!) });
    else if (col.type === 'factor') checks.push({ type: 'factor', codes: Int32Array.from(designRows, (i) => col.codes[i]!), levels: col.levels.length });
  }
  return { designRowOf, missingBits, noted: noted.map((v) => v.label), checks };
}

/** A sample's complete rows: `keep[0 … n − 1]`, design rows in draw order (a work array, valid until the next call), and buildDesign's dropped counts. */
export interface SampleRows {
  readonly keep: Int32Array;
  readonly n: number;
  readonly dropped: { variable: string; rows: number }[];
}

/** Per sample (the rows drawn): its complete rows, or undefined for a sample buildDesign would treat differently. */
export function sampleRows({ designRowOf, missingBits, noted, checks }: SampleDesign): (rows: Int32Array) => SampleRows | undefined {
  const seen = new Uint8Array(Math.max(1, ...checks.map((c) => (c.type === 'factor' ? c.levels : 0))));
  // Work arrays reused by every sample (a sample's rows do not outlive the caller's use of them).
  let keep = new Int32Array(0);
  const missCount = new Int32Array(noted.length);
  return (rows) => {
    if (keep.length < rows.length) keep = new Int32Array(rows.length);
    // complete rows of the sample, as design rows; missing values counted per variable
    let n = 0;
    missCount.fill(0);
    for (let r = 0; r < rows.length; r++) {
      const i = rows[r]!;
      const dr = designRowOf[i]!;
      if (dr >= 0) keep[n++] = dr;
      else for (let bits = missingBits[i]!, k = 0; bits !== 0; bits >>>= 1, k++) if ((bits & 1) !== 0) missCount[k]!++;
    }
    if (n === 0) return undefined;
    // buildDesign's checks on the kept rows: a constant numeric variable, an empty factor level
    for (const c of checks) {
      if (c.type === 'number' ? isConstantOn(c.values, keep, n) : !everyLevelOn(c.codes, keep, n, c.levels, seen)) return undefined;
    }
    const dropped: { variable: string; rows: number }[] = [];
    noted.forEach((label, k) => {
      if (missCount[k]! > 0) dropped.push({ variable: label, rows: missCount[k]! });
    });
    return { keep, n, dropped };
  };
}

/** The distinct design rows among keep[0 … n − 1] (of a design with N rows), ascending, with how often each occurs. */
export function countRows(keep: Int32Array, n: number, N: number): { rows: Int32Array; counts: Float64Array } {
  const count = new Int32Array(N);
  for (let r = 0; r < n; r++) count[keep[r]!]!++;
  let m = 0;
  for (let i = 0; i < N; i++) if (count[i]! > 0) m++;
  const rows = new Int32Array(m);
  const counts = new Float64Array(m);
  for (let i = 0, t = 0; i < N; i++) {
    if (count[i]! === 0) continue;
    rows[t] = i;
    counts[t++] = count[i]!;
  }
  return { rows, counts };
}
