import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Kind } from '../../src/nodes/kind.js';
import { FsStore } from '../../src/runner/cache.js';
import { planPipeline } from '../../src/runner/commands/plan.js';
import { lockfilePath, readLockfile } from '../../src/runner/lockfile.js';
import { testUnits } from '../support/test-kinds.js';
import type { LogEvent } from '../../src/runner/logger.js';
import { freshDir, pipelineOf, ran, runIn, sixSteps, statuses } from './helpers.js';

describe('caching', () => {
  it('a first run runs everything; a no-op re-run runs nothing', async () => {
    const dir = await freshDir();
    const first = await runIn(dir, pipelineOf(dir, sixSteps()));
    expect(first.exitCode).toBe(0);
    expect(ran(first)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    const again = await runIn(dir, pipelineOf(dir, sixSteps()));
    expect(again.exitCode).toBe(0);
    expect(ran(again)).toEqual([]);
    expect(Object.values(statuses(again))).toEqual(Array(6).fill('cached'));
  });

  it('changing one parameter re-runs exactly that step and its dependants', async () => {
    const dir = await freshDir();
    await runIn(dir, pipelineOf(dir, sixSteps()));
    const r = await runIn(dir, pipelineOf(dir, sixSteps({ b: 5 })));
    expect(statuses(r)).toEqual({ a: 'cached', b: 'ran', c: 'cached', d: 'ran', e: 'ran', f: 'ran' });
  });

  it('an upstream change that yields an identical output stops there (early cutoff)', async () => {
    const dir = await freshDir();
    // c outputs (a + 10) mod 2: a = 1 and a = 3 both give 1.
    await runIn(dir, pipelineOf(dir, sixSteps({ a: 1, cMod: 2 })));
    const r = await runIn(dir, pipelineOf(dir, sixSteps({ a: 3, cMod: 2 })));
    expect(statuses(r)).toEqual({ a: 'ran', b: 'cached', c: 'ran', d: 'cached', e: 'cached', f: 'cached' });
  });

  it('writes outputs/<pipeline>/ files, run.json and the lock file; values flow down the graph', async () => {
    const dir = await freshDir();
    await runIn(dir, pipelineOf(dir, sixSteps()));
    const out = join(dir, 'outputs', 'p');
    expect((await readdir(out)).sort()).toEqual(['.manifest.json', 'a.json', 'b.json', 'c.json', 'd.csv', 'e.json', 'f.json', 'run.json']);
    expect(JSON.parse(await readFile(join(out, 'c.json'), 'utf8'))).toEqual({ from: 'a', value: 11 });
    expect(await readFile(join(out, 'd.csv'), 'utf8')).toBe('value\n22\n22.5\n');
    // e = 100 + c (11) + first value of d (22)
    expect((JSON.parse(await readFile(join(out, 'e.json'), 'utf8')) as { value: number }).value).toBe(133);
    const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { steps: { name: string; kind: string; key: string; status: string; ms: number }[]; versions: { node: string } };
    expect(run.steps.map((s) => [s.name, s.kind, s.status])).toEqual(['a', 'b', 'c', 'd', 'e', 'f'].map((n) => [n, 'test_step', 'ran']));
    expect(run.versions.node).toBe(process.version);
    const lock = await readLockfile(lockfilePath(join(dir, 'p.yaml')));
    expect(Object.keys(lock!.steps)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(lock!.steps.e!.key).toBe(run.steps[4]!.key);
  });

  it('files of a step removed from the spec are removed from outputs/<pipeline>/', async () => {
    const dir = await freshDir();
    await runIn(dir, pipelineOf(dir, sixSteps()));
    const { f: _f, ...five } = sixSteps();
    await runIn(dir, pipelineOf(dir, five));
    expect((await readdir(join(dir, 'outputs', 'p'))).sort()).toEqual(['.manifest.json', 'a.json', 'b.json', 'c.json', 'd.csv', 'e.json', 'run.json']);
  });

  it('a corrupt cache object is reported as a warning and recomputed', async () => {
    const dir = await freshDir();
    const first = await runIn(dir, pipelineOf(dir, sixSteps()));
    const store = await FsStore.open(join(dir, 'outputs', '.cache'));
    const c = first.result.steps.find((s) => s.name === 'c')!;
    await writeFile(store.objectPath(c.output!), '{"type":"result","value":{"value":99');
    const r = await runIn(dir, pipelineOf(dir, sixSteps()));
    expect(statuses(r)).toEqual({ a: 'cached', b: 'cached', c: 'ran', d: 'cached', e: 'cached', f: 'cached' });
    const warnings = r.log.events.filter((e): e is Extract<LogEvent, { type: 'warning' }> => e.type === 'warning');
    expect(warnings.map((w) => [w.step, w.message])).toEqual([['c', expect.stringMatching(/^cache entry [0-9a-f]{12} is corrupt/)]]);
    expect(await store.getObject(c.output!)).toContain('"value":11');
    expect(r.result.steps.find((s) => s.name === 'c')?.warnings).toEqual([expect.stringMatching(/is corrupt/)]);
    // The runner's warning belongs to that run only: the next run is clean.
    const next = await runIn(dir, pipelineOf(dir, sixSteps()));
    expect(next.result.steps.every((s) => s.warnings.length === 0)).toBe(true);
  });

  it('a cache record with a wrongly typed field is reported as a warning and recomputed, not an internal error', async () => {
    const dir = await freshDir();
    await runIn(dir, pipelineOf(dir, sixSteps()));
    const store = await FsStore.open(join(dir, 'outputs', '.cache'));
    const key = (await runIn(dir, pipelineOf(dir, sixSteps()))).result.steps.find((s) => s.name === 'c')!.key!;
    const rec = JSON.parse(await readFile(store.recordPath(key), 'utf8')) as Record<string, unknown>;
    await writeFile(store.recordPath(key), JSON.stringify({ ...rec, warnings: 5 }));
    const plan = await planPipeline(pipelineOf(dir, sixSteps()), join(dir, 'outputs'), dir);
    expect(plan.find((p) => p.step === 'c')).toMatchObject({ state: 'run', reasons: ['cache entry corrupt'] });
    const r = await runIn(dir, pipelineOf(dir, sixSteps()));
    expect(r.exitCode).toBe(0);
    expect(statuses(r)).toEqual({ a: 'cached', b: 'cached', c: 'ran', d: 'cached', e: 'cached', f: 'cached' });
    const warnings = r.log.events.filter((e): e is Extract<LogEvent, { type: 'warning' }> => e.type === 'warning');
    expect(warnings.map((w) => [w.step, w.message])).toEqual([['c', expect.stringMatching(/^cache record [0-9a-f]{12} is malformed \("warnings" is not a list of strings\): recomputing$/)]]);
    const next = await runIn(dir, pipelineOf(dir, sixSteps()));
    expect(ran(next)).toEqual([]);
    expect(next.result.steps.every((s) => s.warnings.length === 0)).toBe(true);
  });

  it('a deleted output object is recomputed', async () => {
    const dir = await freshDir();
    const first = await runIn(dir, pipelineOf(dir, sixSteps()));
    const store = await FsStore.open(join(dir, 'outputs', '.cache'));
    await store.dropObject(first.result.steps.find((s) => s.name === 'a')!.output!);
    const r = await runIn(dir, pipelineOf(dir, sixSteps()));
    expect(ran(r)).toEqual(['a']);
  });

  it("a replicated step's checkpoints survive a failed attempt: the next run of the same key runs only the batches missing", async () => {
    const dir = await freshDir();
    const failFile = join(dir, 'fail-now');
    const record = join(dir, 'batches.txt');
    await writeFile(failFile, '');
    const spec = { u: { kind: testUnits as unknown as Kind, params: { units: 40, fail_unit: 25, fail_if_file: failFile, record } } };
    const first = await runIn(dir, pipelineOf(dir, spec));
    expect(first.exitCode).toBe(1);
    const ranFirst = (await readFile(record, 'utf8')).trim().split('\n');
    // on the tests' one in-process thread: four batches of 10 (batches.ts), two in flight; the third fails
    expect(ranFirst).not.toContain('20-30');
    await rm(failFile);
    await writeFile(record, '');
    const second = await runIn(dir, pipelineOf(dir, spec));
    expect(second.exitCode).toBe(0);
    const ranSecond = (await readFile(record, 'utf8')).trim().split('\n');
    expect(ranSecond).toContain('20-30');
    expect(ranSecond.filter((r) => ranFirst.includes(r))).toEqual([]); // the finished batches are not redone
    expect([...ranFirst, ...ranSecond].sort()).toEqual(['0-10', '10-20', '20-30', '30-40']);
    // the same output as a run that never failed
    const fresh = await freshDir();
    const clean = await runIn(fresh, pipelineOf(fresh, { u: { kind: testUnits as unknown as Kind, params: { units: 40 } } }));
    const value = async (d: string): Promise<unknown> => (JSON.parse(await readFile(join(d, 'outputs', 'p', 'u.json'), 'utf8')) as { values: unknown }).values;
    expect(await value(dir)).toEqual(await value(fresh));
    expect(clean.exitCode).toBe(0);
  });

  it('the pipeline seed enters only random steps, and outputs the step seed', async () => {
    const dir = await freshDir();
    await runIn(dir, pipelineOf(dir, sixSteps(), { seed: 1 }));
    const r = await runIn(dir, pipelineOf(dir, sixSteps(), { seed: 2 }));
    expect(ran(r)).toEqual(['f']);
  });
});
