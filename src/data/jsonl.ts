/** JSON lines (one object per line) → raw fields: `null` and absent keys are missing, strings are literal. */
import { DataError } from '../errors.js';
import { ABSENT, QUOTED, emptyColumn, type RawColumn, type RawTable } from './raw.js';

export function parseJsonLines(text: string, file: string): RawTable {
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
  const firstLine = rows[0]!.line;
  const columns: RawColumn[] = names.map((_, j) => {
    const column = emptyColumn();
    for (const row of rows) {
      const v = row.values.get(j);
      column.texts.push(typeof v === 'string' ? v : typeof v === 'number' ? String(v) : typeof v === 'boolean' ? (v ? 'true' : 'false') : '');
      column.flags.push(v === null || v === undefined ? ABSENT : typeof v === 'string' ? QUOTED : 0);
      column.where.push(row.line);
    }
    return column;
  });
  return { names, columns, nrows: rows.length, locate: (line) => ({ line, col: 1 }), locateName: () => ({ line: firstLine, col: 1 }) };
}
