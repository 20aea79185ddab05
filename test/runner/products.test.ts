/**
 * Every registered kind says what it produces, and `accepts` names only its reference parameters, so
 * validate's product check (src/runner/products.ts) covers every reference a spec can write.
 */
import { describe, expect, it } from 'vitest';
import { subPipelineOf } from '../../src/nodes/kind.js';
import { registry } from '../../src/nodes/registry.js';
import { PRODUCTS } from '../../src/results/products.js';

describe('kinds declare their products', () => {
  for (const kind of registry.values()) {
    it(`${kind.kind}: produces a known product; accepts names reference parameters only`, () => {
      expect(PRODUCTS).toContain(kind.produces);
      const sub = subPipelineOf(kind);
      const refs = [...kind.inputs, ...(sub === undefined ? [] : [sub.from, sub.of])];
      for (const [param, accepted] of Object.entries(kind.accepts ?? {})) {
        expect(refs).toContain(param);
        for (const p of accepted) expect(PRODUCTS).toContain(p);
      }
    });
  }
});
