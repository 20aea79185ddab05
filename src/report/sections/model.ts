/**
 * A regression table: one or more models side by side, each with its odds ratio (or common odds
 * ratio) with 95 % CI and p-value per term, the thresholds omitted, n per model in the header.
 */
import { formatEstimateCi, formatP, orDigits } from '../format.js';
import type { PaperTable, TableRow } from '../table.js';

export interface ModelTerm {
  readonly term: string;
  /** The OR / cOR (already exponentiated). */
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
  readonly p: number;
}

export interface ModelColumn {
  readonly label: string;
  readonly n?: number | undefined;
  readonly terms: readonly ModelTerm[];
}

export interface ModelTableInput {
  readonly caption: string;
  readonly models: readonly ModelColumn[];
  /** "OR" for logistic, "cOR" for ordinal models. */
  readonly effect: string;
  /** Display labels for terms (`fiv_ml` → "Follow-up infarct volume, per 10 mL"). */
  readonly termLabels?: Readonly<Record<string, string>>;
  readonly notes?: readonly string[];
}

/** Terms in order of first appearance across the models. */
export function unionTerms(models: readonly ModelColumn[]): string[] {
  const seen = new Set<string>();
  for (const m of models) for (const t of m.terms) seen.add(t.term);
  return [...seen];
}

export function modelTable(t: ModelTableInput): PaperTable {
  const terms = unionTerms(t.models);
  const body: TableRow[] = terms.map((term) => ({
    cells: [
      t.termLabels?.[term] ?? term,
      ...t.models.flatMap((m) => {
        const r = m.terms.find((x) => x.term === term);
        return r === undefined ? ['', ''] : [formatEstimateCi(r.estimate, r.low, r.high, orDigits(r.low, r.high)), formatP(r.p)];
      }),
    ],
  }));
  const head =
    t.models.length === 1
      ? [['Term', `${t.effect} (95% CI)`, 'p']]
      : [
          ['', ...t.models.map((m) => ({ text: m.n === undefined ? m.label : `${m.label} (n = ${m.n})`, colspan: 2, align: 'center' as const }))],
          ['Term', ...t.models.flatMap(() => [`${t.effect} (95% CI)`, 'p'])],
        ];
  const nNote = t.models.length === 1 && t.models[0]!.n !== undefined ? [`n = ${t.models[0]!.n}.`] : [];
  return { caption: t.caption, className: 'model', head, body, notes: [...nNote, ...(t.notes ?? [])] };
}
