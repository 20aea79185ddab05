/**
 * The SLURM executor against a real cluster (see helpers.ts): byte-equality with a local run (a mediation
 * bootstrap of B = 20 000 split over array tasks, and a trial design's simulated trials and chain bootstrap), a failing unit, Ctrl-C, a task cancelled from outside,
 * the driver killed with SIGKILL and the run resumed, arrays split by their size limit and throttled, and a
 * set too small for the cluster kept local. Each test runs `lesionflow run` as a subprocess.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mediationBootstrapSpec } from '../../bench/specs.js';
import { batchRanges } from '../../src/runner/replicate/batches.js';
import { FAST, cli, problem, project, queued, required, start, submittedJobs, waitFor } from './helpers.js';

/** The batches of test_units' 40 units at --batch n, as "start-end" (n ≤ 20: the threads do not cap it). */
const batchesOf = (n: number): string[] => batchRanges(40, n).map(([a, b]) => `${a}-${b}`);

const MEDIATION = (replicates: number): string => mediationBootstrapSpec({ name: 'med', replicates });

/** A trial design whose simulated trials (200 units of 100) and chain bootstrap (400 replicates) are replicate sets. */
const TRIAL_DESIGN = `name: td
seed: 20261122
steps:
  cohort: {kind: simulate, cohort: hermes, n: 1665, seed: 7}
  fit: {kind: fit_ordinal, input: cohort, formula: "mrs90 ~ cbrt(fiv_ml) + evt + age + nihss"}
  design:
    kind: trial_design
    reference: cohort
    arm: "evt == 0"
    volume: fiv_ml
    effects: {ratio: [0.8, 0.7]}
    log_offset: 1
    simulation: {trials: 20000, points: 6}
    outcome_model: fit
    mrs: mrs90
    bootstrap: {replicates: 400}
`;

const UNITS = (extra: string): string => `name: units
seed: 5
steps:
  u:
    kind: test_units
    units: 40
${extra}`;

/** The files of a step in outputs/<pipeline>/, by name, with their bytes. */
async function stepFiles(dir: string, pipeline: string, step: string): Promise<Map<string, string>> {
  const folder = join(dir, 'outputs', pipeline);
  const names = (await readdir(folder)).filter((f) => f === `${step}.json` || f.startsWith(`${step}.`));
  return new Map(await Promise.all(names.map(async (f) => [f, await readFile(join(folder, f), 'utf8')] as const)));
}

const lines = async (file: string): Promise<string[]> => ((await readFile(file, 'utf8').catch(() => '')).trim().split('\n').filter((l) => l !== ''));

describe.skipIf(problem !== undefined && !required)('SLURM executor (a real cluster)', () => {
  it('has a cluster to test against', () => {
    expect(problem).toBeUndefined();
  });

  it('a mediation bootstrap of B = 20 000 split over array tasks gives the bytes of the local run', async () => {
    const local = await project('executor: local\n');
    const slurm = await project(FAST);
    await writeFile(join(local, 'p.yaml'), MEDIATION(20_000));
    await writeFile(join(slurm, 'p.yaml'), MEDIATION(20_000));
    const a = await cli(['run', 'p.yaml', '--jobs', '2'], local);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    const b = await cli(['run', 'p.yaml', '--jobs', '2', '--batch', '1000'], slurm);
    expect(b.code, b.stderr).toBe(0);
    const jobs = submittedJobs(b.stdout);
    expect(jobs.length).toBeGreaterThan(0);
    const n = batchRanges(20_000, 1000).length;
    expect(b.stdout).toContain(`${n} batches (bootstrap) in ${n} array tasks submitted to SLURM`);
    const mine = await stepFiles(local, 'med', 'boot');
    const theirs = await stepFiles(slurm, 'med', 'boot');
    expect([...theirs.keys()].sort()).toEqual([...mine.keys()].sort());
    for (const [f, text] of mine) expect(theirs.get(f), f).toBe(text);
    expect(JSON.parse(await readFile(join(slurm, 'p.lock.json'), 'utf8'))).toEqual(JSON.parse(await readFile(join(local, 'p.lock.json'), 'utf8')));
    // a re-run is a cache hit: nothing goes to the cluster
    const again = await cli(['run', 'p.yaml', '--jobs', '2'], slurm);
    expect(again.code).toBe(0);
    expect(submittedJobs(again.stdout)).toEqual([]);
  }, 600_000);

  it('a trial design\'s simulated trials and chain bootstrap split over array tasks give the bytes of the local run', async () => {
    const local = await project('executor: local\n');
    const slurm = await project(FAST);
    await writeFile(join(local, 'p.yaml'), TRIAL_DESIGN);
    await writeFile(join(slurm, 'p.yaml'), TRIAL_DESIGN);
    const a = await cli(['run', 'p.yaml', '--jobs', '2'], local);
    expect(a.code, a.stderr).toBe(0);
    const b = await cli(['run', 'p.yaml', '--jobs', '2', '--batch', '50'], slurm);
    expect(b.code, b.stderr).toBe(0);
    // 200 units of 100 trials and 400 replicates in batches of at most 50, a task each (min_task_seconds: 0)
    const sim = batchRanges(200, 50).length;
    const boot = batchRanges(400, 50).length;
    expect(b.stdout).toContain(`${sim} batches (simulation) in ${sim} array tasks submitted to SLURM`);
    expect(b.stdout).toContain(`${boot} batches (bootstrap) in ${boot} array tasks submitted to SLURM`);
    const mine = await stepFiles(local, 'td', 'design');
    const theirs = await stepFiles(slurm, 'td', 'design');
    expect(mine.size).toBeGreaterThan(1);
    expect([...theirs.keys()].sort()).toEqual([...mine.keys()].sort());
    for (const [f, text] of mine) expect(theirs.get(f), f).toBe(text);
    const design = JSON.parse(mine.get('design.json')!) as { effects: { simulation: { trials: number } }[]; bootstrap: { replicates: number; failed: number } };
    expect(design.effects[0]!.simulation.trials).toBe(20_000);
    expect(design.bootstrap.replicates).toBe(400);
  }, 600_000);

  it('a failing unit gives a located error naming the task and its log, cancels the rest; a re-run submits only what is missing', async () => {
    const dir = await project(FAST);
    const flag = join(dir, 'fail-now');
    const record = join(dir, 'batches.txt');
    await writeFile(flag, '');
    await writeFile(join(dir, 'p.yaml'), UNITS(`    fail_unit: 17\n    fail_if_file: ${flag}\n    record: ${record}\n`));
    const r = await cli(['run', 'p.yaml', '--batch', '5'], dir);
    expect(r.code).toBe(1);
    const [job] = submittedJobs(r.stdout);
    expect(r.stdout + r.stderr).toMatch(new RegExp(`units 15–19 \\(units\\) of step u failed in SLURM array task ${job}_3: test_units: unit 17 failed, as told`));
    expect(r.stdout + r.stderr).toContain(`log: ${join(dir, 'outputs', '.cache', 'slurm', 'logs', `${job}_3.log`)}`);
    expect(existsSync(join(dir, 'outputs', '.cache', 'slurm', 'logs', `${job}_3.log`))).toBe(true);
    await waitFor(() => queued().every((l) => !l.startsWith(`${job}_`)), 15_000);
    const first = await lines(record);
    expect(first).not.toContain('15-20');
    await rm(flag);
    await writeFile(record, '');
    const again = await cli(['run', 'p.yaml', '--batch', '5'], dir);
    expect(again.code, again.stderr).toBe(0);
    const second = await lines(record);
    expect(second).toContain('15-20');
    expect(second.filter((b) => first.includes(b))).toEqual([]); // the finished batches are not redone
    expect([...first, ...second].sort()).toEqual(batchesOf(5).sort());
  }, 180_000);

  it('Ctrl-C cancels the run\'s jobs (none left in squeue), exits 130 and leaves no lock', async () => {
    const dir = await project(FAST);
    await writeFile(join(dir, 'p.yaml'), UNITS('    sleep_ms: 300\n'));
    const run = start(['run', 'p.yaml', '--batch', '5'], dir);
    await waitFor(() => /submitted to SLURM as job/.test(run.output()));
    const [job] = submittedJobs(run.output());
    await waitFor(() => queued().some((l) => l.startsWith(`${job}_`) && l.endsWith('RUNNING')));
    const t0 = Date.now();
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    await waitFor(() => queued().every((l) => !l.startsWith(`${job}_`)), 5_000);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(existsSync(join(dir, 'outputs', '.lock'))).toBe(false);
  }, 120_000);

  it('a task cancelled from outside fails after the grace, named with its state', async () => {
    const dir = await project(FAST);
    await writeFile(join(dir, 'p.yaml'), UNITS('    sleep_ms: 400\n'));
    const run = start(['run', 'p.yaml', '--batch', '5'], dir);
    await waitFor(() => /submitted to SLURM as job/.test(run.output()));
    const [job] = submittedJobs(run.output());
    spawnSync('scancel', [`${job}_6`]);
    const r = await run.done;
    expect(r.code).toBe(1);
    const [a, b] = batchRanges(40, 5)[6]!;
    expect(r.stdout + r.stderr).toMatch(new RegExp(`units ${a}–${b - 1} \\(units\\) of step u failed in SLURM array task ${job}_6: (it ended CANCELLED|it left the queue without its results)`));
    await waitFor(() => queued().every((l) => !l.startsWith(`${job}_`)), 15_000);
  }, 120_000);

  it('the driver killed with SIGKILL: the next run adopts the queued tasks and redoes no finished unit', async () => {
    const dir = await project(FAST);
    const record = join(dir, 'batches.txt');
    await writeFile(join(dir, 'p.yaml'), UNITS(`    sleep_ms: 200\n    record: ${record}\n`));
    const run = start(['run', 'p.yaml', '--batch', '5'], dir);
    await waitFor(async () => (await lines(record)).length >= 1);
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    const [job] = submittedJobs(run.output());
    const r = await cli(['run', 'p.yaml', '--batch', '5'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/removing the stale lock/);
    // 11 tasks of 200–400 ms on the test cluster: some are still queued when the run comes back
    expect(r.stdout).toMatch(new RegExp(`adopting \\d+ array tasks \\(units\\) an earlier run left queued: job ${job}`));
    const batches = await lines(record);
    expect(new Set(batches).size).toBe(batches.length); // every batch once, whoever ran it
    expect([...batches].sort()).toEqual(batchesOf(5).sort());
    // the same values as a run on the local threads
    const local = await project('executor: local\n');
    await writeFile(join(local, 'p.yaml'), UNITS(''));
    expect((await cli(['run', 'p.yaml'], local)).code).toBe(0);
    const values = async (d: string): Promise<unknown> => (JSON.parse(await readFile(join(d, 'outputs', 'units', 'u.json'), 'utf8')) as { values: unknown }).values;
    expect(await values(dir)).toEqual(await values(local));
  }, 180_000);

  it('splits a set into arrays of at most max_array_size tasks, throttled to max_running', async () => {
    const dir = await project(`${FAST}  max_array_size: 3\n  max_running: 1\n`);
    await writeFile(join(dir, 'p.yaml'), UNITS(''));
    const r = await cli(['run', 'p.yaml', '--batch', '4'], dir);
    expect(r.code, r.stderr).toBe(0);
    const n = batchesOf(4).length;
    const jobs = submittedJobs(r.stdout);
    expect(jobs).toHaveLength(Math.ceil(n / 3));
    expect(r.stdout).toContain(`${n} batches (units) in ${n} array tasks submitted to SLURM as job ${jobs.join(', ')}`);
    // a log per task: three per array, the rest in the last
    const logs = (await readdir(join(dir, 'outputs', '.cache', 'slurm', 'logs'))).filter((f) => f.endsWith('.log'));
    const perJob = jobs.map((j) => logs.filter((f) => f.startsWith(`${j}_`)).length);
    expect(perJob).toEqual(jobs.map((_, i) => Math.min(3, n - 3 * i)));
    const shown = spawnSync('scontrol', ['show', 'job', jobs[0]!], { encoding: 'utf8' }).stdout;
    if (shown !== '') expect(shown).toMatch(/ArrayTaskThrottle=1\b/); // while the controller still knows the job
  }, 180_000);

  it('keeps a set with less than one array task\'s minimum work on the local threads', async () => {
    const dir = await project(FAST.replace('min_task_seconds: 0', 'min_task_seconds: 600'));
    await writeFile(join(dir, 'p.yaml'), UNITS(''));
    const r = await cli(['run', 'p.yaml', '--batch', '5'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${batchesOf(5).length} batches (units) run here: about `);
    expect(r.stdout).toMatch(/s of work, less than one array task's minimum \(min_task_seconds: 600\)/);
    expect(submittedJobs(r.stdout)).toEqual([]);
  }, 120_000);

  it('reports a configuration mistake at its line and column', async () => {
    const dir = await project('executor: slurm\nslurm:\n  partitio: short\n  max_array_size: 0\n');
    await writeFile(join(dir, 'p.yaml'), UNITS(''));
    const r = await cli(['run', 'p.yaml'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('lesionflow.config.yaml:3:3: error: unknown key "partitio" under slurm (did you mean "partition"?)');
    expect(r.stderr).toContain('lesionflow.config.yaml:4:19: error: key "max_array_size" must be >= 1');
    expect(r.stderr.startsWith('lesionflow.config.yaml:')).toBe(true); // named as the user would, from the working directory
  });
});
