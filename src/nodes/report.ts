/**
 * `kind: report` — the report of a pipeline: paper-style tables and figures of the steps it names,
 * ending with the reproduction table (published figure, this pipeline's estimate and, for synthetic
 * data, the true value) and a Provenance appendix (what its numbers were computed from: ctx.provenance,
 * which also enters the step's key), as HTML, Word, PNG and SVG figure files and Markdown. See
 * docs/steps/report.md.
 *
 * Output: a `result` whose `files` maps file names to their full content (src/report/files.ts) —
 * `report.html` (one self-contained file: inline CSS and SVG, no scripts or network), `report.docx`,
 * `figure-<n>.svg`, `figure-<n>-<size>-<dpi>dpi.png`, and `summary.md` (the reproduction table in
 * Markdown, printed after a run); binary files as `{base64: …}`. The runner writes each entry to
 * `outputs/<pipeline>/<name>`. Deterministic: the same inputs give the same bytes.
 */
import { existsSync } from 'node:fs';
import type { DocumentKind, StepContext } from './kind.js';
import { buildReport } from '../report/build.js';
import { reportFiles } from '../report/files.js';
import type { Json } from '../data/canonical.js';
import { checkReportParams, checkReportProducts, reportParamsSchema, type ReportParams, type SyntheticParam } from '../report/params.js';

/** `synthetic: {data, files}` → whether the data file is one of the synthetic files (compared as resolved paths). */
export function isSynthetic(s: SyntheticParam, resolvePath: (p: string) => string): boolean {
  if (typeof s === 'boolean') return s;
  const data = resolvePath(s.data);
  return s.files.some((f) => resolvePath(f) === data);
}

/**
 * `data_note` as shown: a note that names a data file (`data_note: ${params.data}`) shows it relative to
 * the project, or by its file name when it lies outside (`--set data=/home/…/cohort.csv`), so that a
 * shared report leaks no home directory; any other note as written.
 */
function dataNote(note: string | undefined, ctx: StepContext): string | undefined {
  if (note === undefined || ctx.showPath === undefined) return note;
  try {
    return existsSync(ctx.resolvePath(note)) ? ctx.showPath(note) : note;
  } catch {
    return note; // not a path this step may read: text
  }
}

/** Printed in the report's footer. A constant (no timestamp), so reports are byte-identical across runs. */
const GENERATOR = 'lesionflow report v4';

export const report: DocumentKind<ReportParams> = {
  kind: 'report',
  version: 4,
  produces: 'report',
  summary: 'Report as HTML and Word (editable tables) with PNG/SVG figure files: paper-style tables, figures and a reproduction table of the published figures',
  params: reportParamsSchema,
  inputs: ['steps'],
  check: (p) => checkReportParams(p),
  lifecycle: 'document',
  checkProducts: checkReportProducts,
  keyResults: (p) => (p.published ?? []).flatMap((r) => (r.estimate === undefined ? [] : [{ label: r.label, step: r.estimate.step, path: r.estimate.path }])),
  async run(params, inputs, ctx) {
    const synthetic = isSynthetic(params.synthetic, (p) => ctx.resolvePath(p));
    const built = buildReport({ params: { ...params, synthetic, data_note: dataNote(params.data_note, ctx) }, inputs, generator: GENERATOR, provenance: ctx.provenance });
    const files: Record<string, Json> = {};
    for (const [name, content] of await reportFiles(built.document, built.html, built.markdown, params)) {
      files[name] = typeof content === 'string' ? content : { base64: Buffer.from(content).toString('base64') };
    }
    return {
      type: 'result',
      value: { title: params.title, synthetic, sections: params.sections.map((s) => s.title), files },
    };
  },
};
