/**
 * Helpers for the model tests: the R fixtures (test/fixtures/models/*.json), their CSV data as Tables,
 * and the 100 000-row data set re-created from its 32-bit LCG (test/fixtures/models/big.R).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Column, Table } from '../../src/data/table.js';
import { makeTable, withColumn } from '../../src/data/table.js';
import { lcgRows } from '../../bench/lcg.js';

export const fixtureDir = resolve(import.meta.dirname, '../fixtures/models');

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the fixture's shape is declared by the caller
export function fixture<T = Record<string, unknown>>(name: string, dir = fixtureDir): T {
  return JSON.parse(readFileSync(resolve(dir, name), 'utf8')) as T;
}

/** A small CSV as R's write.csv writes it (from test/fixtures/models, or `dir`); `factors` gives the factor columns with their levels (levels[0] = reference). */
export function readFixtureCsv(name: string, factors: Record<string, readonly string[]> = {}, dir = fixtureDir): Table {
  const lines = readFileSync(resolve(dir, name), 'utf8').trim().split('\n');
  const unquote = (s: string): string => (s.startsWith('"') ? s.slice(1, -1) : s);
  const header = lines[0]!.split(',').map(unquote);
  const cells = lines.slice(1).map((l) => l.split(','));
  const cols: [string, Column][] = header.map((name, j) => {
    const raw = cells.map((r) => r[j]!);
    const levels = factors[name];
    if (levels !== undefined) {
      return [name, { type: 'factor', levels, codes: Int32Array.from(raw, (s) => (s === 'NA' ? -1 : levels.indexOf(unquote(s)))) }];
    }
    return [name, { type: 'number', values: Float64Array.from(raw, (s) => (s === 'NA' ? NaN : Number(s))) }];
  });
  return makeTable(cols);
}

/** The cohort with cohort.R's case weights w = 1 + (age %% 3). */
export function withCaseWeights(t: Table): Table {
  const age = (t.columns.get('age') as { values: Float64Array }).values;
  return withColumn(t, 'w', { type: 'number', values: age.map((a) => 1 + (a % 3)) });
}

export const cohortFactors = { occlusion: ['M1', 'ICA', 'M2'] };

/** The 100 000-row data set of big.R: s ← (69069 s + 1) mod 2^32, u = (s + ½)/2^32, 12 uniforms per row. */
export function bigData(n = 100_000, seed = 20261122): Table {
  const u = new Float64Array(12);
  const next = lcgRows(seed);
  const cols = Array.from({ length: 10 }, () => new Float64Array(n));
  const y = new Float64Array(n);
  const yo = new Float64Array(n);
  const cuts = [-2, -1, -0.3, 0.3, 1, 2];
  for (let i = 0; i < n; i++) {
    next(u);
    const x = [u[0]!, 2 * u[1]! - 1, u[2]! < 0.4 ? 1 : 0, 60 + 300 * u[3]!, roundHalfEven(40 * u[4]!), u[5]! * u[5]!, u[6]! < 0.5 ? 1 : 0, 10 * u[7]!, u[8]! - 0.5, u[9]! < 0.2 ? 1 : 0];
    x.forEach((v, j) => (cols[j]![i] = v));
    const eta = -0.5 + 0.8 * x[0]! - 0.6 * x[1]! + 0.5 * x[2]! - 0.002 * x[3]! + 0.03 * x[4]! - 0.4 * x[5]! + 0.3 * x[6]! - 0.05 * x[7]! + 0.7 * x[8]! - 0.2 * x[9]!;
    y[i] = u[10]! < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
    const lat = eta + Math.log(u[11]! / (1 - u[11]!));
    yo[i] = cuts.filter((c) => lat >= c).length;
  }
  return makeTable([
    ...cols.map((c, j): [string, Column] => [`x${j + 1}`, { type: 'number', values: c }]),
    ['y', { type: 'number', values: y }],
    ['yo', { type: 'number', values: yo }],
  ]);
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** |a − b| ≤ max(rel·|b|, abs). */
export function close(a: number, b: number, rel = 1e-6, abs = 1e-8): boolean {
  return Math.abs(a - b) <= Math.max(rel * Math.abs(b), abs);
}

/** Expects every element close; reports the first mismatch by name. */
export function expectClose(actual: ArrayLike<number>, expected: readonly number[], names: readonly string[], what: string, rel = 1e-6, abs = 1e-8): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length}, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    if (!close(actual[i]!, expected[i]!, rel, abs)) {
      throw new Error(`${what} of ${names[i] ?? i}: got ${actual[i]!}, R has ${expected[i]!} (diff ${actual[i]! - expected[i]!})`);
    }
  }
}
