/**
 * Atomic file writes: write a temporary file in the same folder, fsync it, then rename it over the
 * target (writeFileAtomic) — or, for a file that must never be replaced under a reader (the cache's
 * objects and checkpoints on a shared file system), hard-link it into place (createFileAtomic). A crash
 * at any point leaves either the old file or the new one, never a partial file under the target's name
 * (rename and link are atomic within one file system).
 */
import { createHash } from 'node:crypto';
import { link, mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { CacheError } from '../errors.js';

let counter = 0;

/** Folders known to exist (created by us in this process): saves a mkdir per write. */
const made = new Set<string>();

async function ensureDir(dir: string): Promise<void> {
  if (made.has(dir)) return;
  await mkdir(dir, { recursive: true });
  made.add(dir);
}

/**
 * This host, as it appears in temporary names: the first 8 hex digits of sha256(hostname) (a host name may
 * hold any character; writers on other hosts share the cache folder on a cluster's shared file system).
 */
export const hostId = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);

/** The SLURM job this process runs in (0 outside one): part of the temporary names of a cluster's tasks. */
function jobId(): number {
  const id = Number(process.env.SLURM_JOB_ID ?? 0);
  return Number.isSafeInteger(id) && id > 0 ? id : 0;
}

/**
 * A unique temporary name beside `target` (same folder, so rename stays on one file system): unique per
 * host, SLURM job and process (`.lesionflow-tmp-<host>.<pid>.<job>-<n>-<name>`), so that writers on the
 * hosts of a cluster never collide, and a cleanup can tell whose a temporary file is.
 */
export function tempNameFor(target: string, tmpDir?: string): string {
  counter += 1;
  return join(tmpDir ?? dirname(target), `.lesionflow-tmp-${hostId}.${process.pid}.${jobId()}-${counter}-${basename(target)}`);
}

/** Who wrote a temporary file made by `tempNameFor` (or by a lesionflow before host ids: this host), or undefined for any other name. */
export function tempWriter(name: string): { host: string; pid: number } | undefined {
  const m = /^\.lesionflow-tmp-(?:([0-9a-f]{8})\.(\d+)\.\d+|(\d+))-\d+-/.exec(name);
  if (m === null) return undefined;
  return m[3] !== undefined ? { host: hostId, pid: Number(m[3]) } : { host: m[1]!, pid: Number(m[2]) };
}

/** True when a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A temporary file of another host is taken as left over once it is this old: its writer's pid cannot be
 * checked from here, and no write of lesionflow takes an hour.
 */
export const REMOTE_TEMP_STALE_MS = 60 * 60 * 1000;

/**
 * Removes the temporary files crashed writers left in `dir` (a kill between writing a temporary file and
 * renaming it). `which`: 'not-mine' removes every one not written by this process — only for a folder no
 * other process writes while we hold the outputs lock; 'dead' removes those whose writer is gone: of this
 * host, by its pid; of another host (a cluster's task on the shared cache), when older than
 * REMOTE_TEMP_STALE_MS. `forTarget` limits it to temporaries of that file name. Returns how many it removed.
 */
export async function removeStaleTemps(dir: string, which: 'not-mine' | 'dead', forTarget?: string): Promise<number> {
  const names = await readdir(dir).catch(() => []);
  let removed = 0;
  for (const name of names) {
    const writer = tempWriter(name);
    if (writer === undefined || (writer.host === hostId && writer.pid === process.pid)) continue;
    if (forTarget !== undefined && !name.endsWith(`-${forTarget}`)) continue;
    if (which === 'dead') {
      if (writer.host === hostId ? processAlive(writer.pid) : !(await olderThan(join(dir, name), REMOTE_TEMP_STALE_MS))) continue;
    }
    await rm(join(dir, name), { force: true });
    removed += 1;
  }
  return removed;
}

async function olderThan(path: string, ms: number): Promise<boolean> {
  const s = await stat(path).catch(() => undefined);
  return s !== undefined && Date.now() - s.mtimeMs > ms;
}

export interface AtomicWriteOptions {
  /** Folder for the temporary file (must be on the same file system as the target). */
  readonly tmpDir?: string;
  /** fsync the file before the rename (default true): after a power loss the entry is whole or absent. */
  readonly fsync?: boolean;
}

const CHUNK = 1 << 20;

/** What to do about a file-system error on the outputs, cache or lock paths. */
export function fsErrorHint(code: string | undefined): string {
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the disk is full: free some space (`lesionflow gc` drops cache entries no lock file refers to) and run again';
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return 'check that you may write there (permissions, a read-only file system), or choose another folder with --outputs';
    case 'EEXIST':
    case 'ENOTDIR':
    case 'EISDIR':
      return 'a file or folder of that name is in the way: move it aside and run again';
    default:
      return 'check the file system, then run again';
  }
}

/**
 * Writes `target` atomically. File-system failures (a full disk, no permission, a file in the way) are
 * CacheErrors naming the path, with a hint: they are the user's to fix, not bugs in lesionflow.
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  try {
    await writeAtomic(target, data, options);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException | undefined)?.code;
    if (typeof code !== 'string') throw e;
    throw new CacheError(`cannot write ${target}: ${(e as Error).message}`, { hint: fsErrorHint(code), cause: e });
  }
}

/**
 * Creates `target` atomically without ever replacing it: written to a temporary name, then hard-linked into
 * place (link fails if the target exists), so that a reader — on another host of a shared file system,
 * too — never has a file replaced under it (NFS readers of a renamed-over file get ESTALE). Where a target
 * exists, `keep(existing bytes)` decides: true keeps it ('exists'; the same content written by another
 * process), false removes it (damaged) and creates it anew. File-system failures are CacheErrors.
 */
export async function createFileAtomic(
  target: string,
  data: string | Uint8Array,
  keep: (existing: Buffer) => boolean,
  options: AtomicWriteOptions = {},
): Promise<'created' | 'exists'> {
  try {
    return await createAtomic(target, data, keep, options);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException | undefined)?.code;
    if (typeof code !== 'string') throw e;
    throw new CacheError(`cannot write ${target}: ${(e as Error).message}`, { hint: fsErrorHint(code), cause: e });
  }
}

async function createAtomic(target: string, data: string | Uint8Array, keep: (existing: Buffer) => boolean, options: AtomicWriteOptions): Promise<'created' | 'exists'> {
  const tmp = await writeTemp(target, data, options);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await linkInto(tmp, target);
        return 'created';
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
      }
      const existing = await readFile(target).catch(() => undefined);
      if (existing !== undefined && keep(existing)) return 'exists';
      await rm(target, { force: true });
    }
  } finally {
    await rm(tmp, { force: true });
  }
}

/** link(tmp, target), making the target's folder again (once) if it was removed meanwhile. */
async function linkInto(tmp: string, target: string): Promise<void> {
  try {
    await link(tmp, target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    made.delete(dirname(target));
    await ensureDir(dirname(target));
    await link(tmp, target);
  }
}

/** The bytes in a fresh temporary file beside `target` (or in `options.tmpDir`), fsynced unless told not to. */
async function writeTemp(target: string, data: string | Uint8Array, options: AtomicWriteOptions): Promise<string> {
  const dir = dirname(target);
  await ensureDir(dir);
  if (options.tmpDir !== undefined) await ensureDir(options.tmpDir);
  const tmp = tempNameFor(target, options.tmpDir);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fh;
  try {
    fh = await open(tmp, 'w');
  } catch {
    // The folder may have been removed since we made it (gc, a user): make it again, once.
    made.delete(options.tmpDir ?? dir);
    await ensureDir(options.tmpDir ?? dir);
    fh = await open(tmp, 'w');
  }
  try {
    // In 1 MB chunks: a large output is a series of bounded writes rather than one huge call.
    for (let off = 0; off < bytes.length; off += CHUNK) {
      await fh.write(bytes, off, Math.min(CHUNK, bytes.length - off));
    }
    if (options.fsync !== false) await fh.sync();
  } catch (e) {
    await fh.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  return tmp;
}

async function writeAtomic(target: string, data: string | Uint8Array, options: AtomicWriteOptions): Promise<void> {
  const dir = dirname(target);
  const tmp = await writeTemp(target, data, options);
  try {
    await rename(tmp, target);
  } catch {
    // The target folder may have been removed since we made it: make it again, once.
    made.delete(dir);
    await ensureDir(dir);
    await rename(tmp, target).catch(async (e: unknown) => {
      await rm(tmp, { force: true });
      throw e;
    });
  }
}
