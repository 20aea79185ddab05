/**
 * The pipeline lock file, meant to be committed beside the spec as `<spec-basename>.lock.json`: for
 * each step, its cache key and the content hash of its output. `verify` recomputes every step and
 * compares with it; `gc` keeps the cache entries lock files refer to. Written only after a fully
 * successful run, and only when its content changes.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { canonicalJsonPretty } from '../data/canonical.js';
import { writeFileAtomic } from './atomic.js';
import { isHash, type CacheKey, type ContentHash } from './hash.js';

export const LOCKFILE_VERSION = 1;

export interface LockEntry {
  readonly key: CacheKey;
  readonly output: ContentHash;
}

export interface PipelineLock {
  readonly lesionflow: number;
  readonly pipeline: string;
  readonly steps: Readonly<Record<string, LockEntry>>;
}

/** `pipelines/demo.yaml` → `pipelines/demo.lock.json`. */
export function lockfilePath(specFile: string): string {
  return join(dirname(specFile), `${basename(specFile).replace(/\.(ya?ml|json)$/i, '')}.lock.json`);
}

export async function readLockfile(path: string): Promise<PipelineLock | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  const o = JSON.parse(text) as PipelineLock;
  const steps: Record<string, LockEntry> = {};
  for (const [name, e] of Object.entries(o.steps)) if (isHash(e.key) && isHash(e.output)) steps[name] = { key: e.key, output: e.output };
  return { lesionflow: o.lesionflow, pipeline: o.pipeline, steps };
}

/** Writes the lock file if its content differs; returns whether it wrote. */
export async function writeLockfile(path: string, lock: PipelineLock): Promise<boolean> {
  const text = canonicalJsonPretty(lock);
  const old = await readFile(path, 'utf8').catch(() => undefined);
  if (old === text) return false;
  await writeFileAtomic(path, text);
  return true;
}
