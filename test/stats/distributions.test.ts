/**
 * src/stats/distributions.ts against R 4.2 (fixture: test/fixtures/stats/distributions.R → .json).
 * Tolerances: 1e-12 relative for p-functions and densities (1e-13 absolute near 0 on log scales),
 * 1e-10 relative for the quantiles of t and chi-squared.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dchisq, dnorm, dt, lbeta, lgamma, pchisq, pf, plogis, pnorm, pt, qchisq, qlogis, qnorm, qt } from '../../src/stats/distributions.js';

type Num = number | string | null;
const fixture = JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/stats/distributions.json'), 'utf8')) as Record<string, Record<string, Num[]>>;

function num(v: Num | undefined): number {
  if (v === 'Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  if (v === null || v === undefined || typeof v === 'string') return NaN;
  return v;
}
function col(section: string, name: string): number[] {
  const s = fixture[section];
  if (s === undefined) throw new Error(`fixture has no ${section}`);
  const c = s[name];
  if (c === undefined) throw new Error(`fixture ${section} has no ${name}`);
  return c.map(num);
}

/** |got − want| ≤ rel·|want| (+ abs), with infinities and zeros matching exactly. */
function close(got: number, want: number, rel: number, abs = 0): boolean {
  if (!Number.isFinite(want)) return got === want;
  return Math.abs(got - want) <= rel * Math.abs(want) + abs;
}

function expectAll(label: string, got: number[], want: number[], rel: number, abs = 0): void {
  const bad = got.map((g, i) => [i, g, want[i]!] as const).filter(([, g, w]) => !close(g, w, rel, abs));
  expect(bad.map(([i, g, w]) => `${label}[${i}]: got ${g}, R ${w}`)).toEqual([]);
}

describe('normal', () => {
  const x = col('pnorm', 'x');
  it('pnorm both tails, plain and log, match R', () => {
    expectAll('lower', x.map((v) => pnorm(v)), col('pnorm', 'lower'), 1e-14);
    expectAll('upper', x.map((v) => pnorm(v, false)), col('pnorm', 'upper'), 1e-14);
    expectAll('loglower', x.map((v) => pnorm(v, true, true)), col('pnorm', 'loglower'), 1e-14, 1e-300);
    expectAll('logupper', x.map((v) => pnorm(v, false, true)), col('pnorm', 'logupper'), 1e-14, 1e-300);
    expectAll('dnorm', x.map((v) => dnorm(v)), col('pnorm', 'dnorm'), 1e-14);
  });
  it('qnorm matches R in both tails', () => {
    const p = col('qnorm', 'p');
    expectAll('lower', p.map((v) => qnorm(v)), col('qnorm', 'lower'), 1e-14);
    expectAll('upper', p.map((v) => qnorm(v, false)), col('qnorm', 'upper'), 1e-14);
    expect(qnorm(0)).toBe(-Infinity);
    expect(qnorm(1.5)).toBeNaN();
  });
});

describe('t', () => {
  it('pt and dt match R', () => {
    const x = col('pt', 'x');
    const df = col('pt', 'df');
    // The continued fraction loses a little for huge df (b = n/2 = 5e5): 1e-10 there, 1e-12 up to df = 1000.
    const tol = (i: number): number => (df[i]! > 1000 ? 1e-10 : 1e-12);
    const check = (label: string, got: number[], want: number[]): void => {
      const bad = got.map((g, i) => [i, g, want[i]!] as const).filter(([i, g, w]) => !close(g, w, tol(i)));
      expect(bad.map(([i, g, w]) => `${label}[${i}]: got ${g}, R ${w}`)).toEqual([]);
    };
    check('lower', x.map((v, i) => pt(v, df[i]!)), col('pt', 'lower'));
    check('upper', x.map((v, i) => pt(v, df[i]!, false)), col('pt', 'upper'));
    expectAll('dt', x.map((v, i) => dt(v, df[i]!)), col('pt', 'dt'), 1e-12);
  });
  it('qt matches R (df ≥ 1) and inverts pt (all df)', () => {
    const p = col('qt', 'p');
    const df = col('qt', 'df');
    // R's qt for df < 1 iterates only to ≈1e-9 relative in p: there the test is the inversion of pt.
    const rows = p.map((_, i) => i).filter((i) => df[i]! >= 1);
    const pick = (a: number[]): number[] => rows.map((i) => a[i]!);
    expectAll('lower', rows.map((i) => qt(p[i]!, df[i]!)), pick(col('qt', 'lower')), 1e-10, 1e-14);
    expectAll('upper', rows.map((i) => qt(p[i]!, df[i]!, false)), pick(col('qt', 'upper')), 1e-10, 1e-14);
    const roundTrip = p.map((v, i) => pt(qt(v, df[i]!), df[i]!));
    expectAll('pt(qt(p))', roundTrip, p, 1e-10);
  });
});

describe('chi-squared and F', () => {
  it('pchisq and dchisq match R', () => {
    const x = col('pchisq', 'x');
    const df = col('pchisq', 'df');
    expectAll('lower', x.map((v, i) => pchisq(v, df[i]!)), col('pchisq', 'lower'), 1e-12);
    expectAll('upper', x.map((v, i) => pchisq(v, df[i]!, false)), col('pchisq', 'upper'), 1e-12);
    expectAll('dchisq', x.map((v, i) => dchisq(v, df[i]!)), col('pchisq', 'dchisq'), 1e-12);
  });
  it('qchisq matches R', () => {
    const p = col('qchisq', 'p');
    const df = col('qchisq', 'df');
    expectAll('lower', p.map((v, i) => qchisq(v, df[i]!)), col('qchisq', 'lower'), 1e-10);
    expectAll('upper', p.map((v, i) => qchisq(v, df[i]!, false)), col('qchisq', 'upper'), 1e-10);
  });
  it('pf matches R', () => {
    const x = col('pf', 'x');
    const d1 = col('pf', 'df1');
    const d2 = col('pf', 'df2');
    expectAll('lower', x.map((v, i) => pf(v, d1[i]!, d2[i]!)), col('pf', 'lower'), 1e-12);
    expectAll('upper', x.map((v, i) => pf(v, d1[i]!, d2[i]!, false)), col('pf', 'upper'), 1e-12);
  });
});

describe('logistic and helpers', () => {
  it('plogis and qlogis match R', () => {
    expectAll('plogis', col('logis', 'x').map((v) => plogis(v)), col('logis', 'plogis'), 1e-14);
    expectAll('qlogis', col('logis', 'qp').map((v) => qlogis(v)), col('logis', 'qlogis'), 1e-14);
  });
  it('lgamma and lbeta match R', () => {
    expectAll('lgamma', col('lgamma', 'x').map((v) => lgamma(v)), col('lgamma', 'value'), 1e-13, 1e-14);
    const b = col('lbeta', 'b');
    expectAll('lbeta', col('lbeta', 'a').map((v, i) => lbeta(v, b[i]!)), col('lbeta', 'value'), 1e-13, 1e-14);
  });
});
