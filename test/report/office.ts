/**
 * Test helpers that read a report's files back as a user's software would: the Word file unzipped
 * (fflate) and its document.xml's tables read cell by cell; the HTML's tables read the same way; PNG
 * headers (IHDR width and height, pHYs resolution).
 */
import { strFromU8, unzipSync } from 'fflate';

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'" };
const unescape = (s: string): string => s.replace(/&(amp|lt|gt|quot|apos|#39);/g, (_, e: string) => ENTITIES[e]!);

/** A table read back: caption (HTML) and each row's cell texts. */
export interface ReadTable {
  readonly rows: string[][];
}

/** The Word file's parts by name; throws if it is not a zip. */
export function docxParts(bytes: Uint8Array): Record<string, string> {
  const entries = unzipSync(bytes);
  return Object.fromEntries(Object.entries(entries).filter(([n]) => n.endsWith('.xml') || n.endsWith('.rels')).map(([n, d]) => [n, strFromU8(d)]));
}

/** Every `<w:tbl>` of document.xml: per row (`w:tr`), per cell (`w:tc`), the text of its `w:t` runs. */
export function docxTables(documentXml: string): ReadTable[] {
  return [...documentXml.matchAll(/<w:tbl>([\s\S]*?)<\/w:tbl>/g)].map((t) => ({
    rows: [...t[1]!.matchAll(/<w:tr\b[^>]*>([\s\S]*?)<\/w:tr>/g)].map((r) =>
      [...r[1]!.matchAll(/<w:tc\b[^>]*>([\s\S]*?)<\/w:tc>/g)].map((c) => unescape([...c[1]!.matchAll(/<w:t\b[^>]*>([^<]*)<\/w:t>/g)].map((x) => x[1]!).join(''))),
    ),
  }));
}

/** Paragraph texts of document.xml outside tables, in order. */
export function docxParagraphs(documentXml: string): string[] {
  const outside = documentXml.replace(/<w:tbl>[\s\S]*?<\/w:tbl>/g, '');
  return [...outside.matchAll(/<w:p\b[^>]*>([\s\S]*?)<\/w:p>/g)].map((p) => unescape([...p[1]!.matchAll(/<w:t\b[^>]*>([^<]*)<\/w:t>/g)].map((x) => x[1]!).join('')));
}

/** Every `<table class="paper …">` of the HTML report: per row, per th/td, its text. */
export function htmlTables(html: string): (ReadTable & { caption: string })[] {
  return [...html.matchAll(/<table class="paper[^"]*">([\s\S]*?)<\/table>/g)].map((t) => ({
    caption: unescape(/<caption>([^<]*)<\/caption>/.exec(t[1]!)?.[1] ?? ''),
    rows: [...t[1]!.matchAll(/<tr\b[^>]*>([\s\S]*?)<\/tr>/g)].map((r) => [...r[1]!.matchAll(/<t[hd]\b[^>]*>([^<]*)<\/t[hd]>/g)].map((c) => unescape(c[1]!))),
  }));
}

/** A PNG's size and resolution from its header; throws if the bytes are not a PNG. */
export function pngInfo(bytes: Uint8Array): { width: number; height: number; dpi: number | undefined } {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (!sig.every((b, i) => bytes[i] === b)) throw new Error('not a PNG');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let dpi: number | undefined;
  for (let at = 8; at + 8 <= bytes.length; ) {
    const len = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (type === 'pHYs' && bytes[at + 16] === 1) dpi = Math.round(view.getUint32(at + 8) * 0.0254);
    if (type === 'IDAT') break;
    at += 12 + len;
  }
  return { width: view.getUint32(16), height: view.getUint32(20), dpi };
}

/** Each figure's file names and the pixel widths its PNGs must have (90/140/190 mm at 300 dpi). */
export const PNG_WIDTHS_300DPI = { single: 1063, onehalf: 1654, double: 2244 } as const;

/**
 * What every report with the default formats must hold: the Word file opens (unzips, its XML parts
 * are present), its tables have exactly the HTML tables' cells, each caption precedes its table, and
 * every figure exists as SVG naming the bundled font and as PNG at each journal width at 300 dpi.
 * `read` gives a file's bytes by name (from an outputs folder or a result's `files`).
 */
export function checkReportFiles(read: (name: string) => Uint8Array | undefined): { tables: number; figures: number } {
  const htmlBytes = read('report.html');
  const docx = read('report.docx');
  if (htmlBytes === undefined || docx === undefined) throw new Error('report.html or report.docx is missing');
  const html = strFromU8(htmlBytes);
  const parts = docxParts(docx);
  for (const p of ['[Content_Types].xml', 'word/document.xml', 'word/styles.xml', 'docProps/core.xml']) if (parts[p] === undefined) throw new Error(`report.docx has no ${p}`);
  const fromHtml = htmlTables(html);
  const fromWord = docxTables(parts['word/document.xml']!);
  if (fromHtml.length === 0) throw new Error('report.html has no tables');
  if (fromWord.length !== fromHtml.length) throw new Error(`report.docx has ${fromWord.length} tables, report.html ${fromHtml.length}`);
  fromHtml.forEach((t, i) => {
    const w = fromWord[i]!;
    if (JSON.stringify(w.rows) !== JSON.stringify(t.rows)) throw new Error(`table ${i + 1} ("${t.caption}") differs:\nWord ${JSON.stringify(w.rows)}\nHTML ${JSON.stringify(t.rows)}`);
  });
  const paragraphs = docxParagraphs(parts['word/document.xml']!);
  for (const t of fromHtml) if (!paragraphs.includes(t.caption)) throw new Error(`report.docx has no caption "${t.caption}"`);
  const figures = [...html.matchAll(/<svg xmlns="http:\/\/www.w3.org\/2000\/svg" class="figure /g)].length;
  for (let k = 1; k <= figures; k++) {
    const svg = read(`figure-${k}.svg`);
    if (svg === undefined || !strFromU8(svg).includes('font-family="&#39;DejaVu Sans&#39;')) throw new Error(`figure-${k}.svg is missing or does not name DejaVu Sans`);
    for (const [size, px] of Object.entries(PNG_WIDTHS_300DPI)) {
      const png = read(`figure-${k}-${size}-300dpi.png`);
      if (png === undefined) throw new Error(`figure-${k}-${size}-300dpi.png is missing`);
      const info = pngInfo(png);
      if (info.width !== px || info.dpi !== 300) throw new Error(`figure-${k}-${size}-300dpi.png is ${info.width} px at ${info.dpi ?? '?'} dpi, not ${px} px at 300 dpi`);
    }
  }
  return { tables: fromHtml.length, figures };
}
