/**
 * `kind: simulate` — generates a synthetic cohort (HERMES-like pooled or ESCAPE-like single trial) from
 * its documented data-generating process; the output is a `table`, used exactly as a `load` step's.
 * The true parameters are the output of the companion kind `simulate_truth` (same `cohort` and
 * `parameters`), kept apart so that the table stays a plain table. See docs/steps/simulate.md.
 */
import type { StepKind } from './kind.js';
import { DataError } from '../errors.js';
import { simulateCohort } from '../stats/simulate/cohorts.js';
import { checkOverrides, cohortSchema, parametersSchema, type CohortParams } from './simulate-params.js';

export interface SimulateParams extends CohortParams {
  /** Number of patients; default: the published size (1665 / 315). */
  readonly n?: number;
  /** A fixed seed; by default the step's seed (from the pipeline seed and the step name). */
  readonly seed?: number;
}

export const MAX_SIMULATED_ROWS = 2_000_000;

export const simulate: StepKind<SimulateParams> = {
  kind: 'simulate',
  version: 3,
  produces: 'table',
  summary: 'Generate a synthetic HERMES-like or ESCAPE-like cohort from a documented data-generating process (synthetic data)',
  params: {
    type: 'object',
    properties: {
      cohort: cohortSchema,
      n: { type: 'integer', minimum: 20, maximum: MAX_SIMULATED_ROWS, description: 'Number of patients (default: 1665 for hermes, 315 for escape); trial sizes and arm counts scale with it.' },
      seed: {
        type: 'integer',
        minimum: 0,
        maximum: 4294967295,
        description: 'A fixed seed (32-bit). Default: the step seed derived from the pipeline seed; give one to reproduce a shipped cohort whatever the pipeline seed.',
      },
      parameters: parametersSchema,
    },
    required: ['cohort'],
    additionalProperties: false,
  },
  inputs: [],
  random: (p) => p.seed === undefined,
  check: (p) => checkOverrides(p),
  run(params, _inputs, ctx) {
    const seed = params.seed ?? ctx.seed;
    const table = simulateCohort(params.cohort, params.n, seed, params.parameters ?? {});
    for (const [name, col] of table.columns) {
      if (col.type === 'number' && col.values.some((v) => v === Infinity || v === -Infinity)) {
        throw new DataError(`the simulated column "${name}" has infinite values`, { hint: 'an overridden parameter is out of range; see docs/synthetic-cohort.md' });
      }
    }
    return { type: 'table', table };
  },
};
