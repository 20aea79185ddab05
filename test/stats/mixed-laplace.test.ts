import { describe, expect, it } from 'vitest';
import { MixedLikelihood, type MixedData } from '../../src/stats/mixed/laplace.js';
import { gaussHermite } from '../../src/stats/mixed/gauss-hermite.js';
import { mixedFixture, wine } from './mixed-support.js';

/** wine as MixedData: X = (tempwarm, contactyes), y = rating − 1, clusters = judges (rows sorted by judge). */
function wineData(withSlope = false): MixedData {
  const t = wine();
  const col = (k: string): { codes: Int32Array } => t.columns.get(k) as { codes: Int32Array };
  const judge = col('judge').codes;
  const order = Array.from({ length: t.nrows }, (_, i) => i).sort((a, b) => judge[a]! - judge[b]! || a - b);
  const n = order.length;
  const X = new Float64Array(2 * n);
  const y = new Int32Array(n);
  order.forEach((r, i) => {
    X[i] = col('temp').codes[r]!;
    X[n + i] = col('contact').codes[r]!;
    y[i] = col('rating').codes[r]!;
  });
  const start = new Int32Array(10);
  order.forEach((r) => (start[judge[r]! + 1] = start[judge[r]! + 1]! + 1));
  for (let k = 1; k < 10; k++) start[k] = start[k]! + start[k - 1]!;
  return { X, n, p: 2, y, J: 5, weights: undefined, start, z: withSlope ? X.slice(0, n) : undefined };
}

function fdGradient(f: (p: Float64Array) => number, par: Float64Array, h = 1e-5): Float64Array {
  const g = new Float64Array(par.length);
  for (let j = 0; j < par.length; j++) {
    const a = Float64Array.from(par);
    const b = Float64Array.from(par);
    const c = Float64Array.from(par);
    const d = Float64Array.from(par);
    a[j] = a[j]! + h;
    b[j] = b[j]! - h;
    c[j] = c[j]! + 2 * h;
    d[j] = d[j]! - 2 * h;
    g[j] = (8 * (f(a) - f(b)) - (f(c) - f(d))) / (12 * h);
  }
  return g;
}

describe('Gauss–Hermite rules', () => {
  it.each([1, 2, 5, 10, 25, 60])('n = %i integrates polynomials of degree < 2n exactly against e^{−x²}', (n) => {
    const r = gaussHermite(n);
    // ∫ x^{2k} e^{−x²} dx = Γ(k + ½) = √π (2k − 1)!! / 2^k
    let exact = Math.sqrt(Math.PI);
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let h = 0; h < n; h++) s += r.weights[h]! * Math.pow(r.nodes[h]!, 2 * k);
      expect(Math.abs(s - exact) / exact).toBeLessThan(1e-12);
      let odd = 0;
      for (let h = 0; h < n; h++) odd += r.weights[h]! * Math.pow(r.nodes[h]!, 2 * k + 1);
      expect(Math.abs(odd)).toBeLessThan(1e-12 * Math.max(1, exact));
      exact *= (2 * k + 1) / 2;
    }
  });
});

describe('the Laplace / AGQ likelihood and its gradient (wine)', () => {
  const fx = mixedFixture('wine.json');
  it.each([
    ['laplace', 1],
    ['agq10', 10],
    ['agq25', 25],
  ] as const)('%s: the objective at the tight R optimum is its logLik, the gradient ~0 and equal to finite differences', (key, nagq) => {
    const r = fx[`tight_${key}`]!;
    const lik = new MixedLikelihood(wineData(), nagq);
    const par = Float64Array.from(r.estimate);
    const g = new Float64Array(par.length);
    const v = lik.gradient(par, g);
    expect(Math.abs(-v - r.loglik)).toBeLessThan(1e-9);
    expect(Math.max(...g.map(Math.abs))).toBeLessThan(1e-7);
    const q = Float64Array.from(par, (x, j) => x + 0.05 * Math.sin(j + 1));
    const gq = new Float64Array(par.length);
    lik.gradient(q, gq);
    const fd = fdGradient((p) => lik.value(p), q);
    for (let j = 0; j < par.length; j++) expect(Math.abs(gq[j]! - fd[j]!)).toBeLessThan(1e-7 * Math.max(1, Math.abs(fd[j]!)));
  });

  it('random slope: the gradient equals finite differences', () => {
    const lik = new MixedLikelihood(wineData(true), 1);
    const q = Float64Array.from([-1.5, 1.4, 4.1, 6.0, 3.0, 1.8, Math.log(1.1), -0.3, Math.log(0.4)]);
    const g = new Float64Array(q.length);
    lik.gradient(q, g);
    const fd = fdGradient((p) => lik.value(p), q);
    for (let j = 0; j < q.length; j++) expect(Math.abs(g[j]! - fd[j]!)).toBeLessThan(1e-7 * Math.max(1, Math.abs(fd[j]!)));
  });
});

