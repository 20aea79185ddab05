/**
 * Formatting and wording of the report sections that were wrong for real pipelines: comparison ORs
 * with the model table's decimals, per-instance volume-delta notes, the mediation proportion's CI,
 * the counterfactual heading's label, bootstrap captions and Table 1's test footnote.
 */
import { describe, expect, it } from 'vitest';
import { report } from '../../src/nodes/report.js';
import { bootstrapCaption, instanceNotes } from '../../src/report/build.js';
import { mediationRows, thresholdLabel } from '../../src/report/adapters/mediation.js';
import { testsFromCompare } from '../../src/report/adapters/table1.js';
import { testsNote } from '../../src/report/sections/table1.js';
import { formatInterval, formatQuantityCi } from '../../src/report/sections/reproduction.js';
import { checkReportParams, type ReportParams, type SectionParams } from '../../src/report/params.js';
import { testContext } from '../support/context.js';
import { sampleInputs, sampleParams } from './sample.js';
import { elements } from './xml.js';

async function render(params: ReportParams): Promise<string> {
  const a = await report.run(params, await sampleInputs(), testContext());
  if (a.type !== 'result') throw new Error('expected a result');
  return (a.value.files as Record<string, string>)['report.html']!;
}

/** The sample parameters with section `kind` replaced by `section` (or added before the reproduction). */
function withSection(kind: SectionParams['kind'], section: SectionParams): ReportParams {
  const p = sampleParams();
  const i = p.sections.findIndex((s) => s.kind === kind);
  const sections = [...p.sections];
  if (i < 0) sections.splice(sections.length - 1, 0, section);
  else sections[i] = section;
  return { ...p, sections };
}

/** The notes under the table with class `cls`: the paragraphs between its </table> and </figure>. */
function tableNotes(html: string, cls: string): string[] {
  const start = html.indexOf(`class="paper ${cls}"`);
  expect(start).toBeGreaterThan(0);
  const block = html.slice(html.indexOf('</table>', start), html.indexOf('</figure>', start));
  return [...block.matchAll(/<p>([^<]*)<\/p>/g)].map((m) => m[1]!);
}

describe('comparison rows with format: or', () => {
  it('widen the decimals as the model table does when 2 would hide the interval', () => {
    expect(formatQuantityCi({ estimate: 0.9821, low: 0.9792, high: 0.9843, format: 'or' })).toBe('0.982 (0.979–0.984)');
    expect(formatQuantityCi({ estimate: 0.46, low: 0.41, high: 0.52, format: 'or' })).toBe('0.46 (0.41–0.52)');
    expect(formatInterval(0.9792, 0.9843, 'or')).toBe('0.979–0.984');
  });

  it('print a per-mL OR of a real fit with its interval visible', async () => {
    const row = { label: 'Volume OR per mL', path: 'coefficients[term=fiv_ml].odds_ratio', low: 'coefficients[term=fiv_ml].odds_ratio_conf_low', high: 'coefficients[term=fiv_ml].odds_ratio_conf_high', format: 'or' as const };
    const html = await render(withSection('comparison', { kind: 'comparison', title: 'Per-mL OR', step: 'fit_good', rows: [row] }));
    const cell = /<td class="left">Volume OR per mL<\/td><td class="right">([^<]*)<\/td>/.exec(html)?.[1];
    // as many decimals as it takes for the limits to differ (the model table's rule), at least 2
    expect(cell).toMatch(/^0\.(\d{2,4}) \(0\.\d{2,4}–0\.\d{2,4}\)$/);
    const [, lo, hi] = /\((.*)–(.*)\)/.exec(cell!)!;
    expect(lo).not.toBe(hi);
  });
});

describe('volume_delta notes on a swept step', () => {
  it('are given once when every instance has the same, else per instance with its label', () => {
    expect(instanceNotes([{ label: 'a', note: 'N.' }, { label: 'b', note: 'N.' }])).toEqual(['N.']);
    expect(instanceNotes([{ label: 'modality = all', note: 'X 1.' }, { label: 'modality = CT', note: 'X 2.' }])).toEqual(['modality = all: X 1.', 'modality = CT: X 2.']);
    expect(instanceNotes([{ label: 'a', note: undefined }, { label: 'b', note: 'Y.' }])).toEqual(['b: Y.']);
    expect(instanceNotes([{ label: 'only', note: 'Z.' }])).toEqual(['Z.']);
  });

  it('describe each modality’s subset and curve in the report', async () => {
    const html = await render(sampleParams());
    const notes = tableNotes(html, 'volume-delta');
    const inputs = await sampleInputs();
    for (const m of ['all', 'CT', 'MRI']) {
      const v = (inputs.get(`vd[modality=${m}]`) as unknown as { value: { curve: { adjusted_to: string } } }).value;
      expect(notes).toContain(`modality = ${m}: Curve adjusted to the ${v.curve.adjusted_to}.`);
    }
    // The subset is the same rule everywhere but its exclusions differ: either one true note or one per modality.
    const subset = notes.filter((n) => n.includes('Patients with fiv_ml &lt; 80'));
    expect(subset.length === 1 ? subset[0]!.startsWith('Patients with') : subset.map((n) => n.replace(/:.*/, ''))).toEqual(subset.length === 1 ? true : ['modality = all', 'modality = CT', 'modality = MRI']);
  });
});

describe('mediation: the proportion explained and its CI', () => {
  const result = {
    exposure: 'evt',
    mediator: { term: 'cbrt(fiv_ml)' },
    threshold: 'P(mrs90 <= 2)',
    total: { or: 2.5, or_low: 2.1, or_high: 3.0, p_value: 0.001 },
    direct: { or: 2.2, or_low: 1.8, or_high: 2.6, p_value: 0.001 },
    proportion_explained: 0.12,
    counterfactual: { total_effect: { estimate: 0.2, ci_low: 0.15, ci_high: 0.25 } },
  };
  const origin = { step: 'm', expected: 'a mediate result' };
  const propRow = (v: ReturnType<typeof mediationRows>): string => v.rows.find((r) => r.label === 'Proportion of the effect explained')!.values[0]!;

  it('shows a bootstrap CI when given one, and says so', () => {
    const v = mediationRows(result, origin, { proportionCi: { low: 0.01, high: 0.19, source: 'bootstrap percentile, 2000 replicates' } });
    expect(propRow(v)).toBe('12.0% (1.0–19.0)');
    expect(v.notes.join(' ')).toContain('with its 95% CI (bootstrap percentile, 2000 replicates)');
  });

  it('does not claim a CI it does not show', () => {
    const v = mediationRows(result, origin);
    expect(propRow(v)).toBe('12.0%');
    expect(v.notes.join(' ')).not.toMatch(/CI is the bootstrap/);
    expect(v.notes.join(' ')).toContain('no CI is shown for it');
    expect(mediationRows(result, origin, { ciNote: 'its bootstrap 95% CI is in “Table 7”' }).notes.join(' ')).toContain('; its bootstrap 95% CI is in “Table 7”.');
  });

  it('labels the counterfactual heading with the outcome’s label', () => {
    expect(thresholdLabel('P(mrs90 <= 2)', { mrs90: 'mRS at 90 days' })).toBe('P(mRS at 90 days ≤ 2)');
    expect(thresholdLabel('P(mrs90 <= 2)', {})).toBe('P(mrs90 ≤ 2)');
    const v = mediationRows(result, origin, { labels: { mrs90: 'mRS at 90 days' } });
    expect(v.rows.map((r) => r.label)).toContain('Counterfactual effects on P(mRS at 90 days ≤ 2), percentage points');
  });

  it('reads the CI from the section’s bootstrap step in a report', async () => {
    const inputs = await sampleInputs();
    const est = (inputs.get('med_boot') as unknown as { value: { estimates: { name: string; percentile: { lower: number; upper: number } }[] } }).value.estimates.find((e) => e.name === 'proportion_explained')!;
    const ci = (est.percentile.lower * 100).toFixed(1).replace('-', '−');
    const withBoot = await render(withSection('mediation', { kind: 'mediation', title: 'Mediation', step: 'med', bootstrap: 'med_boot' }));
    const row = /Proportion of the effect explained<\/td><td class="right">([^<]*)</.exec(withBoot)?.[1];
    expect(row).toMatch(/^−?\d+\.\d% \(/);
    expect(row).toContain(ci);
    const without = await render(sampleParams());
    expect(/Proportion of the effect explained<\/td><td class="right">([^<]*)</.exec(without)?.[1]).toMatch(/^−?\d+\.\d%$/);
    expect(without).toContain('its bootstrap 95% CI is in “Table 7. Bootstrap of the proportion explained”');
  });

  it('checks that bootstrap: names a step of the report, in a mediation section only', () => {
    const p = sampleParams();
    const bad = { ...p, sections: [...p.sections, { kind: 'mediation' as const, title: 'M', step: 'med', bootstrap: 'med_bot' }, { kind: 'model' as const, title: 'X', step: 'fit_good', bootstrap: 'med_boot' }] };
    const problems = checkReportParams(bad).map((x) => `${x.path}: ${x.message}`);
    expect(problems.some((x) => x.includes('.bootstrap: step "med_bot" is not among'))).toBe(true);
    expect(problems.some((x) => x.includes('bootstrap: belongs to a mediation section'))).toBe(true);
  });
});

describe('bootstrap caption', () => {
  it('adds the estimate unless the title already names it', () => {
    expect(bootstrapCaption('Table 4. Bootstrap, 2000 replicates', 'proportion_explained', 'Proportion explained', undefined)).toBe('Table 4. Bootstrap, 2000 replicates: Proportion explained');
    expect(bootstrapCaption('Table 7. Bootstrap of the proportion explained', 'proportion_explained', 'Proportion of the EVT effect explained by volume', undefined)).toBe('Table 7. Bootstrap of the proportion explained');
    expect(bootstrapCaption('Table 7. Bootstrap: Proportion explained', 'proportion_explained', 'Proportion explained', undefined)).toBe('Table 7. Bootstrap: Proportion explained');
    expect(bootstrapCaption('Bootstrap of proportion_explained', 'proportion_explained', 'Share', 'modality = CT')).toBe('Bootstrap of proportion_explained: modality = CT');
  });

  it('is not duplicated in the sample report', async () => {
    const html = await render(sampleParams());
    expect(html.includes('<caption>Table 7. Bootstrap of the proportion explained</caption>')).toBe(true);
    expect(elements(html, 'svg', 'bootstrap-histogram')).toHaveLength(1);
  });
});

describe('Table 1 test footnote', () => {
  it('names the test the compare step ran for each variable', async () => {
    const inputs = await sampleInputs();
    const byArm = (inputs.get('by_arm') as unknown as { value: Parameters<typeof testsFromCompare>[0] }).value;
    const tests = testsFromCompare(byArm, { step: 'by_arm', expected: 'a compare result' });
    expect(tests.get('age')?.test).toBe('Wilcoxon rank-sum test');
    expect(tests.get('occlusion')?.test).toMatch(/^chi-squared test/);
    const html = await render(sampleParams());
    expect(html).toContain(`p: Wilcoxon rank-sum test (Age, years; Follow-up infarct volume, mL); ${tests.get('occlusion')!.test} (Occlusion site).`);
    expect(html).not.toContain('chi-squared test (categorical)');
  });

  it('says Yates’ correction for a corrected 2 × 2 test and one test when one served all', () => {
    const compare = {
      variables: [
        { variable: 'sex_female', type: 'factor', chisq: { p: 0.2, yates: true } },
        { variable: 'occlusion', type: 'factor', chisq: { p: 0.3, yates: false } },
      ],
    };
    const t = testsFromCompare(compare, { step: 'c', expected: 'a compare result' });
    expect(t.get('sex_female')).toEqual({ p: 0.2, test: 'chi-squared test with Yates’ continuity correction' });
    expect(t.get('occlusion')).toEqual({ p: 0.3, test: 'chi-squared test' });
    const one = { caption: 'T', groups: [{ label: 'A', n: 1 }], variables: [{ kind: 'continuous' as const, label: 'Age', byGroup: [], p: 0.5, test: 'Wilcoxon rank-sum test' }] };
    expect(testsNote(one)).toBe('p: Wilcoxon rank-sum test.');
  });
});
