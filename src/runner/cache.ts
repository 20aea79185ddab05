/**
 * The content-addressed store under `outputs/.cache/`:
 *
 *   objects/<h0h1>/<sha256>         a step's canonical output bytes, named by their own hash
 *   keys/<k0k1>/<cache key>.json    a step record: key → output hash (+ the key material, for `plan`)
 *   checkpoints/<cache key>/<name>  partial results of an interrupted step
 *   tmp/                            temporary files of atomic writes
 *
 * Every write is atomic (temp file, rename; objects are fsynced before the rename), and the object is
 * written before the record that refers to it: a crash leaves at worst an unreferenced object, never a
 * record whose output is partial.
 * Every read is checked: an object whose bytes do not hash to its name is reported as corrupt (the
 * caller warns and recomputes), never trusted. Objects not read in a run are checked cheaply by a stat
 * record (size, mtime, inode) and re-hashed in full whenever the stat differs.
 *
 * `Store` is the interface the executor uses, so another back-end (a shared remote cache) can replace it.
 */
import { readFileSync, statSync } from 'node:fs';
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createFileAtomic, removeStaleTemps, writeFileAtomic } from './atomic.js';
import { contentHash, isHash, sha256, type CacheKey, type ContentHash } from './hash.js';
import type { KeyMaterial } from './key.js';

export interface StepRecord {
  readonly key: CacheKey;
  readonly output: ContentHash;
  /** Bytes of the output, checked cheaply before trusting the object. */
  readonly size: number;
  /** The step's instance name when the record was written (informational). */
  readonly step: string;
  readonly material: KeyMaterial;
  readonly ms: number;
  readonly warnings: readonly string[];
}

export type ObjectState = 'ok' | 'missing' | 'corrupt';

/**
 * Partial results of a step, by name (a replicated step's finished batches), so that an interrupted step
 * resumes. Written by whoever computes them — the run itself, or its SLURM tasks on other hosts.
 */
export interface Checkpoints {
  /** The bytes of checkpoint `name`, or undefined when there is none (or it is damaged: then it is ignored). */
  get(name: string): Promise<Uint8Array | undefined>;
  /**
   * Stores checkpoint `name` atomically, never replacing an intact one (a checkpoint's bytes depend on its
   * name alone, so another writer's are the same); a damaged one is replaced.
   */
  put(name: string, content: Uint8Array): Promise<void>;
  /** The file holding checkpoint `name`, for a reader watching a shared folder (undefined: not on disk). */
  file?(name: string): string;
}

export interface Store {
  /** The record of `key`; undefined when there is none; throws CorruptRecord when one exists but is malformed. */
  getRecord(key: CacheKey): Promise<StepRecord | undefined>;
  putRecord(record: StepRecord): Promise<void>;
  /** Whether an object is present and intact, without reading it when its stat is unchanged since it was last verified. */
  checkObject(hash: ContentHash): Promise<ObjectState>;
  /** The object's bytes, verified against its hash; throws CorruptEntry when they do not match. */
  getObject(hash: ContentHash): Promise<string>;
  /** Stores bytes under their hash (a no-op when an intact copy exists); returns the hash. */
  putObject(content: string): Promise<ContentHash>;
  /** Removes an object found corrupt, so it is rewritten. */
  dropObject(hash: ContentHash): Promise<void>;
  checkpoints(key: CacheKey): Checkpoints;
  /** Flushes memos (stat records); call once at the end of a run. */
  close(): Promise<void>;
}

/** An object whose bytes do not match its name (truncated by a crash, or edited). */
export class CorruptEntry extends Error {
  override readonly name = 'CorruptEntry';
  constructor(
    readonly hash: ContentHash,
    readonly actual: string | undefined,
  ) {
    super(`cache object ${hash.slice(0, 12)} is corrupt (${actual === undefined ? 'missing' : `its bytes hash to ${actual.slice(0, 12)}`})`);
  }
}

/** A record file that exists but is not a well-formed record (damaged, hand-edited): counts as absent, and is reported. */
export class CorruptRecord extends Error {
  override readonly name = 'CorruptRecord';
  constructor(
    readonly key: CacheKey,
    readonly problem: string,
  ) {
    super(`cache record ${key.slice(0, 12)} is malformed (${problem})`);
  }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

/** What is wrong with a parsed record for `key`, or undefined when it has the StepRecord shape. */
export function recordProblem(r: unknown, key: CacheKey): string | undefined {
  if (!isObject(r)) return 'not a JSON object';
  if (r.key !== key) return 'it names another key';
  if (!isHash(r.output)) return '"output" is not a sha256 hash';
  if (typeof r.size !== 'number' || !Number.isInteger(r.size) || r.size < 0) return '"size" is not a byte count';
  if (typeof r.step !== 'string') return '"step" is not a string';
  if (typeof r.ms !== 'number') return '"ms" is not a number';
  if (!Array.isArray(r.warnings) || !r.warnings.every((w) => typeof w === 'string')) return '"warnings" is not a list of strings';
  const m = r.material;
  if (!isObject(m) || typeof m.kind !== 'string' || typeof m.version !== 'number' || typeof m.scheme !== 'number' || !Array.isArray(m.inputs) || !Array.isArray(m.files)) {
    return '"material" is not key material';
  }
  return undefined;
}

interface ObjectStat {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
}

export class FsStore implements Store {
  private verified = new Map<string, ObjectStat>();
  private verifiedDirty = false;

  private constructor(readonly dir: string) {}

  static async open(dir: string): Promise<FsStore> {
    const s = new FsStore(dir);
    try {
      const o = JSON.parse(await readFile(s.verifiedFile, 'utf8')) as Record<string, ObjectStat>;
      s.verified = new Map(Object.entries(o));
    } catch {
      // No memo yet: objects are hashed in full the first time they are checked.
    }
    return s;
  }

  private get verifiedFile(): string {
    return join(this.dir, 'verified.json');
  }
  private get tmpDir(): string {
    return join(this.dir, 'tmp');
  }
  objectPath(hash: ContentHash): string {
    return join(this.dir, 'objects', hash.slice(0, 2), hash);
  }
  recordPath(key: CacheKey): string {
    return join(this.dir, 'keys', key.slice(0, 2), `${key}.json`);
  }

  // Records and stats are read synchronously: a record is a small file, and a cached run of many steps reads
  // one per step — readFileSync costs ~5 µs of CPU where fs/promises' readFile (open, fstat, read, close, each
  // a round trip to libuv's threads) costs ~50 (bench/runner, 10 000 cached steps).
  getRecord(key: CacheKey): Promise<StepRecord | undefined> {
    let text: string;
    try {
      text = readFileSync(this.recordPath(key), 'utf8');
    } catch {
      return Promise.resolve(undefined);
    }
    // A record is small and written atomically; anything malformed (a power loss, a hand edit) is
    // reported to the caller, which treats it as absent and recomputes.
    let r: unknown;
    try {
      r = JSON.parse(text);
    } catch {
      return Promise.reject(new CorruptRecord(key, 'not valid JSON'));
    }
    const problem = recordProblem(r, key);
    if (problem !== undefined) return Promise.reject(new CorruptRecord(key, problem));
    return Promise.resolve(r as StepRecord);
  }

  async putRecord(record: StepRecord): Promise<void> {
    // No fsync: after a power loss a damaged record fails to parse or names another key, and counts as
    // absent. The object it points to was fsynced before this write.
    await writeFileAtomic(this.recordPath(record.key), JSON.stringify(record) + '\n', { tmpDir: this.tmpDir, fsync: false });
  }

  async checkObject(hash: ContentHash): Promise<ObjectState> {
    const path = this.objectPath(hash);
    let s;
    try {
      s = statSync(path);
    } catch {
      return 'missing';
    }
    const v = this.verified.get(hash);
    if (v?.size === s.size && v.mtimeMs === s.mtimeMs && v.ino === s.ino) return 'ok';
    try {
      await this.getObject(hash);
      return 'ok';
    } catch (e) {
      if (e instanceof CorruptEntry) return 'corrupt';
      throw e;
    }
  }

  async getObject(hash: ContentHash): Promise<string> {
    const path = this.objectPath(hash);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch {
      throw new CorruptEntry(hash, undefined);
    }
    const actual = sha256(bytes);
    if (actual !== hash) throw new CorruptEntry(hash, actual);
    this.remember(hash, path);
    return bytes.toString('utf8');
  }

  async putObject(content: string): Promise<ContentHash> {
    const hash = contentHash(content);
    if ((await this.checkObject(hash)) === 'ok') return hash;
    const path = this.objectPath(hash);
    // linked into place, never renamed over: a damaged copy (found by checkObject) is removed first
    await createFileAtomic(path, content, (existing) => sha256(existing) === hash, { tmpDir: this.tmpDir });
    this.remember(hash, path);
    return hash;
  }

  async dropObject(hash: ContentHash): Promise<void> {
    this.verified.delete(hash);
    this.verifiedDirty = true;
    await rm(this.objectPath(hash), { force: true });
  }

  private remember(hash: ContentHash, path: string): void {
    const s = statSync(path);
    const v = this.verified.get(hash);
    if (v?.size === s.size && v.mtimeMs === s.mtimeMs && v.ino === s.ino) return;
    this.verified.set(hash, { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino });
    this.verifiedDirty = true;
  }

  /** The folder of a step's checkpoints. */
  checkpointDir(key: CacheKey): string {
    return join(this.dir, 'checkpoints', key);
  }

  checkpoints(key: CacheKey): Checkpoints {
    const dir = this.checkpointDir(key);
    // Checkpoint names come from the runner; hashing them keeps any name a safe file name.
    const path = (name: string): string => join(dir, sha256(name));
    return {
      get: async (name) => {
        const bytes = await readFile(path(name)).catch(() => undefined);
        return bytes === undefined ? undefined : checkpointBody(bytes);
      },
      put: async (name, content) => {
        // No fsync needed: the embedded hash rejects a checkpoint damaged by a power loss.
        const header = Buffer.from(`${sha256(content)}\n`, 'utf8');
        await createFileAtomic(path(name), Buffer.concat([header, content]), (existing) => checkpointBody(existing) !== undefined, { tmpDir: this.tmpDir, fsync: false });
      },
      file: path,
    };
  }

  async close(): Promise<void> {
    if (!this.verifiedDirty) return;
    const o: Record<string, ObjectStat> = {};
    for (const [k, v] of [...this.verified].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) o[k] = v;
    await writeFileAtomic(this.verifiedFile, JSON.stringify(o) + '\n', { tmpDir: this.tmpDir, fsync: false });
    this.verifiedDirty = false;
  }

  // ---- for gc ----

  async listRecords(): Promise<CacheKey[]> {
    return (await listTwoLevel(join(this.dir, 'keys'))).map((f) => f.replace(/\.json$/, '')).filter(isHash);
  }
  async listObjects(): Promise<ContentHash[]> {
    return (await listTwoLevel(join(this.dir, 'objects'))).filter(isHash);
  }
  async listCheckpointKeys(): Promise<CacheKey[]> {
    const names: string[] = await readdir(join(this.dir, 'checkpoints')).catch(() => []);
    return names.filter(isHash);
  }
  async dropRecord(key: CacheKey): Promise<void> {
    await rm(this.recordPath(key), { force: true });
  }
  async dropCheckpoints(key: CacheKey): Promise<void> {
    await rm(join(this.dir, 'checkpoints', key), { recursive: true, force: true });
  }
  /**
   * Temporary files left by crashed writers: of this host's processes that are gone, and of other hosts'
   * (a cluster's tasks) once old (removeStaleTemps 'dead'): a task of a run's SLURM jobs may be writing now.
   * Only call while holding the outputs lock.
   */
  async clearTmp(): Promise<number> {
    return removeStaleTemps(this.tmpDir, 'dead');
  }
}

/** A checkpoint file's content: first line the sha256 of the rest, so that a damaged checkpoint is ignored rather than trusted. */
export function checkpointBody(bytes: Uint8Array): Uint8Array | undefined {
  const nl = bytes.indexOf(0x0a);
  if (nl !== 64) return undefined;
  const body = bytes.subarray(nl + 1);
  return sha256(body) === Buffer.from(bytes.subarray(0, nl)).toString('utf8') ? body : undefined;
}

async function listTwoLevel(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const sub of await readdir(dir).catch(() => [])) {
    for (const f of await readdir(join(dir, sub)).catch(() => [])) out.push(f);
  }
  return out;
}

/**
 * An output's bytes when the store holds them intact, else undefined (never there, removed by gc, or
 * corrupt): for reading an earlier output only to compare it (diff, verify), where absence is an answer.
 */
export async function readIfIntact(store: Store, hash: ContentHash): Promise<string | undefined> {
  if ((await store.checkObject(hash)) !== 'ok') return undefined;
  try {
    return await store.getObject(hash);
  } catch (e) {
    if (e instanceof CorruptEntry) return undefined; // changed since it was checked
    throw e;
  }
}

/** An in-memory store (verify, tests): same contract, nothing on disk. */
export class MemoryStore implements Store {
  readonly records = new Map<string, StepRecord>();
  readonly objects = new Map<string, string>();
  private readonly cps = new Map<string, Uint8Array>();

  getRecord(key: CacheKey): Promise<StepRecord | undefined> {
    return Promise.resolve(this.records.get(key));
  }
  putRecord(record: StepRecord): Promise<void> {
    this.records.set(record.key, record);
    return Promise.resolve();
  }
  checkObject(hash: ContentHash): Promise<ObjectState> {
    const o = this.objects.get(hash);
    return Promise.resolve(o === undefined ? 'missing' : contentHash(o) === hash ? 'ok' : 'corrupt');
  }
  getObject(hash: ContentHash): Promise<string> {
    const o = this.objects.get(hash);
    if (o === undefined) return Promise.reject(new CorruptEntry(hash, undefined));
    const actual = contentHash(o);
    return actual === hash ? Promise.resolve(o) : Promise.reject(new CorruptEntry(hash, actual));
  }
  putObject(content: string): Promise<ContentHash> {
    const h = contentHash(content);
    this.objects.set(h, content);
    return Promise.resolve(h);
  }
  dropObject(hash: ContentHash): Promise<void> {
    this.objects.delete(hash);
    return Promise.resolve();
  }
  checkpoints(key: CacheKey): Checkpoints {
    return {
      get: (name) => Promise.resolve(this.cps.get(`${key}/${name}`)),
      put: (name, content) => {
        this.cps.set(`${key}/${name}`, content);
        return Promise.resolve();
      },
    };
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}
