/**
 * Helpers for the mixed-model tests: the R fixtures of test/fixtures/mixed (see the R scripts beside
 * them), their CSV data as Tables, and the 100 000-row data set re-created from its 32-bit LCG (big.R).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Column, Table } from '../../src/data/table.js';
import { makeTable } from '../../src/data/table.js';

export const mixedFixtureDir = resolve(import.meta.dirname, '../fixtures/mixed');

/** A fit as the fixtures store it (clmm_fixture, glmer_fixture, tight_fixture of common.R). */
export interface RFit {
  readonly terms: string[];
  readonly estimate: number[];
  readonly std_error: number[];
  readonly loglik: number;
  readonly sd?: number | number[];
  readonly corr?: number;
  readonly se_log_sd?: number;
  readonly modes?: number[];
  readonly cond_var?: number[];
  readonly max_gradient?: number | null;
  readonly seconds?: number;
  readonly optimizer_message?: string;
  readonly optimizer_messages?: string[];
  readonly warnings?: string[];
  readonly n_thresholds?: number;
  readonly vcov?: number[][];
  readonly cond_hessian?: number;
  readonly singular?: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the fixture's shape is declared by the caller
export function mixedFixture<T = Record<string, RFit>>(name: string): T {
  return JSON.parse(readFileSync(resolve(mixedFixtureDir, name), 'utf8')) as T;
}

/** A CSV as R's write.csv writes it; `factors` gives the factor columns with their levels (levels[0] = reference). */
export function readMixedCsv(name: string, factors: Record<string, readonly string[]> = {}): Table {
  const lines = readFileSync(resolve(mixedFixtureDir, name), 'utf8').trim().split('\n');
  const unquote = (s: string): string => (s.startsWith('"') ? s.slice(1, -1) : s);
  const header = lines[0]!.split(',').map(unquote);
  const cells = lines.slice(1).map((l) => l.split(',').map(unquote));
  const cols: [string, Column][] = header.map((name, j) => {
    const raw = cells.map((r) => r[j]!);
    const levels = factors[name];
    if (levels !== undefined) {
      return [name, { type: 'factor', levels, codes: Int32Array.from(raw, (s) => (s === 'NA' ? -1 : levels.indexOf(s))) }];
    }
    return [name, { type: 'number', values: Float64Array.from(raw, (s) => (s === 'NA' ? NaN : Number(s))) }];
  });
  return makeTable(cols);
}

export const HERMES_TRIALS = ['MR CLEAN', 'ESCAPE', 'REVASCAT', 'SWIFT PRIME', 'EXTEND IA', 'PISTE', 'THRACE'];

/** The HERMES-like fixture cohort (write-data.mjs) with its factors. */
export function hermesLike(): Table {
  return readMixedCsv('hermes-like.csv', { trial: HERMES_TRIALS, occlusion: ['M1', 'ICA', 'M2'] });
}

export function wine(): Table {
  return readMixedCsv('wine.csv', { temp: ['cold', 'warm'], contact: ['no', 'yes'], judge: ['1', '2', '3', '4', '5', '6', '7', '8', '9'], rating: ['1', '2', '3', '4', '5'] });
}

export function cbpp(): Table {
  return readMixedCsv('cbpp.csv', { herd: Array.from({ length: 15 }, (_, i) => String(i + 1)), period: ['1', '2', '3', '4'] });
}

/** big.R's trial sizes: the HERMES trials' randomised sizes scaled to 100 000 by largest remainder. */
export const BIG_SIZES = [28312, 17837, 11665, 11098, 3964, 3681, 23443];

/** The 100 000-row data set of big.R: s ← (69069 s + 1) mod 2^32, u = (s + ½)/2^32, 12 uniforms per row. */
export function bigMixedData(): Table {
  const n = BIG_SIZES.reduce((a, b) => a + b, 0);
  const u = new Float64Array(12);
  let s = 1665;
  const shiftByTrial = [0.56, 0.14, 0.3, 0, -0.3, -0.14, -0.56];
  const slopeByTrial = [-0.36, 0.68, -0.17, 0.36, 0.17, 0, -0.68];
  const trial = new Int32Array(n);
  const names = ['cv', 'evt', 'age', 'sex_female', 'nihss', 'aspects', 'ivt', 'onset_to_rand_min', 'mrs90'] as const;
  const cols = Object.fromEntries(names.map((k) => [k, new Float64Array(n)])) as Record<(typeof names)[number], Float64Array>;
  const occlusion = new Int32Array(n);
  const cuts = [-0.94, 0.25, 1.87, 2.36, 3.76, 4.71];
  let i = 0;
  BIG_SIZES.forEach((size, k) => {
    for (let r = 0; r < size; r++, i++) {
      for (let j = 0; j < 12; j++) {
        s = (69069 * s + 1) % 4294967296;
        u[j] = (s + 0.5) / 4294967296;
      }
      trial[i] = k;
      const cv = 6 * u[0]!;
      const evt = u[1]! < 0.5 ? 1 : 0;
      const age = 30 + Math.floor(61 * u[2]!);
      const sex = u[3]! < 0.47 ? 1 : 0;
      const nihss = 2 + Math.floor(39 * u[4]!);
      const aspects = Math.floor(11 * u[5]!);
      const occ = u[6]! < 0.71 ? 0 : u[6]! < 0.92 ? 1 : 2;
      const ivt = u[7]! < 0.8 ? 1 : 0;
      const onset = 60 + Math.floor(301 * u[8]!);
      const eta =
        0.75 * cv - (0.8 + slopeByTrial[k]!) * evt + 0.035 * (age - 68) + 0.04 * (nihss - 17) - 0.05 * (aspects - 9) +
        (occ === 1 ? 0.15 : 0) - (occ === 2 ? 0.1 : 0) - 0.15 * ivt + (0.1 * (onset - 190)) / 60 + shiftByTrial[k]!;
      const lat = eta + Math.log(u[9]! / (1 - u[9]!));
      let y = 0;
      for (const c of cuts) if (lat >= c) y++;
      cols.cv[i] = cv;
      cols.evt[i] = evt;
      cols.age[i] = age;
      cols.sex_female[i] = sex;
      cols.nihss[i] = nihss;
      cols.aspects[i] = aspects;
      cols.ivt[i] = ivt;
      cols.onset_to_rand_min[i] = onset;
      cols.mrs90[i] = y;
      occlusion[i] = occ;
    }
  });
  return makeTable([
    ['trial', { type: 'factor', codes: trial, levels: HERMES_TRIALS }],
    ...names.map((k): [string, Column] => [k, { type: 'number', values: cols[k] }]),
    ['occlusion', { type: 'factor', codes: occlusion, levels: ['M1', 'ICA', 'M2'] }],
  ]);
}

/** Relative difference |a − b| / max(|b|, floor). */
export function relDiff(a: number, b: number, floor = 1e-8): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), floor);
}
