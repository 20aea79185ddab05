import { makeTable } from '../../src/data/table.js';
import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeArtifact } from '../../src/data/artifact.js';
import { artifactFiles, fileStem, writeOutputs } from '../../src/runner/outputs.js';
import type { ContentHash } from '../../src/runner/hash.js';

describe('outputs', () => {
  it('names files after the step instance, keeping sweep brackets', () => {
    expect(fileStem('fit_good[modality=CT]')).toBe('fit_good[modality=CT]');
    expect(fileStem('a/b c')).toBe('a_b_c');
  });

  it('a result is pretty canonical JSON, its named tables CSV beside it', () => {
    const t = makeTable([['x', { type: 'number', values: Float64Array.of(1, NaN) }]]);
    const files = artifactFiles('vd', { type: 'result', value: { b: 2, a: [1, 0.1] }, tables: new Map([['per_patient', t]]) });
    expect([...files.keys()]).toEqual(['vd.json', 'vd.per_patient.csv']);
    expect(files.get('vd.json')).toBe('{\n  "a": [\n    1,\n    0.1\n  ],\n  "b": 2\n}\n');
    expect(files.get('vd.per_patient.csv')).toBe('x\n1\nNA\n');
  });

  it('a table is CSV; an imputed set is its info as JSON and its original data as CSV', () => {
    const t = makeTable([['f', { type: 'factor', codes: Int32Array.of(0, -1), levels: ['M1', 'ICA'] }]]);
    expect([...artifactFiles('cohort', { type: 'table', table: t })]).toEqual([['cohort.csv', 'f\nM1\nNA\n']]);
    const imp = artifactFiles('imp', { type: 'imputed', original: t, m: 2, info: { method: 'pmm' }, imputations: new Map([['f', { rows: Int32Array.of(1), values: [Float64Array.of(0), Float64Array.of(1)] }]]) });
    expect(JSON.parse(imp.get('imp.json') as string)).toEqual({ imputed: ['f'], info: { method: 'pmm' }, m: 2 });
    expect(imp.get('imp.csv')).toBe('f\nM1\nNA\n');
  });

  it('a result carrying whole files (a report) has them written verbatim, and its JSON lists their names', () => {
    const html = '<!doctype html><title>r</title>';
    const files = artifactFiles('report', { type: 'result', value: { title: 'r', files: { 'report.html': html, 'summary.md': '# r\n', '../escape.txt': 'no', 'x/y.txt': 'no' } } });
    expect([...files.keys()]).toEqual(['report.json', 'report.html', 'summary.md']);
    expect(files.get('report.html')).toBe(html);
    expect(JSON.parse(files.get('report.json') as string)).toEqual({ title: 'r', files: ['report.html', 'summary.md'] });
  });

  it('a binary file given as {base64} is written as its bytes', () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]);
    const files = artifactFiles('report', { type: 'result', value: { files: { 'figure-1-single-300dpi.png': { base64: bytes.toString('base64') }, 'bad.png': { base64: 1 } } } });
    expect([...files.keys()]).toEqual(['report.json', 'figure-1-single-300dpi.png']);
    expect(files.get('figure-1-single-300dpi.png')).toEqual(bytes);
  });

  it('two steps carrying a file of the same name: the later one is prefixed by its step name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lf-outputs-'));
    const source = (step: string, body: string) => {
      const text = encodeArtifact({ type: 'result', value: { files: { 'report.html': body } } });
      return { step, output: step as unknown as ContentHash, load: () => Promise.resolve(text) };
    };
    await writeOutputs(dir, [source('main', 'A'), source('sensitivity', 'B')]);
    expect((await readdir(dir)).filter((f) => f.endsWith('.html')).sort()).toEqual(['report.html', 'sensitivity.report.html']);
    expect(await readFile(join(dir, 'report.html'), 'utf8')).toBe('A');
    expect(await readFile(join(dir, 'sensitivity.report.html'), 'utf8')).toBe('B');
  });
});

describe('outputs are trusted only while their content matches the manifest', () => {
  const source = (step: string, v: number) => {
    const text = encodeArtifact({ type: 'result', value: { v } });
    return { step, output: `out-${String(v)}` as unknown as ContentHash, load: () => Promise.resolve(text) };
  };

  it('a crash between a file rename and the manifest write (old manifest left behind) is repaired', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lf-outputs-'));
    await writeOutputs(dir, [source('a', 1)]);
    const manifestV1 = await readFile(join(dir, '.manifest.json'), 'utf8');
    await writeOutputs(dir, [source('a', 2)]);
    expect(JSON.parse(await readFile(join(dir, 'a.json'), 'utf8'))).toEqual({ v: 2 });
    // As if killed after a.json (v=2) was renamed but before the manifest was: the v=1 manifest remains.
    await writeFile(join(dir, '.manifest.json'), manifestV1);
    expect((await writeOutputs(dir, [source('a', 1)])).written).toBe(1);
    expect(JSON.parse(await readFile(join(dir, 'a.json'), 'utf8'))).toEqual({ v: 1 });
  });

  it('a same-size hand edit of an output is repaired; an untouched one is not rewritten', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lf-outputs-'));
    await writeOutputs(dir, [source('a', 1)]);
    expect((await writeOutputs(dir, [source('a', 1)])).written).toBe(0);
    const good = await readFile(join(dir, 'a.json'), 'utf8');
    const edited = good.replace('1', '7');
    expect(edited.length).toBe(good.length);
    await writeFile(join(dir, 'a.json'), edited);
    expect((await writeOutputs(dir, [source('a', 1)])).written).toBe(1);
    expect(await readFile(join(dir, 'a.json'), 'utf8')).toBe(good);
  });
});

describe('a failed step keeps its files from the last good run, marked stale', () => {
  const report = (body: string) => {
    const text = encodeArtifact({ type: 'result', value: { files: { 'report.html': `<!doctype html><html><body class="r">${body}</body></html>`, 'summary.md': `# ${body}\n` } } });
    return { step: 'report', output: `out-${body}` as unknown as ContentHash, load: () => Promise.resolve(text) };
  };
  const table = (v: number) => {
    const text = encodeArtifact({ type: 'result', value: { v } });
    return { step: 'fit', output: `fit-${String(v)}` as unknown as ContentHash, load: () => Promise.resolve(text) };
  };

  it('keeps and marks them; removes the files of steps that are gone; the next good run rewrites them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lf-outputs-'));
    await writeOutputs(dir, [table(1), report('A'), { ...table(9), step: 'old' }]);
    const kept = await writeOutputs(dir, [], { steps: new Set(['fit', 'report']), why: 'The latest run failed at step fit.' });
    expect(kept.stale).toEqual([
      { file: 'fit.json', step: 'fit' },
      { file: 'report.html', step: 'report' },
      { file: 'report.json', step: 'report' },
      { file: 'summary.md', step: 'report' },
    ]);
    expect(await readFile(join(dir, 'report.html'), 'utf8')).toMatch(/^<!doctype html><html><body class="r"><div role="alert"[^>]*>STALE: this is the report of an earlier run\. The latest run failed at step fit\. See run\.json\.<\/div>A<\/body>/);
    expect(await readFile(join(dir, 'summary.md'), 'utf8')).toBe('> **STALE**: from an earlier run. The latest run failed at step fit. See run.json.\n\n# A\n');
    expect(JSON.parse(await readFile(join(dir, 'fit.json'), 'utf8'))).toEqual({ v: 1 });
    expect((await readdir(dir)).includes('old.json')).toBe(false);
    // failing again leaves the banner once
    await writeOutputs(dir, [], { steps: new Set(['fit', 'report']), why: 'Again.' });
    expect((await readFile(join(dir, 'report.html'), 'utf8')).match(/STALE/g)).toHaveLength(1);
    // the same outputs produced again: rewritten without the banner
    const again = await writeOutputs(dir, [table(1), report('A')]);
    expect(again.stale).toEqual([]);
    expect(await readFile(join(dir, 'report.html'), 'utf8')).toBe('<!doctype html><html><body class="r">A</body></html>');
    expect(await readFile(join(dir, 'summary.md'), 'utf8')).toBe('# A\n');
  });
});
