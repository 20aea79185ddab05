/**
 * `kind: load` — reads a data file (CSV/TSV with any delimiter and decimal mark, UTF-8 or UTF-16, JSON
 * lines, an Excel .xlsx sheet) into a table, with declared column types, recoding, missing-value tokens
 * and an optional renaming of the file's columns. See docs/steps/load.md; the reading rules are those of
 * src/data/ (sniff → decode → csv/jsonl/xlsx → read-table).
 */
import { readFile } from 'node:fs/promises';
import { basename, extname, isAbsolute, relative } from 'node:path';
import type { StepContext, StepKind } from './kind.js';
import { readText } from '../data/csv.js';
import { ENCODINGS, decodeText, type Encoding } from '../data/decode.js';
import { DEFAULT_NA, readTable, type ColumnDeclaration } from '../data/read-table.js';
import type { ColumnType } from '../data/columns.js';
import { checkPattern, impliedType, type RecodedValue } from '../data/recode.js';
import { sniff } from '../data/sniff.js';
import type { Table } from '../data/table.js';
import { readXlsx } from '../data/xlsx.js';
import { DataError, listNames, pathRelativeTo } from '../errors.js';
import { flowBox } from '../results/flow.js';

type Level = string | number;
type Format = 'csv' | 'tsv' | 'jsonl' | 'xlsx';

/** A column declaration as written: a type name, or an object (types, levels, recoding). */
export interface DeclarationObject {
  readonly type?: ColumnType;
  readonly levels?: readonly Level[];
  readonly reference?: Level;
  readonly from?: string;
  readonly values?: Readonly<Record<string, RecodedValue>>;
  readonly pattern?: string;
}
type Declaration = ColumnType | DeclarationObject;

export interface LoadParams {
  readonly path: string;
  readonly format?: Format;
  readonly delimiter?: string;
  readonly decimal?: 'auto' | '.' | ',';
  readonly encoding?: Encoding;
  readonly sheet?: string | number;
  readonly columns?: Readonly<Record<string, Declaration>>;
  /** Recodings merged into `columns` (so the shipped pipelines take them from `--set recode=…`). */
  readonly recode?: Readonly<Record<string, DeclarationObject>>;
  readonly na: readonly string[];
  readonly rename?: Readonly<Record<string, string>>;
  readonly quoted_na?: boolean;
  /** The arm (treatment group) column: the patient flow counts each arm (src/results/flow.ts). */
  readonly arm?: string;
}

const COLUMN_TYPES: readonly ColumnType[] = ['number', 'integer', 'factor', 'string', 'boolean'];

const levelSchema = { type: ['string', 'number'] } as const;

/** The object form of a column declaration (also the shape of a `recode` entry). */
const declarationObject = {
  type: 'object',
  properties: {
    type: { enum: COLUMN_TYPES, description: 'number, integer, boolean (0/1), factor or string. May be left out with values: (taken from them) or pattern: (inferred).' },
    levels: { type: 'array', items: levelSchema, minItems: 1, description: 'Factor levels; the first is the reference level. A value outside them is an error.' },
    reference: { ...levelSchema, description: 'The reference level of a factor (moved to the front).' },
    from: { type: 'string', minLength: 1, description: 'Read this column from another column of the file (its name in the header); that column is then left out unless declared itself.' },
    values: {
      type: 'object',
      additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
      description: 'Recode: each value in the file → its value in the pipeline, e.g. {F: true, M: false}; null makes it missing. A value not listed is an error.',
    },
    pattern: {
      type: 'string',
      minLength: 1,
      description: 'Recode: a regular expression the whole value must match; its first group (or the whole match) is kept, e.g. "mRS (\\\\d)".',
    },
  },
  additionalProperties: false,
} as const;

/** Parameter values meaning "the default": normalised away, so writing them does not change the key. */
const DEFAULTS: Readonly<Record<string, unknown>> = { delimiter: 'auto', decimal: 'auto', encoding: 'auto', sheet: '' };

export const load: StepKind<LoadParams> = {
  kind: 'load',
  version: 3,
  produces: 'table',
  summary: 'Read a CSV/TSV (any delimiter, decimal comma, UTF-8 or UTF-16), JSON-lines or .xlsx file into a table, with declared column types, recoding and missing-value tokens',
  params: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, 'x-file': true, description: 'The data file, relative to the spec file\'s folder (or to the working directory when given with --set).' },
      format: {
        enum: ['csv', 'tsv', 'jsonl', 'xlsx'],
        description: 'File format; by default an Excel workbook is recognised by its content, else by the extension (.tsv/.tab: tsv, .jsonl/.ndjson: jsonl, otherwise csv).',
      },
      // No schema defaults for the reading options: a default would enter the normalised parameters,
      // and so every load step's cache key.
      delimiter: {
        type: 'string',
        pattern: '^(auto|[^"\\r\\n])$',
        description: 'Field delimiter of a csv file: one character (";", "\\t", "|"), or auto (the default: guessed from the file, and said in the run log when not ",").',
      },
      decimal: { enum: ['auto', '.', ','], description: 'Decimal mark of the numbers: "." or "," (as R\'s read.csv2), or auto (the default: guessed when the delimiter is not ",").' },
      encoding: { enum: ENCODINGS, description: 'Text encoding: auto (the default: a byte-order mark, else UTF-8), utf-8, utf-16le, utf-16be or windows-1252.' },
      sheet: {
        anyOf: [{ type: 'string' }, { type: 'integer', minimum: 1 }],
        description: 'The sheet of an .xlsx workbook: its name or number (1 = the first); empty: the first.',
      },
      columns: {
        type: 'object',
        description: 'Declared columns by (renamed) column name; undeclared columns are inferred. A type name, or {type, levels, reference, from, values, pattern}.',
        additionalProperties: { anyOf: [{ enum: COLUMN_TYPES, description: 'The column type.' }, declarationObject] },
      },
      recode: {
        type: 'object',
        description: 'Recodings by column name, merged into columns: (the same keys as a column declaration), so a pipeline\'s declared types stay and --set recode={…} adds from/values/pattern.',
        additionalProperties: declarationObject,
      },
      na: { type: 'array', items: { type: 'string' }, default: [...DEFAULT_NA], description: 'Values that mark a missing value.' },
      quoted_na: {
        type: 'boolean',
        description: 'Read a quoted missing-value token ("NA", "") in a factor or string column as missing, as R\'s read.csv does (default false: quoted text is literal).',
      },
      arm: { type: 'string', minLength: 1, description: 'The arm (treatment group) column, e.g. evt: the patient flow of every later step counts each arm.' },
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
  check: (p) => checkDeclarations(p),
  normalise: normaliseLoad,
  async run(params, _inputs, ctx) {
    const table = await readData(params, ctx);
    const arm = params.arm ?? null;
    if (arm !== null && !table.columns.has(arm)) {
      throw new DataError(`arm: column "${arm}" is not in ${params.path}`, { hint: `the columns are: ${listNames(table.columns.keys())}` });
    }
    // The flow names the file, never its folder: a shared report shows no home directory.
    return { type: 'table', table, flow: { arm, boxes: [flowBox(ctx.step, 'load', `read from ${basename(ctx.resolvePath(params.path))}`, arm, table)] } };
  },
};

/** Reads the step's file into a table (also used by `validate --data`, which runs no step). */
export async function readData(params: LoadParams, ctx: Pick<StepContext, 'resolvePath' | 'pathOrigin' | 'warn'>): Promise<Table> {
  const p = normaliseLoad(params);
  const abs = ctx.resolvePath(p.path);
  const shown = displayPath(abs, p.path);
  let bytes: Buffer;
  try {
    bytes = await readFile(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const origin = ctx.pathOrigin?.(p.path) ?? 'spec';
    throw new DataError(`cannot read the data file ${shown}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`, {
      hint: pathRelativeTo(origin),
      cause: e,
    });
  }
  const kind = sniff(bytes, shown);
  const common = { file: shown, columns: declarations(p.columns ?? {}), na: p.na, rename: p.rename, quotedNa: p.quoted_na };
  if (kind.kind === 'xlsx') {
    const table = readTable(await readXlsx(kind.bytes, shown, p.sheet), common);
    if (table.nrows === 0) ctx.warn(`${shown} has no data rows`);
    return table;
  }
  if (p.format === 'xlsx') throw new DataError(`${shown} is not an Excel workbook (.xlsx)`, { hint: 'leave format: out to read it as text, or point the step at the .xlsx file' });
  const decoded = decodeText(kind.bytes, p.encoding ?? 'auto', shown);
  const { table, dialect } = readText(decoded.text, { ...common, format: p.format ?? formatOf(p.path), delimiter: p.delimiter, decimal: p.decimal });
  const stated: string[] = [];
  if (dialect.guessed.delimiter && dialect.delimiter !== ',') stated.push(`delimiter ${dialect.delimiter === '\t' ? '"\\t"' : JSON.stringify(dialect.delimiter)}`);
  if (dialect.guessed.decimal && dialect.decimal !== '.') stated.push(`decimal ${JSON.stringify(dialect.decimal)}`);
  if (p.encoding === undefined && decoded.encoding !== 'utf-8') stated.push(`encoding ${decoded.encoding}`);
  if (stated.length > 0) {
    // said on every run (also from the cache): a guess the user has not confirmed stays visible
    ctx.warn(`read ${shown} with ${stated.join(', ')}, guessed from the file; to state ${stated.length === 1 ? 'it' : 'them'}, set ${stated.map((s) => s.replace(' ', ': ')).join(', ')} in the load step (--set ${stated[0]!.split(' ')[0]!}=… for the shipped pipelines)`);
  }
  if (table.nrows === 0) ctx.warn(`${shown} has no data rows`);
  return table;
}

/** The file's path as the user can open it: relative to the working folder when inside it. */
function displayPath(abs: string, written: string): string {
  const r = relative(process.cwd(), abs);
  return r === '' || r.startsWith('..') || isAbsolute(r) ? (isAbsolute(written) ? written : abs) : r;
}

export function formatOf(path: string): 'csv' | 'tsv' | 'jsonl' {
  const ext = extname(path).toLowerCase();
  return ext === '.tsv' || ext === '.tab' ? 'tsv' : ext === '.jsonl' || ext === '.ndjson' ? 'jsonl' : 'csv';
}

/**
 * The canonical parameters: reading options at their default (`auto`, an empty sheet) left out, and
 * `recode` merged into `columns`, so that a recoding written either way, and a spec that spells out the
 * defaults, give the key of the plain form.
 */
function normaliseLoad(p: LoadParams): LoadParams {
  const out: Record<string, unknown> = Object.fromEntries(Object.entries(p).filter(([k, v]) => k !== 'recode' && !(Object.hasOwn(DEFAULTS, k) && DEFAULTS[k] === v)));
  const recode = p.recode;
  if (recode !== undefined && Object.keys(recode).length > 0) {
    const columns: Record<string, Declaration> = { ...(p.columns ?? {}) };
    for (const [name, r] of Object.entries(recode)) {
      const own = columns[name];
      columns[name] = { ...(own === undefined ? {} : typeof own === 'string' ? { type: own } : own), ...r };
    }
    out.columns = columns;
  }
  return out as unknown as LoadParams;
}

function declarations(columns: Readonly<Record<string, Declaration>>): Record<string, ColumnDeclaration> {
  const out: Record<string, ColumnDeclaration> = {};
  for (const [name, d] of Object.entries(columns)) {
    out[name] =
      typeof d === 'string'
        ? { type: d }
        : {
            type: d.type,
            levels: d.levels?.map(String),
            reference: d.reference === undefined ? undefined : String(d.reference),
            from: d.from,
            values: d.values,
            pattern: d.pattern,
          };
  }
  return out;
}

function checkDeclarations(params: LoadParams): { path: string; message: string; hint?: string }[] {
  const problems: { path: string; message: string; hint?: string }[] = [];
  for (const [name, r] of Object.entries(params.recode ?? {})) {
    if (r.from === undefined && r.values === undefined && r.pattern === undefined && r.type === undefined) {
      problems.push({ path: `recode.${name}`, message: 'a recoding needs from:, values: or pattern:', hint: `e.g. recode: {${name}: {from: Sex, values: {F: 1, M: 0}}}` });
    }
  }
  const p = normaliseLoad(params);
  for (const [name, d] of Object.entries(p.columns ?? {})) {
    if (typeof d === 'string') continue;
    const at = `${params.recode !== undefined && Object.hasOwn(params.recode, name) ? 'recode' : 'columns'}.${name}`;
    const type = d.type ?? (d.values === undefined ? undefined : impliedType(d.values));
    if (d.type === undefined && d.values === undefined && d.pattern === undefined && d.from === undefined) {
      problems.push({ path: at, message: `column "${name}" needs a type`, hint: 'write type: number, integer, boolean, factor or string (or recode it with values: or pattern:)' });
      continue;
    }
    if (type === 'mixed') {
      problems.push({ path: `${at}.values`, message: 'the values mix booleans, numbers and text', hint: 'map to one kind of value (e.g. all 0/1), or give type: to say how to read them' });
      continue;
    }
    if (d.pattern !== undefined) {
      const bad = checkPattern(d.pattern);
      if (bad !== undefined) problems.push({ path: `${at}.pattern`, message: bad, hint: 'e.g. pattern: \'mRS (\\d)\' keeps the digit of "mRS 3"' });
    }
    if (type !== 'factor' && (d.levels !== undefined || d.reference !== undefined)) {
      problems.push({ path: at, message: `levels and reference apply to factors, but "${name}" is declared ${type ?? 'without a type'}`, hint: 'write type: factor, or remove levels/reference' });
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
