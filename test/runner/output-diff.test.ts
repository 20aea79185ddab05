/** Number-by-number comparison of two outputs (src/runner/output-diff.ts), as `diff` and `verify` show it. */
import { describe, expect, it } from 'vitest';
import type { Artifact } from '../../src/data/artifact.js';
import { makeTable } from '../../src/data/table.js';
import { lookupNumber } from '../../src/report/json-path.js';
import { changeLines, diffArtifacts, showNumbers, showRelative, withinTolerance, type Change } from '../../src/runner/output-diff.js';

const result = (value: Record<string, unknown>): Artifact => ({ type: 'result', value: value as never });

describe('output diff', () => {
  it('matches array elements by their identifying field, and names each number by a path json-path reads back', () => {
    const a = { n: 100, coefficients: [{ term: '(Intercept)', estimate: 1 }, { term: 'evt', estimate: 0.8, p: null }, { term: 'age', estimate: -0.02 }] };
    const b = { n: 100, coefficients: [{ term: '(Intercept)', estimate: 1 }, { term: 'age', estimate: -0.021 }, { term: 'evt', estimate: 0.8, p: 0.01 }, { term: 'ivt', estimate: 0.1 }] };
    const changes = diffArtifacts(result(a), result(b));
    expect(changes).toEqual([
      { kind: 'number', where: 'coefficients[term=evt].p', old: NaN, new: 0.01 },
      { kind: 'number', where: 'coefficients[term=age].estimate', old: -0.02, new: -0.021 },
      { kind: 'added', where: 'coefficients[term=ivt]', value: '{"term":"ivt","estimate":0.1}' },
    ]);
    expect(lookupNumber(b as never, changes[1]!.where)).toEqual({ ok: true, value: -0.021 });
  });

  it('compares other arrays by position, text as text, and reports a change of shape', () => {
    const changes = diffArtifacts(result({ ci: [1, 2], formula: 'y ~ a', q: [1, 2, 3], inf: 'Inf' }), result({ ci: [1, 2.5], formula: 'y ~ a + b', q: [1, 2], inf: 5 }));
    expect(changes).toEqual([
      { kind: 'number', where: 'ci[1]', old: 2, new: 2.5 },
      { kind: 'text', where: 'formula', old: 'y ~ a', new: 'y ~ a + b' },
      { kind: 'shape', where: 'q', old: '3 elements', new: '2 elements' },
      { kind: 'number', where: 'inf', old: Infinity, new: 5 },
    ]);
  });

  it('compares tables cell by cell (rows from 1, as in the CSV file), factors by their labels', () => {
    const t = (x: number[], f: number[]): Artifact => ({ type: 'table', table: makeTable([['x', { type: 'number', values: Float64Array.from(x) }], ['f', { type: 'factor', codes: Int32Array.from(f), levels: ['CT', 'MRI'] }]]) });
    expect(diffArtifacts(t([1, NaN, 3], [0, 1, -1]), t([1, NaN, 4], [1, 1, -1]))).toEqual([
      { kind: 'number', where: 'row 3: x', old: 3, new: 4 },
      { kind: 'text', where: 'row 1: f', old: 'CT', new: 'MRI' },
    ]);
    expect(diffArtifacts(t([1], [0]), t([1, 2], [0, 0]))).toEqual([{ kind: 'shape', where: 'rows', old: '1', new: '2' }]);
  });

  it('compares imputed values cell by cell when the same cells were imputed', () => {
    const imputed = (v: number): Artifact => ({
      type: 'imputed',
      m: 2,
      info: {},
      original: makeTable([['aspects', { type: 'number', values: Float64Array.of(7, NaN, 9) }]]),
      imputations: new Map([['aspects', { rows: Int32Array.of(1), values: [Float64Array.of(8), Float64Array.of(v)] }]]),
    });
    expect(diffArtifacts(imputed(6), imputed(5))).toEqual([{ kind: 'number', where: 'imputation 2 row 2: aspects', old: 6, new: 5 }]);
  });

  it('tolerance is relative and symmetric; NaN and infinities are never within it', () => {
    const c = (old: number, now: number): Change => ({ kind: 'number', where: 'x', old, new: now });
    expect(withinTolerance(c(1, 1 + 1e-10), 1e-9)).toBe(true);
    expect(withinTolerance(c(1 + 1e-10, 1), 1e-9)).toBe(true);
    expect(withinTolerance(c(1, 1 + 1e-8), 1e-9)).toBe(false);
    expect(withinTolerance(c(0, 1e-300), 1e-9)).toBe(false);
    expect(withinTolerance(c(NaN, 1), 1)).toBe(false);
    expect(withinTolerance({ kind: 'text', where: 'f', old: 'a', new: 'b' }, 1)).toBe(false);
  });

  it('shows numbers with the digits that tell them apart, and the relative difference', () => {
    expect(showNumbers(2.2154, 2.3012)).toEqual(['2.215', '2.301']);
    expect(showNumbers(70.5, 70.5 * (1 + 3e-12))).toEqual(['70.5', '70.5000000002']);
    expect(showNumbers(NaN, 1)).toEqual(['NA', '1']);
    expect(showRelative(0.0387)).toBe('+3.87%');
    expect(showRelative(-0.000152)).toBe('-0.0152%');
    expect(showRelative(-3e-12)).toBe('-3.0e-12');
    expect(showRelative(Infinity)).toBe('from 0');
    const lines = changeLines([{ kind: 'number', where: 'a', old: 1, new: 2 }, { kind: 'text', where: 'bb', old: 'x', new: 'y' }, { kind: 'number', where: 'c', old: 1, new: 3 }], 2);
    expect(lines).toEqual(['    a   1 → 2  +100%', '    bb  x → y', '    … and 1 more']);
  });
});
