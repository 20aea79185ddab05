import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planPipeline } from '../../src/runner/commands/plan.js';
import { freshDir, pipelineOf, ran, runIn, sixSteps } from './helpers.js';

describe('freshness', () => {
  it('a data file is hashed by content: touching it changes nothing, editing it re-runs its readers', async () => {
    const dir = await freshDir();
    const data = join(dir, 'data.csv');
    await writeFile(data, 'x\n1\n');
    const spec = { a: { params: { file: 'data.csv' } }, b: { inputs: ['a'] } };
    expect(ran(await runIn(dir, pipelineOf(dir, spec)))).toEqual(['a', 'b']);
    const later = new Date(Date.now() + 5000);
    await utimes(data, later, later);
    expect(ran(await runIn(dir, pipelineOf(dir, spec)))).toEqual([]);
    await writeFile(data, 'x\n1\n2\n');
    expect(ran(await runIn(dir, pipelineOf(dir, spec)))).toEqual(['a', 'b']);
  });

  it('a spec path outside the project folder is refused, naming the step', async () => {
    const dir = await freshDir();
    const r = await runIn(dir, pipelineOf(dir, { a: { params: { file: '../../etc/hostname' } } }));
    expect(r.exitCode).toBe(1);
    expect((r.result.steps[0]!.error as Error).message).toMatch(/outside the project folder/);
  });

  it('a missing data file fails its step with a DataError naming the file', async () => {
    const dir = await freshDir();
    const r = await runIn(dir, pipelineOf(dir, { a: { params: { file: 'nope.csv' } }, b: { inputs: ['a'] }, c: {} }));
    expect(r.exitCode).toBe(1);
    expect((r.result.steps[0]!.error as Error).message).toMatch(/^cannot read the data file "nope.csv" .*: no such file$/);
    expect(r.result.steps.map((s) => s.status)).toEqual(['failed', 'skipped', 'ran']);
  });

  it('plan says what is cached and why the rest will run', async () => {
    const dir = await freshDir();
    const out = join(dir, 'outputs');
    const before = await planPipeline(pipelineOf(dir, sixSteps()), out, dir);
    expect(before.map((p) => [p.step, p.state, p.reasons.join('; ')])).toEqual([
      ['a', 'run', 'no cache entry'],
      ['b', 'run', 'no cache entry'],
      ['c', 'may-run', 'no cache entry'],
      ['d', 'may-run', 'no cache entry'],
      ['e', 'may-run', 'no cache entry'],
      ['f', 'may-run', 'no cache entry'],
    ]);
    await runIn(dir, pipelineOf(dir, sixSteps()));
    const after = await planPipeline(pipelineOf(dir, sixSteps({ b: 5 })), out, dir);
    expect(after.map((p) => [p.step, p.state, p.reasons.join('; ')])).toEqual([
      ['a', 'cached', ''],
      ['b', 'run', 'params.value: 2 → 5'],
      ['c', 'cached', ''],
      ['d', 'may-run', 'input b will run'],
      ['e', 'may-run', 'input d will run'],
      ['f', 'may-run', 'input e will run'],
    ]);
  });
});
