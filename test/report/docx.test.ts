/**
 * The report's Word and figure files (src/report/files.ts, docx.ts, raster.ts), from the sample report
 * built by the real kinds: the Word file unzips and its every table cell equals the HTML's, figures
 * exist as SVG and PNG at journal widths (90 mm at 300 dpi = 1063 px), and the bytes are the same on
 * a second build.
 */
import { describe, expect, it } from 'vitest';
import { report } from '../../src/nodes/report.js';
import { reportFiles, reportMarkdown } from '../../src/report/files.js';
import { buildReport } from '../../src/report/build.js';
import { stableZip } from '../../src/report/docx.js';
import { testContext } from '../support/context.js';
import { sampleInputs, sampleParams } from './sample.js';
import { checkReportFiles, docxParagraphs, docxParts, docxTables, htmlTables, pngInfo } from './office.js';
import { strToU8, unzipSync, zipSync } from 'fflate';

async function files(params = sampleParams()): Promise<Map<string, Uint8Array>> {
  const a = await report.run(params, await sampleInputs(), testContext({ step: 'report' }));
  if (a.type !== 'result') throw new Error('expected a result');
  const own = a.value.files as Record<string, string | { base64: string }>;
  return new Map(Object.entries(own).map(([n, c]) => [n, typeof c === 'string' ? strToU8(c) : new Uint8Array(Buffer.from(c.base64, 'base64'))]));
}

describe('report.docx and figure files', () => {
  it('every Word table has the HTML table’s cells; every figure is an SVG and a PNG at each journal width', async () => {
    const f = await files();
    const { tables, figures } = checkReportFiles((n) => f.get(n));
    expect(tables).toBeGreaterThanOrEqual(7);
    expect(figures).toBe(4);
  });

  it('the check fails when one Word cell differs from the HTML (it can fail)', async () => {
    const f = await files();
    const entries = unzipSync(f.get('report.docx')!);
    const doc = new TextDecoder().decode(entries['word/document.xml']);
    const cell = /<w:tc>[\s\S]*?<w:t xml:space="preserve">([^<]+)<\/w:t>/.exec(doc.slice(doc.indexOf('<w:tbl>')))!;
    entries['word/document.xml'] = strToU8(doc.replace(`>${cell[1]!}</w:t>`, `>${cell[1]!}x</w:t>`));
    const broken = new Map(f).set('report.docx', zipSync(entries));
    expect(() => checkReportFiles((n) => broken.get(n))).toThrow(/differs/);
  });

  it('a spanning header cell is one Word cell spanning the same columns', async () => {
    const f = await files();
    const xml = docxParts(f.get('report.docx')!)['word/document.xml']!;
    expect(xml).toMatch(/<w:gridSpan w:val="2"\/>/);
    const model = docxTables(xml).find((t) => t.rows[1]?.[0] === 'Term');
    expect(model?.rows[0]?.length).toBeLessThan(model!.rows[1]!.length);
  });

  it('the Word file says the data are synthetic and carries no timestamp', async () => {
    const f = await files();
    const parts = docxParts(f.get('report.docx')!);
    expect(docxParagraphs(parts['word/document.xml']!).some((p) => p.startsWith('SYNTHETIC DATA.'))).toBe(true);
    expect(parts['docProps/core.xml']).toContain('<dcterms:created xsi:type="dcterms:W3CDTF">1980-01-01T00:00:00Z</dcterms:created>');
  });

  it('two builds give the same bytes, file for file', async () => {
    const a = await files();
    const b = await files();
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [n, bytes] of a) expect(Buffer.compare(Buffer.from(bytes), Buffer.from(b.get(n)!)), n).toBe(0);
  });

  it('stableZip sets every entry to the same date, whatever the time it was zipped', () => {
    const one = zipSync({ 'a.xml': [strToU8('<a/>'), { mtime: new Date(2020, 5, 1) }] });
    const two = zipSync({ 'a.xml': [strToU8('<a/>'), { mtime: new Date(2024, 1, 2) }] });
    expect(Buffer.compare(Buffer.from(one), Buffer.from(two))).not.toBe(0);
    expect(Buffer.compare(Buffer.from(stableZip(one)), Buffer.from(stableZip(two)))).toBe(0);
  });

  it('formats chooses the files; png: {sizes, dpi} the PNGs (90 mm at 600 dpi = 2126 px)', async () => {
    const f = await files({ ...sampleParams(), formats: ['png', 'md'], png: { sizes: ['single'], dpi: [600] } });
    expect([...f.keys()].sort()).toEqual(['figure-1-single-600dpi.png', 'figure-2-single-600dpi.png', 'figure-3-single-600dpi.png', 'figure-4-single-600dpi.png', 'report.md', 'summary.md']);
    const info = pngInfo(f.get('figure-1-single-600dpi.png')!);
    expect(info).toMatchObject({ width: 2126, dpi: 600 });
    expect(info.height).toBeGreaterThan(500);
  });

  it('report.md holds every table of the HTML, cell for cell', async () => {
    const inputs = await sampleInputs();
    const built = buildReport({ params: { ...sampleParams(), synthetic: true }, inputs, generator: 'test' });
    const md = reportMarkdown(built.document);
    for (const t of htmlTables(built.html)) {
      expect(md).toContain(`**${t.caption}**`);
      const last = t.rows[t.rows.length - 1]!;
      expect(md).toContain(last.slice(1).filter((c) => c !== '').join(' | '));
    }
    const m = await reportFiles(built.document, built.html, built.markdown, { formats: ['md'] });
    expect(m.get('report.md')).toBe(md);
  });
});
