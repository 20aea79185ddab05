import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CacheError } from '../../src/errors.js';
import { acquireLock, lockPath, readHolder } from '../../src/runner/lock.js';
import { freshDir } from './helpers.js';

/** A pid that certainly does not exist any more: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('outputs lock', () => {
  it('records pid, host and start time, and is released', async () => {
    const dir = await freshDir();
    const lock = await acquireLock(dir, { command: 'run' });
    const h = await readHolder(lockPath(dir));
    expect(h).toMatchObject({ pid: process.pid, host: hostname(), command: 'run' });
    expect(Number.isNaN(Date.parse(h!.started))).toBe(false);
    await lock.release();
    expect(await readHolder(lockPath(dir))).toBeUndefined();
  });

  it('waits for a live holder, then takes the lock', async () => {
    const dir = await freshDir();
    const first = await acquireLock(dir);
    let waited = false;
    const second = acquireLock(dir, { pollMs: 10, onWait: () => (waited = true) });
    await new Promise((r) => setTimeout(r, 60));
    expect(waited).toBe(true);
    await first.release();
    const lock = await second;
    expect((await readHolder(lockPath(dir)))?.pid).toBe(process.pid);
    await lock.release();
  });

  it('gives up after a timeout with an error naming the holder', async () => {
    const dir = await freshDir();
    const first = await acquireLock(dir);
    await expect(acquireLock(dir, { pollMs: 10, timeoutMs: 50 })).rejects.toBeInstanceOf(CacheError);
    await first.release();
  });

  it('takes over a stale lock whose process is dead', async () => {
    const dir = await freshDir();
    const pid = deadPid();
    await writeFile(lockPath(dir), JSON.stringify({ pid, host: hostname(), started: '2026-01-01T00:00:00Z', command: 'run' }));
    let stale: number | undefined;
    const lock = await acquireLock(dir, { onStale: (h) => (stale = h.pid), timeoutMs: 2000 });
    expect(stale).toBe(pid);
    expect((await readHolder(lockPath(dir)))?.pid).toBe(process.pid);
    await lock.release();
  });

  it('takes over a lock taken before this host last booted (its pid may belong to another process now)', async () => {
    const dir = await freshDir();
    await writeFile(lockPath(dir), JSON.stringify({ pid: process.pid, host: hostname(), started: '2000-01-01T00:00:00Z', command: 'run' }));
    const lock = await acquireLock(dir, { timeoutMs: 2000 });
    expect((await readHolder(lockPath(dir)))?.started).not.toBe('2000-01-01T00:00:00Z');
    await lock.release();
  });

  it('aborts waiting when signalled', async () => {
    const dir = await freshDir();
    const first = await acquireLock(dir);
    const c = new AbortController();
    const p = acquireLock(dir, { pollMs: 10, signal: c.signal });
    setTimeout(() => {
      c.abort();
    }, 30);
    await expect(p).rejects.toThrow(/interrupted/);
    await first.release();
  });
});
