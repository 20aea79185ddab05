/**
 * Bytes of a text data file → text. What spreadsheet programs write:
 * - UTF-8, with or without a byte-order mark (Excel's "CSV UTF-8" writes one);
 * - UTF-16 with a byte-order mark (Excel's "Unicode text", tab-separated);
 * - Windows-1252 (Excel's plain "CSV" on Windows in Western locales), only when asked for: it cannot be
 *   told from UTF-8 by its bytes alone, but text that is not valid UTF-8 is refused with that hint
 *   rather than read with replacement characters (a column `Âge` must not become `�ge`).
 */
import { isUtf8 } from 'node:buffer';
import { DataError } from '../errors.js';
import { looksUtf16 } from './sniff.js';

export const ENCODINGS = ['auto', 'utf-8', 'utf-16le', 'utf-16be', 'windows-1252'] as const;
export type Encoding = (typeof ENCODINGS)[number];

export interface Decoded {
  readonly text: string;
  /** The encoding read (for the run log). */
  readonly encoding: Exclude<Encoding, 'auto'>;
  readonly bom: boolean;
}

const SAVE_AS_UTF8 = 'in Excel: File > Save As > "CSV UTF-8 (Comma delimited)"';

function bomOf(b: Buffer): 'utf-8' | 'utf-16le' | 'utf-16be' | undefined {
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return 'utf-8';
  if (b[0] === 0xff && b[1] === 0xfe) return 'utf-16le';
  if (b[0] === 0xfe && b[1] === 0xff) return 'utf-16be';
  return undefined;
}

function decodeAs(b: Buffer, encoding: Exclude<Encoding, 'auto'>, file: string): string {
  if (encoding === 'utf-8') return utf8(b, file);
  try {
    // ignoreBOM: false (the default) drops a byte-order mark of the decoder's own encoding
    return new TextDecoder(encoding, { fatal: true }).decode(b);
  } catch (e) {
    throw new DataError(`${file} is not valid ${encoding} text`, { hint: `check the encoding: (now ${encoding}), or ${SAVE_AS_UTF8}`, cause: e });
  }
}

/** UTF-8 (a leading byte-order mark dropped); a byte that is not UTF-8 is an error naming its line. */
function utf8(b: Buffer, file: string): string {
  if (isUtf8(b)) return new TextDecoder('utf-8').decode(b);
  const at = firstInvalidUtf8(b);
  let line = 1;
  for (let k = 0; k < at; k++) if (b[k] === 10) line++;
  const byte = b[at]!;
  const asWindows = new TextDecoder('windows-1252').decode(b.subarray(at, at + 1));
  throw new DataError(`${file} is not UTF-8 text: byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')} on line ${line} (in Windows-1252 that is "${asWindows}")`, {
    location: { file, line, col: 1 },
    hint: `the file was probably saved as Windows-1252 ("CSV (Comma delimited)" in Excel): set encoding: windows-1252, or ${SAVE_AS_UTF8}`,
  });
}

/** Offset of the first byte that does not fit a UTF-8 sequence (overlongs and surrogates included, as TextDecoder's fatal mode). */
function firstInvalidUtf8(b: Buffer): number {
  let k = 0;
  while (k < b.length) {
    const c = b[k]!;
    const need = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (need < 0) return k;
    if (need > 0 && !isUtf8(b.subarray(k, k + need + 1))) return k;
    k += need + 1;
  }
  return b.length;
}

/** Decodes a text data file; `encoding: auto` follows a byte-order mark, else UTF-8. */
export function decodeText(bytes: Buffer, encoding: Encoding, file: string): Decoded {
  const bom = bomOf(bytes);
  if (encoding !== 'auto') return { text: decodeAs(bytes, encoding, file), encoding, bom: bom === encoding };
  if (bom !== undefined) return { text: decodeAs(bytes, bom, file), encoding: bom, bom: true };
  const utf16 = looksUtf16(bytes);
  if (utf16 !== undefined) {
    throw new DataError(`${file} looks like ${utf16 === 'utf-16le' ? 'UTF-16 (little endian)' : 'UTF-16 (big endian)'} text without a byte-order mark`, {
      hint: `set encoding: ${utf16}, or ${SAVE_AS_UTF8}`,
    });
  }
  return { text: utf8(bytes, file), encoding: 'utf-8', bom: false };
}
