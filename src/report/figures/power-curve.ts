/**
 * Power against the total sample size of a trial, one colour per test: the closed-form power as a line,
 * the simulated power as dots with ±2 Monte-Carlo SE bars, and dashed horizontal lines at the target
 * powers — the figure a design report shows for each effect.
 */
import { html, type SafeHtml } from '../html.js';
import { formatNumber } from '../format.js';
import { bottomAxis, c, leftAxis, linearScale, niceDomain, niceTicks, pathThrough, svgFigure, tickDigits } from '../svg.js';
import { PALETTE } from './palette.js';

export interface PowerSeries {
  readonly label: string;
  /** (N, closed-form power), ascending in N. */
  readonly line: readonly (readonly [number, number])[];
  /** Simulated power with its Monte-Carlo SE. */
  readonly points: readonly { readonly n: number; readonly power: number; readonly se: number }[];
}

export interface PowerCurveInput {
  readonly title: string;
  readonly series: readonly PowerSeries[];
  /** Target powers (dashed lines). */
  readonly targets: readonly number[];
}

const W = 720;
const H = 380;
const M = { left: 66, right: 196, top: 24, bottom: 56 };

export function powerCurveSvg(input: PowerCurveInput): SafeHtml {
  const xs = input.series.flatMap((s) => [...s.line.map(([n]) => n), ...s.points.map((p) => p.n)]).filter(Number.isFinite);
  const [x0, x1] = niceDomain(Math.min(0, ...xs), Math.max(1, ...xs), 8);
  const x = linearScale([x0, x1], [M.left, W - M.right]);
  const y = linearScale([0, 1], [H - M.bottom, M.top]);
  const xt = niceTicks(x0, x1, 8);
  const xd = tickDigits(xt.step);
  const clamp = (v: number): number => Math.min(1, Math.max(0, v));
  const targets = input.targets.map((t) => html`<line class="target" x1="${c(M.left)}" x2="${c(W - M.right)}" y1="${c(y(t))}" y2="${c(y(t))}" stroke="#555" stroke-width="1" stroke-dasharray="6 4"/>`);
  const series = input.series.map((s, i) => {
    const colour = PALETTE[i % PALETTE.length]!;
    const line = html`<path class="closed-form" d="${pathThrough(s.line.map(([n, p]) => [x(n), y(clamp(p))] as const))}" fill="none" stroke="${colour}" stroke-width="2"/>`;
    const dots = s.points.map((p) => {
      const cx = c(x(p.n));
      return html`<line x1="${cx}" x2="${cx}" y1="${c(y(clamp(p.power - 2 * p.se)))}" y2="${c(y(clamp(p.power + 2 * p.se)))}" stroke="${colour}" stroke-width="1"/><circle cx="${cx}" cy="${c(y(clamp(p.power)))}" r="2.6" fill="${colour}"/>`;
    });
    return html`<g class="series" data-label="${s.label}">${line}${dots}</g>`;
  });
  const legend = html`<g class="legend">${input.series.map((s, i) => {
    const ly = M.top + 8 + i * 18;
    const lx = W - M.right + 14;
    return html`<line x1="${c(lx)}" x2="${c(lx + 16)}" y1="${c(ly)}" y2="${c(ly)}" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="2"/><text x="${c(lx + 22)}" y="${c(ly)}" dy="0.32em">${s.label}</text>`;
  })}</g>`;
  const body = html`${leftAxis(y, [0, 0.2, 0.4, 0.6, 0.8, 1], (t) => `${formatNumber(t * 100, 0)}%`, M.left, 'Power', W - M.right)}${bottomAxis(x, xt.ticks, (t) => formatNumber(t, xd), H - M.bottom, 'Total sample size (both arms)')}${targets}${series}${legend}`;
  return svgFigure({ width: W, height: H, label: input.title, description: 'Power against total sample size: lines closed-form, dots simulated with ±2 Monte-Carlo SE', className: 'power-curve' }, body);
}
