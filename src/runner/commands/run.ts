/**
 * `lesionflow run <spec>…`: for each spec, under the outputs lock, execute the pipeline against the cache, then bring
 * `outputs/<pipeline>/` up to date, write `run.json` (the run's provenance and key results, also kept in
 * the run history: run-history.ts), and (after a fully successful run) the lock file beside the spec.
 * Exit code 0 ok, 1 a step failed, 130 interrupted.
 */
import { join, relative, resolve } from 'node:path';
import { renderError } from '../diagnostics.js';
import type { WorkerPool } from '../../nodes/kind.js';
import { FsStore } from '../cache.js';
import { CONFIG_FILE, readExecutorConfig, type SlurmConfig } from '../executors/config.js';
import type { Executor } from '../executors/executor.js';
import { execute, type ExecuteResult } from '../executor.js';
import { FileHasher } from '../file-hashes.js';
import { acquireLock } from '../lock.js';
import { lockedMaterial, lockfilePath, writeLockfile, LOCKFILE_VERSION, type LockEntry } from '../lockfile.js';
import { silentLogger, type Logger } from '../logger.js';
import { readRunRecord, writeOutputs, writeRunRecord, type KeepStale, type RunRecord } from '../outputs.js';
import { listNames, SpecError, SpecErrors } from '../../errors.js';
import type { Pipeline, StepName } from '../pipeline.js';
import { gitState, machine, type GitState } from '../environment.js';
import { keyResultRefs, readKeyResults, type KeyResult } from '../key-results.js';
import { selectSteps, type OnlyRun } from '../only.js';
import { appendRun } from '../run-history.js';
import { lesionflowVersion, versions, type Versions } from '../versions.js';
import { ThreadPool } from '../pool.js';
import { threadSetup } from '../../nodes/thread-setup.js';
import { defaultJobs, loadSpec, makeLogger, outputsDirOf, projectRoot, type CommandIo, type CommonOptions } from './io.js';
import { rememberLockfile } from './gc.js';
import { checkOutputFolders } from '../output-folders.js';

export interface RunOptions extends CommonOptions {
  readonly failFast?: boolean;
  /** `--name`: a label for the run in the history. */
  readonly name?: string;
  /** `--only`: run these steps and what they need. */
  readonly only?: readonly string[];
  /** The command line after `lesionflow`, for the run record. */
  readonly argv?: readonly string[];
  /** Where replicated steps' units run (default: the configuration's `executor:`, else local). */
  readonly executor?: 'local' | 'slurm';
  /** The executor configuration file (default: lesionflow.config.yaml in the project folder). */
  readonly config?: string;
  /** Units per batch of a replicated step (default 100). */
  readonly batch?: number;
  /**
   * Update the spec's committed lock file after a successful run. Default: only when no `--set` was
   * given, since the lock records the spec as committed (a reduced-size or other-data run must not
   * replace it); `--write-lock` forces it.
   */
  readonly writeLock?: boolean;
}

export interface RunPipelineOptions {
  readonly outputsDir: string;
  readonly root: string;
  readonly jobs: number;
  readonly failFast?: boolean;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  /** Default: a thread pool of `jobs` threads, destroyed after the run. */
  readonly pool?: WorkerPool;
  readonly errorText?: (e: unknown) => string;
  /** Waiting for another process's lock: default forever (until signalled). */
  readonly lockTimeoutMs?: number;
  /** Update the lock file after a successful run (default true; never for a `--only` run). */
  readonly writeLock?: boolean;
  /** The run's label in the history (`--name`). */
  readonly name?: string;
  /** `--only`: the steps asked for and those of the spec left out (`pipeline` holds the rest: only.ts). */
  readonly only?: OnlyRun;
  /** The command line after `lesionflow`, for the run record. */
  readonly argv?: readonly string[];
  /** Replicated steps' units on a SLURM cluster with these settings (default: on the local threads). */
  readonly slurm?: SlurmConfig;
  /** Units per batch of a replicated step (default 100). */
  readonly batch?: number;
}

export interface RunPipelineResult {
  readonly exitCode: 0 | 1 | 130;
  readonly result: ExecuteResult;
}

/**
 * Runs one spec, or several one after the other (`lesionflow run a.yaml b.yaml`: one process, so the
 * start-up is paid once). Every spec is loaded and checked before anything runs; a failed pipeline
 * does not stop the next ones (unless --fail-fast); the exit code is the worst of the runs.
 */
export async function runCommand(specs: string | readonly string[], o: RunOptions, io: CommandIo): Promise<number> {
  const files = typeof specs === 'string' ? [specs] : specs;
  const pipelines: Pipeline[] = [];
  const only = new Map<Pipeline, OnlyRun>();
  for (const file of files) {
    const full = await loadSpec(file, o);
    if (o.only === undefined || o.only.length === 0) {
      pipelines.push(full);
      continue;
    }
    const part = selectSteps(full, o.only);
    if (!part.ok) throw new SpecErrors([new SpecError(part.message, { hint: part.hint })]);
    pipelines.push(part.pipeline);
    only.set(part.pipeline, part.only);
  }
  await checkOutputFolders(pipelines, outputsDirOf(o), safeName, (p) => projectRoot(p, o.cwd));
  const logger = makeLogger(o, io);
  // the executor: --executor, else the project configuration's (lesionflow.config.yaml), else local
  const first = pipelines[0]!;
  const configFile = o.config === undefined ? join(projectRoot(first, o.cwd), CONFIG_FILE) : resolve(o.cwd ?? process.cwd(), o.config);
  const config = await readExecutorConfig(configFile, o.config !== undefined, relative(o.cwd ?? process.cwd(), configFile));
  const slurm = (o.executor ?? config.executor) === 'slurm' ? config.slurm : undefined;
  // on a cluster the outputs folder (its cache) must be on the shared file system: the configuration may name it
  const outputsDir = o.outputs === undefined && slurm?.outputs !== undefined ? slurm.outputs : outputsDirOf(o);
  let worst: 0 | 1 | 130 = 0;
  try {
    for (const pipeline of pipelines) {
      const { exitCode } = await runPipeline(pipeline, {
        outputsDir,
        root: projectRoot(pipeline, o.cwd),
        jobs: o.jobs ?? defaultJobs(),
        failFast: o.failFast ?? false,
        logger,
        errorText: renderError,
        writeLock: o.writeLock ?? (o.set ?? []).length === 0,
        ...(o.signal === undefined ? {} : { signal: o.signal }),
        ...(o.name === undefined ? {} : { name: o.name }),
        ...(only.has(pipeline) ? { only: only.get(pipeline)! } : {}),
        ...(o.argv === undefined ? {} : { argv: o.argv }),
        ...(slurm === undefined ? {} : { slurm }),
        ...(o.batch === undefined ? {} : { batch: o.batch }),
      });
      if (exitCode > worst) worst = exitCode;
      if (worst === 130 || (worst !== 0 && o.failFast === true)) break;
    }
    return worst;
  } finally {
    logger.close();
  }
}

export async function runPipeline(pipeline: Pipeline, o: RunPipelineOptions): Promise<RunPipelineResult> {
  const logger = o.logger ?? silentLogger;
  const started = new Date().toISOString();
  // The run's facts, gathered while it runs (git takes a few ms).
  const git = gitState(o.root);
  const installed = versions();
  const lock = await acquireLock(o.outputsDir, {
    command: 'run',
    ...(o.signal === undefined ? {} : { signal: o.signal }),
    ...(o.lockTimeoutMs === undefined ? {} : { timeoutMs: o.lockTimeoutMs }),
    onWait: (_holder, _path, message) => {
      logger.log({ type: 'info', message });
    },
    onStale: (h, path) => {
      logger.log({ type: 'warning', message: `removing the stale lock ${path} of pid ${h.pid} (started ${h.started}, no longer running)` });
    },
  });
  const cacheDir = join(o.outputsDir, '.cache');
  const ownPool = o.pool === undefined ? new ThreadPool(o.jobs, o.signal, { setup: threadSetup }) : undefined;
  const pool = o.pool ?? ownPool!;
  let executor: Executor | undefined;
  try {
    const store = await FsStore.open(cacheDir);
    // We hold the lock: a temporary file of a writer that is gone is a leftover, never trusted.
    await store.clearTmp();
    const hasher = await FileHasher.open(cacheDir);
    if (o.slurm !== undefined) {
      const { SlurmExecutor } = await import('../executors/slurm/executor.js');
      executor = new SlurmExecutor({ pool, store, config: o.slurm, version: await lesionflowVersion() });
    }
    const result = await execute(pipeline, {
      store,
      pool,
      ...(executor === undefined ? {} : { executor }),
      ...(o.batch === undefined ? {} : { batch: o.batch }),
      root: o.root,
      jobs: o.jobs,
      failFast: o.failFast ?? false,
      logger,
      hasher,
      ...(o.signal === undefined ? {} : { signal: o.signal }),
    });
    const outDir = join(o.outputsDir, safeName(pipeline.name));
    const done = result.steps.filter((s) => s.output !== undefined);
    const previous = await readRunRecord(outDir);
    const { stale } = await writeOutputs(
      outDir,
      done.map((s) => ({ step: s.name, output: s.output!, load: () => result.load(s.name) })),
      keepOf(result, o.only),
    );
    const record = await runRecord(pipeline, result, started, o, { git: await git, versions: await installed, previous: previous?.results ?? [] });
    await writeRunRecord(outDir, await appendRun(o.outputsDir, { ...record, ...(stale.length === 0 ? {} : { stale }) }));
    if (result.status === 'ok' && o.only !== undefined) {
      logger.log({ type: 'info', message: `${lockfilePath(pipeline.file)} left as it is: --only ran part of the pipeline` });
    } else if (result.status === 'ok' && o.writeLock === false) {
      logger.log({ type: 'info', message: `${lockfilePath(pipeline.file)} left as it is: --set was given (add --write-lock to update it)` });
    } else if (result.status === 'ok') {
      const steps: Record<string, LockEntry> = {};
      for (const s of result.steps) steps[s.name] = { key: s.key!, output: s.output!, ...(s.material === undefined ? {} : { material: lockedMaterial(s.material) }) };
      const path = lockfilePath(pipeline.file);
      await writeLockfile(path, { lesionflow: LOCKFILE_VERSION, pipeline: pipeline.name, steps });
      await rememberLockfile(cacheDir, path);
    }
    await store.close();
    await hasher.save();
    return { exitCode: result.status === 'ok' ? 0 : result.status === 'interrupted' ? 130 : 1, result };
  } finally {
    // a cluster's jobs still queued (Ctrl-C, a failed step) are cancelled before the lock goes
    await executor?.close();
    await ownPool?.destroy();
    await lock.release();
  }
}

/**
 * The steps that produced nothing in this run keep their files from the last run that did (marked
 * stale), and so do the steps a `--only` run left out.
 */
function keepOf(result: ExecuteResult, only: OnlyRun | undefined): KeepStale | undefined {
  const missing = result.steps.filter((s) => s.output === undefined);
  const omitted = only?.omitted ?? [];
  if (missing.length === 0 && omitted.length === 0) return undefined;
  const failed = missing.filter((s) => s.status === 'failed').map((s) => s.name);
  const why = [
    ...(missing.length === 0
      ? []
      : [
          result.status === 'interrupted'
            ? 'The latest run was interrupted before this step finished.'
            : `The latest run failed${failed.length === 0 ? '' : ` at step${failed.length === 1 ? '' : 's'} ${listNames(failed)}`}${missing.length > failed.length ? `, and ${missing.length - failed.length} step${missing.length - failed.length === 1 ? ' was' : 's were'} skipped` : ''}.`,
        ]),
    ...(omitted.length === 0 || only === undefined ? [] : [`The latest run ran only ${listNames(only.asked)} and the steps ${only.asked.length === 1 ? 'it needs' : 'they need'} (run --only).`]),
  ].join(' ');
  return { steps: new Set([...missing.map((s) => s.name), ...omitted]), why };
}

/** A pipeline name as a folder name. */
export function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.=-]/g, '_');
}

interface RunFactsGathered {
  readonly git: GitState | undefined;
  readonly versions: Versions;
  /** The last run's key results, reused where their output is unchanged. */
  readonly previous: readonly KeyResult[];
}

async function runRecord(pipeline: Pipeline, r: ExecuteResult, started: string, o: RunPipelineOptions, facts: RunFactsGathered): Promise<RunRecord> {
  const text = o.errorText ?? ((e: unknown) => (e instanceof Error ? e.message : String(e)));
  const outputs = new Map(r.steps.flatMap((s) => (s.output === undefined ? [] : [[s.name as string, s.output] as const])));
  const results = await readKeyResults(keyResultRefs(pipeline), (s) => outputs.get(s), (s) => r.load(s as StepName), facts.previous);
  return {
    pipeline: pipeline.name,
    ...(o.name === undefined ? {} : { name: o.name }),
    spec: relative(o.root, pipeline.file),
    specHash: pipeline.specHash,
    status: r.status,
    started,
    ms: Math.round(r.ms),
    ...(o.argv === undefined ? {} : { command: o.argv }),
    overrides: pipeline.overrides ?? {},
    params: pipeline.params,
    ...(o.only === undefined ? {} : { only: o.only.asked }),
    jobs: o.jobs,
    versions: { node: process.version, lesionflow: facts.versions.lesionflow, dependencies: facts.versions.installed },
    machine: machine(),
    git: facts.git ?? null,
    seed: pipeline.seed,
    files: Object.fromEntries([...r.files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    results,
    steps: r.steps.map((s) => ({
      name: s.name,
      kind: s.kind,
      ...(s.key === undefined ? {} : { key: s.key }),
      status: s.status,
      ms: s.ms,
      ...(s.output === undefined ? {} : { output: s.output }),
      ...(s.error === undefined ? {} : { error: text(s.error) }),
      ...(s.reason === undefined ? {} : { reason: s.reason }),
      ...(s.warnings.length === 0 ? {} : { warnings: s.warnings }),
    })),
  };
}

