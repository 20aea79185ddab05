/** The HTML rendering of a paper table (table.ts): `<figure class="table">` with caption, head, body and notes; all text escaped. */
import { html, type SafeHtml } from './html.js';
import { cellAlign, cellOf, type Cell, type PaperTable } from './table.js';

function cellHtml(tag: 'th' | 'td', cell: Cell, index: number): SafeHtml {
  const c = cellOf(cell);
  const align = cellAlign(c, index);
  const span = c.colspan !== undefined && c.colspan > 1 ? html` colspan="${c.colspan}"` : '';
  return tag === 'th' ? html`<th class="${align}"${span}>${c.text}</th>` : html`<td class="${align}"${span}>${c.text}</td>`;
}

export function renderTable(t: PaperTable): SafeHtml {
  const head = t.head.map((row) => html`<tr>${row.map((c, i) => cellHtml('th', c, i))}</tr>`);
  const body = t.body.map((r) => html`<tr${r.style === undefined ? '' : html` class="${r.style}"`}>${r.cells.map((c, i) => cellHtml('td', c, i))}</tr>`);
  const notes = t.notes === undefined || t.notes.length === 0 ? '' : html`<div class="notes">${t.notes.map((n) => html`<p>${n}</p>`)}</div>`;
  return html`<figure class="table"><table class="paper ${t.className ?? ''}"><caption>${t.caption}</caption><thead>${head}</thead><tbody>${body}</tbody></table>${notes}</figure>`;
}
