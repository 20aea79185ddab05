/**
 * The SLURM executor (`--executor slurm`): a set's batches as `sbatch --array` jobs whose tasks run
 * `lesionflow shard` (commands/shard.ts) — lesionflow itself, on the manifest of its batches — and write
 * their results as checkpoints into the cache on the shared file system; the run watches the checkpoint
 * folder for them and polls the queue (one squeue per round for the whole run, SlurmQueue).
 *
 * - Minimum work per array task: the set's first batch runs here, timed; the others go to the cluster in
 *   array tasks of at least `min_task_seconds` of that estimated work each, or all run here when the whole
 *   set is less than one task's worth (a small imputation never waits in a queue).
 * - Arrays hold at most `max_array_size` tasks (and the cluster's MaxArraySize): larger sets are split.
 * - A task that leaves the queue without its results counts as failed after `grace_seconds` (shared file
 *   systems show files late); the error names the step, the units, the task and its log, with the task's
 *   own error (it writes errors/<task>.json) or what the controller (or accounting) says of it. The step's
 *   other tasks are cancelled; its finished batches stay checkpointed, so a re-run submits only the rest.
 * - The arrays submitted for a step are recorded (slurm/jobs/<key>-<set>.json): a run started after the
 *   one that submitted them was killed adopts those still queued instead of submitting their batches again.
 * - Ctrl-C, or any end of the run: every array of the run still queued is cancelled (close()).
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CancelError, ExecutorError } from '../../../errors.js';
import type { WorkerPool } from '../../../nodes/kind.js';
import { writeFileAtomic } from '../../atomic.js';
import type { FsStore } from '../../cache.js';
import type { CacheKey } from '../../hash.js';
import { sha256 } from '../../hash.js';
import { checkpointName } from '../../replicate/batches.js';
import { decodeBatch } from '../batch-codec.js';
import type { SlurmConfig } from '../config.js';
import type { BatchHooks, BatchJob, Executor, Range } from '../executor.js';
import { runOnPool } from '../local.js';
import { jobState, maxArraySize, sbatch, scancel, squeue } from './commands.js';
import { readManifest, slurmDir, writeManifest } from './manifest.js';
import { SlurmQueue } from './queue.js';

export interface SlurmExecutorOptions {
  /** For the batches run here (each set's first, small sets). */
  readonly pool: WorkerPool;
  /** The cache, on the file system the compute nodes share. */
  readonly store: FsStore;
  readonly config: SlurmConfig;
  /** lesionflow's version, written into manifests (a task of another version refuses them). */
  readonly version: string;
}

/** An array job of a set: its tasks, each with its batches. */
interface ArrayJob {
  readonly id: string;
  /** Task index → batches. */
  readonly tasks: ReadonlyMap<number, readonly Range[]>;
  /** When it was submitted (ms since epoch; 0 for one adopted from an earlier run). */
  readonly submittedAt: number;
}

/** What the job records of a step's set hold: its arrays, for a later run to adopt. */
interface JobRecord {
  readonly id: string;
  readonly manifest: string;
  readonly offset: number;
  readonly count: number;
}

/** This lesionflow's CLI (dist/src/runner/cli.js), which the array tasks run. */
const CLI = resolve(import.meta.dirname, '../../cli.js');

/** The name of a step's array jobs: the start of its cache key (squeue and scancel select by it). */
export function jobName(key: CacheKey): string {
  return `lf-${key.slice(0, 16)}`;
}

const rangeKey = (r: Range): string => `${r[0]}-${r[1]}`;

export class SlurmExecutor implements Executor {
  readonly name = 'slurm';
  private readonly queue: SlurmQueue;
  /** Array jobs of this run (submitted or adopted) that may still have tasks queued. */
  private readonly active = new Set<string>();
  private clusterMax: Promise<number | undefined> | undefined;
  private readonly dir: string;

  constructor(private readonly o: SlurmExecutorOptions) {
    this.queue = new SlurmQueue(squeue, o.config.poll_seconds * 1000);
    this.dir = slurmDir(o.store.dir);
  }

  warm(modules: readonly string[]): void {
    void this.o.pool.warm?.(modules);
  }

  async run(job: BatchJob, hooks: BatchHooks): Promise<void> {
    const name = jobName(job.key);
    const unwatch = this.queue.watch(name);
    try {
      const adopted = await this.adopt(job, hooks);
      const inFlight = new Set(adopted.flatMap((a) => [...a.tasks.values()].flat().map(rangeKey)));
      const shards = await this.shard(job, job.ranges.filter((r) => !inFlight.has(rangeKey(r))), hooks);
      const submitted = shards.length === 0 ? [] : await this.submit(job, shards, adopted, hooks);
      // waiting on the cluster holds no local work slot: the run's other steps (a grid's other bootstraps) go on
      const wait = (): Promise<void> => this.wait(job, [...adopted, ...submitted], hooks);
      await (hooks.outsideSlot === undefined ? wait() : hooks.outsideSlot(wait));
    } finally {
      unwatch();
    }
  }

  async close(): Promise<void> {
    this.queue.close();
    const ids = [...this.active];
    this.active.clear();
    if (ids.length > 0) await scancel(ids).catch(() => undefined);
  }

  // ---- adopting a killed run's arrays --------------------------------------------------------------

  private recordPath(job: BatchJob): string {
    return join(this.dir, 'jobs', `${job.key}-${job.set}.json`);
  }

  private async records(job: BatchJob): Promise<JobRecord[]> {
    try {
      return JSON.parse(await readFile(this.recordPath(job), 'utf8')) as JobRecord[];
    } catch {
      return [];
    }
  }

  /** The arrays an earlier run submitted for this set whose tasks are still queued, with the batches still to come. */
  private async adopt(job: BatchJob, hooks: BatchHooks): Promise<ArrayJob[]> {
    const records = await this.records(job);
    if (records.length === 0) return [];
    const snap = await this.queue.poll();
    const wanted = new Set(job.ranges.map(rangeKey));
    const out: ArrayJob[] = [];
    for (const r of records) {
      const present = [...snap.tasks.keys()].filter((id) => id.startsWith(`${r.id}_`)).map((id) => Number(id.slice(r.id.length + 1)));
      if (present.length === 0) continue;
      const manifest = await readManifest(r.manifest).catch(() => undefined);
      if (manifest === undefined) continue;
      const tasks = new Map<number, Range[]>();
      for (const t of present) {
        const ranges = (manifest.shards[r.offset + t] ?? []).filter((range) => wanted.has(rangeKey(range)));
        if (ranges.length > 0) tasks.set(t, ranges);
      }
      if (tasks.size === 0) continue;
      out.push({ id: r.id, tasks, submittedAt: 0 });
      this.active.add(r.id);
    }
    if (out.length > 0) hooks.info(`adopting ${out.reduce((n, a) => n + a.tasks.size, 0)} array tasks (${job.set}) an earlier run left queued: job ${out.map((a) => a.id).join(', ')}`);
    return out;
  }

  // ---- what goes to the cluster --------------------------------------------------------------------

  /**
   * The batches for the cluster, grouped into array tasks of at least min_task_seconds of work each (the
   * set's first batch, run here, gives the estimate); none when the whole set is less than one task's worth
   * (then it runs here).
   */
  private async shard(job: BatchJob, ranges: readonly Range[], hooks: BatchHooks): Promise<Range[][]> {
    const min = this.o.config.min_task_seconds * 1000;
    if (ranges.length === 0) return [];
    if (min === 0) return ranges.map((r) => [r]);
    const cps = this.o.store.checkpoints(job.key);
    const t0 = performance.now();
    await runOnPool(this.o.pool, cps, job, ranges.slice(0, 1), hooks);
    const per = performance.now() - t0;
    const rest = ranges.slice(1);
    if (rest.length === 0 || hooks.halt.stopped) return [];
    if (per * rest.length < min) {
      hooks.info(`${ranges.length} batches (${job.set}) run here: about ${((per * ranges.length) / 1000).toFixed(1)} s of work, less than one array task's minimum (min_task_seconds: ${this.o.config.min_task_seconds})`);
      await runOnPool(this.o.pool, cps, job, rest, hooks);
      return [];
    }
    const perTask = Math.max(1, Math.ceil(min / Math.max(per, 1)));
    const shards: Range[][] = [];
    for (let i = 0; i < rest.length; i += perTask) shards.push(rest.slice(i, i + perTask));
    return shards;
  }

  /** The most tasks one array may hold: the config's max_array_size and the cluster's MaxArraySize (indices 0 … MaxArraySize − 1). */
  private async maxTasks(): Promise<number> {
    this.clusterMax ??= maxArraySize().catch(() => undefined);
    const cluster = await this.clusterMax;
    return Math.max(1, Math.min(this.o.config.max_array_size, cluster ?? Infinity));
  }

  /** The batch script every array task runs: lesionflow's shard command on its manifest (content-addressed). */
  private async script(): Promise<string> {
    const node = this.o.config.node ?? process.execPath;
    const text = ['#!/bin/sh', '# a lesionflow array task: runs its share of a step\'s units (docs/scale-out.md)', `exec ${shellQuote(node)} ${shellQuote(CLI)} shard "$1" "$2"`, ''].join('\n');
    const path = join(this.dir, 'scripts', `${sha256(text).slice(0, 16)}.sh`);
    await writeFileAtomic(path, text, { fsync: false });
    return path;
  }

  private async submit(job: BatchJob, shards: readonly Range[][], adopted: readonly ArrayJob[], hooks: BatchHooks): Promise<ArrayJob[]> {
    const c = this.o.config;
    const manifest = await writeManifest({
      version: 1,
      lesionflow: this.o.version,
      step: job.step,
      set: job.set,
      key: job.key,
      cacheDir: this.o.store.dir,
      task: job.task,
      shared: job.shared,
      seed: job.seed,
      shards,
    });
    const script = await this.script();
    const max = await this.maxTasks();
    const options = [
      `--job-name=${jobName(job.key)}`,
      `--output=${join(this.dir, 'logs', '%A_%a.log')}`,
      `--chdir=${this.dir}`,
      `--time=${c.time}`,
      `--mem=${c.mem_per_task}`,
      `--cpus-per-task=${c.cpus_per_task}`,
      ...(c.partition === undefined ? [] : [`--partition=${c.partition}`]),
      ...(c.account === undefined ? [] : [`--account=${c.account}`]),
      ...(c.qos === undefined ? [] : [`--qos=${c.qos}`]),
      ...c.sbatch_args,
    ];
    // the logs' folder must exist before a task starts
    await writeFileAtomic(join(this.dir, 'logs', '.keep'), '', { fsync: false });
    const out: ArrayJob[] = [];
    const records: JobRecord[] = (await this.records(job)).filter((r) => adopted.some((a) => a.id === r.id));
    for (let offset = 0; offset < shards.length; offset += max) {
      if (hooks.signal.aborted) throw new CancelError(`${job.step}: interrupted`, { step: job.step });
      const count = Math.min(max, shards.length - offset);
      const submittedAt = Date.now();
      const id = await sbatch([`--array=0-${count - 1}%${c.max_running}`, ...options, script, manifest, String(offset)]);
      this.active.add(id);
      const tasks = new Map<number, Range[]>();
      for (let t = 0; t < count; t++) tasks.set(t, [...shards[offset + t]!]);
      out.push({ id, tasks, submittedAt });
      records.push({ id, manifest, offset, count });
      await writeFileAtomic(this.recordPath(job), JSON.stringify(records, null, 1) + '\n', { fsync: false });
    }
    const batches = shards.reduce((n, s) => n + s.length, 0);
    hooks.info(`${batches} batches (${job.set}) in ${shards.length} array task${shards.length === 1 ? '' : 's'} submitted to SLURM as job ${out.map((a) => a.id).join(', ')} (logs in ${join(this.dir, 'logs')})`);
    return out;
  }

  // ---- waiting for results -------------------------------------------------------------------------

  private async wait(job: BatchJob, arrays: readonly ArrayJob[], hooks: BatchHooks): Promise<void> {
    const cps = this.o.store.checkpoints(job.key);
    const dir = this.o.store.checkpointDir(job.key);
    const pending = new Map<string, Range>();
    for (const a of arrays) for (const ranges of a.tasks.values()) for (const r of ranges) pending.set(rangeKey(r), r);
    const goneSince = new Map<string, number>();
    const graceMs = this.o.config.grace_seconds * 1000;
    const everyMs = Math.min(1000, this.o.config.poll_seconds * 1000);
    while (pending.size > 0) {
      if (hooks.signal.aborted) throw new CancelError(`${job.step}: interrupted`, { step: job.step });
      if (hooks.halt.stopped) {
        await this.cancel(arrays);
        return;
      }
      // results: one readdir (it also refreshes a network file system's view of the folder), then only what is there
      const present = new Set(await readdir(dir).catch(() => []));
      for (const [k, range] of pending) {
        const name = checkpointName(job.set, range);
        if (!present.has(basename(cps.file!(name)))) continue;
        const bytes = await cps.get(name);
        const result = bytes === undefined ? undefined : decodeBatch(bytes);
        if (result === undefined) continue; // being written, or damaged: a task's grace decides
        pending.delete(k);
        hooks.done(range, result);
      }
      if (pending.size === 0) break;
      // the queue: tasks gone without their results fail after the grace
      const snap = this.queue.snapshot();
      if (snap !== undefined) {
        let queued = 0;
        let running = 0;
        const now = Date.now();
        for (const a of arrays) {
          for (const [t, ranges] of a.tasks) {
            if (ranges.every((r) => !pending.has(rangeKey(r)))) continue;
            const id = `${a.id}_${t}`;
            const q = snap.at > a.submittedAt ? snap.tasks.get(id) : { state: 'PENDING' };
            if (q !== undefined) {
              goneSince.delete(id);
              if (q.state === 'PENDING') queued++;
              else running++;
              continue;
            }
            const since = goneSince.get(id) ?? now;
            goneSince.set(id, since);
            if (now - since >= graceMs) {
              await this.cancel(arrays);
              throw await this.failure(job, id, ranges.filter((r) => pending.has(rangeKey(r))));
            }
          }
        }
        hooks.remote?.({ queued, running });
      }
      await sleep(everyMs, undefined, { signal: hooks.signal }).catch(() => undefined);
    }
    for (const a of arrays) this.active.delete(a.id);
  }

  private async cancel(arrays: readonly ArrayJob[]): Promise<void> {
    const ids = arrays.map((a) => a.id);
    for (const id of ids) this.active.delete(id);
    await scancel(ids).catch(() => undefined);
  }

  /** The located error of a task that left the queue without (all) its results. */
  private async failure(job: BatchJob, id: string, missing: readonly Range[]): Promise<ExecutorError> {
    const log = join(this.dir, 'logs', `${id}.log`);
    const own = await readFile(join(this.dir, 'errors', `${id}.json`), 'utf8')
      .then((t) => JSON.parse(t) as { message?: string })
      .catch(() => undefined);
    let why: string;
    if (own?.message !== undefined) why = own.message;
    else {
      const s = await jobState(id).catch(() => undefined);
      why =
        s === undefined
          ? 'it left the queue without its results (cancelled, or lost with its node; the controller no longer knows it)'
          : `it ended ${s.state}${s.reason !== '' && s.reason !== 'None' ? ` (${s.reason})` : ''}, exit code ${s.exitCode}, without its results`;
    }
    const units = missing.map((r) => `${r[0]}–${r[1] - 1}`).join(', ');
    return new ExecutorError(`units ${units} (${job.set}) of step ${job.step} failed in SLURM array task ${id}: ${why}\n  log: ${log}`, {
      step: job.step,
      hint: `see the task's log; the finished batches are kept: running the pipeline again submits only the missing ones`,
    });
  }
}

/** `'…'` for sh, with any ' inside closed, escaped and reopened. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
