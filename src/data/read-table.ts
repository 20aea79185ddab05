/**
 * A file's raw fields (from the CSV, JSON-lines or spreadsheet reader) → a typed Table: renaming,
 * column declarations (types, levels, recoding from another column) and the inference of the rest.
 * See docs/steps/load.md.
 */
import { DataError, didYouMean, listNames } from '../errors.js';
import type { Column, Table } from './table.js';
import { QUOTED, type FieldPosition, type RawColumn, type RawTable } from './raw.js';
import { convertColumn, inferColumn, type ColumnContext, type ColumnType, type TypeDeclaration, type TypingOptions } from './columns.js';
import { impliedLevels, impliedType, recodeColumn, type RecodedValue } from './recode.js';

export const DEFAULT_NA: readonly string[] = ['', 'NA', '.'];

export interface ColumnDeclaration {
  /** Required unless `values` gives it (booleans, numbers or text: a factor) or a `pattern` leaves it to inference. */
  readonly type?: ColumnType | undefined;
  readonly levels?: readonly string[] | undefined;
  readonly reference?: string | undefined;
  /** The file's column this one is read from (its name in the header, or after `rename`). */
  readonly from?: string | undefined;
  readonly values?: Readonly<Record<string, RecodedValue>> | undefined;
  readonly pattern?: string | undefined;
}

export interface TableOptions {
  /** The file's name as the user wrote it: used in error messages and locations. */
  readonly file: string;
  /** Declared columns, by the column's name after `rename`. */
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
  /** The decimal mark of the file's numbers (default `.`). */
  readonly decimal?: '.' | ',' | undefined;
}

/** One column of the table to be: where its fields come from and how they are typed. */
interface Plan {
  readonly name: string;
  readonly source: number;
  readonly decl: ColumnDeclaration | undefined;
}

export function readTable(raw: RawTable, options: TableOptions): Table {
  const file = options.file;
  const names = applyRename(raw, options.rename ?? {}, file);
  const plans = planColumns(raw, names, options.columns ?? {}, options, file);
  const na = new Set(options.na ?? DEFAULT_NA);
  const typing: TypingOptions = { na, decimal: options.decimal ?? '.' };
  const rawColumns = options.quotedNa === true ? raw.columns.map((c) => unquoteMissing(c, na)) : raw.columns;
  const cols = new Map<string, Column>();
  for (const p of plans) {
    const from = p.decl?.from;
    const ctx: ColumnContext = {
      name: p.name,
      label: from === undefined || from === p.name ? `"${p.name}"` : `"${p.name}" (from "${from}")`,
      file,
      locate: (w) => raw.locate(w),
    };
    cols.set(p.name, typeColumn(rawColumns[p.source]!, p.decl, typing, ctx));
  }
  return { nrows: raw.nrows, columns: cols };
}

function typeColumn(c: RawColumn, d: ColumnDeclaration | undefined, o: TypingOptions, ctx: ColumnContext): Column {
  if (d === undefined) return inferColumn(c, o, ctx);
  const recoded = d.values !== undefined || d.pattern !== undefined ? recodeColumn(c, d, o.na, ctx) : c;
  let type = d.type;
  let levels = d.levels;
  if (type === undefined && d.values !== undefined) {
    const implied = impliedType(d.values);
    // a mixed map is refused when the spec is checked (load's check)
    type = implied === 'mixed' ? 'string' : implied;
    if (type === 'factor') levels ??= impliedLevels(d.values);
  }
  if (type === undefined) return inferColumn(recoded, o, ctx);
  const decl: TypeDeclaration = { type, levels, reference: d.reference };
  return convertColumn(recoded, decl, o, ctx);
}

/**
 * The table's columns in file order: each file column under its (renamed) name, except that a column
 * read by declarations with `from:` is replaced, at its place, by those columns (in declaration order),
 * and kept as itself only if it is declared itself.
 */
function planColumns(raw: RawTable, names: readonly string[], declared: Readonly<Record<string, ColumnDeclaration>>, o: TableOptions, file: string): Plan[] {
  const header = { file, line: 1, col: 1 };
  const derived = new Map<number, string[]>();
  const absent = Object.entries(declared).filter(([name, d]) => d.from === undefined && !names.includes(name)).map(([name]) => name);
  if (absent.length > 0) {
    const which = absent.length === 1 ? `declared column "${absent[0]!}" is` : `${absent.length} declared columns are`;
    const list = absent.length === 1 ? didYouMean(absent[0]!, names) : `: ${listNames(absent.map((a) => `"${a}"${didYouMean(a, names)}`))}`;
    throw new DataError(`${which} not in the file${list}`, {
      location: header,
      hint: `the file has columns: ${listNames(names)}${o.rename === undefined || Object.keys(o.rename).length === 0 ? '' : ' (after rename)'}; map a column of another name with rename: {TheirName: ${absent[0]!}} (or ${absent[0]!}: {from: TheirName, …})`,
    });
  }
  for (const [name, d] of Object.entries(declared)) {
    if (d.from === undefined) continue;
    let j = names.indexOf(d.from);
    if (j < 0) j = raw.names.indexOf(d.from);
    if (j < 0) {
      throw new DataError(`column "${name}": from: column "${d.from}" is not in the file${didYouMean(d.from, [...names, ...raw.names])}`, {
        location: header,
        hint: `the file has columns: ${listNames(raw.names)}`,
      });
    }
    const other = names.indexOf(name);
    if (other >= 0 && other !== j) {
      throw new DataError(`column "${name}" is declared from "${d.from}", but the file has a column "${name}" too`, {
        location: at(file, raw.locateName(other)),
        hint: `rename the file's own column (rename: {${raw.names[other]!}: ${name}_file}), or give the declared column another name`,
      });
    }
    const list = derived.get(j) ?? [];
    list.push(name);
    derived.set(j, list);
  }
  const plans: Plan[] = [];
  names.forEach((name, j) => {
    const targets = derived.get(j);
    if (targets === undefined) {
      plans.push({ name, source: j, decl: Object.hasOwn(declared, name) ? declared[name] : undefined });
      return;
    }
    const own = Object.hasOwn(declared, name) && declared[name]!.from === undefined;
    if (own) plans.push({ name, source: j, decl: declared[name] });
    for (const t of targets) if (!(own && t === name)) plans.push({ name: t, source: j, decl: declared[t] });
  });
  return plans;
}

/** A copy of the column in which quoted fields holding a missing-value token read as missing. */
function unquoteMissing(c: RawColumn, na: ReadonlySet<string>): RawColumn {
  const flags = c.flags.map((f, i) => ((f & QUOTED) !== 0 && na.has(c.texts[i]!) ? f & ~QUOTED : f));
  return { texts: c.texts, flags, where: c.where };
}

function applyRename(raw: RawTable, rename: Readonly<Record<string, string>>, file: string): string[] {
  const names = raw.names;
  const out = [...names];
  for (const [theirs, ours] of Object.entries(rename)) {
    const j = names.indexOf(theirs);
    if (j < 0) {
      throw new DataError(`rename: column "${theirs}" is not in the file${didYouMean(theirs, names)}`, { location: { file, line: 1, col: 1 }, hint: `the file has columns: ${listNames(names)}` });
    }
    out[j] = ours;
  }
  const seen = new Map<string, number>();
  out.forEach((name, j) => {
    const k = seen.get(name);
    if (k !== undefined) {
      throw new DataError(`after rename, two columns are called "${name}"`, {
        location: at(file, raw.locateName(j)),
        hint: `columns ${k + 1} ("${names[k]!}") and ${j + 1} ("${names[j]!}"): rename one of them to another name`,
      });
    }
    seen.set(name, j);
  });
  return out;
}

function at(file: string, p: FieldPosition): { file: string; line: number; col: number } {
  return { file, line: p.line, col: p.col };
}
