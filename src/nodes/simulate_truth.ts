/**
 * `kind: simulate_truth` — the truth of a synthetic cohort as a `result`: the true parameters of its
 * data-generating process, the population values of the published estimands and the published figures
 * (the three columns of a report's reproduction table). Deterministic: no seed, no n.
 * See docs/steps/simulate.md and docs/synthetic-cohort.md.
 */
import type { StepKind } from './kind.js';
import { cohortTruth } from '../stats/simulate/truth.js';
import { checkOverrides, cohortSchema, parametersSchema, type CohortParams } from './simulate-params.js';

export const simulateTruth: StepKind<CohortParams> = {
  kind: 'simulate_truth',
  version: 3,
  produces: 'truth',
  summary: 'The true parameters, population estimands and published targets of a synthetic cohort (pairs with simulate)',
  params: {
    type: 'object',
    properties: { cohort: cohortSchema, parameters: parametersSchema },
    required: ['cohort'],
    additionalProperties: false,
  },
  inputs: [],
  random: () => false,
  check: (p) => checkOverrides(p),
  run(params) {
    return { type: 'result', value: cohortTruth(params.cohort, params.parameters ?? {}) };
  },
};
