/**
 * Inference benchmark (issue 4). Prints wall time, CPU time of the main thread (volume_delta) and peak
 * memory (process max RSS) of:
 * - `volume_delta` (δ = 1, 5, 10 points, Brent to 1e-8 mL, adjusted curve) on the HERMES-like synthetic
 *   cohort of 1 665 and 100 000 patients, for a linear and an rcs(fiv_ml, 4) volume term
 *   (goal at 100 000: < 1 s; R uniroot: 1.4 s at 1 665, 90 s at 100 000);
 * - the mediation bootstrap, B = 2 000 on 1 665 patients, stratified by evt, percentile intervals, on a
 *   2-thread worker pool (goal < 1 s; R boot + ordinal::clm, B = 1 000: 25 s) — and with BCa (adds a
 *   1 665-sample jackknife): wall and CPU time on a fresh pool, and again on the warm pool (the difference
 *   is the pool's start-up and JIT warm-up), through the runner's replicate construct on the local executor;
 * - the same bootstrap as a step of a cold `lesionflow run --jobs 2` (simulate the cohort → mediate →
 *   bootstrap, in a temporary folder): what a user's run log shows, the pool's threads started at the
 *   run's first cache miss upstream of the replicated step while the steps before it ran.
 */
import type { Artifact } from '../src/data/artifact.js';
import type { StepContext, WorkerPool } from '../src/nodes/kind.js';
import { bootstrap } from '../src/nodes/bootstrap.js';
import { mediate, type MediateParams } from '../src/nodes/mediate.js';
import { fitLogisticStep } from '../src/nodes/fit_logistic.js';
import { registry } from '../src/nodes/registry.js';
import { threadSetup } from '../src/nodes/thread-setup.js';
import { volumeDelta } from '../src/nodes/volume_delta.js';
import { ThreadPool } from '../src/runner/pool.js';
import { runReplicatedAlone } from '../src/runner/replicate/standalone.js';
import { simulateCohort } from '../src/stats/simulate/cohorts.js';
import { seconds, timeColdRun } from './run-step.js';
import { mediationBootstrapSpec } from './specs.js';

function context(pool: WorkerPool | undefined): StepContext {
  return {
    step: 'bench',
    seed: 20261122,
    resolvePath: (p) => p,
    pool: pool ?? { size: 1, run: () => Promise.reject(new Error('no pool in this benchmark')) },
    signal: new AbortController().signal,
    progress: () => undefined,
    warn: () => undefined,
  };
}

const peakMb = (): string => `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`;
/** CPU seconds (user + system) of this thread's process since `since`: less sensitive than wall time to a busy machine. */
const cpuSeconds = (since: NodeJS.CpuUsage): string => {
  const d = process.cpuUsage(since);
  return ((d.user + d.system) / 1e6).toFixed(3);
};
const COVARIATES = 'evt + age + nihss + aspects + occlusion';

async function timeVolumeDelta(n: number, term: string): Promise<void> {
  const table = simulateCohort('hermes', n, 11);
  const cohort = new Map<string, Artifact>([['cohort', { type: 'table', table }]]);
  const fit = await fitLogisticStep.run({ input: 'cohort', formula: `mrs90 <= 2 ~ ${term} + ${COVARIATES}`, ci: 'wald' }, cohort, context(undefined));
  const inputs = new Map<string, Artifact>([...cohort, ['fit', fit]]);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const out = await volumeDelta.run(
    { model: 'fit', data: 'cohort', variable: 'fiv_ml', deltas: [0.01, 0.05, 0.1], constrained: true, min_volume: 0, tol: 1e-8, curve_points: 101, level: 0.95 },
    inputs,
    context(undefined),
  );
  const ms = performance.now() - t0;
  const cpu = cpuSeconds(c0);
  if (out.type !== 'result') throw new Error('volume_delta gave no result');
  const s = out.value.summaries as unknown as { points: number; median: number; solved: number }[];
  const medians = s.map((x) => `+${x.points}: median ${x.median.toFixed(1)} mL (${x.solved} solved)`).join('; ');
  console.log(`volume_delta ${term.padEnd(15)} n = ${String(n).padStart(6)}: ${(ms / 1000).toFixed(3)} s wall, ${cpu} s CPU, peak RSS ${peakMb()}  [${out.value.patients as number} patients < 80 mL; ${medians}]`);
}

/** Process CPU seconds (user + system, every thread) since `since`. */
const cpuAll = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
};

/**
 * The mediation bootstrap on a fresh 2-thread pool (what `lesionflow run` pays: threads start, modules load
 * and the JIT warms up inside the timed run), then again on the same, now warm, pool: the difference is
 * the pool's start-up and warm-up overhead.
 */
async function timeMediationBootstrap(ci: ('percentile' | 'bca')[]): Promise<void> {
  const table = simulateCohort('hermes', 1665, 7);
  const medParams: MediateParams = { input: 'cohort', outcome: 'mrs90', exposure: 'evt', mediator: 'fiv_ml', transform: 'cbrt', covariates: ['age', 'sex_female', 'nihss', 'aspects', 'occlusion', 'ivt', 'onset_to_rand_min'], counterfactual: false };
  // the threads get the main thread's compiled kernels, as in `lesionflow run`
  const pool = new ThreadPool(2, undefined, { setup: threadSetup });
  const threads = '2 workers';
  try {
    const original = await mediate.run(medParams, new Map([['cohort', { type: 'table', table }]]), context(pool));
    const inputs = new Map<string, Artifact>([
      ['cohort', { type: 'table', table }],
      ['med', original],
    ]);
    const once = async (): Promise<{ s: number; cpu: number; out: Artifact }> => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const out = await runReplicatedAlone(bootstrap, { of: 'med', from: 'cohort', replicates: 2000, strata: ['evt'], ci, conf: 0.95 }, inputs, {
        seed: 20261122,
        pool,
        subPipeline: { from: 'cohort', steps: [{ name: 'med', kind: 'mediate', params: medParams as unknown as Readonly<Record<string, unknown>>, inputs: ['cohort'] }] },
        kinds: (k) => registry.get(k),
      });
      return { s: (performance.now() - t0) / 1000, cpu: cpuAll(c0), out };
    };
    const cold = await once();
    const warm = await once();
    const out = cold.out;
    if (out.type !== 'result') throw new Error('bootstrap gave no result');
    const est = (out.value.estimates as unknown as { name: string; original: number; percentile: { lower: number; upper: number } | null }[]).find((e) => e.name === 'proportion_explained');
    const failed = (out.value.failed as { count: number }).count;
    const pe = est === undefined ? '' : `; proportion explained ${est.original.toFixed(3)} (${est.percentile?.lower.toFixed(3) ?? '?'} to ${est.percentile?.upper.toFixed(3) ?? '?'})`;
    console.log(
      `mediation bootstrap B = 2000, n = 1665, ${threads}, ci ${ci.join('+')}: ${cold.s.toFixed(2)} s (CPU ${cold.cpu.toFixed(2)} s, all threads); ` +
        `on the warm pool ${warm.s.toFixed(2)} s (CPU ${warm.cpu.toFixed(2)} s): pool start-up + warm-up ${(cold.s - warm.s).toFixed(2)} s; peak RSS ${peakMb()}  [${failed} failed${pe}]`,
    );
  } finally {
    await pool.destroy();
  }
}

export const BOOTSTRAP_SPEC = mediationBootstrapSpec({ name: 'bench-bootstrap', replicates: 2000, counterfactual: false, from: 'cohort' });

/** The bootstrap as a step of a cold `lesionflow run --jobs 2` (new process, empty cache), from its run record. */
async function timeBootstrapInRun(): Promise<void> {
  const t = await timeColdRun(BOOTSTRAP_SPEC, 'bench-bootstrap');
  console.log(
    `mediation bootstrap B = 2000, n = 1665, ci percentile, as a step of a cold \`lesionflow run --jobs 2\`: ${seconds(t.steps.get('boot'))} s ` +
      `(the run: ${seconds(t.run)} s — simulate ${seconds(t.steps.get('cohort'))} s, mediate ${seconds(t.steps.get('med'))} s; the process: ${seconds(t.process)} s, peak RSS ${t.peakMb.toFixed(0)} MB)`,
  );
}

export async function run(): Promise<void> {
  for (const n of [1665, 100000]) {
    await timeVolumeDelta(n, 'fiv_ml');
    await timeVolumeDelta(n, 'rcs(fiv_ml, 4)');
  }
  await timeMediationBootstrap(['percentile']);
  await timeMediationBootstrap(['percentile', 'bca']);
  for (let i = 0; i < 3; i++) await timeBootstrapInRun();
}
