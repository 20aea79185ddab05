/**
 * The in-memory data table passed between steps: named, typed, column-major arrays.
 * Numeric columns use NaN for a missing value; factor columns use code -1. A factor's first level is
 * its reference level (treatment contrasts are taken against it, as R's `contr.treatment`).
 * Binary variables (evt, sex_female) are numeric 0/1; comparisons in expressions yield 0/1.
 */
import { DataError, didYouMean, listNames } from '../errors.js';

export interface NumericColumn {
  readonly type: 'number';
  /** NaN marks a missing value. */
  readonly values: Float64Array;
}

export interface FactorColumn {
  readonly type: 'factor';
  /** Index into `levels`; -1 marks a missing value. */
  readonly codes: Int32Array;
  /** levels[0] is the reference level. */
  readonly levels: readonly string[];
}

export interface StringColumn {
  readonly type: 'string';
  /** null marks a missing value. */
  readonly values: readonly (string | null)[];
}

export type Column = NumericColumn | FactorColumn | StringColumn;

export interface Table {
  readonly nrows: number;
  /** Column order is insertion order and is part of the table's identity. */
  readonly columns: ReadonlyMap<string, Column>;
}

export function makeTable(columns: Iterable<readonly [string, Column]>): Table {
  const map = new Map<string, Column>(columns);
  let nrows: number | undefined;
  for (const [name, col] of map) {
    const n = columnLength(col);
    if (nrows === undefined) nrows = n;
    else if (n !== nrows) throw new DataError(`column "${name}" has ${n} rows, expected ${nrows}`);
  }
  return { nrows: nrows ?? 0, columns: map };
}

export function columnLength(col: Column): number {
  return col.type === 'factor' ? col.codes.length : col.values.length;
}

/** The column called `name`, or a DataError naming the closest column. `what` says who asked (e.g. `formula term "log(fiv)"`). */
export function getColumn(table: Table, name: string, what?: string): Column {
  const col = table.columns.get(name);
  if (col === undefined) {
    throw new DataError(`unknown column "${name}"${what === undefined ? '' : ` in ${what}`}${didYouMean(name, table.columns.keys())}`, {
      hint: `the data has columns: ${listNames(table.columns.keys())}`,
    });
  }
  return col;
}

/** The numeric values of a column (factor codes are refused). */
export function getNumeric(table: Table, name: string, what?: string): Float64Array {
  const col = getColumn(table, name, what);
  if (col.type !== 'number') {
    throw new DataError(`column "${name}" is a ${col.type}, a number was expected${what === undefined ? '' : ` in ${what}`}`, {
      hint: col.type === 'factor' ? `declare it with type: number in the load step, or use it as a factor term` : `declare its type in the load step`,
    });
  }
  return col.values;
}

export function isMissing(col: Column, i: number): boolean {
  switch (col.type) {
    case 'number':
      return Number.isNaN(col.values[i]!);
    case 'factor':
      return col.codes[i]! < 0;
    case 'string':
      return col.values[i] === null;
  }
}

/** A new table with the rows at `rows` (in that order; repeats allowed, as in a bootstrap resample). */
export function takeRows(table: Table, rows: ArrayLike<number>): Table {
  const cols: [string, Column][] = [];
  for (const [name, col] of table.columns) cols.push([name, takeColumn(col, rows)]);
  return { nrows: rows.length, columns: new Map(cols) };
}

export function takeColumn(col: Column, rows: ArrayLike<number>): Column {
  const n = rows.length;
  switch (col.type) {
    case 'number': {
      const v = new Float64Array(n);
      for (let i = 0; i < n; i++) v[i] = col.values[rows[i]!]!;
      return { type: 'number', values: v };
    }
    case 'factor': {
      const c = new Int32Array(n);
      for (let i = 0; i < n; i++) c[i] = col.codes[rows[i]!]!;
      return { type: 'factor', codes: c, levels: col.levels };
    }
    case 'string': {
      const v: (string | null)[] = new Array<string | null>(n);
      for (let i = 0; i < n; i++) v[i] = col.values[rows[i]!]!;
      return { type: 'string', values: v };
    }
  }
}

/** The table with `column` added (or replaced, keeping its position). */
export function withColumn(table: Table, name: string, column: Column): Table {
  if (columnLength(column) !== table.nrows) {
    throw new DataError(`column "${name}" has ${columnLength(column)} rows, the table has ${table.nrows}`);
  }
  const map = new Map(table.columns);
  map.set(name, column);
  return { nrows: table.nrows, columns: map };
}

/** The value of row i as a JS value (number, level string or string; null when missing). */
export function cellValue(col: Column, i: number): number | string | null {
  switch (col.type) {
    case 'number': {
      const x = col.values[i]!;
      return Number.isNaN(x) ? null : x;
    }
    case 'factor': {
      const c = col.codes[i]!;
      return c < 0 ? null : col.levels[c]!;
    }
    case 'string':
      return col.values[i] ?? null;
  }
}
