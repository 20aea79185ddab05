import { describe, expect, it } from 'vitest';
import { plogis } from '../../src/stats/distributions.js';
import { populationAveraged, populationAveragedInverse, randomPartSd } from '../../src/stats/mixed/marginal.js';

/** E plogis(η + s z), z ~ N(0, 1), by the trapezoid rule on [−12, 12] with step 1e-4 (error far below 1e-12). */
function bruteForce(eta: number, s: number): number {
  const h = 1e-4;
  let sum = 0;
  for (let z = -12; z <= 12; z += h) sum += plogis(eta + s * z) * Math.exp(-0.5 * z * z);
  return (sum * h) / Math.sqrt(2 * Math.PI);
}

describe('population-averaged probabilities of a mixed logistic model', () => {
  it.each([
    [-2, 0.3],
    [0, 0.8],
    [1.3, 1.5],
    [-4, 2.5],
  ])('η = %f, s = %f: Gauss–Hermite (40 nodes) equals the integral', (eta, s) => {
    const { p, dp } = populationAveraged(eta, s);
    expect(Math.abs(p - bruteForce(eta, s))).toBeLessThan(1e-10);
    const h = 1e-5;
    expect(Math.abs(dp - (populationAveraged(eta + h, s).p - populationAveraged(eta - h, s).p) / (2 * h))).toBeLessThan(1e-8);
  });

  it('is flatter than the conditional probability (attenuation), and equal to it when s = 0', () => {
    expect(populationAveraged(1, 0).p).toBe(plogis(1));
    expect(populationAveraged(1, 1).p).toBeLessThan(plogis(1));
    expect(populationAveraged(-1, 1).p).toBeGreaterThan(plogis(-1));
    expect(populationAveraged(0, 1).p).toBeCloseTo(0.5, 14);
  });

  it('inverts exactly', () => {
    for (const p of [1e-6, 0.01, 0.3, 0.5, 0.77, 0.999]) {
      for (const s of [0, 0.4, 2]) {
        const eta = populationAveragedInverse(p, s);
        expect(Math.abs(populationAveraged(eta, s).p - p)).toBeLessThan(1e-14 + 1e-12 * p);
      }
    }
  });

  it('the random part of a random intercept and slope: √(σ₀² + 2 cov z + σ₁² z²)', () => {
    const V = [
      [0.09, -0.02],
      [-0.02, 0.16],
    ];
    expect(randomPartSd(V, 0)).toBeCloseTo(0.3, 15);
    expect(randomPartSd(V, 1)).toBeCloseTo(Math.sqrt(0.09 - 0.04 + 0.16), 15);
    expect(randomPartSd([[0.25]], 1)).toBe(0.5);
  });
});
