/**
 * What a step produces, and the one serialisation of it that is cached and hashed.
 *
 * - `table`: a data table (load, filter, derive, simulate);
 * - `imputed`: a multiply-imputed data set (impute): the original table plus, per imputed variable,
 *   the m imputed values of each missing cell; `completed(a, k)` materialises imputation k;
 * - `result`: a JSON result (fits, describe, mediate, …) with optional named tables written as CSV.
 */
import { canonicalJson, jsonToNumber, type Json, type JsonObject } from './canonical.js';
import { type Column, type Table, makeTable } from './table.js';
import { InternalError } from '../errors.js';
import { flowJson, type Flow } from '../results/flow.js';

export interface TableArtifact {
  readonly type: 'table';
  readonly table: Table;
  /** The patient flow that made this table (src/results/flow.ts), when its steps recorded one. */
  readonly flow?: Flow | undefined;
}

export interface ImputedVariable {
  /** The rows (0-based) whose value was missing in `original`. */
  readonly rows: Int32Array;
  /** values[k][j] is the k-th imputation of row rows[j]: a number, or a factor code for factor columns. */
  readonly values: readonly Float64Array[];
}

export interface ImputedArtifact {
  readonly type: 'imputed';
  readonly original: Table;
  readonly m: number;
  readonly imputations: ReadonlyMap<string, ImputedVariable>;
  /** Method per variable, iterations, diagnostics: written to `<step>.json`. */
  readonly info: JsonObject;
  /** The patient flow that made this set (src/results/flow.ts). */
  readonly flow?: Flow | undefined;
}

export interface ResultArtifact {
  readonly type: 'result';
  readonly value: JsonObject;
  /** Named tables, each written as `<step>.<name>.csv` (e.g. the per-patient volume-delta table). */
  readonly tables?: ReadonlyMap<string, Table> | undefined;
}

export type Artifact = TableArtifact | ImputedArtifact | ResultArtifact;

/** Imputation k (0-based) of a multiply-imputed data set, as a complete table. */
export function completed(a: ImputedArtifact, k: number): Table {
  if (k < 0 || k >= a.m) throw new InternalError(`imputation ${k} of ${a.m} requested`);
  const cols: [string, Column][] = [];
  for (const [name, col] of a.original.columns) {
    const imp = a.imputations.get(name);
    if (imp === undefined) {
      cols.push([name, col]);
      continue;
    }
    const vals = imp.values[k]!;
    if (col.type === 'number') {
      const v = Float64Array.from(col.values);
      imp.rows.forEach((r, j) => (v[r] = vals[j]!));
      cols.push([name, { type: 'number', values: v }]);
    } else if (col.type === 'factor') {
      const c = Int32Array.from(col.codes);
      imp.rows.forEach((r, j) => (c[r] = vals[j]!));
      cols.push([name, { type: 'factor', codes: c, levels: col.levels }]);
    } else {
      throw new InternalError(`string column "${name}" cannot be imputed`);
    }
  }
  return makeTable(cols);
}

// ---- serialisation -------------------------------------------------------------------------------

export function encodeTable(t: Table): Json {
  return {
    nrows: t.nrows,
    columns: [...t.columns].map(([name, c]): Json => {
      switch (c.type) {
        case 'number':
          return { name, type: 'number', values: Array.from(c.values) };
        case 'factor':
          return { name, type: 'factor', levels: c.levels, codes: Array.from(c.codes) };
        case 'string':
          return { name, type: 'string', values: c.values };
      }
    }),
  };
}

export function decodeTable(j: unknown): Table {
  const o = j as { nrows: number; columns: { name: string; type: string; values?: unknown[]; codes?: number[]; levels?: string[] }[] };
  const cols: [string, Column][] = o.columns.map((c) => {
    switch (c.type) {
      case 'number':
        return [c.name, { type: 'number', values: Float64Array.from(c.values!, jsonToNumber) }];
      case 'factor':
        return [c.name, { type: 'factor', codes: Int32Array.from(c.codes!), levels: c.levels! }];
      case 'string':
        return [c.name, { type: 'string', values: c.values as (string | null)[] }];
      default:
        throw new InternalError(`unknown column type "${c.type}" in a stored table`);
    }
  });
  const t = makeTable(cols);
  return cols.length === 0 ? { nrows: o.nrows, columns: t.columns } : t;
}

/** The canonical bytes of an artifact: what the cache stores and what output hashes are taken of. */
export function encodeArtifact(a: Artifact): string {
  switch (a.type) {
    case 'table':
      return canonicalJson({ type: 'table', table: encodeTable(a.table), flow: a.flow === undefined ? undefined : flowJson(a.flow) });
    case 'imputed':
      return canonicalJson({
        type: 'imputed',
        flow: a.flow === undefined ? undefined : flowJson(a.flow),
        m: a.m,
        info: a.info,
        original: encodeTable(a.original),
        imputations: [...a.imputations].map(([name, v]) => ({ name, rows: Array.from(v.rows), values: v.values.map((x) => Array.from(x)) })),
      });
    case 'result':
      return canonicalJson({
        type: 'result',
        value: a.value,
        tables: a.tables === undefined ? undefined : [...a.tables].map(([name, t]) => ({ name, table: encodeTable(t) })),
      });
  }
}

export function decodeArtifact(text: string): Artifact {
  const o = JSON.parse(text) as { type: string } & Record<string, unknown>;
  switch (o.type) {
    case 'table':
      return { type: 'table', table: decodeTable(o.table), flow: o.flow as Flow | undefined };
    case 'imputed': {
      const imps = o.imputations as { name: string; rows: number[]; values: unknown[][] }[];
      return {
        type: 'imputed',
        m: o.m as number,
        info: o.info as JsonObject,
        flow: o.flow as Flow | undefined,
        original: decodeTable(o.original),
        imputations: new Map(imps.map((v) => [v.name, { rows: Int32Array.from(v.rows), values: v.values.map((x) => Float64Array.from(x, jsonToNumber)) }])),
      };
    }
    case 'result': {
      const tables = o.tables as { name: string; table: unknown }[] | undefined;
      return {
        type: 'result',
        value: o.value as JsonObject,
        tables: tables === undefined ? undefined : new Map(tables.map((t) => [t.name, decodeTable(t.table)])),
      };
    }
    default:
      throw new InternalError(`unknown artifact type "${o.type}"`);
  }
}
