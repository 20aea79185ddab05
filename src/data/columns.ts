/**
 * Typing a file's raw fields (raw.ts) into table columns (table.ts): declared types, and the inference
 * of undeclared ones. The rules are documented for users in docs/steps/load.md:
 * - `number`: decimals as R's `as.numeric` reads them (`12`, `-0.5`, `.5`, `1e3`, `Inf`), with a decimal
 *   comma instead of the point when the file uses one (`70,5`, as R's `read.csv2`);
 * - `integer`: a number that is whole; `boolean`: 0/1, true/false (also T/F, as R's `as.logical`);
 * - `factor`: declared `levels` (a value outside them is an error), else the sorted distinct values;
 * - `string`: the text;
 * - an undeclared column is a number if every value is one, a boolean if every value is a true/false
 *   word, an error if at least half of its values are numbers and the others text (a numeric column with
 *   "n/a" in it must not silently become a factor fitted as dummies), else a factor.
 * Every value that does not fit is listed (up to 20 distinct values, with their count and first line),
 * not only the first.
 */
import { DataError, InternalError, MAX_LISTED, didYouMean, listNames, quoteValue } from '../errors.js';
import type { Column } from './table.js';
import { ABSENT, QUOTED, type FieldPosition, type RawColumn } from './raw.js';

export type ColumnType = 'number' | 'integer' | 'factor' | 'string' | 'boolean';

export interface TypeDeclaration {
  readonly type: ColumnType;
  /** Factor levels; the first is the reference level unless `reference` names another. */
  readonly levels?: readonly string[] | undefined;
  /** The reference level of a factor (moved to the front of `levels`). */
  readonly reference?: string | undefined;
}

export interface TypingOptions {
  /** Missing-value tokens. */
  readonly na: ReadonlySet<string>;
  /** The decimal mark of numbers written in the file. */
  readonly decimal: '.' | ',';
}

export interface ColumnContext {
  /** The column's name in the table, and how messages name it (`"sex_female" (from "Sex")`). */
  readonly name: string;
  readonly label: string;
  readonly file: string;
  locate(where: number): FieldPosition;
}

/** A decimal number as R's `as.numeric` reads it: digits, optional sign, point and exponent; Inf/-Inf. */
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NUMBER_COMMA = /^[+-]?(?:\d+,?\d*|,\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY = /^[+-]?Inf$/;
const TRUE_TOKENS: ReadonlySet<string> = new Set(['1', 'true', 'TRUE', 'True', 'T']);
const FALSE_TOKENS: ReadonlySet<string> = new Set(['0', 'false', 'FALSE', 'False', 'F']);
/** Booleans an undeclared column is inferred from: words only (a 0/1 column stays a number column). */
const BOOLEAN_WORDS: ReadonlySet<string> = new Set(['true', 'TRUE', 'True', 'false', 'FALSE', 'False']);

/** White space at either end (checked before trimming, which allocates). */
function padded(s: string): boolean {
  return s.length > 0 && (s.charCodeAt(0) <= 32 || s.charCodeAt(s.length - 1) <= 32);
}

export function trimmed(s: string): string {
  return padded(s) ? s.trim() : s;
}

export function parseNumber(text: string, decimal: '.' | ',' = '.'): number {
  const s = trimmed(text);
  if (decimal === '.' ? NUMBER.test(s) : NUMBER_COMMA.test(s)) return Number(decimal === '.' ? s : s.replace(',', '.'));
  if (INFINITY.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  return NaN;
}

/** Missing in a numeric column: an absent value or any NA token (quoted or not, spaces ignored). */
export function numericMissing(c: RawColumn, i: number, na: ReadonlySet<string>): boolean {
  const t = c.texts[i]!;
  return (c.flags[i]! & ABSENT) !== 0 || na.has(t) || (padded(t) && na.has(t.trim()));
}

/** Missing in a factor or string column: a quoted field is literal. */
export function textMissing(c: RawColumn, i: number, na: ReadonlySet<string>): boolean {
  const f = c.flags[i]!;
  return (f & ABSENT) !== 0 || ((f & QUOTED) === 0 && na.has(c.texts[i]!));
}

export function naList(na: ReadonlySet<string>): string {
  return [...na].map((t) => JSON.stringify(t)).join(', ');
}

/**
 * The distinct values of a column that do not fit, with their count and first row, in order of first
 * appearance; `raise` throws one DataError listing them, at the first one.
 */
export class BadValues {
  private readonly seen = new Map<string, { count: number; first: number }>();
  constructor(private readonly ctx: ColumnContext) {}

  add(text: string, i: number): void {
    const s = this.seen.get(text);
    if (s === undefined) this.seen.set(text, { count: 1, first: i });
    else s.count++;
  }

  get size(): number {
    return this.seen.size;
  }

  /** Rows holding a bad value. */
  get rows(): number {
    let n = 0;
    for (const s of this.seen.values()) n += s.count;
    return n;
  }

  values(): string[] {
    return [...this.seen.keys()];
  }

  /** `"n/a" (2 rows, first on line 17), "unk" (line 40)`: at most 20 values, then how many more. */
  describe(where: (i: number) => number): string {
    const items = [...this.seen].map(([text, s]) => `${quoteValue(text)} (${s.count === 1 ? `line ${where(s.first)}` : `${s.count} rows, first on line ${where(s.first)}`})`);
    return listNames(items, MAX_LISTED);
  }

  /**
   * Throws at the first bad value. `one` is the message for a single value seen once
   * (`"7O" is not a number`), `many` the message given the list.
   */
  raise(c: RawColumn, one: (text: string) => string, many: (list: string) => string, hint: string): never {
    const [firstText, first] = [...this.seen].sort((a, b) => a[1].first - b[1].first)[0]!;
    const pos = this.ctx.locate(c.where[first.first]!);
    const message = this.seen.size === 1 && first.count === 1 ? one(firstText) : many(this.describe((i) => this.ctx.locate(c.where[i]!).line));
    throw new DataError(`column ${this.ctx.label}: ${message}${pos.cell === undefined ? '' : ` (cell ${pos.cell})`}`, {
      location: { file: this.ctx.file, line: pos.line, col: pos.col },
      hint,
    });
  }
}

/** What the numbers of a column look like in the file, for a hint about the decimal mark. */
function decimalHint(o: TypingOptions): string {
  return o.decimal === ',' ? ' (numbers are read with a decimal comma: set decimal: "." if the file uses points)' : '';
}

export function convertColumn(c: RawColumn, decl: TypeDeclaration, o: TypingOptions, ctx: ColumnContext): Column {
  const n = c.texts.length;
  const na = o.na;
  const naHint = `fix the values, or add them to na: if they mark a missing value (now ${naList(na)})`;
  const bad = new BadValues(ctx);
  switch (decl.type) {
    case 'number':
    case 'integer': {
      const values = new Float64Array(n);
      const fractions = new BadValues(ctx);
      for (let i = 0; i < n; i++) {
        if (numericMissing(c, i, na)) {
          values[i] = NaN;
          continue;
        }
        const t = c.texts[i]!;
        const x = parseNumber(t, o.decimal);
        if (Number.isNaN(x)) bad.add(t, i);
        else if (decl.type === 'integer' && !Number.isInteger(x)) fractions.add(t, i);
        values[i] = x;
      }
      if (bad.size > 0) bad.raise(c, (t) => `${quoteValue(t)} is not a number${decimalHint(o)}`, (l) => `${bad.rows} values are not numbers${decimalHint(o)}: ${l}`, naHint);
      if (fractions.size > 0) {
        fractions.raise(c, (t) => `${quoteValue(t)} is not a whole number (declared integer)`, (l) => `${fractions.rows} values are not whole numbers (declared integer): ${l}`, 'declare the column as number if fractions are allowed');
      }
      return { type: 'number', values };
    }
    case 'boolean': {
      const values = new Float64Array(n);
      let letters = false;
      for (let i = 0; i < n; i++) {
        if (numericMissing(c, i, na)) {
          values[i] = NaN;
          continue;
        }
        const s = trimmed(c.texts[i]!);
        if (TRUE_TOKENS.has(s)) values[i] = 1;
        else if (FALSE_TOKENS.has(s)) values[i] = 0;
        else bad.add(c.texts[i]!, i);
        if (s === 'T' || s === 'F') letters = true;
      }
      if (bad.size > 0) {
        const mapping = `if the column codes two values (such as sex as M/F), map them: ${ctx.name}: {from: <its column>, values: {F: true, M: false}}`;
        bad.raise(
          c,
          (t) => `${quoteValue(t)} is not a boolean (0/1, true/false)`,
          (l) => `${bad.rows} values are not booleans (0/1, true/false): ${l}`,
          `${mapping}${letters ? '; note that "T" and "F" read as true and false (as R\'s as.logical)' : ''}; or ${naHint}`,
        );
      }
      return { type: 'number', values };
    }
    case 'factor': {
      const levels = factorLevels(c, decl, o, ctx);
      const code = new Map(levels.map((l, k) => [l, k]));
      const codes = new Int32Array(n);
      let quotedNa = false;
      for (let i = 0; i < n; i++) {
        if (textMissing(c, i, na)) {
          codes[i] = -1;
          continue;
        }
        const t = c.texts[i]!;
        const k = code.get(t);
        if (k === undefined) {
          bad.add(t, i);
          if ((c.flags[i]! & QUOTED) !== 0 && na.has(t)) quotedNa = true;
        }
        codes[i] = k ?? -1;
      }
      if (bad.size > 0) {
        const declared = listNames(levels);
        bad.raise(
          c,
          (t) => `${quoteValue(t)} is not one of the declared levels (${declared})${quotedNa ? '' : didYouMean(t, levels)}`,
          (l) => `${bad.rows} values are not declared levels (${declared}): ${l}`,
          quotedNa
            ? `the field is quoted, so it is read as the text ${quoteValue(bad.values()[0]!)}, not as a missing value: write it without quotes, or set quoted_na: true if quoted tokens mean missing`
            : 'add them to levels:, fix the values, map them (values: {…}), or add them to na: if they mark a missing value',
        );
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

function factorLevels(c: RawColumn, decl: TypeDeclaration, o: TypingOptions, ctx: ColumnContext): string[] {
  const levels = decl.levels === undefined ? observedLevels(c, o.na) : [...decl.levels];
  if (new Set(levels).size !== levels.length) {
    const dup = levels.find((l, k) => levels.indexOf(l) !== k)!;
    throw new DataError(`${ctx.file}: column ${ctx.label}: level "${dup}" is declared twice`);
  }
  if (decl.reference !== undefined) {
    const k = levels.indexOf(decl.reference);
    if (k < 0) {
      throw new DataError(`${ctx.file}: column ${ctx.label}: reference level "${decl.reference}" is not a level${didYouMean(decl.reference, levels)}`, {
        hint: `the levels are ${listNames(levels)}`,
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

/**
 * An undeclared column: number if every value is one, else boolean if every value is a true/false
 * word, else — when at least half of its values are numbers — an error naming the text values, else a
 * factor.
 */
export function inferColumn(c: RawColumn, o: TypingOptions, ctx: ColumnContext): Column {
  const n = c.texts.length;
  const values = new Float64Array(n);
  const text = new BadValues(ctx);
  let numbers = 0;
  for (let i = 0; i < n; i++) {
    if (numericMissing(c, i, o.na)) {
      values[i] = NaN;
      continue;
    }
    const x = parseNumber(c.texts[i]!, o.decimal);
    if (Number.isNaN(x)) text.add(c.texts[i]!, i);
    else numbers++;
    values[i] = x;
  }
  if (text.size === 0) return { type: 'number', values };
  if (numbers > 0 && numbers >= text.rows) {
    text.raise(
      c,
      (t) => `undeclared and mostly numbers (${numbers} values), but ${quoteValue(t)} is text${decimalHint(o)}`,
      (l) => `undeclared and mostly numbers (${numbers} values), but ${text.rows} values are text: ${l}${decimalHint(o)}`,
      `if the text marks a missing value, add it to na: (now ${naList(o.na)}); else declare the column: columns: {${ctx.name}: number} to have each text value reported, or {${ctx.name}: factor} (or string) to read it as text`,
    );
  }
  let boolean = true;
  for (let i = 0; i < n && boolean; i++) {
    if (numericMissing(c, i, o.na)) continue;
    if (!BOOLEAN_WORDS.has(trimmed(c.texts[i]!))) boolean = false;
  }
  const never = { ...ctx, locate: (): never => { throw new InternalError('an inferred column failed to convert'); } };
  return convertColumn(c, { type: boolean ? 'boolean' : 'factor' }, o, never);
}
