/**
 * Reading delimited text (CSV, TSV) and JSON lines into a Table, and writing a Table as canonical CSV.
 *
 * The reader is hand-written rather than arquero's `fromCSV` because every unparsable value must be
 * reported with its file, line and column as an editor shows them, which arquero cannot give.
 * Conventions (see docs/steps/load.md):
 * - RFC 4180 quoting (`"a ""quoted"" value"`, fields may span lines), `\n`, `\r\n` or `\r` line ends,
 *   a UTF-8 byte-order mark is ignored, blank lines are skipped (as R's `read.csv`);
 * - missing-value tokens (default `""`, `NA`, `.`) mark a missing value; in factor and string columns a
 *   *quoted* field is always taken literally, so `"NA"` is the string NA (what `writeCsv` writes);
 * - declared types: `number`, `integer` (a number that must be whole), `boolean` (0/1; also
 *   true/false), `factor` (declared `levels`, first = reference unless `reference:` says otherwise;
 *   a value outside the levels is an error), `string`;
 * - undeclared columns are inferred: number if every value parses as one, else boolean if every value
 *   is true/false, else a factor with its levels sorted by code unit (as R's `factor()` in the C locale).
 */
import { DataError, InternalError, didYouMean } from '../errors.js';
import type { Column, Table } from './table.js';

export type ColumnType = 'number' | 'integer' | 'factor' | 'string' | 'boolean';

export interface ColumnDeclaration {
  readonly type: ColumnType;
  /** Factor levels; the first is the reference level unless `reference` names another. */
  readonly levels?: readonly string[] | undefined;
  /** The reference level of a factor (moved to the front of `levels`). */
  readonly reference?: string | undefined;
}

export interface ReadOptions {
  /** The file's name as the user wrote it: used in error messages and locations. */
  readonly file: string;
  /** `csv` (default), `tsv` or `jsonl` (one JSON object per line). */
  readonly format?: 'csv' | 'tsv' | 'jsonl' | undefined;
  /** Field delimiter for csv (default `,`; tsv uses a tab). */
  readonly delimiter?: string | undefined;
  /** Declared column types, by the column's name after `rename`. */
  readonly columns?: Readonly<Record<string, ColumnDeclaration>> | undefined;
  /** Missing-value tokens (default `""`, `NA`, `.`). */
  readonly na?: readonly string[] | undefined;
  /** Columns to rename, `{name in the file: our name}`. */
  readonly rename?: Readonly<Record<string, string>> | undefined;
  /**
   * Whether a quoted missing-value token (`"NA"`, `""`) is missing in text columns too, as R's
   * `read.csv` reads it — for files that quote every field. Default false: quoted text is literal.
   */
  readonly quotedNa?: boolean | undefined;
}

export const DEFAULT_NA: readonly string[] = ['', 'NA', '.'];

/** Field flags: a quoted CSV field or JSON string (taken literally in text columns); a JSON null or absent key. */
const QUOTED = 1;
const ABSENT = 2;

/** The fields of one column as read, before typing. Columnar, so a large file costs three arrays per column. */
interface RawColumn {
  readonly texts: string[];
  readonly flags: number[];
  /** Where each field starts, decoded by `RawTable.locate` (a character offset in CSV, a line in JSON lines). */
  readonly where: number[];
}

interface RawTable {
  readonly names: readonly string[];
  readonly columns: readonly RawColumn[];
  readonly nrows: number;
  /** 1-based line and column of a field, as an editor shows them; computed only for an error. */
  locate(where: number): { line: number; col: number };
}

export function readDelimited(text: string, options: ReadOptions): Table {
  const format = options.format ?? 'csv';
  const file = options.file;
  const raw = format === 'jsonl' ? parseJsonLines(text, file) : parseCsv(text, file, format === 'tsv' ? '\t' : (options.delimiter ?? ','));
  const names = applyRename(raw.names, options.rename ?? {}, file);
  const declared = options.columns ?? {};
  for (const name of Object.keys(declared)) {
    if (!names.includes(name)) {
      throw new DataError(`declared column "${name}" is not in the file${didYouMean(name, names)}`, {
        location: { file, line: 1, col: 1 },
        hint: `the file has columns: ${names.join(', ')}${options.rename === undefined ? '' : ' (after rename:)'}`,
      });
    }
  }
  const na = new Set(options.na ?? DEFAULT_NA);
  if (options.quotedNa === true) for (const c of raw.columns) unquoteMissing(c, na);
  const cols = new Map<string, Column>();
  names.forEach((name, j) => {
    const rawColumn = raw.columns[j]!;
    const decl = Object.hasOwn(declared, name) ? declared[name] : undefined;
    const fail = (i: number, what: string, hint: string): never => {
      const { line, col } = raw.locate(rawColumn.where[i]!);
      throw new DataError(`column "${name}": ${what}`, { location: { file, line, col }, hint });
    };
    cols.set(name, decl === undefined ? inferColumn(rawColumn, na) : convertColumn(rawColumn, decl, na, { name, file, fail }));
  });
  return { nrows: raw.nrows, columns: cols };
}

/** Marks the quoted fields holding a missing-value token as unquoted, so they read as missing. */
function unquoteMissing(c: RawColumn, na: ReadonlySet<string>): void {
  for (let i = 0; i < c.texts.length; i++) if ((c.flags[i]! & QUOTED) !== 0 && na.has(c.texts[i]!)) c.flags[i] = c.flags[i]! & ~QUOTED;
}

// ---- CSV ------------------------------------------------------------------------------------------

const QUOTE = 34; // "
const LF = 10;
const CR = 13;

function parseCsv(text: string, file: string, delimiter: string): RawTable {
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new DataError(`${file}: the delimiter must be one character other than a quote or a line end, got ${JSON.stringify(delimiter)}`);
  }
  const d = delimiter.charCodeAt(0);
  const n = text.length;
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const locate = (offset: number): { line: number; col: number } => {
    let line = 1;
    let lineStart = start;
    for (let k = start; k < offset; k++) {
      const c = text.charCodeAt(k);
      if (c === LF || (c === CR && text.charCodeAt(k + 1) !== LF)) {
        line++;
        lineStart = k + 1;
      }
    }
    return { line, col: offset - lineStart + 1 };
  };
  const fail = (message: string, offset: number, hint?: string): never => {
    const { line, col } = locate(offset);
    throw new DataError(message, { location: { file, line, col }, hint });
  };

  let names: string[] | undefined;
  let columns: RawColumn[] = [];
  let nrows = 0;
  const texts: string[] = [];
  const flags: number[] = [];
  const where: number[] = [];
  let pos = start;
  while (pos < n) {
    texts.length = flags.length = where.length = 0;
    // One record: fields up to an unquoted line end.
    for (;;) {
      const fieldStart = pos;
      if (text.charCodeAt(pos) === QUOTE) {
        pos++;
        let buf = '';
        for (;;) {
          const close = text.indexOf('"', pos);
          if (close < 0) fail('a quoted field is never closed', fieldStart, 'a quote inside a quoted field is written twice ("")');
          buf += text.slice(pos, close);
          pos = close + 1;
          if (text.charCodeAt(pos) !== QUOTE) break;
          buf += '"'; // "" inside quotes is one quote (RFC 4180)
          pos++;
        }
        const c = text.charCodeAt(pos);
        if (pos < n && c !== d && c !== LF && c !== CR) {
          fail(`unexpected character ${JSON.stringify(text[pos])} after a closing quote`, pos, 'a quote inside a quoted field is written twice ("")');
        }
        texts.push(buf);
        flags.push(QUOTED);
      } else {
        let end = pos;
        while (end < n) {
          const c = text.charCodeAt(end);
          if (c === d || c === LF || c === CR) break;
          end++;
        }
        texts.push(text.slice(pos, end));
        flags.push(0);
        pos = end;
      }
      where.push(fieldStart);
      if (pos < n && text.charCodeAt(pos) === d) {
        pos++;
        continue;
      }
      if (text.charCodeAt(pos) === CR) pos++;
      if (text.charCodeAt(pos) === LF) pos++;
      break;
    }
    if (texts.length === 1 && flags[0] === 0 && texts[0] === '') continue; // a blank line
    if (names === undefined) {
      names = [...texts];
      checkNames(names, (k) => locate(where[k]!), file);
      columns = names.map(() => ({ texts: [], flags: [], where: [] }));
      continue;
    }
    if (texts.length !== names.length) {
      fail(`this row has ${texts.length} fields, the header has ${names.length}`, where[0]!, 'check for an unquoted delimiter inside a value, or a missing field');
    }
    for (let j = 0; j < texts.length; j++) {
      const column = columns[j]!;
      column.texts.push(texts[j]!);
      column.flags.push(flags[j]!);
      column.where.push(where[j]!);
    }
    nrows++;
  }
  if (names === undefined) throw new DataError(`${file}: the file is empty (a header row naming the columns is expected)`);
  return { names, columns, nrows, locate };
}

function checkNames(names: readonly string[], locate: (k: number) => { line: number; col: number }, file: string): void {
  const seen = new Set<string>();
  names.forEach((name, j) => {
    if (name.trim() === '') {
      throw new DataError(`column ${j + 1} has no name`, { location: { file, ...locate(j) }, hint: 'give every column a name in the header row' });
    }
    if (seen.has(name)) {
      throw new DataError(`column name "${name}" appears twice in the header`, {
        location: { file, ...locate(j) },
        hint: `columns ${names.indexOf(name) + 1} and ${j + 1} are both called "${name}": rename one of them in the file`,
      });
    }
    seen.add(name);
  });
}

// ---- JSON lines -----------------------------------------------------------------------------------

function parseJsonLines(text: string, file: string): RawTable {
  const names: string[] = [];
  const index = new Map<string, number>();
  const rows: { line: number; values: Map<number, unknown> }[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  lines.forEach((src, k) => {
    const line = k + 1;
    if (src.trim() === '') return;
    let obj: unknown;
    try {
      obj = JSON.parse(src);
    } catch (e) {
      throw new DataError(`not valid JSON: ${e instanceof Error ? e.message : String(e)}`, { location: { file, line, col: 1 } });
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      throw new DataError('each line must be a JSON object ({"column": value, ...})', { location: { file, line, col: 1 } });
    }
    const values = new Map<number, unknown>();
    for (const [key, v] of Object.entries(obj as Record<string, unknown>)) {
      if (typeof v === 'object' && v !== null) {
        throw new DataError(`the value of "${key}" is a nested ${Array.isArray(v) ? 'array' : 'object'}; only numbers, strings, booleans and null are read`, {
          location: { file, line, col: 1 },
        });
      }
      let j = index.get(key);
      if (j === undefined) {
        j = names.length;
        names.push(key);
        index.set(key, j);
      }
      values.set(j, v);
    }
    rows.push({ line, values });
  });
  if (rows.length === 0) throw new DataError(`${file}: the file has no JSON records`);
  const columns: RawColumn[] = names.map((_, j) => {
    const column: RawColumn = { texts: [], flags: [], where: [] };
    for (const row of rows) {
      const v = row.values.get(j);
      column.texts.push(typeof v === 'string' ? v : typeof v === 'number' ? String(v) : typeof v === 'boolean' ? (v ? 'true' : 'false') : '');
      column.flags.push(v === null || v === undefined ? ABSENT : typeof v === 'string' ? QUOTED : 0);
      column.where.push(row.line);
    }
    return column;
  });
  return { names, columns, nrows: rows.length, locate: (line) => ({ line, col: 1 }) };
}

// ---- renaming -------------------------------------------------------------------------------------

function applyRename(names: readonly string[], rename: Readonly<Record<string, string>>, file: string): string[] {
  const out = [...names];
  for (const [theirs, ours] of Object.entries(rename)) {
    const j = names.indexOf(theirs);
    if (j < 0) throw new DataError(`rename: column "${theirs}" is not in the file${didYouMean(theirs, names)}`, { location: { file, line: 1, col: 1 }, hint: `the file has columns: ${names.join(', ')}` });
    out[j] = ours;
  }
  const seen = new Set<string>();
  for (const name of out) {
    if (seen.has(name)) throw new DataError(`after rename, two columns are called "${name}"`, { location: { file, line: 1, col: 1 }, hint: 'rename one of them to another name' });
    seen.add(name);
  }
  return out;
}

// ---- typing ---------------------------------------------------------------------------------------

/** A decimal number as R's `as.numeric` reads it: digits, optional sign, point and exponent; Inf/-Inf. */
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY = /^[+-]?Inf$/;
const TRUE_TOKENS: ReadonlySet<string> = new Set(['1', 'true', 'TRUE', 'True', 'T']);
const FALSE_TOKENS: ReadonlySet<string> = new Set(['0', 'false', 'FALSE', 'False', 'F']);
/** Booleans an undeclared column is inferred from: words only (a 0/1 column stays a number column). */
const BOOLEAN_WORDS: ReadonlySet<string> = new Set(['true', 'TRUE', 'True', 'false', 'FALSE', 'False']);

/** White space at either end (checked before trimming, which allocates). */
function padded(s: string): boolean {
  return s.length > 0 && (s.charCodeAt(0) <= 32 || s.charCodeAt(s.length - 1) <= 32);
}

function parseNumber(text: string): number {
  const s = padded(text) ? text.trim() : text;
  if (NUMBER.test(s)) return Number(s);
  if (INFINITY.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  return NaN;
}

/** Missing in a numeric column: an absent JSON value or any NA token (quoted or not, spaces ignored). */
function numericMissing(c: RawColumn, i: number, na: ReadonlySet<string>): boolean {
  const t = c.texts[i]!;
  return (c.flags[i]! & ABSENT) !== 0 || na.has(t) || (padded(t) && na.has(t.trim()));
}

/** Missing in a factor or string column: a quoted field is literal. */
function textMissing(c: RawColumn, i: number, na: ReadonlySet<string>): boolean {
  const f = c.flags[i]!;
  return (f & ABSENT) !== 0 || ((f & QUOTED) === 0 && na.has(c.texts[i]!));
}

interface ColumnContext {
  readonly name: string;
  readonly file: string;
  /** Throws a DataError at field i. */
  fail(i: number, what: string, hint: string): never;
}

function convertColumn(c: RawColumn, decl: ColumnDeclaration, na: ReadonlySet<string>, ctx: ColumnContext): Column {
  const n = c.texts.length;
  const naHint = `fix the value, or add it to na: if it marks a missing value (now ${[...na].map((t) => JSON.stringify(t)).join(', ')})`;
  switch (decl.type) {
    case 'number':
    case 'integer': {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        if (numericMissing(c, i, na)) {
          values[i] = NaN;
          continue;
        }
        const t = c.texts[i]!;
        const x = parseNumber(t);
        if (Number.isNaN(x)) ctx.fail(i, `${JSON.stringify(t)} is not a number`, naHint);
        if (decl.type === 'integer' && !Number.isInteger(x)) ctx.fail(i, `${JSON.stringify(t)} is not a whole number (declared integer)`, 'declare the column as number if fractions are allowed');
        values[i] = x;
      }
      return { type: 'number', values };
    }
    case 'boolean': {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        if (numericMissing(c, i, na)) {
          values[i] = NaN;
          continue;
        }
        const t = c.texts[i]!;
        const s = padded(t) ? t.trim() : t;
        if (TRUE_TOKENS.has(s)) values[i] = 1;
        else if (FALSE_TOKENS.has(s)) values[i] = 0;
        else ctx.fail(i, `${JSON.stringify(t)} is not a boolean (0/1, true/false)`, naHint);
      }
      return { type: 'number', values };
    }
    case 'factor': {
      const levels = factorLevels(c, decl, na, ctx);
      const code = new Map(levels.map((l, k) => [l, k]));
      const codes = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        if (textMissing(c, i, na)) {
          codes[i] = -1;
          continue;
        }
        const t = c.texts[i]!;
        const k = code.get(t);
        if (k === undefined) {
          const quotedNA = (c.flags[i]! & QUOTED) !== 0 && na.has(t);
          ctx.fail(
            i,
            `${JSON.stringify(t)} is not one of the declared levels (${levels.join(', ')})${quotedNA ? '' : didYouMean(t, levels)}`,
            quotedNA
              ? `the field is quoted, so it is read as the text ${JSON.stringify(t)}, not as a missing value: write it without quotes, or set quoted_na: true if quoted tokens mean missing`
              : 'add it to levels:, fix the value, or add it to na: if it marks a missing value',
          );
        }
        codes[i] = k!;
      }
      return { type: 'factor', codes, levels };
    }
    case 'string': {
      const values = new Array<string | null>(n);
      for (let i = 0; i < n; i++) values[i] = textMissing(c, i, na) ? null : c.texts[i]!;
      return { type: 'string', values };
    }
  }
}

function factorLevels(c: RawColumn, decl: ColumnDeclaration, na: ReadonlySet<string>, ctx: ColumnContext): string[] {
  const levels = decl.levels === undefined ? observedLevels(c, na) : [...decl.levels];
  if (new Set(levels).size !== levels.length) {
    const dup = levels.find((l, k) => levels.indexOf(l) !== k)!;
    throw new DataError(`${ctx.file}: column "${ctx.name}": level "${dup}" is declared twice`);
  }
  if (decl.reference !== undefined) {
    const k = levels.indexOf(decl.reference);
    if (k < 0) {
      throw new DataError(`${ctx.file}: column "${ctx.name}": reference level "${decl.reference}" is not a level${didYouMean(decl.reference, levels)}`, {
        hint: `the levels are ${levels.join(', ')}`,
      });
    }
    levels.splice(k, 1);
    levels.unshift(decl.reference);
  }
  return levels;
}

/** Distinct non-missing values sorted by UTF-16 code unit (never locale order, which varies between machines). */
function observedLevels(c: RawColumn, na: ReadonlySet<string>): string[] {
  const set = new Set<string>();
  for (let i = 0; i < c.texts.length; i++) if (!textMissing(c, i, na)) set.add(c.texts[i]!);
  return [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** An undeclared column: number if every value is one, else boolean if every value is a true/false word, else a factor. */
function inferColumn(c: RawColumn, na: ReadonlySet<string>): Column {
  const n = c.texts.length;
  const values = new Float64Array(n);
  let numeric = true;
  for (let i = 0; i < n && numeric; i++) {
    if (numericMissing(c, i, na)) {
      values[i] = NaN;
      continue;
    }
    const x = parseNumber(c.texts[i]!);
    if (Number.isNaN(x)) numeric = false;
    values[i] = x;
  }
  if (numeric) return { type: 'number', values };
  let boolean = true;
  for (let i = 0; i < n && boolean; i++) {
    if (numericMissing(c, i, na)) continue;
    const t = c.texts[i]!;
    if (!BOOLEAN_WORDS.has(padded(t) ? t.trim() : t)) boolean = false;
  }
  const never = (): never => {
    throw new InternalError('an inferred column failed to convert');
  };
  return convertColumn(c, { type: boolean ? 'boolean' : 'factor' }, na, { name: '', file: '', fail: never });
}

// ---- writing --------------------------------------------------------------------------------------

/**
 * The table as CSV: a header row, one line per row, `\n` line ends (also after the last row), `NA` for a
 * missing value, numbers in JavaScript's shortest round-trip form (`Inf`/`-Inf`, -0 as 0), RFC 4180
 * quoting where a value needs it. A string or level that reads as a missing-value token (`NA`, `.`,
 * the empty string) is quoted so that `readDelimited` gives it back. Identical tables give identical bytes.
 */
export function writeCsv(table: Table): string {
  const cols = [...table.columns];
  const out: string[] = [cols.map(([name]) => quote(name, false)).join(',')];
  const cells: string[] = new Array<string>(cols.length);
  for (let i = 0; i < table.nrows; i++) {
    cols.forEach(([, col], j) => {
      cells[j] = formatCell(col, i);
    });
    out.push(cells.join(','));
  }
  return out.join('\n') + '\n';
}

function formatCell(col: Column, i: number): string {
  switch (col.type) {
    case 'number':
      return formatNumber(col.values[i]!);
    case 'factor': {
      const c = col.codes[i]!;
      return c < 0 ? 'NA' : quote(col.levels[c]!, true);
    }
    case 'string': {
      const v = col.values[i];
      return v === null || v === undefined ? 'NA' : quote(v, true);
    }
  }
}

export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return 'NA';
  if (x === Infinity) return 'Inf';
  if (x === -Infinity) return '-Inf';
  if (Object.is(x, -0)) return '0';
  return String(x);
}

function quote(s: string, value: boolean): string {
  const needs = /[",\n\r]/.test(s) || (value && DEFAULT_NA.includes(s));
  return needs ? `"${s.replaceAll('"', '""')}"` : s;
}
