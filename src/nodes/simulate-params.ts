/**
 * The parameters shared by `simulate` and `simulate_truth`: which cohort, and overrides of its scalar
 * true parameters by snake_case name (checked against the cohort's parameter list).
 */
import { didYouMean } from '../errors.js';
import { COHORT_NAMES, overridableParameters, unknownOverrides, type CohortName } from '../stats/simulate/cohorts.js';

export interface CohortParams {
  readonly cohort: CohortName;
  readonly parameters?: Readonly<Record<string, number>>;
}

export const cohortSchema = {
  enum: COHORT_NAMES,
  description: 'hermes: the HERMES-like pooled cohort (7 trials, 1665 patients); escape: the ESCAPE-like single trial (315 patients). See docs/synthetic-cohort.md.',
} as const;

export const parametersSchema = {
  type: 'object',
  additionalProperties: { type: 'number' },
  description: 'Overrides of scalar true parameters of the data-generating process by name (e.g. out_evt, vol_sd); the names are listed in docs/synthetic-cohort.md and in the truth JSON.',
} as const;

/** Unknown override names, each reported at `parameters.<name>` with the closest known name. */
export function checkOverrides(p: CohortParams): { path: string; message: string; hint?: string }[] {
  const overrides = p.parameters ?? {};
  const known = overridableParameters(p.cohort);
  return unknownOverrides(p.cohort, overrides).map((name) => ({
    path: `parameters.${name}`,
    message: `"${name}" is not a scalar parameter of the ${p.cohort} cohort${didYouMean(name, known)}`,
    hint: `the ${p.cohort} cohort's overridable parameters are: ${known.join(', ')}`,
  }));
}
