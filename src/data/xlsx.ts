/**
 * An Excel workbook (.xlsx) sheet → raw fields, read by `read-excel-file` (MIT, pure JavaScript, no
 * install step; it unzips the workbook and parses its XML, evaluating nothing). The first non-empty
 * row names the columns, as `readxl::read_excel` reads it. A number cell keeps its full double value
 * (written in JavaScript's shortest round-trip form, so the typing reads back the same number); a text
 * cell is literal text; a date cell becomes its ISO date (`2024-03-01`, or with the time of day when it
 * has one); an empty cell is missing. Positions are the sheet's rows and cells (`C12`).
 */
import readXlsxFile, { readSheet, SheetNotFoundError } from 'read-excel-file/node';
import { DataError, listNames } from '../errors.js';
import { ABSENT, QUOTED, emptyColumn, type FieldPosition, type RawColumn, type RawTable } from './raw.js';

/** Columns per sheet row in a field's `where` code (Excel's limit is 16 384). */
const ROW_STRIDE = 1 << 14;

/** `3` → `C`, `28` → `AB` (1-based). */
export function columnLetters(col: number): string {
  let s = '';
  for (let c = col; c > 0; c = Math.floor((c - 1) / 26)) s = String.fromCharCode(65 + ((c - 1) % 26)) + s;
  return s;
}

function position(where: number): FieldPosition {
  const line = Math.floor(where / ROW_STRIDE);
  const col = where % ROW_STRIDE;
  return { line, col, cell: `${columnLetters(col)}${line}` };
}

type Cell = string | number | boolean | Date | null | undefined;

function cellText(v: Cell): { text: string; flag: number } {
  if (v === null || v === undefined) return { text: '', flag: ABSENT };
  if (typeof v === 'number') return { text: String(v), flag: 0 };
  if (typeof v === 'boolean') return { text: v ? 'true' : 'false', flag: 0 };
  if (v instanceof Date) {
    const iso = v.toISOString();
    return { text: iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace('.000Z', 'Z'), flag: QUOTED };
  }
  return { text: v, flag: QUOTED };
}

/** The sheet `sheet` (a name, or a 1-based number; default the first) of the workbook `bytes`. */
export async function readXlsx(bytes: Buffer, file: string, sheet: string | number | undefined): Promise<RawTable> {
  let rows: Cell[][];
  try {
    rows = (await readSheet(bytes, sheet ?? 1)) as unknown as Cell[][];
  } catch (e) {
    // `--set sheet=2` gives the text "2": the second sheet, unless a sheet is called so
    if (e instanceof SheetNotFoundError && typeof sheet === 'string' && /^[1-9]\d*$/.test(sheet)) return readXlsx(bytes, file, Number(sheet));
    if (e instanceof SheetNotFoundError) {
      const names = (await readXlsxFile(bytes)).map((s) => s.sheet);
      throw new DataError(`${file} has no sheet ${typeof sheet === 'number' ? `number ${sheet}` : `"${String(sheet)}"`}`, {
        hint: `its sheets are: ${listNames(names.map((n) => JSON.stringify(n)))}; set sheet: to one of them`,
      });
    }
    throw new DataError(`${file} cannot be read as an Excel workbook: ${(e as Error).message}`, {
      hint: 'open it in Excel and save it again as .xlsx, or as "CSV UTF-8 (comma delimited)"',
      cause: e,
    });
  }
  const first = rows.findIndex((r) => r.some((v) => v !== null && v !== undefined));
  const where = (row: number, col: number): number => (row + 1) * ROW_STRIDE + col + 1;
  if (first < 0) throw new DataError(`${file}: the sheet${sheet === undefined ? '' : ` "${String(sheet)}"`} is empty (a header row naming the columns is expected)`);
  const header = rows[first]!;
  let width = header.length;
  while (width > 0 && (header[width - 1] === null || header[width - 1] === undefined)) width--;
  const names = header.slice(0, width).map((v) => cellText(v).text);
  const columns: RawColumn[] = names.map(() => emptyColumn());
  let nrows = 0;
  for (let r = first + 1; r < rows.length; r++) {
    const row = rows[r]!;
    if (!row.some((v) => v !== null && v !== undefined)) continue; // a blank row, as a blank line in CSV
    const beyond = row.findIndex((v, j) => j >= width && v !== null && v !== undefined);
    if (beyond >= 0) {
      throw new DataError(`a value in column ${columnLetters(beyond + 1)}, which has no name in the header row (row ${first + 1})`, {
        location: { file, line: r + 1, col: beyond + 1 },
        hint: 'give the column a name in the header row, or delete the stray value',
      });
    }
    for (let j = 0; j < width; j++) {
      const { text, flag } = cellText(row[j]);
      columns[j]!.texts.push(text);
      columns[j]!.flags.push(flag);
      columns[j]!.where.push(where(r, j));
    }
    nrows++;
  }
  const seen = new Map<string, number>();
  names.forEach((name, j) => {
    if (name.trim() === '') {
      throw new DataError(`column ${columnLetters(j + 1)} has no name`, { location: { file, line: first + 1, col: j + 1 }, hint: 'give every column a name in the header row' });
    }
    const k = seen.get(name) ?? j;
    seen.set(name, k);
    if (k !== j) {
      throw new DataError(`column name "${name}" appears twice in the header`, {
        location: { file, line: first + 1, col: j + 1 },
        hint: `columns ${columnLetters(k + 1)} and ${columnLetters(j + 1)} are both called "${name}": rename one of them in the sheet`,
      });
    }
  });
  return { names, columns, nrows, locate: position, locateName: (k) => position(where(first, k)) };
}
