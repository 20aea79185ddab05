/**
 * The run history, end to end through the CLI: every run recorded in outputs/.runs/ with its provenance,
 * `runs` listing runs × differing parameters × key results, `diff` naming the numbers that changed,
 * and going back to earlier parameters as a cache hit that restores outputs/<pipeline>/.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, freshDir, writeSpec } from './helpers.js';

const spec = `name: hist
seed: 5
params:
  base: 1
  data: data.txt
  label: same
steps:
  load:
    kind: test_step
    value: \${params.base}
    file: \${params.data}
  fit:
    kind: test_step
    inputs: [load]
    value: 10
  table:
    kind: test_step
    inputs: [fit]
    table: true
metrics:
  fitted: {step: fit, path: value}
  bytes: {step: load, path: file_bytes}
`;

async function project(): Promise<string> {
  const dir = await freshDir();
  await writeSpec(dir, spec);
  await writeFile(join(dir, 'data.txt'), 'abc\n');
  return dir;
}

interface Record {
  run: number;
  name?: string;
  command: string[];
  overrides: { base?: number };
  params: { base: number };
  results: { label: string; value: number | null }[];
  versions: { node: string; lesionflow: string; dependencies: { [name: string]: string } };
  machine: { os: string; cpu: string; cores: number };
  git: unknown;
  started: string;
  steps: { name: string; status: string }[];
}

const json = async <T>(...path: string[]): Promise<T> => JSON.parse(await readFile(join(...path), 'utf8')) as T;

describe('run history', () => {
  it('two runs with different --set values: runs lists both with the differing parameter and their key results; diff names the changed numbers; going back runs nothing and restores the outputs', async () => {
    const dir = await project();
    const one = await cli(['run', 'p.yaml', '--set', 'base=1', '--name', 'one'], dir);
    expect(one.code, one.stderr).toBe(0);
    const firstFit = await readFile(join(dir, 'outputs', 'hist', 'fit.json'), 'utf8');
    const two = await cli(['run', 'p.yaml', '--set', 'base=2', '--name', 'two'], dir);
    expect(two.code, two.stderr).toBe(0);
    expect(await readFile(join(dir, 'outputs', 'hist', 'fit.json'), 'utf8')).not.toBe(firstFit);

    // Every run is kept, numbered, with the record run.json holds.
    expect((await readdir(join(dir, 'outputs', '.runs'))).sort()).toEqual(['000001.json', '000002.json']);
    const r2 = await json<Record>(dir, 'outputs', '.runs', '000002.json');
    expect(r2).toMatchObject({ run: 2, name: 'two', overrides: { base: 2 }, params: { base: 2 }, command: ['run', 'p.yaml', '--set', 'base=2', '--name', 'two'] });
    expect(r2.results).toEqual([
      { label: 'fitted', step: 'fit', path: 'value', source: 'metric', value: 12, output: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown },
      { label: 'bytes', step: 'load', path: 'file_bytes', source: 'metric', value: 4, output: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown },
    ]);
    expect(await json<Record>(dir, 'outputs', 'hist', 'run.json')).toEqual(r2);

    const runs = await cli(['runs', 'p.yaml'], dir);
    expect(runs.code, runs.stderr).toBe(0);
    const lines = runs.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^run +name +started \(UTC\) +status +base +data +label +fitted +bytes$/);
    expect(lines[1]).toMatch(/^ +1 +one +\d{4}-\d\d-\d\d \d\d:\d\d +ok +1 +data\.txt +same +11 +4$/);
    expect(lines[2]).toMatch(/^ +\*2 +two +\d{4}-\d\d-\d\d \d\d:\d\d +ok +2 +data\.txt +same +12 +4$/);
    expect(lines[3]).toContain('2 runs; * = the outputs in');

    const changed = await cli(['runs', 'p.yaml', '--only-changed', '--format', 'csv'], dir);
    expect(changed.stdout.trimEnd().split('\n')).toEqual([
      'run,name,started (UTC),status,base,fitted,current',
      expect.stringMatching(/^1,one,\d{4}-\d\d-\d\dT[\d:.]+Z,ok,1,11,false$/) as unknown as string,
      expect.stringMatching(/^2,two,\d{4}-\d\d-\d\dT[\d:.]+Z,ok,2,12,true$/) as unknown as string,
    ]);

    const diff = await cli(['diff', 'one', 'two'], dir);
    expect(diff.code, diff.stderr).toBe(0);
    const [header, ...body] = diff.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^diff: run 1 "one" \(\d{4}-\d\d-\d\d \d\d:\d\d\) → run 2 "two" \(.*\), pipeline hist$/);
    expect(body).toEqual([
      'parameters:',
      '  base  1 → 2',
      'key results:',
      '  fitted  11 → 12  +9.09%',
      'steps:',
      '  load (test_step): 1 number changed',
      '    value  1 → 2  +100%',
      '  fit (test_step): 1 number changed',
      '    value  11 → 12  +9.09%',
      '  table (test_step): 2 numbers changed',
      '    row 1: value  11 → 12      +9.09%',
      '    row 2: value  11.5 → 12.5  +8.7%',
    ]);

    // Back to the first parameters: a cache hit, and outputs/hist/ holds the first run's outputs again.
    const back = await cli(['run', 'p.yaml', '--set', 'base=1'], dir);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toContain('done: 0 ran, 3 cached');
    expect(await readFile(join(dir, 'outputs', 'hist', 'fit.json'), 'utf8')).toBe(firstFit);
    expect((await readFile(join(dir, 'outputs', 'hist', 'table.csv'), 'utf8')).split('\n')[1]).toBe('11');
    const after = await cli(['runs', 'p.yaml', '--format', 'json'], dir);
    const table = JSON.parse(after.stdout) as { runs: { run: number; current: boolean; results: { fitted: number } }[] };
    expect(table.runs.map((r) => [r.run, r.current, r.results.fitted])).toEqual([[1, false, 11], [2, false, 12], [3, true, 11]]);
    // The same parameters and outputs: nothing to show but that.
    const same = await cli(['diff', '1', 'last'], dir);
    expect(same.stdout).toContain('the two runs have the same parameters and outputs');
  });

  it('run.json records the provenance: command line, overrides, versions (with every runtime dependency), machine, git state, start time', async () => {
    const dir = await project();
    expect((await cli(['run', 'p.yaml', '--set', 'base=3'], dir)).code).toBe(0);
    const r = await json<Record>(dir, 'outputs', 'hist', 'run.json');
    expect(r.versions.node).toBe(process.version);
    expect(r.versions.lesionflow).toMatch(/^\d+\.\d+\.\d+/);
    // Runtime dependencies of lesionflow from its lock file, dev tools left out.
    for (const dep of ['yaml', 'ajv', 'ml-matrix', 'piscina', 'p-limit']) expect(r.versions.dependencies[dep]).toMatch(/^\d+\.\d+\.\d+/);
    for (const dev of ['vitest', 'typescript', 'eslint']) expect(r.versions.dependencies[dev]).toBeUndefined();
    expect(r.machine.cores).toBeGreaterThan(0);
    expect(typeof r.machine.cpu).toBe('string');
    expect(r.git).toBeNull(); // a temporary folder is not in a git work tree
    expect(Date.parse(r.started)).toBeGreaterThan(Date.now() - 600_000);
    expect(r.overrides).toEqual({ base: 3 });
  });

  it('runs and diff name runs by number, --name and last~k, and say clearly when a run is not found', async () => {
    const dir = await project();
    await cli(['run', 'p.yaml', '--name', 'first'], dir);
    await cli(['run', 'p.yaml', '--set', 'base=5'], dir);
    const byLast = await cli(['diff', 'last~1', 'last'], dir);
    expect(byLast.stdout).toContain('diff: run 1 "first"');
    const alone = await cli(['diff', 'first'], dir); // against the latest run
    expect(alone.stdout).toContain('→ run 2 (');
    const missing = await cli(['diff', '7', 'first'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('error: there is no run 7');
    expect(missing.stderr).toContain('lesionflow runs <spec> lists them (runs 1–2)');
    const unnamed = await cli(['diff', 'nope'], dir);
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toContain('no run is named "nope"');
    const badName = await cli(['run', 'p.yaml', '--name', '12'], dir);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain('--name "12" is not a run name');
    const md = await cli(['runs', 'p.yaml', '--format', 'md'], dir);
    expect(md.stdout.split('\n')[0]).toBe('| run | name | started (UTC) | status | base | data | label | fitted | bytes |');
    expect((await cli(['runs', 'p.yaml', '--format', 'xml'], dir)).code).toBe(2);
  });

  it('gc --keep-runs keeps the entries of recent runs, so that going back stays a cache hit', async () => {
    const dir = await project();
    await cli(['run', 'p.yaml'], dir); // locked: base=1
    await cli(['run', 'p.yaml', '--set', 'base=2'], dir);
    await cli(['run', 'p.yaml', '--set', 'base=3'], dir);
    const gc = await cli(['gc', '--keep-runs', '1'], dir);
    expect(gc.code, gc.stderr).toBe(0);
    expect(gc.stdout).toMatch(/kept entries of 1 lock file and 1 run; removed 3 records/);
    expect((await cli(['run', 'p.yaml', '--set', 'base=3'], dir)).stdout).toContain('done: 0 ran, 3 cached');
    expect((await cli(['run', 'p.yaml', '--set', 'base=2'], dir)).stdout).toContain('done: 3 ran, 0 cached');
    // The history still lists every run; diff says when an output has gone from the cache.
    const all = await cli(['runs', 'p.yaml', '--format', 'json'], dir);
    expect((JSON.parse(all.stdout) as { runs: unknown[] }).runs).toHaveLength(5);
    await cli(['gc'], dir);
    const gone = await cli(['diff', '2', '3'], dir);
    expect(gone.stdout).toMatch(/fit \(test_step\): output changed; the output of run 2 is no longer in the cache/);
  });
});
