/**
 * Delimited text (CSV, TSV) and JSON lines → a Table (through read-table.ts), and a Table → canonical CSV.
 *
 * The reader is hand-written rather than arquero's `fromCSV` because every unparsable value must be
 * reported with its file, line and column as an editor shows them, which arquero cannot give.
 * Conventions (see docs/steps/load.md):
 * - RFC 4180 quoting (`"a ""quoted"" value"`, fields may span lines), `\n`, `\r\n` or `\r` line ends,
 *   a UTF-8 byte-order mark is ignored, blank lines are skipped (as R's `read.csv`);
 * - the delimiter and the decimal mark are guessed when not given (dialect.ts): `;` with decimal commas
 *   is read as R's `read.csv2` reads it;
 * - missing-value tokens, declared types and inference: columns.ts; recoding: recode.ts.
 */
import { DataError } from '../errors.js';
import type { Column, Table } from './table.js';
import { DELIMITERS, guessDecimal, guessDelimiter, noteDecimal, type DecimalEvidence } from './dialect.js';
import { parseJsonLines } from './jsonl.js';
import { DEFAULT_NA, readTable, type TableOptions } from './read-table.js';
import { QUOTED, emptyColumn, type FieldPosition, type RawColumn, type RawTable } from './raw.js';

export { DEFAULT_NA } from './read-table.js';
export type { ColumnDeclaration } from './read-table.js';
export type { ColumnType } from './columns.js';

export interface ReadOptions extends Omit<TableOptions, 'decimal'> {
  /** `csv` (default), `tsv` or `jsonl` (one JSON object per line). */
  readonly format?: 'csv' | 'tsv' | 'jsonl' | undefined;
  /** Field delimiter of a csv file: one character, or `auto` (the default: guessed, dialect.ts). */
  readonly delimiter?: string | undefined;
  /** Decimal mark: `.`, `,` or `auto` (the default: guessed when the delimiter is not a comma). */
  readonly decimal?: '.' | ',' | 'auto' | undefined;
}

/** How the file was read: what the caller states in the run log when it was guessed. */
export interface Dialect {
  readonly delimiter: string;
  readonly decimal: '.' | ',';
  /** Which of the two were guessed rather than given. */
  readonly guessed: { readonly delimiter: boolean; readonly decimal: boolean };
}

export function readDelimited(text: string, options: ReadOptions): Table {
  return readText(text, options).table;
}

/** Reads delimited text or JSON lines; also says which delimiter and decimal mark were used. */
export function readText(text: string, options: ReadOptions): { table: Table; dialect: Dialect } {
  const format = options.format ?? 'csv';
  const file = options.file;
  if (format === 'jsonl') {
    const raw = parseJsonLines(text, file);
    return { table: readTable(raw, { ...options, decimal: '.' }), dialect: { delimiter: '', decimal: '.', guessed: { delimiter: false, decimal: false } } };
  }
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const given = format === 'tsv' ? '\t' : options.delimiter ?? 'auto';
  const guess = given === 'auto' ? guessDelimiter(text, start) : undefined;
  const delimiter = guess?.delimiter ?? given;
  const raw = parseCsv(text, file, delimiter, given === 'auto' ? 'guessed' : 'given');
  let decimal: '.' | ',' = '.';
  const decimalGiven = options.decimal ?? 'auto';
  if (decimalGiven !== 'auto') decimal = decimalGiven;
  else if (delimiter !== ',') {
    const d = guessDecimal(decimalEvidence(raw), delimiter);
    if (d.ambiguous) {
      throw new DataError(`${file}: cannot tell the decimal mark: numbers are written both as ${JSON.stringify(d.comma)} and as ${JSON.stringify(d.point)}`, {
        hint: 'say which it is: decimal: "," (as R\'s read.csv2) or decimal: "."',
      });
    }
    decimal = d.decimal;
  }
  const table = readTable(raw, { ...options, decimal });
  return { table, dialect: { delimiter, decimal, guessed: { delimiter: guess !== undefined, decimal: decimalGiven === 'auto' && delimiter !== ',' } } };
}

function decimalEvidence(raw: RawTable): DecimalEvidence {
  const ev: DecimalEvidence = { comma: 0, point: 0 };
  for (const c of raw.columns) for (const t of c.texts) noteDecimal(ev, t);
  return ev;
}

// ---- CSV ------------------------------------------------------------------------------------------

const QUOTE = 34; // "
const LF = 10;
const CR = 13;

const shownDelimiter = (d: string): string => (d === '\t' ? 'tab' : JSON.stringify(d));

/** Line starts of `text` (from `start`), found once, for locating fields by binary search. */
function lineLocator(text: string, start: number): (offset: number) => FieldPosition {
  let starts: number[] | undefined;
  return (offset) => {
    if (starts === undefined) {
      starts = [start];
      for (let k = start; k < text.length; k++) {
        const c = text.charCodeAt(k);
        if (c === LF || (c === CR && text.charCodeAt(k + 1) !== LF)) starts.push(k + 1);
      }
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - starts[lo]! + 1 };
  };
}

function parseCsv(text: string, file: string, delimiter: string, how: 'given' | 'guessed'): RawTable {
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new DataError(`${file}: the delimiter must be one character other than a quote or a line end, got ${JSON.stringify(delimiter)}`, { hint: 'write e.g. delimiter: ";" or leave it out to have it guessed' });
  }
  const d = delimiter.charCodeAt(0);
  const n = text.length;
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const locate = lineLocator(text, start);
  const fail = (message: string, offset: number, hint?: string): never => {
    const { line, col } = locate(offset);
    throw new DataError(message, { location: { file, line, col }, hint });
  };

  let names: string[] | undefined;
  let headerWhere: number[] = [];
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
          const other = (DELIMITERS as readonly string[]).includes(text[pos]!);
          fail(
            `unexpected character ${JSON.stringify(text[pos])} after a closing quote`,
            pos,
            other ? fieldCountHint(text, start, delimiter, how, 0) : 'a quote inside a quoted field is written twice ("")',
          );
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
      headerWhere = [...where];
      checkNames(names, (k) => locate(headerWhere[k]!), file);
      columns = names.map(() => emptyColumn());
      continue;
    }
    if (texts.length !== names.length) {
      fail(`this row has ${texts.length} fields, the header has ${names.length}`, where[0]!, fieldCountHint(text, start, delimiter, how, names.length));
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
  return { names, columns, nrows, locate, locateName: (k) => locate(headerWhere[k]!) };
}

/** Why the rows may not line up: the delimiter used, and another that would fit the file. */
function fieldCountHint(text: string, start: number, delimiter: string, how: 'given' | 'guessed', headerFields: number): string {
  const used = `the delimiter is ${shownDelimiter(delimiter)} (${how === 'given' ? 'as given' : 'guessed: no delimiter gave every row the same number of fields'})`;
  const other = guessDelimiter(text, start);
  if (other.consistent && other.delimiter !== delimiter) return `${used}; the file looks separated by ${shownDelimiter(other.delimiter)}: set delimiter: ${JSON.stringify(other.delimiter)}`;
  const tried = how === 'guessed' ? ` (tried ${DELIMITERS.map(shownDelimiter).join(', ')})` : '';
  const single = headerFields === 1 ? `; the header is one field with this delimiter: set delimiter: to the character between the column names${tried}` : '';
  return `${used}${single}; otherwise check for an unquoted delimiter inside a value, or a missing field`;
}

function checkNames(names: readonly string[], locate: (k: number) => FieldPosition, file: string): void {
  const seen = new Map<string, number>();
  names.forEach((name, j) => {
    const at = (): { file: string; line: number; col: number } => ({ file, line: locate(j).line, col: locate(j).col });
    if (name.trim() === '') {
      throw new DataError(`column ${j + 1} has no name`, { location: at(), hint: 'give every column a name in the header row' });
    }
    const k = seen.get(name);
    if (k !== undefined) {
      throw new DataError(`column name "${name}" appears twice in the header`, {
        location: at(),
        hint: `columns ${k + 1} and ${j + 1} are both called "${name}": rename one of them in the file`,
      });
    }
    seen.set(name, j);
  });
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
