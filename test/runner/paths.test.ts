import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/runner/commands/io.js';
import { isInside, pathResolver } from '../../src/runner/paths.js';
import { cli, freshDir, pipelineOf, writeSpec } from './helpers.js';

describe('the project-folder check on spec paths', () => {
  it('compares path segments: a file named "..foo" is inside, ".." and "../x" are not', () => {
    expect(isInside('/p', '/p/..foo')).toBe(true);
    expect(isInside('/p', '/p/data/..foo.csv')).toBe(true);
    expect(isInside('/p', '/p')).toBe(true);
    expect(isInside('/p/a', '/p')).toBe(false);
    expect(isInside('/p', '/q/x')).toBe(false);
    expect(isInside('/p', `/p/..${sep}..${sep}x`)).toBe(false);
  });

  it('a file named "..foo" in the project is accepted', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, '..foo.csv'), 'x\n');
    expect(pathResolver(pipelineOf(dir, {}), dir)('..foo.csv')).toBe(join(dir, '..foo.csv'));
  });

  it('a symbolic link inside the project pointing outside it is refused; one pointing inside is accepted', async () => {
    const outside = await freshDir();
    const dir = await freshDir();
    await writeFile(join(outside, 'secret.csv'), 'x\n');
    await mkdir(join(dir, 'data'));
    await writeFile(join(dir, 'data', 'real.csv'), 'x\n');
    await symlink(join(outside, 'secret.csv'), join(dir, 'data', 'link.csv'));
    await symlink(join(dir, 'data', 'real.csv'), join(dir, 'data', 'inner.csv'));
    await symlink(outside, join(dir, 'elsewhere'));
    const resolvePath = pathResolver(pipelineOf(dir, {}), dir);
    expect(() => resolvePath('data/link.csv')).toThrow(/outside the project folder/);
    expect(() => resolvePath('elsewhere/secret.csv')).toThrow(/outside the project folder/);
    expect(() => resolvePath('elsewhere/not-yet.csv')).toThrow(/outside the project folder/);
    expect(resolvePath('data/inner.csv')).toBe(join(dir, 'data', 'inner.csv'));
    expect(resolvePath('data/not-yet.csv')).toBe(join(dir, 'data', 'not-yet.csv'));
  });

  it('a path given on the command line (--set) may still lie anywhere, links included', async () => {
    const outside = await freshDir();
    const dir = await freshDir();
    await writeFile(join(outside, 'secret.csv'), 'x\n');
    await symlink(join(outside, 'secret.csv'), join(dir, 'link.csv'));
    const p = { ...pipelineOf(dir, {}), userPaths: new Set([join(dir, 'link.csv')]), workingDir: dir };
    expect(pathResolver(p, dir)('link.csv')).toBe(join(dir, 'link.csv'));
  });
});

describe('the project folder is found from the spec, not the working directory', () => {
  it('is the nearest ancestor of the spec folder holding package.json, .git or .lesionflow, else the spec folder', async () => {
    const dir = await freshDir();
    await mkdir(join(dir, 'proj', 'pipelines', 'sub'), { recursive: true });
    const bare = { ...pipelineOf(join(dir, 'proj', 'pipelines', 'sub'), {}) };
    expect(projectRoot(bare, '/')).toBe(join(dir, 'proj', 'pipelines', 'sub'));
    await writeFile(join(dir, 'proj', 'package.json'), '{}');
    expect(projectRoot(bare, '/')).toBe(join(dir, 'proj'));
    expect(projectRoot(bare, join(dir, 'proj', 'pipelines'))).toBe(join(dir, 'proj'));
    await writeFile(join(dir, 'proj', 'pipelines', '.lesionflow'), '');
    expect(projectRoot(bare, '/')).toBe(join(dir, 'proj', 'pipelines'));
  });

  it('running from / a spec whose path escapes its project is refused (CLI)', async () => {
    const dir = await freshDir();
    await mkdir(join(dir, 'proj', 'pipelines'), { recursive: true });
    await writeFile(join(dir, 'proj', 'package.json'), '{}');
    await writeFile(join(dir, 'outside.csv'), 'x\n1\n');
    const spec = await writeSpec(join(dir, 'proj', 'pipelines'), 'name: p\nseed: 1\nsteps:\n  a: {kind: test_step, file: ../../outside.csv}\n');
    const r = await cli(['run', spec, '--outputs', join(dir, 'proj', 'outputs')], '/');
    expect(r.stdout + r.stderr).toMatch(/outside the project folder/);
    expect(r.code).toBe(1);
  });
});
