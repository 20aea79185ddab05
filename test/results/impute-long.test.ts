/**
 * The long export of an imputed set (src/results/impute-long.ts) has mice::complete(imp, "long")'s
 * shape — `.imp`, `.id`, then the data's columns, imputation 1 first — and its rows are the completed
 * data sets; the outputs writer writes it as `<step>.long.csv` only when the step asked for it.
 */
import { describe, expect, it } from 'vitest';
import { completed, type ImputedArtifact } from '../../src/data/artifact.js';
import { makeTable } from '../../src/data/table.js';
import { longTable } from '../../src/results/impute-long.js';
import { artifactFiles } from '../../src/runner/outputs.js';

const original = makeTable([
  ['a', { type: 'number', values: Float64Array.of(1, NaN, 3, 4) }],
  ['b', { type: 'factor', codes: Int32Array.of(0, 1, -1, 0), levels: ['x', 'y'] }],
]);
const imputed: ImputedArtifact = {
  type: 'imputed',
  original,
  m: 2,
  info: { export_long: true },
  imputations: new Map([
    ['a', { rows: Int32Array.of(1), values: [Float64Array.of(6), Float64Array.of(7)] }],
    ['b', { rows: Int32Array.of(2), values: [Float64Array.of(0), Float64Array.of(1)] }],
  ]),
};

describe('impute long export', () => {
  it('stacks the completed sets with .imp and .id first, as mice::complete(imp, "long")', () => {
    const t = longTable(imputed);
    expect([...t.columns.keys()]).toEqual(['.imp', '.id', 'a', 'b']);
    expect(t.nrows).toBe(8);
    const col = (name: string): number[] => Array.from((t.columns.get(name) as { values: Float64Array }).values);
    expect(col('.imp')).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
    expect(col('.id')).toEqual([1, 2, 3, 4, 1, 2, 3, 4]);
    for (let k = 0; k < 2; k++) expect(col('a').slice(4 * k, 4 * k + 4)).toEqual(Array.from((completed(imputed, k).columns.get('a') as { values: Float64Array }).values));
    expect(Array.from((t.columns.get('b') as { codes: Int32Array }).codes)).toEqual([0, 1, 0, 0, 0, 1, 1, 0]);
  });

  it('is written as <step>.long.csv when the step asked for it, and not otherwise', () => {
    const files = artifactFiles('mi', imputed);
    expect(files.get('mi.long.csv')).toBe('.imp,.id,a,b\n1,1,1,x\n1,2,6,y\n1,3,3,x\n1,4,4,x\n2,1,1,x\n2,2,7,y\n2,3,3,y\n2,4,4,x\n');
    expect(artifactFiles('mi', { ...imputed, info: {} }).has('mi.long.csv')).toBe(false);
  });
});
