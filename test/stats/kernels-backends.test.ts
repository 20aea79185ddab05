/**
 * The fits on either kernel backend (LESIONFLOW_KERNELS=wasm, the default, or js): the same estimates,
 * covariances and log-likelihoods to the last bit — the ordinal fit (its kernels' pass, with frequency
 * weights, and with an offset, which takes the JavaScript loop over the kernels), the logistic fit (IRLS's
 * cross-products and exps) and least squares (its pass and Cholesky inverse).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rngFor } from '../../src/stats/rng.js';

const n = 1500;
const p = 3;
const r = rngFor(5, 1);
const X = new Float64Array(n * p);
for (let i = 0; i < n * p; i++) X[i] = r.normal();
const eta = Array.from({ length: n }, (_, i) => {
  const u = r.uniform();
  return 0.8 * X[i]! - 0.5 * X[n + i]! + 0.3 * X[2 * n + i]! + Math.log(u / (1 - u)); // a logistic error
});
const y = Int32Array.from(eta, (e) => (e < -1 ? 0 : e < 0.2 ? 1 : e < 1.5 ? 2 : 3));
const w = Float64Array.from({ length: n }, () => Math.floor(3 * r.uniform()) + 1);
const offset = Float64Array.from({ length: n }, (_, i) => 0.1 * Math.sin(i));
const y01 = Float64Array.from(y, (v) => (v >= 2 ? 1 : 0));
const yc = Float64Array.from(eta);

/** The fits' numbers with the given backend (modules loaded afresh, so the choice is made again). */
async function fits(backend: 'wasm' | 'js'): Promise<number[][]> {
  vi.resetModules();
  vi.stubEnv('LESIONFLOW_KERNELS', backend);
  const { fitOrdinal } = await import('../../src/stats/ordinal.js');
  const { fitLogistic } = await import('../../src/stats/logistic.js');
  const { leastSquares } = await import('../../src/stats/fit/least-squares.js');
  const { kernels } = await import('../../src/stats/kernels/index.js');
  expect(kernels().backend).toBe(backend);
  const o1 = fitOrdinal(X, n, p, y, 4);
  const o2 = fitOrdinal(X, n, p, y, 4, { weights: w });
  const o3 = fitOrdinal(X, n, p, y, 4, { offset });
  const l = fitLogistic(X, n, p, y01);
  const ls = leastSquares(X, n, p, yc, w);
  return [
    ...[o1, o2, o3].map((f) => [...f.par, ...f.vcov, f.loglik]),
    [...l.coefficients, ...l.vcov, l.deviance],
    [...ls.coefficients, ...ls.vcov, ls.sigma],
  ];
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the kernels\' two backends', () => {
  it('give the same fits to the bit', async () => {
    const a = await fits('wasm');
    const b = await fits('js');
    expect(a.length).toBe(5);
    for (let f = 0; f < a.length; f++) {
      const bits = (v: number[]): bigint[] => Array.from(new BigUint64Array(Float64Array.from(v).buffer));
      expect(bits(b[f]!), `fit ${f}`).toEqual(bits(a[f]!));
    }
  });

  it('refuse an unknown LESIONFLOW_KERNELS with a hint', async () => {
    vi.resetModules();
    vi.stubEnv('LESIONFLOW_KERNELS', 'gpu');
    const { kernels } = await import('../../src/stats/kernels/index.js');
    expect(() => kernels()).toThrow(/LESIONFLOW_KERNELS is "gpu"/);
  });
});
