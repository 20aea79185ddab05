/**
 * A table laid out as a clinical paper prints one: a caption ("Table 2. …"), a header that may span
 * columns (a model's "OR (95% CI)" and "p" under the model's name), group rows in bold, indented
 * level rows, right-aligned numbers, and footnotes. Cells are plain text (escaped) or SafeHtml.
 */
import { html, type HtmlValue, type SafeHtml } from './html.js';

export interface CellSpec {
  readonly text: HtmlValue;
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

function cellOf(c: Cell): CellSpec {
  return typeof c === 'string' ? { text: c } : c;
}

function cellHtml(tag: 'th' | 'td', cell: Cell, index: number): SafeHtml {
  const c = cellOf(cell);
  // Numbers sit right of the label column unless told otherwise.
  const align = c.align ?? (index === 0 ? 'left' : 'right');
  const span = c.colspan !== undefined && c.colspan > 1 ? html` colspan="${c.colspan}"` : '';
  return tag === 'th' ? html`<th class="${align}"${span}>${c.text}</th>` : html`<td class="${align}"${span}>${c.text}</td>`;
}

export function renderTable(t: PaperTable): SafeHtml {
  const head = t.head.map((row) => html`<tr>${row.map((c, i) => cellHtml('th', c, i))}</tr>`);
  const body = t.body.map((r) => html`<tr${r.style === undefined ? '' : html` class="${r.style}"`}>${r.cells.map((c, i) => cellHtml('td', c, i))}</tr>`);
  const notes = t.notes === undefined || t.notes.length === 0 ? '' : html`<div class="notes">${t.notes.map((n) => html`<p>${n}</p>`)}</div>`;
  return html`<figure class="table"><table class="paper ${t.className ?? ''}"><caption>${t.caption}</caption><thead>${head}</thead><tbody>${body}</tbody></table>${notes}</figure>`;
}
