/**
 * A table of already formatted values: the mediation table (effects of one analysis as rows) and the
 * side-by-side comparison by modality (one column per sweep instance) both take this shape.
 */
import type { PaperTable } from '../table.js';

export interface GenericTableInput {
  readonly caption: string;
  /** Header of the first (label) column, then one per value column. */
  readonly columns: readonly string[];
  readonly rows: readonly { readonly label: string; readonly values: readonly string[]; readonly style?: 'group' | 'indent' | 'emphasis' }[];
  readonly notes?: readonly string[];
  readonly className: string;
}

export function genericTable(t: GenericTableInput): PaperTable {
  return {
    caption: t.caption,
    className: t.className,
    head: [t.columns],
    body: t.rows.map((r) => ({ cells: [r.label, ...r.values], style: r.style })),
    notes: t.notes,
  };
}
