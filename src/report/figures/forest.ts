/**
 * Forest plot of (common) odds ratios with their 95 % CIs on a log axis: one row per estimate, a
 * square at the OR, a line for the CI, a solid reference line at OR = 1, and the numbers printed in a
 * right-hand column. Rows without an estimate are printed as group headings.
 */
import { html, type SafeHtml } from '../html.js';
import { formatEstimateCi, orDigits } from '../format.js';
import { c, GRID, INK, logScale, logTickLabel, logTicks, svgFigure } from '../svg.js';

export interface ForestRow {
  readonly label: string;
  /** Undefined for a heading row. */
  readonly estimate?: number | undefined;
  readonly low?: number | undefined;
  readonly high?: number | undefined;
}

export interface ForestInput {
  readonly title: string;
  readonly rows: readonly ForestRow[];
  /** Axis title, default "Odds ratio (95% CI), log scale". */
  readonly xLabel?: string;
  /** Header of the numbers column, default "OR (95% CI)". */
  readonly valueHeader?: string;
  /** Notes under the axis either side of 1, e.g. "Favours control" / "Favours EVT". */
  readonly leftNote?: string | undefined;
  readonly rightNote?: string | undefined;
}

const W = 720;
const ROW = 26;
const M = { left: 250, right: 150, top: 34, bottom: 62 };

const positive = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v) && v > 0;

export function forestSvg(input: ForestInput): SafeHtml {
  const H = M.top + Math.max(1, input.rows.length) * ROW + M.bottom;
  const values = input.rows.flatMap((r) => [r.estimate, r.low, r.high].filter(positive));
  let lo = Math.min(1, ...values);
  let hi = Math.max(1, ...values);
  // Pad the domain by 10 % of its log-width on each side so no square sits on the frame.
  const pad = Math.max(0.05, 0.1 * Math.log10(hi / lo));
  lo = lo / 10 ** pad;
  hi = hi * 10 ** pad;
  const x = logScale([lo, hi], [M.left, W - M.right]);
  const plotBottom = M.top + input.rows.length * ROW;
  const ticks = logTicks(lo, hi);

  const grid = ticks.map((t) => html`<line class="grid" x1="${c(x(t))}" x2="${c(x(t))}" y1="${c(M.top - 6)}" y2="${c(plotBottom)}" stroke="${GRID}"/>`);
  const ref = html`<line class="reference" x1="${c(x(1))}" x2="${c(x(1))}" y1="${c(M.top - 6)}" y2="${c(plotBottom)}" stroke="${INK}" stroke-width="1"/>`;
  const header = html`<text x="8" y="${c(M.top - 14)}" font-weight="600">Estimate</text><text x="${c(W - M.right + 10)}" y="${c(M.top - 14)}" font-weight="600">${input.valueHeader ?? 'OR (95% CI)'}</text>`;

  const rows = input.rows.map((r, i) => {
    const yMid = M.top + i * ROW + ROW / 2;
    if (!positive(r.estimate)) {
      return html`<g class="row heading"><text x="8" y="${c(yMid)}" dy="0.35em" font-weight="600">${r.label}</text></g>`;
    }
    const ci = positive(r.low) && positive(r.high) ? html`<line class="ci" x1="${c(x(r.low))}" x2="${c(x(r.high))}" y1="${c(yMid)}" y2="${c(yMid)}" stroke="${INK}" stroke-width="1.5"/>` : '';
    const est = x(r.estimate);
    return html`<g class="row"><text x="18" y="${c(yMid)}" dy="0.35em">${r.label}</text>${ci}<rect class="point" x="${c(est - 5)}" y="${c(yMid - 5)}" width="10" height="10" fill="#0072B2"/><text x="${c(W - M.right + 10)}" y="${c(yMid)}" dy="0.35em">${formatEstimateCi(r.estimate, r.low, r.high, orDigits(r.low, r.high))}</text></g>`;
  });

  const axisY = plotBottom + 4;
  const axis = html`<g class="axis axis-x"><line x1="${c(M.left)}" x2="${c(W - M.right)}" y1="${c(axisY)}" y2="${c(axisY)}" stroke="${INK}"/>${ticks.map(
    (t) => html`<line x1="${c(x(t))}" x2="${c(x(t))}" y1="${c(axisY)}" y2="${c(axisY + 5)}" stroke="${INK}"/><text x="${c(x(t))}" y="${c(axisY + 18)}" text-anchor="middle">${logTickLabel(t)}</text>`,
  )}<text class="axis-title" x="${c((M.left + W - M.right) / 2)}" y="${c(axisY + 36)}" text-anchor="middle" font-size="13">${input.xLabel ?? 'Odds ratio (95% CI), log scale'}</text></g>`;
  const notes = html`${input.leftNote === undefined ? '' : html`<text x="${c(x(1) - 8)}" y="${c(axisY + 52)}" text-anchor="end" font-size="11" fill="#555">← ${input.leftNote}</text>`}${
    input.rightNote === undefined ? '' : html`<text x="${c(x(1) + 8)}" y="${c(axisY + 52)}" font-size="11" fill="#555">${input.rightNote} →</text>`
  }`;
  return svgFigure({ width: W, height: H, label: input.title, description: 'Odds ratios with 95% confidence intervals on a logarithmic axis', className: 'forest' }, html`${grid}${ref}${header}${rows}${axis}${notes}`);
}
