/**
 * `kind: filter` — keeps the rows of a table where a condition holds (dplyr::filter): a row whose
 * condition is missing is dropped, as dplyr does. Several conditions (a list) must all hold.
 * The condition is an expression of docs/expressions.md, e.g. `fiv_ml < 80`, `modality == "CT"`.
 */
import { DATA } from '../results/products.js';
import type { StepKind } from './kind.js';
import { inputTable } from './input-table.js';
import { keptTable } from './flow-record.js';
import { expressionProblem, parseParam } from './expression-check.js';
import { takeRows } from '../data/table.js';
import { DataError } from '../errors.js';
import { deparse, evaluate } from '../stats/expr.js';

export interface FilterParams {
  readonly input: string;
  readonly where: string | readonly string[];
}

const conditions = (p: FilterParams): readonly string[] => (typeof p.where === 'string' ? [p.where] : p.where);
const pathOf = (p: FilterParams, k: number): string => (typeof p.where === 'string' ? 'where' : `where[${k}]`);

export const filter: StepKind<FilterParams> = {
  kind: 'filter',
  version: 3,
  produces: 'table',
  summary: 'Keep the rows where a condition holds (rows where it is missing are dropped)',
  params: {
    type: 'object',
    properties: {
      input: { type: 'string', description: 'The step whose table is filtered.' },
      where: {
        description: 'A condition, e.g. fiv_ml < 80 or modality == "CT"; a list of conditions must all hold.',
        anyOf: [
          { type: 'string', minLength: 1 },
          { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
        ],
      },
    },
    required: ['input', 'where'],
    additionalProperties: false,
  },
  inputs: ['input'],
  accepts: { input: DATA },
  check: (p) => conditions(p).flatMap((src, k) => expressionProblem(pathOf(p, k), src) ?? []),
  run(params, inputs, ctx) {
    const table = inputTable(inputs, params.input, 'filter');
    const keep = new Uint8Array(table.nrows).fill(1);
    conditions(params).forEach((src, k) => {
      const expr = parseParam(pathOf(params, k), src, ctx.step);
      const col = evaluate(expr, table);
      if (col.type !== 'number') {
        throw new DataError(`${pathOf(params, k)}: ${deparse(expr)} gives text, not a condition`, { hint: 'compare it with a value, e.g. modality == "CT"' });
      }
      // dplyr::filter: TRUE keeps, FALSE and NA drop. Any non-zero number counts as TRUE, as in R.
      col.values.forEach((v, i) => {
        if (v === 0 || Number.isNaN(v)) keep[i] = 0;
      });
    });
    const rows: number[] = [];
    keep.forEach((k, i) => {
      if (k === 1) rows.push(i);
    });
    if (rows.length === 0 && table.nrows > 0) ctx.warn(`filter kept none of the ${table.nrows} rows of "${params.input}"`);
    return keptTable(inputs, params.input, table, takeRows(table, rows), { step: ctx.step, kind: 'filter', reason: `not meeting: ${conditions(params).join(' and ')}`, kept: rows });
  },
};
