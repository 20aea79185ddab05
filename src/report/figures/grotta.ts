/**
 * "Grotta bars": the distribution of the 90-day modified Rankin Scale by arm, one horizontal 100 %
 * stacked bar per arm, a segment per mRS category labelled with its percentage — the standard figure
 * of stroke trials (Grotta et al.; HERMES Figure 2).
 */
import { html, type SafeHtml } from '../html.js';
import { formatNumber } from '../format.js';
import { c, svgFigure } from '../svg.js';
import { MRS_COLOURS, MRS_TEXT } from './palette.js';

export interface GrottaGroup {
  /** The arm, e.g. "EVT" — printed with its n. */
  readonly label: string;
  /** Count per category, in category order. */
  readonly counts: readonly number[];
}

export interface GrottaInput {
  readonly title: string;
  /** Category labels in order, e.g. ["0", …, "6"]. */
  readonly categories: readonly string[];
  readonly groups: readonly GrottaGroup[];
  /** Axis/legend title, default "Modified Rankin Scale at 90 days". */
  readonly scaleLabel?: string;
}

const W = 640;
const M = { left: 130, right: 20, top: 58, bottom: 34 };
const BAR = 38;
const GAP = 18;

/** Colour index for category i of k (k ≤ 7 spreads over the mRS palette so the last is always "death"). */
function colourIndex(i: number, k: number): number {
  return k >= MRS_COLOURS.length ? Math.min(i, MRS_COLOURS.length - 1) : Math.round((i * (MRS_COLOURS.length - 1)) / Math.max(1, k - 1));
}

export function grottaSvg(input: GrottaInput): SafeHtml {
  const k = input.categories.length;
  const H = M.top + input.groups.length * (BAR + GAP) - GAP + M.bottom;
  const inner = W - M.left - M.right;

  // Legend across the top: one swatch per category.
  const step = inner / Math.max(1, k);
  const legend = html`<g class="legend"><text x="${c(M.left)}" y="14" font-size="13">${input.scaleLabel ?? 'Modified Rankin Scale at 90 days'}</text>${input.categories.map((cat, i) => {
    const ci = colourIndex(i, k);
    const lx = M.left + i * step;
    return html`<rect x="${c(lx)}" y="24" width="${c(step - 4)}" height="16" fill="${MRS_COLOURS[ci]}"/><text x="${c(lx + (step - 4) / 2)}" y="32" dy="0.35em" text-anchor="middle" fill="${MRS_TEXT[ci]}" font-weight="600">${cat}</text>`;
  })}</g>`;

  const bars = input.groups.map((g, gi) => {
    const total = g.counts.reduce((a, b) => a + b, 0);
    const top = M.top + gi * (BAR + GAP);
    let left = M.left;
    const segments = g.counts.map((n, i) => {
      const share = total > 0 ? n / total : 0;
      const w = share * inner;
      const ci = colourIndex(i, k);
      const x0 = left;
      left += w;
      // A label only where it fits (about 30 user units for "13.6").
      const label = w >= 30 ? html`<text x="${c(x0 + w / 2)}" y="${c(top + BAR / 2)}" dy="0.35em" text-anchor="middle" fill="${MRS_TEXT[ci]}" font-size="11">${formatNumber(share * 100, 1)}</text>` : '';
      return html`<rect class="segment" data-category="${input.categories[i] ?? String(i)}" x="${c(x0)}" y="${c(top)}" width="${c(w)}" height="${BAR}" fill="${MRS_COLOURS[ci]}" stroke="#fff" stroke-width="0.8"><title>${g.label}: mRS ${input.categories[i] ?? String(i)}, ${n} of ${total} (${formatNumber(share * 100, 1)}%)</title></rect>${label}`;
    });
    return html`<g class="bar" data-label="${g.label}"><text x="${c(M.left - 10)}" y="${c(top + BAR / 2 - 7)}" dy="0.35em" text-anchor="end" font-weight="600">${g.label}</text><text x="${c(M.left - 10)}" y="${c(top + BAR / 2 + 9)}" dy="0.35em" text-anchor="end" font-size="11" fill="#555">n = ${total}</text>${segments}</g>`;
  });

  const axisY = H - M.bottom + 8;
  const ticks = [0, 20, 40, 60, 80, 100].map(
    (t) => html`<line x1="${c(M.left + (t / 100) * inner)}" x2="${c(M.left + (t / 100) * inner)}" y1="${c(axisY)}" y2="${c(axisY + 4)}" stroke="#222"/><text x="${c(M.left + (t / 100) * inner)}" y="${c(axisY + 16)}" text-anchor="middle" font-size="11">${t}%</text>`,
  );
  const axis = html`<g class="axis axis-x"><line x1="${c(M.left)}" x2="${c(W - M.right)}" y1="${c(axisY)}" y2="${c(axisY)}" stroke="#222"/>${ticks}</g>`;
  return svgFigure({ width: W, height: H, label: input.title, description: 'Distribution of the modified Rankin Scale by arm, percentages of each arm', className: 'grotta' }, html`${legend}${bars}${axis}`);
}
