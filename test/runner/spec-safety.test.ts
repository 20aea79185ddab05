/**
 * A spec is untrusted data: an alias bomb, a huge file, deep nesting or a language-specific tag must
 * be refused quickly with a clear message, never hang, crash or mean anything.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpecErrors } from '../../src/errors.js';
import { renderError } from '../../src/runner/diagnostics.js';
import { loadPipeline } from '../../src/runner/spec.js';
import { errorsOf, yaml } from './spec-helpers.js';
import { fakeKinds } from './fake-kinds.js';

/** The classic "billion laughs": 10 levels of 10 aliases each, 10^10 values if expanded. */
function aliasBomb(levels = 10): string {
  const lines = ['name: bomb', 'seed: 1', 'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
  lines.push('steps:', '  x:', '    kind: load', `    path: *a${levels - 1}`);
  return `${lines.join('\n')}\n`;
}

describe('spec safety', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lesionflow-spec-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a YAML alias bomb quickly, pointing at the alias whose expansion exceeds the limit (line 7: a4 = 10^5 values)', () => {
    const started = performance.now();
    const text = errorsOf(aliasBomb());
    expect(performance.now() - started).toBeLessThan(5000);
    expect(text).toBe(
      [
        'spec.yaml:7:45: error: spec expands to more than 100000 values through YAML aliases',
        '  hint: this looks like a YAML "billion laughs" bomb; write the values out, or use `params:` for shared values',
      ].join('\n'),
    );
  });

  it('accepts ordinary aliases', () => {
    const text = yaml`
      name: demo
      seed: 1
      params:
        covs: &covs [age, nihss]
      steps:
        cohort: {kind: load, path: x.csv, na: *covs}
    `;
    expect(() => errorsOf(text)).toThrow('expected the spec to fail');
  });

  it('refuses a YAML merge key with its own message, not as a step without a kind', () => {
    const text = yaml`
      name: demo
      seed: 1
      params:
        base: &base {kind: load, path: x.csv}
      steps:
        cohort:
          <<: *base
          na: [NA]
    `;
    expect(errorsOf(text)).toBe(
      [
        'spec.yaml:7:5: error: YAML merge keys (<<) are not supported',
        '  hint: write the keys out; for values shared between steps, use params: and ${params.NAME}',
      ].join('\n'),
    );
  });

  it('refuses a 50 MB spec from its size alone, without reading it', async () => {
    const file = join(dir, 'huge.yaml');
    const handle = await open(file, 'w');
    await handle.write('name: huge\nseed: 1\nsteps:\n');
    await handle.truncate(50 * 1024 * 1024); // sparse: 50 MB of zero bytes
    await handle.close();
    const started = performance.now();
    const error = await loadPipeline(file, { registry: fakeKinds, displayPath: 'huge.yaml' }).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(error).toBeInstanceOf(SpecErrors);
    expect(renderError(error)).toBe(
      [
        'huge.yaml:1:1: error: spec is too large: 50.0 MB (the limit is 1.0 MB)',
        '  hint: a spec describes steps, it does not hold data: put data in a CSV file and load it with a `load` step',
      ].join('\n'),
    );
  });

  it('refuses language-specific and unknown tags', () => {
    const text = yaml`
      name: demo
      seed: !!js/function "function () { return 1 }"
      steps: !foo {}
    `;
    expect(errorsOf(text)).toBe(
      [
        'spec.yaml:2:7: error: YAML tag !!js/function is not allowed',
        '  hint: a spec is plain data: only the YAML core tags !!str, !!int, !!float, !!bool, !!null, !!map and !!seq are accepted',
        'spec.yaml:3:8: error: YAML tag !foo is not allowed',
        '  hint: a spec is plain data: only the YAML core tags !!str, !!int, !!float, !!bool, !!null, !!map and !!seq are accepted',
        '2 errors in the spec',
      ].join('\n'),
    );
  });

  it('refuses pathologically deep nesting without overflowing the stack', () => {
    const depth = 400_000; // just under 1 MB; the YAML parser would need seconds for it
    const text = `name: deep\nseed: 1\nsteps: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
    const started = performance.now();
    expect(errorsOf(text)).toBe('spec.yaml:1:1: error: spec is nested too deeply to be read\n  hint: a spec needs only a few levels of nesting');
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('keeps a key named __proto__ as a plain key', () => {
    const text = yaml`
      name: demo
      seed: 1
      steps:
        cohort: {kind: load, path: x.csv, __proto__: {polluted: true}}
    `;
    expect(errorsOf(text)).toContain('unknown parameter "__proto__" for kind load');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
