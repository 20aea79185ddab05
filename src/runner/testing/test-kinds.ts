/**
 * Step kinds for tests only, registered by the CLI when the environment has `LESIONFLOW_TEST_KINDS=1`
 * (never in normal use, never listed by `lesionflow schema`). One controllable kind, `test_step`:
 *
 *   value: number        its own value (default 0)
 *   inputs: [steps]      steps whose `value` is added to its own
 *   mod: n               output value modulo n (so an upstream change can yield an identical output)
 *   sleep_ms: ms         waits first (honours Ctrl-C through ctx.signal)
 *   fail: "message"      throws a DataError with that message
 *   pad_mb: n            adds n MB of padding to the output (slow cache writes, for crash tests)
 *   random: true         draws the step's seed into the output (so the pipeline seed enters its key)
 *   file: path           reads a file (hashed into the key) and outputs its length
 *   table: true          outputs a one-column table instead of a result
 *   square_on_pool: n    computes n² on the worker pool (exercises the thread pool)
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Artifact } from '../../data/artifact.js';
import { makeTable } from '../../data/table.js';
import { CancelError, DataError } from '../../errors.js';
import type { StepKind } from '../../nodes/kind.js';

interface TestParams {
  readonly value: number;
  readonly inputs: readonly string[];
  readonly mod?: number;
  readonly sleep_ms?: number;
  readonly fail?: string;
  readonly pad_mb?: number;
  readonly random?: boolean;
  readonly file?: string;
  readonly table?: boolean;
  readonly square_on_pool?: number;
}

export const testStep: StepKind<TestParams> = {
  kind: 'test_step',
  version: 1,
  summary: 'A controllable step for lesionflow tests (LESIONFLOW_TEST_KINDS=1 only).',
  params: {
    type: 'object',
    properties: {
      value: { type: 'number', default: 0 },
      inputs: { type: 'array', items: { type: 'string' }, default: [] },
      mod: { type: 'integer', minimum: 1 },
      sleep_ms: { type: 'integer', minimum: 0 },
      fail: { type: 'string' },
      pad_mb: { type: 'number', minimum: 0 },
      random: { type: 'boolean' },
      file: { type: 'string' },
      table: { type: 'boolean' },
      square_on_pool: { type: 'number' },
    },
    additionalProperties: false,
  },
  inputs: ['inputs'],
  files: (p) => (p.file === undefined ? [] : [p.file]),
  random: (p) => p.random === true,
  async run(p, inputs, ctx): Promise<Artifact> {
    if (p.sleep_ms !== undefined && p.sleep_ms > 0) {
      const steps = 10;
      for (let i = 0; i < steps; i++) {
        await sleep(p.sleep_ms / steps, undefined, { signal: ctx.signal }).catch(() => {
          throw new CancelError('interrupted', { step: ctx.step });
        });
        ctx.progress(i + 1, steps);
      }
    }
    if (p.fail !== undefined) throw new DataError(p.fail, { step: ctx.step, hint: 'this test step was told to fail' });
    let value = p.value;
    for (const [name, a] of inputs) {
      if (a.type === 'result') value += Number(a.value.value);
      else if (a.type === 'table') {
        const col = a.table.columns.get('value');
        value += col?.type === 'number' ? (col.values[0] ?? 0) : 0;
      } else throw new DataError(`input ${name} is not a test output`);
    }
    if (p.mod !== undefined) value = ((value % p.mod) + p.mod) % p.mod;
    if (p.table === true) return { type: 'table', table: makeTable([['value', { type: 'number', values: Float64Array.of(value, value + 0.5) }]]) };
    const out: Record<string, string | number> = { value };
    if (p.random === true) out.seed = ctx.seed;
    if (p.file !== undefined) out.file_bytes = (await readFile(ctx.resolvePath(p.file))).length;
    if (p.square_on_pool !== undefined) out.square = await ctx.pool.run<number>({ module: 'runner/testing/worker-fns', fn: 'square', args: p.square_on_pool });
    if (p.pad_mb !== undefined) out.pad = 'x'.repeat(Math.round(p.pad_mb * 1024 * 1024));
    if (inputs.size > 0) out.from = [...inputs.keys()].join(',');
    return { type: 'result', value: out };
  },
};

export const testKinds: readonly StepKind[] = [testStep as unknown as StepKind];

/** `registry` plus the test kinds when `LESIONFLOW_TEST_KINDS=1`. */
export function withTestKinds(registry: ReadonlyMap<string, StepKind>): ReadonlyMap<string, StepKind> {
  return new Map([...registry, ...testKinds.map((k) => [k.kind, k] as const)]);
}
