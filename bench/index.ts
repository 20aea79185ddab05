/**
 * `npm run bench`: runs every benchmark module compiled next to this one (dist/bench/*.js, each
 * exporting `run(): Promise<void>` that prints its own figures), in name order. A module name given on
 * the command line (`node dist/bench/index.js runner`) runs only that one.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const only = new Set(process.argv.slice(2));
const here = import.meta.dirname;
const names = (await readdir(here))
  .filter((f) => f.endsWith('.js') && f !== 'index.js')
  .map((f) => f.slice(0, -'.js'.length))
  .filter((n) => only.size === 0 || only.has(n))
  .sort();

let failed = 0;
for (const name of names) {
  const mod = (await import(pathToFileURL(join(here, `${name}.js`)).href)) as { run?: () => Promise<void> };
  if (typeof mod.run !== 'function') continue;
  console.log(`\n## bench/${name}`);
  const t0 = performance.now();
  try {
    await mod.run();
  } catch (e) {
    failed += 1;
    console.error(`bench/${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
  console.log(`(bench/${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
if (failed > 0) process.exitCode = 1;
