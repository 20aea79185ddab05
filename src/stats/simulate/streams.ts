/**
 * Named random streams of a cohort: stream `name` of cohort `cohort` is rngFor(seed, cohort, k) with k
 * the name's fixed index below. Indices are append-only: a new variable gets a new index, so adding it
 * leaves every existing column of a cohort generated with the same seed unchanged.
 */
import { rngFor, type Rng } from '../rng.js';

const STREAM_NAMES = [
  'arm', 'age', 'sex', 'occlusion', 'nihss', 'aspects', 'onset', 'ivt', 'modality', 'recanalization',
  'volume', 'outcome', 'missing_aspects', 'missing_onset', 'missing_volume', 'laterality', 'nihss_24h',
] as const;

export type StreamName = (typeof STREAM_NAMES)[number];

export const COHORT_STREAM = { hermes: 1, escape: 2 } as const;

export function streamsFor(seed: number, cohort: number): (name: StreamName) => Rng {
  return (name) => rngFor(seed, cohort, STREAM_NAMES.indexOf(name));
}
