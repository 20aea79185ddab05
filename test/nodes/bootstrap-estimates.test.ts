/** src/nodes/bootstrap-estimates.ts: estimate paths of a result's JSON. */
import { describe, expect, it } from 'vitest';
import { leafRoutes, numericLeaves, readLeaf, selectPaths } from '../../src/nodes/bootstrap-estimates.js';

describe('numericLeaves', () => {
  it('names estimates by path, array rows by their naming field, and skips counts', () => {
    const leaves = numericLeaves({
      n: 1665,
      proportion_explained: 0.12,
      total: { log_or: -0.8, level: 0.95 },
      coefficients: [
        { term: 'fiv_ml', estimate: -0.02, se: 0.003 },
        { term: '(Intercept)', estimate: 1.5, se: 0.2 },
      ],
      curve: [0.5, 0.4],
      label: 'text is ignored',
      ok: true,
    });
    expect([...leaves]).toEqual([
      ['coefficients[term=fiv_ml].estimate', -0.02],
      ['coefficients[term=fiv_ml].se', 0.003],
      ['coefficients[term=(Intercept)].estimate', 1.5],
      ['coefficients[term=(Intercept)].se', 0.2],
      ['curve[0]', 0.5],
      ['curve[1]', 0.4],
      ['proportion_explained', 0.12],
      ['total.log_or', -0.8],
    ]);
    expect(selectPaths(leaves, ['coefficients[term=fiv_ml]', 'total'])).toEqual(['coefficients[term=fiv_ml].estimate', 'coefficients[term=fiv_ml].se', 'total.log_or']);
  });
});

describe('leafRoutes and readLeaf', () => {
  const first = {
    proportion_explained: 0.12,
    total: { log_or: -0.8, se: 0.1 },
    coefficients: [
      { term: 'fiv_ml', estimate: -0.02 },
      { term: 'evt', estimate: 0.8 },
    ],
    curve: [0.5, 0.4],
    draws: Float64Array.from([1, 2]),
  };
  const routes = leafRoutes(first);

  /** readLeaf along the first result's routes gives, for every path, what numericLeaves gives. */
  function expectSameAsWalk(other: unknown): void {
    const leaves = numericLeaves(other);
    for (const [path, route] of routes) expect([path, readLeaf(other, route)]).toEqual([path, leaves.get(path) ?? NaN]);
  }

  it('reads the leaves of a result shaped alike, array rows by name wherever they moved', () => {
    expect([...routes.keys()]).toEqual([...numericLeaves(first).keys()]);
    expectSameAsWalk(first);
    expectSameAsWalk({
      proportion_explained: 0.2,
      total: { log_or: -0.7, se: 0.11 },
      coefficients: [
        { term: 'evt', estimate: 0.9 },
        { term: 'fiv_ml', estimate: -0.03 },
      ],
      curve: [0.6, 0.3],
      draws: Float64Array.from([3, 4]),
    });
  });

  it('gives NaN where the result lacks the leaf or has something else there, as the walk does', () => {
    expectSameAsWalk({
      total: { log_or: 'n/a' },
      coefficients: [{ term: 'evt', estimate: 0.9 }, { name: 'fiv_ml', estimate: 1 }],
      curve: [{ term: 'x', estimate: 1 }],
      draws: [5],
    });
    expectSameAsWalk({ proportion_explained: null, total: [1, 2], coefficients: {}, curve: 3 });
    // two rows of one name: the last, as numericLeaves keeps it
    expectSameAsWalk({ coefficients: [{ term: 'evt', estimate: 1 }, { term: 'evt', estimate: 2 }] });
  });
});
