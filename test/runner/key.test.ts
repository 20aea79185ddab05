import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/data/canonical.js';
import type { ReplicateKind } from '../../src/nodes/kind.js';
import { sha256, stepSeed, type CacheKey, type ContentHash } from '../../src/runner/hash.js';
import { KEY_SCHEME, cacheKey, keyMaterial, subgraphSteps, type KeyFacts } from '../../src/runner/key.js';
import type { StepName } from '../../src/runner/pipeline.js';
import { pipelineOf } from './helpers.js';

const h = (s: string): ContentHash => sha256(s) as ContentHash;
const facts = (outputs: Record<string, string> = {}, files: Record<string, string> = {}, seed = 1): KeyFacts => ({
  seed,
  outputOf: (s) => (s in outputs ? h(outputs[s]!) : null),
  keyOf: (s) => (s in outputs ? (h(`key:${outputs[s]!}`) as unknown as CacheKey) : null),
  fileHash: (f) => h(files[f] ?? ''),
});

describe('key material', () => {
  const p = pipelineOf('/tmp/x', { a: {}, b: { inputs: ['a'], params: { value: 3 } } });
  const b = p.steps.get('b' as StepName)!;

  it('holds scheme, kind, version, canonical params and input OUTPUT hashes in fixed order', () => {
    const m = keyMaterial(b, undefined, facts({ a: 'A' }));
    expect(m).toEqual({ scheme: KEY_SCHEME, kind: 'test_step', version: 1, params: { inputs: ['a'], value: 3 }, inputs: [['a', h('A')]], files: [] });
    expect(cacheKey(m)).toBe(sha256(canonicalJson(m)));
  });

  it('is independent of parameter key order, and changes with any parameter value', () => {
    const swapped = { ...b, params: { value: 3, inputs: ['a'] } };
    const reordered = { ...b, params: { inputs: ['a'], value: 3 } };
    expect(cacheKey(keyMaterial(swapped, undefined, facts({ a: 'A' })))).toBe(cacheKey(keyMaterial(reordered, undefined, facts({ a: 'A' }))));
    const other = { ...b, params: { inputs: ['a'], value: 4 } };
    expect(cacheKey(keyMaterial(other, undefined, facts({ a: 'A' })))).not.toBe(cacheKey(keyMaterial(b, undefined, facts({ a: 'A' }))));
  });

  it('depends on the input output hash, not on anything else about the input', () => {
    expect(cacheKey(keyMaterial(b, undefined, facts({ a: 'A' })))).not.toBe(cacheKey(keyMaterial(b, undefined, facts({ a: 'A2' }))));
  });

  it('takes the seed only for random steps, and then the step-specific one', () => {
    const plain = keyMaterial(b, undefined, facts({ a: 'A' }, {}, 1));
    expect(plain.seed).toBeUndefined();
    expect(cacheKey(plain)).toBe(cacheKey(keyMaterial(b, undefined, facts({ a: 'A' }, {}, 2))));
    const r = { ...b, params: { ...b.params, random: true } };
    expect(keyMaterial(r, undefined, facts({ a: 'A' }, {}, 1)).seed).toBe(stepSeed(1, 'b'));
    expect(cacheKey(keyMaterial(r, undefined, facts({ a: 'A' }, {}, 1)))).not.toBe(cacheKey(keyMaterial(r, undefined, facts({ a: 'A' }, {}, 2))));
    // Same params, different names: different keys, since they draw different numbers.
    expect(cacheKey(keyMaterial({ ...r, name: 'b2' as StepName }, undefined, facts({ a: 'A' })))).not.toBe(cacheKey(keyMaterial(r, undefined, facts({ a: 'A' }))));
  });

  it('includes content hashes of the files the kind declares', () => {
    const f = { ...b, params: { ...b.params, file: 'data/x.csv' } };
    const m1 = keyMaterial(f, undefined, facts({ a: 'A' }, { 'data/x.csv': 'v1' }));
    expect(m1.files).toEqual([['data/x.csv', h('v1')]]);
    expect(cacheKey(m1)).not.toBe(cacheKey(keyMaterial(f, undefined, facts({ a: 'A' }, { 'data/x.csv': 'v2' }))));
  });

  it('sorts object keys by code unit, never by locale', () => {
    const s = { ...b, params: { inputs: ['a'], value: 0, é: 1, Z: 2, a: 3 } };
    const text = canonicalJson(keyMaterial(s, undefined, facts({ a: 'A' })).params);
    expect(text).toBe('{"Z":2,"a":3,"inputs":["a"],"value":0,"é":1}');
  });

  it('refuses to key material with pending input hashes', () => {
    expect(() => cacheKey(keyMaterial(b, undefined, facts()))).toThrow(/pending/);
  });

  it('puts the keys of a subgraph in, in run order', () => {
    const boot: ReplicateKind = { kind: 'boot', version: 1, summary: '', params: {}, inputs: ['from', 'of'], subPipeline: { from: 'from', of: 'of' }, replicates: () => ({ sets: [] }), summarise: () => ({ type: 'result', value: {} }) };
    const q = pipelineOf('/tmp/x', {
      data: {},
      side: {},
      clean: { inputs: ['data'] },
      fit: { inputs: ['clean', 'side'] },
      boot: { kind: boot, inputs: ['data', 'fit'], params: { from: 'data', of: 'fit' } },
    });
    const bootStep = q.steps.get('boot' as StepName)!;
    const sub = subgraphSteps(q, bootStep);
    expect(sub).toEqual(['clean', 'fit']);
    const m = keyMaterial(bootStep, sub, facts({ data: 'D', fit: 'F', clean: 'C' }));
    expect(m.subgraph).toEqual([
      ['clean', h('key:C')],
      ['fit', h('key:F')],
    ]);
  });
});
