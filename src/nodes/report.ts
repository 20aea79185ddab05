/**
 * `kind: report` — the HTML report of a pipeline: paper-style tables and inline-SVG figures of the
 * steps it names, ending with the reproduction table (published figure, this pipeline's estimate and,
 * for synthetic data, the true value). See docs/steps/report.md.
 *
 * Output: a `result` whose `files` maps file names to their full content — `report.html` (one
 * self-contained file: inline CSS and SVG, no scripts or network) and `summary.md` (the reproduction
 * table in Markdown, printed after a run). The executor writes each entry verbatim to
 * `outputs/<pipeline>/<name>`. Deterministic: the same inputs give the same bytes.
 */
import type { StepKind } from './kind.js';
import { buildReport } from '../report/build.js';
import { checkReportParams, reportParamsSchema, type ReportParams, type SyntheticParam } from '../report/params.js';

/** `synthetic: {data, files}` → whether the data file is one of the synthetic files (compared as resolved paths). */
export function isSynthetic(s: SyntheticParam, resolvePath: (p: string) => string): boolean {
  if (typeof s === 'boolean') return s;
  const data = resolvePath(s.data);
  return s.files.some((f) => resolvePath(f) === data);
}

/** Printed in the report's footer. A constant (no timestamp), so reports are byte-identical across runs. */
const GENERATOR = 'lesionflow report v1';

export const report: StepKind<ReportParams> = {
  kind: 'report',
  version: 2,
  summary: 'HTML report: paper-style tables, inline SVG figures and a reproduction table of the published figures',
  params: reportParamsSchema,
  inputs: ['steps'],
  check: (p) => checkReportParams(p),
  run(params, inputs, ctx) {
    const synthetic = isSynthetic(params.synthetic, (p) => ctx.resolvePath(p));
    const built = buildReport({ params: { ...params, synthetic }, inputs, generator: GENERATOR });
    return {
      type: 'result',
      value: {
        title: params.title,
        synthetic,
        sections: params.sections.map((s) => s.title),
        files: { 'report.html': built.html, 'summary.md': built.markdown },
      },
    };
  },
};
