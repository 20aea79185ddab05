/**
 * Imputation and mediation benchmark (issue 4). Prints wall time (and for impute the CPU time of all
 * threads, a figure less sensitive to other load on the machine) and peak memory (process max RSS) of:
 * - `impute` m = 20, maxit = 5, on the HERMES-like synthetic cohort of 1 665 rows and of 100 000 rows
 *   (10 variables, MAR missingness of the generator), on a 2-thread worker pool (goals: < 0.5 s, < 10 s;
 *   R mice + pool: 2.4 s and 110 s) — on a fresh pool, then a warm one, and the 1 665 rows again as a step
 *   of a cold `lesionflow run --jobs 2` (simulate → impute), whose pool starts with the run;
 * - one `mediate` call without counterfactuals on 1 665 patients (the bootstrap's inner loop), on the
 *   cohort and on bootstrap resamples of it, split into building the complete-case design and the maths
 *   (two clm fits on the distinct rows, the a-path lm), and as the bootstrap's fast path runs it (the
 *   resample's design gathered from the cohort's: mediateResamplePlan), and one with counterfactuals (sims = 1000).
 */
import type { StepContext } from '../src/nodes/kind.js';
import { impute, type ImputeParams } from '../src/nodes/impute.js';
import { mediate, type MediateParams, mediateResamplePlan, mediationData } from '../src/nodes/mediate.js';
import { threadSetup } from '../src/nodes/thread-setup.js';
import { ThreadPool } from '../src/runner/pool.js';
import { runReplicatedAlone } from '../src/runner/replicate/standalone.js';
import { simulateCohort } from '../src/stats/simulate/cohorts.js';
import { mediation } from '../src/stats/mediation.js';
import { rngFor } from '../src/stats/rng.js';
import type { Artifact } from '../src/data/artifact.js';
import { type Table, takeRows } from '../src/data/table.js';
import { seconds, timeColdRun } from './run-step.js';

function context(pool: ThreadPool): StepContext {
  return {
    step: 'bench',
    seed: 20261122,
    resolvePath: (p) => p,
    pool,
    signal: new AbortController().signal,
    progress: () => undefined,
    warn: () => undefined,
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
  await runReplicatedAlone(impute, params, inputs, { seed: 20261122, pool });
  const ms = performance.now() - t0;
  // CPU time of all threads: on a loaded machine, wall time overstates what 2 free cores would take.
  const cpu = process.cpuUsage(c0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  console.log(`impute m=20 maxit=5, ${n} rows (${missingSummary(table)}), 2 workers: ${(ms / 1000).toFixed(2)} s wall, ${cpuS.toFixed(2)} s CPU (all threads), peak RSS ${peakMb()}`);
}

export const IMPUTE_SPEC = `name: bench-impute
seed: 20261122
steps:
  cohort: {kind: simulate, cohort: hermes, n: 1665, seed: 7}
  mi:
    kind: impute
    input: cohort
    m: 20
    variables: [${VARIABLES.join(', ')}]
`;

export async function run(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const t = await timeColdRun(IMPUTE_SPEC, 'bench-impute');
    console.log(`impute m=20 maxit=5, 1665 rows, as a step of a cold \`lesionflow run --jobs 2\`: ${seconds(t.steps.get('mi'))} s (the run: ${seconds(t.run)} s; the process: ${seconds(t.process)} s, peak RSS ${t.peakMb.toFixed(0)} MB)`);
  }
  const pool = new ThreadPool(2, undefined, { setup: threadSetup });
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
  // What a bootstrap replicate sees: row resamples of the cohort (~37 % repeated rows).
  const resampleRows = Array.from({ length: reps }, (_, b) => {
    const rng = rngFor(20261122, b);
    return Int32Array.from({ length: table.nrows }, () => rng.int(table.nrows));
  });
  const resamples = resampleRows.map((rows) => takeRows(table, rows));
  const cpuMs = (c: NodeJS.CpuUsage): number => (c.user + c.system) / 1000;
  /** Best of 5 rounds (the machine is shared): wall and CPU ms per call of f over the tables. */
  const perCall = async (tables: readonly Table[], f: (t: Table) => unknown): Promise<{ wall: number; cpu: number }> => {
    let wall = Infinity;
    let cpu = Infinity;
    for (let round = 0; round < 5; round++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      for (const t of tables) await f(t);
      wall = Math.min(wall, (performance.now() - t0) / tables.length);
      cpu = Math.min(cpu, cpuMs(process.cpuUsage(c0)) / tables.length);
    }
    return { wall, cpu };
  };
  const runOn = (t: Table): Promise<unknown> => Promise.resolve(mediate.run(params, new Map([['cohort', { type: 'table', table: t }]]), ctx));
  const original = await perCall(Array.from({ length: reps }, () => table), runOn);
  const whole = await perCall(resamples, runOn);
  // mediate's own part: the complete-case design (mediationData); the rest is mediation() — the two clm fits and the a-path lm.
  const prep = await perCall(resamples, (t) => mediationData(t, params));
  const prepared = resamples.map((t) => mediationData(t, params).data);
  let k = 0;
  const maths = await perCall(resamples, () => mediation(prepared[k++ % reps]!, { level: 0.95, favourable: 'lower', fast: true }));
  // The bootstrap's fast path: the resample's design gathered from the cohort's, then mediation().
  const plan = mediateResamplePlan(params, table);
  if (plan === undefined) throw new Error('mediate has no resample plan for the benchmark cohort');
  let q = 0;
  const planned = await perCall(resamples, () => plan(resampleRows[q++ % reps]!, 1));
  const ms = (x: { wall: number; cpu: number }): string => `${x.wall.toFixed(3)} ms (CPU ${x.cpu.toFixed(3)})`;
  console.log(
    `mediate (no counterfactuals), n = ${table.nrows}: per call on the cohort ${ms(original)}; on bootstrap resamples ${ms(whole)} = ` +
      `design ${ms(prep)} + mediation() [collapse duplicate rows, clm direct + total, lm a-path] ${ms(maths)}; ` +
      `as the bootstrap runs it (design rows gathered from the cohort's, mediation()) ${ms(planned)}; peak RSS ${peakMb()}`,
  );

  const t0 = performance.now();
  await mediate.run({ ...params, counterfactual: true, sims: 1000 }, inputs, ctx);
  console.log(`mediate with counterfactuals (sims = 1000): ${(performance.now() - t0).toFixed(0)} ms; peak RSS ${peakMb()}`);
}
