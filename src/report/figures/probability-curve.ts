/**
 * Adjusted probability of a good outcome (mRS 0–2) against follow-up infarct volume, with its 95 %
 * pointwise confidence band and a dashed vertical line at the volume cut (80 mL in HERMES), as in
 * the figure of the HERMES volume-delta analysis. Several curves (e.g. by imaging modality) may be
 * overlaid, each with its own band.
 */
import { html, type SafeHtml } from '../html.js';
import { formatNumber } from '../format.js';
import { bottomAxis, c, leftAxis, linearScale, niceDomain, niceTicks, pathThrough, svgFigure, tickDigits } from '../svg.js';
import { PALETTE } from './palette.js';

export interface CurvePoint {
  /** Volume (mL). */
  readonly x: number;
  /** Adjusted probability (0..1). */
  readonly p: number;
  readonly low: number;
  readonly high: number;
}

export interface CurveSeries {
  readonly label: string;
  readonly points: readonly CurvePoint[];
}

export interface ProbabilityCurveInput {
  readonly title: string;
  readonly series: readonly CurveSeries[];
  /** Where to draw the dashed cut line (mL); omitted: no line. */
  readonly cut?: number | undefined;
  readonly xLabel?: string;
  readonly yLabel?: string;
}

const W = 640;
const H = 380;
const M = { left: 66, right: 20, top: 24, bottom: 56 };

export function probabilityCurveSvg(input: ProbabilityCurveInput): SafeHtml {
  const all = input.series.flatMap((s) => s.points.filter((pt) => Number.isFinite(pt.x)));
  const xmax = all.reduce((m, pt) => Math.max(m, pt.x), input.cut ?? 0);
  const xmin = all.reduce((m, pt) => Math.min(m, pt.x), 0);
  const [x0, x1] = niceDomain(xmin, xmax > xmin ? xmax : xmin + 1, 8);
  const x = linearScale([x0, x1], [M.left, W - M.right]);
  const y = linearScale([0, 1], [H - M.bottom, M.top]);
  const xt = niceTicks(x0, x1, 8);
  const xd = tickDigits(xt.step);
  const clamp = (v: number): number => Math.min(1, Math.max(0, v));

  const curves = input.series.map((s, i) => {
    const colour = PALETTE[i % PALETTE.length]!;
    const pts = s.points.filter((pt) => Number.isFinite(pt.x)).slice().sort((a, b) => a.x - b.x);
    const upper = pts.map((pt) => [x(pt.x), y(clamp(pt.high))] as const);
    const lower = pts.map((pt) => [x(pt.x), y(clamp(pt.low))] as const).reverse();
    const bandOk = pts.every((pt) => Number.isFinite(pt.low) && Number.isFinite(pt.high));
    const band = bandOk && pts.length > 1 ? html`<path class="ci-band" d="${pathThrough(upper)}${pathThrough(lower).replace(/^M/, 'L')}Z" fill="${colour}" fill-opacity="0.18" stroke="none"/>` : '';
    const line = html`<path class="curve" d="${pathThrough(pts.map((pt) => [x(pt.x), y(clamp(pt.p))] as const))}" fill="none" stroke="${colour}" stroke-width="2"/>`;
    return html`<g class="series" data-label="${s.label}">${band}${line}</g>`;
  });

  // The cut's label sits right of the line, or left of it when the line is near the right edge.
  const cutX = input.cut === undefined ? 0 : x(input.cut);
  const labelLeft = cutX > W - M.right - 50;
  const cut =
    input.cut === undefined
      ? ''
      : html`<g class="cut"><line x1="${c(cutX)}" x2="${c(cutX)}" y1="${c(M.top)}" y2="${c(H - M.bottom)}" stroke="#555" stroke-width="1.2" stroke-dasharray="6 4"/><text x="${c(labelLeft ? cutX - 5 : cutX + 5)}" y="${c(H - M.bottom - 8)}" text-anchor="${labelLeft ? 'end' : 'start'}" font-size="11" fill="#555">${formatNumber(input.cut, 0)} mL</text></g>`;

  const legend =
    input.series.length > 1
      ? html`<g class="legend">${input.series.map((s, i) => {
          const ly = M.top + 8 + i * 18;
          const lx = W - M.right - 150;
          return html`<rect x="${c(lx)}" y="${c(ly - 6)}" width="14" height="12" fill="${PALETTE[i % PALETTE.length]}" fill-opacity="0.6"/><text x="${c(lx + 20)}" y="${c(ly)}" dy="0.32em">${s.label}</text>`;
        })}</g>`
      : '';

  const body = html`${leftAxis(y, [0, 0.2, 0.4, 0.6, 0.8, 1], (t) => `${formatNumber(t * 100, 0)}%`, M.left, input.yLabel ?? 'Adjusted probability of mRS 0–2', W - M.right)}${bottomAxis(
    x,
    xt.ticks,
    (t) => formatNumber(t, xd),
    H - M.bottom,
    input.xLabel ?? 'Follow-up infarct volume (mL)',
  )}${curves}${cut}${legend}`;
  return svgFigure({ width: W, height: H, label: input.title, description: 'Adjusted probability with 95% pointwise confidence band', className: 'probability-curve' }, body);
}
