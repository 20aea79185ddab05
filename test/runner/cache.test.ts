import { readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorruptEntry, CorruptRecord, FsStore } from '../../src/runner/cache.js';
import { sha256, type CacheKey, type ContentHash } from '../../src/runner/hash.js';
import { KEY_SCHEME } from '../../src/runner/key.js';
import { freshDir } from './helpers.js';

const record = (key: string, output: ContentHash, size: number) => ({
  key: key as CacheKey,
  output,
  size,
  step: 's',
  material: { scheme: KEY_SCHEME, kind: 'k', version: 1, params: {}, inputs: [], files: [] },
  ms: 1,
  warnings: [],
});

describe('FsStore', () => {
  it('stores objects under their own hash and records that refer to them', async () => {
    const store = await FsStore.open(join(await freshDir(), '.cache'));
    const h = await store.putObject('{"x":1}');
    expect(h).toBe(sha256('{"x":1}'));
    expect(await store.getObject(h)).toBe('{"x":1}');
    expect(await store.checkObject(h)).toBe('ok');
    const key = sha256('key');
    await store.putRecord(record(key, h, 7));
    expect((await store.getRecord(key as CacheKey))?.output).toBe(h);
    expect(await store.getRecord(sha256('other') as CacheKey)).toBeUndefined();
    // No temporary file survives a write.
    expect(await readdir(join(store.dir, 'tmp'))).toEqual([]);
  });

  it('reports a truncated object as corrupt, never returns it', async () => {
    const store = await FsStore.open(join(await freshDir(), '.cache'));
    const h = await store.putObject('{"values":[1,2,3,4,5,6,7,8,9]}');
    await truncate(store.objectPath(h), 5);
    await expect(store.getObject(h)).rejects.toBeInstanceOf(CorruptEntry);
    expect(await store.checkObject(h)).toBe('corrupt');
  });

  it('re-hashes an object whose stat changed since it was verified (same size, other bytes)', async () => {
    const dir = join(await freshDir(), '.cache');
    const store = await FsStore.open(dir);
    const h = await store.putObject('{"a":1}');
    await store.close();
    await writeFile(store.objectPath(h), '{"a":2}');
    const again = await FsStore.open(dir);
    expect(await again.checkObject(h)).toBe('corrupt');
    await again.dropObject(h);
    expect(await again.checkObject(h)).toBe('missing');
  });

  it('reports a malformed or mismatched record as CorruptRecord (the caller treats it as absent)', async () => {
    const store = await FsStore.open(join(await freshDir(), '.cache'));
    const key = sha256('k') as CacheKey;
    await store.putRecord(record(key, sha256('o') as ContentHash, 1));
    await writeFile(store.recordPath(key), '{"key": "trunc');
    await expect(store.getRecord(key)).rejects.toThrow(/is malformed \(not valid JSON\)/);
    await writeFile(store.recordPath(key), JSON.stringify(record(sha256('other'), sha256('o') as ContentHash, 1)));
    await expect(store.getRecord(key)).rejects.toThrow(/names another key/);
    // Wrongly typed fields, each caught by the shape check rather than crashing a later use.
    const good = record(key, sha256('o') as ContentHash, 1);
    for (const [bad, problem] of [
      [{ ...good, warnings: 5 }, /"warnings"/],
      [{ ...good, size: '1' }, /"size"/],
      [{ ...good, ms: null }, /"ms"/],
      [{ ...good, step: 3 }, /"step"/],
      [{ ...good, material: { ...good.material, inputs: 'x' } }, /"material"/],
      [[good], /not a JSON object/],
    ] as const) {
      await writeFile(store.recordPath(key), JSON.stringify(bad));
      await expect(store.getRecord(key)).rejects.toBeInstanceOf(CorruptRecord);
      await expect(store.getRecord(key)).rejects.toThrow(problem);
    }
    await store.putRecord(good);
    expect(await store.getRecord(key)).toEqual(good);
  });

  it('keeps checkpoints per key, and ignores a damaged one', async () => {
    const store = await FsStore.open(join(await freshDir(), '.cache'));
    const cp = store.checkpoints(sha256('k') as CacheKey);
    const text = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : Buffer.from(b).toString());
    expect(await cp.get('batch-1')).toBeUndefined();
    await cp.put('batch-1', Buffer.from('partial results'));
    expect(text(await cp.get('batch-1'))).toBe('partial results');
    expect(await store.checkpoints(sha256('other') as CacheKey).get('batch-1')).toBeUndefined();
    const dir = join(store.dir, 'checkpoints', sha256('k'));
    const [file] = await readdir(dir);
    expect(cp.file!('batch-1')).toBe(join(dir, file!));
    const written = await readFile(join(dir, file!), 'utf8');
    await writeFile(join(dir, file!), written.slice(0, -3));
    expect(await cp.get('batch-1')).toBeUndefined();
    // a damaged checkpoint is replaced; an intact one is never replaced (another writer's, with the same bytes)
    await cp.put('batch-1', Buffer.from('partial results'));
    expect(text(await cp.get('batch-1'))).toBe('partial results');
    const inode = (await stat(join(dir, file!))).ino;
    await cp.put('batch-1', Buffer.from('partial results'));
    expect((await stat(join(dir, file!))).ino).toBe(inode);
    expect(await readdir(join(store.dir, 'tmp'))).toEqual([]);
  });

  it('places objects by link, never over an intact copy, and replaces a damaged one', async () => {
    const store = await FsStore.open(join(await freshDir(), '.cache'));
    const h = await store.putObject('{"x":2}');
    const inode = (await stat(store.objectPath(h))).ino;
    await store.putObject('{"x":2}');
    expect((await stat(store.objectPath(h))).ino).toBe(inode);
    await writeFile(store.objectPath(h), '{"x":3}');
    await store.close();
    const again = await FsStore.open(store.dir);
    expect(await again.putObject('{"x":2}')).toBe(h);
    expect(await again.getObject(h)).toBe('{"x":2}');
  });
});
