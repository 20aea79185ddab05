/**
 * Atomic file writes: write a temporary file in the same folder, fsync it, then rename it over the
 * target. A crash at any point leaves either the old file or the new one, never a partial file under
 * the target's name (rename is atomic within one file system).
 */
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
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

/** A unique temporary name beside `target` (same folder, so rename stays on one file system). */
export function tempNameFor(target: string, tmpDir?: string): string {
  counter += 1;
  return join(tmpDir ?? dirname(target), `.lesionflow-tmp-${process.pid}-${counter}-${basename(target)}`);
}

/** The writer pid in a temporary name made by `tempNameFor`, or undefined for any other name. */
export function tempWriterPid(name: string): number | undefined {
  const m = /^\.lesionflow-tmp-(\d+)-\d+-/.exec(name);
  return m === null ? undefined : Number(m[1]);
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
 * Removes the temporary files crashed writers left in `dir` (a kill between writing a temporary file
 * and renaming it). `which`: 'not-mine' removes every one not written by this process — only for a
 * folder no other process writes while we hold the outputs lock; 'dead' removes those whose writer
 * process is gone. `forTarget` limits it to temporaries of that file name. Returns how many it removed.
 */
export async function removeStaleTemps(dir: string, which: 'not-mine' | 'dead', forTarget?: string): Promise<number> {
  const names = await readdir(dir).catch(() => []);
  let removed = 0;
  for (const name of names) {
    const pid = tempWriterPid(name);
    if (pid === undefined || pid === process.pid) continue;
    if (forTarget !== undefined && !name.endsWith(`-${forTarget}`)) continue;
    if (which === 'dead' && processAlive(pid)) continue;
    await rm(join(dir, name), { force: true });
    removed += 1;
  }
  return removed;
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

async function writeAtomic(target: string, data: string | Uint8Array, options: AtomicWriteOptions): Promise<void> {
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
