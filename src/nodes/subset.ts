/**
 * `kind: subset` — keeps the rows where a column equals a value (or is one of a list of values), where
 * one special value (`all:`, default `all`) keeps every row. It is the step a sensitivity analysis is
 * swept over: `foreach: {modality: [all, CT, MRI]}` with `value: ${foreach.modality}` gives the whole
 * cohort and each modality's patients under one name (see docs/steps/subset.md).
 *
 * As `filter` (dplyr::filter), a row whose column is missing is dropped, except by `all`. A value that is
 * not a level of the column is an error, so a typo cannot silently give an empty subset.
 */
import { DATA } from '../results/products.js';
import type { StepKind } from './kind.js';
import { inputTable } from './input-table.js';
import { carriedFlow, keptTable } from './flow-record.js';
import { getColumn, takeRows, type Column } from '../data/table.js';
import { DataError, didYouMean, listNames } from '../errors.js';

type Value = string | number | boolean;

export interface SubsetParams {
  readonly input: string;
  readonly column: string;
  readonly value: Value | readonly Value[];
  readonly all: string;
}

const scalar = { type: ['string', 'number', 'boolean'] } as const;

const valuesOf = (p: SubsetParams): readonly Value[] => (typeof p.value === 'object' ? p.value : [p.value]);
/** True when the step keeps every row: `value` is the `all` word itself (not inside a list). */
const keepsAll = (p: SubsetParams): boolean => typeof p.value !== 'object' && String(p.value) === p.all;

export const subset: StepKind<SubsetParams> = {
  kind: 'subset',
  version: 2,
  produces: 'table',
  summary: 'Keep the rows where a column equals a value or one of a list of values; the value "all" keeps every row',
  params: {
    type: 'object',
    properties: {
      input: { type: 'string', description: 'The step whose table is subset.' },
      column: { type: 'string', minLength: 1, description: 'The column compared, e.g. modality.' },
      value: {
        description: 'The value to keep (a level of the column), a list of values, or the `all` word to keep every row, e.g. ${foreach.modality}.',
        anyOf: [scalar, { type: 'array', items: scalar, minItems: 1 }],
      },
      all: { type: 'string', minLength: 1, default: 'all', description: 'The value that keeps every row (default "all").' },
    },
    required: ['input', 'column', 'value'],
    additionalProperties: false,
  },
  inputs: ['input'],
  accepts: { input: DATA },
  check: (p) =>
    typeof p.value === 'object' && p.value.some((v) => String(v) === p.all)
      ? [{ path: 'value', message: `"${p.all}" keeps every row and cannot be one of a list of values`, hint: `write value: ${p.all}, or list only levels of ${p.column}` }]
      : [],
  run(params, inputs, ctx) {
    const table = inputTable(inputs, params.input, 'subset');
    const col = getColumn(table, params.column, 'column: of the subset step');
    const present = observed(col);
    if (keepsAll(params)) {
      if (present.has(params.all)) {
        throw new DataError(`column "${params.column}" has a value "${params.all}", so value: ${params.all} could mean that value or every row`, {
          hint: 'choose another word for "every row" with all:, e.g. all: ANY',
        });
      }
      return { type: 'table', table, flow: carriedFlow(inputs, params.input) };
    }
    const keep = matcher(col, valuesOf(params), params.column, present);
    const rows: number[] = [];
    for (let i = 0; i < table.nrows; i++) if (keep(i)) rows.push(i);
    if (rows.length === 0 && table.nrows > 0) ctx.warn(`subset kept none of the ${table.nrows} rows of "${params.input}" (${params.column} = ${valuesOf(params).join(', ')})`);
    return keptTable(inputs, params.input, table, takeRows(table, rows), { step: ctx.step, kind: 'subset', reason: `not ${params.column} = ${valuesOf(params).join(' or ')}`, kept: rows });
  },
};

/** The values a column can be compared with, as text: a factor's levels, else the distinct non-missing values. */
function observed(col: Column): Set<string> {
  switch (col.type) {
    case 'factor':
      return new Set(col.levels);
    case 'string':
      return new Set(col.values.filter((v): v is string => v !== null));
    case 'number':
      return new Set(Array.from(col.values).filter((x) => !Number.isNaN(x)).map(String));
  }
}

/** Row i → whether it holds one of `values`; a missing cell never does. Unknown values are a DataError. */
function matcher(col: Column, values: readonly Value[], name: string, present: ReadonlySet<string>): (i: number) => boolean {
  const unknown = (v: Value): never => {
    const known = [...present];
    throw new DataError(`${JSON.stringify(v)} is not ${col.type === 'factor' ? 'a level' : 'a value'} of column "${name}"${didYouMean(String(v), known)}`, {
      hint: `${col.type === 'factor' ? 'the levels are' : 'the column has'} ${listNames(known)}; or write value: all to keep every row`,
    });
  };
  switch (col.type) {
    case 'number': {
      const wanted = new Set(values.map((v) => {
        const x = typeof v === 'boolean' ? Number(v) : typeof v === 'number' ? v : v.trim() === '' ? NaN : Number(v);
        if (Number.isNaN(x)) {
          throw new DataError(`column "${name}" holds numbers, but the value ${JSON.stringify(v)} is not one`, {
            hint: 'give a number (for a 0/1 column: 0 or 1), or declare the column as a factor in the load step',
          });
        }
        if (!present.has(String(x))) unknown(v);
        return x;
      }));
      return (i) => wanted.has(col.values[i]!);
    }
    case 'factor': {
      const codes = new Set(values.map((v) => {
        const k = col.levels.indexOf(String(v));
        return k < 0 ? unknown(v) : k;
      }));
      return (i) => codes.has(col.codes[i]!);
    }
    case 'string': {
      const wanted = new Set(values.map((v) => (present.has(String(v)) ? String(v) : unknown(v))));
      return (i) => {
        const v = col.values[i];
        return v !== null && v !== undefined && wanted.has(v);
      };
    }
  }
}
