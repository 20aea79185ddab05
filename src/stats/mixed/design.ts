/**
 * From a fixed-effects design (design.ts's ModelData) and a random-effect term to a mixed model's data:
 * the grouping factor of the fitted rows (rows missing it are dropped, as lme4's model.frame drops
 * them, and counted), and the random slope's column of X.
 *
 * The grouping column may be a factor, a text column or a whole-number column (lme4 makes any of them a
 * factor): levels are the factor's, or the distinct values in code-unit / numeric order.
 */
import { DataError } from '../../errors.js';
import type { Column, Table } from '../../data/table.js';
import type { ModelData } from '../design.js';
import type { RandomTerm } from '../formula.js';

export interface MixedDesign {
  /** The model data with rows missing the grouping factor removed. */
  readonly md: ModelData;
  readonly group: { readonly codes: Int32Array; readonly levels: readonly string[]; readonly name: string };
  /** The random slope's column of md.X (md.X includes the intercept column when the design has one). */
  readonly slopeColumn: number | undefined;
}

/** The grouping column as factor codes (−1 missing) and levels. */
function asFactor(col: Column, name: string): { codes: Int32Array; levels: readonly string[] } {
  switch (col.type) {
    case 'factor':
      return { codes: col.codes, levels: col.levels };
    case 'string': {
      const levels = [...new Set(col.values.filter((v): v is string => v !== null))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const index = new Map(levels.map((l, k) => [l, k]));
      return { codes: Int32Array.from(col.values, (v) => (v === null ? -1 : index.get(v)!)), levels };
    }
    case 'number': {
      const values = [...new Set(Array.from(col.values).filter((v) => !Number.isNaN(v)))].sort((a, b) => a - b);
      const bad = values.find((v) => !Number.isInteger(v));
      if (bad !== undefined) {
        throw new DataError(`the grouping column "${name}" has the non-integer value ${bad}`, { hint: `a grouping factor identifies clusters: declare "${name}" as a factor in the load step` });
      }
      const index = new Map(values.map((v, k) => [v, k]));
      return { codes: Int32Array.from(col.values, (v) => (Number.isNaN(v) ? -1 : index.get(v)!)), levels: values.map(String) };
    }
  }
}

/** Keeps the rows of md where keep[r] is 1 (r indexes md's rows). */
function keepRows(md: ModelData, keep: Uint8Array, dropped: number, group: string): ModelData {
  const n = md.n;
  let m = 0;
  for (let r = 0; r < n; r++) m += keep[r]!;
  const take = new Int32Array(m);
  for (let r = 0, k = 0; r < n; r++) if (keep[r] === 1) take[k++] = r;
  const X = new Float64Array(m * md.p);
  for (let j = 0; j < md.p; j++) for (let k = 0; k < m; k++) X[j * m + k] = md.X[j * n + take[k]!]!;
  const response: ModelData['response'] =
    md.response === undefined
      ? undefined
      : md.response.type === 'number'
        ? { type: 'number', values: Float64Array.from(take, (r) => (md.response as { values: Float64Array }).values[r]!) }
        : { type: 'factor', codes: Int32Array.from(take, (r) => (md.response as { codes: Int32Array }).codes[r]!), levels: md.response.levels };
  return {
    ...md,
    X,
    n: m,
    response,
    weights: md.weights === undefined ? undefined : Float64Array.from(take, (r) => md.weights![r]!),
    rows: Int32Array.from(take, (r) => md.rows[r]!),
    nDropped: md.nDropped + dropped,
    dropped: [...md.dropped, { variable: group, rows: dropped }],
  };
}

export function mixedDesign(md0: ModelData, table: Table, term: RandomTerm): MixedDesign {
  const col = table.columns.get(term.group);
  if (col === undefined) {
    throw new DataError(`unknown grouping column "${term.group}" in the random-effect term "${term.label}"`, { hint: `the data has columns: ${[...table.columns.keys()].join(', ')}` });
  }
  const f = asFactor(col, term.group);
  // rows of the design missing the grouping factor
  const keep = new Uint8Array(md0.n);
  let missing = 0;
  for (let r = 0; r < md0.n; r++) {
    const ok = f.codes[md0.rows[r]!]! >= 0;
    keep[r] = ok ? 1 : 0;
    if (!ok) missing++;
  }
  const md = missing === 0 ? md0 : keepRows(md0, keep, missing, term.group);
  if (md.n === 0) throw new DataError(`no complete rows: every fitted row misses the grouping factor "${term.group}"`);
  const codes = Int32Array.from(md.rows, (i) => f.codes[i]!);
  let slopeColumn: number | undefined;
  if (term.slope !== undefined) {
    const label = term.slope.label;
    slopeColumn = md.design.columns.indexOf(label);
    if (slopeColumn < 0) {
      const isTerm = md.design.terms.some((t) => t.label === label);
      throw new DataError(
        isTerm
          ? `the random slope "${label}" in "${term.label}" is a factor (several columns): a random slope must be one numeric column`
          : `the random slope "${label}" in "${term.label}" is not among the fixed effects`,
        { hint: isTerm ? `code it as a 0/1 variable, e.g. derive a column` : `add "${label}" to the fixed effects too: a random slope varies around its fixed (average) slope` },
      );
    }
  }
  return { md, group: { codes, levels: f.levels, name: term.group }, slopeColumn };
}
