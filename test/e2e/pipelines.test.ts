/**
 * End to end: the four shipped pipelines (what `npm start` runs), each through the built CLI as a
 * subprocess, at reduced sizes (`--set imputations=2`, `--set replicates=50`, `--set trials=1000`), on the shipped synthetic
 * cohorts. The specs and the data are copied to a temporary project so that these runs neither write
 * the committed lock files (pipelines/*.lock.json) nor touch outputs/.
 *
 * The assertions are those a user would check on the synthetic cohort (calibrated to HERMES/ESCAPE,
 * docs/synthetic-cohort.md): plausible ranges around the published figures, not exact numbers.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkReportFiles } from '../report/office.js';
import type { Json } from '../../src/data/canonical.js';
import { decodeFlow, flowProblems } from '../../src/results/flow.js';

const repoRoot = resolve(import.meta.dirname, '../..');
const cliPath = join(repoRoot, 'dist/src/runner/cli.js');
const CHROMIUM = process.env.LESIONFLOW_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOTS = join(repoRoot, 'test/.tmp/e2e');

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(args: readonly string[], cwd: string): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd, env: { ...process.env, CI: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      done({ code, stdout, stderr });
    });
  });
}

interface RunRecord {
  readonly status: string;
  readonly steps: readonly { readonly name: string; readonly status: string }[];
}

let project = '';
const outputs = (): string => join(project, 'outputs');
const out = (pipeline: string, file: string): string => join(outputs(), pipeline, file);
const json = async <T>(pipeline: string, file: string): Promise<T> => JSON.parse(await readFile(out(pipeline, file), 'utf8')) as T;

/** The reduced-size settings of each pipeline (the defaults are m = 20 imputations, B = 2 000). */
const SMALL: Record<string, readonly string[]> = {
  'hermes-volume-delta': ['--set', 'imputations=2'],
  'hermes-mediation': ['--set', 'replicates=50', '--set', 'ci=[percentile]'],
  'escape-infarct': [],
  'trial-design': ['--set', 'trials=1000', '--set', 'replicates=100'],
};

const run = (pipeline: string, extra: readonly string[] = []): Promise<CliResult> =>
  cli(['run', `pipelines/${pipeline}.yaml`, '--outputs', 'outputs', '--quiet', ...SMALL[pipeline]!, ...extra], project);

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'lesionflow-e2e-'));
  await mkdir(join(project, 'pipelines'));
  // The project folder is the temporary folder (paths in reports are shown relative to it).
  await writeFile(join(project, '.lesionflow'), '');
  await cp(join(repoRoot, 'pipelines/data'), join(project, 'pipelines/data'), { recursive: true });
  for (const p of Object.keys(SMALL)) await cp(join(repoRoot, `pipelines/${p}.yaml`), join(project, `pipelines/${p}.yaml`));
});

afterAll(async () => {
  await rm(project, { recursive: true, force: true });
});

/** Every pipeline's report: exists, says the data are synthetic, ends with the reproduction table. */
async function expectReport(pipeline: string): Promise<string> {
  const html = await readFile(out(pipeline, 'report.html'), 'utf8');
  expect(html).toMatch(/^<!DOCTYPE html>/i);
  expect(html).toContain('SYNTHETIC');
  expect(html).toContain('Reproduction of the published figures');
  const summary = await readFile(out(pipeline, 'summary.md'), 'utf8');
  expect(summary).toMatch(/\| Quantity \|( Source \|)? Published \| This pipeline \(95% CI\) \| True value \(synthetic data\) \|/);
  expect(summary).toMatch(/synthetic/i);
  // report.docx opens, its tables equal the HTML's cell for cell; every figure is an SVG and PNGs at journal widths.
  const files = new Map<string, Uint8Array>();
  const { figures } = checkReportFiles((name) => {
    if (!files.has(name) && existsSync(out(pipeline, name))) files.set(name, readFileSync(out(pipeline, name)));
    return files.get(name);
  });
  expect(figures).toBeGreaterThan(0);
  await expectFlowsAddUp(pipeline);
  // It ends with its provenance, closing with the command that reproduces it, and names no folder
  // outside the project.
  expect(html.slice(html.lastIndexOf('<section>'))).toContain('<caption>Provenance</caption>');
  expect(html).toContain(`pipelines/${pipeline}.yaml`);
  // The --set values, by name, quoted for a shell where needed (&#39; is the HTML for ').
  const sets = SMALL[pipeline]!.filter((a) => a !== '--set').sort().map((a) => ` --set ${a.includes('[') ? `&#39;${a}&#39;` : a}`);
  expect(html).toContain(`<td class="left">lesionflow run pipelines/${pipeline}.yaml${sets.join('')}</td>`);
  expect(html).not.toContain(project);
  return html;
}

/** Every fit's patient flow adds up, and its last box (the fit's own) holds the fit's n. */
async function expectFlowsAddUp(pipeline: string): Promise<void> {
  const record = await json<{ steps: { name: string; kind: string }[] }>(pipeline, 'run.json');
  const fits = record.steps.filter((s) => /^(fit_|mediate$)/.test(s.kind));
  expect(fits.length).toBeGreaterThan(0);
  for (const s of fits) {
    const value = await json<{ n: number; flow: Json }>(pipeline, `${s.name}.json`);
    const flow = decodeFlow(value.flow, { step: s.name, expected: 'a fit with a flow' });
    expect(flowProblems(flow), s.name).toEqual([]);
    expect(flow.boxes[0]?.kind, s.name).toBe('load');
    expect(flow.boxes.at(-1)?.out, s.name).toBe(value.n);
  }
}

/** A second run of the same spec and settings runs nothing. */
async function expectFullyCached(pipeline: string): Promise<void> {
  const again = await run(pipeline);
  expect(again.code, again.stderr).toBe(0);
  const record = await json<RunRecord>(pipeline, 'run.json');
  expect(record.status).toBe('ok');
  expect(record.steps.length).toBeGreaterThan(5);
  expect(record.steps.filter((s) => s.status !== 'cached')).toEqual([]);
}

describe('pipelines (end to end, reduced sizes)', () => {
  it('hermes-volume-delta: imputation, pooled logistic model, volume-delta swept over all/CT/MRI', async () => {
    const r = await run('hermes-volume-delta');
    expect(r.code, r.stderr).toBe(0);
    const html = await expectReport('hermes-volume-delta');
    // The side-by-side table of the modality sweep.
    for (const column of ['All patients', 'CT follow-up', 'MRI follow-up']) expect(html).toContain(column);

    interface Summary { delta: number; solved: number; median: number; q1: number; q3: number }
    interface Delta { patients: number; summaries: Summary[]; curve: { points: number } }
    const all = await json<Delta>('hermes-volume-delta', 'delta[modality=all].json');
    const ct = await json<Delta>('hermes-volume-delta', 'delta[modality=CT].json');
    const mri = await json<Delta>('hermes-volume-delta', 'delta[modality=MRI].json');
    expect(all.summaries.map((s) => s.delta)).toEqual([0.01, 0.05, 0.1]);
    // Published medians 2, 10, 20 mL; a linear volume term keeps them in the ratio 1 : 5 : 10.
    const [one, five, ten] = all.summaries.map((s) => s.median) as [number, number, number];
    expect(one).toBeGreaterThan(1);
    expect(one).toBeLessThan(4);
    expect(five).toBeGreaterThan(7);
    expect(five).toBeLessThan(16);
    expect(ten).toBeGreaterThan(15);
    expect(ten).toBeLessThan(32);
    expect(five / one).toBeCloseTo(5, 0);
    for (const s of all.summaries) expect(s.q1 <= s.median && s.median <= s.q3).toBe(true);
    // The sweep's CT and MRI instances split the patients of the `all` instance.
    expect(ct.patients + mri.patients).toBe(all.patients);
    expect(all.curve.points).toBe(101);

    interface Fit { n: number; imputations: number; coefficients: { term: string; odds_ratio: number }[] }
    const good = await json<Fit>('hermes-volume-delta', 'good[modality=all].json');
    expect(good.imputations).toBe(2);
    const volume = good.coefficients.find((c) => c.term === 'I(fiv_ml/10)')!;
    expect(volume.odds_ratio).toBeGreaterThan(0.7);
    expect(volume.odds_ratio).toBeLessThan(0.95);
    const evt = good.coefficients.find((c) => c.term === 'evt')!;
    expect(evt.odds_ratio).toBeGreaterThan(1.2);
    // The main analysis has a random intercept for trial; the fixed-effects model is the sensitivity row.
    interface Mixed { random_effects?: { group: string; clusters: number; term: string; sd: number[] } }
    expect((await json<Mixed>('hermes-volume-delta', 'good[modality=all].json')).random_effects).toMatchObject({ group: 'trial', clusters: 7, term: '(1 | trial)' });
    expect((await json<Mixed>('hermes-volume-delta', 'good_fixed[modality=all].json')).random_effects).toBeUndefined();
    expect(html).toContain('Random effects for trial ((1 | trial); 7 clusters; Laplace)');
    // volume_delta on the mixed model: the conditional deltas and, beside them, the population-averaged ones (flatter curve: larger).
    const pa = (await json<{ population_averaged: { summaries: Summary[] } }>('hermes-volume-delta', 'delta[modality=all].json')).population_averaged;
    pa.summaries.forEach((s, k) => { expect(s.median).toBeGreaterThan(all.summaries[k]!.median); });
    expect(html).toContain('population-averaged probability');

    await expectFullyCached('hermes-volume-delta');

    // The run history lists the report's published rows and the spec's metrics as key results.
    const runs = await cli(['runs', 'pipelines/hermes-volume-delta.yaml', '--outputs', 'outputs', '--format', 'json'], project);
    expect(runs.code, runs.stderr).toBe(0);
    interface Runs { results: string[]; runs: { params: { imputations: number }; results: Record<string, number | null> }[] }
    const history = JSON.parse(runs.stdout) as Runs;
    expect(history.results).toEqual(expect.arrayContaining(['Volume difference for +1 point (median, mL)', 'volume_or[modality=all]', 'volume_or[modality=CT]', 'volume_or[modality=MRI]']));
    const last = history.runs.at(-1)!;
    expect(last.params.imputations).toBe(2);
    expect(last.results['Volume difference for +1 point (median, mL)']).toBe(one);
    expect(last.results['volume_or[modality=all]']).toBe(volume.odds_ratio);
  });

  it('hermes-mediation: ordinal models, mediation and its bootstrap, swept over all/CT/MRI', async () => {
    const r = await run('hermes-mediation');
    expect(r.code, r.stderr).toBe(0);
    const html = await expectReport('hermes-mediation');
    for (const column of ['All patients', 'CT follow-up', 'MRI follow-up']) expect(html).toContain(column);

    interface Ordinal { n: number; coefficients: { term: string; common_or: number; common_or_conf_low: number; common_or_conf_high: number }[] }
    const ord = await json<Ordinal>('hermes-mediation', 'ordinal_volume.json');
    const volume = ord.coefficients.find((c) => c.term === 'cbrt(fiv_ml)')!;
    // Published: cOR 0.46 per mL^(1/3); EVT cOR 2.22 adjusted for volume.
    expect(volume.common_or).toBeGreaterThan(0.3);
    expect(volume.common_or).toBeLessThan(0.6);
    expect(volume.common_or_conf_low).toBeLessThan(volume.common_or);
    expect(volume.common_or_conf_high).toBeGreaterThan(volume.common_or);
    const evt = ord.coefficients.find((c) => c.term === 'evt')!;
    expect(evt.common_or).toBeGreaterThan(1.5);
    expect(evt.common_or).toBeLessThan(3.2);
    // The main models have a random intercept and EVT slope for trial: the EVT interval is wider than the
    // fixed-effects model's (the sensitivity row), as the published one (1.52-3.21) is.
    expect((ord as Ordinal & { random_effects: { term: string; clusters: number } }).random_effects).toMatchObject({ term: '(1 + evt | trial)', clusters: 7 });
    const fixed = (await json<Ordinal>('hermes-mediation', 'ordinal_volume_fixed.json')).coefficients.find((c) => c.term === 'evt')!;
    const width = (c: typeof evt): number => Math.log(c.common_or_conf_high / c.common_or_conf_low);
    expect(width(evt)).toBeGreaterThan(1.3 * width(fixed));
    expect(html).toContain('Random effects for trial ((1 + evt | trial); 7 clusters; Laplace)');

    interface Mediation { n: number; proportion_explained: number; total: { or: number }; direct: { or: number }; counterfactual: { proportion_mediated: { estimate: number } } }
    const med = await json<Mediation>('hermes-mediation', 'mediation.json');
    expect(med.n).toBe(ord.n);
    // The direct effect is smaller than the total effect: part of it runs through volume.
    expect(med.direct.or).toBeLessThan(med.total.or);
    expect(med.proportion_explained).toBeGreaterThan(-0.1);
    expect(med.proportion_explained).toBeLessThan(0.4);
    expect(med.counterfactual.proportion_mediated.estimate).toBeGreaterThan(0.05);
    expect(med.counterfactual.proportion_mediated.estimate).toBeLessThan(0.6);

    interface Boot { replicates: number; estimates: { name: string; original: number; n_replicates: number; percentile: { lower: number; upper: number } }[] }
    const boot = await json<Boot>('hermes-mediation', 'mediation_boot[modality=all].json');
    const share = boot.estimates.find((e) => e.name === 'proportion_explained')!;
    expect(share.original).toBeCloseTo(med.proportion_explained, 10);
    expect(share.n_replicates).toBe(50);
    expect(share.percentile.lower).toBeLessThan(share.original);
    expect(share.percentile.upper).toBeGreaterThan(share.original);
    for (const m of ['CT', 'MRI']) {
      const b = await json<Boot>('hermes-mediation', `mediation_boot[modality=${m}].json`);
      expect(b.estimates.map((e) => e.name)).toEqual(boot.estimates.map((e) => e.name));
    }

    await expectFullyCached('hermes-mediation');
  });

  it('escape-infarct: volume by arm, predictors of log volume, ordinal model of mRS', async () => {
    const r = await run('escape-infarct');
    expect(r.code, r.stderr).toBe(0);
    await expectReport('escape-infarct');

    interface Compare { variables: { variable: string; groups: { group: string; n: number; median: number }[]; wilcoxon?: { p: number } }[] }
    const byArm = await json<Compare>('escape-infarct', 'volume_by_arm.json');
    const fiv = byArm.variables.find((v) => v.variable === 'fiv_ml')!;
    const evt = fiv.groups.find((g) => g.group === '1')!;
    const control = fiv.groups.find((g) => g.group === '0')!;
    // Published medians: EVT 15.5 mL, control 33.5 mL (165 vs 150 patients).
    expect(evt.median).toBeGreaterThan(8);
    expect(evt.median).toBeLessThan(25);
    expect(control.median).toBeGreaterThan(22);
    expect(control.median).toBeLessThan(45);
    expect(fiv.wilcoxon!.p).toBeLessThan(0.05);

    interface Linear { n: number; coefficients: { term: string; estimate: number }[] }
    const lm = await json<Linear>('escape-infarct', 'volume_predictors.json');
    expect(lm.coefficients.map((c) => c.term)).toEqual(expect.arrayContaining(['nihss', 'recanalized', 'evt', 'aspects']));
    expect(lm.coefficients.find((c) => c.term === 'recanalized')!.estimate).toBeLessThan(0);

    interface Ordinal { coefficients: { term: string; common_or: number }[] }
    const ord = await json<Ordinal>('escape-infarct', 'ordinal_published.json');
    expect(ord.coefficients.map((c) => c.term)).toEqual(['cbrt(fiv_ml)', 'delta_nihss', 'lateralityright']);
    expect(ord.coefficients[0]!.common_or).toBeLessThan(1);

    await expectFullyCached('escape-infarct');
  });

  it('trial-design: volume-trial sizes, simulation, translation to the mRS, the mRS trial and the mediation grid', async () => {
    const r = await run('trial-design');
    expect(r.code, r.stderr).toBe(0);
    await expectReport('trial-design');
    interface Size { power: number; n: number; n_boot_low: number; n_boot_high: number }
    interface Effect {
      label: string;
      tests: { test: string; sizes: Size[]; assurance: number }[];
      simulation: { trials: number; required: { test: string; power: number; n: number | null }[] };
      translation: { difference: { estimate: number; low: number; high: number; boot_low: number; boot_high: number }; common_or: { estimate: number } };
      mrs_trial: { whitehead: { convention: string; sizes: Size[] }[]; mediation: { proportion: number; assumption: boolean; n_average: number }[] };
    }
    const d = await json<{ effects: Effect[]; bootstrap: { replicates: number; failed: number } }>('trial-design', 'design.json');
    expect(d.effects.map((e) => e.label)).toEqual(['ratio 0.8', 'ratio 0.7', '−10 mL']);
    const [r08, r07] = d.effects as [Effect, Effect];
    const logT = (e: Effect): Size => e.tests.find((t) => t.test === 'log_t')!.sizes[0]!;
    // a 30 % reduction needs fewer patients than a 20 % one; the bootstrap CI brackets N
    expect(logT(r07).n).toBeLessThan(logT(r08).n);
    expect(logT(r08).n_boot_low).toBeLessThan(logT(r08).n);
    expect(logT(r08).n_boot_high).toBeGreaterThan(logT(r08).n);
    // the simulated N is within a grid step or so of the closed form for the log t test
    const sim = r08.simulation.required.find((q) => q.test === 'log_t' && q.power === 0.8)!.n!;
    expect(Math.abs(sim - logT(r08).n) / logT(r08).n).toBeLessThan(0.25);
    // smaller volumes, better outcomes; the mRS trial is larger than the volume trial if all runs through volume
    expect(r08.translation.difference.estimate).toBeGreaterThan(0);
    expect(r08.translation.common_or.estimate).toBeGreaterThan(1);
    const avg = r08.mrs_trial.whitehead.find((w) => w.convention === 'average')!.sizes[0]!.n;
    expect(avg).toBeGreaterThan(logT(r08).n);
    const grid = r08.mrs_trial.mediation;
    expect(grid.find((g) => g.proportion === 1)!.assumption).toBe(true);
    expect(grid.find((g) => g.proportion === 0.12)!.n_average).toBeLessThan(avg);
    expect(d.bootstrap).toEqual(expect.objectContaining({ replicates: 100, failed: 0 }));
    for (const f of ['design.design.csv', 'design.power_curves.csv', 'design.mediation.csv']) expect(existsSync(out('trial-design', f)), f).toBe(true);
    await expectFullyCached('trial-design');
  });

  it.skipIf(!existsSync(CHROMIUM))('the four reports render in headless Chromium: no console errors or requests, every figure', async () => {
    // The figures each report must show (svg.figure classes, in order).
    const expected: Record<string, readonly string[]> = {
      'hermes-volume-delta': ['probability-curve', 'probability-curve', 'flow', 'flow', 'flow'],
      'hermes-mediation': ['grotta', 'forest', 'bootstrap-histogram', 'flow', 'flow', 'flow'],
      'escape-infarct': ['grotta', 'forest', 'flow'],
      'trial-design': ['power-curve', 'power-curve', 'power-curve', 'power-curve', 'power-curve', 'power-curve'],
    };
    await mkdir(SCREENSHOTS, { recursive: true });
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      for (const [pipeline, figures] of Object.entries(expected)) {
        const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
        const problems: string[] = [];
        const file = pathToFileURL(out(pipeline, 'report.html')).href;
        await page.route('**/*', (route) => (route.request().url() === file ? route.continue() : (problems.push(`request: ${route.request().url()}`), route.abort())));
        page.on('console', (m) => {
          if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
        });
        page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
        await page.goto(file, { waitUntil: 'load' });
        const svgs = await page.locator('svg.figure').all();
        const classes = await Promise.all(svgs.map(async (svg) => ((await svg.getAttribute('class')) ?? '').replace('figure ', '')));
        expect(classes, pipeline).toEqual(figures);
        for (const svg of svgs) expect((await svg.boundingBox())?.height ?? 0, pipeline).toBeGreaterThan(100);
        for (const t of await page.locator('table.paper').all()) expect(await t.locator('tbody tr').count(), pipeline).toBeGreaterThan(0);
        expect(await page.isVisible('.synthetic-banner'), pipeline).toBe(true);
        await page.screenshot({ path: join(SCREENSHOTS, `${pipeline}.png`), fullPage: true });
        expect(problems, pipeline).toEqual([]);
        await page.close();
      }
    } finally {
      await browser.close();
    }
  });

  it('run takes several specs (as npm start does): one process, each pipeline to its own folder', async () => {
    const r = await cli(['run', 'pipelines/escape-infarct.yaml', 'pipelines/hermes-volume-delta.yaml', '--outputs', 'outputs', '--quiet', '--jobs', '2'], project);
    expect(r.code, r.stderr).toBe(0);
    const escape = await json<RunRecord>('escape-infarct', 'run.json');
    expect(escape.steps.every((s) => s.status === 'cached')).toBe(true);
    const volume = await json<RunRecord>('hermes-volume-delta', 'run.json');
    expect(volume.status).toBe('ok');
    // At the default m = 20 (the earlier run used m = 2), the imputations and what follows them re-run.
    expect(volume.steps.find((s) => s.name === 'mi[modality=all]')!.status).toBe('ran');
    expect(volume.steps.find((s) => s.name === 'table1')!.status).toBe('cached');
  });

  it('--set data=<your file> (here a renamed copy of the cohort, mapped back with rename) is not called synthetic', async () => {
    const text = await readFile(join(repoRoot, 'pipelines/data/escape_synthetic.csv'), 'utf8');
    const header = text.slice(0, text.indexOf('\n'));
    expect(header.split(',')).toContain('fiv_ml');
    const file = join(project, 'my-trial.csv');
    await writeFile(file, header.replace('fiv_ml', 'FIV') + text.slice(header.length));
    const r = await run('escape-infarct', ['--set', `data=${file}`, '--set', 'rename={FIV: fiv_ml}']);
    expect(r.code, r.stderr).toBe(0);
    const summary = await readFile(out('escape-infarct', 'summary.md'), 'utf8');
    expect(summary).toMatch(/\| Quantity \|( Source \|)? Published \| This pipeline \(95% CI\) \|\n/);
    expect(summary).not.toMatch(/True value|synthetic/i);
    expect(await readFile(out('escape-infarct', 'report.html'), 'utf8')).not.toContain('SYNTHETIC DATA');
  });

  it('provenance: --set data=<a file outside the project> is shown by its file name; the report is the same bytes with --jobs 1 and 2; run.json holds the run\'s facts', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'lesionflow-e2e-data-'));
    try {
      const file = join(elsewhere, 'our-trial.csv');
      await cp(join(repoRoot, 'pipelines/data/escape_synthetic.csv'), file);
      const reports: string[] = [];
      for (const jobs of ['1', '2']) {
        const r = await cli(['run', 'pipelines/escape-infarct.yaml', '--outputs', `outputs-jobs${jobs}`, '--quiet', '--jobs', jobs, '--set', `data=${file}`], project);
        expect(r.code, r.stderr).toBe(0);
        reports.push(await readFile(join(project, `outputs-jobs${jobs}`, 'escape-infarct', 'report.html'), 'utf8'));
      }
      expect(reports[1]).toBe(reports[0]);
      const html = reports[0]!;
      expect(html).not.toContain(elsewhere);
      expect(html).toContain('<td class="left">our-trial.csv</td>');
      expect(html).toContain('<td class="left">lesionflow run pipelines/escape-infarct.yaml --set data=our-trial.csv</td>');
      expect(html).toContain('Data supplied by the user: our-trial.csv.');
      interface Facts { command: string[]; overrides: { data: string }; versions: { node: string }; machine: { cores: number }; started: string; jobs: number }
      const facts = JSON.parse(await readFile(join(project, 'outputs-jobs2', 'escape-infarct', 'run.json'), 'utf8')) as Facts;
      expect(facts.command).toEqual(['run', 'pipelines/escape-infarct.yaml', '--outputs', 'outputs-jobs2', '--quiet', '--jobs', '2', '--set', `data=${file}`]);
      expect(facts.overrides.data).toBe(file);
      expect(facts.jobs).toBe(2);
      expect(facts.versions.node).toBe(process.version);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('--set data=<a csv missing a column> fails with exit 1, naming the column and the file', async () => {
    const csv = (await readFile(join(repoRoot, 'pipelines/data/hermes_synthetic.csv'), 'utf8')).split('\n');
    const header = csv[0]!.split(',');
    const drop = header.indexOf('aspects');
    expect(drop).toBeGreaterThan(0);
    const without = csv.map((line) => (line === '' ? line : line.split(',').filter((_, i) => i !== drop).join(',')));
    const file = join(project, 'no-aspects.csv');
    await writeFile(file, without.join('\n'));
    const r = await run('hermes-volume-delta', ['--set', `data=${file}`]);
    expect(r.code).toBe(1);
    const message = r.stdout + r.stderr;
    expect(message).toContain('"aspects"');
    expect(message).toContain('no-aspects.csv');
  });
});
