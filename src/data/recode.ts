/**
 * Recoding a column as it is read (`load` column declarations with `values:` or `pattern:`), so that a
 * hospital export's codes need no extra step:
 *
 *   sex_female: {from: Sex, values: {F: true, M: false}}
 *   mrs90:      {from: mRS_d90, pattern: "mRS (\\d)", type: integer}
 *
 * `pattern` is a regular expression that must match the whole value (spaces around it ignored); its
 * first group (or the whole match) is the value kept. `values` maps each text to a value (`null`:
 * missing). Both: the pattern's group is mapped. Missing-value tokens stay missing. A value that the
 * pattern does not match or `values` does not list is an error listing every such value with its count
 * and first line.
 *
 * A pattern is data, not code: it is only ever matched, against fields of at most MAX_FIELD
 * characters, and patterns with nested quantifiers (`(a+)+`, which can take exponential time) are
 * refused when the spec is checked.
 */
import { QUOTED, ABSENT, type RawColumn } from './raw.js';
import { listNames } from '../errors.js';
import { BadValues, textMissing, trimmed, type ColumnContext, type ColumnType } from './columns.js';

export type RecodedValue = string | number | boolean | null;

export interface Recoding {
  readonly values?: Readonly<Record<string, RecodedValue>> | undefined;
  readonly pattern?: string | undefined;
}

/** Longest field a pattern is matched against; longer ones count as not matching. */
const MAX_FIELD = 1000;
const MAX_PATTERN = 200;

/** A problem with a pattern (for the spec check), or undefined. */
export function checkPattern(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN) return `the pattern is longer than ${MAX_PATTERN} characters`;
  try {
    new RegExp(pattern, 'u'); // compiled only to see that it is valid
  } catch (e) {
    return `not a valid regular expression: ${(e as Error).message}`;
  }
  if (/\\[1-9]|\\k</.test(pattern)) return 'back-references (\\1) are not allowed';
  if (nestedQuantifier(pattern)) return 'a repeated group that itself repeats (such as (a+)+) can take exponential time: write the pattern without nesting quantifiers';
  return undefined;
}

/** A group containing a quantifier (`+`, `*`, `{`) that is itself followed by one. */
function nestedQuantifier(p: string): boolean {
  const open: { start: number; quantified: boolean }[] = [];
  let inClass = false;
  for (let k = 0; k < p.length; k++) {
    const c = p[k]!;
    if (c === '\\') {
      k++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') open.push({ start: k, quantified: false });
    else if (c === ')') {
      const g = open.pop();
      const next = p[k + 1];
      if (g?.quantified === true && (next === '+' || next === '*' || next === '{')) return true;
      if (g?.quantified === true && open.length > 0) open[open.length - 1]!.quantified = true;
    } else if ((c === '+' || c === '*' || c === '{') && open.length > 0) open[open.length - 1]!.quantified = true;
  }
  return false;
}

/** The type a `values` map gives when no type is declared: its values' JSON type (text: a factor). */
export function impliedType(values: Readonly<Record<string, RecodedValue>>): ColumnType | 'mixed' {
  const kinds = new Set(Object.values(values).filter((v) => v !== null).map((v) => typeof v));
  if (kinds.size === 0 || (kinds.size === 1 && kinds.has('string'))) return 'factor';
  if (kinds.size === 1 && kinds.has('boolean')) return 'boolean';
  if (kinds.size === 1 && kinds.has('number')) return 'number';
  return 'mixed';
}

/** The levels a `values` map gives a factor: its distinct text values in the order written. */
export function impliedLevels(values: Readonly<Record<string, RecodedValue>>): string[] {
  return [...new Set(Object.values(values).filter((v) => v !== null).map(String))];
}

/**
 * The source column with the pattern and the map applied, as raw fields again (so the declared type
 * reads them as it reads any field): a mapped number or boolean is written as plain text, a mapped
 * string as a quoted field (taken literally), `null` as absent.
 */
export function recodeColumn(c: RawColumn, r: Recoding, na: ReadonlySet<string>, ctx: ColumnContext): RawColumn {
  const n = c.texts.length;
  const out: RawColumn = { texts: new Array<string>(n), flags: new Array<number>(n), where: c.where };
  const re = r.pattern === undefined ? undefined : new RegExp(`^(?:${r.pattern})$`, 'u');
  const map = r.values === undefined ? undefined : new Map(Object.entries(r.values));
  const unmatched = new BadValues(ctx);
  const unlisted = new BadValues(ctx);
  for (let i = 0; i < n; i++) {
    if (textMissing(c, i, na)) {
      out.texts[i] = '';
      out.flags[i] = ABSENT;
      continue;
    }
    let t = c.texts[i]!;
    let flag = c.flags[i]! & QUOTED;
    if (re !== undefined) {
      const m = t.length <= MAX_FIELD ? re.exec(trimmed(t)) : null;
      if (m === null) {
        unmatched.add(t, i);
        out.texts[i] = '';
        out.flags[i] = ABSENT;
        continue;
      }
      t = m[1] ?? m[0];
      flag = 0;
    }
    if (map !== undefined) {
      const key = map.has(t) ? t : trimmed(t);
      if (!map.has(key)) {
        unlisted.add(t, i);
        out.texts[i] = '';
        out.flags[i] = ABSENT;
        continue;
      }
      const v = map.get(key) as RecodedValue;
      if (v === null) {
        t = '';
        flag = ABSENT;
      } else if (typeof v === 'string') {
        t = v;
        flag = QUOTED;
      } else {
        t = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
        flag = 0;
      }
    }
    out.texts[i] = t;
    out.flags[i] = flag;
  }
  if (unmatched.size > 0) {
    unmatched.raise(
      c,
      (t) => `${JSON.stringify(t)} does not match the pattern ${JSON.stringify(r.pattern)}`,
      (l) => `${unmatched.rows} values do not match the pattern ${JSON.stringify(r.pattern)}: ${l}`,
      'widen the pattern, fix the values, or add them to na: if they mark a missing value',
    );
  }
  if (unlisted.size > 0) {
    unlisted.raise(
      c,
      (t) => `${JSON.stringify(t)} is not listed in values: (${listNames(map!.keys())})`,
      (l) => `${unlisted.rows} values are not listed in values: (${listNames(map!.keys())}): ${l}`,
      'add them to values: (a value of null makes them missing), fix them, or add them to na: if they mark a missing value',
    );
  }
  return out;
}
