/**
 * The pipeline the mediation-bootstrap figures and the SLURM tests run, written once: `mediate` (EVT → mRS
 * at 90 days through the cube root of the infarct volume, with the HERMES covariates) on the synthetic
 * HERMES-like cohort (1 665 patients), and a `bootstrap` of it resampled within arms.
 *
 *   mediationBootstrapSpec({ name, replicates, counterfactual?, from? }) → the spec's YAML text
 *
 * `counterfactual: false` leaves out mediate's simulated natural effects (the bench's figure); `from`
 * names the table the bootstrap resamples (default: mediate's input).
 */
export interface MediationBootstrapOptions {
  readonly name: string;
  readonly replicates: number;
  readonly counterfactual?: false;
  readonly from?: string;
}

export function mediationBootstrapSpec({ name, replicates, counterfactual, from }: MediationBootstrapOptions): string {
  return `name: ${name}
seed: 20261122
steps:
  cohort: {kind: simulate, cohort: hermes, n: 1665, seed: 7}
  med:
    kind: mediate
    input: cohort
    outcome: mrs90
    exposure: evt
    mediator: fiv_ml
    transform: cbrt
    covariates: [age, sex_female, nihss, aspects, occlusion, ivt, onset_to_rand_min]
${counterfactual === false ? '    counterfactual: false\n' : ''}  boot: {kind: bootstrap, of: med, ${from === undefined ? '' : `from: ${from}, `}replicates: ${replicates}, strata: [evt], ci: [percentile]}
`;
}
