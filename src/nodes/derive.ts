/**
 * `kind: derive` — adds (or replaces) columns computed from expressions of docs/expressions.md,
 * e.g. `{age10: I(age / 10), large: fiv_ml >= 50, log_fiv: log(fiv_ml + 1)}`.
 *
 * The runner normalises parameter key order (so the order keys are written in never changes a cache
 * key), so the columns are evaluated in dependency order instead of written order: an expression that
 * names another column of the same derive reads the derived value, whatever the order; an expression
 * naming its own column (`nihss: pmin(nihss, 30)`) reads the input's column. Dependency cycles are
 * refused at validation.
 */
import { DATA } from '../results/products.js';
import type { StepKind } from './kind.js';
import { inputTable } from './input-table.js';
import { carriedFlow } from './flow-record.js';
import { expressionProblem, parseParam, type CheckProblem } from './expression-check.js';
import { withColumn } from '../data/table.js';
import { exprColumns, parseExpression, evaluate, type Expr } from '../stats/expr.js';
import { SpecError } from '../errors.js';

export interface DeriveParams {
  readonly input: string;
  readonly columns: Readonly<Record<string, string>>;
}

export const derive: StepKind<DeriveParams> = {
  kind: 'derive',
  version: 3,
  produces: 'table',
  summary: 'Add columns computed from expressions (arithmetic, comparisons, log, sqrt, if_else, …)',
  params: {
    type: 'object',
    properties: {
      input: { type: 'string', description: 'The step whose table gets the new columns.' },
      columns: {
        type: 'object',
        description: 'New columns, {name: expression}; an expression may use the other new columns.',
        additionalProperties: { type: 'string', minLength: 1 },
        minProperties: 1,
      },
    },
    required: ['input', 'columns'],
    additionalProperties: false,
  },
  inputs: ['input'],
  accepts: { input: DATA },
  check: (p) => checkDerive(p),
  run(params, inputs, ctx) {
    let table = inputTable(inputs, params.input, 'derive');
    const parsed = new Map<string, Expr>();
    for (const [name, src] of Object.entries(params.columns)) parsed.set(name, parseParam(`columns.${name}`, src, ctx.step));
    const order = evaluationOrder(parsed);
    if (!Array.isArray(order)) throw new SpecError(`columns: ${cycleMessage(order.cycle)}`, { step: ctx.step });
    for (const name of order) table = withColumn(table, name, evaluate(parsed.get(name)!, table));
    return { type: 'table', table, flow: carriedFlow(inputs, params.input) };
  },
};

function checkDerive(p: DeriveParams): CheckProblem[] {
  const problems: CheckProblem[] = [];
  const parsed = new Map<string, Expr>();
  for (const [name, src] of Object.entries(p.columns)) {
    const problem = expressionProblem(`columns.${name}`, src);
    if (problem !== undefined) problems.push(problem);
    else parsed.set(name, parseExpression(src));
  }
  if (problems.length > 0) return problems;
  const order = evaluationOrder(parsed);
  if (!Array.isArray(order)) problems.push({ path: `columns.${order.cycle[0]!}`, message: cycleMessage(order.cycle), hint: 'a derived column cannot depend on itself through others' });
  return problems;
}

function cycleMessage(cycle: readonly string[]): string {
  return `the derived columns depend on each other in a cycle: ${[...cycle, cycle[0]!].join(' → ')}`;
}

/**
 * The columns in an order where each comes after the new columns it reads (Kahn's algorithm, ties
 * in the parameters' order), or a cycle among them.
 */
export function evaluationOrder(parsed: ReadonlyMap<string, Expr>): string[] | { cycle: string[] } {
  const names = [...parsed.keys()];
  const deps = new Map(names.map((n) => [n, exprColumns(parsed.get(n)!).filter((c) => c !== n && parsed.has(c))]));
  const done = new Set<string>();
  const order: string[] = [];
  while (order.length < names.length) {
    const next = names.find((n) => !done.has(n) && deps.get(n)!.every((d) => done.has(d)));
    if (next === undefined) return { cycle: findCycle(names.filter((n) => !done.has(n)), deps) };
    done.add(next);
    order.push(next);
  }
  return order;
}

/** A cycle among the remaining names: follow unresolved dependencies until one repeats. */
function findCycle(remaining: readonly string[], deps: ReadonlyMap<string, readonly string[]>): string[] {
  const left = new Set(remaining);
  const path: string[] = [];
  let at = remaining[0]!;
  while (!path.includes(at)) {
    path.push(at);
    at = deps.get(at)!.find((d) => left.has(d))!;
  }
  return path.slice(path.indexOf(at));
}
