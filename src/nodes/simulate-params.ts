/**
 * The parameters shared by `simulate` and `simulate_truth`: which cohort, and overrides of its scalar
 * true parameters by snake_case name (checked against the cohort's parameter list).
 */
import { didYouMean } from '../errors.js';
import { COHORT_NAMES, COHORTS, overridableParameters, unknownOverrides, withOverrides, type CohortName } from '../stats/simulate/cohorts.js';
import { hermesThresholdsOrdered } from '../stats/simulate/hermes.js';
import { escapeThresholdsOrdered } from '../stats/simulate/escape.js';

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

/**
 * Unknown override names, each reported at `parameters.<name>` with the closest known name; and
 * overrides that would make the mRS thresholds cross (not a distribution), reported at the overridden
 * name: out_volume_good / vol_max of the HERMES-like cohort (docs/synthetic-cohort.md §3), out_evt_death
 * of the ESCAPE-like one (§4).
 */
export function checkOverrides(p: CohortParams): { path: string; message: string; hint?: string }[] {
  const overrides = p.parameters ?? {};
  const known = overridableParameters(p.cohort);
  const unknown = unknownOverrides(p.cohort, overrides).map((name) => ({
    path: `parameters.${name}`,
    message: `"${name}" is not a scalar parameter of the ${p.cohort} cohort${didYouMean(name, known)}`,
    hint: `the ${p.cohort} cohort's overridable parameters are: ${known.join(', ')}`,
  }));
  if (unknown.length > 0) return unknown;
  if (p.cohort === 'escape') {
    const e = withOverrides(COHORTS.escape.defaults, overrides);
    if (escapeThresholdsOrdered(e)) return [];
    return [
      {
        path: 'parameters.out_evt_death',
        message: `out_evt_death = ${String(e.outEvtDeath)} makes the mRS thresholds cross under EVT (not a distribution)`,
        hint: `θ_5 − out_evt_death must stay above θ_4: out_evt_death < ${(e.thresholds[5]! - e.thresholds[4]!).toFixed(4)}; see docs/synthetic-cohort.md §4`,
      },
    ];
  }
  const params = withOverrides(COHORTS.hermes.defaults, overrides);
  if (hermesThresholdsOrdered(params)) return [];
  const name = 'out_volume_good' in overrides ? 'out_volume_good' : 'vol_max';
  return [
    {
      path: `parameters.${name}`,
      message: `out_volume_good = ${String(params.outVolumeGood)} with vol_max = ${String(params.volMax)} makes the mRS thresholds cross (not a distribution for large volumes)`,
      hint: `θ_2 − out_volume_good·vol_max^(1/3) must stay between θ_1 and θ_3 (${params.thresholds.slice(1, 4).join(', ')}); see docs/synthetic-cohort.md §3`,
    },
  ];
}
