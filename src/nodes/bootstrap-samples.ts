/**
 * The bootstrap's samples (SampleFn, called by the runner's replicate worker for each unit): replicate b
 * resamples the rows of the `from` table by the resampling design with rngFor(seed, b); jackknife sample i
 * leaves unit i out. A sub-step j of the unit gets the seed derived from the stream (seed, unit, j + 1, tag),
 * tag 0 for the bootstrap and 1 for the jackknife: everything depends on (seed, unit) alone.
 */
import { rngFor } from '../stats/rng.js';
import { bootstrapRows, jackknifeRows, type ResamplingDesign } from '../stats/resample.js';

/** A 32-bit seed from a stream. */
function streamSeed(seed: number, ...stream: number[]): number {
  return Math.floor(rngFor(seed, ...stream).uniform() * 0x100000000) >>> 0;
}

export function bootstrapSample(design: ResamplingDesign, seed: number, b: number): { rows: Int32Array; seedOf(step: number): number } {
  return { rows: bootstrapRows(design, rngFor(seed, b)), seedOf: (j) => streamSeed(seed, b, j + 1, 0) };
}

export function jackknifeSample(design: ResamplingDesign, seed: number, i: number): { rows: Int32Array; seedOf(step: number): number } {
  return { rows: jackknifeRows(design, i), seedOf: (j) => streamSeed(seed, i, j + 1, 1) };
}
