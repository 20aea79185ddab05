/**
 * `kind: describe` — a "Table 1": per variable, overall and per group of `by`,
 *   numeric:      n, missing, mean, SD, median, quartiles (R's type-7 quantiles), min, max;
 *   categorical:  n, missing, count and percentage per level (of the non-missing values),
 * where factors, string columns and numeric 0/1 columns are categorical. Rows whose `by` value is
 * missing count in the overall column only. See docs/steps/describe.md for the output layout.
 */
import { DATA } from '../results/products.js';
import type { StepKind } from './kind.js';
import { inputTable } from './input-table.js';
import { expressionProblem, parseParam, type CheckProblem } from './expression-check.js';
import type { JsonObject } from '../data/canonical.js';
import { formatNumber } from '../data/csv.js';
import { cellValue, getColumn, isMissing, makeTable, type Column, type Table } from '../data/table.js';
import { DataError } from '../errors.js';
import { evaluate } from '../stats/expr.js';
import { summarise, type Summary } from '../stats/quantile.js';

export interface DescribeParams {
  readonly input: string;
  readonly variables: readonly string[];
  readonly by?: string;
}

/** More groups than this means `by` is not a grouping variable (probably a continuous one). */
export const MAX_GROUPS = 20;

const NUMERIC_STATS = ['n', 'missing', 'mean', 'sd', 'median', 'q1', 'q3', 'min', 'max'] as const satisfies readonly (keyof Summary)[];

export const describe: StepKind<DescribeParams> = {
  kind: 'describe',
  version: 2,
  produces: 'describe',
  summary: 'A "Table 1": n, missing, median and quartiles, mean and SD, or counts and percentages, overall and by group',
  params: {
    type: 'object',
    properties: {
      input: { type: 'string', description: 'The step whose table is described.' },
      variables: {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        minItems: 1,
        uniqueItems: true,
        description: 'Columns to describe (or expressions, e.g. "fiv_ml > 50").',
      },
      by: { type: 'string', minLength: 1, description: 'A grouping column (a factor or a 0/1 column, e.g. evt): one column of statistics per group.' },
    },
    required: ['input', 'variables'],
    additionalProperties: false,
  },
  inputs: ['input'],
  accepts: { input: DATA },
  check: (p) => p.variables.flatMap((v, k): CheckProblem[] => {
    const problem = expressionProblem(`variables[${k}]`, v);
    return problem === undefined ? [] : [problem];
  }),
  run(params, inputs, ctx) {
    const table = inputTable(inputs, params.input, 'describe');
    const groups = params.by === undefined ? [] : groupRows(table, params.by);
    const all = Int32Array.from({ length: table.nrows }, (_, i) => i);
    const variables: JsonObject[] = [];
    const rows: Row[] = [];
    params.variables.forEach((v, k) => {
      const expr = parseParam(`variables[${k}]`, v, ctx.step);
      const col = expr.type === 'col' ? getColumn(table, expr.name, 'describe variables') : evaluate(expr, table);
      const d = describeVariable(v, col, all, groups);
      variables.push(d.json);
      rows.push(...d.rows);
    });
    const byMissing = table.nrows - groups.reduce((s, g) => s + g.rows.length, 0);
    return {
      type: 'result',
      value: {
        by: params.by ?? null,
        n: table.nrows,
        groups: groups.map((g) => ({ label: g.label, n: g.rows.length })),
        by_missing: params.by === undefined ? 0 : byMissing,
        variables,
      },
      tables: new Map([['table', layout(rows, params.by, groups)]]),
    };
  },
};

interface Group {
  readonly label: string;
  readonly rows: Int32Array;
}

/** One line of the Table-1 CSV: a statistic of a variable (and level), overall then per group. */
interface Row {
  readonly variable: string;
  readonly level: string | null;
  readonly statistic: string;
  readonly values: readonly number[];
}

/** The groups of `by`, in level order for a factor, ascending for numbers, by code unit for strings. */
function groupRows(table: Table, by: string): Group[] {
  const col = getColumn(table, by, 'describe by');
  const labels = col.type === 'factor' ? [...col.levels] : distinctLabels(col);
  if (labels.length > MAX_GROUPS) {
    throw new DataError(`by: column "${by}" has ${labels.length} distinct values; describe groups by at most ${MAX_GROUPS}`, {
      hint: 'group by a factor or a 0/1 column, or derive one (e.g. age_group: if_else(age >= 80, "80+", "<80"))',
    });
  }
  const index = new Map(labels.map((l, k) => [l, k]));
  const members: number[][] = labels.map(() => []);
  for (let i = 0; i < table.nrows; i++) {
    const label = labelOf(col, i);
    if (label !== null) members[index.get(label)!]!.push(i);
  }
  return labels.map((label, k) => ({ label, rows: Int32Array.from(members[k]!) }));
}

function labelOf(col: Column, i: number): string | null {
  const v = cellValue(col, i);
  return v === null ? null : typeof v === 'number' ? formatNumber(v) : v;
}

function distinctLabels(col: Column): string[] {
  if (col.type === 'number') {
    const values = [...new Set(Array.from(col.values).filter((x) => !Number.isNaN(x)))].sort((a, b) => a - b);
    return values.map(formatNumber);
  }
  const set = new Set<string>();
  for (let i = 0; i < (col.type === 'string' ? col.values.length : col.codes.length); i++) {
    const l = labelOf(col, i);
    if (l !== null) set.add(l);
  }
  return [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Categorical levels of a column, or undefined for a numeric (non-0/1) one. */
function categoricalLevels(col: Column): string[] | undefined {
  switch (col.type) {
    case 'factor':
      return [...col.levels];
    case 'string':
      return distinctLabels(col);
    case 'number':
      return col.values.every((x) => Number.isNaN(x) || x === 0 || x === 1) && col.values.some((x) => !Number.isNaN(x)) ? ['0', '1'] : undefined;
  }
}

function describeVariable(name: string, col: Column, all: Int32Array, groups: readonly Group[]): { json: JsonObject; rows: Row[] } {
  const levels = categoricalLevels(col);
  if (levels === undefined && col.type === 'number') {
    const summaries = [all, ...groups.map((g) => g.rows)].map((rows) => summarise(Float64Array.from(rows, (i) => col.values[i]!)));
    const json = { name, type: 'numeric', overall: summaryJson(summaries[0]!), groups: summaries.slice(1).map(summaryJson) };
    const rows = NUMERIC_STATS.map((s) => ({ variable: name, level: null, statistic: s, values: summaries.map((x) => x[s]) }));
    return { json, rows };
  }
  const lv = levels ?? [];
  const tallies = [all, ...groups.map((g) => g.rows)].map((rows) => tally(col, rows, lv));
  const json = { name, type: 'categorical', levels: lv, overall: tallies[0]!, groups: tallies.slice(1) };
  const rows: Row[] = [
    { variable: name, level: null, statistic: 'n', values: tallies.map((t) => t.n) },
    { variable: name, level: null, statistic: 'missing', values: tallies.map((t) => t.missing) },
  ];
  lv.forEach((level, k) => {
    rows.push({ variable: name, level, statistic: 'count', values: tallies.map((t) => t.counts[k]!) });
    rows.push({ variable: name, level, statistic: 'percent', values: tallies.map((t) => t.percent[k]!) });
  });
  return { json, rows };
}

function summaryJson(s: Summary): JsonObject {
  return { n: s.n, missing: s.missing, mean: s.mean, sd: s.sd, median: s.median, q1: s.q1, q3: s.q3, min: s.min, max: s.max };
}

/** Counts per level and percentages of the non-missing values (100 × count / n; NaN when n = 0). */
function tally(col: Column, rows: Int32Array, levels: readonly string[]): { n: number; missing: number; counts: number[]; percent: number[] } {
  const index = new Map(levels.map((l, k) => [l, k]));
  const counts = levels.map(() => 0);
  let missing = 0;
  for (const i of rows) {
    if (isMissing(col, i)) {
      missing++;
      continue;
    }
    const k = index.get(labelOf(col, i)!)!;
    counts[k]!++;
  }
  const n = rows.length - missing;
  return { n, missing, counts, percent: counts.map((c) => (n === 0 ? NaN : (100 * c) / n)) };
}

/** The Table-1 CSV: variable, level, statistic, overall, then one column per group named `by=label`. */
function layout(rows: readonly Row[], by: string | undefined, groups: readonly Group[]): Table {
  const cols: [string, Column][] = [
    ['variable', { type: 'string', values: rows.map((r) => r.variable) }],
    ['level', { type: 'string', values: rows.map((r) => r.level) }],
    ['statistic', { type: 'string', values: rows.map((r) => r.statistic) }],
    ['overall', { type: 'number', values: Float64Array.from(rows, (r) => r.values[0]!) }],
  ];
  groups.forEach((g, k) => {
    cols.push([`${by ?? ''}=${g.label}`, { type: 'number', values: Float64Array.from(rows, (r) => r.values[k + 1]!) }]);
  });
  return makeTable(cols);
}
