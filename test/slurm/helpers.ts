/**
 * For the SLURM executor's tests, which run against a real cluster — the single-node one the project's
 * script starts (scripts/slurm/start-local-slurm.sh; .ci/run starts it and sets LF_TEST_SLURM=1). Without a
 * cluster they are skipped with a visible message; with LF_TEST_SLURM=1 a missing cluster is a failure.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { onTestFinished } from 'vitest';
import { TEST_KINDS_ENV } from '../support/test-kinds.js';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const cliPath = join(repoRoot, 'dist/src/runner/cli.js');

/** Why the cluster cannot be used, or undefined when it is up (sinfo answers with a node). */
function clusterProblem(): string | undefined {
  if (!existsSync(cliPath)) return `${cliPath} is missing (npm test builds it first)`;
  const r = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error !== undefined) return (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no SLURM client here (sinfo not found)' : `the cluster does not answer (sinfo: ${r.error.message})`;
  if (r.status !== 0) return `sinfo failed: ${r.stderr.trim()}`;
  if (!/idle|mixed|allocated|completing/.test(r.stdout)) return `no usable node (sinfo: ${r.stdout.trim() || 'nothing'})`;
  return undefined;
}

export const problem = clusterProblem();
export const required = process.env.LF_TEST_SLURM === '1';
if (problem !== undefined && !required) {
  process.stderr.write(`\n[test/slurm] SLURM tests SKIPPED: ${problem}. Start a local cluster with scripts/slurm/start-local-slurm.sh (as root), or run .ci/run.\n\n`);
}

/** A new folder for one test (a project: it holds .lesionflow), removed when the test finishes. */
export async function project(config: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lesionflow-slurm-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, '.lesionflow'), '');
  await writeFile(join(dir, 'lesionflow.config.yaml'), config);
  return dir;
}

/** A test-friendly SLURM configuration: a task per batch, fast polls and a short grace. */
export const FAST = `executor: slurm
slurm:
  min_task_seconds: 0
  poll_seconds: 0.5
  grace_seconds: 2
  time: "00:10:00"
  mem_per_task: 500M
`;

export interface Cli {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

const env = { ...process.env, ...TEST_KINDS_ENV, CI: '1' };

export function start(args: readonly string[], cwd: string): { child: ChildProcess; done: Promise<Cli>; output: () => string } {
  const child = spawn(process.execPath, [cliPath, ...args], { cwd, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Cli>((r) => {
    child.on('close', (code, signal) => {
      r({ code, signal, stdout, stderr });
    });
  });
  return { child, done, output: () => stdout + stderr };
}

export function cli(args: readonly string[], cwd: string): Promise<Cli> {
  return start(args, cwd).done;
}

/** Polls `f` until it is true (or throws after `ms`). */
export async function waitFor(f: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The tasks of jobs named lf-… in the queue (one line per array task). */
export function queued(): string[] {
  const r = spawnSync('squeue', ['-h', '-r', '-o', '%i|%j|%T'], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.includes('|lf-'));
}

/** The job ids a run's log says it submitted. */
export function submittedJobs(log: string): string[] {
  return [...log.matchAll(/submitted to SLURM as job ([\d, ]+)/g)].flatMap((m) => m[1]!.split(',').map((s) => s.trim()));
}
