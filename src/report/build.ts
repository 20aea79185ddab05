/**
 * Assembles a report from the `report` step's parameters and the outputs of the steps it reads:
 * each section is rendered by a pure function of small typed inputs (sections/, figures/), fed by an
 * adapter from the upstream result JSON (adapters/). Returns the HTML document and a Markdown summary
 * of the reproduction table (printed at the end of `npm start`).
 */
import type { Artifact } from '../data/artifact.js';
import type { Json } from '../data/canonical.js';
import { DataError, InternalError } from '../errors.js';
import { renderDocument, type Block, type ReportDocument, type ReportFigure, type ReportSection } from './document.js';
import { lookupNumber } from './json-path.js';
import { groupLabelMap, matchSteps, type ComparisonRow, type ReportParams, type SectionParams, type ValueRef } from './params.js';
import { formatInterval, formatQuantity, formatQuantityCi, reproductionTable, type ReproductionRow } from './sections/reproduction.js';
import { tableMarkdown } from './table-markdown.js';
import { modelTable } from './sections/model.js';
import { genericTable } from './sections/generic.js';
import { table1Table } from './sections/table1.js';
import { volumeDeltaTable } from './sections/volume-delta.js';
import { trialDesignBlocks } from './sections/trial-design.js';
import { forestSvg, type ForestRow } from './figures/forest.js';
import { grottaSvg } from './figures/grotta.js';
import { probabilityCurveSvg, type CurveSeries } from './figures/probability-curve.js';
import { bootstrapHistogramSvg } from './figures/bootstrap-histogram.js';
import { fitSummary, modelColumn, randomEffectsNote, type Effect } from './adapters/model.js';
import { differentSamplesNote, type FittedModel } from './sample-sizes.js';

import { grottaCounts } from './adapters/grotta.js';
import { table1FromResult, testsFromCompare } from './adapters/table1.js';
import { volumeDeltaFromResult } from './adapters/volume-delta.js';
import { mediationRows, type MediationOptions } from './adapters/mediation.js';
import { bootstrapFromResult } from './adapters/bootstrap.js';
import { trialDesignFromResult } from './adapters/trial-design.js';
import { decodeFlow, type Flow } from '../results/flow.js';
import { flowSvg } from './figures/flow.js';
import { checkFlow, flowDiagram, flowTable } from './sections/flow.js';
import { PROVENANCE_TITLE, provenanceTable } from './sections/provenance.js';
import type { ResultProvenance } from '../runner/provenance.js';

const EFFECT_NOTES: Readonly<Record<Effect, string>> = {
  OR: 'OR: odds ratio of the logistic model, with its 95% CI.',
  cOR: 'cOR: common odds ratio of the proportional-odds model (odds of a better mRS), with its 95% CI.',
  β: 'Estimate: coefficient of the linear model on its own scale, with its 95% CI.',
};

export interface BuildInput {
  /** The parameters, with `synthetic` already decided. */
  readonly params: ReportParams & { readonly synthetic: boolean };
  /** Outputs of the steps in `params.steps`, by instance name. */
  readonly inputs: ReadonlyMap<string, Artifact>;
  /** Printed in the footer, e.g. "lesionflow 0.1.0". */
  readonly generator: string;
  /** The appendix the report ends with (sections/provenance.ts); absent in tests that build a report alone. */
  readonly provenance?: ResultProvenance | undefined;
}

export interface BuiltReport {
  /** The document model: every renderer (HTML, Word, Markdown, figure files) reads this one. */
  readonly document: ReportDocument;
  readonly html: string;
  /** The reproduction table in Markdown (summary.md, printed at the end of `npm start`). */
  readonly markdown: string;
}

export function buildReport(b: BuildInput): BuiltReport {
  const ctx = new Context(b);
  const sections = b.params.sections.map((s, i) => ctx.section(s, i));
  if (b.provenance !== undefined) sections.push({ title: PROVENANCE_TITLE, heading: false, blocks: [{ table: provenanceTable(b.provenance) }] });
  const document: ReportDocument = {
    title: b.params.title,
    subtitle: b.params.subtitle,
    synthetic: b.params.synthetic,
    dataNote: b.params.data_note,
    sections,
    generator: b.generator,
  };
  return { document, html: renderDocument(document), markdown: ctx.markdown() };
}

class Context {
  private readonly names: string[];
  readonly truthNotes: string[] = [];
  constructor(private readonly b: BuildInput) {
    this.names = [...b.inputs.keys()];
  }

  label(key: string): string {
    return this.b.params.labels?.[key] ?? key;
  }

  /** A column/series label for an instance: its `labels:` entry, or its sweep values (`modality = CT`), or its name. */
  instanceLabel(name: string, several: boolean): string {
    const own = this.b.params.labels?.[name];
    if (own !== undefined) return own;
    const m = /^([^[]+)\[(.*)\]$/.exec(name);
    if (m === null) return this.label(name);
    const values = m[2]!.split(',').map((kv) => kv.replace('=', ' = ')).join(', ');
    return several ? values : `${this.label(m[1]!)} (${values})`;
  }

  /** The instances a section shows, in the order of `steps:`. */
  instances(s: SectionParams, where: string): string[] {
    const wanted = s.steps ?? (s.step === undefined ? [] : [s.step]);
    const out = wanted.flatMap((w) => {
      const m = matchSteps(w, this.names);
      if (m.length === 0) throw new DataError(`report ${where}: no output of step "${w}" was given to the report`, { hint: `list "${w}" under the report's steps:` });
      return m;
    });
    return [...new Set(out)];
  }

  artifact(name: string): Artifact {
    const a = this.b.inputs.get(name);
    if (a === undefined) throw new InternalError(`report: input "${name}" disappeared`);
    return a;
  }

  result(name: string, expected: string): Json {
    const a = this.artifact(name);
    if (a.type !== 'result') throw new DataError(`report: step "${name}" produced a ${a.type}, ${expected} was expected`, { step: name, hint: 'name the step that produces this result in the report section' });
    return a.value;
  }

  section(s: SectionParams, i: number): ReportSection {
    const where = `sections[${i}] (${s.kind} "${s.title}")`;
    return { title: s.title, heading: s.kind === 'text', note: s.note, blocks: this.blocks(s, where) };
  }

  blocks(s: SectionParams, where: string): Block[] {
    switch (s.kind) {
      case 'text':
        return [];
      case 'table1': {
        const tests = s.tests === undefined ? undefined : testsFromCompare(this.result(matchOne(s.tests, this.names, where), 'a compare result'), { step: s.tests, expected: 'a compare result' });
        return this.instances(s, where).map((name, _, all) => {
            const value = this.result(name, 'a describe or compare result');
            const caption = all.length > 1 ? `${s.title}: ${this.instanceLabel(name, false)}` : s.title;
            return { table: table1Table(table1FromResult(value, { step: name, expected: 'a describe or compare result' }, { caption, labels: this.b.params.labels ?? {}, groups: groupLabelMap(s.groups) }, tests)) };
          });
      }
      case 'model': {
        const names = this.instances(s, where);
        const fits = names.map((n) => fitSummary(this.result(n, 'a model fit'), { step: n, expected: 'a model fit (fit_logistic, fit_ordinal or fit_linear)' }));
        const effects = [...new Set(fits.map((f) => f.effect))];
        if (effects.length > 1) throw new DataError(`report ${where}: the models mix ${effects.join(' and ')} effects`, { hint: 'show logistic, ordinal and linear models in separate model sections' });
        const effect = effects[0]!;
        const samples = differentSamplesNote(names.map((n, k) => ({ name: n, n: fits[k]!.n })), this.fittedModels());
        return [
          {
            table: modelTable({
              caption: s.title,
              effect: effect === 'β' ? 'Estimate' : effect,
              models: fits.map((f, k) => modelColumn(this.instanceLabel(names[k]!, names.length > 1), f, s.terms)),
              termLabels: this.b.params.labels,
              notes: [
                ...(samples === undefined ? [] : [samples]),
                EFFECT_NOTES[effect],
                ...names.flatMap((n, k) => randomEffectsNote(names.length > 1 ? `${this.instanceLabel(n, false)}: ` : '', fits[k]!, (t) => this.label(t)) ?? []),
                ...names.flatMap((n) => this.flowNote(n, names.length > 1)),
              ],
            }),
          },
        ];
      }
      case 'forest': {
        const names = this.instances(s, where);
        const fits = names.map((n) => fitSummary(this.result(n, 'a model fit'), { step: n, expected: 'a model fit (fit_logistic or fit_ordinal)' }));
        const rows: ForestRow[] = names.flatMap((n, k) => {
          const f = fits[k]!;
          const terms = s.terms === undefined ? f.terms : s.terms.flatMap((t) => f.terms.filter((x) => x.term === t));
          const own = terms.map((t) => ({ label: this.label(t.term), estimate: t.estimate, low: t.low, high: t.high }));
          return names.length > 1 ? [{ label: this.instanceLabel(n, false) }, ...own] : own;
        });
        if (fits.some((f) => f.effect === 'β')) throw new DataError(`report ${where}: a forest plot shows odds ratios; a linear model was named`, { hint: 'show linear models in a model section' });
        const effect = fits.every((f) => f.effect === 'cOR') ? 'cOR' : 'OR';
        const samples = differentSamplesNote(names.map((n, k) => ({ name: n, n: fits[k]!.n })), this.fittedModels());
        return [
          figure(
            forestSvg({ title: s.title, rows, leftNote: s.left_note, rightNote: s.right_note, valueHeader: `${effect} (95% CI)`, xLabel: `${effect === 'cOR' ? 'Common odds ratio' : 'Odds ratio'}, log scale` }),
            s.title,
            `Squares: ${effect === 'cOR' ? 'common odds ratios' : 'odds ratios'}; lines: 95% confidence intervals; log scale.${samples === undefined ? '' : ` ${samples}`}`,
          ),
        ];
      }
      case 'volume_delta': {
        const names = this.instances(s, where);
        const vds = names.map((n) => ({ name: n, vd: volumeDeltaFromResult(this.artifact(n), { step: n, expected: 'a volume_delta result' }) }));
        const table = volumeDeltaTable({
          caption: s.title,
          groups: vds.map(({ name, vd }) => ({ label: names.length > 1 ? this.instanceLabel(name, true) : undefined, n: vd.n, rows: vd.rows })),
          notes: [
            ...instanceNotes(vds.map(({ name, vd }) => ({ label: this.instanceLabel(name, true), note: vd.subsetNote }))),
            ...(vds[0]?.vd.notes ?? []),
            ...instanceNotes(vds.map(({ name, vd }) => ({ label: this.instanceLabel(name, true), note: vd.curveNote }))),
          ],
        });
        const series: CurveSeries[] = vds.filter(({ vd }) => vd.curve.length > 0).map(({ name, vd }) => ({ label: this.instanceLabel(name, true), points: vd.curve }));
        const cut = s.cut ?? vds[0]?.vd.cut ?? 80;
        const fig =
          series.length === 0
            ? []
            : [
                figure(
                  probabilityCurveSvg({ title: `Adjusted probability of mRS 0–2 by follow-up infarct volume`, series, cut }),
                  s.figure_title ?? 'Adjusted probability of mRS 0–2 by follow-up infarct volume',
                  `Adjusted probability of mRS 0–2 against follow-up infarct volume, with the 95% pointwise confidence band; dashed line: the ${formatQuantity(cut, 'count')} mL cut.`,
                ),
              ];
        return [{ table }, ...fig];
      }
      case 'mediation': {
        const names = this.instances(s, where);
        return names.map((name) => {
            const m = mediationRows(this.result(name, 'a mediate result'), { step: name, expected: 'a mediate result' }, { labels: this.b.params.labels, ...this.proportionCi(s, name, names.length, where) });
            return { table: genericTable({ caption: names.length > 1 ? `${s.title}: ${this.instanceLabel(name, false)}` : s.title, className: 'mediation', columns: ['Effect', 'Estimate (95% CI)', 'p'], rows: m.rows, notes: m.notes }) };
          });
      }
      case 'bootstrap':
        return this.instances(s, where).flatMap((name, _, all): Block[] => {
            const bs = bootstrapFromResult(this.result(name, 'a bootstrap result'), this.artifact(name), { step: name, expected: 'a bootstrap result' }, s.estimate);
            const pct = s.percent ?? false;
            const f = (v: number | undefined): string => formatQuantity(v, pct ? 'percent' : 'number');
            const table = genericTable({
              caption: bootstrapCaption(s.title, bs.estimateName, this.label(bs.estimateName), all.length > 1 ? this.instanceLabel(name, false) : undefined),
              className: 'bootstrap',
              columns: ['', 'Value'],
              rows: [
                { label: 'Estimate (original data)', values: [f(bs.estimate)] },
                { label: 'Bootstrap mean', values: [f(bs.mean)] },
                { label: 'Bootstrap SE', values: [f(bs.se)] },
                ...bs.cis.map((c) => ({ label: `95% CI (${c.method})`, values: [formatInterval(c.low, c.high, pct ? 'percent' : 'number')] })),
                { label: 'Replicates (failed)', values: [`${bs.replicates} (${bs.failed})`] },
              ],
              notes: bs.notes,
            });
            const ci = bs.cis[0];
            const fig =
              bs.values.length === 0
                ? []
                : [
                    figure(
                      bootstrapHistogramSvg({ title: `Bootstrap distribution: ${this.label(bs.estimateName)}`, values: bs.values, estimate: bs.estimate, low: ci?.low, high: ci?.high, percent: pct, xLabel: this.label(bs.estimateName) }),
                      s.figure_title ?? `Bootstrap distribution: ${this.label(bs.estimateName)}`,
                      `Distribution of ${bs.values.length} bootstrap replicates; solid line: the estimate; dashed lines: the 95% ${ci?.method ?? ''} CI.`,
                    ),
                  ];
            return [{ table }, ...fig];
          });
      case 'comparison': {
        const names = this.instances(s, where);
        const rows = (s.rows ?? []).map((r) => ({ label: r.label, values: names.map((n) => this.comparisonCell(n, r)) }));
        return [{ table: genericTable({ caption: s.title, className: 'comparison', columns: ['', ...names.map((n) => this.instanceLabel(n, true))], rows }) }];
      }
      case 'grotta': {
        const names = this.instances(s, where);
        return names.map((name) => {
            const a = this.artifact(name);
            const table = a.type === 'table' ? a.table : a.type === 'imputed' ? a.original : undefined;
            if (table === undefined) throw new DataError(`report ${where}: step "${name}" produced a result, a data table was expected`, { step: name, hint: 'name the data step (load, simulate, filter) in the grotta section' });
            const counts = grottaCounts(table, s.outcome!, s.by!, groupLabelMap(s.groups));
            const note = counts.missing > 0 ? ` ${counts.missing} patients with a missing ${s.outcome!} or ${s.by!} are not shown.` : '';
            const title = names.length > 1 ? `${s.title}: ${this.instanceLabel(name, false)}` : s.title;
            return figure(grottaSvg({ title, categories: counts.categories, groups: counts.groups }), title, `Percentages of each arm by ${this.label(s.outcome!)}.${note}`);
          });
      }
      case 'flow':
        return this.instances(s, where).flatMap((name, _, all): Block[] => {
          const flow = this.flow(name);
          if (flow === undefined) throw new DataError(`report ${where}: step "${name}" carries no patient flow`, { step: name, hint: 'name a fit or a data step downstream of a load step (load, filter, subset, impute and the fits record the flow)' });
          checkFlow(flow, name);
          const suffix = all.length > 1 ? `: ${this.instanceLabel(name, false)}` : '';
          const groups = groupLabelMap(s.groups);
          return [
            figure(flowSvg({ title: `${s.title}${suffix}`, boxes: flowDiagram(flow, groups) }), `${s.figure_title ?? s.title}${suffix}`, 'Patients kept by each step of the pipeline, with those excluded and why.'),
            { table: flowTable(`${s.title}${suffix}`, flow, groups) },
          ];
        });
      case 'trial_design':
        return this.instances(s, where).flatMap((name, _, all) =>
          trialDesignBlocks(trialDesignFromResult(this.artifact(name), { step: name, expected: 'a trial_design result' }), all.length > 1 ? `${s.title}: ${this.instanceLabel(name, false)}` : s.title),
        );
      case 'reproduction':
        return [{ table: reproductionTable({ caption: s.title, synthetic: this.b.params.synthetic, rows: this.reproductionRows(), notes: [...new Set(this.truthNotes)] }) }];
    }
  }

  /** Every model fit shown by a model or forest section of the report, with its n. */
  fittedModels(): FittedModel[] {
    const out: FittedModel[] = [];
    this.b.params.sections.forEach((s, i) => {
      if (s.kind !== 'model' && s.kind !== 'forest') return;
      for (const name of this.instances(s, `sections[${i}]`)) {
        const a = this.artifact(name);
        if (a.type !== 'result') continue;
        const n = a.value.n;
        out.push({ name, n: typeof n === 'number' ? n : undefined });
      }
    });
    return out;
  }

  /**
   * mediation: the bootstrap CI of the proportion explained, from the section's `bootstrap:` step (the
   * instance with the mediation instance's sweep values when both are swept); without one, a note
   * pointing to a bootstrap section of the report that shows the proportion, if there is one.
   */
  proportionCi(s: SectionParams, name: string, count: number, where: string): Pick<MediationOptions, 'proportionCi' | 'ciNote'> {
    const wanted = s.estimate ?? 'proportion_explained';
    if (s.bootstrap === undefined) {
      const shown = this.b.params.sections.find((x) => x.kind === 'bootstrap' && (x.estimate ?? 'proportion_explained') === wanted);
      return { ciNote: shown === undefined ? undefined : `its bootstrap 95% CI is in “${shown.title}”` };
    }
    const all = matchSteps(s.bootstrap, this.names);
    const sweep = /\[.*\]$/.exec(name)?.[0];
    const paired = all.length === 1 && count === 1 ? all : all.filter((b) => sweep !== undefined && b.endsWith(sweep));
    if (paired.length !== 1) {
      const why = all.length === 0 ? `no output of step "${s.bootstrap}" was given to the report` : `cannot tell which of ${all.join(', ')} bootstraps "${name}"`;
      throw new DataError(`report ${where}: bootstrap: ${why}`, { hint: all.length === 0 ? `list "${s.bootstrap}" under the report's steps:` : `name one instance, e.g. bootstrap: "${all[0]!}", or sweep the mediation step the same way` });
    }
    const boot = paired[0]!;
    const bs = bootstrapFromResult(this.result(boot, 'a bootstrap result'), this.artifact(boot), { step: boot, expected: 'a bootstrap result' }, wanted);
    const ci = bs.cis.find((c) => c.method === 'percentile') ?? bs.cis[0];
    if (ci === undefined) throw new DataError(`report ${where}: the bootstrap "${boot}" has no CI for "${wanted}"`, { step: boot, hint: 'give the bootstrap step ci: [percentile]' });
    return { proportionCi: { low: ci.low, high: ci.high, source: `bootstrap ${ci.method}, ${bs.replicates} replicates` } };
  }

  /**
   * Which flow box a model's n is: the last box of its flow (the fit's own), e.g. `n = 1611: box 5 of
   * the patient flow (good[modality=all], fit_logistic): 1625 in, 14 excluded (missing model variables: aspects 14).`
   */
  flowNote(name: string, several: boolean): string[] {
    const flow = this.flow(name);
    const last = flow?.boxes[flow.boxes.length - 1];
    if (flow === undefined || last === undefined) return [];
    const excluded = last.in - last.out;
    const why = excluded === 0 ? 'none excluded' : `${excluded} excluded (${last.reason})`;
    return [`${several ? `${this.instanceLabel(name, true)}: ` : ''}n = ${last.out}: box ${flow.boxes.length} of the patient flow (${last.step}, ${last.kind}): ${last.in} in, ${why}.`];
  }

  /** The patient flow a step's output carries: a fit's `flow`, or a table's or imputed set's. */
  flow(name: string): Flow | undefined {
    const a = this.artifact(name);
    if (a.type !== 'result') return a.flow;
    const f = a.value.flow;
    return f === undefined || f === null ? undefined : decodeFlow(f, { step: name, expected: 'a result with a patient flow' });
  }

  number(ref: ValueRef, path: string, where: string): number {
    const value = this.result(matchOne(ref.step, this.names, where), 'a result');
    const r = lookupNumber(value, path);
    if (!r.ok) throw new DataError(`report ${where}: ${r.reason}`, { step: ref.step, hint: `check the path "${path}" against ${ref.step}.json` });
    return r.value;
  }

  /**
   * A true value: a missing one (e.g. `population: null` when the simulation's parameters were
   * overridden, and population values are unknown) prints as "–" with the reason in a footnote,
   * rather than failing the report.
   */
  truth(ref: ValueRef, where: string): number | undefined {
    const value = this.result(matchOne(ref.step, this.names, where), 'a result');
    const r = lookupNumber(value, ref.path);
    if (r.ok) return r.value;
    this.truthNotes.push(`${where}: no true value (${r.reason}).`);
    return undefined;
  }

  comparisonCell(name: string, r: ComparisonRow): string {
    const ref = { step: name, path: r.path };
    const get = (p: string | undefined): number | undefined => (p === undefined ? undefined : this.number(ref, p, `comparison row "${r.label}"`));
    return formatQuantityCi({ estimate: get(r.path), low: get(r.low), high: get(r.high), format: r.format ?? 'number' });
  }

  reproductionRows(): ReproductionRow[] {
    return (this.b.params.published ?? []).map((p) => {
      const where = `published "${p.label}"`;
      const est = p.estimate;
      const truth = p.truth === undefined ? undefined : typeof p.truth === 'number' ? p.truth : this.truth(p.truth, where);
      return {
        label: p.label,
        source: p.source,
        published: String(p.published),
        format: p.format ?? 'number',
        estimate: est === undefined ? undefined : this.number(est, est.path, where),
        low: est?.low === undefined ? undefined : this.number(est, est.low, where),
        high: est?.high === undefined ? undefined : this.number(est, est.high, where),
        truth,
      };
    });
  }

  /** The reproduction table in Markdown, for the terminal summary of `npm start`. */
  markdown(): string {
    const p = this.b.params;
    const lines = [`## ${p.title}`, ''];
    if (p.synthetic) lines.push('**Synthetic data**: a simulated cohort calibrated to the published figures; not patient data.', '');
    const rows = p.published === undefined || p.published.length === 0 ? [] : this.reproductionRows();
    if (rows.length > 0) {
      const caption = p.sections.find((x) => x.kind === 'reproduction')?.title ?? 'Reproduction of the published figures';
      lines.push(tableMarkdown(reproductionTable({ caption, synthetic: p.synthetic, rows, notes: [...new Set(this.truthNotes)] })));
    }
    return lines.join('\n');
  }
}

function figure(svg: ReportFigure['svg'], title: string, legend: string): { figure: ReportFigure } {
  return { figure: { svg, title, legend } };
}

/**
 * A bootstrap table's caption: the title, then what it bootstraps unless the title already says it
 * (its label, its name, or its name in words — "proportion explained" for proportion_explained —
 * ignoring case), then the instance when the section shows several.
 */
export function bootstrapCaption(title: string, estimate: string, label: string, instance: string | undefined): string {
  const t = title.toLowerCase();
  const says = [label, estimate, estimate.replace(/[_.]+/g, ' ')].some((x) => t.includes(x.toLowerCase()));
  return [title, ...(says ? [] : [label]), ...(instance === undefined ? [] : [instance])].join(': ');
}

/**
 * Notes that belong to one instance each (its subset, its curve): one note when every instance has
 * the same, otherwise one per instance, labelled by it (`modality = CT: Patients with …`).
 */
export function instanceNotes(items: readonly { readonly label: string; readonly note: string | undefined }[]): string[] {
  const given = items.filter((i): i is { label: string; note: string } => i.note !== undefined);
  if (given.length === 0) return [];
  if (given.length === items.length && given.every((i) => i.note === given[0]!.note)) return [given[0]!.note];
  return given.map((i) => `${i.label}: ${i.note}`);
}

/** Exactly one instance for a value reference (a swept step must be named with its instance). */
function matchOne(step: string, names: readonly string[], where: string): string {
  const m = matchSteps(step, names);
  if (m.length === 1) return m[0]!;
  if (m.length === 0) throw new DataError(`report ${where}: no output of step "${step}" was given to the report`, { hint: `list "${step}" under the report's steps:` });
  throw new DataError(`report ${where}: step "${step}" is swept (${m.join(', ')}): name one instance`, { hint: `write e.g. step: "${m[0]!}"` });
}
