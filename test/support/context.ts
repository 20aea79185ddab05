/**
 * A StepContext for unit tests of step kinds: runs pool tasks in-process (importing the TypeScript
 * module directly), keeps checkpoints in memory, collects warnings and progress.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StepContext, WorkerPool, SubgraphStep } from '../../src/nodes/kind.js';

const srcDir = resolve(import.meta.dirname, '../../src');

export const inProcessPool: WorkerPool = {
  size: 1,
  async run<T>(task: { module: string; fn: string; args: unknown }): Promise<T> {
    const mod = (await import(pathToFileURL(resolve(srcDir, `${task.module}.ts`)).href)) as Record<string, (a: unknown) => unknown>;
    const fn = mod[task.fn];
    if (typeof fn !== 'function') throw new Error(`${task.module} has no export ${task.fn}`);
    return (await fn(task.args)) as T;
  },
};

export interface TestContext extends StepContext {
  readonly warnings: string[];
  readonly progressEvents: [number, number][];
  readonly store: Map<string, string>;
}

export function testContext(options: { step?: string; seed?: number; specDir?: string; subgraph?: SubgraphStep[]; pool?: WorkerPool } = {}): TestContext {
  const warnings: string[] = [];
  const progressEvents: [number, number][] = [];
  const store = new Map<string, string>();
  const specDir = options.specDir ?? process.cwd();
  return {
    step: options.step ?? 'test_step',
    seed: options.seed ?? 20261122,
    resolvePath: (p: string) => resolve(specDir, p),
    pool: options.pool ?? inProcessPool,
    signal: new AbortController().signal,
    progress: (done: number, total: number) => progressEvents.push([done, total]),
    warn: (m: string) => warnings.push(m),
    subgraph: options.subgraph,
    checkpoints: {
      get: (name: string) => Promise.resolve(store.get(name)),
      put: (name: string, content: string) => {
        store.set(name, content);
        return Promise.resolve();
      },
    },
    warnings,
    progressEvents,
    store,
  };
}
