import { describe, expect, it } from 'vitest';
import { formatCi, formatCountPercent, formatEstimateCi, formatMedianIqr, formatNumber, formatOr, formatP, formatPercent, orDigits } from '../../src/report/format.js';

describe('number formatting as papers print it', () => {
  it('prints odds ratios with 2 decimals and CIs with an en dash', () => {
    expect(formatOr(0.4612)).toBe('0.46');
    expect(formatOr(2.2249)).toBe('2.22');
    expect(formatCi(0.4149, 0.5151)).toBe('0.41\u20130.52');
    expect(formatEstimateCi(0.46, 0.41, 0.52)).toBe('0.46 (0.41\u20130.52)');
  });

  it('uses " to " and a true minus sign when a bound is negative', () => {
    expect(formatCi(-0.123, 0.3)).toBe('\u22120.12 to 0.30');
    expect(formatNumber(-1.5, 1)).toBe('\u22121.5');
  });

  it('never prints a negative zero', () => {
    expect(formatNumber(-0.001, 2)).toBe('0.00');
    expect(formatNumber(-0.4, 0)).toBe('0');
    expect(formatNumber(-0, 1)).toBe('0.0');
  });

  it('prints p-values as <0.001, 3 decimals, >0.999', () => {
    expect(formatP(0.0004)).toBe('<0.001');
    expect(formatP(1e-300)).toBe('<0.001');
    expect(formatP(0.001)).toBe('0.001');
    expect(formatP(0.0449)).toBe('0.045');
    expect(formatP(0.31)).toBe('0.310');
    expect(formatP(0.9999)).toBe('>0.999');
    expect(formatP(NaN)).toBe('–');
    expect(formatP(1.2)).toBe('–');
  });

  it('prints missing and non-finite values as an en dash, never NaN', () => {
    for (const v of [NaN, Infinity, -Infinity, null, undefined]) {
      expect(formatNumber(v, 2)).toBe('–');
      expect(formatOr(v)).toBe('–');
      expect(formatPercent(v)).toBe('–');
    }
    expect(formatEstimateCi(0.5, NaN, 0.7)).toBe('0.50');
  });

  it('prints percentages, counts and medians', () => {
    expect(formatPercent(0.469)).toBe('46.9%');
    expect(formatPercent(0.12, 0)).toBe('12%');
    expect(formatCountPercent(389, 829)).toBe('389 (46.9%)');
    expect(formatCountPercent(0, 0)).toBe('0');
    expect(formatMedianIqr(41, 14, 120)).toBe('41.0 (14.0\u2013120.0)');
    expect(formatMedianIqr(41, 14, 120, 0)).toBe('41 (14\u2013120)');
  });

  it('adds decimals to an OR whose CI would print as one value', () => {
    expect(orDigits(0.41, 0.52)).toBe(2);
    expect(orDigits(0.9791, 0.9849)).toBe(3);
    expect(orDigits(0.99991, 0.99996)).toBe(4);
    expect(orDigits(NaN, 1)).toBe(2);
  });

});
