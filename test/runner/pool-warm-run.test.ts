/** The runner starts the worker pool's threads at the first cache miss on the way to a step that uses the pool. */
import { describe, expect, it } from 'vitest';
import type { StepKind, WorkerPool } from '../../src/nodes/kind.js';
import { poolModulesUpstream } from '../../src/runner/executor.js';
import { runPipeline } from '../../src/runner/commands/run.js';
import { MemoryLogger } from '../../src/runner/logger.js';
import type { StepName } from '../../src/runner/pipeline.js';
import { testStep } from '../../src/runner/testing/test-kinds.js';
import { inProcessPool } from '../support/context.js';
import { freshDir, pipelineOf } from './helpers.js';
import { join } from 'node:path';

const pooled = { ...testStep, poolModules: ['runner/testing/worker-fns'] } as unknown as StepKind;

/** a → b (uses the pool) → c;  d alone */
const steps = {
  a: { params: { value: 1 } },
  b: { inputs: ['a'], kind: pooled },
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

describe('starting the worker pool early', () => {
  it('marks the steps at or upstream of a pooled step with its modules', async () => {
    const dir = await freshDir();
    const p = pipelineOf(dir, steps);
    const deps = new Map<StepName, StepName[]>([...p.steps].map(([n, s]) => [n, [...s.inputs]]));
    const m = poolModulesUpstream(p, deps);
    expect(Object.fromEntries(m)).toEqual({ a: ['runner/testing/worker-fns'], b: ['runner/testing/worker-fns'] });
  });

  it('warms the pool on a cold run, from the first step upstream, and not on a cached run', async () => {
    const dir = await freshDir();
    const p = pipelineOf(dir, steps);
    const run = async (pool: WorkerPool, log = new MemoryLogger()): Promise<void> => {
      const r = await runPipeline(p, { outputsDir: join(dir, 'outputs'), root: dir, jobs: 1, failFast: false, logger: log, pool });
      expect(r.exitCode).toBe(0);
    };
    const cold = recordingPool();
    await run(cold);
    // a's miss and b's miss each ask (the pool ignores a repeat); c and d never do
    expect(cold.warmed).toEqual([['runner/testing/worker-fns'], ['runner/testing/worker-fns']]);
    const cached = recordingPool();
    await run(cached);
    expect(cached.warmed).toEqual([]);
  });

  it('does not warm the pool for a pipeline without pooled steps', async () => {
    const dir = await freshDir();
    const pool = recordingPool();
    const r = await runPipeline(pipelineOf(dir, { a: {}, c: { inputs: ['a'] } }), { outputsDir: join(dir, 'outputs'), root: dir, jobs: 1, failFast: false, logger: new MemoryLogger(), pool });
    expect(r.exitCode).toBe(0);
    expect(pool.warmed).toEqual([]);
  });
});
