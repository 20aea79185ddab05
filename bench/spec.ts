/**
 * Spec analysis: how long YAML → validated, expanded Pipeline takes for large specs, in process (cold =
 * first call, with ajv compiling each kind's validator and the JIT cold; warm = median of 15 calls after it), and `lesionflow validate`
 * of a 200-step spec as a subprocess (process start included). Uses the CLI's test kind `test_step`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { registry } from '../src/nodes/registry.js';
import { loadPipeline } from '../src/runner/spec.js';
import { TEST_KINDS_ENV, kinds as testKinds } from '../test/support/test-kinds.js';

/** A chain-and-fan spec: step i reads steps i-1 and ⌊i/2⌋. */
function chainSpec(n: number): string {
  const lines = ['name: bench', 'seed: 1', 'params: {v: 1}', 'steps:', '  s0: {kind: test_step, value: "${params.v}"}'];
  for (let i = 1; i < n; i++) lines.push(`  s${i}: {kind: test_step, inputs: [s${i - 1}, s${Math.floor(i / 2)}], mod: 7}`);
  return `${lines.join('\n')}\n`;
}

/** n/4 base steps, each swept over 4 values, reading the matching instance of the previous one. */
function sweptSpec(n: number): string {
  const lines = ['name: bench', 'seed: 1', 'groups:', `  all: {foreach: {m: [a, b, c, d]}, steps: [${Array.from({ length: n / 4 }, (_, i) => `s${i}`).join(', ')}]}`, 'steps:', '  s0: {kind: test_step}'];
  for (let i = 1; i < n / 4; i++) lines.push(`  s${i}: {kind: test_step, inputs: [s${i - 1}]}`);
  return `${lines.join('\n')}\n`;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<void> {
  const kinds = new Map([...registry, ...testKinds.map((k) => [k.kind, k] as const)]);
  const dir = await mkdtemp(join(tmpdir(), 'lesionflow-bench-spec-'));
  try {
    for (const [label, n, text] of [['200 steps', 200, chainSpec(200)], ['2000 steps', 2000, chainSpec(2000)], ['200 instances (50 steps × 4)', 200, sweptSpec(200)]] as const) {
      const file = join(dir, `${label.replace(/\W+/g, '-')}.yaml`);
      await writeFile(file, text);
      let t = performance.now();
      await loadPipeline(file, { registry: kinds });
      const cold = performance.now() - t;
      const warm: number[] = [];
      for (let k = 0; k < 15; k++) {
        t = performance.now();
        await loadPipeline(file, { registry: kinds });
        warm.push(performance.now() - t);
      }
      console.log(`analyse ${label}: cold ${cold.toFixed(1)} ms, warm ${median(warm).toFixed(1)} ms (${(median(warm) / n).toFixed(3)} ms per step instance)`);
    }
    const file = join(dir, 'validate-200.yaml');
    await writeFile(file, chainSpec(200));
    const cli = resolve(import.meta.dirname, '../src/runner/cli.js');
    const times: number[] = [];
    for (let k = 0; k < 3; k++) {
      const t = performance.now();
      await promisify(execFile)(process.execPath, [cli, 'validate', file], { env: { ...process.env, ...TEST_KINDS_ENV } });
      times.push(performance.now() - t);
    }
    console.log(`lesionflow validate, 200 steps (subprocess, process start included): median ${median(times).toFixed(0)} ms of 3`);
    console.log(`peak RSS ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
