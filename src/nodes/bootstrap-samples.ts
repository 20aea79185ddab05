/**
 * The bootstrap's samples (SampleFn, called by the runner's replicate worker for each unit): replicate b
 * resamples the rows of the `from` table by the resampling design with rngFor(seed, b); jackknife sample i
 * leaves unit i out. A sub-step j of the unit gets the seed derived from the stream (seed, unit, j + 1, tag),
 * tag 0 for the bootstrap and 1 for the jackknife: everything depends on (seed, unit) alone.
 */
import { rngFor } from '../stats/rng.js';
import { bootstrapRows, drawCopies, jackknifeRows, type ResamplingDesign } from '../stats/resample.js';
import type { ClusterCopies } from './kind.js';

/** A 32-bit seed from a stream. */
function streamSeed(seed: number, ...stream: number[]): number {
  return Math.floor(rngFor(seed, ...stream).uniform() * 0x100000000) >>> 0;
}

/** A bootstrap's sample arguments: the resampling design, and the column of its clusters when `cluster:` is given. */
export type BootstrapSampleArgs = ResamplingDesign & { readonly clusterColumn?: string | undefined };

/** Replicate b; a clustered resample also says which draw of its cluster each row comes from (drawCopies). */
export function bootstrapSample(design: BootstrapSampleArgs, seed: number, b: number): { rows: Int32Array; seedOf(step: number): number; copies?: ClusterCopies } {
  const rows = bootstrapRows(design, rngFor(seed, b));
  const seedOf = (j: number): number => streamSeed(seed, b, j + 1, 0);
  return design.clusterColumn === undefined ? { rows, seedOf } : { rows, seedOf, copies: { column: design.clusterColumn, copies: drawCopies(design, rows) } };
}

export function jackknifeSample(design: ResamplingDesign, seed: number, i: number): { rows: Int32Array; seedOf(step: number): number } {
  return { rows: jackknifeRows(design, i), seedOf: (j) => streamSeed(seed, i, j + 1, 1) };
}
