import { makeTable } from '../../src/data/table.js';
import { describe, expect, it } from 'vitest';
import { artifactFiles, fileStem } from '../../src/runner/outputs.js';

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
    expect(JSON.parse(imp.get('imp.json')!)).toEqual({ imputed: ['f'], info: { method: 'pmm' }, m: 2 });
    expect(imp.get('imp.csv')).toBe('f\nM1\nNA\n');
  });
});
