/**
 * Numbers as a clinical paper prints them. Every function returns plain text (escaped later) and is
 * deterministic: `toFixed` only, no locale. Missing or non-finite values print as an en dash "–"
 * (or "NA" where a table needs a word), never "NaN".
 *
 * Conventions (NEJM / Lancet style, as in the HERMES papers):
 * - odds ratios with 2 decimals: `0.46`; CIs `0.41–0.52` (en dash), or `−0.12 to 0.30` when a bound is negative;
 * - p-values `<0.001`, otherwise 3 decimals (`0.004`, `0.310`), `>0.999` at the top;
 * - percentages with 1 decimal: `46.9%`;
 * - a real minus sign (U+2212) for negative numbers, and no "−0.00".
 */

export const MISSING = '–';
const MINUS = '\u2212';
const EN_DASH = '\u2013';

/** `x` with `digits` decimals; negative numbers with a true minus sign; "−0.00" printed as "0.00". */
export function formatNumber(x: number | null | undefined, digits: number): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return MISSING;
  const s = x.toFixed(digits);
  if (!s.startsWith('-')) return s;
  // -0.001 rounds to "-0.00": print it unsigned.
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : MINUS + s.slice(1);
}

/** An odds ratio (2 decimals). */
export function formatOr(x: number | null | undefined): string {
  return formatNumber(x, 2);
}

/** A confidence interval `low–high`; ` to ` when a bound is negative (a dash would read as a minus). */
export function formatCi(low: number | null | undefined, high: number | null | undefined, digits = 2): string {
  if (low === null || low === undefined || high === null || high === undefined || !Number.isFinite(low) || !Number.isFinite(high)) return MISSING;
  const sep = low < 0 || high < 0 ? ' to ' : EN_DASH;
  return formatNumber(low, digits) + sep + formatNumber(high, digits);
}

/** `estimate (low–high)`. */
export function formatEstimateCi(est: number | null | undefined, low: number | null | undefined, high: number | null | undefined, digits = 2): string {
  const e = formatNumber(est, digits);
  const ci = formatCi(low, high, digits);
  return ci === MISSING ? e : `${e} (${ci})`;
}

/** A p-value: `<0.001`, `>0.999`, otherwise 3 decimals. */
export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p) || p < 0 || p > 1) return MISSING;
  if (p < 0.001) return '<0.001';
  if (p > 0.999) return '>0.999';
  return p.toFixed(3);
}

/** A proportion (0..1) as a percentage with `digits` decimals: 0.469 → `46.9%`. */
export function formatPercent(proportion: number | null | undefined, digits = 1): string {
  if (proportion === null || proportion === undefined || !Number.isFinite(proportion)) return MISSING;
  return formatNumber(proportion * 100, digits) + '%';
}

/** A count with its percentage: `389 (46.9%)`. */
export function formatCountPercent(count: number, total: number, digits = 1): string {
  if (!Number.isFinite(count)) return MISSING;
  return total > 0 ? `${count} (${formatPercent(count / total, digits)})` : String(count);
}

/** `median (q1–q3)`, e.g. `41.0 (14.0–120.0)`. */
export function formatMedianIqr(median: number | null | undefined, q1: number | null | undefined, q3: number | null | undefined, digits = 1): string {
  return formatEstimateCi(median, q1, q3, digits);
}

/**
 * Decimals for an OR and its CI: 2 as papers print them, more (up to 4) when 2 would print an
 * interval as a single value — a per-mL or per-minute OR of 0.982 (0.979–0.985) is not "0.98 (0.98–0.98)".
 */
export function orDigits(low: number | null | undefined, high: number | null | undefined): number {
  if (low === null || low === undefined || high === null || high === undefined || !Number.isFinite(low) || !Number.isFinite(high)) return 2;
  let d = 2;
  while (d < 4 && formatNumber(low, d) === formatNumber(high, d)) d++;
  return d;
}
