/**
 * A file's fields as read, before typing: what the CSV, JSON-lines and spreadsheet readers hand to
 * `readTable` (read-table.ts). Columnar, so a large file costs three arrays per column.
 */

/** Field flags: a quoted CSV field, JSON string or spreadsheet text cell (taken literally in text columns). */
export const QUOTED = 1;
/** A JSON null or absent key, an empty spreadsheet cell. */
export const ABSENT = 2;

export interface RawColumn {
  readonly texts: string[];
  readonly flags: number[];
  /** Where each field starts, decoded by `RawTable.locate` (a character offset in CSV, a row in JSON lines and sheets). */
  readonly where: number[];
}

/** A position as an editor shows it (1-based line and column); `cell` names a spreadsheet cell (`C12`). */
export interface FieldPosition {
  readonly line: number;
  readonly col: number;
  readonly cell?: string;
}

export interface RawTable {
  readonly names: readonly string[];
  readonly columns: readonly RawColumn[];
  readonly nrows: number;
  /** Where the header's k-th name is. */
  locateName(k: number): FieldPosition;
  /** Where a field is; computed only for an error. */
  locate(where: number): FieldPosition;
}

export function emptyColumn(): RawColumn {
  return { texts: [], flags: [], where: [] };
}
