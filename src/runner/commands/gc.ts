/**
 * `lesionflow gc [spec…] [--keep-runs N]`: drop cache entries no lock file (and, with --keep-runs, none of
 * the last N runs of each pipeline in the run history) refers to. The lock files consulted are the
 * ones every successful run has written with this outputs folder (remembered in
 * `.cache/lockfiles.json`; those since deleted are forgotten) plus those of the specs named. The run
 * history's records themselves are kept: `lesionflow runs` still lists their key results.
 * Kept: the records of locked keys, the objects they point to, their checkpoints. Everything else in
 * the cache, and leftover temporary files, is removed. Holds the outputs lock while it works.
 */
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CacheError } from '../../errors.js';
import { writeFileAtomic } from '../atomic.js';
import { CorruptRecord, FsStore } from '../cache.js';
import { isHash, type CacheKey, type ContentHash } from '../hash.js';
import { readRuns, type HistoryRun } from '../run-history.js';
import { acquireLock } from '../lock.js';
import { lockfilePath, readLockfile } from '../lockfile.js';
import { outputsDirOf, type CommandIo, type CommonOptions } from './io.js';

const LIST = 'lockfiles.json';

async function knownLockfiles(cacheDir: string): Promise<string[]> {
  try {
    const o = JSON.parse(await readFile(join(cacheDir, LIST), 'utf8')) as unknown;
    return Array.isArray(o) ? o.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** Adds a lock file to the list gc consults (called by run after writing it). */
export async function rememberLockfile(cacheDir: string, path: string): Promise<void> {
  const list = await knownLockfiles(cacheDir);
  if (list.includes(path)) return;
  list.push(path);
  await writeFileAtomic(join(cacheDir, LIST), JSON.stringify(list.sort(), null, 1) + '\n', { fsync: false });
}

export interface GcSummary {
  readonly lockfiles: number;
  /** Runs of the history whose entries were kept (`keepRuns`). */
  readonly runs: number;
  readonly records: number;
  readonly objects: number;
  readonly bytes: number;
}

/**
 * `keepRuns`: also keep the entries of the last N runs of each pipeline in the run history (Infinity:
 * every run), so that `diff` can still compare them and going back to their parameters stays a cache hit.
 */
export async function gc(outputsDir: string, specs: readonly string[], signal?: AbortSignal, keepRuns = 0): Promise<GcSummary> {
  const cacheDir = join(outputsDir, '.cache');
  const lock = await acquireLock(outputsDir, { command: 'gc', ...(signal === undefined ? {} : { signal }) });
  try {
    const store = await FsStore.open(cacheDir);
    const candidates = [...new Set([...(await knownLockfiles(cacheDir)), ...specs.map((s) => lockfilePath(resolve(s)))])];
    const keep = new Set<CacheKey>();
    const keepObjects = new Set<ContentHash>();
    const present: string[] = [];
    // Every lock file is read before anything is removed: one that exists but cannot be parsed (a merge
    // conflict) stops gc, since dropping the entries it protects could not be undone.
    for (const path of candidates) {
      let lf;
      try {
        lf = await readLockfile(path);
      } catch (e) {
        if (!(e instanceof CacheError)) throw e;
        throw new CacheError(`gc removed nothing: ${e.message}`, { hint: `${e.hint ?? 'repair it'}; then run gc again`, cause: e });
      }
      if (lf === undefined) continue;
      present.push(path);
      for (const e of Object.values(lf.steps)) {
        keep.add(e.key);
        keepObjects.add(e.output);
      }
    }
    let runs = 0;
    if (keepRuns > 0) {
      const byPipeline = new Map<string, HistoryRun[]>();
      for (const r of await readRuns(outputsDir)) {
        let list = byPipeline.get(r.pipeline);
        if (list === undefined) byPipeline.set(r.pipeline, (list = []));
        list.push(r);
      }
      for (const list of byPipeline.values()) {
        for (const r of list.slice(Math.max(0, list.length - keepRuns))) {
          runs += 1;
          for (const s of r.steps) {
            if (isHash(s.key)) keep.add(s.key);
            if (isHash(s.output)) keepObjects.add(s.output);
          }
        }
      }
    }
    let records = 0;
    for (const key of await store.listRecords()) {
      const r = await store.getRecord(key).catch((e: unknown) => {
        if (e instanceof CorruptRecord) return undefined; // malformed: dropped like an unreferenced record
        throw e;
      });
      if (keep.has(key) && r !== undefined) {
        keepObjects.add(r.output);
        continue;
      }
      await store.dropRecord(key);
      records += 1;
    }
    let objects = 0;
    let bytes = 0;
    for (const h of await store.listObjects()) {
      if (keepObjects.has(h)) continue;
      bytes += (await stat(store.objectPath(h)).catch(() => ({ size: 0 }))).size;
      await store.dropObject(h);
      objects += 1;
    }
    for (const key of await store.listCheckpointKeys()) if (!keep.has(key)) await store.dropCheckpoints(key);
    await store.clearTmp();
    await store.close();
    await writeFileAtomic(join(cacheDir, LIST), JSON.stringify(present.sort(), null, 1) + '\n', { fsync: false });
    return { lockfiles: present.length, runs, records, objects, bytes };
  } finally {
    await lock.release();
  }
}

export async function gcCommand(specs: readonly string[], o: CommonOptions & { readonly keepRuns?: number }, io: CommandIo): Promise<number> {
  const s = await gc(outputsDirOf(o), specs, o.signal, o.keepRuns ?? 0);
  if (o.quiet !== true) {
    const runs = s.runs === 0 ? '' : ` and ${s.runs} run${s.runs === 1 ? '' : 's'}`;
    io.out(`gc: kept entries of ${s.lockfiles} lock file${s.lockfiles === 1 ? '' : 's'}${runs}; removed ${s.records} record${s.records === 1 ? '' : 's'} and ${s.objects} object${s.objects === 1 ? '' : 's'} (${(s.bytes / 1024).toFixed(1)} KiB)`);
  }
  return 0;
}
