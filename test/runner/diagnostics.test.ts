/** renderError: the one place any error becomes text (golden output for each error class). */
import { describe, expect, it } from 'vitest';
import { CacheError, DataError, FitError, InternalError, SpecError, SpecErrors } from '../../src/errors.js';
import { renderError } from '../../src/runner/diagnostics.js';

const at = { file: 'pipelines/demo.yaml', line: 12, col: 5 };

describe('renderError', () => {
  it('a located error: file:line:col: error: message, then the hint', () => {
    expect(renderError(new SpecError('unknown step kind "lod"', { location: at, hint: 'the kinds are: load' }))).toBe(
      'pipelines/demo.yaml:12:5: error: unknown step kind "lod"\n  hint: the kinds are: load',
    );
  });

  it('SpecErrors: every error, then the count; one error has no count line', () => {
    const a = new SpecError('first', { location: at, hint: 'fix it' });
    const b = new SpecError('second', { hint: 'and this' });
    expect(renderError(new SpecErrors([a, b]))).toBe(
      'pipelines/demo.yaml:12:5: error: first\n  hint: fix it\nerror: second\n  hint: and this\n2 errors in the spec',
    );
    expect(renderError(new SpecErrors([a]))).toBe('pipelines/demo.yaml:12:5: error: first\n  hint: fix it');
  });

  it('a multi-line message keeps its lines before the hint', () => {
    expect(renderError(new SpecError('steps form a cycle: a → a\n  a → a at x.yaml:1:1', { location: at, hint: 'h' }))).toBe(
      'pipelines/demo.yaml:12:5: error: steps form a cycle: a → a\n  a → a at x.yaml:1:1\n  hint: h',
    );
  });

  it('a step error names the step (unless the message already does), a data error its file position', () => {
    expect(renderError(new DataError('column "fiv_ml" not found', { step: 'small[modality=CT]', hint: 'columns: a, b' }))).toBe(
      'error: step small[modality=CT]: column "fiv_ml" not found\n  hint: columns: a, b',
    );
    expect(renderError(new DataError('cannot parse "abc" as a number', { location: { file: 'data/cohort.csv', line: 7, col: 3 }, step: 'cohort' }))).toBe(
      'data/cohort.csv:7:3: error: step cohort: cannot parse "abc" as a number',
    );
    expect(renderError(new CacheError('entry for step cohort is corrupt', { step: 'cohort' }))).toBe('error: entry for step cohort is corrupt');
  });

  it('a fit error names the model term', () => {
    expect(renderError(new FitError('complete separation', { step: 'fit', term: 'occlusionICA', hint: 'drop the term' }))).toBe(
      'error: step fit: complete separation\n  term: occlusionICA\n  hint: drop the term',
    );
  });

  it('an internal error shows its cause; an unknown exception is reported as a bug with its stack', () => {
    const cause = new Error('boom');
    const text = renderError(new InternalError('broken invariant', { cause }));
    expect(text.split('\n')[0]).toBe('error: Internal error: broken invariant');
    expect(text.split('\n')[1]).toBe('  cause: Error: boom');
    const bug = renderError(new TypeError('x is undefined')).split('\n');
    expect(bug.slice(0, 3)).toEqual([
      'error: internal error: x is undefined',
      '  hint: this is a bug in lesionflow, not in your spec or data; please report it with the trace below',
      '    TypeError: x is undefined',
    ]);
    expect(renderError('a string')).toMatch(/^error: internal error: a string\n/);
  });
});
