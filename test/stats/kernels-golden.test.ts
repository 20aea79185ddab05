/**
 * The kernels built from AssemblyScript (src/stats/kernels/kernels.wasm, from assembly/kernels.ts) against
 * the module lesionflow assembled from opcodes before them (test/fixtures/kernels/opcode-module.wasm, frozen
 * byte for byte): every kernel on the same memory image and arguments (test/support/kernel-scenarios.ts),
 * then the whole memory compared 64 bits at a time — every output, and nothing written where it should
 * not be. Only NaNs may differ in their bits (the payload of a NaN is not specified by WebAssembly).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { wasm } from '../../src/stats/kernels/wasm.js';
import { firstDifference, kernelScenarios, type Scenario } from '../support/kernel-scenarios.js';

type Raw = Record<string, (...args: number[]) => number | undefined>;

const golden = readFileSync(new URL('../fixtures/kernels/opcode-module.wasm', import.meta.url));
const built = readFileSync(new URL('../../src/stats/kernels/kernels.wasm', import.meta.url));

/** Runs one scenario on a fresh instance of `bytes`: the memory afterwards and the result. */
function run(bytes: Uint8Array, s: Scenario): { memory: Float64Array; result: number | undefined } {
  const memory = new wasm.Memory({ initial: Math.ceil((8 * s.memory.length) / 65536) + 1 });
  const exports = new wasm.Instance(new wasm.Module(bytes), { env: { memory } }).exports as unknown as Raw;
  const M = new Float64Array(memory.buffer, 0, s.memory.length);
  M.set(s.memory);
  const result = exports[s.fn]!(...s.args);
  return { memory: M.slice(), result };
}

describe('kernels built from AssemblyScript, bit for bit against the opcode-assembled module', () => {
  const scenarios = kernelScenarios();
  for (const fn of new Set(scenarios.map((s) => s.fn))) {
    it(fn, () => {
      let count = 0;
      for (const s of scenarios.filter((t) => t.fn === fn)) {
        const want = run(golden, s);
        const got = run(built, s);
        const at = firstDifference(want.memory, got.memory);
        expect(at, `${s.label}: word ${at}: ${got.memory[at]} instead of ${want.memory[at]}`).toBe(-1);
        expect(got.result, s.label).toBe(want.result);
        count++;
      }
      expect(count).toBeGreaterThan(0);
    });
  }
});
