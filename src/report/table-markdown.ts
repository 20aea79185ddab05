/**
 * The Markdown rendering of a paper table (table.ts), for `summary.md` and `report.md`: a bold caption,
 * a pipe table (a spanning header cell is repeated over its columns' first and left blank after, as
 * Markdown has no spans; several header rows are joined into one, top to bottom), then the notes.
 */
import { cellAlign, cellOf, rowWidth, type Cell, type PaperTable } from './table.js';

function escapeCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A row's cells on the grid: a spanning cell's text in its first column, '' in the others. */
function gridRow(cells: readonly Cell[], width: number): string[] {
  const out: string[] = [];
  for (const c of cells) {
    const s = cellOf(c);
    out.push(s.text);
    for (let k = 1; k < (s.colspan ?? 1); k++) out.push('');
  }
  while (out.length < width) out.push('');
  return out;
}

export function tableMarkdown(t: PaperTable): string {
  const width = Math.max(...t.head.map(rowWidth), ...t.body.map((r) => rowWidth(r.cells)), 1);
  const heads = t.head.map((r) => gridRow(r, width));
  const header = Array.from({ length: width }, (_, j) => heads.map((h) => h[j]!).filter((x) => x !== '').join(' — '));
  const lastHead = t.head[t.head.length - 1] ?? [];
  const aligns = Array.from({ length: width }, (_, j) => cellAlign(cellOf(lastHead[j] ?? ''), j));
  const rule = aligns.map((a) => (a === 'right' ? '---:' : a === 'center' ? ':---:' : '---'));
  const line = (cells: readonly string[]): string => `| ${cells.map(escapeCell).join(' | ')} |`;
  const lines = [`**${escapeCell(t.caption)}**`, '', line(header), `|${rule.join('|')}|`];
  for (const r of t.body) {
    const cells = gridRow(r.cells, width);
    if (r.style === 'indent' && cells[0] !== '') cells[0] = `\u2003${cells[0]!}`;
    if ((r.style === 'group' || r.style === 'emphasis') && cells[0] !== '') cells[0] = `**${cells[0]!}**`;
    lines.push(line(cells));
  }
  if (t.notes !== undefined && t.notes.length > 0) lines.push('', ...t.notes.map((n) => `${escapeCell(n)}  `));
  return lines.join('\n') + '\n';
}
