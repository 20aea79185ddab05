/**
 * End to end: your own data, as hospitals export it (issue 14). Each case runs the built CLI as a
 * subprocess in a temporary project, on the files of test/fixtures/exports/ (made by exports.R and
 * make-xlsx.py, with R's fits on them in exports.json; these tests do not need R).
 *
 * - Files R reads (BOM + CRLF, CR, ";" with decimal commas, quoted fields with commas, quotes and line
 *   breaks, Windows-1252, UTF-16, a merge): the pipeline's estimates equal R's on the same file to 1e-6.
 * - Every error exits non-zero within 30 s, names the file with its line and column (or the spec's
 *   file:line:col), gives a hint, and prints no JavaScript stack trace.
 * - After every failing case, a good pipeline in the same outputs folder still finds all its steps
 *   cached: nothing is lost.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli as runCli } from '../runner/helpers.js';

const repoRoot = resolve(import.meta.dirname, '../..');
const cliPath = join(repoRoot, 'dist/src/runner/cli.js');
const fixtures = join(repoRoot, 'test/fixtures/exports');

interface RFit {
  readonly terms: readonly string[];
  readonly estimate: readonly number[];
  readonly std_error: readonly number[];
  readonly n: number;
  readonly rows?: number;
}
type RFixture = Record<'bom_crlf' | 'cr' | 'european' | 'windows_1252' | 'unicode' | 'merged' | 'tidy', RFit> & { readonly formula: string };

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

let project = '';
let R: RFixture;

/** Runs the CLI in `cwd` (default the project), timed. */
async function cli(args: readonly string[], cwd = project): Promise<CliResult> {
  const t0 = performance.now();
  const r = await runCli(args, cwd);
  return { ...r, ms: performance.now() - t0 };
}

async function spec(name: string, steps: string, extra = ''): Promise<string> {
  const file = join(project, `${name}.yaml`);
  await writeFile(file, `name: ${name}\nseed: 1\n${extra}steps:\n${steps}`);
  return `${name}.yaml`;
}

const run = (file: string, ...args: string[]): Promise<CliResult> => cli(['run', file, '--outputs', 'outputs', '--log-format', 'plain', ...args]);

async function fitOf(pipeline: string, step = 'fit'): Promise<{ terms: string[]; estimate: number[]; std_error: number[]; n: number }> {
  const v = JSON.parse(await readFile(join(project, 'outputs', pipeline, `${step}.json`), 'utf8')) as {
    n: number;
    coefficients: { term: string; estimate: number; std_error: number }[];
  };
  return { terms: v.coefficients.map((c) => c.term), estimate: v.coefficients.map((c) => c.estimate), std_error: v.coefficients.map((c) => c.std_error), n: v.n };
}

/** The pipeline's logistic fit equals R's glm on the same file: estimates and SEs to 1e-6, the same n. */
async function expectR(pipeline: string, r: RFit): Promise<void> {
  const f = await fitOf(pipeline);
  expect(f.n).toBe(r.n);
  expect(f.estimate.length).toBe(r.estimate.length);
  f.estimate.forEach((b, k) => {
    expect(Math.abs(b - r.estimate[k]!), `${f.terms[k]!} estimate`).toBeLessThan(1e-6);
    expect(Math.abs(f.std_error[k]! - r.std_error[k]!), `${f.terms[k]!} SE`).toBeLessThan(1e-6);
  });
}

/** A failed command as the issue wants it: non-zero, fast, located, with a hint, no stack trace. */
function expectError(r: CliResult, where: RegExp, message: RegExp): void {
  expect(r.code, r.stderr).not.toBe(0);
  expect(r.ms).toBeLessThan(30_000);
  expect(r.stderr).toMatch(where);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).toMatch(/hint: /);
  expect(r.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // a JavaScript stack frame
  expect(r.stderr).not.toMatch(/internal error/i);
}

const FORMULA = 'mrs90 <= 2 ~ age + sex_female + occlusion + log(fiv_ml)';
const OCCLUSION = '{type: factor, levels: [M1, ICA, M2]}';

/** A load step of `path` with `body` (indented under it), then the logistic model of R's fixture. */
function loadAndFit(path: string, body = '', formula = FORMULA): string {
  return `  cohort:\n    kind: load\n    path: ${path}\n${body}  fit: {kind: fit_logistic, input: cohort, formula: "${formula}"}\n`;
}

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'lesionflow-exports-'));
  await writeFile(join(project, 'package.json'), '{}\n'); // the project folder marker
  await cp(fixtures, join(project, 'data'), { recursive: true });
  R = JSON.parse(await readFile(join(fixtures, 'exports.json'), 'utf8')) as RFixture;
  // The good pipeline every failing case must leave intact.
  await spec('good', loadAndFit('data/bom-crlf.csv', `    columns: {occlusion: ${OCCLUSION}}\n`));
  const first = await run('good.yaml');
  expect(first.code, first.stderr).toBe(0);
});

afterAll(async () => {
  await rm(project, { recursive: true, force: true });
});

/** After a failing case: the good pipeline is still all cached (and its outputs unchanged). */
async function goodStillCached(): Promise<void> {
  const r = await run('good.yaml');
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/done: 0 ran, 2 cached/);
}

describe('files R reads give R\'s estimates (to 1e-6)', () => {
  it('the formula of the fixture is the pipeline\'s', () => {
    expect(R.formula).toBe(FORMULA);
  });

  it('UTF-8 with a byte-order mark, CRLF line ends, quoted fields with commas, quotes and line breaks (read.csv)', async () => {
    await expectR('good', R.bom_crlf);
    const notes = await readFile(join(project, 'outputs/good/cohort.csv'), 'utf8');
    expect(notes).toContain('"said ""no"", then agreed"');
    expect(notes).toContain('"two\nlines"');
  });

  it('CR line ends (read.csv)', async () => {
    const r = await run(await spec('cr', loadAndFit('data/cr.csv', `    columns: {occlusion: ${OCCLUSION}}\n`)));
    expect(r.code, r.stderr).toBe(0);
    await expectR('cr', R.cr);
  });

  it('European Excel: BOM, CRLF, ";" and decimal commas guessed and said in the log; coded values recoded in load (read.csv2 + recoding)', async () => {
    const body = [
      '    rename: {Age: age, FIV: fiv_ml}',
      '    columns:',
      '      sex_female: {from: Sex, values: {F: 1, M: 0}}',
      `      occlusion: {from: Occlusion, pattern: '(\\w+) segment', type: factor, levels: [M1, ICA, M2]}`,
      `      mrs90: {from: mRS_d90, pattern: 'mRS (\\d)', type: integer}`,
      '',
    ].join('\n');
    const r = await run(await spec('european', loadAndFit('data/european.csv', body)));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/read data\/european\.csv with delimiter ";", decimal ",", guessed from the file/);
    await expectR('european', R.european);
  });

  it('the same file through a shipped pipeline\'s params (--set delimiter, decimal, recode, rename), checked by validate --data', async () => {
    await mkdir(join(project, 'pipelines'), { recursive: true });
    await cp(join(repoRoot, 'pipelines/escape-infarct.yaml'), join(project, 'pipelines/escape-infarct.yaml'));
    const r = await cli([
      'validate', 'pipelines/escape-infarct.yaml', '--data',
      '--set', 'data=data/european.csv', '--set', 'delimiter=;', '--set', 'decimal=,',
      '--set', `recode={sex_female: {from: Sex, values: {F: 1, M: 0}}, mrs90: {from: mRS_d90, pattern: "mRS (\\\\d)"}}`,
      '--set', 'rename={Age: age, FIV: fiv_ml}',
    ]);
    // read with the given dialect (no guess to report), recoded; the columns this export lacks are listed at once
    expectError(r, /data\/european\.csv:1:1: error: step cohort: \d+ declared columns are not in the file: "aspects"/, /"occlusion"/);
    expect(r.stderr).not.toMatch(/"sex_female"|"mrs90"|"age"|"fiv_ml"/);
  });

  it('docs/pipelines.md\'s worked example: the ESCAPE cohort exported the German way gives the estimates of the tidy file', async () => {
    // the shipped cohort written as Excel in Germany writes it: BOM, CRLF, ";", decimal commas, codes
    const lines = (await readFile(join(repoRoot, 'pipelines/data/escape_synthetic.csv'), 'utf8')).trim().split('\n');
    const head = lines[0]!.split(',');
    const q = (s: string): string => (s === '' ? '' : `"${s}"`);
    const rows = lines.slice(1).map((l) => {
      const v = Object.fromEntries(l.split(',').map((x, i) => [head[i]!, x === 'NA' ? '' : x])) as Record<string, string>;
      const occl = v.occlusion === '' ? '' : v.occlusion === 'ICA' ? 'ICA' : `${v.occlusion!} segment`;
      return [q(`E${v.id!.padStart(3, '0')}`), q(v.evt!), v.age!.replace('.', ','), q(v.sex_female === '1' ? 'F' : v.sex_female === '0' ? 'M' : ''), v.nihss, v.aspects, q(occl), q(v.ivt!), v.onset_to_rand_min,
        q(v.modality!), v.fiv_ml!.replace('.', ','), q(v.mrs90 === '' ? '' : `mRS ${v.mrs90!}`), v.nihss_24h, v.delta_nihss, q(v.laterality!), q(v.recanalized!)].join(';');
    });
    const header = '"PatID";"Arm";"Age";"Sex";"NIHSS_bl";"ASPECTS";"Occl";"IVT";"OTR_min";"Modality";"FIV";"mRS_d90";"NIHSS_24h";"dNIHSS";"Side";"Recan"';
    await mkdir(join(project, 'worked/pipelines/data'), { recursive: true });
    await writeFile(join(project, 'worked/package.json'), '{}\n');
    await writeFile(join(project, 'worked/ESCAPE_export.csv'), `\uFEFF${[header, ...rows].join('\r\n')}\r\n`);
    await cp(join(repoRoot, 'pipelines/escape-infarct.yaml'), join(project, 'worked/pipelines/escape-infarct.yaml'));
    await cp(join(repoRoot, 'pipelines/data/escape_synthetic.csv'), join(project, 'worked/pipelines/data/escape_synthetic.csv'));
    const worked = join(project, 'worked');
    const lacking = await cli(['validate', 'pipelines/escape-infarct.yaml', '--data', '--set', 'data=ESCAPE_export.csv'], worked);
    expectError(lacking, /ESCAPE_export\.csv:1:1: error: step cohort: 15 declared columns are not in the file: "age" \(did you mean "Age"\?\), "aspects" \(did you mean "ASPECTS"\?\)/, /the file has columns: PatID, Arm, Age/);
    const mapping = [
      '--set', 'rename={Arm: evt, Age: age, NIHSS_bl: nihss, ASPECTS: aspects, IVT: ivt, OTR_min: onset_to_rand_min, Modality: modality, FIV: fiv_ml, NIHSS_24h: nihss_24h, dNIHSS: delta_nihss, Side: laterality, Recan: recanalized}',
      '--set', 'recode={sex_female: {from: Sex, values: {F: 1, M: 0}}, occlusion: {from: Occl, pattern: "(M1|M2|ICA)( segment)?"}, mrs90: {from: mRS_d90, pattern: "mRS (\\\\d)"}}',
    ];
    const ok = await cli(['validate', 'pipelines/escape-infarct.yaml', '--data', '--set', 'data=ESCAPE_export.csv', ...mapping], worked);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('cohort: ESCAPE_export.csv: ok (315 rows, 16 columns)');
    expect(ok.stdout).toMatch(/warning: read ESCAPE_export\.csv with delimiter ";", decimal ",", guessed from the file/);
    const mine = await cli(['run', 'pipelines/escape-infarct.yaml', '--quiet', '--outputs', 'mine', '--set', 'data=ESCAPE_export.csv', '--set', 'delimiter=;', '--set', 'decimal=,', ...mapping], worked);
    expect(mine.code, mine.stderr).toBe(0);
    expect(mine.stderr).not.toMatch(/guessed/);
    const shipped = await cli(['run', 'pipelines/escape-infarct.yaml', '--quiet', '--outputs', 'shipped'], worked);
    expect(shipped.code, shipped.stderr).toBe(0);
    for (const step of ['ordinal_published', 'ordinal_adjusted', 'ordinal_evt', 'volume_predictors']) {
      const coefficients = async (dir: string): Promise<unknown> => (JSON.parse(await readFile(join(worked, dir, 'escape-infarct', `${step}.json`), 'utf8')) as { coefficients: unknown }).coefficients;
      expect(await coefficients('mine'), step).toEqual(await coefficients('shipped'));
    }
  });

  it('Windows-1252: refused as not UTF-8 with its line, read with encoding: windows-1252 (a backquoted name with an accent)', async () => {
    const bad = await run(await spec('latin_bad', loadAndFit('data/windows-1252.csv')));
    expectError(bad, /data\/windows-1252\.csv:1:1: error: .*is not UTF-8 text: byte 0xC2 on line 1 \(in Windows-1252 that is "Â"\)/, /set encoding: windows-1252/);
    const good = await run(await spec('latin', loadAndFit('data/windows-1252.csv', `    encoding: windows-1252\n    columns: {occlusion: ${OCCLUSION}}\n`, 'mrs90 <= 2 ~ `Âge` + sex_female + occlusion + log(fiv_ml)')));
    expect(good.code, good.stderr).toBe(0);
    await expectR('latin', R.windows_1252);
  });

  it('UTF-16 with a byte-order mark, tab-separated (Excel\'s "Unicode text", read.delim)', async () => {
    const r = await run(await spec('unicode', loadAndFit('data/unicode.txt', `    rename: {Âge: age}\n    columns: {occlusion: ${OCCLUSION}}\n`)));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/delimiter "\\t", encoding utf-16le/);
    await expectR('unicode', R.unicode);
  });

  it('an .xlsx workbook: the first sheet by default (the same numbers as the CSV it holds), a named sheet, an unknown sheet', async () => {
    const r = await run(await spec('xlsx', loadAndFit('data/cohort.xlsx', `    columns: {occlusion: ${OCCLUSION}}\n`)));
    expect(r.code, r.stderr).toBe(0);
    await expectR('xlsx', R.tidy);
    const named = await run(await spec('sheet', '  imaging: {kind: load, path: data/cohort.xlsx, sheet: Imaging}\n'));
    expect(named.code, named.stderr).toBe(0);
    expect((await readFile(join(project, 'outputs/sheet/imaging.csv'), 'utf8')).split('\n')[0]).toBe('PatientID,FIV');
    // a number given as text (as --set gives it) is the sheet's number
    const second = await run(await spec('sheet2', '  imaging: {kind: load, path: data/cohort.xlsx, sheet: "2"}\n'));
    expect(second.code, second.stderr).toBe(0);
    expect(await readFile(join(project, 'outputs/sheet2/imaging.csv'), 'utf8')).toBe(await readFile(join(project, 'outputs/sheet/imaging.csv'), 'utf8'));
    const unknown = await run(await spec('nosheet', '  imaging: {kind: load, path: data/cohort.xlsx, sheet: Lab}\n'));
    expectError(unknown, /data\/cohort\.xlsx has no sheet "Lab"/, /its sheets are: "Cohort", "Imaging"/);
    await goodStillCached();
  });

  it('a clinical and an imaging table merged (R\'s merge by.x/by.y): unmatched keys listed, R\'s estimates', async () => {
    const steps = [
      `  clinical: {kind: load, path: data/clinical.csv, columns: {occlusion: ${OCCLUSION}}}`,
      '  imaging: {kind: load, path: data/imaging.csv, rename: {FIV: fiv_ml}}',
      '  cohort: {kind: join, left: clinical, right: imaging, by: {left: id, right: PatientID}}',
      `  fit: {kind: fit_logistic, input: cohort, formula: "${FORMULA}"}`,
      '',
    ].join('\n');
    const r = await run(await spec('merged', steps));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/join: 1 row of "clinical" has no match in "imaging" \(left out\): "P005"/);
    expect(r.stderr).toMatch(/join: 1 row of "imaging" matches no row of "clinical" \(left out\): "P999"/);
    await expectR('merged', R.merged);
    const rows = (await readFile(join(project, 'outputs/merged/cohort.csv'), 'utf8')).trimEnd().split('\n').length - 1;
    expect(rows).toBe(R.merged.rows ?? 0);
  });
});

describe('every bad input is a located error with a next step; nothing is lost', () => {
  afterEach(goodStillCached);

  it('the delimiter given wrongly: the hint names the delimiter the file uses; left out, it is guessed', async () => {
    const r = await run(await spec('wrongdelim', `  cohort: {kind: load, path: data/european.csv, delimiter: ","}\n`));
    expectError(r, /data\/european\.csv:1:5: error: unexpected character ";" after a closing quote/, /the delimiter is "," \(as given\); the file looks separated by ";": set delimiter: ";"/);
    // unquoted, as the user met it: the header is one field, a row with a decimal comma two
    await writeFile(join(project, 'data/euro-plain.csv'), 'id;age;nihss\r\n1;70,5;12\r\n2;65;8\r\n');
    const plain = await run(await spec('wrongdelim2', `  cohort: {kind: load, path: data/euro-plain.csv, delimiter: ","}\n`));
    expectError(plain, /data\/euro-plain\.csv:2:1: error: this row has 2 fields, the header has 1/, /the delimiter is "," \(as given\); the file looks separated by ";": set delimiter: ";"/);
    const guessed = await run(await spec('guessdelim', '  cohort: {kind: load, path: data/euro-plain.csv}\n'));
    expect(guessed.code, guessed.stderr).toBe(0);
    expect(await readFile(join(project, 'outputs/guessdelim/cohort.csv'), 'utf8')).toBe('id,age,nihss\n1,70.5,12\n2,65,8\n');
  });

  it('decimal commas read with decimal: ".": every bad number listed with its count and first line', async () => {
    const r = await run(await spec('wrongdec', `  cohort: {kind: load, path: data/european.csv, decimal: ".", columns: {FIV: number}}\n`));
    expectError(r, /data\/european\.csv:2:\d+: error: column "FIV": \d+ values are not numbers: "1,27" \(line 2\)/, /add them to na:/);
  });

  it('a boolean column holding M/F: every value listed, T/F noted, the recoding suggested', async () => {
    const r = await run(await spec('mf', `  cohort: {kind: load, path: data/european.csv, rename: {Sex: sex_female}, columns: {sex_female: boolean}}\n`));
    expectError(r, /data\/european\.csv:2:\d+: error: column "sex_female": \d+ values are not booleans \(0\/1, true\/false\): "M" \(\d+ rows, first on line 2\)/, /values: \{F: true, M: false\}/);
    expect(r.stderr).toMatch(/"T" and "F" read as true and false/);
  });

  it('a recoding that does not list a value, and a pattern that does not match one', async () => {
    const unlisted = await run(await spec('unlisted', `  cohort: {kind: load, path: data/european.csv, columns: {sex_female: {from: Sex, values: {F: 1}}}}\n`));
    expectError(unlisted, /data\/european\.csv:2:\d+: error: column "sex_female" \(from "Sex"\): "M" is not listed in values|column "sex_female" \(from "Sex"\): \d+ values are not listed in values: \(F\): "M" \(\d+ rows, first on line 2\)/, /add them to values:/);
    const unmatched = await run(await spec('unmatched', `  cohort: {kind: load, path: data/european.csv, columns: {mrs90: {from: mRS_d90, pattern: 'mRS ([0-5])'}}}\n`));
    expectError(unmatched, /column "mrs90" \(from "mRS_d90"\): \d+ values do not match the pattern "mRS \(\[0-5\]\)": "mRS 6" \(\d+ rows, first on line \d+\)/, /widen the pattern/);
  });

  it('an undeclared column of numbers with a few "n/a": an error naming them, their count and first line, and how to declare it', async () => {
    await writeFile(join(project, 'data/na-tokens.csv'), 'id,nihss\n1,12\n2,n/a\n3,8\n4,n/a\n5,unk\n6,15\n7,9\n');
    const r = await run(await spec('natokens', '  cohort: {kind: load, path: data/na-tokens.csv}\n'));
    expectError(r, /data\/na-tokens\.csv:3:3: error: column "nihss": undeclared and mostly numbers \(4 values\), but 3 values are text: "n\/a" \(2 rows, first on line 3\), "unk" \(line 6\)/, /add it to na: .*columns: \{nihss: number\}/);
  });

  it('an undeclared "mRS 3" column compared with a number: the value, its row and the load declaration that reads it', async () => {
    const r = await run(await spec('mrstext', `  cohort: {kind: load, path: data/european.csv, rename: {mRS_d90: mrs90}}\n  good: {kind: filter, input: cohort, where: "mrs90 <= 2"}\n`));
    expectError(r, /mrstext\.yaml:\d+:\d+: error: cannot compare text with a number in mrs90 <= 2: mrs90 is text \(a factor; row 1 holds "mRS 0"\)/, /mrs90: \{type: integer, pattern: 'mRS \?\(\\d\+\)'\}/);
  });

  it('Inf and 1e308 in a covariate: named by term and row before fitting, not "collinear"', async () => {
    await writeFile(join(project, 'data/inf.csv'), `y,x\n${Array.from({ length: 30 }, (_, i) => `${i % 2},${i === 12 ? 'Inf' : i === 20 ? '1e308' : String(i % 7)}`).join('\n')}\n`);
    const r = await run(await spec('inf', '  cohort: {kind: load, path: data/inf.csv}\n  fit: {kind: fit_logistic, input: cohort, formula: "y ~ x"}\n'));
    expectError(r, /inf\.yaml:\d+:\d+: error: the formula term "x" is infinite or absurd \(\|x\| > 1e300\) in 2 rows: row 13 \(Inf\), row 21 \(1e\+308\)/, /make it missing/);
    expect(r.stderr).not.toMatch(/collinear|separation/);
  });

  it('a header of 10⁶ columns: a short message, quickly', async () => {
    const names = Array.from({ length: 1_000_000 }, (_, i) => `c${i}`);
    await writeFile(join(project, 'data/wide.csv'), `${names.join(',')}\n${names.map(() => '1').join(',')}\n`);
    const r = await run(await spec('wide', '  cohort: {kind: load, path: data/wide.csv, columns: {age: number}}\n'));
    expectError(r, /data\/wide\.csv:1:1: error: declared column "age" is not in the file/, /the file has columns: c0, c1, .* and 999980 more/);
    expect(r.stderr.length).toBeLessThan(2000);
  });

  it('an .xlsx named .csv is read as the workbook it is; .xls, .dta, .sas7bdat and binary files are named, with how to export to CSV', async () => {
    await cp(join(project, 'data/cohort.xlsx'), join(project, 'data/really-xlsx.csv'));
    const xlsx = await run(await spec('xlsxcsv', `  cohort: {kind: load, path: data/really-xlsx.csv, columns: {occlusion: ${OCCLUSION}}}\n`));
    expect(xlsx.code, xlsx.stderr).toBe(0);
    const header = (await readFile(join(project, 'outputs/xlsxcsv/cohort.csv'), 'utf8')).split('\n')[0];
    expect(header).toBe('id,age,sex_female,occlusion,fiv_ml,mrs90,note');
    const dta = await run(await spec('dta', '  cohort: {kind: load, path: data/stata.dta}\n'));
    expectError(dta, /error: data\/stata\.dta is a Stata data file \(\.dta\), which lesionflow does not read/, /export delimited/);
    await writeFile(join(project, 'data/old.xls'), Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]));
    expectError(await run(await spec('xls', '  cohort: {kind: load, path: data/old.xls}\n')), /data\/old\.xls is a legacy Excel 97–2003 workbook/, /CSV UTF-8/);
    // SAS7BDAT's magic number (no SAS writer here: the header's first 32 bytes are enough to be recognised)
    const magic = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xc2, 0xea, 0x81, 0x60, 0xb3, 0x14, 0x11, 0xcf, 0xbd, 0x92, 0x08, 0x00, 0x09, 0xc7, 0x31, 0x8c, 0x18, 0x1f, 0x10, 0x11];
    await writeFile(join(project, 'data/trial.sas7bdat'), Buffer.concat([Buffer.from(magic), Buffer.alloc(1024)]));
    expectError(await run(await spec('sas', '  cohort: {kind: load, path: data/trial.sas7bdat}\n')), /data\/trial\.sas7bdat is a SAS data set/, /proc export/);
    await writeFile(join(project, 'data/blob.csv'), Buffer.from([0x41, 0x2c, 0x42, 0x0a, 0x00, 0x01, 0x02, 0xff, 0x00]));
    expectError(await run(await spec('blob', '  cohort: {kind: load, path: data/blob.csv}\n')), /data\/blob\.csv is a binary file/, /CSV, TSV, JSON lines and \.xlsx/);
  });

  it('UTF-16 without a byte-order mark: refused, with the encoding to set', async () => {
    await writeFile(join(project, 'data/utf16-nobom.csv'), Buffer.from('id,age\n1,70\n2,65\n', 'utf16le'));
    const r = await run(await spec('utf16', '  cohort: {kind: load, path: data/utf16-nobom.csv}\n'));
    expectError(r, /data\/utf16-nobom\.csv looks like UTF-16 \(little endian\) text without a byte-order mark/, /set encoding: utf-16le, or in Excel: File > Save As > "CSV UTF-8/);
  });

  it('negative volumes in volume_delta: refused, naming the rows', async () => {
    const rows = Array.from({ length: 60 }, (_, i) => `${i % 3 === 0 ? 1 : 0},${i === 7 ? -5 : 3 + (i % 11) * 4}`);
    await writeFile(join(project, 'data/negative.csv'), `good,fiv_ml\n${rows.join('\n')}\n`);
    const steps = '  cohort: {kind: load, path: data/negative.csv}\n  fit: {kind: fit_logistic, input: cohort, formula: "good ~ fiv_ml"}\n  delta: {kind: volume_delta, model: fit, variable: fiv_ml}\n';
    const r = await run(await spec('negative', steps));
    expectError(r, /negative\.yaml:\d+:\d+: error: volume_delta: "fiv_ml" is negative in 1 row of "cohort": row 8 \(-5\)/, /a volume cannot be negative/);
  });

  it('an ordinal model of a continuous outcome: refused at once, with the kinds that fit it', async () => {
    const rows = Array.from({ length: 400 }, (_, i) => `${(i * 7.31) % 97},${i % 2}`);
    await writeFile(join(project, 'data/continuous.csv'), `volume,evt\n${rows.join('\n')}\n`);
    const r = await run(await spec('continuous', '  cohort: {kind: load, path: data/continuous.csv}\n  fit: {kind: fit_ordinal, input: cohort, formula: "volume ~ evt"}\n'));
    expectError(r, /continuous\.yaml:\d+:\d+: error: the ordinal outcome "volume" has \d+ categories/, /fit_linear/);
    expect(r.ms).toBeLessThan(10_000);
  });

  it('a typo in --set data= fails the run but keeps the last good report, marked stale, until a good run', async () => {
    await cp(join(repoRoot, 'pipelines/escape-infarct.yaml'), join(project, 'pipelines/escape-infarct.yaml'));
    await cp(join(repoRoot, 'pipelines/data/escape_synthetic.csv'), join(project, 'pipelines/data/escape_synthetic.csv'));
    const ok = await cli(['run', 'pipelines/escape-infarct.yaml', '--outputs', 'outputs', '--quiet']);
    expect(ok.code, ok.stderr).toBe(0);
    const report = join(project, 'outputs/escape-infarct/report.html');
    const before = await readFile(report, 'utf8');
    const typo = await cli(['run', 'pipelines/escape-infarct.yaml', '--outputs', 'outputs', '--quiet', '--set', 'data=data/escape_synthetc.csv']);
    expectError(typo, /cannot read the data file "data\/escape_synthetc\.csv" \(.*\): no such file/, /a path given with --set is relative to the working directory/);
    expect(typo.stderr).not.toMatch(/escape-infarct\.yaml:\d+:\d+/); // the path came from the command line, not the spec
    const stale = await readFile(report, 'utf8');
    expect(stale).toContain('STALE: this is the report of an earlier run. The latest run failed at step cohort, and 8 steps were skipped.');
    expect(stale.replace(/<div role="alert"[^]*?<\/div>/, '')).toBe(before);
    const record = JSON.parse(await readFile(join(project, 'outputs/escape-infarct/run.json'), 'utf8')) as { status: string; stale: { file: string; step: string }[] };
    expect(record.status).toBe('failed');
    expect(record.stale.map((s) => s.file)).toContain('report.html');
    expect(record.stale.map((s) => s.file)).toContain('ordinal_published.json');
    const again = await cli(['run', 'pipelines/escape-infarct.yaml', '--outputs', 'outputs', '--log-format', 'plain']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/done: 0 ran, 10 cached/);
    expect(await readFile(report, 'utf8')).toBe(before);
    expect((JSON.parse(await readFile(join(project, 'outputs/escape-infarct/run.json'), 'utf8')) as { stale?: unknown }).stale).toBeUndefined();
  });

  it('a relative --set data= path is the working directory\'s, as for any command-line tool', async () => {
    await mkdir(join(project, 'elsewhere'), { recursive: true });
    await cp(join(project, 'data/cr.csv'), join(project, 'elsewhere/mine.csv'));
    await spec('setdata', `  cohort: {kind: load, path: "\${params.data}", columns: {occlusion: ${OCCLUSION}}}\n  fit: {kind: fit_logistic, input: cohort, formula: "${FORMULA}"}\n`, 'params:\n  data: data/cr.csv\n');
    const r = await cli(['run', '../setdata.yaml', '--outputs', '../outputs', '--set', 'data=mine.csv'], join(project, 'elsewhere'));
    expect(r.code, r.stderr).toBe(0);
    await expectR('setdata', R.cr);
    const spelled = await cli(['run', 'setdata.yaml', '--outputs', 'outputs', '--set', 'data=mine.csv']);
    expectError(spelled, /cannot read the data file "mine\.csv" \(.*\/mine\.csv\)/, /relative to the working directory/);
  });

  it('a typo in a spec\'s path: the spec\'s line and the folder it is relative to', async () => {
    const r = await run(await spec('spectypo', '  cohort: {kind: load, path: data/cohrt.csv}\n'));
    expectError(r, /spectypo\.yaml:\d+:\d+: error: step cohort: cannot read the data file "data\/cohrt\.csv"/, /a path in a spec is relative to the spec file's folder/);
  });

  it('two specs with one name in one invocation, or against another spec\'s outputs folder: exit 2 before anything runs; --outputs separates them', async () => {
    const copy = join(project, 'copy-of-good.yaml');
    await writeFile(copy, (await readFile(join(project, 'good.yaml'), 'utf8')).replace('fit_logistic', 'fit_logistic, level: 0.9'));
    const both = await run('good.yaml', 'copy-of-good.yaml');
    expect(both.code).toBe(2);
    expectError(both, /copy-of-good\.yaml:1:1: error: pipeline name "good" is also the name of good\.yaml: both would write outputs\/good\//, /--outputs DIR/);
    const alone = await run('copy-of-good.yaml');
    expect(alone.code).toBe(2);
    expectError(alone, /copy-of-good\.yaml:1:1: error: outputs\/good\/ holds the outputs of another spec with the same name "good" \(good\.yaml\)/, /--outputs DIR/);
    const separate = await cli(['run', 'copy-of-good.yaml', '--outputs', 'outputs-copy', '--quiet']);
    expect(separate.code, separate.stderr).toBe(0);
  });

  it('R habits at validate: ~ ., factor(), poly(), ns(), relevel(), a name with an accent', async () => {
    const steps = ['y ~ .', 'y ~ factor(trial)', 'y ~ poly(age, 2)', 'y ~ ns(age, 3)', 'y ~ relevel(occ, "ICA")', 'y ~ Âge']
      .map((f, k) => `  m${k}: {kind: fit_logistic, input: c, formula: '${f}'}`)
      .join('\n');
    const r = await cli(['validate', await spec('habits', `  c: {kind: load, path: data/cr.csv}\n${steps}\n`)]);
    expect(r.code).toBe(2);
    expectError(r, /habits\.yaml:5:\d+: error: parameter "formula": "\." \(every other column, as in R's y ~ \.\) is not supported/, /list the terms/);
    expect(r.stderr).toMatch(/hint: a factor is declared where the data are read: in the load step, columns: \{x: factor\}/);
    expect(r.stderr).toMatch(/hint: write the powers as terms, x \+ I\(x\^2\)/);
    expect(r.stderr).toMatch(/hint: use rcs\(x, k\)/);
    expect(r.stderr).toMatch(/hint: write the factor itself, and choose its reference level with reference:/);
    expect(r.stderr).toMatch(/hint: a name with letters other than A–Z is written in backquotes: `Âge`/);
  });

  it('validate --data: a bad value found without running, with its file, line and column', async () => {
    await writeFile(join(project, 'data/typo.csv'), 'id,age\n1,70\n2,7O\n');
    const r = await cli(['validate', '--data', await spec('vdata', '  cohort: {kind: load, path: data/typo.csv, columns: {age: number}}\n')]);
    expect(r.code).toBe(1);
    expectError(r, /data\/typo\.csv:3:3: error: step cohort: column "age": "7O" is not a number/, /add them to na:/);
    expect(existsSync(join(project, 'outputs/vdata'))).toBe(false);
    const ok = await cli(['validate', '--data', 'good.yaml']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('cohort: data/bom-crlf.csv: ok (300 rows, 7 columns)');
  });

  it('a join with a duplicated key, or a one-to-one join that is many-to-one', async () => {
    await writeFile(join(project, 'data/left.csv'), 'id,x\nA,1\nB,2\nB,3\n');
    await writeFile(join(project, 'data/right.csv'), 'id,y\nA,1\nB,2\nB,5\n');
    await writeFile(join(project, 'data/right1.csv'), 'id,y\nA,1\nB,2\n');
    const load = '  l: {kind: load, path: data/left.csv, columns: {id: string}}\n';
    const dupRight = await run(await spec('dupright', `${load}  r: {kind: load, path: data/right.csv, columns: {id: string}}\n  j: {kind: join, left: l, right: r, by: id, relationship: many-to-one}\n`));
    expectError(dupRight, /dupright\.yaml:\d+:\d+: error: join: 1 key occurs more than once in "r": "B" \(2 rows\)/, /remove or aggregate the duplicate rows/);
    const manyToOne = `${load}  r: {kind: load, path: data/right1.csv, columns: {id: string}}\n  j: {kind: join, left: l, right: r, by: id}\n`;
    expectError(await run(await spec('onetoone', manyToOne)), /onetoone\.yaml:\d+:\d+: error: join: 1 key occurs more than once in "l": "B" \(2 rows\)/, /declare relationship: many-to-one/);
    const ok = await run(await spec('manytoone', manyToOne.replace('by: id}', 'by: id, relationship: many-to-one}')));
    expect(ok.code, ok.stderr).toBe(0);
    expect(await readFile(join(project, 'outputs/manytoone/j.csv'), 'utf8')).toBe('id,x,y\nA,1,1\nB,2,2\nB,3,2\n');
  });
});

describe('a reader that goes away (EPIPE) ends the printing, not the command', () => {
  /** Starts the CLI, reads its first chunk of stdout, then closes the pipe. */
  function closeAfterFirstChunk(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
    return new Promise((done, fail) => {
      const child = spawn(process.execPath, [cliPath, ...args], { cwd: project, env: { ...process.env, CI: '1' } });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.once('data', () => child.stdout.destroy());
      child.on('error', fail);
      child.on('close', (code) => {
        done({ code, stderr });
      });
    });
  }

  it('schema | head, plan | head: exit 0, no stack trace', async () => {
    for (const args of [['schema'], ['plan', 'good.yaml', '--outputs', 'outputs']]) {
      const r = await closeAfterFirstChunk(args);
      expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
      expect(r.code).toBe(0);
    }
  });

  it('run | head: the run goes on to the end, writes its outputs and leaves no lock', async () => {
    await spec('piped', loadAndFit('data/cr.csv', `    columns: {occlusion: ${OCCLUSION}}\n`).replace('fit: {kind: fit_logistic', 'fit: {kind: fit_logistic, level: 0.9'));
    const r = await closeAfterFirstChunk(['run', 'piped.yaml', '--outputs', 'outputs-piped', '--log-format', 'plain']);
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(r.code).toBe(0);
    expect(existsSync(join(project, 'outputs-piped/piped/fit.json'))).toBe(true);
    expect(existsSync(join(project, 'outputs-piped/.lock'))).toBe(false);
  });
});
