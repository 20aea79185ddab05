/**
 * From a mediation result (decoded by src/results/mediation.ts) to the mediation table.
 *
 * The difference-method proportion has no CI of its own: given `proportionCi` (a bootstrap's percentile
 * interval, picked by the report section's `bootstrap:`), the row shows it; otherwise the note says
 * where a CI can be found (`ciNote`) rather than claiming one.
 */
import type { Json } from '../../data/canonical.js';
import { formatCi, formatEstimateCi, formatNumber, formatP, formatPercent } from '../format.js';
import type { Origin } from '../../results/read.js';
import { decodeMediation, type Mediation, type OrEffect, type ProbabilityEffect } from '../../results/mediation.js';

export interface MediationRow {
  readonly label: string;
  readonly values: string[];
  readonly style?: 'group' | 'indent';
}

/** A bootstrap CI of the difference-method proportion explained. */
export interface ProportionCi {
  readonly low: number;
  readonly high: number;
  /** e.g. "bootstrap percentile, 2000 replicates". */
  readonly source: string;
}

export interface MediationOptions {
  readonly labels?: Readonly<Record<string, string>>;
  readonly proportionCi?: ProportionCi | undefined;
  /** Without `proportionCi`: where the reader finds a CI (e.g. "see Table 4 for its bootstrap 95% CI"). */
  readonly ciNote?: string | undefined;
}

/** `P(mrs90 <= 2)` with the outcome's display label: `P(mRS at 90 days ≤ 2)`. */
export function thresholdLabel(threshold: string, labels: Readonly<Record<string, string>>): string {
  const m = /^P\((.+) <= (.+)\)$/.exec(threshold);
  if (m === null) return threshold;
  return `P(${labels[m[1]!] ?? m[1]!} ≤ ${m[2]!})`;
}

export interface MediationView {
  readonly rows: MediationRow[];
  readonly notes: string[];
}

function orRow(label: string, e: OrEffect): MediationRow {
  return { label, style: 'indent', values: [formatEstimateCi(e.or, e.low, e.high), formatP(e.p)] };
}

/** A counterfactual effect on the probability scale, in percentage points with its simulation CI. */
function cfRow(label: string, c: ProbabilityEffect, percent: boolean): MediationRow {
  const ci = c.low === undefined || c.high === undefined ? '' : ` (${formatCi(c.low * 100, c.high * 100, 1)})`;
  return { label, style: 'indent', values: [`${percent ? formatPercent(c.estimate) : formatNumber(c.estimate * 100, 1)}${ci}`, ''] };
}

export function mediationRows(value: Json, origin: Origin, opts: MediationOptions = {}): MediationView {
  return mediationView(decodeMediation(value, origin), opts);
}

export function mediationView(m: Mediation, opts: MediationOptions = {}): MediationView {
  const labels = opts.labels ?? {};
  const ex = labels[m.exposure] ?? m.exposure;
  const med = m.mediator === undefined ? 'the mediator' : (labels[m.mediator] ?? m.mediator);
  const rows: MediationRow[] = [{ label: 'Difference method (common odds ratios)', values: ['', ''], style: 'group' }];
  rows.push(orRow(`Total effect of ${ex} (model without ${med})`, m.total));
  rows.push(orRow(`Direct effect of ${ex} (adjusted for ${med})`, m.direct));
  if (m.mediatorEffect !== undefined) rows.push(orRow(med, m.mediatorEffect));
  const ci = opts.proportionCi;
  rows.push({ label: 'Proportion of the effect explained', style: 'indent', values: [`${formatPercent(m.proportionExplained)}${ci === undefined ? '' : ` (${formatCi(ci.low * 100, ci.high * 100, 1)})`}`, ''] });
  if (m.productProportion !== undefined) {
    rows.push({ label: 'Product-of-coefficients method', values: ['', ''], style: 'group' });
    rows.push({ label: 'Proportion of the effect explained (a × b / total)', style: 'indent', values: [formatPercent(m.productProportion), ''] });
  }
  const cf = m.counterfactual;
  if (cf !== undefined) {
    rows.push({ label: `Counterfactual effects on ${m.threshold === undefined ? 'the probability of a good outcome' : thresholdLabel(m.threshold, labels)}, percentage points`, values: ['', ''], style: 'group' });
    const entries: [ProbabilityEffect | undefined, string, boolean][] = [
      [cf.totalEffect, 'Total effect', false],
      [cf.adeAverage, 'Natural direct effect (average)', false],
      [cf.acmeAverage, 'Natural indirect effect (average)', false],
      [cf.proportionMediated, 'Proportion mediated', true],
    ];
    for (const [e, label, pct] of entries) if (e !== undefined) rows.push(cfRow(label, e, pct));
  }
  return {
    rows,
    notes: [
      ...(m.n === undefined ? [] : [`All models fitted on the same ${m.n} patients with complete data.`]),
      `Proportion explained (difference method) = 1 − β_direct / β_total on the log-odds scale${ci === undefined ? (opts.ciNote === undefined ? '; no CI is shown for it.' : `; ${opts.ciNote}.`) : `, with its 95% CI (${ci.source}).`}`,
      ...(cf?.sims === undefined ? [] : [`Counterfactual effects by g-computation over ${cf.sims} simulations (as R’s mediation::mediate), with their simulation intervals.`]),
    ],
  };
}
