/**
 * The bootstrap step: bit-identical results whatever the batch size, pool size and order in which
 * batches finish; resumption from checkpoints; failed replicates counted with reasons; BCa's
 * jackknife acceleration equal to boot's (empinf(type = "jack"), fixture test/fixtures/stats/bootci.R).
 * The sub-pipeline uses small step kinds defined here, run through runReplicatesWith.
 */
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { batchRanges, bootstrap, type BootstrapParams } from '../../src/nodes/bootstrap.js';
import { runReplicates, runReplicatesWith, type ReplicateTask } from '../../src/nodes/bootstrap-worker.js';
import { registry } from '../../src/nodes/registry.js';
import type { StepKind, SubgraphStep, WorkerPool } from '../../src/nodes/kind.js';
import { encodeArtifact, type Artifact, type ResultArtifact } from '../../src/data/artifact.js';
import { getNumeric, makeTable, type Table } from '../../src/data/table.js';
import { FitError } from '../../src/errors.js';
import { bcaAcceleration } from '../../src/stats/bootci.js';
import { testContext } from '../support/context.js';

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
      expect(task.module).toBe('nodes/bootstrap-worker');
      expect(task.fn).toBe('runReplicates');
      if (calls.n >= failAfter) throw new Error('worker died');
      calls.n++;
      const delay = (seq++ * 7919) % 5;
      await new Promise((r) => setTimeout(r, delay));
      return (await runReplicatesWith(task.args as ReplicateTask, (k) => kinds.get(k))) as T;
    },
  };
}

const subgraph = (fail?: number): SubgraphStep[] => [
  { name: 'copied', kind: 't_copy', params: { input: 'cohort' }, inputs: ['cohort'] },
  { name: 'est', kind: 't_stats', params: { input: 'copied', ...(fail === undefined ? {} : { fail_above: fail }) }, inputs: ['copied'] },
];

async function runBoot(
  params: Partial<BootstrapParams>,
  pool: WorkerPool,
  options: { fail?: number; store?: Map<string, string> } = {},
): Promise<ResultArtifact> {
  const sg = subgraph(options.fail);
  const ctx = testContext({ seed: 12345, subgraph: sg, pool });
  if (options.store !== undefined) for (const [k, v] of options.store) ctx.store.set(k, v);
  const original = await stats.run({ input: 'cohort', ...(options.fail === undefined ? {} : { fail_above: 1e9 }) }, new Map([['cohort', { type: 'table', table: data }]]), ctx);
  const inputs = new Map<string, Artifact>([
    ['cohort', { type: 'table', table: data }],
    ['est', original],
  ]);
  const full: BootstrapParams = { of: 'est', from: 'cohort', replicates: 200, strata: [], ci: ['percentile', 'bca'], conf: 0.95, batch: 100, ...params };
  let out: Artifact;
  try {
    out = await bootstrap.run(full, inputs, ctx);
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
    const reference = encodeArtifact(await runBoot({ batch: 100 }, scrambledPool(1)));
    for (const [batch, size] of [
      [7, 3],
      [1000, 2],
      [33, 1],
    ] as const) {
      expect(encodeArtifact(await runBoot({ batch }, scrambledPool(size)))).toBe(reference);
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

  it('splits the last two batches into quarters, covering every index once', () => {
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
    const reference = encodeArtifact(await runBoot({ replicates: 100, batch: 10, ci: ['percentile'] }, scrambledPool(1)));
    const store = new Map<string, string>();
    await expect(runBoot({ replicates: 100, batch: 10, ci: ['percentile'] }, scrambledPool(1, { n: 0 }, 4), { store })).rejects.toThrow('worker died');
    expect(store.size).toBe(4);
    const calls = { n: 0 };
    const resumed = await runBoot({ replicates: 100, batch: 10, ci: ['percentile'] }, scrambledPool(1, calls), { store });
    expect(calls.n).toBe(batchRanges(100, 10).length - 4); // only the batches not checkpointed
    expect(encodeArtifact(resumed)).toBe(reference);
  });

  it("resumes from checkpoints holding failed replicates (NaN), and from an earlier version's JSON checkpoints", async () => {
    const params = { replicates: 100, batch: 10, ci: ['percentile' as const] };
    const reference = encodeArtifact(await runBoot(params, scrambledPool(1), { fail: 0 }));
    const store = new Map<string, string>();
    await expect(runBoot(params, scrambledPool(1, { n: 0 }, 6), { fail: 0, store })).rejects.toThrow('worker died');
    expect(store.size).toBe(6);
    const stored = [...store.values()].map((text) => JSON.parse(text) as { values64: string });
    expect(stored.every((c) => typeof c.values64 === 'string')).toBe(true);
    expect(encodeArtifact(await runBoot(params, scrambledPool(1), { fail: 0, store: new Map(store) }))).toBe(reference);
    // the same checkpoints as lesionflow wrote them before: values as JSON, NaN as null
    const earlier = new Map(
      [...store].map(([name, text]) => {
        const o = JSON.parse(text) as { start: number; end: number; values64: string; failures: unknown };
        const b = Buffer.from(o.values64, 'base64');
        const values = Array.from(new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8), (v) => (Number.isNaN(v) ? null : v));
        return [name, JSON.stringify({ start: o.start, end: o.end, values, failures: o.failures })];
      }),
    );
    expect([...earlier.values()].some((t) => t.includes('null'))).toBe(true); // failed replicates among them
    const calls = { n: 0 };
    expect(encodeArtifact(await runBoot(params, scrambledPool(1, calls), { fail: 0, store: earlier }))).toBe(reference);
    expect(calls.n).toBe(batchRanges(100, 10).length - 6);
  });

  it('stops the jackknife from taking new batches when a bootstrap batch fails', async () => {
    // a pool on which every bootstrap task after the first two dies; the jackknife's would all succeed
    const attempts = { bootstrap: 0, jackknife: 0 };
    const good = scrambledPool(1);
    const dying: WorkerPool = {
      size: 1,
      async run<T>(task: { module: string; fn: string; args: unknown }): Promise<T> {
        const mode = (task.args as ReplicateTask).mode;
        attempts[mode]++;
        if (mode === 'bootstrap' && attempts.bootstrap > 2) throw new Error('worker died');
        return good.run<T>(task);
      },
    };
    await expect(runBoot({ replicates: 100, batch: 2, ci: ['percentile', 'bca'] }, dying)).rejects.toThrow('worker died');
    const jackBatches = Math.ceil(data.nrows / 2);
    expect(attempts.jackknife).toBeLessThan(jackBatches / 2);
  });

  it('reports progress up to replicates + jackknife units', async () => {
    const ctx = testContext({ subgraph: subgraph(), pool: scrambledPool(1) });
    const original = await stats.run({ input: 'cohort' }, new Map([['cohort', { type: 'table', table: data }]]), ctx);
    await bootstrap.run(
      { of: 'est', from: 'cohort', replicates: 20, strata: [], ci: ['percentile', 'bca'], conf: 0.95, batch: 10 },
      new Map<string, Artifact>([
        ['cohort', { type: 'table', table: data }],
        ['est', original],
      ]),
      ctx,
    );
    expect(ctx.progressEvents.at(-1)).toEqual([80, 80]);
  });

  it('refuses to bootstrap a table and selects estimates by path', async () => {
    const out = await runBoot({ replicates: 20, estimates: ['coefficients[term=ratio]'], ci: ['percentile'] }, scrambledPool(1));
    expect(estimates(out).map((e) => e.name)).toEqual(['coefficients[term=ratio].estimate']);
    const ctx = testContext({ subgraph: subgraph(), pool: scrambledPool(1) });
    const inputs = new Map<string, Artifact>([
      ['cohort', { type: 'table', table: data }],
      ['est', { type: 'table', table: data }],
    ]);
    await expect(
      Promise.resolve(bootstrap.run({ of: 'est', from: 'cohort', replicates: 5, strata: [], ci: ['percentile'], conf: 0.95, batch: 10 }, inputs, ctx)),
    ).rejects.toThrow(/not a result/);
  });

  // Real worker threads (piscina) need the compiled tree: `npm test` builds it first (pretest).
  const distPool = resolve(import.meta.dirname, '../../dist/src/runner/pool.js');
  it.skipIf(!existsSync(distPool) || !registry.has('describe'))('gives the same bytes on 2 worker threads as in-process (describe sub-pipeline)', async () => {
    const { ThreadPool } = (await import(pathToFileURL(distPool).href)) as { ThreadPool: new (size: number) => WorkerPool & { destroy(): Promise<void> } };
    const describeKind = registry.get('describe')!;
    const dparams = { input: 'cohort', by: 'g', variables: ['v'] };
    const sub: SubgraphStep[] = [{ name: 'desc', kind: 'describe', params: dparams, inputs: ['cohort'] }];
    const inProcess: WorkerPool = { size: 1, run: async <T>(task: { args: unknown }): Promise<T> => (await runReplicates(task.args as ReplicateTask)) as T };
    const original = await describeKind.run(dparams, new Map([['cohort', { type: 'table', table: data }]]), testContext());
    const inputs = new Map<string, Artifact>([
      ['cohort', { type: 'table', table: data }],
      ['desc', original],
    ]);
    const params: BootstrapParams = { of: 'desc', from: 'cohort', replicates: 120, strata: ['g'], ci: ['percentile', 'bca'], conf: 0.95, batch: 7 };
    const a = encodeArtifact(await bootstrap.run(params, inputs, testContext({ seed: 5, subgraph: sub, pool: inProcess })));
    const threads = new ThreadPool(2);
    try {
      const b = encodeArtifact(await bootstrap.run({ ...params, batch: 50 }, inputs, testContext({ seed: 5, subgraph: sub, pool: threads })));
      expect(b).toBe(a);
    } finally {
      await threads.destroy();
    }
  });
});
