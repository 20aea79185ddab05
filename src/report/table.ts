/**
 * The one table model of the report. A table is laid out as a clinical paper prints one: a caption
 * ("Table 2. …"), a header that may span columns (a model's "OR (95% CI)" and "p" under the model's
 * name), group rows in bold, indented level rows, right-aligned numbers, and footnotes. Every cell is
 * plain text, already formatted (format.ts): the HTML (table-html.ts), Word (docx.ts) and Markdown
 * (markdown.ts) renderings read the same cells, so they cannot disagree.
 */

export interface CellSpec {
  readonly text: string;
  readonly colspan?: number;
  readonly align?: 'left' | 'right' | 'center';
}

export type Cell = string | CellSpec;

export interface TableRow {
  readonly cells: readonly Cell[];
  /** `group`: a bold row introducing indented rows (a variable with its levels); `indent`: one of those levels. */
  readonly style?: 'group' | 'indent' | 'emphasis';
}

export interface PaperTable {
  readonly caption: string;
  /** Header rows, top to bottom (spanning cells allowed). */
  readonly head: readonly (readonly Cell[])[];
  readonly body: readonly TableRow[];
  readonly notes?: readonly string[];
  /** A class for the `<table>` (tests and CSS find tables by it). */
  readonly className?: string;
}

export function cellOf(c: Cell): CellSpec {
  return typeof c === 'string' ? { text: c } : c;
}

/** A cell's alignment: numbers sit right of the label column unless told otherwise. */
export function cellAlign(c: CellSpec, index: number): 'left' | 'right' | 'center' {
  return c.align ?? (index === 0 ? 'left' : 'right');
}

/** The number of grid columns a row covers (spans counted). */
export function rowWidth(cells: readonly Cell[]): number {
  return cells.reduce<number>((n, c) => n + Math.max(1, cellOf(c).colspan ?? 1), 0);
}
