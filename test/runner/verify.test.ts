/**
 * `lesionflow verify` for nightly jobs, through the CLI: the cause of a changed key (a data file named),
 * the numbers that drifted when the locked output is in the cache, --tolerance, several specs, and the
 * JSON and JUnit reports.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeArtifact, encodeArtifact } from '../../src/data/artifact.js';
import type { JsonObject } from '../../src/data/canonical.js';
import { contentHash } from '../../src/runner/hash.js';
import { cli, freshDir, writeSpec } from './helpers.js';

const spec = `name: v
seed: 1
steps:
  cohort:
    kind: load
    path: data.csv
  table1:
    kind: describe
    input: cohort
    by: evt
    variables: [age, fiv_ml]
`;

const data = ['id,evt,age,fiv_ml', '1,1,70,10.5', '2,0,64,40', '3,1,81,22', '4,0,59,35.5', '5,1,77,8', '6,0,72,51'].join('\n') + '\n';

async function project(): Promise<string> {
  const dir = await freshDir();
  await writeSpec(dir, spec);
  await writeFile(join(dir, 'data.csv'), data);
  const r = await cli(['run', 'p.yaml'], dir);
  expect(r.code, r.stderr).toBe(0);
  return dir;
}

interface Lock {
  steps: Record<string, { key: string; output: string }>;
}

/**
 * Replaces the locked output of `step` by an edited copy, stored in the cache under its own hash — as
 * if the lock had been written by a run whose output differed (a drift).
 */
async function editLockedOutput(dir: string, step: string, edit: (value: Record<string, unknown>) => void): Promise<void> {
  const lockPath = join(dir, 'p.lock.json');
  const lock = JSON.parse(await readFile(lockPath, 'utf8')) as Lock;
  const hash = lock.steps[step]!.output;
  const a = decodeArtifact(await readFile(join(dir, 'outputs', '.cache', 'objects', hash.slice(0, 2), hash), 'utf8'));
  if (a.type !== 'result') throw new Error('expected a result');
  const value = structuredClone(a.value) as Record<string, unknown>;
  edit(value);
  const text = encodeArtifact({ ...a, value: value as JsonObject });
  const edited = contentHash(text);
  await mkdir(join(dir, 'outputs', '.cache', 'objects', edited.slice(0, 2)), { recursive: true });
  await writeFile(join(dir, 'outputs', '.cache', 'objects', edited.slice(0, 2), edited), text);
  lock.steps[step]!.output = edited;
  await writeFile(lockPath, JSON.stringify(lock, null, 2));
}

type Variable = { name: string; overall: { mean: number } };
const age = (value: Record<string, unknown>): Variable => (value.variables as Variable[]).find((v) => v.name === 'age')!;

describe('verify', () => {
  it('after one data value is edited, names the data file as the cause and lists the numbers that changed', async () => {
    const dir = await project();
    expect((await cli(['verify', 'p.yaml'], dir)).code).toBe(0);
    await writeFile(join(dir, 'data.csv'), data.replace('3,1,81,22', '3,1,82,22'));
    const r = await cli(['verify', 'p.yaml'], dir);
    expect(r.code).toBe(1);
    const err = r.stderr.split('\n');
    expect(err).toContain('✗ cohort  key changed since the lock: file data.csv changed');
    expect(err).toContain('    row 3: age  81 → 82  +1.23%');
    expect(err).toContain('✗ table1  key changed since the lock: input cohort changed');
    expect(r.stderr).toMatch(/^ {4}variables\[name=age\]\.overall\.mean +70\.5 → 70\.67 +\+0\.236%$/m);
    expect(r.stderr).toMatch(/^ {4}table\.csv row 3: overall +70\.5 → 70\.67 +\+0\.236%$/m);
    expect(err).toContain('cause: cohort: file data.csv changed');
    expect(err).toContain('       1 step downstream changed with it (their inputs changed)');
    expect(r.stdout).toContain('verify: 2 of 2 steps differ from');

    // Another machine (an empty outputs folder, as a fresh CI clone): the cause comes from the lock
    // file, and the numbers cannot be compared.
    const fresh = await cli(['verify', 'p.yaml', '--outputs', 'elsewhere'], dir);
    expect(fresh.stderr).toContain('✗ cohort  key changed since the lock: file data.csv changed (the locked output is not in the cache: its numbers cannot be compared)');
    expect(fresh.stderr).toContain('cause: cohort: file data.csv changed');
  });

  it('names a changed parameter, from the cache\'s record (old → new) or, on another machine, from the lock file (its value now)', async () => {
    const dir = await project();
    await writeSpec(dir, spec.replace('variables: [age, fiv_ml]', 'variables: [age]'));
    const here = await cli(['verify', 'p.yaml'], dir);
    expect(here.stderr).toContain('✗ table1  key changed since the lock: params.variables: - fiv_ml');
    const fresh = await cli(['verify', 'p.yaml', '--outputs', 'elsewhere'], dir);
    expect(fresh.stderr).toContain('✗ table1  key changed since the lock: params.variables changed (now ["age"]) (the locked output is not in the cache: its numbers cannot be compared)');
    expect(fresh.stderr).toContain('cause: table1: params.variables changed (now ["age"])');
    expect(fresh.stdout).toContain('✓ cohort  ok');
  });

  it('after a locked output is corrupted, lists the numbers that changed, old → new with their relative difference', async () => {
    const dir = await project();
    await editLockedOutput(dir, 'table1', (v) => {
      age(v).overall.mean = 70;
    });
    const r = await cli(['verify', 'p.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^✗ table1 {2}drift: output [0-9a-f]{12} differs from the locked [0-9a-f]{12} for the same key$/m);
    expect(r.stderr).toContain('    variables[name=age].overall.mean  70 → 70.5  +0.714%');
    expect(r.stdout).toContain('✓ cohort  ok');
    expect(r.stdout).toContain('verify: 1 of 2 steps differ');
  });

  it('--tolerance: numbers within a relative tolerance count as reproduced; beyond it they do not', async () => {
    const dir = await project();
    await editLockedOutput(dir, 'table1', (v) => {
      age(v).overall.mean = 70.5 * (1 + 3e-12);
    });
    const strict = await cli(['verify', 'p.yaml'], dir);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/variables\[name=age\]\.overall\.mean {2}70\.5000000002 → 70\.5 {2}-3\.0e-12/);
    const loose = await cli(['verify', 'p.yaml', '--tolerance', '1e-9'], dir);
    expect(loose.code, loose.stderr).toBe(0);
    expect(loose.stdout).toContain('✓ table1  ok within --tolerance 1e-9: 1 number differ, by at most 3.0e-12 relative');
    const tight = await cli(['verify', 'p.yaml', '--tolerance', '1e-13'], dir);
    expect(tight.code).toBe(1);
    expect((await cli(['verify', 'p.yaml', '--tolerance', 'x'], dir)).code).toBe(2);
  });

  it('several specs in one call; --format json and junit for CI', async () => {
    const dir = await project();
    await writeSpec(dir, spec.replace('name: v', 'name: w').replace('path: data.csv', 'path: data2.csv'), 'q.yaml');
    await writeFile(join(dir, 'data2.csv'), data);
    expect((await cli(['run', 'q.yaml'], dir)).code).toBe(0);
    await writeFile(join(dir, 'data.csv'), data.replace('6,0,72,51', '6,0,72,52'));

    const text = await cli(['verify', 'p.yaml', 'q.yaml'], dir);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('p.yaml:\n');
    expect(text.stdout).toContain('verify: 1 of 2 pipelines reproduce their lock files');

    const j = await cli(['verify', 'p.yaml', 'q.yaml', '--format', 'json'], dir);
    expect(j.code).toBe(1);
    interface Report { ok: boolean; specs: { spec: string; ok: boolean; causes: string[]; steps: { step: string; status: string; causes: string[]; changes?: { count: number; shown: { where: string; old: number; new: number; relative: number }[] } }[] }[] }
    const report = JSON.parse(j.stdout) as Report;
    expect(report.ok).toBe(false);
    expect(report.specs.map((s) => [s.spec, s.ok])).toEqual([['p.yaml', false], ['q.yaml', true]]);
    expect(report.specs[0]!.causes).toEqual(['cohort: file data.csv changed']);
    const cohort = report.specs[0]!.steps.find((s) => s.step === 'cohort')!;
    expect(cohort.status).toBe('key-changed');
    expect(cohort.changes!.shown[0]).toEqual({ kind: 'number', where: 'row 6: fiv_ml', old: 51, new: 52, relative: 1 / 51 });

    const x = await cli(['verify', 'p.yaml', 'q.yaml', '--format', 'junit'], dir);
    expect(x.code).toBe(1);
    expect(x.stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="lesionflow verify" tests="4" failures="2">/);
    expect(x.stdout).toContain('<testsuite name="v" file="p.yaml" tests="2" failures="2">');
    expect(x.stdout).toContain('<testsuite name="w" file="q.yaml" tests="2" failures="0">');
    expect(x.stdout).toContain('<testcase classname="w" name="cohort"/>');
    expect(x.stdout).toMatch(/<failure message="key changed since the lock: file data.csv changed" type="key-changed">cause: file data.csv changed\nrow 6: fiv_ml {2}51 → 52 {2}\+1.96%<\/failure>/);
  });
});
