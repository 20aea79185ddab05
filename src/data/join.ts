/**
 * Merging two tables by key columns, as R's `merge(x, y, by.x, by.y, all.x)`: a clinical table with an
 * imaging core-lab table, one row per patient in each. Written by hand rather than with arquero, whose
 * join compiles its key and column accessors into JavaScript source that embeds the column names (user
 * strings, from the data files) and cannot say which keys are duplicated or unmatched.
 *
 * - `how: inner` keeps the left rows that match, `left` keeps every left row (the right's columns
 *   missing where there is no match); rows stay in the left table's order (R's merge sorts by key).
 * - The relationship is declared and checked: `one-to-one` (no key twice on either side) or
 *   `many-to-one` (several left rows may share a right row, e.g. patients and their trial's table).
 *   A key twice in the right table is always an error: it would duplicate left rows.
 * - A missing key value matches nothing (R's merge matches NA with NA; a patient without an ID is not
 *   the same patient as another without one).
 * - Numbers are matched by value, text by its characters; a number key against a text key is refused.
 * - Other columns present on both sides get R's suffixes `.x` and `.y`.
 */
import { DataError, listNames } from '../errors.js';
import { formatNumber } from './csv.js';
import { getColumn, isMissing, type Column, type Table } from './table.js';

export interface JoinOptions {
  readonly leftName: string;
  readonly rightName: string;
  readonly byLeft: readonly string[];
  readonly byRight: readonly string[];
  readonly how: 'inner' | 'left';
  readonly relationship: 'one-to-one' | 'many-to-one';
  readonly suffix: readonly [string, string];
}

export interface JoinResult {
  readonly table: Table;
  /** Left rows without a match (not counting missing keys), with their keys. */
  readonly unmatchedLeft: readonly string[];
  /** Right rows no left row matched. */
  readonly unmatchedRight: readonly string[];
  /** Left rows whose key has a missing value. */
  readonly missingKeys: number;
}

/** The key of row i as one string (parts separated by a character no key holds), or undefined when a part is missing. */
function keyOf(cols: readonly Column[], i: number): string | undefined {
  let key = '';
  for (let k = 0; k < cols.length; k++) {
    const c = cols[k]!;
    if (isMissing(c, i)) return undefined;
    const part = c.type === 'number' ? formatNumber(c.values[i]!) : c.type === 'factor' ? c.levels[c.codes[i]!]! : c.values[i]!;
    key += (k === 0 ? '' : '\u0000') + part;
  }
  return key;
}

const shownKey = (key: string): string => JSON.stringify(key.replaceAll('\u0000', ', '));

function keyColumns(t: Table, names: readonly string[], step: string, side: string): Column[] {
  return names.map((n) => {
    const c = getColumn(t, n, `the ${side} keys (by:) of the join, from step "${step}"`);
    return c;
  });
}

/** Keys that occur more than once, with their counts, for a message. */
function duplicates(counts: ReadonlyMap<string, number>): string[] {
  const out: string[] = [];
  for (const [k, n] of counts) if (n > 1) out.push(`${shownKey(k)} (${n} rows)`);
  return out;
}

export function joinTables(left: Table, right: Table, o: JoinOptions): JoinResult {
  const lk = keyColumns(left, o.byLeft, o.leftName, 'left');
  const rk = keyColumns(right, o.byRight, o.rightName, 'right');
  lk.forEach((c, k) => {
    const r = rk[k]!;
    if ((c.type === 'number') !== (r.type === 'number')) {
      const kind = (x: Column): string => (x.type === 'number' ? 'a number' : 'text');
      throw new DataError(`join key "${o.byLeft[k]!}" is ${kind(c)} in "${o.leftName}" but "${o.byRight[k]!}" is ${kind(r)} in "${o.rightName}"`, {
        hint: 'declare both key columns with the same type in their load steps (string keeps IDs such as "007" as written)',
      });
    }
  });

  const rightRow = new Map<string, number>();
  const rightCounts = new Map<string, number>();
  for (let i = 0; i < right.nrows; i++) {
    const key = keyOf(rk, i);
    if (key === undefined) continue;
    rightCounts.set(key, (rightCounts.get(key) ?? 0) + 1);
    if (!rightRow.has(key)) rightRow.set(key, i);
  }
  const dupRight = duplicates(rightCounts);
  if (dupRight.length > 0) {
    throw new DataError(`join: ${dupRight.length} key${dupRight.length === 1 ? ' occurs' : 's occur'} more than once in "${o.rightName}": ${listNames(dupRight)}`, {
      hint: `each left row must match at most one row of "${o.rightName}" (${o.relationship}); remove or aggregate the duplicate rows before the join`,
    });
  }

  const leftCounts = new Map<string, number>();
  const matches = new Int32Array(left.nrows);
  const unmatchedLeft: string[] = [];
  const used = new Uint8Array(right.nrows);
  let missingKeys = 0;
  for (let i = 0; i < left.nrows; i++) {
    const key = keyOf(lk, i);
    if (key === undefined) {
      missingKeys++;
      matches[i] = -1;
      continue;
    }
    leftCounts.set(key, (leftCounts.get(key) ?? 0) + 1);
    const r = rightRow.get(key);
    matches[i] = r ?? -1;
    if (r === undefined) unmatchedLeft.push(shownKey(key));
    else used[r] = 1;
  }
  if (o.relationship === 'one-to-one') {
    const dupLeft = duplicates(leftCounts);
    if (dupLeft.length > 0) {
      throw new DataError(`join: ${dupLeft.length} key${dupLeft.length === 1 ? ' occurs' : 's occur'} more than once in "${o.leftName}": ${listNames(dupLeft)}`, {
        hint: `a one-to-one join needs each key once on each side; if several rows of "${o.leftName}" belong to one row of "${o.rightName}", declare relationship: many-to-one`,
      });
    }
  }
  const unmatchedRight: string[] = [];
  for (let i = 0; i < right.nrows; i++) {
    if (used[i] === 0) {
      const key = keyOf(rk, i);
      if (key !== undefined) unmatchedRight.push(shownKey(key));
    }
  }

  // rows of the result: the left rows kept, and for each its right row (-1: none)
  const keep: number[] = [];
  for (let i = 0; i < left.nrows; i++) if (o.how === 'left' || matches[i]! >= 0) keep.push(i);
  const rightOf = Int32Array.from(keep, (i) => matches[i]!);

  const rightKeys = new Set(o.byRight);
  const rightNames = [...right.columns.keys()].filter((n) => !rightKeys.has(n));
  const leftKeys = new Set(o.byLeft);
  const both = new Set(rightNames.filter((n) => left.columns.has(n) && !leftKeys.has(n)));
  const cols = new Map<string, Column>();
  const put = (name: string, col: Column): void => {
    if (cols.has(name)) throw new DataError(`join: the result would have two columns called "${name}"`, { hint: 'rename one of them in its load step, or choose other suffix:' });
    cols.set(name, col);
  };
  for (const [name, col] of left.columns) put(both.has(name) ? name + o.suffix[0] : name, takeOrMissing(col, keep));
  for (const name of rightNames) put(both.has(name) ? name + o.suffix[1] : name, takeOrMissing(right.columns.get(name)!, rightOf));
  return { table: { nrows: keep.length, columns: cols }, unmatchedLeft, unmatchedRight, missingKeys };
}

/** The column at `rows`, with a missing value where the row is -1. */
function takeOrMissing(col: Column, rows: ArrayLike<number>): Column {
  const n = rows.length;
  switch (col.type) {
    case 'number': {
      const v = new Float64Array(n);
      for (let i = 0; i < n; i++) v[i] = rows[i]! < 0 ? NaN : col.values[rows[i]!]!;
      return { type: 'number', values: v };
    }
    case 'factor': {
      const c = new Int32Array(n);
      for (let i = 0; i < n; i++) c[i] = rows[i]! < 0 ? -1 : col.codes[rows[i]!]!;
      return { type: 'factor', codes: c, levels: col.levels };
    }
    case 'string': {
      const v = new Array<string | null>(n);
      for (let i = 0; i < n; i++) v[i] = rows[i]! < 0 ? null : col.values[rows[i]!]!;
      return { type: 'string', values: v };
    }
  }
}
