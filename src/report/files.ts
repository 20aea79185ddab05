/**
 * The files a report step writes, by name, from the one document model (document.ts):
 *
 *   report.html                           the HTML report (format html)
 *   report.docx                           the Word report: editable tables, figures as PNG (docx)
 *   figure-<n>.svg                        each figure, standalone SVG naming the bundled font (svg)
 *   figure-<n>-<size>-<dpi>dpi.png        each figure at a journal width and resolution (png)
 *   report.md                             every table in Markdown (md)
 *   summary.md                            the reproduction table in Markdown (always; `npm start` prints it)
 *
 * Figures are numbered 1, 2, … in the order the report shows them. Text files are strings; binary
 * files are bytes. Every file is a function of the document alone: the same report, the same bytes.
 */
import pLimit from 'p-limit';
import type { Block, ReportDocument } from './document.js';
import type { DocxImage } from './docx.js';
import { FIGURE_WIDTHS_MM, widthPx, type FigureDpi, type FigureSize } from './figure-sizes.js';
import { tableMarkdown } from './table-markdown.js';
import { DEFAULT_REPORT_FORMATS, type ReportFormat } from './params.js';

export interface FileOptions {
  readonly formats?: readonly ReportFormat[] | undefined;
  readonly png?: { readonly sizes?: readonly FigureSize[] | undefined; readonly dpi?: readonly FigureDpi[] | undefined } | undefined;
}

/** The width Word shows a figure at: A4 less 20 mm margins = 170 mm; its PNG is the `double` one at 300 dpi. */
const DOCX_FIGURE_MM = 170;
const DOCX_SOURCE: readonly [FigureSize, FigureDpi] = ['double', 300];

/** The SVG's intrinsic size from its viewBox (figures/ always write `viewBox="0 0 W H"`). */
export function svgSize(svg: string): { width: number; height: number } {
  const m = /viewBox="0 0 ([\d.]+) ([\d.]+)"/.exec(svg);
  if (m === null) return { width: 720, height: 480 };
  return { width: Number(m[1]), height: Number(m[2]) };
}

/** A figure as a file of its own: an XML declaration, then the same SVG the HTML holds inline. */
export function standaloneSvg(svg: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`;
}

export function pngName(n: number, size: FigureSize, dpi: number): string {
  return `figure-${n}-${size}-${dpi}dpi.png`;
}

export async function reportFiles(doc: ReportDocument, html: string, summary: string, opts: FileOptions): Promise<Map<string, string | Uint8Array>> {
  const formats = new Set(opts.formats ?? DEFAULT_REPORT_FORMATS);
  const sizes = opts.png?.sizes ?? ['single', 'onehalf', 'double'];
  const dpis = opts.png?.dpi ?? [300];
  // The Word writer and the rasteriser are loaded only by a report that needs them (the CLI starts faster).
  const { rasterise } = await import('./raster.js');
  const figures = doc.sections.flatMap((s) => s.blocks.filter((b): b is Extract<Block, { figure: unknown }> => 'figure' in b));
  const files = new Map<string, string | Uint8Array>();
  if (formats.has('html')) files.set('report.html', html);
  files.set('summary.md', summary);

  // Each (figure, size, dpi) is rendered once, even when both the PNG files and the Word file need it;
  // two at a time (on libuv's threads): a 190 mm, 600 dpi image is a 4488-pixel-wide RGBA buffer.
  const limit = pLimit(2);
  const renders = new Map<string, Promise<Uint8Array>>();
  const render = (k: number, size: FigureSize, dpi: FigureDpi): Promise<Uint8Array> => {
    const key = `${k}/${size}/${dpi}`;
    let r = renders.get(key);
    if (r === undefined) {
      r = limit(() => rasterise(figures[k]!.figure.svg.value, widthPx(FIGURE_WIDTHS_MM[size], dpi), dpi));
      // Awaited below; this handler only keeps a failure that is not reached (an earlier one threw) from being unhandled.
      r.catch(() => undefined);
      renders.set(key, r);
    }
    return r;
  };
  // Queue every render before waiting for any.
  const pngs = formats.has('png') ? figures.flatMap((_, k) => sizes.flatMap((size) => dpis.map((dpi) => [pngName(k + 1, size, dpi), render(k, size, dpi)] as const))) : [];
  if (formats.has('docx')) for (let k = 0; k < figures.length; k++) void render(k, ...DOCX_SOURCE);
  for (const [k, f] of figures.entries()) if (formats.has('svg')) files.set(`figure-${k + 1}.svg`, standaloneSvg(f.figure.svg.value));
  for (const [name, png] of pngs) files.set(name, await png);
  if (formats.has('docx')) {
    const { renderDocx } = await import('./docx.js');
    const images = new Map<Block, DocxImage>();
    for (const [k, f] of figures.entries()) {
      const { width, height } = svgSize(f.figure.svg.value);
      const w = Math.round((DOCX_FIGURE_MM / 25.4) * 96);
      images.set(f, { png: await render(k, ...DOCX_SOURCE), width: w, height: Math.round((w * height) / width) });
    }
    files.set('report.docx', await renderDocx(doc, images));
  }
  if (formats.has('md')) files.set('report.md', reportMarkdown(doc));
  return files;
}

/** Every section of the report in Markdown: headings, notes, tables, and each figure by its file. */
export function reportMarkdown(doc: ReportDocument): string {
  const out = [`# ${doc.title}`, ''];
  if (doc.subtitle !== undefined) out.push(doc.subtitle, '');
  if (doc.synthetic) out.push('**Synthetic data**: a simulated cohort calibrated to the published figures; not patient data.', '');
  let n = 0;
  for (const s of doc.sections) {
    if (s.heading) out.push(`## ${s.title}`, '');
    if (s.note !== undefined) out.push(s.note, '');
    for (const b of s.blocks) {
      if ('table' in b) out.push(tableMarkdown(b.table));
      else {
        n += 1;
        out.push(`**${b.figure.title}**`, '', `![${b.figure.title}](figure-${n}.svg)`, '', b.figure.legend, '');
      }
    }
  }
  out.push(`Generated by ${doc.generator}.`, '');
  return out.join('\n');
}
