/**
 * The cumulative-logit model module (src/stats/models/cumulative-logit.ts): the WebAssembly `rows` kernel is
 * its rowTerms, bit for bit, given the same e^a; S1 and S2 are the derivatives of log p in a common shift;
 * the probabilities.
 */
import { describe, expect, it } from 'vitest';
import { plogis } from '../../src/stats/distributions.js';
import {
  categoryConstants,
  categoryProbabilities,
  HIGHEST,
  LOWEST,
  MIDDLE,
  observationShift,
  ROW3_S3,
  ROW3_T2A,
  ROW3_T2B,
  ROW3_TERMS,
  ROW_C,
  ROW_GA,
  ROW_GB,
  ROW_HAA,
  ROW_HAB,
  ROW_HBB,
  ROW_P,
  ROW_TERMS,
  rowLogProbability,
  rowThirdOrder,
  rowTerms,
  type RowKind,
} from '../../src/stats/models/cumulative-logit.js';
import { CumulativeLogitObjective } from '../../src/stats/models/cumulative-logit-objective.js';
import { jsKernels } from '../../src/stats/kernels/js.js';
import type { Kernels } from '../../src/stats/kernels/kernels.js';
import { wasmKernels } from '../../src/stats/kernels/wasm.js';

describe('cumulative-logit rowTerms', () => {
  it.each([
    ['wasm', wasmKernels()],
    ['js', jsKernels],
  ] as [string, Kernels][])('is what the %s rows kernel computes, to the bit (every row array and, in the kernel\'s two lanes, every sum)', (_, k) => {
    const len = 58; // rows four at a time, then a last pair
    const S = 64;
    // η, w, the row arrays c, d, u, l, p (5 S), the sums (6), x = θ − η, its exp
    const { eta: etaA, w: wA, out: outA, sums: sumsA, x: xA, ex: exA } = k.arena({ eta: S, w: S, out: 5 * S, sums: 6, x: S, ex: S })!;
    const terms = new Float64Array(ROW_TERMS);
    const cst = new Float64Array(5);
    for (const [kind, tU, tL] of [
      [MIDDLE, 0.7, -0.4],
      [MIDDLE, 2.5, 2.499],
      [LOWEST, -1.3, 0],
      [HIGHEST, 0, 1.9],
    ] as [RowKind, number, number][]) {
      categoryConstants(tU, tL, kind, cst, 0);
      for (let t = 0; t < len; t++) {
        etaA[t] = 6 * Math.sin(1.3 * t + tU) - 1;
        wA[t] = t % 5 === 0 ? 0 : 1 + (t % 3) * 0.5;
        xA[t] = (kind === HIGHEST ? tL : tU) - etaA[t]!;
      }
      k.rows(etaA, len, kind, wA, 0, outA, S, sumsA, tU, tL, cst[2]!, cst[3]!, cst[4]!);
      k.exps(xA, len, exA);
      const lanes = [new Float64Array(5), new Float64Array(5)];
      for (let t = 0; t < len; t++) {
        rowTerms(kind, exA[t]!, cst[2]!, cst[3]!, cst[4]!, wA[t]!, terms);
        for (let m = 0; m < 5; m++) expect(Object.is(outA[m * S + t], terms[m]), `kind ${kind} row ${t} array ${m}: ${outA[m * S + t]} vs ${terms[m]}`).toBe(true);
        const lane = lanes[t & 1]!;
        [ROW_GA, ROW_GB, ROW_HAA, ROW_HBB, ROW_HAB].forEach((r, m) => (lane[m] = lane[m]! + terms[r]!));
      }
      for (let m = 0; m < 5; m++) expect(sumsA[m]).toBe(lanes[0]![m]! + lanes[1]![m]!);
    }
  });

  it('gives S1 and S2, the first and second derivatives of log p in a common shift of η, and log p', () => {
    const out = new Float64Array(3);
    const lp = (kind: RowKind, tU: number, tL: number, eta: number): number => {
      const p = kind === LOWEST ? plogis(tU - eta) : kind === HIGHEST ? 1 - plogis(tL - eta) : plogis(tU - eta) - plogis(tL - eta);
      return Math.log(p);
    };
    const h = 1e-4;
    for (const [kind, tU, tL, eta] of [
      [MIDDLE, 0.8, -0.3, 0.2],
      [MIDDLE, 3, 2.2, -1.5],
      [LOWEST, -0.5, 0, 1.1],
      [HIGHEST, 0, 1.4, 2.6],
    ] as [RowKind, number, number, number][]) {
      observationShift(kind, tU, tL, eta, out);
      expect(out[0]).toBeCloseTo(lp(kind, tU, tL, eta), 13);
      // a shift s of the arguments θ − η is a shift −s of η
      const up = lp(kind, tU, tL, eta - h);
      const down = lp(kind, tU, tL, eta + h);
      expect(Math.abs(out[1]! - (up - down) / (2 * h))).toBeLessThan(1e-8);
      expect(Math.abs(out[2]! - (up - 2 * out[0]! + down) / (h * h))).toBeLessThan(1e-5);
    }
  });

  it('rowThirdOrder: S3 and ∂S2/∂a, ∂S2/∂b (the Laplace gradient\'s third derivatives) are differences of S2; log p without underflow', () => {
    const constants = new Float64Array(5);
    const terms = new Float64Array(ROW_TERMS);
    const third = new Float64Array(ROW3_TERMS);
    /** S2 = −c (w = 1) at thresholds (tU, tL) and η, and the third-order terms there. */
    const at = (kind: RowKind, tU: number, tL: number, eta: number): number => {
      categoryConstants(kind === HIGHEST ? 0 : tU, kind === LOWEST ? 0 : tL, kind, constants, 0);
      const e = Math.exp(kind === HIGHEST ? tL - eta : tU - eta);
      rowTerms(kind, e, constants[2]!, constants[3]!, constants[4]!, 1, terms);
      rowThirdOrder(kind, e, constants[2]!, terms, third);
      return 0 - terms[ROW_C]!;
    };
    const h = 1e-5;
    for (const [kind, tU, tL, eta] of [
      [MIDDLE, 0.8, -0.3, 0.2],
      [MIDDLE, 3, 2.2, -1.5],
      [MIDDLE, -2, -2.4, 4],
      [LOWEST, -0.5, 0, 1.1],
      [HIGHEST, 0, 1.4, 2.6],
    ] as [RowKind, number, number, number][]) {
      const s3 = (at(kind, tU, tL, eta - h) - at(kind, tU, tL, eta + h)) / (2 * h);
      const dA = kind === HIGHEST ? 0 : (at(kind, tU + h, tL, eta) - at(kind, tU - h, tL, eta)) / (2 * h);
      const dB = kind === LOWEST ? 0 : (at(kind, tU, tL + h, eta) - at(kind, tU, tL - h, eta)) / (2 * h);
      at(kind, tU, tL, eta);
      expect(Math.abs(third[ROW3_S3]! - s3), `S3 ${kind}`).toBeLessThan(1e-8);
      expect(Math.abs(third[ROW3_T2A]! - dA), `dS2/da ${kind}`).toBeLessThan(1e-8);
      expect(Math.abs(third[ROW3_T2B]! - dB), `dS2/db ${kind}`).toBeLessThan(1e-8);
    }
    // a middle category 800 logits below its upper threshold: p = 0 in floating point, log p from the logs
    categoryConstants(1, 0, MIDDLE, constants, 0);
    const e = Math.exp(-800);
    rowTerms(MIDDLE, e, constants[2]!, constants[3]!, constants[4]!, 1, terms);
    expect(terms[ROW_P]).toBe(0);
    const logp = rowLogProbability(MIDDLE, e, -800, constants[3]!, constants[2]!, terms[ROW_P]!);
    expect(Math.abs(logp - (-800 + Math.log(-Math.expm1(-1))))).toBeLessThan(1e-9);
  });

  it('category probabilities are differences of F(θ_j − η) and sum to 1', () => {
    const theta = [-1.2, 0.1, 0.9, 2.4];
    const p = new Float64Array(7);
    categoryProbabilities(theta, 0.35, p, 1);
    expect(p[0]).toBe(0);
    expect(p[1]).toBe(plogis(-1.2 - 0.35));
    expect(p[5]).toBe(1 - plogis(2.4 - 0.35));
    expect(Math.abs(p.reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-15);
  });
});

describe('CumulativeLogitObjective', () => {
  it('setOffset gives the evaluations of an objective built with that offset, to the bit (rows out of category order; with and without nominal covariates)', () => {
    const n = 301;
    const J = 4;
    const X = Float64Array.from({ length: 2 * n }, (_, i) => Math.sin(0.7 * i) * (i < n ? 1 : 3));
    const y = Int32Array.from({ length: n }, (_, i) => (i * 7 + (i % 5)) % J);
    const o1 = Float64Array.from({ length: n }, (_, i) => 0.3 * Math.cos(i));
    const o2 = Float64Array.from({ length: n }, (_, i) => -0.2 + 0.01 * i);
    for (const nominal of [undefined, { Z: X.subarray(n), k: 1 }]) {
      const p = nominal === undefined ? 2 : 1;
      const npar = (J - 1) * (nominal === undefined ? 1 : 2) + p;
      const par = Float64Array.from({ length: npar }, (_, r) => (r < npar - p ? -1 + 0.8 * Math.floor(r / (nominal === undefined ? 1 : 2)) + (nominal !== undefined && r % 2 === 1 ? 0.05 : 0) : 0.3));
      const evaluate = (m: CumulativeLogitObjective): number[] => {
        const g = new Float64Array(npar);
        const h = new Float64Array(npar * npar);
        return [m.evaluate(par, g, h, true), ...g, ...h];
      };
      const moving = new CumulativeLogitObjective(X, n, p, y, J, { nominal });
      for (const o of [o1, o2, undefined]) {
        moving.setOffset(o);
        expect(evaluate(moving)).toEqual(evaluate(new CumulativeLogitObjective(X, n, p, y, J, { nominal, offset: o })));
      }
      const without = evaluate(moving);
      moving.setOffset(o1);
      expect(evaluate(moving)).not.toEqual(without);
    }
  });
});
