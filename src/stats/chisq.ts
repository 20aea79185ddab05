/**
 * Pearson's chi-squared test of independence for an r × c contingency table, as R's `chisq.test(x)`
 * (correct = TRUE): expected counts E = row total × column total / n, statistic Σ(|O − E| − Y)²/E with
 * Yates' continuity correction Y = min(0.5, min|O − E|) for a 2 × 2 table (0 otherwise), df = (r − 1)(c − 1),
 * p = P[χ²_df > statistic].
 *
 * Exported API: chisqTest(counts, options) → ChisqResult.
 */
import { pchisq } from './distributions.js';

export interface ChisqResult {
  readonly statistic: number;
  readonly df: number;
  readonly p: number;
  /** Expected counts, row-major like the input. */
  readonly expected: number[][];
  /** True when the 2 × 2 continuity correction was applied (and was non-zero). */
  readonly yates: boolean;
  /** True when some expected count is below 5 (R warns "Chi-squared approximation may be incorrect"). */
  readonly lowExpected: boolean;
}

export function chisqTest(counts: readonly (readonly number[])[], options: { correct?: boolean } = {}): ChisqResult {
  const correct = options.correct ?? true;
  const r = counts.length;
  const c = counts[0]?.length ?? 0;
  if (r < 2 || c < 2) throw new RangeError(`a chi-squared test needs at least a 2 × 2 table, got ${r} × ${c}`);
  const rowSums = counts.map((row) => {
    if (row.length !== c) throw new RangeError('ragged contingency table');
    return row.reduce((a, b) => a + b, 0);
  });
  const colSums = Array.from({ length: c }, (_, j) => counts.reduce((a, row) => a + row[j]!, 0));
  const n = rowSums.reduce((a, b) => a + b, 0);
  const expected = counts.map((_, i) => colSums.map((cs) => (rowSums[i]! * cs) / n));
  let yatesValue = 0;
  if (correct && r === 2 && c === 2) {
    yatesValue = 0.5;
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) yatesValue = Math.min(yatesValue, Math.abs(counts[i]![j]! - expected[i]![j]!));
  }
  let statistic = 0;
  let lowExpected = false;
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      const e = expected[i]![j]!;
      if (e < 5) lowExpected = true;
      statistic += (Math.abs(counts[i]![j]! - e) - yatesValue) ** 2 / e;
    }
  }
  const df = (r - 1) * (c - 1);
  return { statistic, df, p: pchisq(statistic, df, false), expected, yates: yatesValue > 0, lowExpected };
}
