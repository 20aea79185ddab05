/**
 * SLURM's own commands, run without a shell (execFile: arguments are never parsed by one): sbatch to
 * submit, squeue to watch (one call for the whole run, by job name), scancel to cancel, scontrol for the
 * cluster's limits and to explain a failed task (while the controller still knows it, MinJobAge), sacct
 * only as a last resort (it needs slurmdbd, and loads it). Every call has a time limit.
 */
import { execFile } from 'node:child_process';
import { ExecutorError } from '../../../errors.js';

const TIMEOUT_MS = 60_000;

/** A task of an array job as squeue shows it. */
export interface QueueTask {
  /** `<array job id>_<task index>` (squeue's %i with -r). */
  readonly id: string;
  readonly name: string;
  /** PENDING, RUNNING, COMPLETING, … */
  readonly state: string;
  /** Why it waits (Priority, Resources, QOSMaxJobsPerUserLimit, …), or None. */
  readonly reason: string;
}

function run(command: string, args: readonly string[], signal?: AbortSignal): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolveRun, reject) => {
    execFile(command, args, { timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8', ...(signal === undefined ? {} : { signal }) }, (error, stdout, stderr) => {
      if (error !== null && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(
          new ExecutorError(`${command} is not installed here: lesionflow submits to SLURM with its own commands`, {
            hint: 'run on a machine with the SLURM client (a login node), or start the local test cluster: scripts/slurm/start-local-slurm.sh',
          }),
        );
        return;
      }
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolveRun({ stdout, stderr, code });
    });
  });
}

function failed(what: string, r: { stderr: string; code: number }): ExecutorError {
  return new ExecutorError(`${what} failed (exit ${r.code}): ${r.stderr.trim().split('\n').join('; ') || 'no message'}`, {
    hint: 'check the SLURM settings in lesionflow.config.yaml (partition, account, time, memory) and that the cluster is up (sinfo)',
  });
}

/** Submits a batch script; returns the job id (of an array: the array job's id). */
export async function sbatch(args: readonly string[]): Promise<string> {
  const r = await run('sbatch', ['--parsable', ...args]);
  if (r.code !== 0) throw failed('sbatch', r);
  const id = r.stdout.trim().split(';')[0] ?? '';
  if (!/^\d+$/.test(id)) throw new ExecutorError(`sbatch gave no job id: ${r.stdout.trim()}`);
  return id;
}

/** The tasks (one line per array task) of the jobs with these names still in the queue. */
export async function squeue(names: readonly string[]): Promise<QueueTask[]> {
  if (names.length === 0) return [];
  const r = await run('squeue', ['-h', '-r', `--name=${names.join(',')}`, '-o', '%i|%j|%T|%r']);
  if (r.code !== 0) throw failed('squeue', r);
  return parseSqueue(r.stdout);
}

export function parseSqueue(text: string): QueueTask[] {
  const out: QueueTask[] = [];
  for (const line of text.split('\n')) {
    const [id, name, state, reason] = line.trim().split('|');
    if (id === undefined || id === '' || name === undefined || state === undefined) continue;
    out.push({ id, name, state, reason: reason ?? '' });
  }
  return out;
}

/** Cancels jobs (array jobs whole, or single tasks `<id>_<i>`); ids no longer known are ignored. */
export async function scancel(ids: readonly string[]): Promise<void> {
  // in groups, so that a long run's command line stays short
  for (let i = 0; i < ids.length; i += 100) await run('scancel', ids.slice(i, i + 100));
}

/** The cluster's MaxArraySize (scontrol show config), or undefined when it cannot be read. */
export async function maxArraySize(): Promise<number | undefined> {
  const r = await run('scontrol', ['show', 'config']);
  if (r.code !== 0) return undefined;
  const m = /^MaxArraySize\s*=\s*(\d+)/m.exec(r.stdout);
  return m === null ? undefined : Number(m[1]);
}

/** What the controller still knows of a finished task: its state, reason and exit code; undefined when purged. */
export async function jobState(id: string): Promise<{ state: string; reason: string; exitCode: string } | undefined> {
  const r = await run('scontrol', ['show', 'job', id]);
  if (r.code === 0) {
    const field = (k: string): string => new RegExp(`\\b${k}=(\\S+)`).exec(r.stdout)?.[1] ?? '';
    return { state: field('JobState'), reason: field('Reason'), exitCode: field('ExitCode') };
  }
  // accounting, where the cluster has it (slurmdbd): the final state of a task the controller has forgotten
  const a = await run('sacct', ['-n', '-P', '-X', '-j', id, '-o', 'State,ExitCode,Reason']);
  if (a.code !== 0) return undefined;
  const [state, exitCode, reason] = (a.stdout.trim().split('\n')[0] ?? '').split('|');
  return state === undefined || state === '' ? undefined : { state, reason: reason ?? '', exitCode: exitCode ?? '' };
}
