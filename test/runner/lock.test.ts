import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CacheError } from '../../src/errors.js';
import { acquireLock, lockPath, readHolder, takeOverStale, UNREADABLE_STALE_MS } from '../../src/runner/lock.js';
import { freshDir, repoRoot } from './helpers.js';

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

describe('outputs lock: races, unreadable locks, wait message, file-system errors', () => {
  it('of two contenders taking over the same stale lock, exactly one removes it, and a fresh lock is never removed', async () => {
    for (let round = 0; round < 20; round++) {
      const dir = await freshDir();
      const path = lockPath(dir);
      const staleText = JSON.stringify({ pid: deadPid(), host: hostname(), started: '2026-01-01T00:00:00Z', command: 'run' });
      await writeFile(path, staleText);
      const seen = { ino: (await stat(path)).ino, text: staleText };
      const results = await Promise.all([takeOverStale(path, seen), takeOverStale(path, seen)]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(existsSync(path)).toBe(false);
      // The winner now takes the lock; a late contender that saw the stale file must leave the fresh one in place.
      const fresh = await acquireLock(dir, { timeoutMs: 1000 });
      expect(await takeOverStale(path, seen)).toBe(false);
      expect((await readHolder(path))?.pid).toBe(process.pid);
      expect((await readdir(dir)).filter((f) => f.includes('.stale.'))).toEqual([]);
      await fresh.release();
    }
  });

  it('many processes racing for a stale lock: each holds it alone', async () => {
    const dir = await freshDir();
    await writeFile(lockPath(dir), JSON.stringify({ pid: deadPid(), host: hostname(), started: '2026-01-01T00:00:00Z', command: 'run' }));
    const script = `
      const { acquireLock } = await import(${JSON.stringify(pathToFileURL(join(repoRoot, 'dist/src/runner/lock.js')).href)});
      const fs = await import('node:fs');
      const l = await acquireLock(${JSON.stringify(dir)}, { pollMs: 5, timeoutMs: 20000 });
      const marker = ${JSON.stringify(join(dir, 'inside'))};
      if (fs.existsSync(marker)) { console.log('OVERLAP'); }
      fs.writeFileSync(marker, '');
      await new Promise((r) => setTimeout(r, 30));
      fs.rmSync(marker);
      await l.release();
      console.log('ok');`;
    const runs = Array.from({ length: 6 }, () => new Promise<string>((res) => {
      const c = spawn(process.execPath, ['--input-type=module', '-e', script]);
      let out = '';
      c.stdout.on('data', (d: Buffer) => (out += d.toString()));
      c.stderr.on('data', (d: Buffer) => (out += d.toString()));
      c.on('close', () => { res(out); });
    }));
    const outs = await Promise.all(runs);
    expect(outs.map((o) => o.trim())).toEqual(Array(6).fill('ok'));
  }, 30_000);

  it('an unreadable (empty) lock file: the wait is reported with the hint, and it is taken over once older than 10 s', async () => {
    const dir = await freshDir();
    const path = lockPath(dir);
    await writeFile(path, '');
    const messages: string[] = [];
    await expect(acquireLock(dir, { pollMs: 10, timeoutMs: 60, onWait: (_h, _p, m) => messages.push(m) })).rejects.toThrow(/locked by another/);
    expect(messages).toEqual([expect.stringMatching(new RegExp(`cannot be read.*remove ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} if no lesionflow process is running`)) as string]);
    const old = new Date(Date.now() - UNREADABLE_STALE_MS - 5000);
    await utimes(path, old, old);
    let stale = false;
    const lock = await acquireLock(dir, { timeoutMs: 1000, onStale: () => (stale = true) });
    expect(stale).toBe(true);
    expect((await readHolder(path))?.pid).toBe(process.pid);
    await lock.release();
  });

  it('the wait message for a live holder says to remove the lock if that process is gone', async () => {
    const dir = await freshDir();
    const first = await acquireLock(dir);
    let message = '';
    await expect(acquireLock(dir, { pollMs: 10, timeoutMs: 40, onWait: (_h, _p, m) => (message = m) })).rejects.toBeInstanceOf(CacheError);
    expect(message).toContain(`pid ${process.pid}`);
    expect(message).toContain(`remove ${lockPath(dir)} if that process is no longer running`);
    await first.release();
  });

  it('an outputs "folder" that is a file is a CacheError naming it, with a hint', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'outputs'), 'not a folder');
    await expect(acquireLock(join(dir, 'outputs'))).rejects.toMatchObject({ name: 'CacheError', message: expect.stringContaining(join(dir, 'outputs')) as string, hint: expect.stringMatching(/in the way/) as string });
  });
});
