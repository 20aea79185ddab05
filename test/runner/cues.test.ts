import { describe, expect, it } from 'vitest';
import { sha256, type ContentHash } from '../../src/runner/hash.js';
import { diffJson, whyRun } from '../../src/runner/cues.js';
import { KEY_SCHEME, type KeyMaterial } from '../../src/runner/key.js';

const h = (s: string): ContentHash => sha256(s) as ContentHash;
const base: KeyMaterial = {
  scheme: KEY_SCHEME,
  kind: 'fit_logistic',
  version: 2,
  params: { covariates: ['age', 'nihss'], alpha: 0.05 },
  inputs: [['cohort', h('c1')]],
  files: [['data/x.csv', h('x1')]],
};

describe('cues', () => {
  it('no previous material: no cache entry', () => {
    expect(whyRun(undefined, base)).toEqual(['no cache entry']);
  });
  it('same material (entry lost): no cache entry', () => {
    expect(whyRun(base, base)).toEqual(['no cache entry']);
  });
  it('a covariate added', () => {
    expect(whyRun(base, { ...base, params: { covariates: ['age', 'nihss', 'ivt'], alpha: 0.05 } })).toEqual(['params.covariates: + ivt']);
  });
  it('a covariate added to a formula (the normalised form of outcome + covariates): its terms', () => {
    const f = (formula: string): KeyMaterial => ({ ...base, params: { formula } });
    expect(whyRun(f('mrs90 <= 2 ~ age + nihss'), f('mrs90 <= 2 ~ age + nihss + ivt'))).toEqual(['params.formula: + ivt']);
    expect(whyRun(f('y ~ age + I(a + b) + x:z'), f('y ~ I(a + b) + log(v) + x:z - 1'))).toEqual(['params.formula: + log(v), - (Intercept), - age']);
    expect(whyRun(f('y ~ a + b'), f('y ~ b + a'))).toEqual(['params.formula: terms reordered']);
    // A different response, or strings that are not formulas: the values.
    expect(whyRun(f('y ~ a'), f('z ~ a'))).toEqual(['params.formula: y ~ a → z ~ a']);
    expect(whyRun({ ...base, params: { path: '~/a.csv' } }, { ...base, params: { path: '~/b.csv' } })).toEqual(['params.path: ~/a.csv → ~/b.csv']);
  });
  it('a list element removed, a scalar changed, a key added and removed', () => {
    expect(diffJson('params', { a: [1, 2], b: 1, c: 'x' }, { a: [1], b: 2, d: true })).toEqual(['params.a: - 2', 'params.b: 1 → 2', 'params.c: removed', 'params.d: added true']);
  });
  it('input changed / will run', () => {
    expect(whyRun(base, { ...base, inputs: [['cohort', h('c2')]] })).toEqual(['input cohort changed']);
    expect(whyRun(base, { ...base, inputs: [['cohort', null]] })).toEqual(['input cohort will run']);
  });
  it('implementation version bumped', () => {
    expect(whyRun(base, { ...base, version: 3 })).toEqual(['implementation version 2 → 3']);
  });
  it('seed changed, or newly used', () => {
    expect(whyRun({ ...base, seed: 1 }, { ...base, seed: 2 })).toEqual(['seed changed']);
    expect(whyRun(base, { ...base, seed: 2 })).toEqual(['seed now used']);
  });
  it('data file changed', () => {
    expect(whyRun(base, { ...base, files: [['data/x.csv', h('x2')]] })).toEqual(['file data/x.csv changed']);
  });
  it('several reasons at once, in cue order', () => {
    expect(whyRun(base, { ...base, version: 3, inputs: [['cohort', h('c2')]], seed: 4 })).toEqual(['implementation version 2 → 3', 'input cohort changed', 'seed now used']);
  });
});
