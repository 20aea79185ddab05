/**
 * The kernels' JavaScript backend (src/stats/kernels/js.ts) against the golden WebAssembly module
 * (test/fixtures/kernels/opcode-module.wasm) on the same scenarios as the AssemblyScript build
 * (test/support/kernel-scenarios.ts): the same memory afterwards, bit for bit (NaNs alike), and the same
 * results — the JavaScript sums run in the kernels' two lanes, and its exp is theirs. (The ordinal pass,
 * `evaluate`, has no JavaScript kernel: the objective's own loop is that pass — kernels-backends.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { wasm } from '../../src/stats/kernels/wasm.js';
import { jsKernels } from '../../src/stats/kernels/js.js';
import type { RowKind } from '../../src/stats/models/cumulative-logit.js';
import { firstDifference, kernelScenarios, type Scenario } from '../support/kernel-scenarios.js';

type Raw = Record<string, (...args: number[]) => number | undefined>;
const golden = new wasm.Module(readFileSync(new URL('../fixtures/kernels/opcode-module.wasm', import.meta.url)));

function runGolden(s: Scenario): { memory: Float64Array; result: number | undefined } {
  const memory = new wasm.Memory({ initial: Math.ceil((8 * s.memory.length) / 65536) + 1 });
  const exports = new wasm.Instance(golden, { env: { memory } }).exports as unknown as Raw;
  const M = new Float64Array(memory.buffer, 0, s.memory.length);
  M.set(s.memory);
  const result = exports[s.fn]!(...s.args);
  return { memory: M.slice(), result };
}

/** The scenario's call on the JavaScript backend: byte offsets turned into views of a copy of the memory. */
function runJs(s: Scenario): { memory: Float64Array; result: number | undefined } {
  const M = s.memory.slice();
  const a = s.args;
  const v = (i: number): Float64Array => M.subarray(a[i]! / 8);
  const k = jsKernels;
  let result: number | undefined;
  switch (s.fn) {
    case 'eta':
      k.eta(v(0), a[1]!, a[2]!, a[3]!, a[4]!, v(5), v(6));
      break;
    case 'colpass':
      k.colpass(v(0), a[1]!, a[2]!, a[3]!, a[4]!, v(5), a[6]!, v(7), v(8));
      break;
    case 'crossprod':
      k.crossprod(v(0), a[1]!, v(2), a[3]!, a[4]!, a[5]!, a[6]!, v(7));
      break;
    case 'exps':
      M[a[3]! / 8] = k.exps(v(0), a[1]!, v(2));
      break;
    case 'rows':
      k.rows(v(0), a[1]!, a[2]! as RowKind, v(3), 0, v(4), a[5]!, v(6), a[7]!, a[8]!, a[9]!, a[10]!, a[11]!);
      break;
    case 'logprod':
      k.logprod(v(0), v(1), 0, a[2]!, v(3));
      break;
    case 'chol':
      result = k.chol(v(0), a[1]!, a[2]!, v(3));
      break;
    case 'cholsolve':
      k.cholsolve(v(0), a[1]!, v(2));
      break;
    case 'cholinv':
      k.cholinv(v(0), a[1]!, v(2));
      break;
    case 'lmpass': {
      const hasW = a[5] === 1;
      k.leastSquaresPass({
        x: v(0), n: a[1]!, p: a[2]!, y: v(3), w: hasW ? v(4) : undefined, beta: v(7), fitted: v(8), rows: v(9), stride: a[10]!, scratch: v(11),
        columnSums: v(12), out: v(13), xtwx: v(14),
      }).run(a[6] === 1);
      break;
    }
  }
  return { memory: M, result };
}

describe('the JavaScript kernels, bit for bit against the WebAssembly module', () => {
  const scenarios = kernelScenarios();
  for (const fn of new Set(scenarios.map((s) => s.fn).filter((f) => f !== 'evaluate'))) {
    it(fn, () => {
      for (const s of scenarios.filter((t) => t.fn === fn)) {
        const want = runGolden(s);
        const got = runJs(s);
        const at = firstDifference(want.memory, got.memory);
        expect(at, `${s.label}: word ${at}: ${got.memory[at]} instead of ${want.memory[at]}`).toBe(-1);
        if (want.result !== undefined) expect(got.result, s.label).toBe(want.result);
      }
    });
  }
});
