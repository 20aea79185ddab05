/**
 * The trial-design section: the design table (N per volume test and target power, with the chain
 * bootstrap's intervals and the assurance), the power curves of each effect, the translation of the
 * volume effect to the outcome, the inverse, the mRS trial behind it with the mediation grid, and the
 * reverse. Pure: a view (adapters/trial-design.ts) in, the report's blocks out — tables of the one table
 * model (table.ts, so they are real tables in the HTML, Word and Markdown files alike) and figures (SVG
 * inline, and SVG/PNG files).
 */
import type { Block } from '../document.js';
import { formatCi, formatNumber, formatPercent, MISSING } from '../format.js';
import type { PaperTable, TableRow } from '../table.js';
import type { TrialDesignView } from '../adapters/trial-design.js';
import type { SizeCell, TrialDesignEffect } from '../../results/trial-design.js';
import { powerCurveSvg } from '../figures/power-curve.js';

const TEST_NAMES: Readonly<Record<string, string>> = {
  log_t: 't test, log volume',
  cbrt_t: 't test, cube-root volume',
  raw_t: 't test, volume (mL)',
  wilcoxon: 'Wilcoxon–Mann–Whitney',
};

export function testName(test: string): string {
  return TEST_NAMES[test] ?? test;
}

function sizeText(s: SizeCell | undefined): string {
  if (s?.n === undefined) return MISSING;
  const ci = s.low === undefined || s.high === undefined ? '' : ` (${formatCi(s.low, s.high, 0)})`;
  return `${formatNumber(s.n, 0)}${ci}`;
}

const pct = (p: number): string => `${formatNumber(p * 100, 0)}%`;

/** What an effect means in mL: a ratio at the reference geometric mean; an absolute reduction on average, when flooring made it smaller. */
function effectNote(e: TrialDesignEffect): string {
  if (e.kind === 'ratio') return e.differenceAtGm === undefined ? '' : ` (${formatNumber(e.differenceAtGm, 1)} mL at the geometric mean)`;
  if (e.meanDifference !== undefined && e.value !== undefined && e.meanDifference < e.value - 1e-9) return ` (${formatNumber(e.meanDifference, 1)} mL on average: small volumes floored)`;
  return '';
}

export function trialDesignBlocks(v: TrialDesignView, caption: string): Block[] {
  const parts: Block[] = [{ table: designTable(v, caption) }];
  for (const e of v.effects) {
    const series = e.curves
      .filter((c) => c.points.length > 0)
      .map((c) => ({
        label: testName(c.test),
        line: c.points.map((p) => [p.n, p.closedForm] as const),
        points: c.points.flatMap((p) => (p.simulated === undefined || p.mcse === undefined ? [] : [{ n: p.n, power: p.simulated, se: p.mcse }])),
      }));
    if (series.length === 0) continue;
    const simulated = series.some((s) => s.points.length > 0);
    const title = `Power against sample size, ${e.label}`;
    parts.push({
      figure: {
        svg: powerCurveSvg({ title, series, targets: v.powers }),
        title,
        legend: `Lines: closed-form power (power.t.test; Noether for Wilcoxon)${simulated ? '; dots: simulated power (bootstrap from the reference arm) with ±2 Monte-Carlo SE' : ''}; dashed: the target powers. Two-sided α = ${formatNumber(v.alpha, 3)}, ${pct(v.allocation)} treated.`,
      },
    });
  }
  const tables: PaperTable[] = [];
  if (v.effects.some((e) => e.translation !== undefined)) tables.push(translationTable(v));
  if (v.inverse.length > 0) tables.push(inverseTable(v));
  if (v.effects.some((e) => e.mrs !== undefined)) tables.push(mrsTable(v), mediationTable(v));
  if (v.reverse.length > 0) tables.push(reverseTable(v));
  return [...parts, ...tables.map((table) => ({ table }))];
}

function designTable(v: TrialDesignView, caption: string): PaperTable {
  const simulated = v.effects.some((e) => e.tests.some((t) => t.simulated.length > 0));
  const assured = v.effects.some((e) => e.tests.some((t) => t.assurance !== undefined));
  const head = ['Effect / test', ...v.powers.map((p) => `N for ${pct(p)} power`), ...(simulated ? v.powers.map((p) => `Simulated N, ${pct(p)}`) : []), ...(assured ? [`Assurance at N for ${pct(v.powers[0]!)}`] : [])];
  const body: TableRow[] = v.effects.flatMap((e) => [
    { style: 'group' as const, cells: [`${e.label}${effectNote(e)}`, ...head.slice(1).map(() => '')] },
    ...e.tests.map((t) => ({
      style: 'indent' as const,
      cells: [
        testName(t.test),
        ...v.powers.map((p) => sizeText(t.sizes.find((s) => s.power === p))),
        ...(simulated ? v.powers.map((p) => {
          const s = t.simulated.find((q) => q.power === p);
          return s?.n === undefined ? MISSING : `${formatNumber(s.n, 0)}${s.conservative !== undefined && s.conservative !== s.n ? ` (${formatNumber(s.conservative, 0)})` : ''}`;
        }) : []),
        ...(assured ? [t.assurance === undefined ? MISSING : formatPercent(t.assurance, 1)] : []),
      ],
    })),
  ]);
  return {
    caption,
    className: 'trial-design',
    head: [head],
    body,
    notes: [
      `Total N (both arms), rounded up to whole patients per arm; two-sided α = ${formatNumber(v.alpha, 3)}, ${pct(v.allocation)} treated. t tests: R's power.t.test (noncentral t); Wilcoxon: Noether's formula with P(treated volume < control volume) estimated from the reference arm.`,
      v.referenceNote,
      ...(v.bootstrap === undefined ? [] : [`In brackets: ${v.bootstrap.replicates} bootstrap replicates of the whole chain (reference arm and model resampled), 95% percentile interval${v.bootstrap.failed > 0 ? `; ${v.bootstrap.failed} failed replicates left out` : ''}. Assurance: the mean power of the planned trial over the replicates.`]),
      ...(simulated ? ['Simulated N: the smallest simulated size from which the simulated power stays at or above the target; in brackets, when larger, the smallest from which the simulated power minus 2 Monte-Carlo SE does (a conservative N).'] : []),
      ...v.notes,
    ],
  };
}

function translationTable(v: TrialDesignView): PaperTable {
  const ratioName = v.translation?.modelType === 'ordinal' ? 'Implied common OR (95% CI)' : 'Implied OR of good outcome (95% CI)';
  const boot = v.effects.some((e) => e.translation?.difference.bootLow !== undefined);
  const body: TableRow[] = v.effects.flatMap((e) => {
    const t = e.translation;
    if (t === undefined) return [];
    const d = t.difference;
    return [
      {
        cells: [
          e.label,
          formatNumber(t.meanReduction, 1),
          `${formatNumber(d.estimate * 100, 2)} (${formatCi(d.low === undefined ? undefined : d.low * 100, d.high === undefined ? undefined : d.high * 100, 2)})`,
          ...(boot ? [formatCi(d.bootLow === undefined ? undefined : d.bootLow * 100, d.bootHigh === undefined ? undefined : d.bootHigh * 100, 2)] : []),
          formatNumber(t.perMl === undefined ? undefined : t.perMl * 100, 3),
          `${formatNumber(t.ratio.estimate, 3)} (${formatCi(t.ratio.low, t.ratio.high, 3)})`,
          t.cumulativeOr === undefined ? MISSING : formatCi(Math.min(...t.cumulativeOr), Math.max(...t.cumulativeOr), 3),
        ],
      },
    ];
  });
  return {
    caption: 'What the volume effect means for the outcome (g-computation)',
    className: 'trial-design-translation',
    head: [['Effect', 'Mean volume reduction, mL', 'Change in P(good outcome), points (95% CI, delta method)', ...(boot ? ['Bootstrap 95% CI'] : []), 'Points per mL', ratioName, 'Per-threshold ORs, range']],
    body,
    notes: [
      ...(v.translationNote === undefined ? [] : [v.translationNote]),
      'Population average: the mean over the patients of the change in their model probability when every volume becomes the treated one (g-computation). This is NOT the median over patients of the per-patient volume reduction worth +1/+5/+10 points reported by volume_delta (the HERMES paper’s 2/10/20 mL): different estimands.',
      'Delta-method intervals are conditional on the patients; bootstrap intervals resample them and refit the model. Per-threshold ORs equal to one another would mean proportional odds.',
    ],
  };
}

function inverseTable(v: TrialDesignView): PaperTable {
  return {
    caption: 'Inverse: the volume effect needed for a gain in P(good outcome)',
    className: 'trial-design-inverse',
    head: [['Gain', 'Volume ratio needed (reduction)', 'Absolute reduction needed, mL']],
    body: v.inverse.map((r) => ({
      cells: [
        `+${formatNumber(r.points, r.points < 1 ? 1 : 0)} point${r.points === 1 ? '' : 's'}`,
        r.ratio === undefined ? `not reachable (at most +${formatNumber(r.maxGain * 100, 1)} points)` : `${formatNumber(r.ratio, 3)} (${formatNumber(r.reductionPercent, 1)}% smaller)`,
        r.absolute === undefined ? 'not reachable' : formatNumber(r.absolute, 1),
      ],
    })),
    notes: ['The same effect for every patient of the population, volumes floored at the minimum volume; population-average gains (see the translation table).'],
  };
}

function mrsTable(v: TrialDesignView): PaperTable {
  const first = pct(v.powers[0]!);
  const body: TableRow[] = v.effects.flatMap((e) => {
    const m = e.mrs;
    if (m === undefined) return [];
    const avg = m.whitehead.find((w) => w.convention === 'average');
    const ctl = m.whitehead.find((w) => w.convention === 'control');
    return [
      {
        cells: [
          e.label,
          formatNumber(m.cor, 3),
          sizeText(avg?.sizes[0]),
          sizeText(ctl?.sizes[0]),
          `${sizeText(m.binary.sizes[0])} (${formatPercent(m.binary.pControl, 1)} → ${formatPercent(m.binary.pTreated, 1)})`,
          m.ratios.map((r) => `${testName(r.test)}: ${formatNumber(r.ratio, 1)}`).join('; '),
          formatPercent(avg?.powerAtVolumeN, 1),
          avg?.assurance === undefined ? MISSING : formatPercent(avg.assurance, 1),
        ],
      },
    ];
  });
  return {
    caption: `The mRS trial behind the volume effect, if all of the effect ran through volume (N for ${first} power)`,
    className: 'trial-design-mrs',
    head: [['Effect', 'Implied common OR', 'Whitehead N, p̄ = average of arms', 'Whitehead N, p̄ = control arm', 'N for mRS 0–2 (power.prop.test)', 'Ratio N mRS / N volume', 'Power of an mRS trial of the volume trial’s size', 'Assurance']],
    body,
    notes: [
      'Whitehead’s proportional-odds formula as Hmisc::posamsize, with the category distribution p̄ taken either as the average of the control arm and its proportional-odds shift (Whitehead 1993) or as the control arm; mRS 0–2 as power.prop.test.',
      'ASSUMPTION: this table assumes the treatment changes the mRS only through volume (a surrogate-implied trial), never the treatment’s own effect. See the mediation grid.',
    ],
  };
}

function mediationTable(v: TrialDesignView): PaperTable {
  const body: TableRow[] = v.effects.flatMap((e) => {
    const m = e.mrs;
    if (m === undefined) return [];
    return [
      { style: 'group' as const, cells: [e.label, '', '', '', ''] },
      ...m.grid.map((g) => ({
        style: g.assumption ? ('emphasis' as const) : ('indent' as const),
        cells: [`${formatPercent(g.proportion, 1)}: ${g.source}`, formatNumber(g.totalCor, 2), sizeText({ power: 0, n: g.nAverage, low: undefined, high: undefined }), sizeText({ power: 0, n: g.nControl, low: undefined, high: undefined }), formatNumber(g.ratio, 2)],
      })),
    ];
  });
  return {
    caption: 'The mediation caveat: the mRS trial for each share of the effect that runs through volume',
    className: 'trial-design-mediation',
    head: [['Share of the mRS effect through volume', 'Total common OR implied', 'Whitehead N (average)', 'Whitehead N (control)', 'Ratio N mRS / N volume']],
    body,
    notes: [
      `A volume effect identifies only the through-volume part of the mRS effect (log cOR β_ind). If a share PM of the treatment’s log cOR runs through volume, the total is β_ind/PM and the mRS trial needs PM² times the patients of the PM = 100% row. The 100% row is an assumption (no direct effect), not an estimate; β_ind/PM is the total only if the direct effect has the sign of the indirect one (haemorrhage can make it harmful). N for ${pct(v.powers[0]!)} power.`,
    ],
  };
}

function reverseTable(v: TrialDesignView): PaperTable {
  const tests = [...new Set(v.reverse.flatMap((r) => r.sizes.map((s) => s.test)))];
  return {
    caption: 'Reverse: the volume effect a target mRS common OR needs, by share through volume',
    className: 'trial-design-reverse',
    head: [['Target cOR / share through volume', 'Through-volume cOR needed', 'Volume ratio needed', ...tests.map((t) => `N, ${testName(t)}`)]],
    body: v.reverse.map((r) => ({
      cells: [
        `${formatNumber(r.targetCor, 2)} / ${formatPercent(r.proportion, 1)}${r.proportion === 1 ? ' (assumption)' : ''}`,
        formatNumber(r.neededCor, 3),
        r.ratio === undefined ? 'not reachable' : formatNumber(r.ratio, 3),
        ...tests.map((t) => {
          const n = r.sizes.find((s) => s.test === t)?.n;
          return n === undefined ? MISSING : formatNumber(Math.ceil(n - 1e-9), 0);
        }),
      ],
    })),
    notes: [`N for ${pct(v.powers[0]!)} power (closed forms). The through-volume cOR needed is the target’s log cOR times the share.`],
  };
}
