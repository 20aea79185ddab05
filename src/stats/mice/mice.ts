/**
 * Multiple imputation by chained equations over a Table, as R's `mice` (mice 3.15).
 *
 * Exported API:
 * - `defaultMethod(column)` — pmm for numbers, logreg for 0/1 numbers and two-level factors, polyreg for
 *   other factors (our tables do not mark factors as ordered: choose polr explicitly);
 * - `buildChainSpec(table, options)` — the imputation problem as plain, structured-cloneable data;
 * - `runChains({spec, seed, ks})` — imputations ks, imputation k drawing from `rngFor(seed, k)`
 *   (the function the worker pool runs; the result does not depend on how ks are batched);
 * - `mice(table, options, seed)` — everything in-process.
 */
import { DataError } from '../../errors.js';
import { type Column, type Table, getColumn } from '../../data/table.js';
import { rngFor } from '../rng.js';
import { type ChainResult, type ChainSpec, type ChainVariable, type MiceMethod, runChain } from './sampler.js';

export interface MiceOptions {
  /** The imputation set: imputed when incomplete, predictors of each other. */
  readonly variables: readonly string[];
  readonly m: number;
  readonly maxit: number;
  /** Per-variable method overrides. */
  readonly methods?: Readonly<Record<string, MiceMethod>> | undefined;
  /** Per-variable predictor lists replacing the default (all other variables of the set). */
  readonly predictors?: Readonly<Record<string, readonly string[]>> | undefined;
  /** The analysis outcome; when `includeOutcome` is false it predicts nothing (it may still be imputed). */
  readonly outcome?: string | undefined;
  readonly includeOutcome?: boolean | undefined;
  readonly donors?: number | undefined;
}

export function isBinary(values: Float64Array): boolean {
  let seen = false;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    if (v !== 0 && v !== 1) return false;
    seen = true;
  }
  return seen;
}

export function defaultMethod(col: Column): MiceMethod {
  if (col.type === 'factor') return col.levels.length <= 2 ? 'logreg' : 'polyreg';
  if (col.type === 'number' && isBinary(col.values)) return 'logreg';
  return 'pmm';
}

function chainValues(name: string, col: Column): { values: Float64Array; levels: number } {
  switch (col.type) {
    case 'number':
      return { values: col.values, levels: 0 };
    case 'factor':
      return { values: Float64Array.from(col.codes, (c) => (c < 0 ? NaN : c)), levels: col.levels.length };
    case 'string':
      throw new DataError(`column "${name}" holds strings and cannot be imputed or used as a predictor`, {
        hint: 'declare it as a factor in the load step, or leave it out of the imputation variables',
      });
  }
}

export function buildChainSpec(table: Table, o: MiceOptions): ChainSpec {
  const names = [...o.variables];
  if (o.outcome !== undefined && !names.includes(o.outcome)) names.push(o.outcome);
  // Predictors named in overrides that lie outside the set join it as (complete) predictors.
  for (const list of Object.values(o.predictors ?? {})) for (const s of list) if (!names.includes(s)) names.push(s);
  const index = new Map(names.map((nm, j) => [nm, j]));
  const excludedOutcome = o.outcome !== undefined && o.includeOutcome === false ? index.get(o.outcome) : undefined;
  const variables: ChainVariable[] = names.map((name, j) => {
    const col = getColumn(table, name, 'the imputation variables');
    const { values, levels } = chainValues(name, col);
    let nmis = 0;
    for (const v of values) if (Number.isNaN(v)) nmis++;
    const override = o.predictors?.[name];
    const predictors =
      override !== undefined ? override.map((s) => index.get(s)!) : names.map((_, s) => s).filter((s) => s !== j && s !== excludedOutcome);
    if (predictors.includes(j)) throw new DataError(`variable "${name}" is listed among its own predictors`);
    const inSet = j < o.variables.length || name === o.outcome;
    let method: MiceMethod | null = null;
    if (nmis > 0) {
      if (!inSet) {
        throw new DataError(`predictor "${name}" has ${nmis} missing values but is not in the imputation variables`, {
          hint: `add "${name}" to variables so that it is imputed too`,
        });
      }
      if (nmis === values.length) throw new DataError(`variable "${name}" is missing in every row: there is nothing to impute it from`);
      method = o.methods?.[name] ?? defaultMethod(col);
      if (method === 'logreg' && !(levels === 2 || (levels === 0 && isBinary(values)))) {
        throw new DataError(`variable "${name}" is not binary, so it cannot be imputed with logreg`, { hint: 'use pmm for numbers, polr or polyreg for factors' });
      }
      if ((method === 'polr' || method === 'polyreg') && levels === 0) {
        throw new DataError(`variable "${name}" is numeric, so it cannot be imputed with ${method}`, { hint: 'declare it as a factor in the load step, or use pmm' });
      }
    }
    return { name, levels, values, method, predictors };
  });
  const visit = variables.map((v, j) => (v.method === null ? -1 : j)).filter((j) => j >= 0);
  return { nrows: table.nrows, variables, visit, maxit: o.maxit, donors: o.donors ?? 5 };
}

export interface ChainsTask {
  readonly spec: ChainSpec;
  readonly seed: number;
  readonly ks: readonly number[];
}

/** Imputations `ks` (0-based), each from its own stream rngFor(seed, k). Runs on a worker. */
export function runChains(task: ChainsTask): ChainResult[] {
  return task.ks.map((k) => runChain(task.spec, rngFor(task.seed, k)));
}

/** All m imputations in-process (tests, small data). */
export function mice(table: Table, o: MiceOptions, seed: number): { spec: ChainSpec; chains: ChainResult[] } {
  const spec = buildChainSpec(table, o);
  return { spec, chains: runChains({ spec, seed, ks: Array.from({ length: o.m }, (_, k) => k) }) };
}
