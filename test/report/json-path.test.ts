import { describe, expect, it } from 'vitest';
import type { Json } from '../../src/data/canonical.js';
import { lookup, lookupNumber, parsePath, PathSyntaxError } from '../../src/report/json-path.js';

const result: Json = {
  n: 1665,
  coefficients: [
    { term: '(Intercept)', estimate: 1.2 },
    { term: 'I(fiv_ml/10)', estimate: -0.07, common_or: 0.93 },
    { term: 'evt', estimate: 0.8, common_or: 2.22 },
  ],
  deltas: [
    { delta: 0.01, median: 2.1 },
    { delta: 0.05, median: 10.3 },
  ],
  ci: [0.01, 0.19],
  missing: null,
  inf: 'Inf',
};

describe('result paths', () => {
  it('parses names, indices and key=value selectors (any character but ] inside brackets)', () => {
    expect(parsePath('coefficients[term=I(fiv_ml/10)].common_or')).toEqual([
      { name: 'coefficients', selectors: [{ key: 'term', value: 'I(fiv_ml/10)' }] },
      { name: 'common_or', selectors: [] },
    ]);
    expect(parsePath('ci[1]')).toEqual([{ name: 'ci', selectors: [{ index: 1 }] }]);
  });

  it('rejects malformed paths with the offset', () => {
    expect(() => parsePath('a..b')).toThrow(PathSyntaxError);
    expect(() => parsePath('a[term=x')).toThrow(/not closed/);
    expect(() => parsePath('a[x]')).toThrow(/neither an index nor key=value/);
    expect(() => parsePath('a]')).toThrow(/unexpected "\]"/);
  });

  it('finds numbers', () => {
    expect(lookupNumber(result, 'n')).toEqual({ ok: true, value: 1665 });
    expect(lookupNumber(result, 'coefficients[term=evt].common_or')).toEqual({ ok: true, value: 2.22 });
    expect(lookupNumber(result, 'coefficients[term=I(fiv_ml/10)].common_or')).toEqual({ ok: true, value: 0.93 });
    expect(lookupNumber(result, 'deltas[delta=0.05].median')).toEqual({ ok: true, value: 10.3 });
    expect(lookupNumber(result, 'ci[1]')).toEqual({ ok: true, value: 0.19 });
    const m = lookupNumber(result, 'missing');
    expect(m.ok && Number.isNaN(m.value)).toBe(true);
    expect(lookupNumber(result, 'inf')).toEqual({ ok: true, value: Infinity });
  });

  it('says where a path stopped matching', () => {
    expect(lookup(result, 'coefs[0]')).toEqual({ ok: false, reason: 'the result has no field "coefs" (fields: n, coefficients, deltas, ci, missing, inf)' });
    expect(lookup(result, 'coefficients[term=age].estimate')).toEqual({ ok: false, reason: 'coefficients has no element with term = age (term: (Intercept), I(fiv_ml/10), evt)' });
    expect(lookup(result, 'ci[5]')).toEqual({ ok: false, reason: 'ci has 2 elements, [5] requested' });
    expect(lookupNumber(result, 'deltas')).toEqual({ ok: false, reason: 'deltas is a list, not a number' });
    expect(lookup(result, 'n.x')).toEqual({ ok: false, reason: 'n is not an object' });
  });
});
