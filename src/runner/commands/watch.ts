/**
 * `lesionflow watch <spec>`: re-plan and re-run the pipeline each time the spec or one of its data
 * files is saved, printing `plan`'s reasons for every step that will run before running it (Node's
 * fs.watch). The folders holding those files are watched rather than the files, so that an editor that
 * saves by writing a new file and renaming it over the old one is seen too. Saves in quick succession
 * make one run; a save during a run makes one more run after it. A spec that no longer checks is
 * reported and watched until it does. Ctrl-C stops watching (exit 0).
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { SpecError, SpecErrors } from '../../errors.js';
import { renderError } from '../diagnostics.js';
import { pathResolver } from '../paths.js';
import type { Pipeline } from '../pipeline.js';
import { ThreadPool } from '../pool.js';
import { selectSteps, type OnlyRun } from '../only.js';
import { formatPlan, planPipeline } from './plan.js';
import { runPipeline } from './run.js';
import { defaultJobs, loadSpec, makeLogger, outputsDirOf, projectRoot, type CommandIo, type CommonOptions } from './io.js';
import { stepFiles } from '../step-files.js';

export interface WatchOptions extends CommonOptions {
  readonly failFast?: boolean;
  readonly only?: readonly string[];
  /** Quiet time after a save before the run starts (default 150 ms). */
  readonly debounceMs?: number;
}

/** The files a run of `pipeline` depends on: the spec and every step's data files, resolved. */
export function watchedFiles(pipeline: Pipeline, root: string): string[] {
  const files = new Set([pipeline.file]);
  for (const step of pipeline.steps.values()) {
    const resolvePath = pathResolver(pipeline, root, step.name);
    for (const f of stepFiles(step.kind, step.params)) {
      try {
        files.add(resolvePath(f));
      } catch {
        // a path outside the project: the run reports it
      }
    }
  }
  return [...files];
}

export async function watchCommand(spec: string, o: WatchOptions, io: CommandIo): Promise<number> {
  const signal = o.signal ?? new AbortController().signal;
  const jobs = o.jobs ?? defaultJobs();
  const pool = new ThreadPool(jobs, signal);
  let watchers: FSWatcher[] = [];
  let watched = [resolve(spec)];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  /** Saves seen so far: one that comes during a run makes one more run after it. */
  let saves = 0;
  const stopped = new Promise<void>((done) => {
    signal.addEventListener('abort', () => {
      done();
    }, { once: true });
  });

  const rewatch = (files: readonly string[]): void => {
    for (const w of watchers) w.close();
    watchers = [];
    const byDir = new Map<string, Set<string>>();
    for (const f of files) {
      let set = byDir.get(dirname(f));
      if (set === undefined) byDir.set(dirname(f), (set = new Set()));
      set.add(basename(f));
    }
    for (const [dir, names] of byDir) {
      try {
        const w = watch(dir, { persistent: true }, (_event, name) => {
          if (name === null || names.has(basename(name))) changed();
        });
        w.on('error', () => undefined);
        watchers.push(w);
      } catch (e) {
        io.err(`warning: cannot watch ${dir}: ${(e as Error).message}`);
      }
    }
  };

  const changed = (): void => {
    if (signal.aborted) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      saves += 1;
      if (running === undefined) void cycle();
    }, o.debounceMs ?? 150);
  };

  const once = async (): Promise<void> => {
    let pipeline: Pipeline;
    let only: OnlyRun | undefined;
    try {
      pipeline = await loadSpec(spec, o);
      if (o.only !== undefined && o.only.length > 0) {
        const part = selectSteps(pipeline, o.only);
        if (!part.ok) throw new SpecErrors([new SpecError(part.message, { hint: part.hint })]);
        pipeline = part.pipeline;
        only = part.only;
      }
    } catch (e) {
      io.err(renderError(e));
      io.out(`watch: waiting for ${spec} to be fixed`);
      return;
    }
    const root = projectRoot(pipeline, o.cwd);
    watched = watchedFiles(pipeline, root);
    rewatch(watched);
    const outputsDir = outputsDirOf(o);
    const plan = await planPipeline(pipeline, outputsDir, root);
    for (const l of formatPlan(plan.filter((p) => p.state !== 'cached'))) if (!l.startsWith('0 cached')) io.out(`plan: ${l}`);
    const cached = plan.filter((p) => p.state === 'cached').length;
    if (cached === plan.length) io.out(`plan: all ${cached} steps cached`);
    const logger = makeLogger(o, io);
    try {
      await runPipeline(pipeline, {
        outputsDir,
        root,
        jobs,
        failFast: o.failFast ?? false,
        logger,
        pool,
        errorText: renderError,
        signal,
        writeLock: (o.set ?? []).length === 0,
        argv: ['watch', spec, ...(o.set ?? []).flatMap((s) => ['--set', s])],
        ...(only === undefined ? {} : { only }),
      });
    } catch (e) {
      io.err(renderError(e));
    } finally {
      logger.close();
    }
  };

  const cycle = async (): Promise<void> => {
    let seen;
    do {
      seen = saves;
      running = once();
      await running;
      running = undefined;
    } while (saves !== seen && !signal.aborted);
    if (!signal.aborted) io.out(`watch: watching ${watched.length} file${watched.length === 1 ? '' : 's'} (${watched.map((f) => basename(f)).join(', ')}); Ctrl-C to stop`);
  };

  rewatch(watched);
  try {
    await cycle();
    await stopped;
    await running;
    return 0;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    for (const w of watchers) w.close();
    await pool.destroy();
  }
}
