/**
 * A/B benchmark: this build (B, "new") against a baseline git ref (A, "old") in the same bench run,
 * alternating A and B many times (ABBA order, so a drift of the machine's speed within the run falls on
 * both alike) and printing the medians side by side with their ratio. Figures (issue 12): the ordinal fit
 * at N = 1 665 and 10⁵, the logistic fit at 10⁶, the mediation bootstrap (B = 2 000) and `impute` (m = 20)
 * as steps of a cold `lesionflow run --jobs 2`.
 *
 * The baseline is built from git, not kept in the tree: the ref's files (`git archive`) go to a folder
 * under the system's temporary directory named by its commit, with this checkout's node_modules linked
 * in, and are built there once (its own `npm run build`); later runs reuse that build. Choose
 * the baseline with the environment variable `BENCH_BASELINE` (any git ref, e.g. `main`, `HEAD~3`, a
 * tag); by default it is `git merge-base HEAD main`, the commit a branch started from (on main itself
 * that is HEAD: an A/A run, which shows the noise). `BENCH_AB_ROUNDS` sets the number of A/B pairs
 * (default 12); `BENCH_AB_ONLY` a comma-separated subset of the figures (ordinal, ordinal-large, logistic,
 * bootstrap, impute, trial-simulation, trial-bootstrap).
 *
 *   BENCH_BASELINE=main npm run bench -- ab
 *
 * A build made elsewhere is compared as it is with LESIONFLOW_BASELINE=<its dist/src/runner/cli.js> (and
 * LESIONFLOW_AB_ROUNDS for the rounds), as issue 17's check of the local bootstrap was run.
 *
 * Each figure prints wall time and CPU time, old against new: the median of each side, their ratio and the
 * median of the pairs' ratios. An A/A run (BENCH_BASELINE=HEAD) shows the noise floor (on this 2-core
 * machine shared by several developers, ±1–2 % for the in-process CPU figures).
 *
 * `BENCH_AB_INSTRUCTIONS=1` adds instruction counts, which do not depend on the machine's load: each
 * side's workloads (bench/ab-work.ts: the ordinal fit, the bootstrap's warm weighted ordinal fit, one
 * mediation replicate, the logistic fit at 10⁵, one imputation) run under `valgrind --tool=callgrind` with
 * `node --single-threaded` (no concurrent compiler or GC threads), once with 1 call and once with 1 + R;
 * the difference over R is the instructions per call, JIT warm-up over those calls included. Slow (a
 * minute or two per count).
 *
 * What each side runs is only what a user runs, so the harness survives changes inside the code: the
 * fits call the public fit functions (`fitOrdinal` in dist/src/stats/ordinal.js, `fitLogistic` in
 * dist/src/stats/logistic.js) of each build on the same arrays (built once, by this build), and the
 * bootstrap and impute run each build's own CLI on the same spec. A build without one of these entry
 * points prints "not comparable" for that figure (then update the adapter below, not the baseline).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildDesign } from '../src/stats/design.js';
import { responseCategories } from '../src/stats/ordinal.js';
import { IMPUTE_SPEC } from './impute-mediate.js';
import { BOOTSTRAP_SPEC } from './inference.js';
import { timeColdRun } from './run-step.js';
import { TRIAL_BOOTSTRAP_SPEC, TRIAL_SIMULATION_SPEC } from './trial-design.js';
import { median, syntheticData } from './stats.js';

const repoRoot = resolve(import.meta.dirname, '../..');
const ROUNDS = Number(process.env.BENCH_AB_ROUNDS ?? process.env.LESIONFLOW_AB_ROUNDS ?? 12);
const ONLY = process.env.BENCH_AB_ONLY?.split(',').map((s) => s.trim());
const wanted = (key: string): boolean => ONLY === undefined || ONLY.includes(key);

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
}

/**
 * The baseline's commit and a folder with its compiled build (built on first use), or the build whose CLI
 * LESIONFLOW_BASELINE names (…/dist/src/runner/cli.js of a checkout built elsewhere) as it is.
 */
async function baselineBuild(): Promise<{ ref: string; sha: string; root: string }> {
  const cli = process.env.LESIONFLOW_BASELINE;
  if (cli !== undefined && cli !== '') {
    const root = resolve(cli, '../../../..');
    let sha = 'no commit';
    try {
      sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    } catch {
      // a build outside a git checkout: named by its folder only
    }
    return { ref: root, sha, root };
  }
  let ref = process.env.BENCH_BASELINE;
  if (ref === undefined || ref === '') {
    try {
      ref = git('merge-base', 'HEAD', 'main');
    } catch {
      ref = 'HEAD';
    }
  }
  const sha = git('rev-parse', '--verify', `${ref}^{commit}`);
  const root = join(tmpdir(), `lesionflow-bench-baseline-${sha}`);
  if (existsSync(join(root, 'dist', '.built'))) return { ref, sha, root };
  // build into a temporary name, then rename: an interrupted build is never taken for a finished one
  const staging = `${root}.${process.pid}.tmp`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  execFileSync('sh', ['-c', `git archive ${sha} | tar -x -C '${staging}'`], { cwd: repoRoot, stdio: 'inherit' });
  await symlink(join(repoRoot, 'node_modules'), join(staging, 'node_modules'), 'dir');
  // the ref's own build script (tsc, and from issue 12 on the copy of the kernels' .wasm into dist)
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: staging, stdio: 'inherit' });
  await writeFile(join(staging, 'dist', '.built'), `${sha}\n`);
  await rm(root, { recursive: true, force: true });
  await rename(staging, root);
  return { ref, sha, root };
}

interface Side {
  readonly label: string;
  readonly root: string;
}

type OrdinalFit = (X: Float64Array, n: number, p: number, y: Int32Array, J: number, options?: object) => { iterations: number };
type LogisticFit = (X: Float64Array, n: number, p: number, y: Float64Array, options?: object) => { iterations: number };

/** A module of a side's build, or undefined when that build has no such file. */
async function load<T>(side: Side, path: string): Promise<T | undefined> {
  const file = join(side.root, 'dist', path);
  if (!existsSync(file)) return undefined;
  return (await import(pathToFileURL(file).href)) as T;
}

/**
 * One measurement: wall ms, and CPU ms (on a loaded machine the fairer figure): of this process's thread for
 * work in this process, of the whole run process (every thread, from start to exit) for a cold run.
 */
interface Sample {
  readonly wall: number;
  readonly cpu?: number | undefined;
  /** A cold run's whole wall time, every step (its run record's ms), beside the one step's `wall`. */
  readonly run?: number | undefined;
}

/** Wall and CPU ms of f (a function of this process's single thread). */
function timed(f: () => void): Sample {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  f();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

const fmt = (ms: number): string => (ms >= 100 ? `${(ms / 1000).toFixed(3)} s` : `${ms.toFixed(3)} ms`);

/** "old x, new y  new/old r (median of paired ratios q)" for one measure of the pairs. */
function comparison(what: string, old: readonly number[], neu: readonly number[]): string {
  const [a, b] = [median(old), median(neu)];
  const paired = median(neu.map((t, i) => t / old[i]!));
  return `${what} old ${fmt(a)}, new ${fmt(b)}, new/old ${(b / a).toFixed(3)} (paired ${paired.toFixed(3)}; old ${fmt(Math.min(...old))}–${fmt(Math.max(...old))}, new ${fmt(Math.min(...neu))}–${fmt(Math.max(...neu))})`;
}

/**
 * Alternates `measure(side)` over the two sides, `rounds` pairs in ABBA order after `warm` untimed calls
 * each, and prints the medians (wall, and CPU when measured; for a step of a cold run also the whole run's
 * wall) with new/old: the ratio of the medians and the median of the pairs' ratios.
 */
async function abTest(name: string, sides: readonly [Side, Side], measure: (side: Side) => Promise<Sample | undefined>, warm: number, rounds = ROUNDS, cpuLabel = 'CPU '): Promise<void> {
  const samples: [Sample[], Sample[]] = [[], []];
  try {
    for (let w = 0; w < warm; w++) for (const side of sides) await measure(side);
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? [0, 1] : [1, 0];
      for (const k of order) {
        const t = await measure(sides[k]!);
        if (t === undefined) {
          console.log(`${name}: not comparable (${sides[k]!.label} has no such entry point)`);
          return;
        }
        samples[k]!.push(t);
      }
    }
  } catch (e) {
    console.log(`${name}: failed: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  const [a, b] = samples;
  const lines = [`${name} — ${rounds} pairs:`, `  ${comparison('wall', a.map((t) => t.wall), b.map((t) => t.wall))}`];
  if (a[0]!.cpu !== undefined) lines.push(`  ${comparison(cpuLabel, a.map((t) => t.cpu!), b.map((t) => t.cpu!))}`);
  if (a[0]!.run !== undefined) lines.push(`  ${comparison('wall of the whole run (every step)', a.map((t) => t.run!), b.map((t) => t.run!))}`);
  console.log(lines.join('\n'));
}

/** Instructions counted by callgrind for `node --single-threaded dist/bench/ab-work.js <root> <workload> <reps>`. */
function instructions(side: Side, workload: string, reps: number): number {
  const r = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, '--single-threaded', join(repoRoot, 'dist/bench/ab-work.js'), side.root, workload, String(reps)], { encoding: 'utf8' });
  const m = /Collected : (\d+)/.exec(r.stderr);
  if (r.status !== 0 || m === null) throw new Error(`callgrind of ${workload} (${side.label}) failed: ${r.stderr.slice(-400)}`);
  return Number(m[1]);
}

/** Per-call instruction counts of the workloads, old against new (BENCH_AB_INSTRUCTIONS=1). */
function instructionCounts(sides: readonly [Side, Side]): void {
  const workloads: [string, number, string][] = [
    ['ordinal', 200, 'ordinal fit, N = 1 665 (per fit)'],
    ['ordinal-warm', 200, 'the bootstrap\'s ordinal fit: weighted, warm start, no eigen-check (per fit)'],
    ['replicate', 300, 'one mediation bootstrap replicate, as the bootstrap runs it (per replicate)'],
    ['logistic', 10, 'logistic fit, N = 10⁵ (per fit)'],
    ['impute', 10, 'impute, 1 665 rows (per imputation)'],
  ];
  console.log('instruction counts (callgrind; per call, JIT warm-up over the calls included):');
  for (const [workload, reps, label] of workloads) {
    try {
      const [a, b] = sides.map((side) => (instructions(side, workload, 1 + reps) - instructions(side, workload, 1)) / reps) as [number, number];
      console.log(`  ${label}: old ${(a / 1e6).toFixed(3)} M, new ${(b / 1e6).toFixed(3)} M, new/old ${(b / a).toFixed(3)}`);
    } catch (e) {
      console.log(`  ${label}: not counted (${e instanceof Error ? e.message : String(e)})`);
    }
  }
}

export async function run(): Promise<void> {
  const base = await baselineBuild();
  const head = git('rev-parse', '--short', 'HEAD');
  const dirty = git('status', '--porcelain', '--untracked-files=no') === '' ? '' : ' + uncommitted changes';
  console.log(`# A/B: new = this build (${head}${dirty}), old = ${base.ref} (${base.sha.slice(0, 10)}), built in ${base.root}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const sides: [Side, Side] = [
    { label: 'old', root: base.root },
    { label: 'new', root: repoRoot },
  ];

  const ordinal = async (side: Side): Promise<OrdinalFit | undefined> => (await load<{ fitOrdinal?: OrdinalFit }>(side, 'src/stats/ordinal.js'))?.fitOrdinal;
  // the ordinal fit at N = 1 665 (bench/stats.ts's inner-loop case): 20 fits per measurement
  if (wanted('ordinal')) {
  const small = syntheticData(1665, 7);
  const mdS = buildDesign('yo ~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9', small);
  const catsS = responseCategories(mdS.response!);
  await abTest('ordinal fit, N = 1 665, 9 covariates, 7 levels (per fit; R clm 10 ms)', sides, async (side) => {
    const fit = await ordinal(side);
    if (fit === undefined) return undefined;
    const t = timed(() => {
      for (let k = 0; k < 20; k++) fit(mdS.X.subarray(mdS.n), mdS.n, mdS.p - 1, catsS.codes, catsS.labels.length);
    });
    return { wall: t.wall / 20, cpu: t.cpu! / 20 };
  }, 10, 4 * ROUNDS);
  }

  // the ordinal fit at N = 10⁵ and the logistic fit at N = 10⁶, 10 covariates (bench/stats.ts's large fits)
  const formula = '~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10';
  if (wanted('ordinal-large')) {
  const mid = syntheticData(100_000);
  const mdO = buildDesign(`yo ${formula}`, mid);
  const catsO = responseCategories(mdO.response!);
  await abTest('ordinal fit, N = 10⁵, 10 covariates, 7 levels (R clm 420 ms)', sides, async (side) => {
    const fit = await ordinal(side);
    if (fit === undefined) return undefined;
    return timed(() => fit(mdO.X.subarray(mdO.n), mdO.n, mdO.p - 1, catsO.codes, catsO.labels.length));
  }, 2, 2 * ROUNDS);
  }
  if (wanted('logistic')) {
  const large = syntheticData(1_000_000);
  const mdL = buildDesign(`y ${formula}`, large);
  const yL = (mdL.response as { values: Float64Array }).values;
  await abTest('logistic fit, N = 10⁶, 10 covariates (R glm at 10⁵: 160 ms)', sides, async (side) => {
    const fit = (await load<{ fitLogistic?: LogisticFit }>(side, 'src/stats/logistic.js'))?.fitLogistic;
    if (fit === undefined) return undefined;
    return timed(() => fit(mdL.X, mdL.n, mdL.p, yL));
  }, 1);
  }

  // the mediation bootstrap and impute as steps of a cold `lesionflow run --jobs 2`, each side its own CLI
  const coldStep = (spec: string, pipeline: string, step: string) => async (side: Side): Promise<Sample | undefined> => {
    const cli = join(side.root, 'dist/src/runner/cli.js');
    if (!existsSync(cli)) return undefined;
    const t = await timeColdRun(spec, pipeline, cli);
    const ms = t.steps.get(step);
    if (ms === undefined) throw new Error(`the run record of ${side.label} has no step "${step}"`);
    return { wall: ms, cpu: t.cpuMs, run: t.run };
  };
  if (wanted('bootstrap')) await abTest('mediation bootstrap B = 2 000, n = 1 665, as a step of a cold `lesionflow run --jobs 2` (R boot + clm, B = 1 000: 25 s)', sides, coldStep(BOOTSTRAP_SPEC, 'bench-bootstrap', 'boot'), 1, ROUNDS, 'CPU of the whole run (every thread)');
  if (wanted('impute')) await abTest('impute m = 20, 1 665 rows, as a step of a cold `lesionflow run --jobs 2` (R mice + pool: 2.4 s)', sides, coldStep(IMPUTE_SPEC, 'bench-impute', 'mi'), 1, ROUNDS, 'CPU of the whole run (every thread)');
  // trial_design's simulation and chain bootstrap (issue 17: on the replicate construct) as steps of a cold run
  if (wanted('trial-simulation')) await abTest('trial_design simulation, 10 000 trials × 630 + 630, four tests, as a step of a cold `lesionflow run --jobs 2` (R: 40 s)', sides, coldStep(TRIAL_SIMULATION_SPEC, 'bench-trial-simulation', 'design'), 1, ROUNDS, 'CPU of the whole run (every thread)');
  if (wanted('trial-bootstrap')) await abTest('trial_design chain bootstrap B = 2 000 (3 effects, 4 tests, ordinal refit), as a step of a cold `lesionflow run --jobs 2`', sides, coldStep(TRIAL_BOOTSTRAP_SPEC, 'bench-trial-bootstrap', 'design'), 1, ROUNDS, 'CPU of the whole run (every thread)');
  if (process.env.BENCH_AB_INSTRUCTIONS === '1') instructionCounts(sides);
}
