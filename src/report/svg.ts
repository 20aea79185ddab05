/**
 * Primitives shared by the report's figures: scales, tick choice, axes and the `<svg>` wrapper.
 * Figures are hand-written SVG (no charting library): four fixed chart types, full control over the
 * CI bands, log axes and dashed cut lines, no dependency, and byte-identical output across runs and
 * machines — coordinates are printed with `toFixed`, no ids are generated, no text is measured.
 */
import { html, type SafeHtml } from './html.js';
import { formatNumber } from './format.js';
import { FIGURE_FONT_FAMILY } from './figure-sizes.js';

/** A coordinate in SVG user units, rounded to 0.01 so that output bytes do not depend on float noise. */
export function c(x: number): string {
  const s = x.toFixed(2).replace(/\.?0+$/, '');
  return s === '-0' ? '0' : s;
}

export interface Scale {
  (x: number): number;
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
}

export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  const f = (x: number): number => r0 + (x - d0) * k;
  return Object.assign(f, { domain, range });
}

/** A log10 scale; `domain` must be positive. */
export function logScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const lin = linearScale([Math.log10(domain[0]), Math.log10(domain[1])], range);
  const f = (x: number): number => lin(Math.log10(x));
  return Object.assign(f, { domain, range });
}

/** Round ticks (1, 2 or 5 × 10^k steps) covering [lo, hi], about `count` of them (Heckbert's "nice numbers"). */
export function niceTicks(lo: number, hi: number, count = 5): { ticks: number[]; step: number } {
  if (!(hi > lo)) return { ticks: [lo], step: 1 };
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
  const ticks: number[] = [];
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  // Multiply rather than accumulate, and round away float noise (3 × 0.2 = 0.6000000000000001); `+ 0` turns −0 into 0.
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)) + 0);
  return { ticks, step };
}

/** The domain [lo, hi] widened to the nice ticks around it. */
export function niceDomain(lo: number, hi: number, count = 5): [number, number] {
  const { step } = niceTicks(lo, hi, count);
  return [Math.floor(lo / step + 1e-9) * step, Math.ceil(hi / step - 1e-9) * step];
}

/** Decimals needed to print ticks `step` apart. */
export function tickDigits(step: number): number {
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

/** Ticks for a log axis over a positive domain: the 1–2–5 sequence, thinned to 1–10 when the span is wide. */
export function logTicks(lo: number, hi: number): number[] {
  const decades = Math.log10(hi / lo);
  const mantissas = decades > 2.5 ? [1] : decades > 1.2 ? [1, 2, 5] : [1, 1.5, 2, 3, 5, 7];
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)) - 1; e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of mantissas) {
      const t = Number((m * 10 ** e).toPrecision(12));
      if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9)) out.push(t);
    }
  }
  return out;
}

/** A tick label for a log axis: as few decimals as the value needs (0.25, 0.5, 1, 2). */
export function logTickLabel(t: number): string {
  for (let d = 0; d <= 4; d++) if (Math.abs(Number(t.toFixed(d)) - t) < 1e-9 * t) return formatNumber(t, d);
  return formatNumber(t, 4);
}

/** The bundled open-licence font first (raster.ts renders PNGs with it alone), then look-alikes for a browser without it. */
export const FONT = `'${FIGURE_FONT_FAMILY}', Verdana, sans-serif`;
export const INK = '#222';
export const GRID = '#e3e3e3';

/**
 * The outer `<svg>`: a fixed viewBox that scales with the page, an accessible title and description.
 * `label` is the figure's title (user text, escaped).
 */
export function svgFigure(opts: { width: number; height: number; label: string; description?: string; className: string }, body: SafeHtml): SafeHtml {
  return html`<svg xmlns="http://www.w3.org/2000/svg" class="figure ${opts.className}" viewBox="0 0 ${opts.width} ${opts.height}" width="${opts.width}" height="${opts.height}" role="img" aria-label="${opts.label}" font-family="${FONT}" font-size="12" fill="${INK}"><title>${opts.label}</title>${
    opts.description === undefined ? '' : html`<desc>${opts.description}</desc>`
  }${body}</svg>`;
}

/** A horizontal axis at y = `y` with ticks and labels, and an optional title centred below. */
export function bottomAxis(scale: Scale, ticks: readonly number[], label: (t: number) => string, y: number, title?: string, gridTop?: number): SafeHtml {
  const [r0, r1] = scale.range;
  const parts = ticks.map((t) => {
    const x = c(scale(t));
    return html`${gridTop === undefined ? '' : html`<line class="grid" x1="${x}" x2="${x}" y1="${c(gridTop)}" y2="${c(y)}" stroke="${GRID}"/>`}<line x1="${x}" x2="${x}" y1="${c(y)}" y2="${c(y + 5)}" stroke="${INK}"/><text x="${x}" y="${c(y + 18)}" text-anchor="middle">${label(t)}</text>`;
  });
  const titleSvg = title === undefined ? '' : html`<text class="axis-title" x="${c((r0 + r1) / 2)}" y="${c(y + 38)}" text-anchor="middle" font-size="13">${title}</text>`;
  return html`<g class="axis axis-x">${parts}<line x1="${c(Math.min(r0, r1))}" x2="${c(Math.max(r0, r1))}" y1="${c(y)}" y2="${c(y)}" stroke="${INK}"/>${titleSvg}</g>`;
}

/** A vertical axis at x = `x` with ticks, labels, horizontal grid lines to `gridRight`, and a rotated title. */
export function leftAxis(scale: Scale, ticks: readonly number[], label: (t: number) => string, x: number, title?: string, gridRight?: number): SafeHtml {
  const [r0, r1] = scale.range;
  const parts = ticks.map((t) => {
    const y = c(scale(t));
    return html`${gridRight === undefined ? '' : html`<line class="grid" x1="${c(x)}" x2="${c(gridRight)}" y1="${y}" y2="${y}" stroke="${GRID}"/>`}<line x1="${c(x - 5)}" x2="${c(x)}" y1="${y}" y2="${y}" stroke="${INK}"/><text x="${c(x - 8)}" y="${y}" dy="0.32em" text-anchor="end">${label(t)}</text>`;
  });
  const mid = (r0 + r1) / 2;
  const titleSvg = title === undefined ? '' : html`<text class="axis-title" transform="translate(${c(x - 46)},${c(mid)}) rotate(-90)" text-anchor="middle" font-size="13">${title}</text>`;
  return html`<g class="axis axis-y">${parts}<line x1="${c(x)}" x2="${c(x)}" y1="${c(Math.min(r0, r1))}" y2="${c(Math.max(r0, r1))}" stroke="${INK}"/>${titleSvg}</g>`;
}

/** A polyline path `M x y L x y …` through points (skipping non-finite ones by starting a new segment). */
export function pathThrough(points: readonly (readonly [number, number])[]): string {
  let d = '';
  let pen = false;
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${c(x)} ${c(y)}`;
    pen = true;
  }
  return d;
}
