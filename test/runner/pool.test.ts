import { getEventListeners } from 'node:events';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { taskModuleUrl } from '../../src/runner/pool-task.js';
import { repoRoot } from './helpers.js';

/** The test worker functions, compiled (dist/test/support/worker-fns.js): a task module the pool accepts in the folder LESIONFLOW_KINDS names. */
const WORKER_FNS = pathToFileURL(join(repoRoot, 'dist/test/support/worker-fns.js')).href;
process.env.LESIONFLOW_KINDS = join(repoRoot, 'dist/test/support/test-kinds.js');

/** The compiled pool module (dist/src): its threads load compiled modules, so these tests use the build `npm test` makes first. */
const compiledPool = (): Promise<typeof import('../../src/runner/pool.js')> => import(pathToFileURL(join(repoRoot, 'dist/src/runner/pool.js')).href);

describe('worker pool', () => {
  it('accepts only lesionflow module paths and identifiers', () => {
    expect(taskModuleUrl({ module: 'nodes/bootstrap-worker', fn: 'runReplicates', args: null })).toHaveProperty('url');
    for (const module of ['../evil', '/etc/passwd', 'nodes/../../x', 'nodes/x.js', 'https://example.com/x', 'node:fs', '']) {
      expect(taskModuleUrl({ module, fn: 'f', args: null })).toHaveProperty('refused');
    }
    expect(taskModuleUrl({ module: 'nodes/x', fn: 'a; b', args: null })).toHaveProperty('refused');
  });

  it('accepts a module by its file URL only inside the folder of the LESIONFLOW_KINDS module', () => {
    expect(taskModuleUrl({ module: WORKER_FNS, fn: 'square', args: null })).toEqual({ url: WORKER_FNS });
    for (const module of [pathToFileURL(join(repoRoot, 'dist/src/runner/cli.js')).href, pathToFileURL('/etc/passwd').href, WORKER_FNS.replace(/\.js$/, '.ts'), `${WORKER_FNS}/../../../../src/runner/cli.js`, 'file://host/x.js']) {
      expect(taskModuleUrl({ module, fn: 'f', args: null })).toHaveProperty('refused');
    }
    const named = process.env.LESIONFLOW_KINDS;
    delete process.env.LESIONFLOW_KINDS;
    try {
      expect(taskModuleUrl({ module: WORKER_FNS, fn: 'square', args: null })).toHaveProperty('refused');
    } finally {
      process.env.LESIONFLOW_KINDS = named;
    }
  });

  it('runs a task on a worker thread of the compiled package, and refuses others', async () => {
    const { ThreadPool } = await compiledPool();
    const pool = new ThreadPool(2);
    try {
      const results = await Promise.all([3, 4, 5].map((x) => pool.run<number>({ module: WORKER_FNS, fn: 'square', args: x })));
      expect(results).toEqual([9, 16, 25]);
      await expect(pool.run({ module: '../../x', fn: 'f', args: null })).rejects.toThrow(/not a lesionflow module path/);
      await expect(pool.run({ module: WORKER_FNS, fn: 'nope', args: null })).rejects.toThrow(/no exported function nope/);
    } finally {
      await pool.destroy();
    }
  });
});

describe('worker pool with a run signal', () => {
  it('takes one listener on the run signal however many tasks are in flight (no MaxListenersExceededWarning), and cancels with it', async () => {
    const { ThreadPool } = await compiledPool();
    const warnings: string[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w.name);
    };
    process.on('warning', onWarning);
    const run = new AbortController();
    const pool = new ThreadPool(2, run.signal);
    try {
      const tasks = Array.from({ length: 30 }, (_, x) => pool.run<number>({ module: WORKER_FNS, fn: 'square', args: x }));
      expect((await Promise.all(tasks))[29]).toBe(841);
      await new Promise((r) => setTimeout(r, 10)); // warnings are emitted on a later tick
      expect(warnings).not.toContain('MaxListenersExceededWarning');
      expect(getEventListeners(run.signal, 'abort').length).toBeLessThanOrEqual(1);
      run.abort(new Error('stopped'));
      await expect(pool.run({ module: WORKER_FNS, fn: 'square', args: 2 })).rejects.toThrow(/aborted/);
    } finally {
      process.off('warning', onWarning);
      await pool.destroy();
    }
  });
});

describe('worker pool and a run signal that outlives it', () => {
  it('takes its listener off the signal when destroyed', async () => {
    const { ThreadPool } = await compiledPool();
    const run = new AbortController();
    for (let i = 0; i < 12; i++) {
      const pool = new ThreadPool(1, run.signal);
      expect(getEventListeners(run.signal, 'abort')).toHaveLength(1);
      await pool.destroy();
    }
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });
});

describe('worker pool warm-up', () => {
  it('starts its threads before any task, and they run tasks afterwards', async () => {
    const { ThreadPool } = await compiledPool();
    const pool = new ThreadPool(2);
    try {
      void pool.warm();
      const piscina = await (pool as unknown as { piscina: Promise<{ threads: unknown[] }> }).piscina;
      await expect.poll(() => piscina.threads.length).toBe(2);
      expect(await pool.run<number>({ module: WORKER_FNS, fn: 'square', args: 7 })).toBe(49);
    } finally {
      await pool.destroy();
    }
  });

  it('starts its threads with the named modules loaded before the first task, once', async () => {
    const { ThreadPool } = await compiledPool();
    const pool = new ThreadPool(2);
    try {
      await pool.warm([WORKER_FNS]);
      await new Promise((r) => setTimeout(r, 150));
      // loaded by warm() at least 150 ms before these tasks, in every thread that runs one
      const ages = await Promise.all([1, 2, 3, 4].map(() => pool.run<number>({ module: WORKER_FNS, fn: 'msSinceLoaded', args: null })));
      for (const age of ages) expect(age).toBeGreaterThanOrEqual(140);
      // nothing new to load: no new task
      const piscina = await (pool as unknown as { piscina: Promise<{ completed: number }> }).piscina;
      const completed = piscina.completed;
      await pool.warm([WORKER_FNS]);
      await pool.warm();
      expect(piscina.completed).toBe(completed);
    } finally {
      await pool.destroy();
    }
  });

  it('starts threads again, with the modules, after the idle ones have exited', async () => {
    const { ThreadPool } = await compiledPool();
    const pool = new ThreadPool(2, undefined, { idleTimeoutMs: 100 });
    try {
      await pool.warm([WORKER_FNS]);
      const piscina = await (pool as unknown as { piscina: Promise<{ threads: unknown[] }> }).piscina;
      await expect.poll(() => piscina.threads.length, { timeout: 5000 }).toBe(0);
      await pool.warm([WORKER_FNS]);
      await new Promise((r) => setTimeout(r, 60));
      const ages = await Promise.all([1, 2].map(() => pool.run<number>({ module: WORKER_FNS, fn: 'msSinceLoaded', args: null })));
      for (const age of ages) expect(age).toBeGreaterThanOrEqual(50);
    } finally {
      await pool.destroy();
    }
  });

  it('does not hold up an idle thread while another is busy when a new module is asked for', async () => {
    const { ThreadPool } = await compiledPool();
    const pool = new ThreadPool(2);
    try {
      await pool.warm([WORKER_FNS]);
      const busy = pool.run({ module: WORKER_FNS, fn: 'blockFor', args: 1500 });
      await new Promise((r) => setTimeout(r, 50));
      const t0 = performance.now();
      void pool.warm(['nodes/bootstrap-estimates']);
      for (const x of [2, 3, 4]) expect(await pool.run<number>({ module: WORKER_FNS, fn: 'square', args: x })).toBe(x * x);
      // the idle thread ran them at once, not after the busy one (1.5 s) or a 2 s wait
      expect(performance.now() - t0).toBeLessThan(1000);
      await busy;
    } finally {
      await pool.destroy();
    }
  });

  it('compiles on its own threads only when they take every core, on Node 20', async () => {
    const { compileOnTaskThreads } = await compiledPool();
    expect(compileOnTaskThreads(2, 2, '20.20.2')).toBe(true);
    expect(compileOnTaskThreads(4, 2, '20.1.0')).toBe(true);
    expect(compileOnTaskThreads(1, 2, '20.20.2')).toBe(false);
    expect(compileOnTaskThreads(2, 2, '22.12.0')).toBe(false);
  });

  it("gives its threads the main thread's compiled WebAssembly kernels (its setup hook, nodes/thread-setup.ts) instead of their compiling them again", async () => {
    const { ThreadPool } = await compiledPool();
    const { threadSetup } = (await import(pathToFileURL(join(repoRoot, 'dist/src/nodes/thread-setup.js')).href)) as typeof import('../../src/nodes/thread-setup.js');
    const pool = new ThreadPool(2, undefined, { setup: threadSetup });
    try {
      const origins = await Promise.all([1, 2, 3, 4].map(() => pool.run<string>({ module: WORKER_FNS, fn: 'kernelOrigin', args: null })));
      expect(origins).toEqual(['given', 'given', 'given', 'given']);
    } finally {
      await pool.destroy();
    }
  });
});

describe('worker pool setup hook', () => {
  it('calls each setup function in every thread with the data prepared once on the main thread, before the first task', async () => {
    const { ThreadPool } = await compiledPool();
    let prepared = 0;
    const setup = [{ module: WORKER_FNS, fn: 'remember', prepare: () => ({ n: ++prepared }) }];
    const pool = new ThreadPool(2, undefined, { setup });
    try {
      const seen = await Promise.all([1, 2, 3, 4].map(() => pool.run<unknown>({ module: WORKER_FNS, fn: 'rememberedData', args: null })));
      expect(seen).toEqual([{ n: 1 }, { n: 1 }, { n: 1 }, { n: 1 }]);
      expect(prepared).toBe(1);
    } finally {
      await pool.destroy();
    }
  });

  it('leaves out a setup whose preparation fails, and refuses a setup module that is not a lesionflow module', async () => {
    const { ThreadPool } = await compiledPool();
    const failing = [{ module: WORKER_FNS, fn: 'remember', prepare: (): unknown => { throw new Error('no SIMD here'); } }];
    const pool = new ThreadPool(1, undefined, { setup: failing });
    try {
      expect(await pool.run({ module: WORKER_FNS, fn: 'rememberedData', args: null })).toBeUndefined();
    } finally {
      await pool.destroy();
    }
    const bad = new ThreadPool(1, undefined, { setup: [{ module: '../evil', fn: 'f', prepare: () => 1 }] });
    await expect(bad.run({ module: WORKER_FNS, fn: 'square', args: 2 })).rejects.toThrow(/thread setup: .*not a lesionflow module path/);
    await bad.destroy();
  });
});
