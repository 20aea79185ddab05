#!/usr/bin/env node
/**
 * `npm run kernels`: compiles the fits' WebAssembly kernels from their AssemblyScript source
 * (assembly/kernels.ts) with the pinned compiler (devDependencies: assemblyscript) into
 * src/stats/kernels/kernels.wasm, the module lesionflow loads (committed: installing or running lesionflow
 * never runs the compiler). `npm run kernels -- --check` compiles to a temporary file and fails, saying
 * what to do, unless its bytes are the committed module's (.ci/run runs it).
 *
 * Flags: SIMD (f64x2); -O3 (binaryen keeps IEEE arithmetic: no reassociation, no fused multiply-add); the
 * stub runtime and no assertions (the kernels allocate nothing and never trap on purpose); the memory
 * imported as env.memory and not exported (the Kernels interface owns it).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const source = 'assembly/kernels.ts';
const target = 'src/stats/kernels/kernels.wasm';
const FLAGS = ['--enable', 'simd', '-O3', '--noAssert', '--runtime', 'stub', '--importMemory', '--noExportMemory'];
const check = process.argv.includes('--check');

function compile(outFile) {
  const asc = join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
  const r = spawnSync(process.execPath, [asc, source, ...FLAGS, '-o', outFile], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`error: asc failed to compile ${source} (exit ${r.status ?? r.signal})\n`);
    process.exit(1);
  }
}

if (!check) {
  compile(target);
  process.stdout.write(`${target}: ${readFileSync(join(root, target)).length} bytes\n`);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'lesionflow-kernels-'));
  try {
    const out = join(dir, 'kernels.wasm');
    compile(out);
    const built = readFileSync(out);
    const committed = readFileSync(join(root, target));
    if (!built.equals(committed)) {
      process.stderr.write(
        `error: ${target} is not what ${source} compiles to (${committed.length} bytes committed, ${built.length} built)\n` +
          `  hint: run npm run kernels and commit ${target} with the source change\n`,
      );
      process.exit(1);
    }
    process.stdout.write(`${target}: the committed module is what ${source} compiles to (${built.length} bytes)\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
