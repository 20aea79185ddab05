/**
 * The step pages (docs/steps/<kind>.md) that state a kind's implementation version state the one in the
 * code: the version enters every cache key, and users read it there to know what an upgrade re-runs.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registry } from '../../src/nodes/registry.js';

const dir = join(import.meta.dirname, '../../docs/steps');

describe('docs/steps implementation versions', () => {
  it('match the kinds\' versions', () => {
    let checked = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.md'))) {
      const text = readFileSync(join(dir, file), 'utf8');
      const kind = file.slice(0, -3);
      const one = /Implementation version (\d+)/.exec(text);
      if (one !== null) {
        expect(Number(one[1]), `${file}: implementation version`).toBe(registry.get(kind)?.version);
        checked++;
      }
      // simulate.md: "Implementation versions A and B" for simulate and simulate_truth
      const two = /Implementation versions (\d+) and (\d+)/.exec(text);
      if (two !== null) {
        expect([Number(two[1]), Number(two[2])], `${file}: implementation versions`).toEqual([registry.get(kind)?.version, registry.get(`${kind}_truth`)?.version]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(9);
  });
});
