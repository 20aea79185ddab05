/**
 * Journal figure sizes and the font figures are set in (no imports: the report's parameters and the
 * schema read these without loading the rasteriser).
 */

/** Journal figure widths (mm): one column, one and a half, two columns (e.g. Stroke, Lancet, NEJM). */
export const FIGURE_WIDTHS_MM = { single: 90, onehalf: 140, double: 190 } as const;
export type FigureSize = keyof typeof FIGURE_WIDTHS_MM;
export const FIGURE_SIZES = Object.keys(FIGURE_WIDTHS_MM) as FigureSize[];
export const FIGURE_DPIS = [300, 600] as const;
export type FigureDpi = (typeof FIGURE_DPIS)[number];

/** The bundled open-licence font (raster.ts), named first in every figure's font-family (svg.ts). */
export const FIGURE_FONT_FAMILY = 'DejaVu Sans';

/** Pixels across for a width in mm at a resolution: 90 mm at 300 dpi = 1063 px (rounded). */
export function widthPx(mm: number, dpi: number): number {
  return Math.round((mm / 25.4) * dpi);
}
