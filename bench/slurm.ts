/**
 * SLURM executor benchmark (issue 17), on the cluster SLURM_CONF names (the local single-node one from
 * scripts/slurm/start-local-slurm.sh; skipped with a message when none answers):
 * - the fixed cost of an array task: 40 units of no work in 40 array tasks (min_task_seconds: 0, one unit
 *   per batch), the run's wall time, and the slot time per task (wall × the node's CPUs / tasks) against
 *   the same set on the local threads — what a task must carry to be worth sending;
 * - the mediation bootstrap, B = 20 000 (1 665 patients, percentile), on the local threads (--jobs 2) and
 *   on the cluster in array tasks of 1 000 replicates, with the bytes of the two outputs compared.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_KINDS_ENV } from '../test/support/test-kinds.js';
import { thisCli } from './run-step.js';
import { mediationBootstrapSpec } from './specs.js';

const FAST = (extra = ''): string => `executor: slurm
slurm:
  min_task_seconds: 0
  poll_seconds: 0.5
  grace_seconds: 5
  mem_per_task: 500M
${extra}`;

const BOOT = mediationBootstrapSpec({ name: 'b', replicates: 20000 });

async function timed(spec: string, config: string, args: readonly string[]): Promise<{ ms: number; steps: Map<string, number>; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'lesionflow-bench-slurm-'));
  await writeFile(join(dir, '.lesionflow'), '');
  await writeFile(join(dir, 'lesionflow.config.yaml'), config);
  await writeFile(join(dir, 'p.yaml'), spec);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [thisCli, 'run', 'p.yaml', '--quiet', ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: '1', ...TEST_KINDS_ENV } });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`lesionflow run exited ${String(r.status)}: ${r.stdout}${r.stderr}`);
  const name = /^name: (\S+)/m.exec(spec)![1]!;
  const record = JSON.parse(await readFile(join(dir, 'outputs', name, 'run.json'), 'utf8')) as { steps: { name: string; ms: number }[] };
  return { ms, steps: new Map(record.steps.map((s) => [s.name, s.ms])), dir };
}

export async function run(): Promise<void> {
  const info = spawnSync('sinfo', ['-h', '-o', '%T %c'], { encoding: 'utf8', timeout: 10_000 });
  if (info.status !== 0 || !/idle|mixed|allocated/.test(info.stdout)) {
    console.log('SLURM: no cluster answers (start one with scripts/slurm/start-local-slurm.sh): skipped');
    return;
  }
  const cpus = Number(info.stdout.trim().split(/\s+/)[1]);
  const units = `name: u\nseed: 1\nsteps:\n  u: {kind: test_units, units: 40}\n`;
  const local = await timed(units, 'executor: local\n', ['--batch', '1']);
  const remote = await timed(units, FAST(), ['--batch', '1']);
  const perTask = (remote.steps.get('u')! * cpus) / 40;
  console.log(
    `SLURM array tasks of no work (${cpus} CPUs on the node): 40 tasks in ${(remote.steps.get('u')! / 1000).toFixed(1)} s (${((40 * 1000) / remote.steps.get('u')!).toFixed(1)} tasks/s), ` +
      `${(perTask / 1000).toFixed(2)} s of slot time per task; the same 40 units on the local threads: ${local.steps.get('u')!.toFixed(0)} ms`,
  );
  for (const d of [local.dir, remote.dir]) await rm(d, { recursive: true, force: true });

  const a = await timed(BOOT, 'executor: local\n', ['--jobs', '2']);
  const b = await timed(BOOT, FAST(), ['--jobs', '2', '--batch', '1000']);
  const same = (await readFile(join(a.dir, 'outputs', 'b', 'boot.json'), 'utf8')) === (await readFile(join(b.dir, 'outputs', 'b', 'boot.json'), 'utf8'));
  console.log(
    `mediation bootstrap B = 20000, n = 1665: local threads (--jobs 2) ${(a.steps.get('boot')! / 1000).toFixed(1)} s; SLURM, 1 000 replicates per task, ${cpus} CPUs: ${(b.steps.get('boot')! / 1000).toFixed(1)} s; outputs ${same ? 'byte-identical' : 'DIFFER'}`,
  );
  for (const d of [a.dir, b.dir]) await rm(d, { recursive: true, force: true });
}
