/**
 * src/stats/ is pure numerics: none of its modules imports from src/nodes, src/runner or src/report
 * (issue 12; docs/architecture.md). Checked on every import and export-from specifier, static or dynamic.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = resolve(import.meta.dirname, '../../src');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** The src-relative folders the module's relative imports resolve into. */
function importedFolders(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1]!);
  return specs.map((s) => relative(src, resolve(dirname(file), s)).split('/')[0]!);
}

describe('layering', () => {
  it('src/stats imports nothing from src/nodes, src/runner or src/report', () => {
    const files = tsFiles(join(src, 'stats'));
    expect(files.length).toBeGreaterThan(30);
    const offending = files.flatMap((f) => importedFolders(f).filter((d) => d === 'nodes' || d === 'runner' || d === 'report').map((d) => `${relative(src, f)} → src/${d}`));
    expect(offending).toEqual([]);
  });
});
