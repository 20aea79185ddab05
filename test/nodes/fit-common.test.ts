/** The warnings of a fit on multiply-imputed data (fit-common.ts imputationWarnings): each message once, with its imputations. */
import { describe, expect, it } from 'vitest';
import { imputationWarnings } from '../../src/nodes/fit-common.js';

const fits = (...warnings: string[][]): { warnings: string[] }[] => warnings.map((w) => ({ warnings: w }));

describe('imputationWarnings', () => {
  it('says a warning of one imputation as before, and groups one given by several', () => {
    expect(imputationWarnings(fits([], ['a'], []))).toEqual(['imputation 2: a']);
    expect(imputationWarnings(fits(['s', 'a'], ['s'], ['s'], [], ['s', 'a'], [], ['s']))).toEqual([
      'imputations 1-3, 5, 7 (5 of 7): s',
      'imputations 1, 5 (2 of 7): a',
    ]);
    expect(imputationWarnings(fits(['s'], ['s'], ['s', 's']))).toEqual(['all 3 imputations: s']);
    expect(imputationWarnings(fits([], []))).toEqual([]);
  });
});
