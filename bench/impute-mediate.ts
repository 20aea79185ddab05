/**
 * Imputation and mediation benchmark (issue 4). Prints wall time (and for impute the CPU time of all
 * threads, a figure less sensitive to other load on the machine) and peak memory (process max RSS) of:
 * - `impute` m = 20, maxit = 5, on the HERMES-like synthetic cohort of 1 665 rows and of 100 000 rows
 *   (10 variables, MAR missingness of the generator), on a 2-thread worker pool (goals: < 0.5 s, < 10 s;
 *   R mice + pool: 2.4 s and 110 s);
 * - one `mediate` call without counterfactuals on 1 665 patients (the bootstrap's inner loop), split into
 *   its two ordinal fits and the rest (goal: the rest well under 1 ms), and one with counterfactuals
 *   (sims = 1000).
 */
import type { StepContext } from '../src/nodes/kind.js';
import { impute, type ImputeParams } from '../src/nodes/impute.js';
import { mediate, type MediateParams, mediationData } from '../src/nodes/mediate.js';
import { ThreadPool } from '../src/runner/pool.js';
import { simulateCohort } from '../src/stats/simulate/cohorts.js';
import { fitOrdinal } from '../src/stats/ordinal.js';
import type { Artifact } from '../src/data/artifact.js';
import type { Table } from '../src/data/table.js';

function context(pool: ThreadPool): StepContext {
  return {
    step: 'bench',
    seed: 20261122,
    resolvePath: (p) => p,
    pool,
    signal: new AbortController().signal,
    progress: () => undefined,
    warn: () => undefined,
    checkpoints: { get: () => Promise.resolve(undefined), put: () => Promise.resolve() },
  };
}

const peakMb = (): string => `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`;
const VARIABLES = ['evt', 'age', 'sex_female', 'nihss', 'aspects', 'occlusion', 'ivt', 'onset_to_rand_min', 'fiv_ml', 'mrs90'];

function missingSummary(t: Table): string {
  let cells = 0;
  for (const v of VARIABLES) {
    const c = t.columns.get(v);
    if (c?.type === 'number') for (const x of c.values) if (Number.isNaN(x)) cells++;
    if (c?.type === 'factor') for (const x of c.codes) if (x < 0) cells++;
  }
  return `${cells} missing cells`;
}

async function timeImpute(n: number, pool: ThreadPool): Promise<void> {
  const table = simulateCohort('hermes', n, 7);
  const params: ImputeParams = { input: 'cohort', variables: VARIABLES, m: 20, maxit: 5, donors: 5, include_outcome: true };
  const inputs = new Map<string, Artifact>([['cohort', { type: 'table', table }]]);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await impute.run(params, inputs, context(pool));
  const ms = performance.now() - t0;
  // CPU time of all threads: on a loaded machine, wall time overstates what 2 free cores would take.
  const cpu = process.cpuUsage(c0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  console.log(`impute m=20 maxit=5, ${n} rows (${missingSummary(table)}), 2 workers: ${(ms / 1000).toFixed(2)} s wall, ${cpuS.toFixed(2)} s CPU (all threads), peak RSS ${peakMb()}`);
}

export async function run(): Promise<void> {
  const pool = new ThreadPool(2);
  try {
    await timeImpute(1665, pool); // warms the workers up
    await timeImpute(1665, pool);
    await timeImpute(100_000, pool);
  } finally {
    await pool.destroy();
  }

  const table = simulateCohort('hermes', 1665, 7);
  const inputs = new Map<string, Artifact>([['cohort', { type: 'table', table }]]);
  const params: MediateParams = {
    input: 'cohort',
    outcome: 'mrs90',
    exposure: 'evt',
    mediator: 'fiv_ml',
    transform: 'cbrt',
    covariates: ['age', 'sex_female', 'nihss', 'aspects', 'occlusion', 'ivt', 'onset_to_rand_min'],
    counterfactual: false,
  };
  const ctx = context(new ThreadPool(1));
  const reps = 200;
  const cpuMs = (c: NodeJS.CpuUsage): number => (c.user + c.system) / 1000;
  for (let i = 0; i < 20; i++) await mediate.run(params, inputs, ctx);
  let t0 = performance.now();
  let c0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) await mediate.run(params, inputs, ctx);
  const whole = (performance.now() - t0) / reps;
  const wholeCpu = cpuMs(process.cpuUsage(c0)) / reps;
  // The two clm fits alone, as mediation() does them (the direct model warm-started from the total).
  const d = mediationData(table, params).data;
  if (d.outcome.type !== 'ordinal') throw new Error('expected an ordinal outcome');
  const { n, X } = d;
  const p = d.columns.length - 1;
  const { codes, J } = d.outcome;
  t0 = performance.now();
  c0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) {
    const total = fitOrdinal(X.subarray(n, n * p), n, p - 1, codes, J, { checkHessian: false });
    fitOrdinal(X.subarray(n), n, p, codes, J, { checkHessian: false, start: Float64Array.from([...total.thresholds, ...total.beta, 0]) });
  }
  const fits = (performance.now() - t0) / reps;
  const fitsCpu = cpuMs(process.cpuUsage(c0)) / reps;
  console.log(
    `mediate (no counterfactuals), ${n} complete cases: ${whole.toFixed(3)} ms per call (CPU ${wholeCpu.toFixed(3)} ms); ` +
      `its two clm fits ${fits.toFixed(3)} ms (CPU ${fitsCpu.toFixed(3)} ms); the rest ${(whole - fits).toFixed(3)} ms (CPU ${(wholeCpu - fitsCpu).toFixed(3)} ms); peak RSS ${peakMb()}`,
  );

  t0 = performance.now();
  await mediate.run({ ...params, counterfactual: true, sims: 1000 }, inputs, ctx);
  console.log(`mediate with counterfactuals (sims = 1000): ${(performance.now() - t0).toFixed(0)} ms; peak RSS ${peakMb()}`);
}
