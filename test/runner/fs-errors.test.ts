import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CacheError } from '../../src/errors.js';
import { writeFileAtomic } from '../../src/runner/atomic.js';
import { cli, freshDir, writeSpec } from './helpers.js';

const spec = 'name: p\nseed: 1\nsteps:\n  a: {kind: test_step, value: 1}\n  b: {kind: test_step, inputs: [a], value: 2}\n';
const asRoot = process.getuid?.() === 0;

describe('file-system errors on outputs, cache and lock paths are CacheErrors, not internal errors', () => {
  it('writeFileAtomic: a file in the way names the path with a hint', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'blocker'), '');
    const p = writeFileAtomic(join(dir, 'blocker', 'x.json'), '{}');
    await expect(p).rejects.toBeInstanceOf(CacheError);
    await expect(writeFileAtomic(join(dir, 'blocker', 'x.json'), '{}')).rejects.toMatchObject({
      message: expect.stringContaining(join(dir, 'blocker', 'x.json')) as string,
      hint: expect.stringMatching(/in the way/) as string,
    });
  });

  it.skipIf(asRoot)('writeFileAtomic: a read-only folder says to check permissions', async () => {
    const dir = await freshDir();
    await mkdir(join(dir, 'ro'));
    await chmod(join(dir, 'ro'), 0o555);
    try {
      await expect(writeFileAtomic(join(dir, 'ro', 'x.json'), '{}')).rejects.toMatchObject({ name: 'CacheError', hint: expect.stringMatching(/permissions/) as string });
    } finally {
      await chmod(join(dir, 'ro'), 0o755);
    }
  });

  it('run: a file where the cache objects folder should be fails with the path and a hint, exit 1', async () => {
    const dir = await freshDir();
    await writeSpec(dir, spec);
    await mkdir(join(dir, 'outputs', '.cache'), { recursive: true });
    await writeFile(join(dir, 'outputs', '.cache', 'objects'), 'in the way');
    const r = await cli(['run', 'p.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).not.toMatch(/internal error|bug in lesionflow/);
    expect(r.stdout + r.stderr).toContain(join(dir, 'outputs', '.cache', 'objects'));
    expect(r.stdout + r.stderr).toMatch(/in the way/);
  });

  it('run: an outputs path that is a file fails with the path and a hint, exit 1', async () => {
    const dir = await freshDir();
    await writeSpec(dir, spec);
    await writeFile(join(dir, 'outputs'), 'in the way');
    const r = await cli(['run', 'p.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).not.toMatch(/internal error|bug in lesionflow/);
    expect(r.stdout + r.stderr).toContain(join(dir, 'outputs'));
  });
});
