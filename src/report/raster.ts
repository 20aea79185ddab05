/**
 * Figure files: each figure as a standalone SVG and as PNG at journal column widths.
 *
 * Text is set in DejaVu Sans (open licence: Bitstream Vera licence + public domain changes), shipped
 * in the pinned npm package `dejavu-fonts-ttf`: the SVG names it first (svg.ts's FONT), and the
 * rasteriser (@resvg/resvg-js, pinned) loads only those font files and never the machine's fonts, so a
 * PNG's bytes do not depend on what is installed where it was made. Each PNG carries its resolution
 * (a pHYs chunk), so Word and journal systems place it at its physical width.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { renderAsync } from '@resvg/resvg-js';

import { FIGURE_FONT_FAMILY } from './figure-sizes.js';

let fontFiles: string[] | undefined;
/** Regular and bold DejaVu Sans from the installed package (figures use font-weight 600 for headings). */
export function bundledFontFiles(): string[] {
  if (fontFiles === undefined) {
    const dir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
    fontFiles = [join(dir, 'DejaVuSans.ttf'), join(dir, 'DejaVuSans-Bold.ttf')];
  }
  return fontFiles;
}

/** The SVG rendered `px` pixels wide on white, with the bundled font only, as PNG bytes stamped with `dpi`. */
export async function rasterise(svg: string, px: number, dpi: number): Promise<Uint8Array> {
  const image = await renderAsync(svg, {
    fitTo: { mode: 'width', value: px },
    background: '#ffffff',
    font: { loadSystemFonts: false, fontFiles: bundledFontFiles(), defaultFontFamily: FIGURE_FONT_FAMILY, sansSerifFamily: FIGURE_FONT_FAMILY },
    logLevel: 'off',
  });
  return withResolution(image.asPng(), dpi);
}

const u32 = (n: number): Uint8Array => new Uint8Array([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);

/**
 * Inserts a pHYs chunk (PNG spec §11.3.5.3: pixels per metre on x and y, unit 1 = metre) right after
 * IHDR, the chunk that always comes first (8-byte signature, then IHDR's 25 bytes).
 */
export function withResolution(png: Uint8Array, dpi: number): Uint8Array {
  const ppm = Math.round(dpi / 0.0254);
  const body = new Uint8Array([...new TextEncoder().encode('pHYs'), ...u32(ppm), ...u32(ppm), 1]);
  const chunk = new Uint8Array([...u32(9), ...body, ...u32(crc32(body))]);
  const at = 8 + 25;
  const out = new Uint8Array(png.length + chunk.length);
  out.set(png.subarray(0, at), 0);
  out.set(chunk, at);
  out.set(png.subarray(at), at + chunk.length);
  return out;
}
