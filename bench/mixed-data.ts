/**
 * The data of the mixed-model benchmark and of test/fixtures/mixed/big.R: a HERMES-shaped data set of
 * 100 000 patients in 7 trials from a 32-bit linear congruential generator that R re-creates exactly
 * (s ← (69069 s + 1) mod 2^32, u = (s + ½)/2^32, 12 uniforms per row), so no large CSV is stored; and the
 * HERMES-like fixture cohort (1 665 patients, test/fixtures/mixed/hermes-like.csv). The tests import both.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { makeTable, type Column, type Table } from '../src/data/table.js';
import { lcgRows } from './lcg.js';

export const HERMES_TRIALS = ['MR CLEAN', 'ESCAPE', 'REVASCAT', 'SWIFT PRIME', 'EXTEND IA', 'PISTE', 'THRACE'];

/** big.R's trial sizes: the HERMES trials' randomised sizes scaled to 100 000 by largest remainder. */
export const BIG_SIZES = [28312, 17837, 11665, 11098, 3964, 3681, 23443];

/** The 100 000-row data set of big.R: s ← (69069 s + 1) mod 2^32, u = (s + ½)/2^32, 12 uniforms per row. */
export function bigMixedData(): Table {
  const n = BIG_SIZES.reduce((a, b) => a + b, 0);
  const u = new Float64Array(12);
  const next = lcgRows(1665);
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
      next(u);
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

/** test/fixtures/mixed/hermes-like.csv (found from the source or the compiled file's folder). */
export function hermesLikeCsv(): string {
  for (const up of ['../test/fixtures/mixed/hermes-like.csv', '../../test/fixtures/mixed/hermes-like.csv']) {
    try {
      return readFileSync(resolve(import.meta.dirname, up), 'utf8');
    } catch {
      // try the next
    }
  }
  throw new Error('test/fixtures/mixed/hermes-like.csv not found');
}
