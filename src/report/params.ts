/**
 * The parameters of a `report` step, their JSON Schema, and the semantic checks the schema cannot
 * express (a section naming a step the report does not read, a path that does not parse).
 * Documented for users in docs/steps/report.md.
 */
import type { ParamSchema } from '../nodes/kind.js';
import { didYouMean } from '../errors.js';
import { parsePath, PathSyntaxError } from './json-path.js';
import { FITS, productList, PRODUCT_TEXT, type Product } from '../results/products.js';
import type { QuantityFormat } from './sections/reproduction.js';
import { FIGURE_DPIS, FIGURE_SIZES, type FigureDpi, type FigureSize } from './figure-sizes.js';

export const SECTION_KINDS = ['table1', 'model', 'forest', 'volume_delta', 'mediation', 'bootstrap', 'comparison', 'grotta', 'flow', 'trial_design', 'reproduction', 'text'] as const;
export type SectionKind = (typeof SECTION_KINDS)[number];
export const FORMATS = ['or', 'percent', 'ml', 'number', 'count'] as const;
/** The files a report writes: report.html, report.docx, figure-<n>-<size>-<dpi>dpi.png, figure-<n>.svg, report.md. */
export const REPORT_FORMATS = ['html', 'docx', 'png', 'svg', 'md'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
export const DEFAULT_REPORT_FORMATS: readonly ReportFormat[] = ['html', 'docx', 'png', 'svg'];

/** A number picked from a step's result by a path (see json-path.ts), with optional CI bounds. */
export interface ValueRef {
  readonly step: string;
  readonly path: string;
  readonly low?: string;
  readonly high?: string;
}

export interface ComparisonRow {
  readonly label: string;
  readonly path: string;
  readonly low?: string;
  readonly high?: string;
  readonly format?: QuantityFormat;
}

/** A group (arm) of a grouping column: its value in the data and the name to print. */
export interface GroupLabel {
  readonly value: string | number;
  readonly label: string;
}

/** Group values as text (as tables and describe results key them) → display names, in display order. */
export function groupLabelMap(groups: readonly GroupLabel[] | undefined): ReadonlyMap<string, string> | undefined {
  return groups === undefined ? undefined : new Map(groups.map((g) => [String(g.value), g.label]));
}

export interface SectionParams {
  readonly kind: SectionKind;
  readonly title: string;
  readonly note?: string;
  readonly step?: string;
  readonly steps?: readonly string[];
  /** model, forest: the terms to show (default: all but the intercept). */
  readonly terms?: readonly string[];
  /** grotta: the ordinal outcome and the grouping column of a table step. */
  readonly outcome?: string;
  readonly by?: string;
  /** grotta, table1, flow: the groups (arms) in display order with their names (`[{value: 1, label: EVT}, {value: 0, label: Control}]`). */
  readonly groups?: readonly GroupLabel[];
  /** table1: a compare step whose tests add p-values to a describe table. */
  readonly tests?: string;
  /** volume_delta, bootstrap: the title of the section's figure (the section title names its table). */
  readonly figure_title?: string;
  /** volume_delta: the dashed cut line (mL). */
  readonly cut?: number;
  /** bootstrap: the estimate to plot (its name in the bootstrap result); mediation: the bootstrap estimate of the proportion explained (default proportion_explained). */
  readonly estimate?: string;
  /** mediation: a bootstrap step of the mediation whose percentile CI the proportion-explained row shows. */
  readonly bootstrap?: string;
  /** bootstrap: show the values as percentages. */
  readonly percent?: boolean;
  /** comparison: one row per quantity, one column per step instance. */
  readonly rows?: readonly ComparisonRow[];
  /** forest: notes either side of OR = 1. */
  readonly left_note?: string;
  readonly right_note?: string;
}

export interface PublishedRow {
  readonly label: string;
  readonly source?: string;
  /** As the paper printed it; a plain number in YAML is accepted. */
  readonly published: string | number;
  readonly estimate?: ValueRef;
  /** The generating process's value: a number, or picked from a step (the simulate step's truth). */
  readonly truth?: number | ValueRef;
  readonly format?: QuantityFormat;
}

/**
 * Whether the data are synthetic: `true`/`false`, or decided by the data file the pipeline read —
 * synthetic when `data` is one of `files` (the shipped synthetic cohorts), so that a user who points
 * the pipeline at their own data (`--set data=their.csv`) gets a report that does not call it synthetic.
 */
export type SyntheticParam = boolean | { readonly data: string; readonly files: readonly string[] };

export interface ReportParams {
  readonly title: string;
  readonly subtitle?: string;
  readonly synthetic: SyntheticParam;
  readonly data_note?: string;
  /** Every step the report reads (the runner's dependency edges). */
  readonly steps: readonly string[];
  /** Display names for terms and variables (`fiv_ml: "Follow-up infarct volume, per mL"`). */
  readonly labels?: Readonly<Record<string, string>>;
  readonly sections: readonly SectionParams[];
  readonly published?: readonly PublishedRow[];
  /** Which files to write (summary.md is always written). Filled in by the schema's default. */
  readonly formats?: readonly ReportFormat[];
  /** The PNG figures' journal widths and resolutions. */
  readonly png?: { readonly sizes?: readonly FigureSize[]; readonly dpi?: readonly FigureDpi[] };
}

const str = { type: 'string', minLength: 1 } as const;
const valueRef = {
  type: 'object',
  properties: { step: str, path: str, low: str, high: str },
  required: ['step', 'path'],
  additionalProperties: false,
} as const;
const format = { enum: FORMATS, default: 'number' } as const;
const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

export const reportParamsSchema: ParamSchema = {
  type: 'object',
  properties: {
    title: { ...str, description: 'The report title (h1).' },
    subtitle: { type: 'string' },
    synthetic: {
      description: 'Whether the data are synthetic: true/false, or {data: <the data file read>, files: [<synthetic files>]} (synthetic when data is one of files). A synthetic report says so in a banner and shows true values.',
      oneOf: [
        { type: 'boolean' },
        { type: 'object', properties: { data: str, files: { type: 'array', items: str, minItems: 1 } }, required: ['data', 'files'], additionalProperties: false },
      ],
    },
    data_note: { type: 'string', description: 'One line about the data (file, cohort).' },
    steps: { type: 'array', items: str, minItems: 1, description: 'Every step the report reads; sections name steps from this list.' },
    labels: { ...stringMap, description: 'Display names of model terms and variables.' },
    sections: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        properties: {
          kind: { enum: SECTION_KINDS },
          title: str,
          note: { type: 'string' },
          step: str,
          steps: { type: 'array', items: str, minItems: 1 },
          terms: { type: 'array', items: str, minItems: 1 },
          outcome: str,
          by: str,
          groups: {
            type: 'array',
            minItems: 1,
            items: { type: 'object', properties: { value: { type: ['string', 'number'] }, label: { type: 'string' } }, required: ['value', 'label'], additionalProperties: false },
          },
          tests: str,
          figure_title: str,
          cut: { type: 'number', exclusiveMinimum: 0 },
          estimate: { ...str, description: 'bootstrap: the estimate to show; mediation (with bootstrap:): the bootstrap estimate of the proportion explained (default proportion_explained).' },
          bootstrap: { ...str, description: 'mediation: the bootstrap step (instance) whose percentile 95% CI the "Proportion of the effect explained" row shows.' },
          percent: { type: 'boolean' },
          rows: {
            type: 'array',
            minItems: 1,
            items: { type: 'object', properties: { label: str, path: str, low: str, high: str, format }, required: ['label', 'path'], additionalProperties: false },
          },
          left_note: { type: 'string' },
          right_note: { type: 'string' },
        },
        required: ['kind', 'title'],
        additionalProperties: false,
      },
    },
    published: {
      type: 'array',
      items: {
        type: 'object',
        properties: { label: str, source: { type: 'string' }, published: { type: ['string', 'number'] }, estimate: valueRef, truth: { oneOf: [{ type: 'number' }, valueRef] }, format },
        required: ['label', 'published'],
        additionalProperties: false,
      },
    },
    formats: {
      type: 'array',
      items: { enum: REPORT_FORMATS },
      minItems: 1,
      uniqueItems: true,
      default: [...DEFAULT_REPORT_FORMATS],
      description: 'Files to write beside summary.md: html (report.html), docx (report.docx: Word tables and figures), png (each figure at the png: sizes and dpi), svg (each figure as SVG), md (report.md: every table in Markdown).',
    },
    png: {
      type: 'object',
      properties: {
        sizes: { type: 'array', items: { enum: FIGURE_SIZES }, minItems: 1, uniqueItems: true, default: [...FIGURE_SIZES], description: 'Journal widths: single (90 mm), onehalf (140 mm), double (190 mm).' },
        dpi: { type: 'array', items: { enum: FIGURE_DPIS }, minItems: 1, uniqueItems: true, default: [300], description: 'Resolutions: 300 and/or 600 dpi (90 mm at 300 dpi = 1063 px wide).' },
      },
      additionalProperties: false,
      default: {},
      description: 'PNG figure files: one per figure, size and resolution (figure-<n>-<size>-<dpi>dpi.png).',
    },
  },
  required: ['title', 'synthetic', 'steps', 'sections'],
  additionalProperties: false,
};

/** Instance names among `available` that `name` designates: itself, or all instances `name[...]` of a swept step. */
export function matchSteps(name: string, available: readonly string[]): string[] {
  if (available.includes(name)) return [name];
  return available.filter((a) => a.startsWith(`${name}[`));
}

/** Which sections need what. */
const NEEDS_STEP: ReadonlySet<SectionKind> = new Set(['table1', 'model', 'forest', 'volume_delta', 'mediation', 'bootstrap', 'comparison', 'grotta', 'flow', 'trial_design']);

export interface ParamProblem {
  readonly path: string;
  readonly message: string;
  readonly hint?: string;
}

/** The base names of `steps` (instances `x[k=v]` → `x`), for matching names written before sweep expansion. */
function baseNames(steps: readonly string[]): string[] {
  return [...new Set(steps.flatMap((s) => [s, s.replace(/\[.*$/, '')]))];
}

export function checkReportParams(p: ReportParams): ParamProblem[] {
  const problems: ParamProblem[] = [];
  const known = baseNames(p.steps);
  const refersTo = (name: string, path: string): void => {
    if (matchSteps(name, p.steps).length > 0 || known.includes(name) || known.includes(name.replace(/\[.*$/, ''))) return;
    problems.push({ path, message: `step "${name}" is not among the report's steps${didYouMean(name, known)}`, hint: `add it to steps: (the report reads only the steps listed there): ${p.steps.join(', ')}` });
  };
  const pathOk = (path: string, where: string): void => {
    try {
      parsePath(path);
    } catch (e) {
      if (!(e instanceof PathSyntaxError)) throw e;
      problems.push({ path: where, message: `invalid path "${path}": ${e.message}`, hint: 'write e.g. coefficients[term=evt].common_or or deltas[delta=0.05].median' });
    }
  };
  p.sections.forEach((s, i) => {
    const at = `sections[${i}]`;
    if (s.step !== undefined) refersTo(s.step, `${at}.step`);
    if (s.tests !== undefined) refersTo(s.tests, `${at}.tests`);
    if (s.bootstrap !== undefined) refersTo(s.bootstrap, `${at}.bootstrap`);
    if (s.bootstrap !== undefined && s.kind !== 'mediation') problems.push({ path: `${at}.bootstrap`, message: `bootstrap: belongs to a mediation section, not a ${s.kind} section`, hint: 'remove it, or show the bootstrap in a bootstrap section' });
    s.steps?.forEach((name, j) => {
      refersTo(name, `${at}.steps[${j}]`);
    });
    if (NEEDS_STEP.has(s.kind) && s.step === undefined && s.steps === undefined) {
      problems.push({ path: at, message: `a ${s.kind} section needs step: (or steps:)`, hint: `name the step whose result it shows` });
    }
    if (s.step !== undefined && s.steps !== undefined) problems.push({ path: at, message: 'give either step: or steps:, not both' });
    if (s.kind === 'grotta' && (s.outcome === undefined || s.by === undefined)) {
      problems.push({ path: at, message: 'a grotta section needs outcome: (the mRS column) and by: (the arm column)', hint: 'write e.g. outcome: mrs90, by: evt' });
    }
    if (s.kind === 'comparison' && s.rows === undefined) {
      problems.push({ path: at, message: 'a comparison section needs rows: (label and path of each quantity)', hint: 'write e.g. rows: [{label: "cOR volume", path: "coefficients[term=fiv_ml].common_or", format: or}]' });
    }
    s.rows?.forEach((r, j) => {
      pathOk(r.path, `${at}.rows[${j}].path`);
      if (r.low !== undefined) pathOk(r.low, `${at}.rows[${j}].low`);
      if (r.high !== undefined) pathOk(r.high, `${at}.rows[${j}].high`);
    });
    if (s.kind === 'reproduction' && (p.published === undefined || p.published.length === 0)) {
      problems.push({ path: at, message: 'a reproduction section needs the published: list', hint: 'list each published figure with the step and path of the pipeline’s estimate' });
    }
  });
  p.published?.forEach((r, i) => {
    const at = `published[${i}]`;
    for (const [key, ref] of [['estimate', r.estimate], ['truth', r.truth]] as const) {
      if (ref === undefined || typeof ref === 'number') continue;
      refersTo(ref.step, `${at}.${key}.step`);
      pathOk(ref.path, `${at}.${key}.path`);
      if (ref.low !== undefined) pathOk(ref.low, `${at}.${key}.low`);
      if (ref.high !== undefined) pathOk(ref.high, `${at}.${key}.high`);
    }
  });
  return problems;
}

/** What each section kind reads from its `step`/`steps` (a kind not listed reads any result). */
const SECTION_READS: Partial<Readonly<Record<SectionKind, readonly Product[]>>> = {
  table1: ['describe', 'compare'],
  model: FITS,
  forest: ['fit:logistic', 'fit:ordinal'],
  volume_delta: ['volume-delta'],
  mediation: ['mediation'],
  bootstrap: ['bootstrap'],
  grotta: ['table', 'imputed'],
  flow: ['table', 'imputed', ...FITS, 'mediation'],
  trial_design: ['trial-design'],
};

/**
 * validate's check of the steps each section names against what the section reads (the runner gives
 * each step's product: src/runner/products.ts): a model section naming a describe step is a spec
 * error at that section, not a data error when the report runs.
 */
export function checkReportProducts(p: ReportParams, productOf: (step: string) => Product | undefined): ParamProblem[] {
  const problems: ParamProblem[] = [];
  const expect = (name: string, path: string, accepted: readonly Product[], section: string): void => {
    const got = productOf(name);
    if (got === undefined || accepted.includes(got)) return;
    problems.push({ path, message: `step "${name}" produces ${PRODUCT_TEXT[got]}, but a ${section} reads ${productList(accepted)}`, hint: `name a step that produces ${productList(accepted)}` });
  };
  p.sections.forEach((s, i) => {
    const reads = SECTION_READS[s.kind];
    const at = `sections[${i}]`;
    if (reads !== undefined) {
      if (s.step !== undefined) expect(s.step, `${at}.step`, reads, `${s.kind} section`);
      s.steps?.forEach((name, j) => { expect(name, `${at}.steps[${j}]`, reads, `${s.kind} section`); });
    }
    if (s.tests !== undefined) expect(s.tests, `${at}.tests`, ['compare'], 'table1 section\'s tests:');
    if (s.bootstrap !== undefined) expect(s.bootstrap, `${at}.bootstrap`, ['bootstrap'], 'mediation section\'s bootstrap:');
  });
  return problems;
}
