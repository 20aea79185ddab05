/** `--set key=value`: typed by the declared parameter, unknown keys refused with did-you-mean. */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSetValue } from '../../src/runner/params.js';
import { analyse, errorsOf, yaml } from './spec-helpers.js';

const spec = yaml`
  name: demo
  seed: 1
  params:
    max_volume: 80
    iterations: 25
    adjusted: true
    data: data/cohort.csv
    covariates: [age, nihss]
  steps:
    cohort: {kind: load, path: "\${params.data}"}
    small: {kind: filter, input: cohort, where: "fiv_ml < \${params.max_volume} & \${params.adjusted}"}
    m: {kind: fit, input: small, outcome: good, covariates: "\${params.covariates}", iterations: "\${params.iterations}"}
`;

describe('--set', () => {
  it('overrides params with values typed like the declared ones', () => {
    const p = analyse(spec, { set: ['max_volume=72.5', 'params.adjusted=false', 'covariates=[age, nihss, ivt]', 'iterations=50'] });
    expect(p.params).toEqual({ max_volume: 72.5, iterations: 50, adjusted: false, data: 'data/cohort.csv', covariates: ['age', 'nihss', 'ivt'] });
    expect(p.steps.get('small' as never)!.params.where).toBe('fiv_ml < 72.5 & false');
    expect(p.steps.get('m' as never)!.params).toMatchObject({ covariates: ['age', 'nihss', 'ivt'], iterations: 50 });
    // Every string given on the command line counts as a user path; numbers and booleans do not.
    expect([...p.userPaths]).toEqual(['age', 'nihss', 'ivt'].map((s) => resolve(s)));
  });

  it('records strings given on the command line as user paths (resolved against the spec folder)', () => {
    const p = analyse(spec, { set: ['data=/elsewhere/cohort.csv'] });
    expect(p.steps.get('cohort' as never)!.params.path).toBe('/elsewhere/cohort.csv');
    expect([...p.userPaths]).toEqual(['/elsewhere/cohort.csv']);
    const q = analyse(spec, { set: ['data=../shared/c.csv'] });
    expect([...q.userPaths]).toEqual([resolve('../shared/c.csv')]);
  });

  it('reports unknown keys, badly typed values and a type the step schema refuses, all at once', () => {
    expect(errorsOf(spec, { set: ['max_volum=70', 'adjusted=yes', 'covariates=age', 'iterations=2.5', 'nothing'] })).toBe([
      'error: --set max_volum: unknown parameter "max_volum" (did you mean "max_volume"?)',
      '  hint: the spec declares: max_volume, iterations, adjusted, data, covariates; --set only overrides a parameter declared under `params:`',
      'error: --set adjusted: expected true or false, got "yes"',
      '  hint: write e.g. --set adjust=false',
      'error: --set covariates: expected a list, got "age"',
      '  hint: write a list in YAML flow style, e.g. --set covariates=[age, nihss]',
      'error: --set nothing: expected key=value',
      '  hint: write e.g. --set max_volume=80',
      'spec.yaml:12:95: error: parameter "iterations" must be an integer, got a number (2.5)',
      '  hint: write an integer here',
      '5 errors in the spec',
    ].join('\n'));
  });

  it('parses each declared type', () => {
    expect(parseSetValue(80, '1e3')).toEqual({ value: 1000 });
    expect(parseSetValue(80, 'abc')).toMatchObject({ error: 'expected a number, got "abc"' });
    expect(parseSetValue(80, '')).toMatchObject({ error: 'expected a number, got ""' });
    expect(parseSetValue('x', '80')).toEqual({ value: '80' });
    expect(parseSetValue(['a'], '[1, b]')).toEqual({ value: ['1', 'b'] });
    expect(parseSetValue([1], '[1, 2.5]')).toEqual({ value: [1, 2.5] });
    expect(parseSetValue([1], '[1, b]')).toMatchObject({ error: 'expected a list of numbers, got "[1, b]"' });
    expect(parseSetValue([], '[]')).toEqual({ value: [] });
    expect(parseSetValue({ a: 1 }, '{a: 2, b: [x]}')).toEqual({ value: { a: 2, b: ['x'] } });
    expect(parseSetValue(['a'], '[&x a, *x]')).toMatchObject({ error: 'YAML aliases are not allowed in a --set value' });
  });
});
