/**
 * `compare`: two groups side by side. For each variable, per group of the `by` column:
 * - numeric: n, missing, median and quartiles (type 7), the Wilcoxon rank-sum test as
 *   `wilcox.test(x ~ by, exact = FALSE, correct = TRUE, conf.int = TRUE)` (W, p) and R's location
 *   shift (group 1 minus group 2) with its CI;
 * - factor: counts and column percentages per level, and `chisq.test` of the level × group table
 *   (Yates-corrected when 2 × 2, as R's default). Levels absent from both groups are left out.
 * Groups are the two levels of a factor `by` (in level order) or the two values of a numeric one (ascending).
 */
import { DATA } from '../results/products.js';
import type { JsonObject } from '../data/canonical.js';
import { type Column, type Table, getColumn, makeTable } from '../data/table.js';
import { DataError } from '../errors.js';
import { chisqTest } from '../stats/chisq.js';
import { summarise } from '../stats/quantile.js';
import { wilcoxRankSum } from '../stats/ranktests.js';
import { inputTable } from './input-table.js';
import type { StepKind } from './kind.js';

export interface CompareParams {
  readonly input: string;
  readonly by: string;
  readonly variables: readonly string[];
  readonly conf: number;
}

interface Groups {
  readonly labels: [string, string];
  /** 0 or 1 per row; -1 when the group is missing. */
  readonly of: Int8Array;
}

/** The two groups of the `by` column, or a DataError when it does not have exactly two. */
function groupsOf(col: Column, by: string): Groups {
  const n = col.type === 'factor' ? col.codes.length : col.values.length;
  const of = new Int8Array(n).fill(-1);
  if (col.type === 'number') {
    const values = [...new Set(Array.from(col.values).filter((v) => !Number.isNaN(v)))].sort((a, b) => a - b);
    if (values.length !== 2) throw twoGroupsError(by, values.map(String));
    for (let i = 0; i < n; i++) {
      const v = col.values[i]!;
      if (!Number.isNaN(v)) of[i] = v === values[0] ? 0 : 1;
    }
    return { labels: [String(values[0]), String(values[1])], of };
  }
  if (col.type === 'factor') {
    const used = [...new Set(Array.from(col.codes).filter((c) => c >= 0))].sort((a, b) => a - b);
    if (used.length !== 2) throw twoGroupsError(by, used.map((c) => col.levels[c]!));
    for (let i = 0; i < n; i++) {
      const c = col.codes[i]!;
      if (c >= 0) of[i] = c === used[0] ? 0 : 1;
    }
    return { labels: [col.levels[used[0]!]!, col.levels[used[1]!]!], of };
  }
  throw new DataError(`compare: the grouping column "${by}" is a text column`, { hint: 'declare it as a factor or a number in the load step' });
}

function twoGroupsError(by: string, found: string[]): DataError {
  return new DataError(`compare needs exactly two groups in "${by}", found ${found.length}${found.length > 0 ? ` (${found.slice(0, 5).join(', ')})` : ''}`, {
    hint: 'filter the data to two groups first, or compare by a binary column',
  });
}

function split(values: Float64Array, groups: Groups): [Float64Array, Float64Array] {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const g = groups.of[i]!;
    if (g === 0) a.push(values[i]!);
    else if (g === 1) b.push(values[i]!);
  }
  return [Float64Array.from(a), Float64Array.from(b)];
}

interface NumericRow {
  readonly variable: string;
  readonly summaries: [ReturnType<typeof summarise>, ReturnType<typeof summarise>];
  readonly test: ReturnType<typeof wilcoxRankSum> | undefined;
  readonly note: string | undefined;
}

function compareNumeric(variable: string, values: Float64Array, groups: Groups, conf: number): NumericRow {
  const [a, b] = split(values, groups);
  const summaries: NumericRow['summaries'] = [summarise(a), summarise(b)];
  if (summaries[0].n === 0 || summaries[1].n === 0) {
    return { variable, summaries, test: undefined, note: `"${variable}" has no values in one group: no test` };
  }
  return { variable, summaries, test: wilcoxRankSum(a, b, { confLevel: conf }), note: undefined };
}

interface FactorRow {
  readonly variable: string;
  readonly levels: string[];
  /** counts[level][group] */
  readonly counts: number[][];
  readonly missing: [number, number];
  readonly test: ReturnType<typeof chisqTest> | undefined;
  readonly note: string | undefined;
}

function compareFactor(variable: string, col: Column & { type: 'factor' }, groups: Groups): FactorRow {
  const all = col.levels.map(() => [0, 0]);
  const missing: [number, number] = [0, 0];
  for (let i = 0; i < col.codes.length; i++) {
    const g = groups.of[i]!;
    if (g < 0) continue;
    const c = col.codes[i]!;
    if (c < 0) missing[g] = missing[g]! + 1;
    else {
      const row = all[c]!;
      row[g] = row[g]! + 1;
    }
  }
  const keep = all.map((r, k) => [r, k] as const).filter(([r]) => r[0]! + r[1]! > 0);
  const levels = keep.map(([, k]) => col.levels[k]!);
  const counts = keep.map(([r]) => r);
  const groupTotals = [0, 1].map((g) => counts.reduce((s, r) => s + r[g]!, 0));
  if (levels.length < 2 || groupTotals.some((t) => t === 0)) {
    return { variable, levels, counts, missing, test: undefined, note: `"${variable}" has fewer than two levels or an empty group: no test` };
  }
  return { variable, levels, counts, missing, test: chisqTest(counts), note: undefined };
}

function numericJson(r: NumericRow, labels: [string, string]): JsonObject {
  const group = (k: 0 | 1): JsonObject => {
    const s = r.summaries[k];
    return { group: labels[k], n: s.n, missing: s.missing, median: s.median, q1: s.q1, q3: s.q3, mean: s.mean, min: s.min, max: s.max };
  };
  return {
    variable: r.variable,
    type: 'numeric',
    groups: [group(0), group(1)],
    wilcoxon: r.test === undefined ? null : { W: r.test.W, z: r.test.z, p: r.test.p, ties: r.test.ties },
    shift:
      r.test === undefined
        ? null
        : { estimate: r.test.estimate, lower: r.test.confInt[0], upper: r.test.confInt[1], conf: r.test.confLevel, direction: `${labels[0]} minus ${labels[1]}` },
    note: r.note ?? null,
  };
}

function factorJson(r: FactorRow, labels: [string, string]): JsonObject {
  const totals = [0, 1].map((g) => r.counts.reduce((s, c) => s + c[g]!, 0));
  return {
    variable: r.variable,
    type: 'factor',
    levels: r.levels.map((level, k) => ({
      level,
      counts: { [labels[0]]: r.counts[k]![0]!, [labels[1]]: r.counts[k]![1]! },
      percent: { [labels[0]]: (100 * r.counts[k]![0]!) / totals[0]!, [labels[1]]: (100 * r.counts[k]![1]!) / totals[1]! },
    })),
    missing: { [labels[0]]: r.missing[0], [labels[1]]: r.missing[1] },
    chisq:
      r.test === undefined
        ? null
        : { statistic: r.test.statistic, df: r.test.df, p: r.test.p, yates: r.test.yates, low_expected: r.test.lowExpected },
    note: r.note ?? null,
  };
}

const num = (values: number[]): Column => ({ type: 'number', values: Float64Array.from(values) });
const str = (values: string[]): Column => ({ type: 'string', values });

function numericTable(rows: NumericRow[]): Table {
  const g = (k: 0 | 1, f: 'n' | 'median' | 'q1' | 'q3'): number[] => rows.map((r) => r.summaries[k][f]);
  const t = (f: (r: NumericRow) => number): number[] => rows.map((r) => (r.test === undefined ? NaN : f(r)));
  return makeTable([
    ['variable', str(rows.map((r) => r.variable))],
    ['n_1', num(g(0, 'n'))],
    ['median_1', num(g(0, 'median'))],
    ['q1_1', num(g(0, 'q1'))],
    ['q3_1', num(g(0, 'q3'))],
    ['n_2', num(g(1, 'n'))],
    ['median_2', num(g(1, 'median'))],
    ['q1_2', num(g(1, 'q1'))],
    ['q3_2', num(g(1, 'q3'))],
    ['W', num(t((r) => r.test!.W))],
    ['p', num(t((r) => r.test!.p))],
    ['shift', num(t((r) => r.test!.estimate))],
    ['shift_lower', num(t((r) => r.test!.confInt[0]))],
    ['shift_upper', num(t((r) => r.test!.confInt[1]))],
  ]);
}

function factorTable(rows: FactorRow[]): Table {
  const flat = rows.flatMap((r) => r.levels.map((level, k) => ({ r, level, k })));
  const total = (r: FactorRow, g: number): number => r.counts.reduce((s, c) => s + c[g]!, 0);
  return makeTable([
    ['variable', str(flat.map((x) => x.r.variable))],
    ['level', str(flat.map((x) => x.level))],
    ['n_1', num(flat.map((x) => x.r.counts[x.k]![0]!))],
    ['percent_1', num(flat.map((x) => (100 * x.r.counts[x.k]![0]!) / total(x.r, 0)))],
    ['n_2', num(flat.map((x) => x.r.counts[x.k]![1]!))],
    ['percent_2', num(flat.map((x) => (100 * x.r.counts[x.k]![1]!) / total(x.r, 1)))],
    ['chisq', num(flat.map((x) => x.r.test?.statistic ?? NaN))],
    ['df', num(flat.map((x) => x.r.test?.df ?? NaN))],
    ['p', num(flat.map((x) => x.r.test?.p ?? NaN))],
  ]);
}

export const compare: StepKind<CompareParams> = {
  kind: 'compare',
  version: 2,
  produces: 'compare',
  summary: 'Two groups: medians and quartiles with the Wilcoxon rank-sum test and location shift; counts with the chi-squared test for factors.',
  params: {
    type: 'object',
    properties: {
      input: { type: 'string', description: 'The data step to read.' },
      by: { type: 'string', description: 'The grouping column (exactly two groups).' },
      variables: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'Columns to compare: numeric (Wilcoxon) or factor (chi-squared).' },
      conf: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.95, description: 'Confidence level of the location-shift interval.' },
    },
    required: ['input', 'by', 'variables'],
    additionalProperties: false,
  },
  inputs: ['input'],
  accepts: { input: DATA },
  run(params, inputs, ctx) {
    const table = inputTable(inputs, params.input, 'compare');
    const groups = groupsOf(getColumn(table, params.by, 'compare by:'), params.by);
    const numeric: NumericRow[] = [];
    const factor: FactorRow[] = [];
    const results: JsonObject[] = [];
    for (const variable of params.variables) {
      if (variable === params.by) throw new DataError(`compare: "${variable}" is the grouping column itself`, { hint: 'remove it from variables' });
      const col = getColumn(table, variable, 'compare variables:');
      if (col.type === 'number') {
        const row = compareNumeric(variable, col.values, groups, params.conf);
        numeric.push(row);
        results.push(numericJson(row, groups.labels));
        if (row.note !== undefined) ctx.warn(row.note);
      } else if (col.type === 'factor') {
        const row = compareFactor(variable, col, groups);
        factor.push(row);
        results.push(factorJson(row, groups.labels));
        if (row.note !== undefined) ctx.warn(row.note);
      } else {
        throw new DataError(`compare: "${variable}" is a text column`, { hint: 'declare it as a factor or a number in the load step' });
      }
      const lowExpected = factor.at(-1)?.variable === variable && factor.at(-1)?.test?.lowExpected === true;
      if (lowExpected) ctx.warn(`compare: "${variable}": some expected counts are below 5, the chi-squared approximation may be incorrect`);
    }
    const counts = [0, 1].map((g) => groups.of.reduce((s, v) => s + (v === g ? 1 : 0), 0));
    const tables = new Map<string, Table>();
    if (numeric.length > 0) tables.set('numeric', numericTable(numeric));
    if (factor.length > 0) tables.set('factor', factorTable(factor));
    return {
      type: 'result',
      value: {
        by: params.by,
        groups: [
          { label: groups.labels[0], n: counts[0]! },
          { label: groups.labels[1], n: counts[1]! },
        ],
        variables: results,
        method: {
          numeric: 'wilcox.test(exact = FALSE, correct = TRUE, conf.int = TRUE); shift = group 1 minus group 2',
          factor: 'chisq.test (Yates continuity correction for 2 x 2 tables)',
        },
      },
      tables,
    };
  },
};
