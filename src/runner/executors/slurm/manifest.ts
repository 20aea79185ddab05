/**
 * What a SLURM array task runs: a manifest in the shared cache (`<cache>/slurm/manifests/<sha256>.v8`,
 * named by the hash of its bytes, which the task checks) holding a set's batch function — a lesionflow
 * module and function, as the local pool's tasks, never code — its shared argument and seed, the cache
 * folder its results go to, and its shards: array task i runs the batches of shard offset + i.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { ExecutorError } from '../../../errors.js';
import type { TaskRef } from '../../../nodes/kind.js';
import { createFileAtomic } from '../../atomic.js';
import { sha256, type CacheKey } from '../../hash.js';
import type { Range } from '../executor.js';

export const MANIFEST_VERSION = 1;

export interface Manifest {
  readonly version: number;
  /** The lesionflow version that wrote it (a task of another version refuses it). */
  readonly lesionflow: string;
  readonly step: string;
  readonly set: string;
  readonly key: CacheKey;
  /** The cache folder (absolute, on the shared file system) whose checkpoints the results go to. */
  readonly cacheDir: string;
  readonly task: TaskRef;
  readonly shared: unknown;
  readonly seed: number;
  /** Array task offset + i runs shards[offset + i]. */
  readonly shards: readonly (readonly Range[])[];
}

/** The SLURM executor's folder in the cache: manifests, scripts, logs, errors, job records. */
export function slurmDir(cacheDir: string): string {
  return join(cacheDir, 'slurm');
}

/** Writes the manifest (never replacing one: its name is its hash); returns its path. */
export async function writeManifest(m: Manifest): Promise<string> {
  const bytes = serialize(m);
  const path = join(slurmDir(m.cacheDir), 'manifests', `${sha256(bytes)}.v8`);
  await createFileAtomic(path, bytes, (existing) => sha256(existing) === sha256(bytes), { tmpDir: join(m.cacheDir, 'tmp') });
  return path;
}

export async function readManifest(path: string): Promise<Manifest> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new ExecutorError(`cannot read the manifest ${path}: ${(e as Error).message}`, { hint: 'the outputs folder must be on a file system the compute nodes share with the machine that runs lesionflow' });
  }
  const name = /([0-9a-f]{64})\.v8$/.exec(path)?.[1];
  if (name === undefined || sha256(bytes) !== name) throw new ExecutorError(`the manifest ${path} is damaged (its bytes do not match its name)`, { hint: 'run the pipeline again: it writes a new one' });
  const m = deserialize(bytes) as Manifest;
  if (m.version !== MANIFEST_VERSION) throw new ExecutorError(`the manifest ${path} is of another lesionflow (manifest version ${m.version})`, { hint: 'use one lesionflow installation for the run and its array tasks' });
  return m;
}
