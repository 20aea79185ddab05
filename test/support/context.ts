/**
 * A StepContext for unit tests of step kinds: runs pool tasks in-process (importing the TypeScript
 * module directly), collects warnings and progress; and `runStep`, which runs a kind of either lifecycle
 * (a replicated kind's units through the runner's replicate construct, on the context's pool).
 */
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Artifact } from '../../src/data/artifact.js';
import { isReplicateKind, type Kind, type StepContext, type StepInputs, type WorkerPool } from '../../src/nodes/kind.js';
import { memoryCheckpoints, runReplicatedAlone, type StandaloneOptions } from '../../src/runner/replicate/standalone.js';

const srcDir = resolve(import.meta.dirname, '../../src');

export const inProcessPool: WorkerPool = {
  size: 1,
  async run<T>(task: { module: string; fn: string; args: unknown }): Promise<T> {
    // a lesionflow module path (src/), or a test kind's module by its file URL (test/support/*.js: its source)
    const file = task.module.startsWith('file:') ? fileURLToPath(task.module).replace(/\.js$/, '.ts') : resolve(srcDir, `${task.module}.ts`);
    const mod = (await import(pathToFileURL(file).href)) as Record<string, (a: unknown) => unknown>;
    const fn = mod[task.fn];
    if (typeof fn !== 'function') throw new Error(`${task.module} has no export ${task.fn}`);
    return (await fn(task.args)) as T;
  },
};

export interface TestContext extends StepContext {
  readonly warnings: string[];
  readonly progressEvents: [number, number][];
  /** A replicated kind's checkpoints (runStep), by name. */
  readonly store: Map<string, Uint8Array>;
}

export function testContext(options: { step?: string; seed?: number; specDir?: string; pool?: WorkerPool } = {}): TestContext {
  const warnings: string[] = [];
  const progressEvents: [number, number][] = [];
  const store = new Map<string, Uint8Array>();
  const specDir = options.specDir ?? process.cwd();
  return {
    step: options.step ?? 'test_step',
    seed: options.seed ?? 20261122,
    resolvePath: (p: string) => resolve(specDir, p),
    pool: options.pool ?? inProcessPool,
    signal: new AbortController().signal,
    progress: (done: number, total: number) => progressEvents.push([done, total]),
    warn: (m: string) => warnings.push(m),
    warnings,
    progressEvents,
    store,
  };
}

/** Runs a kind on its inputs: `run`, or a replicated kind's units on `ctx.pool` (checkpoints in `ctx.store`) and its summary. */
export async function runStep<P>(kind: Kind<P>, params: P, inputs: StepInputs, ctx: TestContext, options: Pick<StandaloneOptions, 'subPipeline' | 'kinds' | 'batch'> = {}): Promise<Artifact> {
  if (!isReplicateKind(kind)) return kind.run(params, inputs, ctx);
  return runReplicatedAlone(kind, params, inputs, {
    step: ctx.step,
    seed: ctx.seed,
    pool: ctx.pool,
    checkpoints: memoryCheckpoints(ctx.store),
    progress: (done, total) => {
      ctx.progress(done, total);
    },
    warn: (message) => {
      ctx.warn(message);
    },
    ...options,
  });
}
