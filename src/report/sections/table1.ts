/**
 * Table 1: baseline characteristics by arm. Continuous variables as median (IQR), binary and factor
 * variables as n (%), each with its number missing where there are any, and an optional p-value.
 */
import { formatEstimateCi, formatCountPercent, formatMedianIqr, formatP } from '../format.js';
import type { PaperTable, TableRow } from '../table.js';

export interface Table1Group {
  readonly label: string;
  readonly n: number;
}

export interface ContinuousSummary {
  readonly median: number;
  readonly q1: number;
  readonly q3: number;
  readonly missing: number;
}

export type Table1Variable =
  | {
      readonly kind: 'continuous';
      readonly label: string;
      /** One summary per group, in group order. */
      readonly byGroup: readonly ContinuousSummary[];
      readonly p?: number | undefined;
      /** The test that gave `p` (e.g. "Wilcoxon rank-sum test"), named in the footnote. */
      readonly test?: string | undefined;
      /** Location shift between the first two groups (Hodges–Lehmann, from a rank-sum test) with its CI. */
      readonly shift?: { readonly estimate: number; readonly low: number; readonly high: number; readonly direction?: string | undefined } | undefined;
      readonly digits?: number;
    }
  | {
      readonly kind: 'categorical';
      readonly label: string;
      /** Each level with its count per group; the denominator is the group's non-missing count. */
      readonly levels: readonly { readonly label: string; readonly counts: readonly number[] }[];
      readonly missing?: readonly number[];
      readonly p?: number | undefined;
      readonly test?: string | undefined;
    };

export interface Table1Input {
  readonly caption: string;
  readonly groups: readonly Table1Group[];
  readonly variables: readonly Table1Variable[];
  readonly notes?: readonly string[];
}

export function table1Table(t: Table1Input): PaperTable {
  const hasP = t.variables.some((v) => v.p !== undefined);
  const hasShift = t.variables.some((v) => v.kind === 'continuous' && v.shift !== undefined);
  const shiftCell = (v: Table1Variable): string[] =>
    hasShift ? [v.kind === 'continuous' && v.shift !== undefined ? formatEstimateCi(v.shift.estimate, v.shift.low, v.shift.high, v.digits ?? 1) : ''] : [];
  const pCell = (p: number | undefined): string[] => (hasP ? [p === undefined ? '' : formatP(p)] : []);
  const blank = (): string[] => [...(hasShift ? [''] : []), ...(hasP ? [''] : [])];
  const body: TableRow[] = [];
  for (const v of t.variables) {
    if (v.kind === 'continuous') {
      const missingNote = v.byGroup.some((s) => s.missing > 0) ? ` — missing ${v.byGroup.map((s) => s.missing).join(' / ')}` : '';
      body.push({ cells: [`${v.label}, median (IQR)${missingNote}`, ...v.byGroup.map((s) => formatMedianIqr(s.median, s.q1, s.q3, v.digits ?? 1)), ...shiftCell(v), ...pCell(v.p)] });
    } else if (v.levels.length === 2 && /^(1|yes|true)$/i.test(v.levels[1]!.label)) {
      // A binary 0/1 variable: one row, the count of 1s.
      const denominators = t.groups.map((_, g) => v.levels.reduce((a, l) => a + (l.counts[g] ?? 0), 0));
      body.push({ cells: [`${v.label}, n (%)`, ...t.groups.map((_, g) => formatCountPercent(v.levels[1]!.counts[g] ?? 0, denominators[g]!)), ...shiftCell(v), ...pCell(v.p)] });
    } else {
      const denominators = t.groups.map((_, g) => v.levels.reduce((a, l) => a + (l.counts[g] ?? 0), 0));
      body.push({ style: 'group', cells: [`${v.label}, n (%)`, ...t.groups.map(() => ''), ...shiftCell(v), ...pCell(v.p)] });
      for (const l of v.levels) {
        body.push({ style: 'indent', cells: [l.label, ...t.groups.map((_, g) => formatCountPercent(l.counts[g] ?? 0, denominators[g]!)), ...blank()] });
      }
      if (v.missing !== undefined && v.missing.some((m) => m > 0)) {
        body.push({ style: 'indent', cells: ['Missing', ...v.missing.map(String), ...blank()] });
      }
    }
  }
  return {
    caption: t.caption,
    className: 'table1',
    head: [['Characteristic', ...t.groups.map((g) => `${g.label} (n = ${g.n})`), ...(hasShift ? ['Shift (95% CI)'] : []), ...(hasP ? ['p'] : [])]],
    body,
    notes: [
      ...(t.notes ?? []),
      ...(hasShift ? [`Shift: Hodges–Lehmann location shift${shiftDirection(t)} with its 95% CI.`] : []),
      ...(hasP ? [testsNote(t)] : []),
    ],
  };
}

function shiftDirection(t: Table1Input): string {
  for (const v of t.variables) if (v.kind === 'continuous' && v.shift?.direction !== undefined) return ` (${v.shift.direction})`;
  return '';
}

/**
 * The footnote naming each p-value's test as the compare step ran it: `p: Wilcoxon rank-sum test.`
 * when one test served all, else `p: Wilcoxon rank-sum test (Age; NIHSS); chi-squared test (Sex).`
 */
export function testsNote(t: Table1Input): string {
  const byTest = new Map<string, string[]>();
  for (const v of t.variables) {
    if (v.p === undefined) continue;
    const test = v.test ?? 'test not named by the step';
    byTest.set(test, [...(byTest.get(test) ?? []), v.label]);
  }
  if (byTest.size === 1) return `p: ${[...byTest.keys()][0]!}.`;
  return `p: ${[...byTest].map(([test, labels]) => `${test} (${labels.join('; ')})`).join('; ')}.`;
}
