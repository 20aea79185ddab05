/** The files a step reads, from its parameters marked `x-file: true` (src/runner/step-files.ts). */
import { describe, expect, it } from 'vitest';
import { load } from '../../src/nodes/load.js';
import { fileParamsOf, stepFiles } from '../../src/runner/step-files.js';

const kind = {
  params: {
    type: 'object',
    properties: { extra: { type: 'array', items: { type: 'string' }, 'x-file': true }, name: { type: 'string' }, main: { type: 'string', 'x-file': true } },
  },
};

describe('stepFiles', () => {
  it('takes the marked parameters in the schema\'s order, a list\'s paths in its order, and skips absent ones', () => {
    expect(fileParamsOf(kind)).toEqual(['extra', 'main']);
    expect(stepFiles(kind, { name: 'x.csv', main: 'a.csv', extra: ['c.csv', 'b.csv'] })).toEqual(['c.csv', 'b.csv', 'a.csv']);
    expect(stepFiles(kind, { name: 'x.csv' })).toEqual([]);
  });

  it('load\'s path is its one file', () => {
    expect(fileParamsOf(load)).toEqual(['path']);
  });
});
