/**
 * From a data table to Grotta-bar counts: the outcome (mRS 0..6, numeric or a factor) tabulated by a
 * grouping column (the arm). Rows missing either value are left out and counted.
 */
import { getColumn, type Column, type Table } from '../../data/table.js';
import { DataError } from '../../errors.js';
import type { GrottaGroup } from '../figures/grotta.js';

export interface GrottaCounts {
  readonly categories: string[];
  readonly groups: GrottaGroup[];
  readonly missing: number;
}

/** The value of row i as a label ("0", "1", "ICA"), or undefined when missing. */
function labelAt(col: Column, i: number): string | undefined {
  switch (col.type) {
    case 'number': {
      const v = col.values[i]!;
      return Number.isNaN(v) ? undefined : String(v);
    }
    case 'factor': {
      const code = col.codes[i]!;
      return code < 0 ? undefined : col.levels[code];
    }
    case 'string':
      return col.values[i] ?? undefined;
  }
}

/** Levels of a column in their natural order: factor levels as declared, numbers ascending, strings by code unit. */
function levelsOf(col: Column, present: Set<string>): string[] {
  if (col.type === 'factor') return col.levels.filter((l) => present.has(l));
  const all = [...present];
  if (col.type === 'number') return all.sort((a, b) => Number(a) - Number(b));
  return all.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Counts of `outcome` by `by`. `groupLabels` (value as text → name, in display order) renames the
 * groups and fixes their order; groups it does not name follow in their natural order.
 */
export function grottaCounts(table: Table, outcome: string, by: string, groupLabels?: ReadonlyMap<string, string>): GrottaCounts {
  const y = getColumn(table, outcome, 'the report\'s grotta section');
  const g = getColumn(table, by, 'the report\'s grotta section');
  if (y.type === 'number') {
    for (let i = 0; i < table.nrows; i++) {
      const v = y.values[i]!;
      if (!Number.isNaN(v) && !Number.isInteger(v)) {
        throw new DataError(`column "${outcome}" has the non-integer value ${v} at row ${i + 1}: Grotta bars need an ordinal scale (mRS 0–6)`, {
          hint: `name an ordinal column in the grotta section's outcome`,
        });
      }
    }
  }
  const ys = new Set<string>();
  const gs = new Set<string>();
  let missing = 0;
  const pairs: [string, string][] = [];
  for (let i = 0; i < table.nrows; i++) {
    const a = labelAt(y, i);
    const b = labelAt(g, i);
    if (a === undefined || b === undefined) {
      missing++;
      continue;
    }
    ys.add(a);
    gs.add(b);
    pairs.push([a, b]);
  }
  const categories = levelsOf(y, ys);
  if (y.type === 'number' && categories.length > 0) {
    // Show every score between the lowest and highest, even one nobody had.
    const lo = Number(categories[0]);
    const hi = Number(categories[categories.length - 1]);
    categories.splice(0, categories.length, ...Array.from({ length: hi - lo + 1 }, (_, k) => String(lo + k)));
  }
  let groupKeys = levelsOf(g, gs);
  if (groupLabels !== undefined) {
    const named = [...groupLabels.keys()].filter((k) => gs.has(k));
    groupKeys = [...named, ...groupKeys.filter((k) => !named.includes(k))];
  }
  const catIndex = new Map(categories.map((cat, i) => [cat, i]));
  const groupIndex = new Map(groupKeys.map((k, i) => [k, i]));
  const counts = groupKeys.map(() => new Array<number>(categories.length).fill(0));
  for (const [a, b] of pairs) counts[groupIndex.get(b)!]![catIndex.get(a)!]! += 1;
  return {
    categories,
    groups: groupKeys.map((k, i) => ({ label: groupLabels?.get(k) ?? `${by} = ${k}`, counts: counts[i]! })),
    missing,
  };
}
