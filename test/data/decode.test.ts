import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeText } from '../../src/data/decode.js';
import { sniff } from '../../src/data/sniff.js';
import { dataError } from '../support/errors.js';

describe('decoding text', () => {
  it('UTF-8 with or without a byte-order mark, UTF-16 by its byte-order mark', () => {
    expect(decodeText(Buffer.from('\uFEFFÂge\n', 'utf8'), 'auto', 'f')).toEqual({ text: 'Âge\n', encoding: 'utf-8', bom: true });
    expect(decodeText(Buffer.from('Âge\n', 'utf8'), 'auto', 'f')).toEqual({ text: 'Âge\n', encoding: 'utf-8', bom: false });
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a\tb\n', 'utf16le')]);
    expect(decodeText(le, 'auto', 'f')).toEqual({ text: 'a\tb\n', encoding: 'utf-16le', bom: true });
    const be = Buffer.from([0xfe, 0xff, 0, 0x61, 0, 0x0a]);
    expect(decodeText(be, 'auto', 'f').text).toBe('a\n');
  });

  it('refuses text that is not UTF-8, naming the line and the Windows-1252 reading of the byte; reads it when asked', () => {
    const latin = Buffer.from('id,x\n1,caf\xe9\n', 'latin1');
    const e = dataError(() => decodeText(latin, 'auto', 'data/x.csv'));
    expect(e.message).toBe('data/x.csv is not UTF-8 text: byte 0xE9 on line 2 (in Windows-1252 that is "é")');
    expect(e.location).toEqual({ file: 'data/x.csv', line: 2, col: 1 });
    expect(e.hint).toMatch(/set encoding: windows-1252/);
    expect(decodeText(latin, 'windows-1252', 'f').text).toBe('id,x\n1,café\n');
  });

  it('recognises UTF-16 without a byte-order mark and says which encoding to set', () => {
    const e = dataError(() => decodeText(Buffer.from('id,age\n1,70\n', 'utf16le'), 'auto', 'f'));
    expect(e.message).toBe('f looks like UTF-16 (little endian) text without a byte-order mark');
    expect(decodeText(Buffer.from('id,age\n', 'utf16le'), 'utf-16le', 'f').text).toBe('id,age\n');
  });
});

describe('recognising a file by its first bytes', () => {
  it('text stays text; gzip is unpacked; an xlsx zip is a workbook', () => {
    expect(sniff(Buffer.from('a,b\n'), 'f').kind).toBe('text');
    const gz = sniff(gzipSync(Buffer.from('a,b\n1,2\n')), 'f');
    expect(gz.kind === 'text' && gz.bytes.toString()).toBe('a,b\n1,2\n');
    const xlsx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('....[Content_Types].xml....xl/workbook.xml')]);
    expect(sniff(xlsx, 'f').kind).toBe('xlsx');
  });

  it('names the formats it does not read, with how to export them', () => {
    const named = (bytes: Buffer): string => dataError(() => sniff(bytes, 'f')).message;
    expect(named(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('mimetypeapplication/vnd.oasis.opendocument.spreadsheet')]))).toMatch(/OpenDocument spreadsheet/);
    expect(named(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('data.csv')]))).toMatch(/a zip archive/);
    expect(named(Buffer.from('<stata_dta><header>'))).toMatch(/Stata data file/);
    expect(named(Buffer.from([0x71, 0x02, 0x01, 0x00, 0x05]))).toMatch(/Stata data file/);
    expect(named(Buffer.from('$FL2@(#) SPSS'))).toMatch(/SPSS data file/);
    expect(named(gzipSync(Buffer.concat([Buffer.from('X\n'), Buffer.from([0, 0, 0, 3])])))).toMatch(/R data file/);
    expect(named(Buffer.from('PAR1'))).toMatch(/Parquet/);
    expect(named(Buffer.from('%PDF-1.7'))).toMatch(/PDF/);
    expect(named(Buffer.from([0x41, 0x00, 0x42, 0x43, 0x00, 0x00, 0x01]))).toMatch(/binary file/);
  });

  it('a CSV whose only column is called X is not taken for an R file', () => {
    expect(sniff(Buffer.from('X\n1\n2\n'), 'f').kind).toBe('text');
  });
});
