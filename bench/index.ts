/**
 * `npm run bench`: runs every benchmark module compiled next to this one (dist/bench/*.js, each
 * exporting `run(): Promise<void>` that prints its own figures), in name order, each in its own Node
 * process so that the peak memory (max RSS) a module prints is its own, not that of the modules before
 * it. A module name given on the command line (`node dist/bench/index.js runner`) runs only that one.
 */
import { spawnSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const here = import.meta.dirname;
const args = process.argv.slice(2);

/** Runs one module in this process (the child side). */
async function runOne(name: string): Promise<void> {
  const mod = (await import(pathToFileURL(join(here, `${name}.js`)).href)) as { run?: () => Promise<void> };
  if (typeof mod.run !== 'function') return;
  console.log(`\n## bench/${name}`);
  const t0 = performance.now();
  try {
    await mod.run();
  } catch (e) {
    console.error(`bench/${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = 1;
  }
  console.log(`(bench/${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

if (args[0] === '--one' && args[1] !== undefined) {
  await runOne(args[1]);
} else {
  const only = new Set(args);
  const names = (await readdir(here))
    .filter((f) => f.endsWith('.js') && f !== 'index.js')
    .map((f) => f.slice(0, -'.js'.length))
    .filter((n) => only.size === 0 || only.has(n))
    .sort();
  let failed = 0;
  for (const name of names) {
    const child = spawnSync(process.execPath, [join(here, 'index.js'), '--one', name], { stdio: 'inherit' });
    if (child.status !== 0) failed += 1;
  }
  if (failed > 0) process.exitCode = 1;
}
