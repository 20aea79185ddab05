/**
 * The import graph of src/ (static imports, re-exports and literal dynamic imports): no cycle passes
 * through the registry — no step kind imports it (or the kind list, kinds.ts), and the replicate
 * construct's worker loads only the kinds it runs; the runner's non-test code imports nothing from the
 * statistics (the pool hands its threads their setup through a hook, ThreadSetup).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = resolve(import.meta.dirname, '../../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Module → the modules it imports (relative paths from src/, `.ts`). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const spec = /(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;
  for (const file of sources(src)) {
    const text = readFileSync(file, 'utf8');
    const deps: string[] = [];
    for (const m of text.matchAll(spec)) {
      const target = resolve(dirname(file), (m[1] ?? m[2]!).replace(/\.js$/, '.ts'));
      deps.push(relative(src, target));
    }
    graph.set(relative(src, file), deps);
  }
  return graph;
}

/** The modules on some cycle through `node` (empty when none). */
function cycleThrough(graph: Map<string, string[]>, node: string): string[] {
  // a path from each successor of `node` back to it
  const path: string[] = [];
  const seen = new Set<string>();
  const back = (at: string): boolean => {
    if (at === node) return true;
    if (seen.has(at)) return false;
    seen.add(at);
    path.push(at);
    for (const next of graph.get(at) ?? []) if (back(next)) return true;
    path.pop();
    return false;
  };
  for (const first of graph.get(node) ?? []) if (back(first)) return [node, ...path, node];
  return [];
}

describe('import graph', () => {
  const graph = importGraph();

  it('has no cycle through src/nodes/registry.ts (nor the kind list)', () => {
    expect(graph.has('nodes/registry.ts')).toBe(true);
    expect(cycleThrough(graph, 'nodes/registry.ts')).toEqual([]);
    expect(cycleThrough(graph, 'nodes/kinds.ts')).toEqual([]);
  });

  it('no step kind imports the registry or the kind list, and the replicate worker does not load the registry', () => {
    const importers = [...graph].filter(([, deps]) => deps.includes('nodes/registry.ts') || deps.includes('nodes/kinds.ts')).map(([m]) => m);
    expect(importers.filter((m) => m.startsWith('nodes/') && m !== 'nodes/registry.ts')).toEqual([]);
    expect(graph.get('runner/replicate/worker.ts')).not.toContain('nodes/registry.ts');
  });

  it('the runner imports nothing from src/stats/', () => {
    const offending = [...graph].filter(([m, deps]) => m.startsWith('runner/') && deps.some((d) => d.startsWith('stats/')));
    expect(offending).toEqual([]);
  });

  it('finds a cycle where there is one (the check itself)', () => {
    const g = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]);
    expect(cycleThrough(g, 'a.ts')).toEqual(['a.ts', 'b.ts', 'c.ts', 'a.ts']);
    expect(cycleThrough(g, 'd.ts')).toEqual([]);
  });
});
