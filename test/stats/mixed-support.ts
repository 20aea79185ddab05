/**
 * Helpers for the mixed-model tests: the R fixtures of test/fixtures/mixed (see the R scripts beside
 * them), their CSV data as Tables, and the 100 000-row data set re-created from its 32-bit LCG (big.R).
 */
import { resolve } from 'node:path';
import type { Table } from '../../src/data/table.js';
import { fixture, readFixtureCsv } from './models-support.js';
import { HERMES_TRIALS } from '../../bench/mixed-data.js';

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
  return fixture<T>(name, mixedFixtureDir);
}

/** A CSV of test/fixtures/mixed as R's write.csv writes it; `factors` gives the factor columns with their levels (levels[0] = reference). */
export function readMixedCsv(name: string, factors: Record<string, readonly string[]> = {}): Table {
  return readFixtureCsv(name, factors, mixedFixtureDir);
}

export { HERMES_TRIALS };

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

export { BIG_SIZES, bigMixedData } from '../../bench/mixed-data.js';

/** Relative difference |a − b| / max(|b|, floor). */
export function relDiff(a: number, b: number, floor = 1e-8): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), floor);
}
