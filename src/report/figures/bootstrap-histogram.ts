/**
 * Histogram of a bootstrap distribution (the proportion of the EVT effect explained by volume), with
 * the point estimate as a solid line and the 95 % CI as dashed lines over a shaded interval.
 */
import { html, type SafeHtml } from '../html.js';
import { formatNumber } from '../format.js';
import { bottomAxis, c, INK, leftAxis, linearScale, niceDomain, niceTicks, svgFigure, tickDigits } from '../svg.js';

export interface BootstrapHistogramInput {
  readonly title: string;
  /** The replicate estimates (failed replicates excluded; non-finite values are ignored). */
  readonly values: readonly number[] | Float64Array;
  readonly estimate?: number | undefined;
  readonly low?: number | undefined;
  readonly high?: number | undefined;
  /** Show values as percentages (proportions × 100). */
  readonly percent?: boolean;
  readonly xLabel?: string;
  /** Number of bins; default by the Freedman–Diaconis rule, between 10 and 60. */
  readonly bins?: number;
}

const W = 640;
const H = 340;
const M = { left: 66, right: 20, top: 24, bottom: 56 };

/** Equal-width bins over the nice domain; counts per bin (the last bin closed on the right). */
export function binValues(sorted: Float64Array, lo: number, hi: number, k: number): number[] {
  const counts = new Array<number>(k).fill(0);
  const width = (hi - lo) / k;
  for (const v of sorted) {
    const b = Math.min(k - 1, Math.max(0, Math.floor((v - lo) / width)));
    counts[b]! += 1;
  }
  return counts;
}

/** Freedman–Diaconis bin count: width 2·IQR·n^(−1/3), clamped to [10, 60]. */
export function fdBins(sorted: Float64Array, lo: number, hi: number): number {
  const n = sorted.length;
  if (n < 2) return 10;
  const q = (p: number): number => {
    const h = (n - 1) * p;
    const i = Math.floor(h);
    return sorted[i]! + (h - i) * ((sorted[Math.min(i + 1, n - 1)] ?? sorted[i]!) - sorted[i]!);
  };
  const iqr = q(0.75) - q(0.25);
  if (!(iqr > 0)) return 10;
  return Math.min(60, Math.max(10, Math.round((hi - lo) / (2 * iqr * n ** (-1 / 3)))));
}

export function bootstrapHistogramSvg(input: BootstrapHistogramInput): SafeHtml {
  const k0 = input.percent === true ? 100 : 1;
  const vals = Float64Array.from(Array.from(input.values).filter((v) => Number.isFinite(v)), (v) => v * k0).sort();
  const marks = [input.estimate, input.low, input.high].filter((v): v is number => v !== undefined && Number.isFinite(v)).map((v) => v * k0);
  const lo0 = Math.min(...(vals.length > 0 ? [vals[0]!] : [0]), ...marks);
  const hi0 = Math.max(...(vals.length > 0 ? [vals[vals.length - 1]!] : [1]), ...marks);
  const [lo, hi] = niceDomain(lo0, hi0 > lo0 ? hi0 : lo0 + 1, 8);
  const k = input.bins ?? fdBins(vals, lo, hi);
  const counts = binValues(vals, lo, hi, k);
  const maxCount = Math.max(1, ...counts);
  const x = linearScale([lo, hi], [M.left, W - M.right]);
  const yTop = niceDomain(0, maxCount, 5)[1];
  const y = linearScale([0, yTop], [H - M.bottom, M.top]);
  const width = (hi - lo) / k;
  const xt = niceTicks(lo, hi, 8);
  const xd = tickDigits(xt.step);

  const shade =
    input.low !== undefined && input.high !== undefined && Number.isFinite(input.low) && Number.isFinite(input.high)
      ? html`<rect class="ci-interval" x="${c(x(input.low * k0))}" y="${c(M.top)}" width="${c(x(input.high * k0) - x(input.low * k0))}" height="${c(H - M.bottom - M.top)}" fill="#0072B2" fill-opacity="0.08"/>`
      : '';
  const bars = counts.map((n, i) =>
    n === 0 ? '' : html`<rect class="bin" x="${c(x(lo + i * width))}" y="${c(y(n))}" width="${c(x(lo + (i + 1) * width) - x(lo + i * width))}" height="${c(y(0) - y(n))}" fill="#8fb8de" stroke="#fff" stroke-width="0.6"/>`,
  );
  const vline = (v: number | undefined, cls: string, dash: string, label: string): SafeHtml | '' =>
    v === undefined || !Number.isFinite(v)
      ? ''
      : html`<g class="${cls}"><line x1="${c(x(v * k0))}" x2="${c(x(v * k0))}" y1="${c(M.top)}" y2="${c(H - M.bottom)}" stroke="${cls === 'estimate' ? INK : '#0072B2'}" stroke-width="1.6"${
          dash === '' ? '' : html` stroke-dasharray="${dash}"`
        }/><text x="${c(x(v * k0) + 4)}" y="${c(M.top + (cls === 'estimate' ? 24 : 10))}" font-size="11">${label}</text></g>`;
  const unit = input.percent === true ? '%' : '';
  const fmt = (v: number | undefined): string => (v === undefined ? '' : formatNumber(v * k0, 1) + unit);
  const body = html`${shade}${leftAxis(y, niceTicks(0, yTop, 5).ticks, (t) => formatNumber(t, 0), M.left, 'Replicates', W - M.right)}${bars}${bottomAxis(
    x,
    xt.ticks,
    (t) => formatNumber(t, xd) + unit,
    H - M.bottom,
    input.xLabel ?? 'Bootstrap estimate',
  )}${vline(input.low, 'ci-low', '5 3', fmt(input.low))}${vline(input.high, 'ci-high', '5 3', fmt(input.high))}${vline(input.estimate, 'estimate', '', fmt(input.estimate))}`;
  return svgFigure({ width: W, height: H, label: input.title, description: `Bootstrap distribution of ${vals.length} replicates with the 95% CI`, className: 'bootstrap-histogram' }, body);
}
