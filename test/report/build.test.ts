import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { isSynthetic, report } from '../../src/nodes/report.js';
import { testContext } from '../support/context.js';
import { sampleCohort, sampleInputs, sampleParams } from './sample.js';
import { checkWellFormed, elements } from './xml.js';
import type { ReportParams } from '../../src/report/params.js';
import { DataError } from '../../src/errors.js';
import type { Json } from '../../src/data/canonical.js';
import { lookupNumber } from '../../src/report/json-path.js';

async function render(params: ReportParams = sampleParams()): Promise<{ html: string; md: string }> {
  const a = await report.run(params, await sampleInputs(), testContext());
  if (a.type !== 'result') throw new Error('expected a result');
  const files = a.value.files as Record<string, string>;
  return { html: files['report.html']!, md: files['summary.md']! };
}

describe('report step', () => {
  it('writes one well-formed, self-contained HTML document', async () => {
    const { html } = await render();
    checkWellFormed(html);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    // Nothing to fetch: no scripts, external styles, fonts, images or links.
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(|src="/i);
    expect(html).toContain("default-src 'none'");
  });

  it('says the data are synthetic in a banner, the title, the reproduction table and the footer', async () => {
    const { html, md } = await render();
    expect(html).toContain('<strong>SYNTHETIC DATA.</strong>');
    expect(html).toContain('(synthetic data)</title>');
    expect(html).toContain('True value (synthetic data)');
    expect(html).toContain('Synthetic data: not for clinical use.');
    expect(md).toContain('**Synthetic data**');
    const real = await render({ ...sampleParams(), synthetic: false, data_note: 'their.csv' });
    expect(real.html.replace(/<style>[^]*<\/style>/, '')).not.toMatch(/synthetic/i);
    expect(real.html).toContain('Data supplied by the user: their.csv.');
  });

  it('escapes user text', async () => {
    const { html } = await render();
    expect(html).toContain('Pooled analysis of 7 trials &lt;sample&gt;');
  });

  it('renders every section: tables and one SVG per figure', async () => {
    const { html } = await render();
    for (const cls of ['table1', 'model', 'volume-delta', 'mediation', 'bootstrap', 'comparison', 'reproduction']) expect(html).toContain(`class="paper ${cls}"`);
    for (const cls of ['grotta', 'forest', 'probability-curve', 'bootstrap-histogram']) expect(elements(html, 'svg', cls)).toHaveLength(1);
    // The modality sweep: one volume-delta table with a group of rows per instance, three overlaid curves, three comparison columns.
    expect(html.match(/class="paper volume-delta"/g)).toHaveLength(1);
    const mri = (await sampleInputs()).get('vd[modality=MRI]') as unknown as { value: { patients: number } };
    expect(html).toContain(`<tr class="group"><td class="left">modality = MRI (n = ${mri.value.patients})</td>`);
    expect(elements(html, 'path', 'curve')).toHaveLength(3);
    expect(html).toContain('<th class="right">modality = CT</th>');
  });

  it('fills the reproduction table from the result paths', async () => {
    const { html, md } = await render();
    const inputs = await sampleInputs();
    const value = (step: string): Record<string, unknown> => (inputs.get(step) as { value: Record<string, unknown> }).value;
    const vol = (value('ord_direct').coefficients as Record<string, number | string>[]).find((r) => r.term === 'cbrt(fiv_ml)')!;
    const f2 = (x: number): string => x.toFixed(2);
    expect(html).toContain(`<td class="right">${f2(vol.common_or as number)} (${f2(vol.common_or_conf_low as number)}–${f2(vol.common_or_conf_high as number)})</td>`);
    const direct = value('med').direct as Record<string, number>;
    const truth = value('truth').population as Record<string, number | number[]>;
    expect(md).toContain(`| EVT common OR, adjusted for volume | HERMES | 2.22 | ${f2(direct.or!)} (${f2(direct.or_low!)}–${f2(direct.or_high!)}) | ${f2(truth.cor_evt_adjusted_for_volume as number)} |`);
    const vd = (value('vd[modality=all]').summaries as Record<string, number>[]).find((r) => r.delta === 0.01)!;
    expect(md).toContain(`| Median ΔV for +1 point, mL | HERMES | 2 | ${vd.median!.toFixed(1)} | ${(truth.volume_delta_median_ml as number[])[0]!.toFixed(1)} |`);
    const trueShare = `${((truth.proportion_mediated as number) * 100).toFixed(1)}%`;
    expect(md).toMatch(new RegExp(`\\| EVT effect explained by volume \\| HERMES \\| 12% \\(1–19\\) \\| \\d+\\.\\d% \\((−?\\d+\\.\\d)( to |–)−?\\d+\\.\\d\\) \\| ${trueShare.replace('.', '\\.')} \\|`));
  });

  it('reads compare results with the paths the pipelines use', async () => {
    const inputs = await sampleInputs();
    const byArm = (inputs.get('by_arm') as unknown as { value: Json }).value;
    const r = lookupNumber(byArm, 'variables[variable=fiv_ml].groups[group=1].median');
    const t = (await sampleCohort()).table;
    const evt = (t.columns.get('evt') as { values: Float64Array }).values;
    const fiv = Array.from((t.columns.get('fiv_ml') as { values: Float64Array }).values).filter((v, i) => evt[i] === 1 && !Number.isNaN(v)).sort((a, b) => a - b);
    const h = (fiv.length - 1) / 2;
    expect(r.ok && r.value).toBeCloseTo(fiv[Math.floor(h)]! + (h - Math.floor(h)) * (fiv[Math.ceil(h)]! - fiv[Math.floor(h)]!), 12);
  });

  it('prints a missing true value as a dash with the reason, not a failure', async () => {
    const p = sampleParams();
    const { html } = await render({ ...p, published: [{ label: 'q', published: 1, estimate: { step: 'med', path: 'n' }, truth: { step: 'truth', path: 'population.no_such_value' }, format: 'count' }] });
    expect(html).toMatch(/<td class="left">q<\/td><td class="right">1<\/td><td class="right">\d+<\/td><td class="right">–<\/td>/);
    expect(html).toContain('published &quot;q&quot;: no true value (population has no field &quot;no_such_value&quot;');
  });

  it('lays out Table 1 from describe + compare as a paper: medians (IQR), n (%), arms in the requested order', async () => {
    const { html } = await render();
    const t = (await sampleCohort()).table;
    const col = (name: string): Float64Array => (t.columns.get(name) as { values: Float64Array }).values;
    const evt = col('evt');
    const arm = (name: string, g: number): number[] => Array.from(col(name)).filter((v, i) => evt[i] === g && !Number.isNaN(v));
    // R's type-7 quantile, written out here independently of src/stats/quantile.ts.
    const q7 = (xs: number[], p: number): number => {
      const s = [...xs].sort((a, b) => a - b);
      const h = (s.length - 1) * p;
      const lo = Math.floor(h);
      return s[lo]! + (h - lo) * (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!);
    };
    const mi = (xs: number[]): string => `${q7(xs, 0.5).toFixed(1)} (${q7(xs, 0.25).toFixed(1)}–${q7(xs, 0.75).toFixed(1)})`;
    const table1 = html.slice(html.indexOf('class="paper table1"'), html.indexOf('</table>', html.indexOf('class="paper table1"')));
    expect(table1).toContain('<th class="right">EVT (n = 821)</th><th class="right">Control (n = 844)</th>');
    expect(table1).toContain(`<td class="right">${mi(arm('age', 1))}</td><td class="right">${mi(arm('age', 0))}</td>`);
    expect(table1).toContain(`<td class="right">${mi(arm('fiv_ml', 1))}</td><td class="right">${mi(arm('fiv_ml', 0))}</td>`);
    const females = arm('sex_female', 1);
    const k = females.filter((v) => v === 1).length;
    expect(table1).toContain(`Female sex, n (%)</td><td class="right">${k} (${((100 * k) / females.length).toFixed(1)}%)</td>`);
    expect(table1).toContain('<tr class="indent"><td class="left">ICA</td>');
    // p-values from the compare step's tests.
    expect(table1).toContain('<th class="right">p</th>');
    // Table 2 (compare): the Hodges–Lehmann shift column, in the compare step's direction (group 1 minus group 2).
    expect(html).toContain('Shift: Hodges–Lehmann location shift (Control minus EVT) with its 95% CI.');
  });

  it('is byte-identical across runs', async () => {
    const a = await render();
    const b = await render();
    expect(a.html).toBe(b.html);
  });

  it('names the step and the path when a result lacks a value', async () => {
    const p = sampleParams();
    const bad = { ...p, published: [{ label: 'x', published: '1', estimate: { step: 'ord_direct', path: 'coefficients[term=nihss_24h].common_or' } }] };
    await expect(render(bad)).rejects.toThrow(DataError);
    await expect(render(bad)).rejects.toThrow(/coefficients has no element with term = nihss_24h/);
  });

  it('refuses a swept step where one instance is needed', async () => {
    const p = sampleParams();
    const bad = { ...p, published: [{ label: 'x', published: '1', estimate: { step: 'vd', path: 'n' } }] };
    await expect(render(bad)).rejects.toThrow(/step "vd" is swept \(vd\[modality=all\], vd\[modality=CT\], vd\[modality=MRI\]\): name one instance/);
  });
});

describe('report parameters', () => {
  it('reports sections that name steps the report does not read, with a suggestion', () => {
    const p = sampleParams();
    const problems = report.check!({ ...p, sections: [{ kind: 'model', title: 'm', step: 'fit_god' }, { kind: 'grotta', title: 'g', step: 'cohort' }, { kind: 'comparison', title: 'c', step: 'vd', rows: [{ label: 'x', path: 'a[' }] }] });
    expect(problems).toEqual([
      { path: 'sections[0].step', message: 'step "fit_god" is not among the report\'s steps (did you mean "fit_good"?)', hint: expect.stringContaining('add it to steps:') as string },
      { path: 'sections[1]', message: 'a grotta section needs outcome: (the mRS column) and by: (the arm column)', hint: 'write e.g. outcome: mrs90, by: evt' },
      { path: 'sections[2].rows[0].path', message: 'invalid path "a[": "[" at character 2 is not closed', hint: expect.any(String) as string },
    ]);
  });

  it('accepts the sample', () => {
    expect(report.check!(sampleParams())).toEqual([]);
  });
});

describe('synthetic or not', () => {
  it('decides from the data file when given {data, files}', () => {
    const resolve = (p: string): string => `/project/pipelines/${p.replace(/^\.\//, '')}`;
    expect(isSynthetic(true, resolve)).toBe(true);
    expect(isSynthetic({ data: './data/hermes.csv', files: ['data/hermes.csv', 'data/escape.csv'] }, resolve)).toBe(true);
    expect(isSynthetic({ data: 'their.csv', files: ['data/hermes.csv'] }, resolve)).toBe(false);
  });

  it('labels a report of user data as such', async () => {
    const a = await report.run({ ...sampleParams(), synthetic: { data: 'mine.csv', files: ['data/hermes.csv'] } }, await sampleInputs(), testContext());
    if (a.type !== 'result') throw new Error('expected a result');
    expect(a.value.synthetic).toBe(false);
    expect((a.value.files as Record<string, string>)['report.html']).toContain('Data supplied by the user');
  });
});

describe('parameter schema', () => {
  // As the runner compiles step schemas (src/runner/step-params.ts), but strict about unknown keywords.
  const ajv = new Ajv2020({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true });
  const validate = ajv.compile(report.params);

  it('accepts the sample parameters and a synthetic {data, files} rule', () => {
    expect(validate(JSON.parse(JSON.stringify(sampleParams())))).toBe(true);
    expect(validate({ ...JSON.parse(JSON.stringify(sampleParams())) as object, synthetic: { data: 'x.csv', files: ['x.csv'] } })).toBe(true);
  });

  it('rejects unknown section kinds and keys', () => {
    expect(validate({ title: 't', synthetic: true, steps: ['a'], sections: [{ kind: 'pie', title: 'x' }] })).toBe(false);
    expect(validate({ title: 't', synthetic: true, steps: ['a'], sections: [{ kind: 'model', title: 'x', step: 'a', colour: 'red' }] })).toBe(false);
    expect(validate({ title: 't', steps: ['a'], sections: [{ kind: 'text', title: 'x' }] })).toBe(false);
  });
});
