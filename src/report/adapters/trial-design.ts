/**
 * From a trial_design result (decoded by src/results/trial-design.ts) to what the report's trial-design
 * section shows: the decoded design with the notes that name its reference arm and outcome model.
 */
import type { Artifact } from '../../data/artifact.js';
import { decodeTrialDesign, type TrialDesign } from '../../results/trial-design.js';
import type { Origin } from '../../results/read.js';

export interface TrialDesignView extends TrialDesign {
  /** `Reference arm: 420 patients with evt == 0 of cohort; …`. */
  readonly referenceNote: string;
  /** `Translation over 1200 patients (fiv_ml < 80) with the ordinal model “ord”; …`, when there is a translation. */
  readonly translationNote: string | undefined;
}

export function trialDesignFromResult(artifact: Artifact, origin: Origin): TrialDesignView {
  const d = decodeTrialDesign(artifact, origin);
  const { n, arm, step } = d.reference;
  const tr = d.translation;
  return {
    ...d,
    referenceNote: `Reference arm: ${n} patients${arm === undefined ? '' : ` with ${arm}`} of ${step ?? 'the data'}; the treated arm is their volumes under each effect.`,
    translationNote:
      tr === undefined ? undefined : `Translation over ${tr.patients ?? '?'} patients (${tr.population ?? 'all'}) with the ${tr.modelType ?? ''} model “${tr.model ?? ''}”; good outcome ${tr.goodOutcome ?? ''}.`,
  };
}
