import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshDir } from './helpers.js';
import { contentHash, hashFileContent, isHash, sha256, stepSeed } from '../../src/runner/hash.js';

describe('hash', () => {
  it('sha256 is the standard digest (FIPS 180-2 test vector "abc")', () => {
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(contentHash(new TextEncoder().encode('abc'))).toBe(sha256('abc'));
  });

  it('hashes a file by content, streaming', async () => {
    const dir = await freshDir();
    const big = 'x'.repeat(3 * 65536 + 7);
    await writeFile(join(dir, 'f'), big);
    expect(await hashFileContent(join(dir, 'f'))).toBe(sha256(big));
  });

  it('a step seed is the first 32 bits of sha256(seed \\0 name): stable, per name, per pipeline seed', () => {
    const expected = createHash('sha256').update('20261122\u0000fit_good[modality=CT]').digest().readUInt32BE(0);
    expect(stepSeed(20261122, 'fit_good[modality=CT]')).toBe(expected);
    expect(stepSeed(20261122, 'a')).not.toBe(stepSeed(20261122, 'b'));
    expect(stepSeed(1, 'a')).not.toBe(stepSeed(2, 'a'));
    const s = stepSeed(5, 'x');
    expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
  });

  it('recognises well-formed hashes only', () => {
    expect(isHash(sha256(''))).toBe(true);
    expect(isHash('../../etc/passwd')).toBe(false);
    expect(isHash(sha256('').toUpperCase())).toBe(false);
  });
});
