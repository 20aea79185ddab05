/**
 * The batch functions of a trial_design step's unit sets (trial-design-sets.ts), run by the replicate
 * construct on a worker thread, in a SLURM array task (`lesionflow shard`) or in-process. A batch is a range
 * of units start … end − 1 and depends on (seed, unit) alone:
 *   - `simulation`: unit u is the block of trials u·TRIALS_PER_UNIT … (u + 1)·TRIALS_PER_UNIT − 1 (the last
 *     block shorter); trial s draws from rngFor(seed, stream, s, ·) (src/stats/trial/simulation.ts). Returns
 *     the block's rejection counts (countLayout's order), which add up to the set's;
 *   - `bootstrap`: unit b is replicate b of the chain bootstrap, drawing from rngFor(seed, stream, b, ·)
 *     (src/stats/trial/chain-bootstrap.ts). Returns its rows of estimates and its failures.
 * This module imports the numerics only, so that a thread or an array task loads no more than it runs.
 */
import { runChainReplicates, type ChainTask } from '../stats/trial/chain-bootstrap.js';
import { simulateTrials, type SimulationProblem } from '../stats/trial/simulation.js';
import type { BatchArgs } from './kind.js';

/**
 * Simulated trials per unit: a trial (630 + 630 patients, four tests) takes some 30 µs, so that a unit per
 * trial would make a batch (--batch units) too short to be worth its message and checkpoint.
 */
export const TRIALS_PER_UNIT = 100;

/** What every batch of the simulation set shares: the problem (without the seed, which the batch is given) and the number of trials. */
export interface SimulationShared {
  readonly problem: Omit<SimulationProblem, 'seed'>;
  readonly trials: number;
}

/** What every batch of the bootstrap set shares: the chain (without the seed and the range, which the batch is given). */
export type ChainShared = Omit<ChainTask, 'seed' | 'start' | 'end'>;

export function simulationBatch(a: BatchArgs<SimulationShared>): Int32Array {
  const { problem, trials } = a.shared;
  return simulateTrials({ ...problem, seed: a.seed }, Math.min(trials, a.start * TRIALS_PER_UNIT), Math.min(trials, a.end * TRIALS_PER_UNIT));
}

export function chainBatch(a: BatchArgs<ChainShared>): ReturnType<typeof runChainReplicates> {
  return runChainReplicates({ ...a.shared, seed: a.seed, start: a.start, end: a.end });
}
