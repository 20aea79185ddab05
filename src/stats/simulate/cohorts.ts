/**
 * The two synthetic cohorts behind one interface: their default size, their true parameters (with the
 * scalar ones overridable by name), the generator, and what is known about the population they define.
 */
import type { Table } from '../../data/table.js';
import { ESCAPE_DEFAULTS, ESCAPE_N, simulateEscape, type EscapeParams } from './escape.js';
import { HERMES_DEFAULTS, HERMES_N, simulateHermes, type HermesParams } from './hermes.js';
import { snakeCase } from './names.js';

export type CohortName = 'hermes' | 'escape';
export const COHORT_NAMES: readonly CohortName[] = ['hermes', 'escape'];

export interface Cohort<P extends object> {
  readonly name: CohortName;
  /** The published number of patients: the default `n`. */
  readonly defaultN: number;
  readonly defaults: P;
  simulate(n: number, seed: number, params: P): Table;
}

export const COHORTS: { readonly hermes: Cohort<HermesParams>; readonly escape: Cohort<EscapeParams> } = {
  hermes: { name: 'hermes', defaultN: HERMES_N, defaults: HERMES_DEFAULTS, simulate: simulateHermes },
  escape: { name: 'escape', defaultN: ESCAPE_N, defaults: ESCAPE_DEFAULTS, simulate: simulateEscape },
};

/** The snake_case names of a cohort's scalar (number-valued) parameters: the ones a spec may override. */
export function overridableParameters(cohort: CohortName): string[] {
  return Object.entries(COHORTS[cohort].defaults)
    .filter(([, v]) => typeof v === 'number')
    .map(([k]) => snakeCase(k));
}

/**
 * The default parameters with `overrides` (snake_case name → number) applied. Unknown names are the
 * caller's to reject first (see `unknownOverrides`); here they are an invariant.
 */
export function withOverrides<P extends object>(defaults: P, overrides: Readonly<Record<string, number>>): P {
  const byName = new Map(Object.keys(defaults).map((k) => [snakeCase(k), k]));
  const out = { ...defaults } as Record<string, unknown>;
  for (const [name, value] of Object.entries(overrides)) {
    const key = byName.get(name);
    if (key === undefined || typeof out[key] !== 'number') throw new RangeError(`"${name}" is not a scalar parameter`);
    out[key] = value;
  }
  return out as P;
}

/** The override names that are not scalar parameters of the cohort. */
export function unknownOverrides(cohort: CohortName, overrides: Readonly<Record<string, unknown>>): string[] {
  const known = new Set(overridableParameters(cohort));
  return Object.keys(overrides).filter((k) => !known.has(k));
}

/** Generates a cohort of n patients (default: the published size) with the given overrides. */
export function simulateCohort(cohort: CohortName, n: number | undefined, seed: number, overrides: Readonly<Record<string, number>> = {}): Table {
  switch (cohort) {
    case 'hermes': {
      const c = COHORTS.hermes;
      return c.simulate(n ?? c.defaultN, seed, withOverrides(c.defaults, overrides));
    }
    case 'escape': {
      const c = COHORTS.escape;
      return c.simulate(n ?? c.defaultN, seed, withOverrides(c.defaults, overrides));
    }
  }
}
