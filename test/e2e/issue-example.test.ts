/**
 * End to end: issue 4's example spec, as its steps are written there (imputation, a pooled logistic
 * fit, mediation with its default counterfactual effects, a 2 000-replicate bootstrap of it, the volume
 * delta without `data:`, the arm comparison), run through the built CLI as a subprocess on the shipped
 * HERMES-like synthetic cohort. What a user checks: it runs, the volume delta reads the patients the
 * model was fitted on, and the bootstrap gives the proportion explained its interval (and says the
 * counterfactual effects are not bootstrapped) instead of re-simulating them 2 000 times.
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = resolve(import.meta.dirname, '../..');
const cliPath = join(repoRoot, 'dist/src/runner/cli.js');

const SPEC = `name: issue4-example
seed: 20261122
steps:
  cohort:
    kind: load
    path: hermes.csv
  mi:
    kind: impute
    input: cohort
    m: 20
    variables: [evt, age, sex_female, nihss, aspects, occlusion, ivt, onset_to_rand_min, fiv_ml, mrs90]
  good_mi:
    kind: fit_logistic          # given an imputed input: fits each imputation, pools by Rubin's rules
    input: mi
    formula: "mrs90 <= 2 ~ fiv_ml + evt + age + nihss + occlusion"
  med:
    kind: mediate
    input: cohort
    outcome: mrs90
    exposure: evt
    mediator: fiv_ml
    transform: cbrt
    covariates: [age, sex_female, nihss, aspects, occlusion, ivt, onset_to_rand_min]
  med_boot:
    kind: bootstrap
    of: med
    from: cohort
    replicates: 2000
    strata: [evt]
  vd:
    kind: volume_delta
    model: good_mi
    variable: fiv_ml
    where: fiv_ml < 80
    deltas: [0.01, 0.05, 0.10]
  by_arm:
    kind: compare
    input: cohort
    by: evt
    variables: [fiv_ml, mrs90]
`;

let project = '';

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'lesionflow-issue4-'));
  await mkdir(join(project, '.lesionflow'));
  await copyFile(join(repoRoot, 'pipelines/data/hermes_synthetic.csv'), join(project, 'hermes.csv'));
  await writeFile(join(project, 'spec.yaml'), SPEC);
});
afterAll(async () => {
  if (project !== '') await rm(project, { recursive: true, force: true });
});

describe("issue 4's example spec", () => {
  it('runs as written, with the volume delta on the imputed model\'s patients and a bootstrap CI of the proportion explained', async () => {
    const run = spawnSync(process.execPath, [cliPath, 'run', 'spec.yaml', '--jobs', '2'], { cwd: project, encoding: 'utf8', env: { ...process.env, CI: '1' } });
    expect(run.stderr + run.stdout).toMatch(/done: 7 ran/);
    expect(run.status).toBe(0);
    const read = async <T>(file: string): Promise<T> => JSON.parse(await readFile(join(project, 'outputs/issue4-example', file), 'utf8')) as T;

    // volume_delta without data: reads the table the imputation started from (the cohort)
    const plan = spawnSync(process.execPath, [cliPath, 'dag', 'spec.yaml'], { cwd: project, encoding: 'utf8' });
    expect(plan.status).toBe(0);
    expect(plan.stdout).toContain('vd (volume_delta) ← cohort, good_mi');
    const vd = await read<{ patients: number; summaries: { delta: number; median: number }[] }>('vd.json');
    expect(vd.patients).toBeGreaterThan(800);
    const median = (d: number): number => vd.summaries.find((s) => s.delta === d)!.median;
    expect(median(0.01)).toBeGreaterThan(1);
    expect(median(0.01)).toBeLessThan(4);
    expect(median(0.1) / median(0.01)).toBeCloseTo(10, 0);

    const boot = await read<{
      replicates: number;
      failed: { count: number };
      not_bootstrapped: { paths: string[]; why: string } | null;
      estimates: { name: string; original: number; percentile: { lower: number; upper: number }; bca: { lower: number; upper: number } | null }[];
    }>('med_boot.json');
    expect(boot.replicates).toBe(2000);
    expect(boot.failed.count).toBe(0);
    expect(boot.not_bootstrapped?.paths).toEqual(['counterfactual']);
    expect(boot.estimates.some((e) => e.name.startsWith('counterfactual'))).toBe(false);
    const share = boot.estimates.find((e) => e.name === 'proportion_explained')!;
    const med = await read<{ proportion_explained: number; counterfactual: { proportion_mediated: { ci_low: number } } }>('med.json');
    expect(share.original).toBeCloseTo(med.proportion_explained, 12);
    expect(share.percentile.lower).toBeLessThan(share.original);
    expect(share.percentile.upper).toBeGreaterThan(share.original);
    expect(share.bca).not.toBeNull();
    // the counterfactual effects keep mediate's own (simulation) interval
    expect(med.counterfactual.proportion_mediated.ci_low).toBeGreaterThan(0);
  });
});
