/**
 * What a data file is, from its first bytes (its signature), before anything tries to read it as text:
 * an `.xlsx` given as data must not have its zip bytes read as column names. Gzip is unpacked (as R's
 * `read.csv` does for `.csv.gz`) and looked at again; formats lesionflow cannot read get an error
 * naming the format and how to export it to CSV.
 */
import { gunzipSync } from 'node:zlib';
import { DataError } from '../errors.js';

export type FileKind =
  | { readonly kind: 'text'; readonly bytes: Buffer }
  | { readonly kind: 'xlsx'; readonly bytes: Buffer };

/** How to get a CSV out of the program that wrote a format lesionflow does not read. */
const EXPORT_TO_CSV = 'save it as "CSV UTF-8 (comma delimited)" and point the pipeline at the .csv';

interface Unreadable {
  readonly name: string;
  readonly hint: string;
}

function startsWith(bytes: Buffer, signature: readonly number[], at = 0): boolean {
  if (bytes.length < at + signature.length) return false;
  for (let k = 0; k < signature.length; k++) if (bytes[at + k] !== signature[k]) return false;
  return true;
}

const ascii = (s: string): number[] => Array.from({ length: s.length }, (_, k) => s.charCodeAt(k));

/** SAS7BDAT's 32-byte magic number (after 12 zero bytes in the reference files), from the format's documentation. */
const SAS7BDAT = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xc2, 0xea, 0x81, 0x60, 0xb3, 0x14, 0x11, 0xcf, 0xbd, 0x92, 0x08, 0x00, 0x09, 0xc7, 0x31, 0x8c, 0x18, 0x1f, 0x10, 0x11];
const OLE2 = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const ZIP = [0x50, 0x4b, 0x03, 0x04];
const GZIP = [0x1f, 0x8b];

/** Stata .dta up to format 115: release byte, byte order (1 or 2), file type 1, a zero. */
function isOldStata(b: Buffer): boolean {
  return b.length >= 4 && b[0]! >= 0x66 && b[0]! <= 0x73 && (b[1] === 1 || b[1] === 2) && b[2] === 1 && b[3] === 0;
}

/** A zip archive's member names appear in clear in its local headers: enough to tell the office formats apart. */
function zipKind(b: Buffer): 'xlsx' | Unreadable {
  const head = b.subarray(0, Math.min(b.length, 1 << 16)).toString('latin1');
  const all = head.includes('[Content_Types].xml') || head.includes('xl/') ? b.toString('latin1') : head;
  if (all.includes('xl/workbook.xml') || all.includes('xl/worksheets/')) return 'xlsx';
  if (all.includes('application/vnd.oasis.opendocument.spreadsheet')) return { name: 'an OpenDocument spreadsheet (.ods)', hint: `open it in LibreOffice Calc and ${EXPORT_TO_CSV}, or save it as .xlsx` };
  if (all.includes('word/document.xml')) return { name: 'a Word document (.docx)', hint: 'the data must be a table file: export the table to CSV or .xlsx' };
  return { name: 'a zip archive', hint: 'unzip it and point the pipeline at the CSV or .xlsx inside' };
}

function unreadable(b: Buffer): Unreadable | undefined {
  if (startsWith(b, OLE2)) return { name: 'a legacy Excel 97–2003 workbook (.xls)', hint: `open it in Excel and ${EXPORT_TO_CSV}, or save it as .xlsx, which lesionflow reads` };
  if (startsWith(b, ascii('<stata_dta>')) || isOldStata(b)) {
    return { name: 'a Stata data file (.dta)', hint: 'lesionflow has no well-kept .dta reader: export to CSV, in Stata `export delimited using "cohort.csv"`, or in R `write.csv(haven::read_dta("x.dta"), "cohort.csv", row.names = FALSE)`' };
  }
  if (startsWith(b, SAS7BDAT)) {
    return { name: 'a SAS data set (.sas7bdat)', hint: 'lesionflow has no well-kept .sas7bdat reader: export to CSV, in SAS `proc export data=x outfile="cohort.csv" dbms=csv; run;`, or in R `write.csv(haven::read_sas("x.sas7bdat"), "cohort.csv", row.names = FALSE)`' };
  }
  if (startsWith(b, ascii('$FL2')) || startsWith(b, ascii('$FL3'))) {
    return { name: 'an SPSS data file (.sav)', hint: 'export to CSV: in SPSS File > Export > CSV, or in R `write.csv(haven::read_sav("x.sav"), "cohort.csv", row.names = FALSE)`' };
  }
  if (startsWith(b, ascii('RDX2\n')) || startsWith(b, ascii('RDX3\n')) || startsWith(b, [...ascii('X\n'), 0, 0, 0])) {
    // (saveRDS: gzip around "X\n" and a version number whose first bytes are zero)
    return { name: 'an R data file (.rds/.RData)', hint: 'export it from R: write.csv(x, "cohort.csv", row.names = FALSE)' };
  }
  if (startsWith(b, ascii('PAR1'))) return { name: 'a Parquet file', hint: 'export it to CSV (in R: write.csv(arrow::read_parquet("x.parquet"), "cohort.csv", row.names = FALSE))' };
  if (startsWith(b, ascii('SQLite format 3\0'))) return { name: 'an SQLite database', hint: 'export the table to CSV (sqlite3 -header -csv db.sqlite "select * from t" > cohort.csv)' };
  if (startsWith(b, ascii('%PDF'))) return { name: 'a PDF document', hint: 'the data must be a table file (CSV or .xlsx), not a document' };
  return undefined;
}

/** A NUL byte that is not part of UTF-16 text marks a binary file. */
function hasNul(b: Buffer): boolean {
  return b.subarray(0, Math.min(b.length, 8192)).includes(0);
}

/**
 * The file's kind. Throws a DataError naming the format for anything that is neither text nor .xlsx.
 * `file` is the path as shown to the user.
 */
export function sniff(bytes: Buffer, file: string): FileKind {
  let b = bytes;
  if (startsWith(b, GZIP)) {
    try {
      b = gunzipSync(b);
    } catch (e) {
      throw new DataError(`${file} is gzip-compressed but cannot be unpacked: ${(e as Error).message}`, { hint: 'check that the file was copied whole', cause: e });
    }
    if (startsWith(b, GZIP)) throw new DataError(`${file} is compressed twice (gzip inside gzip)`, { hint: 'unpack it once with gunzip and point the pipeline at the result' });
  }
  if (startsWith(b, ZIP)) {
    const z = zipKind(b);
    if (z === 'xlsx') return { kind: 'xlsx', bytes: b };
    throw new DataError(`${file} is ${z.name}, not a table lesionflow can read`, { hint: z.hint });
  }
  const u = unreadable(b);
  if (u !== undefined) throw new DataError(`${file} is ${u.name}, which lesionflow does not read`, { hint: u.hint });
  // UTF-16 text has NUL bytes too: decode.ts tells it apart (with or without a byte-order mark)
  const utf16 = (b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff) || looksUtf16(b) !== undefined;
  if (!utf16 && hasNul(b)) {
    throw new DataError(`${file} is a binary file, not text`, { hint: 'lesionflow reads CSV, TSV, JSON lines and .xlsx files: export the data to one of them' });
  }
  return { kind: 'text', bytes: b };
}

/** UTF-16 without a byte-order mark: ASCII text with a NUL at every other byte (odd offsets: little endian). */
export function looksUtf16(b: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  const n = Math.min(b.length, 512) & ~1;
  if (n < 4) return undefined;
  let evenNul = 0;
  let oddNul = 0;
  for (let k = 0; k < n; k++) {
    if (b[k] !== 0) continue;
    if (k % 2 === 0) evenNul++;
    else oddNul++;
  }
  const half = n / 2;
  if (oddNul > 0.8 * half && evenNul === 0) return 'utf-16le';
  if (evenNul > 0.8 * half && oddNul === 0) return 'utf-16be';
  return undefined;
}
