/**
 * One lesionflow process at a time per outputs folder. The lock is the file `<outputs>/.lock` holding
 * the holder's pid, host and start time. It is created whole (written to a temporary name, then
 * hard-linked into place, which fails if the lock exists), so a reader never sees a half-written lock.
 * A lock whose holder ran on this host and whose pid is no longer alive (or which predates the host's
 * last boot) is stale — the holder crashed or was killed: it is removed with a warning and taken over.
 * A live holder is waited for.
 */
import { hostname, uptime } from 'node:os';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CacheError, CancelError } from '../errors.js';

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
  readonly command: string;
}

export interface Lock {
  readonly path: string;
  release(): Promise<void>;
}

export interface LockOptions {
  readonly command?: string;
  readonly signal?: AbortSignal;
  /** Called once when the lock is held by a live process and we start waiting. */
  readonly onWait?: (holder: LockHolder, path: string) => void;
  /** Called when a stale lock is taken over. */
  readonly onStale?: (holder: LockHolder, path: string) => void;
  readonly pollMs?: number;
  /** Give up after this long (default: wait until signalled). */
  readonly timeoutMs?: number;
}

export function lockPath(outputsDir: string): string {
  return join(outputsDir, '.lock');
}

/** True when a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    const o = JSON.parse(await readFile(path, 'utf8')) as Partial<LockHolder>;
    if (typeof o.pid !== 'number' || typeof o.host !== 'string') return undefined;
    return { pid: o.pid, host: o.host, started: String(o.started), command: String(o.command) };
  } catch {
    return undefined;
  }
}

/** Stale: taken on this host by a process that is gone, or before this host last booted (its pid may be reused). */
export function isStale(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return false;
  const bootedAt = Date.now() - uptime() * 1000;
  return !pidAlive(holder.pid) || Date.parse(holder.started) < bootedAt - 60_000;
}

export async function acquireLock(outputsDir: string, options: LockOptions = {}): Promise<Lock> {
  await mkdir(outputsDir, { recursive: true });
  const path = lockPath(outputsDir);
  const me: LockHolder = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command: options.command ?? 'run' };
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, JSON.stringify(me) + '\n');
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  let waited = false;
  try {
    for (;;) {
      try {
        await link(tmp, path);
        return { path, release: () => release(path) };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new CacheError(`cannot create the lock ${path}: ${String(e)}`, { cause: e });
      }
      const holder = await readHolder(path);
      if (holder !== undefined && isStale(holder)) {
        options.onStale?.(holder, path);
        // Only remove the lock if it is still the stale one (another process may have taken it over).
        const again = await readHolder(path);
        if (again?.pid === holder.pid && again.started === holder.started) await rm(path, { force: true });
        continue;
      }
      if (holder !== undefined && !waited) {
        waited = true;
        options.onWait?.(holder, path);
      }
      if (Date.now() > deadline) {
        throw new CacheError(`the outputs folder ${outputsDir} is locked by another lesionflow process`, {
          hint: holder === undefined ? `remove ${path} if no lesionflow process is running` : `pid ${holder.pid} on ${holder.host} since ${holder.started}; remove ${path} if it is no longer running`,
        });
      }
      if (options.signal?.aborted === true) throw new CancelError('interrupted while waiting for the outputs lock');
      await sleep(options.pollMs ?? 100, undefined, { signal: options.signal }).catch(() => undefined);
    }
  } finally {
    await rm(tmp, { force: true });
  }
}

async function release(path: string): Promise<void> {
  const holder = await readHolder(path);
  if (holder?.pid === process.pid && holder.host === hostname()) await rm(path, { force: true });
}
