/**
 * From a mediate result (src/nodes/mediate.ts, src/stats/mediation.ts) to the mediation table:
 *
 *   total / direct / mediator_effect: {log_or, se, z, p_value, or, or_low, or_high}  (ORs in the
 *                                      step's favourable direction)
 *   proportion_explained: number      (difference method, 1 − β_direct/β_total)
 *   product: {indirect, se, proportion}
 *   counterfactual?: {total_effect, ade_average, acme_average, proportion_mediated: {estimate, ci_low, ci_high}, …}
 *
 * The difference-method proportion has no CI of its own: given `proportionCi` (a bootstrap's percentile
 * interval, picked by the report section's `bootstrap:`), the row shows it; otherwise the note says
 * where a CI can be found (`ciNote`) rather than claiming one.
 */
import type { Json } from '../../data/canonical.js';
import { formatCi, formatEstimateCi, formatNumber, formatP, formatPercent } from '../format.js';
import { asRecord, isRecord, optNumber, optString, reqNumber, type JsonRecord, type Origin } from '../../results/read.js';

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

function orRow(label: string, e: JsonRecord, origin: Origin, what: string): MediationRow {
  const or = reqNumber(e, ['or'], origin, what);
  return { label, style: 'indent', values: [formatEstimateCi(or, reqNumber(e, ['or_low'], origin, what), reqNumber(e, ['or_high'], origin, what)), formatP(optNumber(e, ['p_value'], origin, what))] };
}

/** A counterfactual effect on the probability scale, in percentage points with its simulation CI. */
function cfRow(label: string, c: JsonRecord, origin: Origin, what: string, percent: boolean): MediationRow {
  const est = reqNumber(c, ['estimate'], origin, what);
  const lo = optNumber(c, ['ci_low'], origin, what);
  const hi = optNumber(c, ['ci_high'], origin, what);
  const text = percent
    ? `${formatPercent(est)}${lo === undefined || hi === undefined ? '' : ` (${formatCi(lo * 100, hi * 100, 1)})`}`
    : `${formatNumber(est * 100, 1)}${lo === undefined || hi === undefined ? '' : ` (${formatCi(lo * 100, hi * 100, 1)})`}`;
  return { label, style: 'indent', values: [text, ''] };
}

export function mediationRows(value: Json, origin: Origin, opts: MediationOptions = {}): MediationView {
  const labels = opts.labels ?? {};
  const root = asRecord(value, origin, 'the result');
  const exposure = optString(root, ['exposure']) ?? 'exposure';
  const mediatorTerm = isRecord(root.mediator) ? optString(root.mediator, ['term', 'column']) : undefined;
  const ex = labels[exposure] ?? exposure;
  const med = mediatorTerm === undefined ? 'the mediator' : (labels[mediatorTerm] ?? mediatorTerm);
  const rows: MediationRow[] = [{ label: 'Difference method (common odds ratios)', values: ['', ''], style: 'group' }];
  rows.push(orRow(`Total effect of ${ex} (model without ${med})`, asRecord(root.total, origin, 'total'), origin, 'total'));
  rows.push(orRow(`Direct effect of ${ex} (adjusted for ${med})`, asRecord(root.direct, origin, 'direct'), origin, 'direct'));
  if (isRecord(root.mediator_effect)) rows.push(orRow(med, root.mediator_effect, origin, 'mediator_effect'));
  const proportion = reqNumber(root, ['proportion_explained'], origin, 'the result');
  const ci = opts.proportionCi;
  rows.push({ label: 'Proportion of the effect explained', style: 'indent', values: [`${formatPercent(proportion)}${ci === undefined ? '' : ` (${formatCi(ci.low * 100, ci.high * 100, 1)})`}`, ''] });
  if (isRecord(root.product)) {
    rows.push({ label: 'Product-of-coefficients method', values: ['', ''], style: 'group' });
    rows.push({ label: 'Proportion of the effect explained (a × b / total)', style: 'indent', values: [formatPercent(reqNumber(root.product, ['proportion'], origin, 'product')), ''] });
  }
  const cf = root.counterfactual;
  const threshold = optString(root, ['threshold']);
  if (isRecord(cf)) {
    rows.push({ label: `Counterfactual effects on ${threshold === undefined ? 'the probability of a good outcome' : thresholdLabel(threshold, labels)}, percentage points`, values: ['', ''], style: 'group' });
    const entries: [string, string, boolean][] = [
      ['total_effect', 'Total effect', false],
      ['ade_average', 'Natural direct effect (average)', false],
      ['acme_average', 'Natural indirect effect (average)', false],
      ['proportion_mediated', 'Proportion mediated', true],
    ];
    for (const [key, label, pct] of entries) if (isRecord(cf[key])) rows.push(cfRow(label, cf[key], origin, `counterfactual.${key}`, pct));
  }
  const n = optNumber(root, ['n'], origin, 'the result');
  const sims = isRecord(cf) ? optNumber(cf, ['sims'], origin, 'counterfactual') : undefined;
  return {
    rows,
    notes: [
      ...(n === undefined ? [] : [`All models fitted on the same ${n} patients with complete data.`]),
      `Proportion explained (difference method) = 1 − β_direct / β_total on the log-odds scale${ci === undefined ? (opts.ciNote === undefined ? '; no CI is shown for it.' : `; ${opts.ciNote}.`) : `, with its 95% CI (${ci.source}).`}`,
      ...(sims === undefined ? [] : [`Counterfactual effects by g-computation over ${sims} simulations (as R’s mediation::mediate), with their simulation intervals.`]),
    ],
  };
}
