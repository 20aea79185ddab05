/**
 * Step kinds for tests only, never part of lesionflow: the real CLI (a subprocess in the e2e, runner and
 * SLURM tests) registers them when its environment names this module, compiled, as its extra kinds:
 * `LESIONFLOW_KINDS=dist/test/support/test-kinds.js` (src/runner/extra-kinds.ts; `npm run build` compiles
 * this folder's kinds with lesionflow). In-process tests use them directly. One controllable kind, `test_step`:
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
 *
 * and one replicated kind, `test_units` (the runner's replicate construct and its executors, SLURM too):
 *
 *   units: n             n units; unit i's value depends on (seed, i) alone (testUnits in worker-fns.ts)
 *   value: number        added to every unit's value (default 0)
 *   sleep_ms: ms         each unit takes this long
 *   fail_unit: i         unit i throws (a plain Error: the step fails) — only while `fail_if_file` exists, if given
 *   fail_if_file: path   see fail_unit
 *   record: path         each batch, once computed, appends its range ("start-end") to this file
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Artifact } from '../../src/data/artifact.js';
import { makeTable } from '../../src/data/table.js';
import { CancelError, DataError } from '../../src/errors.js';
import type { BatchArgs, Kind, ReplicateKind, StepKind } from '../../src/nodes/kind.js';

/**
 * The worker tasks' module (worker-fns.ts), beside this one: a file URL, which the pool accepts inside the
 * folder of the LESIONFLOW_KINDS module (src/runner/pool-task.ts). Compiled, worker-fns.js; the in-process
 * pool of the unit tests (test/support/context.ts) imports its TypeScript source.
 */
export const WORKER_FNS = new URL('./worker-fns.js', import.meta.url).href;

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
  summary: 'A controllable step for lesionflow tests (LESIONFLOW_KINDS=dist/test/support/test-kinds.js only).',
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
      file: { type: 'string', 'x-file': true },
      table: { type: 'boolean' },
      square_on_pool: { type: 'number' },
    },
    additionalProperties: false,
  },
  inputs: ['inputs'],
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
    if (p.square_on_pool !== undefined) out.square = await ctx.pool.run<number>({ module: WORKER_FNS, fn: 'square', args: p.square_on_pool });
    if (p.pad_mb !== undefined) out.pad = 'x'.repeat(Math.round(p.pad_mb * 1024 * 1024));
    if (inputs.size > 0) out.from = [...inputs.keys()].join(',');
    return { type: 'result', value: out };
  },
};

export interface TestUnitsParams {
  readonly units: number;
  readonly value: number;
  readonly sleep_ms?: number;
  readonly fail_unit?: number;
  readonly fail_if_file?: string;
  readonly record?: string;
}

export const testUnits: ReplicateKind<TestUnitsParams> = {
  kind: 'test_units',
  version: 1,
  summary: 'A controllable replicated step for lesionflow tests (LESIONFLOW_KINDS=dist/test/support/test-kinds.js only).',
  params: {
    type: 'object',
    properties: {
      units: { type: 'integer', minimum: 1 },
      value: { type: 'number', default: 0 },
      sleep_ms: { type: 'integer', minimum: 0 },
      fail_unit: { type: 'integer', minimum: 0 },
      fail_if_file: { type: 'string' },
      record: { type: 'string' },
    },
    required: ['units'],
    additionalProperties: false,
  },
  inputs: [],
  random: () => true,
  replicates: (p) => ({ sets: [{ name: 'units', count: p.units, task: { module: WORKER_FNS, fn: 'testUnits' }, args: p }] }),
  summarise(p, results) {
    const values = results.batches('units').flatMap((b) => b.result as number[]);
    return { type: 'result', value: { units: p.units, total: values.reduce((a, b) => a + b, 0), values } };
  },
};

export type TestUnitsBatch = BatchArgs<TestUnitsParams>;

/** The compiled module, for LESIONFLOW_KINDS: dist/test/support/test-kinds.js (this file, when it runs compiled). */
export const TEST_KINDS_MODULE = import.meta.url.endsWith('.js') ? fileURLToPath(import.meta.url) : resolve(import.meta.dirname, '../../dist/test/support/test-kinds.js');

/** The environment that makes the real CLI (and its threads and SLURM tasks) register these kinds. */
export const TEST_KINDS_ENV = { LESIONFLOW_KINDS: TEST_KINDS_MODULE } as const;

/** What LESIONFLOW_KINDS loads (src/runner/extra-kinds.ts). */
export const kinds: readonly Kind[] = [testStep as unknown as StepKind, testUnits as unknown as Kind];
