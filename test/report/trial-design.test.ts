/**
 * The report's trial_design section: from a real trial_design result (ordinal model, simulation and
 * bootstrap at small sizes) to the design table, one power-curve SVG per effect, the translation, inverse,
 * mRS trial, mediation grid (the 100 % row emphasised as an assumption) and reverse tables — in the HTML,
 * as real tables in report.docx (cell for cell the HTML's) and in report.md, the figures as SVG and PNG
 * files; a wrong step named gives an error naming it.
 */
import { describe, expect, it } from 'vitest';
import { report } from '../../src/nodes/report.js';
import { TRIAL_DESIGN_DEFAULTS, trialDesign, type TrialDesignParams } from '../../src/nodes/trial_design.js';
import { fitOrdinalStep } from '../../src/nodes/fit_ordinal.js';
import type { Artifact } from '../../src/data/artifact.js';
import { makeTable } from '../../src/data/table.js';
import type { ReportParams } from '../../src/report/params.js';
import { runStep, testContext } from '../support/context.js';
import { hermesRows } from '../stats/trial/reference.js';
import { checkWellFormed, elements } from './xml.js';
import { checkReportFiles, docxParts, docxTables } from './office.js';
import { strToU8 } from 'fflate';

async function inputs(): Promise<Map<string, Artifact>> {
  const rows = hermesRows().filter((r) => !Number.isNaN(r.fiv_ml) && !Number.isNaN(r.aspects));
  const levels = ['M1', 'ICA', 'M2'];
  const table = makeTable([
    ['fiv_ml', { type: 'number', values: Float64Array.from(rows, (r) => r.fiv_ml) }],
    ['evt', { type: 'number', values: Float64Array.from(rows, (r) => r.evt) }],
    ['age', { type: 'number', values: Float64Array.from(rows, (r) => r.age) }],
    ['occlusion', { type: 'factor', codes: Int32Array.from(rows, (r) => levels.indexOf(r.occlusion)), levels }],
    ['mrs90', { type: 'number', values: Float64Array.from(rows, (r) => r.mrs90) }],
  ]);
  const map = new Map<string, Artifact>([['cohort', { type: 'table', table }]]);
  map.set('ordinal', await fitOrdinalStep.run({ input: 'cohort', formula: 'mrs90 ~ cbrt(fiv_ml) + evt + age + occlusion', level: 0.95 }, map, testContext()));
  const params: TrialDesignParams = {
    ...TRIAL_DESIGN_DEFAULTS,
    reference: 'cohort',
    arm: 'evt == 0',
    volume: 'fiv_ml',
    effects: { ratio: [0.7], absolute_ml: [10] },
    tests: ['log_t', 'wilcoxon'],
    log_offset: 1,
    simulation: { ...TRIAL_DESIGN_DEFAULTS.simulation, trials: 200, points: 6 },
    outcome_model: 'ordinal',
    data: 'cohort',
    targets: [0.01, 0.05],
    mrs: 'mrs90',
    proportion_through_volume: [1, 0.12],
    target_cor: [1.5],
    bootstrap: { replicates: 20 },
  };
  map.set('design', await runStep(trialDesign, params, map, testContext()));
  return map;
}

const params = (step: string): ReportParams => ({
  title: 'Trial design <test>',
  synthetic: true,
  steps: [step],
  sections: [{ kind: 'trial_design', title: 'Table 1. Design', step }],
});

describe('trial_design report section', () => {
  it('renders the tables and a power-curve figure per effect', async () => {
    const map = await inputs();
    const out = await report.run(params('design'), map, testContext());
    if (out.type !== 'result') throw new Error('a report gives a result');
    const html = (out.value.files as Record<string, string>)['report.html']!;
    checkWellFormed(html);
    for (const cls of ['trial-design', 'trial-design-translation', 'trial-design-inverse', 'trial-design-mrs', 'trial-design-mediation', 'trial-design-reverse']) expect(html).toContain(`class="paper ${cls}"`);
    expect(elements(html, 'svg', 'power-curve')).toHaveLength(2);
    // closed-form lines and simulated dots, one series per test
    expect(elements(html, 'path', 'closed-form')).toHaveLength(4);
    expect(elements(html, 'circle').length).toBe(2 * 2 * 6);
    expect(html).toContain('t test, log volume');
    expect(html).toContain('Wilcoxon–Mann–Whitney');
    // the surrogate row is marked and labelled as an assumption
    expect(html).toMatch(/<tr class="emphasis"><td class="left">100\.0%: assumption: all of the effect runs through volume/);
    expect(html).toContain('NOT the median over patients of the per-patient volume reduction');
    expect(html).toContain('Assurance');
  });

  it('writes its tables into report.docx as Word tables and its figures as SVG and PNG files', async () => {
    const map = await inputs();
    const out = await report.run({ ...params('design'), formats: ['html', 'docx', 'png', 'svg', 'md'] }, map, testContext());
    if (out.type !== 'result') throw new Error('a report gives a result');
    const own = out.value.files as Record<string, string | { base64: string }>;
    const read = (n: string): Uint8Array | undefined => {
      const c = own[n];
      return c === undefined ? undefined : typeof c === 'string' ? strToU8(c) : new Uint8Array(Buffer.from(c.base64, 'base64'));
    };
    // every Word table equals the HTML's, cell for cell; one SVG and PNGs at journal widths per figure
    expect(checkReportFiles(read)).toEqual({ tables: 6, figures: 2 });
    const word = docxTables(docxParts(read('report.docx')!)['word/document.xml']!);
    const design = word[0]!.rows;
    expect(design[0]).toEqual(['Effect / test', 'N for 80% power', 'N for 90% power', 'Simulated N, 80%', 'Simulated N, 90%', 'Assurance at N for 80%']);
    expect(design.map((r) => r[0])).toContain('Wilcoxon–Mann–Whitney');
    expect(word.some((t) => t.rows.some((r) => r[0]!.startsWith('100.0%: assumption')))).toBe(true);
    const md = own['report.md'] as string;
    expect(md).toContain('| Effect / test |');
    expect(md).toContain('The mediation caveat');
  });

  it('names the step when it is not a trial_design result', async () => {
    const map = await inputs();
    await expect(async () => report.run(params('ordinal'), map, testContext())).rejects.toThrow(/report: step "ordinal" is not a trial_design result/);
  });
});
