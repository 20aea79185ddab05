/**
 * The pipeline lock file, meant to be committed beside the spec as `<spec-basename>.lock.json`: for
 * each step, its cache key, the content hash of its output, and the key material the key was taken
 * from (parameters by digest). `verify` recomputes every step and
 * compares with it; `gc` keeps the cache entries lock files refer to. Written only after a fully
 * successful run, and only when its content changes.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { canonicalJson, canonicalJsonPretty } from '../data/canonical.js';
import { CacheError } from '../errors.js';
import { removeStaleTemps, writeFileAtomic } from './atomic.js';
import { isHash, sha256, type CacheKey, type ContentHash } from './hash.js';
import type { KeyMaterial } from './key.js';

export const LOCKFILE_VERSION = 1;

export interface LockEntry {
  readonly key: CacheKey;
  readonly output: ContentHash;
  /**
   * What the key was taken from (key.ts), each parameter's value by its digest (lockedMaterial): with
   * it, `verify` names what changed since the lock (a data file, a parameter, an implementation version)
   * on a machine whose cache never held the locked key. Absent in lock files written before lesionflow
   * recorded it.
   */
  readonly material?: KeyMaterial;
}

/**
 * Key material as the lock file keeps it: the parameters' values by digest (the first 12 hex digits of
 * the sha256 of each one's canonical JSON) — enough to say which parameter changed, while the lock file
 * stays small (a report's parameters are kilobytes; the spec holds the values). The rest as it is.
 */
export function lockedMaterial(m: KeyMaterial): KeyMaterial {
  const params = m.params !== null && typeof m.params === 'object' && !Array.isArray(m.params) ? m.params : {};
  return { ...m, params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, sha256(canonicalJson(v)).slice(0, 12)])) };
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

const LOCK_HINT = 'resolve the merge conflict in it, or re-run the pipeline to rewrite it';

function isRecord(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

/**
 * The lock file at `path`, or undefined when there is none. A lock file that exists but cannot be read
 * or does not have the lock-file shape (a merge conflict, a hand edit) is a CacheError naming it: it is
 * never silently taken as empty (gc would then drop everything it protects).
 */
export async function readLockfile(path: string): Promise<PipelineLock | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CacheError(`cannot read the lock file ${path}: ${(e as Error).message}`, { hint: 'check its permissions', cause: e });
  }
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    const conflict = /^(<{7}|={7}|>{7})/m.test(text) ? ' (it holds merge-conflict markers)' : '';
    throw new CacheError(`the lock file ${path} is not valid JSON${conflict}: ${(e as Error).message}`, { hint: LOCK_HINT, cause: e });
  }
  const bad = (what: string): CacheError => new CacheError(`the lock file ${path} is malformed: ${what}`, { hint: LOCK_HINT });
  if (!isRecord(o)) throw bad('expected a JSON object');
  if (typeof o.lesionflow !== 'number') throw bad('"lesionflow" must be a number');
  if (typeof o.pipeline !== 'string') throw bad('"pipeline" must be a string');
  if (!isRecord(o.steps)) throw bad('"steps" must be an object');
  const steps: Record<string, LockEntry> = {};
  for (const [name, e] of Object.entries(o.steps)) {
    if (!isRecord(e) || !isHash(e.key) || !isHash(e.output)) throw bad(`step "${name}" must be {key, output} with two sha256 hashes`);
    // The material only explains a changed key: one that is not key material is ignored, not fatal.
    const m = e.material;
    const material = isRecord(m) && typeof m.kind === 'string' && typeof m.version === 'number' && Array.isArray(m.inputs) && Array.isArray(m.files) ? (m as unknown as KeyMaterial) : undefined;
    steps[name] = { key: e.key, output: e.output, ...(material === undefined ? {} : { material }) };
  }
  return { lesionflow: o.lesionflow, pipeline: o.pipeline, steps };
}

/** Writes the lock file if its content differs; returns whether it wrote. */
export async function writeLockfile(path: string, lock: PipelineLock): Promise<boolean> {
  // The spec's folder is not ours alone (runs with other outputs folders write there): only the
  // temporaries of this lock file whose writer is gone are removed.
  await removeStaleTemps(dirname(path), 'dead', basename(path));
  const text = canonicalJsonPretty(lock);
  const old = await readFile(path, 'utf8').catch(() => undefined);
  if (old === text) return false;
  await writeFileAtomic(path, text);
  return true;
}
