/** Helpers for the spec-analysis tests: analyse inline YAML with the fake kinds and render what fails. */
import { expect } from 'vitest';
import { SpecErrors } from '../../src/errors.js';
import { renderError } from '../../src/runner/diagnostics.js';
import type { Pipeline } from '../../src/runner/pipeline.js';
import { analyseSpecText } from '../../src/runner/spec.js';
import type { LoadOptions } from '../../src/runner/spec.js';
import { fakeKinds } from './fake-kinds.js';

/** Strips the common indentation so specs can be written indented inside a test. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = String.raw({ raw: strings }, ...values).replace(/^\n/, '');
  const indent = Math.min(...text.split('\n').filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length));
  return text
    .split('\n')
    .map((l) => l.slice(indent))
    .join('\n');
}

export function analyse(text: string, options: LoadOptions = {}): Pipeline {
  return analyseSpecText(text, 'spec.yaml', { registry: fakeKinds, ...options });
}

/** The rendered errors of a spec that must fail. */
export function errorsOf(text: string, options: LoadOptions = {}): string {
  try {
    analyse(text, options);
  } catch (e) {
    expect(e).toBeInstanceOf(SpecErrors);
    return renderError(e);
  }
  throw new Error('expected the spec to fail');
}
