/**
 * Trial-design benchmark (issue 16). Prints wall and CPU time of:
 * - the simulation engine: 10 000 simulated trials of 630 patients per arm (ratio 0.8 on the synthetic
 *   HERMES control arm), the four tests (Wilcoxon, t on log / cube-root / raw volume) — in this thread, and
 *   as the step runs it, its units (100 trials each) in the replicate construct's batches on a 2-thread
 *   worker pool (fresh, then warm; checkpoints in memory). Goal < 1 s on 2 cores;
 *   R (the same trials with wilcox.test and t.test, test/fixtures/trial/simulation.R): its time is read
 *   from the fixture;
 * - the chain bootstrap, B = 2 000, with the shipped pipeline's design (3 effects, 4 tests, the ordinal
 *   model of mRS on cube-root volume and the HERMES covariates, 1 430 patients) on a 2-thread pool, fresh
 *   then warm. Goal < 2 s; R's time from test/fixtures/trial/bootstrap.R (B = 2 000 scaled from its timed
 *   replicates);
 * - the shipped pipeline's `design` step as a cold `lesionflow run --jobs 2` shows it.
 * The same simulation and chain bootstrap as steps of a cold run, old build against new: bench/ab.ts
 * (TRIAL_SIMULATION_SPEC, TRIAL_BOOTSTRAP_SPEC; BENCH_AB_ONLY=trial-simulation,trial-bootstrap).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Artifact } from '../src/data/artifact.js';
import type { StepContext, WorkerPool } from '../src/nodes/kind.js';
import { load } from '../src/nodes/load.js';
import { filter } from '../src/nodes/filter.js';
import { fitOrdinalStep } from '../src/nodes/fit_ordinal.js';
import { TRIAL_DESIGN_DEFAULTS, trialDesign, type TrialDesignParams } from '../src/nodes/trial_design.js';
import { ThreadPool } from '../src/runner/pool.js';
import { runReplicatedAlone } from '../src/runner/replicate/standalone.js';
import { simulateTrials, type SimulationProblem } from '../src/stats/trial/simulation.js';
import { VOLUME_TESTS } from '../src/stats/trial/volume-design.js';
import { seconds, thisCli, timeColdRun } from './run-step.js';

const root = resolve(import.meta.dirname, '../..');

/** The simulation figure's trials as a pipeline (bench/ab.ts compares two builds on it): one effect, N = 1 260. */
export const TRIAL_SIMULATION_SPEC = `name: bench-trial-simulation
seed: 20261122
steps:
  cohort: {kind: simulate, cohort: hermes, n: 1665, seed: 7}
  design: {kind: trial_design, reference: cohort, arm: "evt == 0", volume: fiv_ml, effects: {ratio: [0.8]}, log_offset: 1, simulation: {trials: 10000, sizes: [1260]}}
`;

/** The chain-bootstrap figure's design as a pipeline: three effects, four tests, the ordinal model with the HERMES covariates. */
export const TRIAL_BOOTSTRAP_SPEC = `name: bench-trial-bootstrap
seed: 20261122
steps:
  cohort: {kind: simulate, cohort: hermes, n: 1665, seed: 7}
  fit: {kind: fit_ordinal, input: cohort, formula: "mrs90 ~ cbrt(fiv_ml) + evt + age + sex_female + nihss + aspects + occlusion + ivt + onset_to_rand_min"}
  design:
    kind: trial_design
    reference: cohort
    arm: "evt == 0"
    volume: fiv_ml
    effects: {ratio: [0.8, 0.7], absolute_ml: [10]}
    log_offset: 1
    outcome_model: fit
    mrs: mrs90
    proportion_through_volume: [1, 0.5, 0.12]
    bootstrap: {replicates: 2000}
`;

function context(pool: WorkerPool): StepContext {
  return {
    step: 'bench',
    seed: 20261122,
    resolvePath: (p) => resolve(root, 'pipelines', p),
    pool,
    signal: new AbortController().signal,
    progress: () => undefined,
    warn: () => undefined,
  };
}

const cpu = (since: NodeJS.CpuUsage): string => {
  const d = process.cpuUsage(since);
  return ((d.user + d.system) / 1e6).toFixed(2);
};

function rFixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(resolve(root, 'test/fixtures/trial', name), 'utf8')) as Record<string, unknown>;
}

async function cohortInputs(pool: WorkerPool): Promise<Map<string, Artifact>> {
  const ctx = context(pool);
  const columns = { evt: 'boolean', sex_female: 'boolean', ivt: 'boolean', age: 'number', nihss: 'integer', aspects: 'integer', onset_to_rand_min: 'number', fiv_ml: 'number', mrs90: 'integer', occlusion: { type: 'factor', levels: ['M1', 'ICA', 'M2'] }, modality: { type: 'factor', levels: ['CT', 'MRI'] } };
  const cohort = await load.run({ path: 'data/hermes_synthetic.csv', columns, rename: {} } as unknown as Parameters<typeof load.run>[0], new Map(), ctx);
  const analysed = await filter.run({ input: 'cohort', where: ['!is_missing(fiv_ml)', '!is_missing(aspects)', '!is_missing(onset_to_rand_min)'] }, new Map([['cohort', cohort]]), ctx);
  const inputs = new Map<string, Artifact>([['analysed', analysed]]);
  const ordinal = await fitOrdinalStep.run({ input: 'analysed', formula: 'mrs90 ~ cbrt(fiv_ml) + evt + age + sex_female + nihss + aspects + occlusion + ivt + onset_to_rand_min', level: 0.95 }, inputs, ctx);
  inputs.set('ordinal', ordinal);
  return inputs;
}

function referenceVolumes(inputs: Map<string, Artifact>): Float64Array {
  const a = inputs.get('analysed');
  if (a?.type !== 'table') throw new Error('no table');
  const evt = a.table.columns.get('evt');
  const fiv = a.table.columns.get('fiv_ml');
  if (evt?.type !== 'number' || fiv?.type !== 'number') throw new Error('columns');
  return Float64Array.from([...fiv.values].filter((_, i) => evt.values[i] === 0));
}

export async function run(): Promise<void> {
  const simR = rFixture('simulation.json');
  const bootR = rFixture('bootstrap.json');
  const inThread: WorkerPool = { size: 1, run: () => Promise.reject(new Error('no pool')) };
  const inputs = await cohortInputs(inThread);
  const reference = referenceVolumes(inputs);

  // 1. the simulation engine
  const problem: SimulationProblem = { reference, effects: [{ kind: 'ratio', value: 0.8 }], floor: 0, logOffset: 0, tests: [...VOLUME_TESTS], sizes: [1260], allocation: 0.5, alpha: 0.05, seed: 20261122, stream: 1 };
  for (let k = 0; k < 2; k++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    simulateTrials(problem, 0, 10000);
    console.log(`simulation, 10 000 trials × 630 + 630, four tests, this thread: ${((performance.now() - t0) / 1000).toFixed(3)} s wall, ${cpu(c0)} s CPU`);
  }
  const params = (over: Partial<TrialDesignParams>): TrialDesignParams => ({
    ...TRIAL_DESIGN_DEFAULTS,
    reference: 'analysed',
    arm: 'evt == 0',
    volume: 'fiv_ml',
    effects: { ratio: [0.8] },
    log_offset: 1,
    proportion_through_volume: [1, 0.5, 0.12],
    ...over,
  });
  const pool = new ThreadPool(2);
  try {
    for (const state of ['fresh pool', 'warm pool']) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await runReplicatedAlone(trialDesign, params({ simulation: { ...TRIAL_DESIGN_DEFAULTS.simulation, trials: 10000, sizes: [1260] } }), inputs, { seed: 20261122, pool });
      console.log(`simulation step (same trials, the replicate construct's batches on 2 threads, ${state}): ${((performance.now() - t0) / 1000).toFixed(3)} s wall, ${cpu(c0)} s CPU (goal < 1 s; R: ${String(simR.r_seconds_10000_trials_630_per_arm)} s)`);
    }
  } finally {
    await pool.destroy();
  }

  // 2. the chain bootstrap
  const chain = params({ effects: { ratio: [0.8, 0.7], absolute_ml: [10] }, outcome_model: 'ordinal', data: 'analysed', mrs: 'mrs90', bootstrap: { replicates: 2000 } });
  const t = bootR.timing as { seconds_per_2000: number; replicates_timed: number };
  const pool2 = new ThreadPool(2);
  try {
    for (const state of ['fresh pool', 'warm pool']) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await runReplicatedAlone(trialDesign, chain, inputs, { seed: 20261122, pool: pool2 });
      console.log(`chain bootstrap B = 2 000 (3 effects, 4 tests, ordinal refit, ${state}): ${((performance.now() - t0) / 1000).toFixed(3)} s wall, ${cpu(c0)} s CPU (goal < 2 s; R: ${t.seconds_per_2000.toFixed(0)} s, scaled from ${t.replicates_timed} replicates)`);
    }
  } finally {
    await pool2.destroy();
  }

  // 3. the shipped pipeline's design step, cold
  const spec = readFileSync(resolve(root, 'pipelines/trial-design.yaml'), 'utf8');
  const times = await timeColdRun(spec, 'trial-design', thisCli, { 'data/hermes_synthetic.csv': resolve(root, 'pipelines/data/hermes_synthetic.csv') });
  console.log(`pipelines/trial-design.yaml, cold lesionflow run --jobs 2: design ${seconds(times.steps.get('design'))} s, design_good ${seconds(times.steps.get('design_good'))} s, run ${seconds(times.run)} s, process ${seconds(times.process)} s, peak ${times.peakMb.toFixed(0)} MB`);
}
