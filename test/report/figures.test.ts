import { describe, expect, it } from 'vitest';
import { probabilityCurveSvg } from '../../src/report/figures/probability-curve.js';
import { grottaSvg } from '../../src/report/figures/grotta.js';
import { forestSvg } from '../../src/report/figures/forest.js';
import { binValues, bootstrapHistogramSvg } from '../../src/report/figures/bootstrap-histogram.js';
import { linearScale, logScale, logTicks, niceTicks } from '../../src/report/svg.js';
import { checkWellFormed, elements, texts } from './xml.js';

const num = (s: string | undefined): number => Number(s);

/** A logistic curve in volume, with a band of ±0.05 on the probability scale. */
function curve(n = 61): { x: number; p: number; low: number; high: number }[] {
  return Array.from({ length: n }, (_, i) => {
    const x = i * 5;
    const p = 1 / (1 + Math.exp(-(0.6 - 0.012 * x)));
    return { x, p, low: Math.max(0, p - 0.05), high: Math.min(1, p + 0.05) };
  });
}

describe('scales and ticks', () => {
  it('picks 1-2-5 ticks without float noise', () => {
    expect(niceTicks(0, 300, 8).ticks).toEqual([0, 50, 100, 150, 200, 250, 300]);
    expect(niceTicks(0, 1, 5).ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(Object.is(niceTicks(-1e-12, 1).ticks[0], 0)).toBe(true);
    expect(logTicks(0.3, 3)).toEqual([0.3, 0.5, 0.7, 1, 1.5, 2, 3]);
  });

  it('maps log scales symmetrically around 1', () => {
    const x = logScale([0.25, 4], [0, 400]);
    expect(x(1)).toBeCloseTo(200, 10);
    expect(x(2) - x(1)).toBeCloseTo(x(1) - x(0.5), 10);
    expect(linearScale([0, 10], [100, 0])(2.5)).toBe(75);
  });
});

describe('probability curve', () => {
  const svg = probabilityCurveSvg({ title: 'P(mRS 0–2) <by> volume', series: [{ label: 'all', points: curve() }], cut: 80 }).value;

  it('is well-formed SVG with an escaped accessible title', () => {
    checkWellFormed(svg);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('<title>P(mRS 0–2) &lt;by&gt; volume</title>');
  });

  it('draws one curve, one closed CI band and a dashed line at the cut', () => {
    const paths = elements(svg, 'path');
    expect(paths.filter((p) => p.class === 'curve')).toHaveLength(1);
    const band = paths.find((p) => p.class === 'ci-band');
    expect(band?.d).toMatch(/^M[^M]*Z$/);
    // 61 upper points + 61 lower points.
    expect((band?.d ?? '').split(/[ML]/).filter((s) => s !== '').length).toBe(122);
    const cut = elements(svg, 'line').find((l) => l['stroke-dasharray'] !== undefined);
    expect(cut).toBeDefined();
    // The x axis runs 0..300 over 66..620: 80 mL sits at 66 + 80/300·554.
    expect(num(cut?.x1)).toBeCloseTo(66 + (80 / 300) * 554, 1);
    expect(texts(svg)).toContain('80 mL');
  });

  it('places the curve by the probability: higher probability is higher on the page', () => {
    const d = elements(svg, 'path', 'curve')[0]!.d!;
    const ys = [...d.matchAll(/[ML][\d.]+ ([\d.]+)/g)].map((m) => num(m[1]));
    expect(ys[0]!).toBeLessThan(ys[ys.length - 1]!); // probability falls with volume
  });

  it('overlays several series with a legend', () => {
    const two = probabilityCurveSvg({ title: 't', series: [{ label: 'CT', points: curve() }, { label: 'MRI', points: curve(30) }], cut: 80 }).value;
    checkWellFormed(two);
    expect(elements(two, 'path', 'curve')).toHaveLength(2);
    expect(texts(two)).toEqual(expect.arrayContaining(['CT', 'MRI']));
  });
});

describe('Grotta bars', () => {
  const input = {
    title: 'mRS at 90 days by arm',
    categories: ['0', '1', '2', '3', '4', '5', '6'],
    groups: [
      { label: 'EVT', counts: [82, 137, 160, 140, 120, 60, 122] },
      { label: 'Control <ctl>', counts: [42, 67, 115, 138, 209, 114, 159] },
    ],
  };
  const svg = grottaSvg(input).value;

  it('is well-formed with one 100% bar per arm and a segment per mRS category', () => {
    checkWellFormed(svg);
    const segs = elements(svg, 'rect', 'segment');
    expect(segs).toHaveLength(14);
    for (const g of [0, 1]) {
      const row = segs.slice(g * 7, g * 7 + 7);
      const total = row.reduce((a, r) => a + num(r.width), 0);
      expect(total).toBeCloseTo(640 - 130 - 20, 0);
      // Segments abut: each starts where the previous ended.
      for (let i = 1; i < 7; i++) expect(num(row[i]!.x)).toBeCloseTo(num(row[i - 1]!.x) + num(row[i - 1]!.width), 1);
    }
    expect(segs.map((s) => s['data-category'])).toEqual([...input.categories, ...input.categories]);
  });

  it('labels segments with percentages of the arm and arms with n (escaped)', () => {
    const t = texts(svg);
    expect(t).toContain('Control &lt;ctl&gt;');
    expect(t).toContain('n = 821');
    expect(t).toContain('n = 844');
    expect(t).toContain((137 / 821 * 100).toFixed(1));
    expect(t).toContain((209 / 844 * 100).toFixed(1));
  });
});

describe('forest plot', () => {
  const svg = forestSvg({
    title: 'Common odds ratios',
    rows: [{ label: 'Ordinal model' }, { label: 'Volume', estimate: 0.46, low: 0.41, high: 0.52 }, { label: 'EVT', estimate: 2.22, low: 1.84, high: 2.68 }],
    leftNote: 'Favours control',
    rightNote: 'Favours EVT',
  }).value;

  it('is well-formed with a square per estimate, CI lines and the reference line at 1', () => {
    checkWellFormed(svg);
    const points = elements(svg, 'rect', 'point');
    expect(points).toHaveLength(2);
    const cis = elements(svg, 'line', 'ci');
    expect(cis).toHaveLength(2);
    const ref = elements(svg, 'line', 'reference')[0]!;
    const centre = (r: Record<string, string>): number => num(r.x) + 5;
    // On a log axis, 0.46 lies left of 1 and 2.22 right of it, at distances in ratio |log 0.46| : log 2.22.
    const d1 = num(ref.x1) - centre(points[0]!);
    const d2 = centre(points[1]!) - num(ref.x1);
    expect(d1).toBeGreaterThan(0);
    expect(d2 / d1).toBeCloseTo(Math.log(2.22) / -Math.log(0.46), 1);
    expect(num(cis[0]!.x1)).toBeLessThan(centre(points[0]!));
    expect(num(cis[0]!.x2)).toBeGreaterThan(centre(points[0]!));
  });

  it('prints the ORs with CIs and the headings', () => {
    const t = texts(svg);
    expect(t).toContain('0.46 (0.41–0.52)');
    expect(t).toContain('2.22 (1.84–2.68)');
    expect(t).toContain('Ordinal model');
    expect(t).toContain('← Favours control');
  });
});

describe('bootstrap histogram', () => {
  // A deterministic, roughly normal sample: the sum of 4 uniform-ish stratified values.
  const values = Array.from({ length: 2000 }, (_, i) => 0.12 + 0.045 * (((i * 7919) % 2000) / 1000 - 1 + (((i * 104729) % 2000) / 1000 - 1)));

  it('bins every value exactly once', () => {
    const sorted = Float64Array.from(values).sort();
    const counts = binValues(sorted, -0.1, 0.3, 20);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(2000);
    expect(binValues(Float64Array.of(0, 1), 0, 1, 4)).toEqual([1, 0, 0, 1]);
  });

  it('is well-formed with bars summing to the replicates and the CI marked', () => {
    const svg = bootstrapHistogramSvg({ title: 'Proportion explained', values, estimate: 0.12, low: 0.03, high: 0.21, percent: true }).value;
    checkWellFormed(svg);
    const bins = elements(svg, 'rect', 'bin');
    expect(bins.length).toBeGreaterThan(5);
    // Heights are proportional to counts: the tallest bar reaches towards the top of the plot.
    expect(Math.max(...bins.map((b) => num(b.height)))).toBeGreaterThan(100);
    expect(svg).toContain('class="ci-low"');
    expect(svg).toContain('class="ci-high"');
    expect(svg).toContain('class="estimate"');
    expect(elements(svg, 'rect', 'ci-interval')).toHaveLength(1);
    expect(texts(svg)).toEqual(expect.arrayContaining(['3.0%', '21.0%', '12.0%']));
  });

  it('ignores non-finite replicates', () => {
    const svg = bootstrapHistogramSvg({ title: 't', values: [0.1, NaN, 0.2, Infinity, 0.15], bins: 10 }).value;
    checkWellFormed(svg);
    expect(svg).toContain('Bootstrap distribution of 3 replicates');
  });
});

describe('determinism', () => {
  it('renders byte-identical SVG for the same input', () => {
    const a = probabilityCurveSvg({ title: 't', series: [{ label: 'a', points: curve() }], cut: 80 }).value;
    const b = probabilityCurveSvg({ title: 't', series: [{ label: 'a', points: curve() }], cut: 80 }).value;
    expect(a).toBe(b);
    expect(a).not.toMatch(/id="/);
  });
});
