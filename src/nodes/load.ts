/**
 * `kind: load` — reads a CSV, TSV or JSON-lines file (relative to the spec's folder) into a table, with
 * declared column types, missing-value tokens and an optional renaming of the file's columns.
 * See docs/steps/load.md; the parsing rules are those of src/data/csv.ts.
 */
import { readFile } from 'node:fs/promises';
import { extname, isAbsolute, relative } from 'node:path';
import type { StepKind } from './kind.js';
import { DEFAULT_NA, readDelimited, type ColumnDeclaration, type ColumnType } from '../data/csv.js';
import { DataError } from '../errors.js';

type Level = string | number;
type Declaration = ColumnType | { readonly type: ColumnType; readonly levels?: readonly Level[]; readonly reference?: Level };

export interface LoadParams {
  readonly path: string;
  readonly format?: 'csv' | 'tsv' | 'jsonl';
  readonly delimiter?: string;
  readonly columns?: Readonly<Record<string, Declaration>>;
  readonly na: readonly string[];
  readonly rename?: Readonly<Record<string, string>>;
  readonly quoted_na?: boolean;
}

const COLUMN_TYPES: readonly ColumnType[] = ['number', 'integer', 'factor', 'string', 'boolean'];

const levelSchema = { type: ['string', 'number'] } as const;

export const load: StepKind<LoadParams> = {
  kind: 'load',
  version: 1,
  summary: 'Read a CSV, TSV or JSON-lines file into a table, with declared column types and missing-value tokens',
  params: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, description: 'The data file, relative to the spec file\'s folder.' },
      format: { enum: ['csv', 'tsv', 'jsonl'], description: 'File format; by default from the extension (.tsv/.tab: tsv, .jsonl/.ndjson: jsonl, otherwise csv).' },
      delimiter: { type: 'string', minLength: 1, maxLength: 1, description: 'Field delimiter of a csv file (default ",").' },
      columns: {
        type: 'object',
        description: 'Declared column types by (renamed) column name; undeclared columns are inferred. A type name, or {type, levels, reference}.',
        additionalProperties: {
          anyOf: [
            { enum: COLUMN_TYPES, description: 'The column type.' },
            {
              type: 'object',
              properties: {
                type: { enum: COLUMN_TYPES, description: 'number, integer, boolean (0/1), factor or string.' },
                levels: { type: 'array', items: levelSchema, minItems: 1, description: 'Factor levels; the first is the reference level. A value outside them is an error.' },
                reference: { ...levelSchema, description: 'The reference level of a factor (moved to the front).' },
              },
              required: ['type'],
              additionalProperties: false,
            },
          ],
        },
      },
      na: { type: 'array', items: { type: 'string' }, default: [...DEFAULT_NA], description: 'Values that mark a missing value.' },
      // No schema default: a default would enter the normalised parameters, and so every load step's cache key.
      quoted_na: {
        type: 'boolean',
        description: 'Read a quoted missing-value token ("NA", "") in a factor or string column as missing, as R\'s read.csv does (default false: quoted text is literal).',
      },
      rename: {
        type: 'object',
        additionalProperties: { type: 'string', minLength: 1 },
        description: 'Renames the file\'s columns, {name in the file: name in the pipeline}, so a pipeline can read your own data.',
      },
    },
    required: ['path'],
    additionalProperties: false,
  },
  inputs: [],
  files: (p) => [p.path],
  check: (p) => checkDeclarations(p),
  async run(params, _inputs, ctx) {
    const abs = ctx.resolvePath(params.path);
    const shown = displayPath(abs, params.path);
    let text: string;
    try {
      text = await readFile(abs, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new DataError(`cannot read the data file ${shown}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`, {
        hint: 'the path is relative to the folder of the spec file',
        cause: e,
      });
    }
    const table = readDelimited(text, {
      file: shown,
      format: params.format ?? formatOf(params.path),
      delimiter: params.delimiter,
      columns: declarations(params.columns ?? {}),
      na: params.na,
      rename: params.rename,
      quotedNa: params.quoted_na,
    });
    if (table.nrows === 0) ctx.warn(`${shown} has no data rows`);
    return { type: 'table', table };
  },
};

/** The file's path as the user can open it: relative to the working folder when inside it. */
function displayPath(abs: string, written: string): string {
  const r = relative(process.cwd(), abs);
  return r === '' || r.startsWith('..') || isAbsolute(r) ? (isAbsolute(written) ? written : abs) : r;
}

export function formatOf(path: string): 'csv' | 'tsv' | 'jsonl' {
  const ext = extname(path).toLowerCase();
  return ext === '.tsv' || ext === '.tab' ? 'tsv' : ext === '.jsonl' || ext === '.ndjson' ? 'jsonl' : 'csv';
}

function declarations(columns: Readonly<Record<string, Declaration>>): Record<string, ColumnDeclaration> {
  const out: Record<string, ColumnDeclaration> = {};
  for (const [name, d] of Object.entries(columns)) {
    out[name] =
      typeof d === 'string'
        ? { type: d }
        : { type: d.type, levels: d.levels?.map(String), reference: d.reference === undefined ? undefined : String(d.reference) };
  }
  return out;
}

function checkDeclarations(p: LoadParams): { path: string; message: string; hint?: string }[] {
  const problems: { path: string; message: string; hint?: string }[] = [];
  for (const [name, d] of Object.entries(p.columns ?? {})) {
    if (typeof d === 'string') continue;
    const at = `columns.${name}`;
    if (d.type !== 'factor' && (d.levels !== undefined || d.reference !== undefined)) {
      problems.push({ path: at, message: `levels and reference apply to factors, but "${name}" is declared ${d.type}`, hint: 'write type: factor, or remove levels/reference' });
      continue;
    }
    const levels = d.levels?.map(String);
    if (levels !== undefined) {
      const dup = levels.find((l, k) => levels.indexOf(l) !== k);
      if (dup !== undefined) problems.push({ path: `${at}.levels`, message: `level "${dup}" is listed twice` });
      if (d.reference !== undefined && !levels.includes(String(d.reference))) {
        problems.push({ path: `${at}.reference`, message: `reference level "${d.reference}" is not one of the levels (${levels.join(', ')})` });
      }
    }
  }
  const targets = Object.values(p.rename ?? {});
  const dup = targets.find((t, k) => targets.indexOf(t) !== k);
  if (dup !== undefined) problems.push({ path: 'rename', message: `two columns are renamed to "${dup}"` });
  return problems;
}
