/**
 * Guessing how a delimited text file is written, when the spec does not say: its field delimiter and
 * its decimal mark. European spreadsheet exports (Excel's "CSV" in a German, French or Dutch locale)
 * separate fields by `;` and write `70,5` for 70.5: R reads them with `read.csv2` (sep = ";",
 * dec = ","). The guess reads the first records only, and is stated in the run log by the caller.
 *
 * Delimiter: among `,` `;` tab `|`, the one that appears (outside quotes) in the header and the same
 * number of times in the records after it — the most such fields wins, `,` on a tie. None such: `,`.
 * Decimal mark: `,` only when the delimiter is not `,`, some unquoted fields are numbers written with a
 * decimal comma (`70,5`) and none with a decimal point (`70.5`); both kinds is ambiguous (`1.234` may be
 * a thousands separator) and is left to the user.
 */

export const DELIMITERS = [',', ';', '\t', '|'] as const;

/** Records sampled for the guess. */
const SAMPLE_RECORDS = 200;

export interface DelimiterGuess {
  readonly delimiter: string;
  /** False when no candidate gave consistent records (then `,`, the default). */
  readonly consistent: boolean;
}

/**
 * Per record of the first `SAMPLE_RECORDS`, how many times each candidate occurs outside quotes. A
 * quoted field may span lines (RFC 4180), so records are split at unquoted line ends only.
 */
function countPerRecord(text: string, start: number): number[][] {
  const codes = DELIMITERS.map((d) => d.charCodeAt(0));
  const records: number[][] = [];
  let counts = codes.map(() => 0);
  let quoted = false;
  let blank = true;
  for (let k = start; k < text.length && records.length < SAMPLE_RECORDS; k++) {
    const c = text.charCodeAt(k);
    if (c === 34) {
      quoted = !quoted; // "" inside quotes toggles twice: no change
      blank = false;
    } else if (!quoted && (c === 10 || c === 13)) {
      if (!blank) records.push(counts);
      counts = codes.map(() => 0);
      blank = true;
    } else {
      blank = false;
      if (!quoted) {
        const j = codes.indexOf(c);
        if (j >= 0) counts[j]!++;
      }
    }
  }
  if (!blank && records.length < SAMPLE_RECORDS) records.push(counts);
  return records;
}

export function guessDelimiter(text: string, start: number): DelimiterGuess {
  const records = countPerRecord(text, start);
  const header = records[0];
  if (header === undefined) return { delimiter: ',', consistent: false };
  let best = -1;
  DELIMITERS.forEach((_, j) => {
    const n = header[j]!;
    if (n === 0) return;
    // every sampled record has the header's count (a short last line is a different error, reported by the parser)
    if (!records.every((r) => r[j] === n)) return;
    if (best < 0 || n > header[best]!) best = j;
  });
  if (best >= 0) return { delimiter: DELIMITERS[best]!, consistent: true };
  // a header without any candidate is a one-column file; otherwise the records disagree
  return { delimiter: ',', consistent: DELIMITERS.every((_, j) => header[j] === 0) };
}

/** How many fields of each column look like a number with a decimal comma or a decimal point. */
export interface DecimalEvidence {
  comma: number;
  point: number;
  /** A field with a decimal comma, for the message. */
  commaExample?: string;
  pointExample?: string;
}

const DECIMAL_COMMA = /^[+-]?\d*,\d+(?:[eE][+-]?\d+)?$/;
const DECIMAL_POINT = /^[+-]?\d*\.\d+(?:[eE][+-]?\d+)?$/;

/** Adds the evidence of one field. */
export function noteDecimal(ev: DecimalEvidence, field: string): void {
  const s = field.trim();
  if (DECIMAL_COMMA.test(s)) {
    ev.comma++;
    ev.commaExample ??= s;
  } else if (DECIMAL_POINT.test(s)) {
    ev.point++;
    ev.pointExample ??= s;
  }
}

export type DecimalGuess = { readonly decimal: '.' | ','; readonly ambiguous: false } | { readonly decimal: '.'; readonly ambiguous: true; readonly comma: string; readonly point: string };

export function guessDecimal(ev: DecimalEvidence, delimiter: string): DecimalGuess {
  if (delimiter === ',' || ev.comma === 0) return { decimal: '.', ambiguous: false };
  if (ev.point === 0) return { decimal: ',', ambiguous: false };
  return { decimal: '.', ambiguous: true, comma: ev.commaExample!, point: ev.pointExample! };
}
