/** The runner starts the executor's threads at the first cache miss on the way to a replicated step. */
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Kind, WorkerPool } from '../../src/nodes/kind.js';
import { registry } from '../../src/nodes/registry.js';
import { replicateModulesUpstream } from '../../src/runner/executor.js';
import { runPipeline } from '../../src/runner/commands/run.js';
import { MemoryLogger } from '../../src/runner/logger.js';
import type { StepName } from '../../src/runner/pipeline.js';
import { subgraphSteps } from '../../src/runner/key.js';
import { testUnits } from '../support/test-kinds.js';
import { inProcessPool } from '../support/context.js';
import { freshDir, pipelineOf } from './helpers.js';

// the replicate worker finds the test kinds of a sub-pipeline by this switch, as in lesionflow's own CLI tests
beforeAll(() => {
  process.env.LESIONFLOW_KINDS = resolve(import.meta.dirname, '../support/test-kinds.ts');
});

/** a (a table) → m (reads it) → b (bootstraps m, resampling a);  d alone;  u: replicated units of its own */
const steps = {
  a: { params: { value: 1, table: true } },
  m: { inputs: ['a'] },
  b: { kind: registry.get('bootstrap')!, params: { of: 'm', from: 'a', replicates: 8, strata: [], ci: ['percentile'], conf: 0.95 }, inputs: ['m', 'a'] },
  c: { inputs: ['b'] },
  d: { params: { value: 4 } },
};

function recordingPool(): WorkerPool & { warmed: (readonly string[])[] } {
  const warmed: (readonly string[])[] = [];
  return {
    size: 2,
    warmed,
    run: (task) => inProcessPool.run(task),
    warm(modules) {
      warmed.push(modules ?? []);
    },
  };
}

describe('starting the executor early', () => {
  it('marks the steps at or upstream of a replicated step with the task modules its units load', async () => {
    const dir = await freshDir();
    const p = pipelineOf(dir, { ...steps, u: { kind: testUnits as unknown as Kind, params: { units: 4 } } });
    const sub = (n: StepName): StepName[] | undefined => subgraphSteps(p, p.steps.get(n)!);
    const deps = new Map<StepName, StepName[]>([...p.steps].map(([n, s]) => [n, [...s.inputs, ...(sub(n) ?? [])]]));
    const m = replicateModulesUpstream(p, deps, sub);
    // the bootstrap's units run the replicate worker (its sub-pipeline's test kind is no module of nodes/);
    // test_units names its module only when it runs: its threads start with nothing to load yet
    expect(Object.fromEntries(m)).toEqual({ a: ['runner/replicate/worker'], m: ['runner/replicate/worker'], b: ['runner/replicate/worker'], u: [] });
  });

  it('warms the executor on a cold run, from the first step upstream, and not on a cached run', async () => {
    const dir = await freshDir();
    const p = pipelineOf(dir, steps);
    const run = async (pool: WorkerPool, log = new MemoryLogger()): Promise<void> => {
      const r = await runPipeline(p, { outputsDir: join(dir, 'outputs'), root: dir, jobs: 1, failFast: false, logger: log, pool });
      expect(r.exitCode).toBe(0);
    };
    const cold = recordingPool();
    await run(cold);
    // a's, m's and b's misses each ask (the pool ignores a repeat), then b's units; c and d never do
    expect(cold.warmed).toEqual([['runner/replicate/worker'], ['runner/replicate/worker'], ['runner/replicate/worker'], ['runner/replicate/worker']]);
    const cached = recordingPool();
    await run(cached);
    expect(cached.warmed).toEqual([]);
  });

  it('does not warm the executor for a pipeline without replicated steps', async () => {
    const dir = await freshDir();
    const pool = recordingPool();
    const r = await runPipeline(pipelineOf(dir, { a: {}, c: { inputs: ['a'] } }), { outputsDir: join(dir, 'outputs'), root: dir, jobs: 1, failFast: false, logger: new MemoryLogger(), pool });
    expect(r.exitCode).toBe(0);
    expect(pool.warmed).toEqual([]);
  });
});
