/**
 * Atomic file writes: write a temporary file in the same folder, fsync it, then rename it over the
 * target. A crash at any point leaves either the old file or the new one, never a partial file under
 * the target's name (rename is atomic within one file system).
 */
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

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

export interface AtomicWriteOptions {
  /** Folder for the temporary file (must be on the same file system as the target). */
  readonly tmpDir?: string;
  /** fsync the file before the rename (default true): after a power loss the entry is whole or absent. */
  readonly fsync?: boolean;
}

const CHUNK = 1 << 20;

export async function writeFileAtomic(target: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
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
