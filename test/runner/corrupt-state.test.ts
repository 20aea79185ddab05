import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLockfile } from '../../src/runner/lockfile.js';
import { cli, freshDir, writeSpec } from './helpers.js';

const spec = `name: demo
seed: 5
params:
  base: 1
steps:
  load:
    kind: test_step
    value: \${params.base}
  fit:
    kind: test_step
    inputs: [load]
    value: 10
`;

/** The lock file with a merge conflict inside it, as git leaves it. */
function conflicted(text: string): string {
  const lines = text.split('\n');
  return [lines[0], '<<<<<<< HEAD', ...lines.slice(1, 4), '=======', ...lines.slice(1, 4), '>>>>>>> other', ...lines.slice(4)].join('\n');
}

describe('a corrupt lock file', () => {
  it('readLockfile: missing is undefined; unparsable or misshapen is a CacheError naming the path and the fix', async () => {
    const dir = await freshDir();
    const path = join(dir, 'p.lock.json');
    expect(await readLockfile(path)).toBeUndefined();
    await writeFile(path, '<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> b\n');
    await expect(readLockfile(path)).rejects.toMatchObject({ name: 'CacheError', message: expect.stringContaining(path) as string, hint: expect.stringMatching(/resolve the merge conflict/) as string });
    await writeFile(path, JSON.stringify({ lesionflow: 1, pipeline: 'p', steps: { a: { key: 5, output: 'x' } } }));
    await expect(readLockfile(path)).rejects.toThrow(/malformed: step "a"/);
    await writeFile(path, JSON.stringify({ lesionflow: 1, pipeline: 'p' }));
    await expect(readLockfile(path)).rejects.toThrow(/"steps" must be an object/);
  });

  it('verify exits 1 with the message (not an internal error); gc refuses and removes nothing', async () => {
    const dir = await freshDir();
    await writeSpec(dir, spec);
    expect((await cli(['run', 'p.yaml'], dir)).code).toBe(0);
    await cli(['run', 'p.yaml', '--set', 'base=2'], dir); // leaves entries only the old lock referred to
    const lockPath = join(dir, 'p.lock.json');
    await writeFile(lockPath, conflicted(await readFile(lockPath, 'utf8')));

    const v = await cli(['verify', 'p.yaml'], dir);
    expect(v.code).toBe(1);
    expect(v.stderr).not.toMatch(/internal error/);
    expect(v.stderr).toContain(`the lock file ${lockPath} is not valid JSON (it holds merge-conflict markers)`);
    expect(v.stderr).toMatch(/resolve the merge conflict in it, or re-run the pipeline to rewrite it/);

    const files = async () => (await readdir(join(dir, 'outputs', '.cache'), { recursive: true })).sort();
    const before = await files();
    for (const args of [['gc'], ['gc', 'p.yaml']]) {
      const g = await cli(args, dir);
      expect(g.code).toBe(1);
      expect(g.stderr).toContain(`gc removed nothing: the lock file ${lockPath} is not valid JSON`);
      expect(await files()).toEqual(before);
    }
  });
});
