/**
 * The report as a Word document (`report.docx`), written with the `docx` package (pinned): the same
 * document model as the HTML (document.ts), every table a real, editable Word table built from the
 * same cells (table.ts) — spans, alignment, bold group rows, indented levels, the three rules of a
 * paper table — with its caption above and its notes below, and every figure as a PNG (raster.ts)
 * with its title and legend.
 *
 * Deterministic: `docx` stamps the creation time into docProps/core.xml and its zip into every entry;
 * `stableZip` rewrites both to a fixed date (1980-01-01, the zip format's epoch), so the same report
 * gives the same bytes on every run.
 */
import {
  AlignmentType,
  BorderStyle,
  Document,
  Footer,
  HeadingLevel,
  ImageRun,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
  type IRunOptions,
  type ITableCellBorders,
} from 'docx';
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { SYNTHETIC_TEXT, type Block, type ReportDocument } from './document.js';
import { cellAlign, cellOf, type Cell, type PaperTable, type TableRow as ModelRow } from './table.js';

/** A figure's PNG for the Word file, with its size in pixels at 96 dpi (Word's unit for images). */
export interface DocxImage {
  readonly png: Uint8Array;
  readonly width: number;
  readonly height: number;
}

const FONT = 'Arial';
/** Half-points: 10 pt in tables, 8 pt in notes. */
const SIZE_TABLE = 20;
const SIZE_NOTE = 16;

const ALIGN = { left: AlignmentType.LEFT, right: AlignmentType.RIGHT, center: AlignmentType.CENTER } as const;

const NONE = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' } as const;
const rule = (eighths: number) => ({ style: BorderStyle.SINGLE, size: eighths, color: '222222' }) as const;

function text(t: string, opts: { strong?: boolean; size?: number; italic?: boolean } = {}): TextRun {
  // Typed as IRunOptions so that `bold` is read as the run property, not String.prototype.bold (TextRun also takes a string).
  const run: IRunOptions = { text: t, bold: opts.strong === true ? true : undefined, italics: opts.italic === true ? true : undefined, size: opts.size, font: FONT };
  return new TextRun(run);
}

/**
 * One Word cell. Borders follow a paper's layout: a heavy rule above the header, a light one under it,
 * a heavy one under the last row, nothing else.
 */
function wordCell(cell: Cell, index: number, opts: { header: boolean; bold: boolean; indent: boolean; top?: number; bottom?: number }): TableCell {
  const c = cellOf(cell);
  const borders: ITableCellBorders = {
    top: opts.top === undefined ? NONE : rule(opts.top),
    bottom: opts.bottom === undefined ? NONE : rule(opts.bottom),
    left: NONE,
    right: NONE,
  };
  return new TableCell({
    columnSpan: c.colspan !== undefined && c.colspan > 1 ? c.colspan : undefined,
    borders,
    margins: { top: 30, bottom: 30, left: 80, right: 80 },
    children: [
      new Paragraph({
        alignment: ALIGN[cellAlign(c, index)],
        indent: opts.indent && index === 0 ? { left: 280 } : undefined,
        children: [text(c.text, { strong: opts.header || opts.bold, size: SIZE_TABLE })],
      }),
    ],
  });
}

export function wordTable(t: PaperTable): (Paragraph | Table)[] {
  const lastHead = t.head.length - 1;
  const lastBody = t.body.length - 1;
  const head = t.head.map(
    (row, r) =>
      new TableRow({
        tableHeader: true,
        children: row.map((c, i) => wordCell(c, i, { header: true, bold: true, indent: false, top: r === 0 ? 12 : undefined, bottom: r === lastHead ? 6 : undefined })),
      }),
  );
  const body = t.body.map(
    (row: ModelRow, r) =>
      new TableRow({
        children: row.cells.map((c, i) =>
          wordCell(c, i, {
            header: false,
            bold: row.style === 'emphasis' || (row.style === 'group' && i === 0),
            indent: row.style === 'indent',
            bottom: r === lastBody ? 12 : undefined,
          }),
        ),
      }),
  );
  return [
    new Paragraph({ keepNext: true, spacing: { before: 240, after: 80 }, children: [text(t.caption, { strong: true })] }),
    new Table({ width: { size: 100, type: WidthType.PERCENTAGE }, rows: [...head, ...body] }),
    ...(t.notes ?? []).map((n) => new Paragraph({ spacing: { before: 40 }, children: [text(n, { size: SIZE_NOTE })] })),
  ];
}

function blockContent(b: Block, images: Map<Block, DocxImage>): (Paragraph | Table)[] {
  if ('table' in b) return wordTable(b.table);
  const img = images.get(b);
  return [
    new Paragraph({ keepNext: true, spacing: { before: 240, after: 80 }, children: [text(b.figure.title, { strong: true })] }),
    ...(img === undefined ? [] : [new Paragraph({ keepNext: true, children: [new ImageRun({ type: 'png', data: img.png, transformation: { width: img.width, height: img.height } })] })]),
    new Paragraph({ spacing: { after: 120 }, children: [text(b.figure.legend, { size: SIZE_NOTE })] }),
  ];
}

/** The Word file's bytes. `images` gives each figure block its PNG (figures without one print title and legend only). */
export async function renderDocx(d: ReportDocument, images: Map<Block, DocxImage>): Promise<Uint8Array> {
  const banner = d.synthetic
    ? [text('SYNTHETIC DATA. ', { strong: true }), text(SYNTHETIC_TEXT.slice('Synthetic data. '.length))]
    : [text(`Data supplied by the user${d.dataNote === undefined ? '' : `: ${d.dataNote}`}.`)];
  const children: (Paragraph | Table)[] = [
    new Paragraph({ heading: HeadingLevel.TITLE, children: [text(d.title, { strong: true, size: 36 })] }),
    ...(d.subtitle === undefined ? [] : [new Paragraph({ children: [text(d.subtitle, { italic: true })] })]),
    new Paragraph({ spacing: { before: 120, after: 120 }, border: { top: rule(6), bottom: rule(6), left: rule(6), right: rule(6) }, children: banner }),
    ...(d.synthetic && d.dataNote !== undefined ? [new Paragraph({ children: [text(`Data: ${d.dataNote}`)] })] : []),
  ];
  for (const s of d.sections) {
    if (s.heading) children.push(new Paragraph({ heading: HeadingLevel.HEADING_1, spacing: { before: 360 }, children: [text(s.title, { strong: true, size: 28 })] }));
    if (s.note !== undefined) children.push(new Paragraph({ spacing: { before: 120 }, children: [text(s.note)] }));
    for (const b of s.blocks) children.push(...blockContent(b, images));
  }
  const footer = `Generated by ${d.generator}.${d.synthetic ? ' Synthetic data: not for clinical use.' : ''}`;
  const doc = new Document({
    creator: d.generator,
    title: d.title,
    styles: { default: { document: { run: { font: FONT, size: 20 } } } },
    sections: [
      {
        properties: { page: { size: { width: 11906, height: 16838 }, margin: { top: 1134, bottom: 1134, left: 1134, right: 1134 } } },
        footers: { default: new Footer({ children: [new Paragraph({ children: [text(footer, { size: SIZE_NOTE })] })] }) },
        children,
      },
    ],
  });
  return stableZip(await Packer.toBuffer(doc));
}

/** The zip format's earliest date: every entry's time and the document's dates are set to it. */
const EPOCH = new Date(1980, 0, 1, 0, 0, 0);
const EPOCH_W3C = '1980-01-01T00:00:00Z';

/**
 * The same zip with fixed dates: every entry's modification time, and docProps/core.xml's
 * dcterms:created / dcterms:modified. Entries keep their order ([Content_Types].xml first).
 */
export function stableZip(bytes: Uint8Array): Uint8Array {
  const entries = unzipSync(bytes);
  const out: Zippable = {};
  for (const [name, data] of Object.entries(entries)) {
    let content = data;
    if (name === 'docProps/core.xml') {
      content = strToU8(strFromU8(data).replace(/(<dcterms:(created|modified)[^>]*>)[^<]*(<\/dcterms:\2>)/g, `$1${EPOCH_W3C}$3`));
    }
    // Images are PNG, already deflated: stored as they are rather than compressed a second time.
    out[name] = [content, { mtime: EPOCH, level: name.startsWith('word/media/') ? 0 : 6 }];
  }
  return zipSync(out);
}
