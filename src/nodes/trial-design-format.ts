/**
 * How a trial_design result writes numbers: sizes that cannot be reached as null, a real N as whole
 * patients per arm, an estimate with its delta-method and bootstrap intervals, rows as a CSV table.
 */
import type { JsonObject } from '../data/canonical.js';
import { type Column, type Table, makeTable } from '../data/table.js';
import type { Estimate } from '../stats/trial/g-computation.js';

/** null for a non-finite number (a size that cannot be reached). */
export function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Arms of a real total N rounded up to whole patients: ⌈t·N⌉ treated, ⌈(1 − t)·N⌉ control. */
export function wholeArms(total: number, allocation: number): { n: number | null; treated: number | null; control: number | null } {
  if (!Number.isFinite(total)) return { n: null, treated: null, control: null };
  const treated = Math.ceil(allocation * total - 1e-9);
  const control = Math.ceil((1 - allocation) * total - 1e-9);
  return { n: treated + control, treated, control };
}

export function estimateJson(e: Estimate, boot?: { lower: number; upper: number }): JsonObject {
  return { estimate: e.estimate, se: finite(e.se), low: finite(e.low), high: finite(e.high), ...(boot === undefined ? {} : { boot_low: finite(boot.lower), boot_high: finite(boot.upper) }) };
}

export function rowsToTable(rows: readonly Record<string, unknown>[]): Table {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return makeTable(
    keys.map((k): [string, Column] => {
      const values = rows.map((r) => r[k]);
      if (values.every((v) => v === undefined || v === null || typeof v === 'number')) return [k, { type: 'number', values: Float64Array.from(values, (v) => (typeof v === 'number' ? v : NaN)) }];
      return [k, { type: 'string', values: values.map((v) => (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number' ? String(v) : null)) }];
    }),
  );
}
