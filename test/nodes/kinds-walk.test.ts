/**
 * Keeps docs/adding-a-step-kind.md true: walks the registry and checks, for every step kind, each place
 * the guide says a kind touches — its module named for its YAML name, one line in kinds.ts, a declared
 * product, its entry in the committed JSON Schema, and a step page stating its implementation version
 * (the version enters every cache key: users read it there to know what an upgrade re-runs) — and that
 * every step page is a registered kind's.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isDocumentKind, isReplicateKind, type Kind } from '../../src/nodes/kind.js';
import { kindLoaders } from '../../src/nodes/kinds.js';
import { registry } from '../../src/nodes/registry.js';
import { PRODUCTS } from '../../src/results/products.js';

const root = join(import.meta.dirname, '../..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

/** simulate.md documents simulate and simulate_truth together ("Implementation versions A and B"). */
const PAGE_OF: Readonly<Record<string, string>> = { simulate_truth: 'simulate' };

describe('every registered step kind is where docs/adding-a-step-kind.md says', () => {
  const schema = read('schema/pipeline.schema.json');
  const kinds = [...registry.values()];

  it('the registry is kinds.ts, and not empty', () => {
    expect(kinds.length).toBeGreaterThanOrEqual(18);
    expect([...registry.keys()].sort()).toEqual([...kindLoaders.keys()].sort());
  });

  it('every step page in docs/steps/ is a registered kind\'s', () => {
    for (const file of readdirSync(join(root, 'docs/steps')).filter((f) => f.endsWith('.md'))) {
      expect(registry.has(file.slice(0, -3)), `docs/steps/${file}`).toBe(true);
    }
  });

  for (const kind of kinds) {
    describe(kind.kind, () => {
      it('lives in src/nodes/<kind>.ts', () => {
        expect(existsSync(join(root, 'src/nodes', `${kind.kind}.ts`)), `src/nodes/${kind.kind}.ts`).toBe(true);
      });

      it('declares what it produces', () => {
        expect(PRODUCTS).toContain(kind.produces);
      });

      it('is in the committed JSON Schema (npm run schema)', () => {
        expect(schema).toContain(`"const": "${kind.kind}"`);
      });

      it('has a step page stating its implementation version', () => {
        const page = `docs/steps/${PAGE_OF[kind.kind] ?? kind.kind}.md`;
        expect(existsSync(join(root, page)), page).toBe(true);
        const text = read(page);
        const single = /Implementation\s+version\s+(\d+)/.exec(text);
        const pair = /Implementation\s+versions\s+(\d+)\s+and\s+(\d+)/.exec(text);
        const stated = pair === null ? (single === null ? [] : [Number(single[1])]) : [Number(pair[1]), Number(pair[2])];
        expect(stated, `${page} states "Implementation version N"`).toContain(kind.version);
      });
    });
  }
});

describe('docs/adding-a-step-kind.md lists the optional members with the kinds that use them', () => {
  const guide = read('docs/adding-a-step-kind.md');
  const section = guide.slice(guide.indexOf('### Optional members and the kinds that use them'));
  const rows = [...section.matchAll(/^\| `(\w+)` \| ([^|]+) \| ([^|]+) \|$/gm)].map((m) => ({ member: m[1]!, lifecycle: m[2]!.trim(), kinds: m[3]!.split(',').map((k) => k.trim()) }));
  const lifecycle = (k: Kind): string => (isReplicateKind(k) ? 'replicate' : isDocumentKind(k) ? 'document' : 'plain');
  // every optional member of KindBase, StepKind, ReplicateKind and DocumentKind but the two most kinds give
  const OPTIONAL = ['defaultReferences', 'normalise', 'random', 'rowSamples', 'subPipeline', 'checkProducts', 'keyResults'];

  it('has a row for each optional member', () => {
    expect(rows.map((r) => r.member).sort()).toEqual([...OPTIONAL].sort());
  });

  for (const member of OPTIONAL) {
    it(`${member}: the kinds listed are those that give it, of the lifecycle listed`, () => {
      const row = rows.find((r) => r.member === member)!;
      const users = [...registry.values()].filter((k) => (k as unknown as Record<string, unknown>)[member] !== undefined);
      expect(row.kinds).toEqual(users.map((k) => k.kind).sort());
      if (row.lifecycle !== 'any') for (const k of users) expect(row.lifecycle.startsWith(lifecycle(k)), `${k.kind} is ${lifecycle(k)}`).toBe(true);
    });
  }
});
