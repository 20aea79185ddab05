/**
 * Content hashes of data files, with a stat record to avoid re-reading a large file whose size, mtime
 * and inode are unchanged. The content hash stays the truth: the record is only a memo of it, and a
 * record taken less than two seconds after the file's mtime is not trusted (the "racy git" problem:
 * a file rewritten within the same mtime tick would otherwise look unchanged).
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { hashFileContent, isHash, type ContentHash } from './hash.js';
import { writeFileAtomic } from './atomic.js';

interface StatRecord {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
  readonly hash: ContentHash;
  /** When the hash was taken (ms since epoch). */
  readonly at: number;
}

const RACY_MS = 2000;

export class FileHasher {
  private records = new Map<string, StatRecord>();
  private dirty = false;
  private readonly memo = new Map<string, Promise<ContentHash>>();

  private constructor(private readonly file: string | undefined) {}

  /** A hasher whose stat records persist in `<cacheDir>/file-hashes.json` (or nowhere, with no dir). */
  static async open(cacheDir: string | undefined): Promise<FileHasher> {
    const h = new FileHasher(cacheDir === undefined ? undefined : join(cacheDir, 'file-hashes.json'));
    if (h.file !== undefined) {
      try {
        const o = JSON.parse(await readFile(h.file, 'utf8')) as Record<string, StatRecord>;
        for (const [path, r] of Object.entries(o)) if (isHash(r.hash)) h.records.set(path, r);
      } catch {
        // Missing or unreadable: it is only a memo, start empty.
      }
    }
    return h;
  }

  /** sha256 of the file at an absolute path (memoised for the life of this hasher). */
  hash(path: string): Promise<ContentHash> {
    let p = this.memo.get(path);
    if (p === undefined) {
      p = this.compute(path);
      this.memo.set(path, p);
    }
    return p;
  }

  private async compute(path: string): Promise<ContentHash> {
    const s = await stat(path);
    const r = this.records.get(path);
    if (r?.size === s.size && r.mtimeMs === s.mtimeMs && r.ino === s.ino && r.at - s.mtimeMs > RACY_MS) return r.hash;
    const hash = await hashFileContent(path);
    this.records.set(path, { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino, hash, at: Date.now() });
    this.dirty = true;
    return hash;
  }

  /** Persists new records (atomically); a no-op when nothing changed. */
  async save(): Promise<void> {
    if (!this.dirty || this.file === undefined) return;
    const o: Record<string, StatRecord> = {};
    for (const [k, v] of [...this.records].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) o[k] = v;
    await writeFileAtomic(this.file, JSON.stringify(o, null, 1) + '\n', { fsync: false });
    this.dirty = false;
  }
}
