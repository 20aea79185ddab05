import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { schedule } from '../../src/runner/scheduler.js';

const graph = (g: Record<string, string[]>) => new Map(Object.entries(g));

describe('scheduler', () => {
  it('starts a task only when all its dependencies are done', async () => {
    const order: string[] = [];
    await schedule(graph({ a: [], b: ['a'], c: ['a'], d: ['b', 'c'] }), async (n, env) => {
      await env.withSlot(async () => {
        order.push(`start ${n}`);
        await sleep(n === 'b' ? 20 : 5);
        order.push(`end ${n}`);
      });
      return 'ran';
    }, { jobs: 4 });
    expect(order.indexOf('start d')).toBeGreaterThan(order.indexOf('end b'));
    expect(order.indexOf('start d')).toBeGreaterThan(order.indexOf('end c'));
    expect(order.indexOf('start b')).toBeGreaterThan(order.indexOf('end a'));
  });

  it('never holds more than `jobs` slots, and cache hits need none', async () => {
    let now = 0;
    let peak = 0;
    const tasks = graph(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`t${i}`, []])));
    const r = await schedule(tasks, async (n, env) => {
      if (n === 't0') return 'cached';
      await env.withSlot(async () => {
        now += 1;
        peak = Math.max(peak, now);
        await sleep(5);
        now -= 1;
      });
      return 'ran';
    }, { jobs: 3 });
    expect(peak).toBe(3);
    expect(r.get('t0')?.status).toBe('cached');
  });

  it('a task waiting outside its slot (on a cluster) lets another run in it, and takes one back after', async () => {
    let inSlot = 0;
    let peak = 0;
    const busy = async <T>(fn: () => Promise<T>): Promise<T> => {
      inSlot++;
      peak = Math.max(peak, inSlot);
      try {
        return await fn();
      } finally {
        inSlot--;
      }
    };
    let bDone!: () => void;
    const b = new Promise<void>((r) => (bDone = r));
    const order: string[] = [];
    await schedule(graph({ a: [], b: [] }), async (n, env) => {
      await env.withSlot(() =>
        busy(async () => {
          if (n === 'b') {
            order.push('b');
            bDone();
            return;
          }
          // two waits at once (a step's two sets) give back the one slot once
          inSlot--;
          await Promise.all([env.outsideSlot(() => b), env.outsideSlot(() => sleep(5))]);
          inSlot++;
          order.push('a');
        }),
      );
      return 'ran';
    }, { jobs: 1 });
    expect(order).toEqual(['b', 'a']); // with jobs 1, b could only run while a waited outside
    expect(peak).toBe(1);
  });

  it('keeps going: a failure skips its dependants only', async () => {
    const r = await schedule(graph({ bad: [], child: ['bad'], grandchild: ['child'], free: [], other: ['free'] }), async (n) => {
      await sleep(1);
      if (n === 'bad') throw new Error('boom');
      return 'ran';
    }, { jobs: 2 });
    expect(Object.fromEntries([...r].map(([k, v]) => [k, v.status]))).toEqual({ bad: 'failed', child: 'skipped', grandchild: 'skipped', free: 'ran', other: 'ran' });
    expect(r.get('child')?.reason).toBe('bad');
    expect(r.get('grandchild')?.reason).toBe('bad');
    expect((r.get('bad')?.error as Error).message).toBe('boom');
  });

  it('a dependant with one failed and one slow input is skipped, not started', async () => {
    const started: string[] = [];
    const r = await schedule(graph({ bad: [], slow: [], join: ['bad', 'slow'] }), async (n) => {
      started.push(n);
      if (n === 'bad') throw new Error('boom');
      await sleep(20);
      return 'ran';
    }, { jobs: 2 });
    expect(started).not.toContain('join');
    expect(r.get('join')?.status).toBe('skipped');
  });

  it('fail-fast: the first failure aborts the running tasks and skips the rest', async () => {
    const r = await schedule(graph({ bad: [], slow: [], later: ['slow'] }), async (n, env) => {
      if (n === 'bad') {
        await sleep(5);
        throw new Error('boom');
      }
      await sleep(200, undefined, { signal: env.signal });
      return 'ran';
    }, { jobs: 2, failFast: true });
    expect(r.get('bad')?.status).toBe('failed');
    expect(r.get('slow')?.status).toBe('failed');
    expect(r.get('later')?.status).toBe('skipped');
  });

  it('an abort signal stops starting tasks', async () => {
    const c = new AbortController();
    const r = await schedule(graph({ a: [], b: ['a'] }), async (n, env) => {
      if (n === 'a') {
        c.abort();
        return 'ran';
      }
      await env.withSlot(() => Promise.resolve());
      return 'ran';
    }, { jobs: 1, signal: c.signal });
    expect(r.get('a')?.status).toBe('ran');
    expect(r.get('b')).toMatchObject({ status: 'skipped', reason: 'interrupted' });
  });
});
