/**
 * Pipelines benchmark (issue 5): what `npm start` does — the four shipped pipelines (HERMES
 * volume-delta, HERMES mediation, ESCAPE infarct, trial design) in one `lesionflow run a.yaml b.yaml …` process
 * on the bundled synthetic cohorts — cold (empty cache) and then fully cached. Goals on this 2-core
 * machine: cold under 60 s, cached under 2 s.
 *
 * Runs in a temporary copy of the project's specs and data (its own outputs folder and lock files), so
 * the repository's outputs/ and committed lock files are untouched. Prints wall time, CPU time (user +
 * system, all threads: on a loaded machine wall time mostly measures the queue for a core) and peak
 * memory (max RSS) of the run process, then the slowest steps of the cold run.
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { probedUsage, USAGE_PROBE } from './run-step.js';

const PIPELINES = ['hermes-volume-delta', 'hermes-mediation', 'escape-infarct', 'trial-design'] as const;
const repoRoot = resolve(import.meta.dirname, '../..');
const cliPath = join(repoRoot, 'dist/src/runner/cli.js');


interface Timing {
  readonly wall: number;
  readonly cpu: number;
  readonly rssMb: number;
}

function timeRun(project: string): Timing {
  const specs = PIPELINES.map((p) => `pipelines/${p}.yaml`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', USAGE_PROBE, cliPath, 'run', ...specs, '--quiet'], {
    cwd: project,
    env: { ...process.env, CI: '1' },
    encoding: 'utf8',
  });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`lesionflow run exited ${String(r.status)}: ${r.stdout}${r.stderr}`);
  const u = probedUsage(r.stderr);
  return { wall, cpu: u.cpuUs / 1000, rssMb: u.maxRssKb / 1024 };
}

const line = (label: string, t: Timing, goal: number): string =>
  `${label.padEnd(22)} wall ${(t.wall / 1000).toFixed(2).padStart(6)} s   cpu ${(t.cpu / 1000).toFixed(2).padStart(6)} s   ` +
  `peak RSS ${t.rssMb.toFixed(0).padStart(4)} MB   (goal < ${goal} s: ${t.wall / 1000 < goal ? 'met' : 'NOT met'})`;

interface RunRecord {
  readonly ms: number;
  readonly steps: readonly { readonly name: string; readonly kind: string; readonly ms: number }[];
}

export async function run(): Promise<void> {
  const project = await mkdtemp(join(tmpdir(), 'lesionflow-bench-pipelines-'));
  try {
    await mkdir(join(project, 'pipelines'));
    await cp(join(repoRoot, 'pipelines/data'), join(project, 'pipelines/data'), { recursive: true });
    for (const p of PIPELINES) await cp(join(repoRoot, `pipelines/${p}.yaml`), join(project, `pipelines/${p}.yaml`));
    console.log(`npm start equivalent: lesionflow run ${PIPELINES.map((p) => `pipelines/${p}.yaml`).join(' ')}`);
    console.log(`${availableParallelism()} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const cold = timeRun(project);
    console.log(line('cold (empty cache)', cold, 60));
    // Where the cold time went (run.json is per pipeline; read before the cached runs rewrite it).
    for (const p of PIPELINES) {
      const record = JSON.parse(await readFile(join(project, 'outputs', p, 'run.json'), 'utf8')) as RunRecord;
      const top = [...record.steps].sort((x, y) => y.ms - x.ms).slice(0, 3);
      console.log(`  ${p.padEnd(20)} ${(record.ms / 1000).toFixed(1).padStart(5)} s; slowest steps: ${top.map((s) => `${s.name} ${(s.ms / 1000).toFixed(1)} s`).join(', ')}`);
    }
    for (let i = 0; i < 3; i++) console.log(line(`cached (run ${String(i + 1)})`, timeRun(project), 2));
  } finally {
    await rm(project, { recursive: true, force: true });
  }
}
