/**
 * Hashing: sha256 in lowercase hex, and branded string types so a cache key can never be passed where
 * an output's content hash is expected (or a step name where either is).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** The cache key of a step: sha256 of its key material (see key.ts). */
export type CacheKey = string & { readonly __brand: 'CacheKey' };
/** The sha256 of some bytes: a step's canonical output, a data file, the spec. */
export type ContentHash = string & { readonly __brand: 'ContentHash' };

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function contentHash(data: string | Uint8Array): ContentHash {
  return sha256(data) as ContentHash;
}

/** Content hash of a file, streamed (data files may be large). */
export async function hashFileContent(path: string): Promise<ContentHash> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex') as ContentHash;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** True for a well-formed sha256 hex string (guards paths built from hashes read from disk). */
export function isHash(s: unknown): s is ContentHash & CacheKey {
  return typeof s === 'string' && HEX64.test(s);
}

/**
 * A step's seed: the first 32 bits of sha256(`${globalSeed}\0${stepName}`), targets-style — it depends
 * on the pipeline seed and the step's own name only, so neither --jobs nor other steps can change it.
 */
export function stepSeed(globalSeed: number, step: string): number {
  const digest = createHash('sha256').update(`${globalSeed}\u0000${step}`).digest();
  return digest.readUInt32BE(0);
}

/** Short form for messages (first 12 hex digits). */
export function short(h: string): string {
  return h.slice(0, 12);
}
