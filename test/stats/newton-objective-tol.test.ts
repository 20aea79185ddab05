/**
 * The Newton driver's objectiveTol rule (fit/newton.ts, MICE_MULTINOM_CONTROL: mice's polyreg): trial points
 * are evaluated without derivatives, derivatives are computed only where the iteration goes on (and for the
 * result when first read), and the fit stops once a step lowers −log L by less than the tolerance — on the
 * multinomial logit (models/multinomial-logit.ts), whose gradient at the stop is then at rounding level.
 */
import { describe, expect, it } from 'vitest';
import { MICE_MULTINOM_CONTROL, newtonRaphson, type NewtonObjective } from '../../src/stats/fit/newton.js';
import { MultinomialLogitObjective } from '../../src/stats/models/multinomial-logit.js';

function data(n: number, p: number, k: number): { x: Float64Array; y: Int32Array; w: Float64Array } {
  let s = 7;
  const u = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const x = Float64Array.from({ length: n * p }, () => u() * 4 - 2);
  const y = Int32Array.from({ length: n }, (_, i) => Math.min(k - 1, Math.max(0, Math.floor(u() * k + 0.4 * x[i]!))));
  for (let j = 0; j < k; j++) y[j] = j;
  return { x, y, w: Float64Array.from({ length: n }, () => 0.5 + u()) };
}

describe('Newton with objectiveTol', () => {
  it('evaluates derivatives only where it goes on, and stops at the maximum', () => {
    const n = 300;
    const p = 3;
    const k = 4;
    const { x, y, w } = data(n, p, k);
    const model = new MultinomialLogitObjective(x, n, p, y, k, w);
    let values = 0;
    let derivs = 0;
    const counted: NewtonObjective = {
      npar: model.npar,
      workspace: () => model.workspace(),
      evaluate(par, grad, hess, d) {
        if (d) derivs++;
        else values++;
        return model.evaluate(par, grad, hess, d);
      },
    };
    const r = newtonRaphson(counted, () => undefined, MICE_MULTINOM_CONTROL);
    expect(r.code).toBe(0);
    // every trial point without derivatives; derivatives at the start and where the iteration went on
    expect(values).toBe(r.iterations + r.innerIterations);
    expect(derivs).toBeLessThanOrEqual(values + 1);
    // the stopping point's derivatives once they are read, once
    const before = derivs;
    const g = r.grad;
    expect(derivs).toBe(before + 1);
    expect(r.hess.length).toBe(model.npar * model.npar);
    expect(derivs).toBe(before + 1);
    for (const v of g) expect(Math.abs(v)).toBeLessThan(1e-6);
    // the same point from a start near it: one step, below the tolerance
    const again = newtonRaphson(model, (par) => { par.set(r.par.slice()); }, MICE_MULTINOM_CONTROL);
    expect(again.iterations).toBe(1);
    again.par.forEach((v, j) => { expect(Math.abs(v - r.par[j]!)).toBeLessThan(1e-9 * (1 + Math.abs(v))); });
  });
});
