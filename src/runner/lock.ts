/**
 * One lesionflow process at a time per outputs folder. The lock is the file `<outputs>/.lock` holding
 * the holder's pid, host and start time. It is created whole (written to a temporary name, then
 * hard-linked into place, which fails if the lock exists), so a reader never sees a half-written lock.
 * A lock whose holder ran on this host and whose pid is no longer alive (or which predates the host's
 * last boot) is stale — the holder crashed or was killed: it is removed with a warning and taken over.
 * A lock file that cannot be read (empty, not JSON) is reported, and counts as stale once it is older
 * than UNREADABLE_STALE_MS (a lock is created whole, so no live holder leaves one unreadable for long).
 * A live holder is waited for.
 *
 * Taking over is race-free between contenders: the stale file is first moved aside under a name unique
 * to this contender (rename is atomic: of two contenders, only one moves a given file), then checked to
 * be the very file judged stale (same inode and bytes) before it is deleted; anything else moved aside
 * by mistake (a fresh lock another contender made meanwhile) is put back.
 */
import { randomBytes } from 'node:crypto';
import { hostname, uptime } from 'node:os';
import { link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CacheError, CancelError } from '../errors.js';
import { processAlive } from './atomic.js';

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
  /**
   * Called once when the lock is held by a live process (or is unreadable) and we start waiting;
   * `message` is the whole line to show, hint included. For an unreadable lock file, `holder` has
   * pid 0 and host "unknown (unreadable lock file)".
   */
  readonly onWait?: (holder: LockHolder, path: string, message: string) => void;
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
export const pidAlive = processAlive;

/**
 * Leftovers of crashed contenders beside the lock: `.lock.<pid>.<ms>.tmp` (a lock being created) and
 * `.lock.stale.<pid>.<hex>` (a stale lock moved aside), removed when their process is gone.
 */
async function removeDeadLockTemps(outputsDir: string): Promise<void> {
  for (const name of await readdir(outputsDir).catch(() => [])) {
    const m = /^\.lock\.(?:(\d+)\.\d+\.tmp|stale\.(\d+)\.[0-9a-f]+)$/.exec(name);
    const pid = Number(m?.[1] ?? m?.[2]);
    if (m === null || pid === process.pid || processAlive(pid)) continue;
    await rm(join(outputsDir, name), { force: true });
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const o = JSON.parse(text) as Partial<LockHolder> | null;
    if (typeof o?.pid !== 'number' || typeof o.host !== 'string') return undefined;
    return { pid: o.pid, host: o.host, started: String(o.started), command: String(o.command) };
  } catch {
    return undefined;
  }
}

export async function readHolder(path: string): Promise<LockHolder | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parseHolder(text);
}

/** An unreadable lock file older than this is taken as a leftover and taken over. */
export const UNREADABLE_STALE_MS = 10_000;

/** What a contender saw at the lock path: the file's identity (inode), bytes and age. */
interface Seen {
  readonly ino: number;
  readonly text: string;
  readonly mtimeMs: number;
  readonly holder: LockHolder | undefined;
}

async function look(path: string): Promise<Seen | undefined> {
  let s;
  try {
    s = await stat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // gone meanwhile: simply retry
    throw new CacheError(`cannot inspect the lock ${path}: ${(e as Error).message}`, { hint: 'check the permissions of the outputs folder', cause: e });
  }
  const text = await readFile(path, 'utf8').catch(() => ''); // unreadable counts as damaged
  return { ino: s.ino, text, mtimeMs: s.mtimeMs, holder: parseHolder(text) };
}

/**
 * Removes the lock file at `path` if it is still the one seen as stale (`seen`), race-free against
 * other contenders doing the same; returns whether this call removed it.
 */
export async function takeOverStale(path: string, seen: { readonly ino: number; readonly text: string }): Promise<boolean> {
  const aside = `${path}.stale.${process.pid}.${randomBytes(6).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch {
    return false; // already moved or removed by another contender
  }
  const moved = await look(aside);
  if (moved !== undefined && moved.ino === seen.ino && moved.text === seen.text) {
    await rm(aside, { force: true });
    return true;
  }
  // Not the stale file: another contender took the lock meanwhile and we moved its fresh lock. Put it
  // back with link (never over a lock made in this instant by a third process; in that rare case the
  // fresh holder we displaced keeps running unlocked — its release() checks the pid, so it cannot
  // remove the third process's lock).
  await link(aside, path).catch(() => undefined);
  await rm(aside, { force: true });
  return false;
}

/** The wait line, with what to do if the holder is gone. */
export function waitMessage(holder: LockHolder | undefined, path: string): string {
  if (holder === undefined) {
    return `waiting for the lock ${path}, which cannot be read (empty or damaged); it is taken over once it is ${UNREADABLE_STALE_MS / 1000} s old — remove ${path} if no lesionflow process is running`;
  }
  return `waiting for lesionflow (pid ${holder.pid} on ${holder.host}, since ${holder.started}) to release ${path} — remove ${path} if that process is no longer running`;
}

/** Stale: taken on this host by a process that is gone, or before this host last booted (its pid may be reused). */
export function isStale(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return false;
  const bootedAt = Date.now() - uptime() * 1000;
  return !pidAlive(holder.pid) || Date.parse(holder.started) < bootedAt - 60_000;
}

export async function acquireLock(outputsDir: string, options: LockOptions = {}): Promise<Lock> {
  try {
    await mkdir(outputsDir, { recursive: true });
  } catch (e) {
    throw new CacheError(`cannot create the outputs folder ${outputsDir}: ${(e as Error).message}`, {
      hint: (e as NodeJS.ErrnoException).code === 'EEXIST' ? 'a file of that name is in the way: remove it or choose another --outputs folder' : 'check its parent folder is writable, or choose another --outputs folder',
      cause: e,
    });
  }
  const path = lockPath(outputsDir);
  const me: LockHolder = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command: options.command ?? 'run' };
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, JSON.stringify(me) + '\n');
  } catch (e) {
    throw new CacheError(`cannot write the lock ${tmp}: ${(e as Error).message}`, { hint: 'check that the outputs folder is writable and its disk not full', cause: e });
  }
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  let waited = false;
  try {
    for (;;) {
      try {
        await link(tmp, path);
        await removeDeadLockTemps(outputsDir);
        return { path, release: () => release(path) };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new CacheError(`cannot create the lock ${path}: ${(e as Error).message}`, { hint: 'check that the outputs folder is writable and its disk not full', cause: e });
        }
      }
      const seen = await look(path);
      if (seen === undefined) continue;
      const holder = seen.holder;
      const stale = holder === undefined ? Date.now() - seen.mtimeMs > UNREADABLE_STALE_MS : isStale(holder);
      // Only the contender whose rename moves this very file removes it; the others retry the link.
      if (stale && (await takeOverStale(path, seen))) {
        options.onStale?.(holder ?? unreadableHolder(seen), path);
        continue;
      }
      if (!stale && !waited) {
        waited = true;
        options.onWait?.(holder ?? unreadableHolder(seen), path, waitMessage(holder, path));
      }
      if (Date.now() > deadline) {
        throw new CacheError(`the outputs folder ${outputsDir} is locked by another lesionflow process`, {
          hint: holder === undefined ? `the lock file cannot be read; remove ${path} if no lesionflow process is running` : `pid ${holder.pid} on ${holder.host} since ${holder.started}; remove ${path} if it is no longer running`,
        });
      }
      if (options.signal?.aborted === true) throw new CancelError('interrupted while waiting for the outputs lock');
      await sleep(options.pollMs ?? 100, undefined, { signal: options.signal }).catch(() => undefined);
    }
  } finally {
    await rm(tmp, { force: true });
  }
}

function unreadableHolder(seen: Seen): LockHolder {
  return { pid: 0, host: 'unknown (unreadable lock file)', started: new Date(seen.mtimeMs).toISOString(), command: 'unknown' };
}

async function release(path: string): Promise<void> {
  const holder = await readHolder(path);
  if (holder?.pid === process.pid && holder.host === hostname()) await rm(path, { force: true });
}
