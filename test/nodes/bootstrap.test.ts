/**
 * The bootstrap step: bit-identical results whatever the batch size, pool size and order in which
 * batches finish; resumption from checkpoints; failed replicates counted with reasons; BCa's
 * jackknife acceleration equal to boot's (empinf(type = "jack"), fixture test/fixtures/stats/bootci.R).
 * The sub-pipeline uses small step kinds defined here, run by the replicate construct's worker
 * (runSamplesWith) on in-process pools whose batches finish in a scrambled order.
 */
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deserialize } from 'node:v8';
import { bootstrap, type BootstrapParams } from '../../src/nodes/bootstrap.js';
import { registry } from '../../src/nodes/registry.js';
import { threadSetup } from '../../src/nodes/thread-setup.js';
import type { BatchArgs, StepKind, WorkerPool } from '../../src/nodes/kind.js';
import { batchRanges } from '../../src/runner/replicate/batches.js';
import type { SubPipelineStep } from '../../src/runner/replicate/sub-pipeline.js';
import { runSamples, runSamplesWith, type SampleShared } from '../../src/runner/replicate/worker.js';
import { encodeArtifact, type Artifact, type ResultArtifact } from '../../src/data/artifact.js';
import { getNumeric, makeTable, type Table } from '../../src/data/table.js';
import { FitError } from '../../src/errors.js';
import { bcaAcceleration } from '../../src/stats/bootci.js';
import { runStep, testContext } from '../support/context.js';

const fixture = JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/stats/bootci.json'), 'utf8')) as {
  data: { v: number[]; g: number[] };
  jack_plain: { L: number[] };
  jack_strata: { L: number[] };
};

const data: Table = makeTable([
  ['v', { type: 'number', values: Float64Array.from(fixture.data.v) }],
  ['g', { type: 'number', values: Float64Array.from(fixture.data.g) }],
]);

function tableOf(inputs: ReadonlyMap<string, Artifact>, name: string): Table {
  const a = inputs.get(name);
  if (a?.type !== 'table') throw new Error(`no table ${name}`);
  return a.table;
}
const mean = (x: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s / x.length;
};

/** log(mean(v)) and the ratio of means of v between g = 1 and g = 0 (boot's statistics in bootci.R). */
const stats: StepKind<{ input: string; fail_above?: number }> = {
  kind: 't_stats',
  version: 1,
  summary: 'test statistic',
  params: {},
  inputs: ['input'],
  run(p, inputs) {
    const t = tableOf(inputs, p.input);
    const v = getNumeric(t, 'v');
    const g = getNumeric(t, 'g');
    if (p.fail_above !== undefined && v.filter((x) => x > 40).length > p.fail_above) throw new FitError('too many large volumes', { term: 'v' });
    const v1 = v.filter((_, i) => g[i] === 1);
    const v0 = v.filter((_, i) => g[i] === 0);
    return { type: 'result', value: { n: t.nrows, coefficients: [{ term: 'logmean', estimate: Math.log(mean(v)) }, { term: 'ratio', estimate: mean(v1) / mean(v0) }] } };
  },
};
/** A data step in the middle of the sub-pipeline: v → v (identity through a copy), to test multi-step subgraphs. */
const copy: StepKind<{ input: string }> = {
  kind: 't_copy',
  version: 1,
  summary: 'test copy',
  params: {},
  inputs: ['input'],
  run: (p, inputs) => ({ type: 'table', table: tableOf(inputs, p.input) }),
};
const kinds = new Map<string, StepKind>([
  ['t_stats', stats as unknown as StepKind],
  ['t_copy', copy as unknown as StepKind],
]);

/** An in-process pool of a given size whose tasks finish in a scrambled order. */
function scrambledPool(size: number, calls: { n: number } = { n: 0 }, failAfter = Infinity): WorkerPool {
  let seq = 0;
  return {
    size,
    async run<T>(task: { module: string; fn: string; args: unknown }): Promise<T> {
      expect(task.module).toBe('runner/replicate/worker');
      expect(task.fn).toBe('runSamples');
      if (calls.n >= failAfter) throw new Error('worker died');
      calls.n++;
      const delay = (seq++ * 7919) % 5;
      await new Promise((r) => setTimeout(r, delay));
      return (await runSamplesWith(task.args as BatchArgs<SampleShared>, (k) => kinds.get(k))) as T;
    },
  };
}

const subgraph = (fail?: number): SubPipelineStep[] => [
  { name: 'copied', kind: 't_copy', params: { input: 'cohort' }, inputs: ['cohort'] },
  { name: 'est', kind: 't_stats', params: { input: 'copied', ...(fail === undefined ? {} : { fail_above: fail }) }, inputs: ['copied'] },
];

async function runBoot(
  params: Partial<BootstrapParams>,
  pool: WorkerPool,
  options: { fail?: number; store?: Map<string, Uint8Array>; batch?: number } = {},
): Promise<ResultArtifact> {
  const ctx = testContext({ seed: 12345, pool });
  if (options.store !== undefined) for (const [k, v] of options.store) ctx.store.set(k, v);
  const original = await stats.run({ input: 'cohort', ...(options.fail === undefined ? {} : { fail_above: 1e9 }) }, new Map([['cohort', { type: 'table', table: data }]]), ctx);
  const inputs = new Map<string, Artifact>([
    ['cohort', { type: 'table', table: data }],
    ['est', original],
  ]);
  const full: BootstrapParams = { of: 'est', from: 'cohort', replicates: 200, strata: [], ci: ['percentile', 'bca'], conf: 0.95, ...params };
  let out: Artifact;
  try {
    out = await runStep(bootstrap, full, inputs, ctx, { subPipeline: { from: 'cohort', steps: subgraph(options.fail) }, kinds: (k) => kinds.get(k), batch: options.batch ?? 100 });
  } finally {
    if (options.store !== undefined) for (const [k, v] of ctx.store) options.store.set(k, v);
  }
  if (out.type !== 'result') throw new Error('bootstrap must produce a result');
  return out;
}

type Est = { name: string; original: number; mean: number; se: number; percentile: { lower: number; upper: number }; bca: { lower: number; upper: number; acceleration: number } };
const estimates = (a: ResultArtifact): Est[] => a.value.estimates as unknown as Est[];

describe('bootstrap', () => {
  it('is bit-identical across batch sizes and pool sizes', async () => {
    const reference = encodeArtifact(await runBoot({}, scrambledPool(1), { batch: 100 }));
    for (const [batch, size] of [
      [7, 3],
      [1000, 2],
      [33, 1],
    ] as const) {
      expect(encodeArtifact(await runBoot({}, scrambledPool(size), { batch }))).toBe(reference);
    }
  });

  it('reports every estimate with a plausible SE and intervals around the original', async () => {
    const out = await runBoot({ replicates: 400 }, scrambledPool(2));
    const e = estimates(out);
    expect(e.map((x) => x.name)).toEqual(['coefficients[term=logmean].estimate', 'coefficients[term=ratio].estimate']);
    for (const x of e) {
      expect(x.se).toBeGreaterThan(0);
      expect(x.percentile.lower).toBeLessThan(x.original);
      expect(x.percentile.upper).toBeGreaterThan(x.original);
      expect(x.bca.lower).toBeLessThan(x.bca.upper);
    }
    // SE of log(mean) by the delta method: sd(v) / (mean(v)·√n); the bootstrap SE is within 20 % of it.
    const v = fixture.data.v;
    const m = mean(v);
    const sd = Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1));
    expect(Math.abs(e[0]!.se / (sd / (m * Math.sqrt(v.length))) - 1)).toBeLessThan(0.2);
    expect(out.tables?.get('replicates')?.nrows).toBe(400);
    expect(out.tables?.get('estimates')?.nrows).toBe(2);
  });

  it("takes BCa's acceleration from the jackknife as boot's empinf(type = 'jack')", async () => {
    const plain = estimates(await runBoot({ replicates: 50 }, scrambledPool(2)));
    expect(plain[0]!.bca.acceleration).toBeCloseTo(bcaAcceleration(fixture.jack_plain.L), 12);
    const strat = estimates(await runBoot({ replicates: 50, strata: ['g'] }, scrambledPool(2)));
    expect(strat[1]!.bca.acceleration).toBeCloseTo(bcaAcceleration(fixture.jack_strata.L), 12);
  });

  it('stratified resampling keeps the group sizes', async () => {
    const out = await runBoot({ replicates: 30, strata: ['g'], ci: ['percentile'] }, scrambledPool(1));
    expect(out.value.units).toBe(60);
    // With strata the ratio's replicates are computed on 25 + 35 rows always: none is NaN.
    expect(estimates(out)[1]!.se).toBeGreaterThan(0);
  });

  it('counts failed replicates with their reasons', async () => {
    const out = await runBoot({ replicates: 300, ci: ['percentile'] }, scrambledPool(2), { fail: 22 });
    const failed = out.value.failed as { count: number; reasons: { reason: string; count: number; first_replicate: number }[] };
    expect(failed.count).toBeGreaterThan(0);
    expect(failed.count).toBeLessThan(300);
    expect(failed.reasons).toHaveLength(1);
    expect(failed.reasons[0]!.reason).toBe('FitError: too many large volumes');
    expect(failed.reasons[0]!.count).toBe(failed.count);
    expect((out.value.estimates as unknown as { n_replicates: number }[])[0]!.n_replicates).toBe(300 - failed.count);
  });

  it('splits the last two batches into quarters, covering every index once (runner/replicate/batches.ts)', () => {
    expect(batchRanges(1000, 100).map(([a, b]) => b - a)).toEqual([...Array<number>(8).fill(100), ...Array<number>(8).fill(25)]);
    expect(batchRanges(250, 100)).toEqual([[0, 50], [50, 75], [75, 100], [100, 125], [125, 150], [150, 175], [175, 200], [200, 225], [225, 250]]);
    for (const [total, batch] of [[1, 1], [7, 3], [2000, 100], [1665, 100], [10, 1000]] as const) {
      const r = batchRanges(total, batch);
      expect(r[0]![0]).toBe(0);
      expect(r.at(-1)![1]).toBe(total);
      r.forEach(([a, b], i) => {
        expect(b).toBeGreaterThan(a);
        expect(b - a).toBeLessThanOrEqual(batch);
        if (i > 0) expect(a).toBe(r[i - 1]![1]);
      });
    }
  });

  it('resumes from checkpoints after an interruption, with the same result', async () => {
    const reference = encodeArtifact(await runBoot({ replicates: 100, ci: ['percentile'] }, scrambledPool(1), { batch: 10 }));
    const store = new Map<string, Uint8Array>();
    await expect(runBoot({ replicates: 100, ci: ['percentile'] }, scrambledPool(1, { n: 0 }, 4), { store, batch: 10 })).rejects.toThrow('worker died');
    expect(store.size).toBe(4);
    const calls = { n: 0 };
    const resumed = await runBoot({ replicates: 100, ci: ['percentile'] }, scrambledPool(1, calls), { store, batch: 10 });
    expect(calls.n).toBe(batchRanges(100, 10).length - 4); // only the batches not checkpointed
    expect(encodeArtifact(resumed)).toBe(reference);
  });

  it("resumes from checkpoints holding failed replicates (NaN), and from an earlier version's JSON checkpoints", async () => {
    const params = { replicates: 100, ci: ['percentile' as const] };
    const reference = encodeArtifact(await runBoot(params, scrambledPool(1), { fail: 0, batch: 10 }));
    const store = new Map<string, Uint8Array>();
    await expect(runBoot(params, scrambledPool(1, { n: 0 }, 6), { fail: 0, store, batch: 10 })).rejects.toThrow('worker died');
    expect(store.size).toBe(6);
    // the values as their doubles (V8's serialisation of the batch): bit for bit, NaN included
    const stored = [...store.values()].map((bytes) => deserialize(bytes) as { start: number; end: number; values: Float64Array; failures: unknown });
    expect(stored.every((c) => c.values instanceof Float64Array)).toBe(true);
    expect(encodeArtifact(await runBoot(params, scrambledPool(1), { fail: 0, store: new Map(store), batch: 10 }))).toBe(reference);
    // the same checkpoints as lesionflow 0.1 wrote them: JSON, values as base64 doubles, or as numbers with NaN as null
    const base64 = new Map([...store].map(([name, bytes], i) => {
      const o = deserialize(bytes) as { start: number; end: number; values: Float64Array; failures: unknown };
      const values64 = Buffer.from(o.values.buffer, o.values.byteOffset, o.values.byteLength).toString('base64');
      const numbers = Array.from(o.values, (v) => (Number.isNaN(v) ? null : v));
      const json = i % 2 === 0 ? { start: o.start, end: o.end, values64, failures: o.failures } : { start: o.start, end: o.end, values: numbers, failures: o.failures };
      return [name, Buffer.from(JSON.stringify(json))];
    }));
    expect([...base64.values()].some((t) => t.toString().includes('null'))).toBe(true); // failed replicates among them
    const calls = { n: 0 };
    expect(encodeArtifact(await runBoot(params, scrambledPool(1, calls), { fail: 0, store: base64, batch: 10 }))).toBe(reference);
    expect(calls.n).toBe(batchRanges(100, 10).length - 6);
  });

  it('stops the jackknife from taking new batches when a bootstrap batch fails', async () => {
    // a pool on which every bootstrap task after the first two dies; the jackknife's would all succeed
    const attempts = { bootstrap: 0, jackknife: 0 };
    const good = scrambledPool(1);
    const dying: WorkerPool = {
      size: 1,
      async run<T>(task: { module: string; fn: string; args: unknown }): Promise<T> {
        const mode = (task.args as BatchArgs<SampleShared>).shared.sample.fn === 'bootstrapSample' ? 'bootstrap' : 'jackknife';
        attempts[mode]++;
        if (mode === 'bootstrap' && attempts.bootstrap > 2) throw new Error('worker died');
        return good.run<T>(task);
      },
    };
    await expect(runBoot({ replicates: 100, ci: ['percentile', 'bca'] }, dying, { batch: 2 })).rejects.toThrow('worker died');
    const jackBatches = Math.ceil(data.nrows / 2);
    expect(attempts.jackknife).toBeLessThan(jackBatches / 2);
  });

  it('reports progress up to replicates + jackknife units', async () => {
    const ctx = testContext({ pool: scrambledPool(1) });
    const original = await stats.run({ input: 'cohort' }, new Map([['cohort', { type: 'table', table: data }]]), ctx);
    await runStep(
      bootstrap,
      { of: 'est', from: 'cohort', replicates: 20, strata: [], ci: ['percentile', 'bca'], conf: 0.95 },
      new Map<string, Artifact>([
        ['cohort', { type: 'table', table: data }],
        ['est', original],
      ]),
      ctx,
      { subPipeline: { from: 'cohort', steps: subgraph() }, kinds: (k) => kinds.get(k), batch: 10 },
    );
    expect(ctx.progressEvents.at(-1)).toEqual([80, 80]);
  });

  it('refuses to bootstrap a table and selects estimates by path', async () => {
    const out = await runBoot({ replicates: 20, estimates: ['coefficients[term=ratio]'], ci: ['percentile'] }, scrambledPool(1));
    expect(estimates(out).map((e) => e.name)).toEqual(['coefficients[term=ratio].estimate']);
    const ctx = testContext({ pool: scrambledPool(1) });
    const inputs = new Map<string, Artifact>([
      ['cohort', { type: 'table', table: data }],
      ['est', { type: 'table', table: data }],
    ]);
    await expect(
      runStep(bootstrap, { of: 'est', from: 'cohort', replicates: 5, strata: [], ci: ['percentile'], conf: 0.95 }, inputs, ctx, { subPipeline: { from: 'cohort', steps: subgraph() }, kinds: (k) => kinds.get(k) }),
    ).rejects.toThrow(/not a result/);
  });

  // Real worker threads (piscina) need the compiled tree: `npm test` builds it first (pretest).
  const distPool = resolve(import.meta.dirname, '../../dist/src/runner/pool.js');
  it.skipIf(!existsSync(distPool) || !registry.has('describe'))('gives the same bytes on 2 worker threads as in-process (describe sub-pipeline)', async () => {
    const { ThreadPool } = (await import(pathToFileURL(distPool).href)) as {
      ThreadPool: new (size: number, signal?: AbortSignal, options?: { setup: typeof threadSetup }) => WorkerPool & { destroy(): Promise<void> };
    };
    const describeKind = registry.get('describe')! as StepKind;
    const dparams = { input: 'cohort', by: 'g', variables: ['v'] };
    const sub: SubPipelineStep[] = [{ name: 'desc', kind: 'describe', params: dparams, inputs: ['cohort'] }];
    const inProcess: WorkerPool = { size: 1, run: async <T>(task: { args: unknown }): Promise<T> => (await runSamples(task.args as BatchArgs<SampleShared>)) as T };
    const original = await describeKind.run(dparams, new Map([['cohort', { type: 'table', table: data }]]), testContext());
    const inputs = new Map<string, Artifact>([
      ['cohort', { type: 'table', table: data }],
      ['desc', original],
    ]);
    const params: BootstrapParams = { of: 'desc', from: 'cohort', replicates: 120, strata: ['g'], ci: ['percentile', 'bca'], conf: 0.95 };
    const options = { subPipeline: { from: 'cohort', steps: sub }, kinds: (k: string) => registry.get(k) };
    const a = encodeArtifact(await runStep(bootstrap, params, inputs, testContext({ seed: 5, pool: inProcess }), { ...options, batch: 7 }));
    const threads = new ThreadPool(2, undefined, { setup: threadSetup });
    try {
      const b = encodeArtifact(await runStep(bootstrap, params, inputs, testContext({ seed: 5, pool: threads }), { ...options, batch: 50 }));
      expect(b).toBe(a);
    } finally {
      await threads.destroy();
    }
  });
});
