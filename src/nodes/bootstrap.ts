/**
 * `bootstrap`: re-runs the sub-pipeline from `from` (excluded) to `of` (included) on B resampled copies
 * of the `from` table — rows resampled with replacement, within `strata`, by `cluster` when given —
 * and reports, for every numeric estimate of `of`, the original value, bootstrap mean, bias, SE
 * (sd of the replicates), and percentile and BCa intervals as `boot::boot.ci` (see stats/bootci.ts).
 * BCa's acceleration comes from a jackknife of the same sub-pipeline (one unit left out at a time,
 * boot's empinf(type = "jack")). Replicates whose sub-pipeline fails (a fit that does not converge, …)
 * are counted with their reasons and left out of the intervals.
 *
 * Reproducibility: replicate b draws from rngFor(seed, b) alone, so the output is bit-identical
 * whatever the batch size, the pool size or the order in which batches finish. Batches run on the
 * worker pool (`bootstrap-worker.ts`) and each finished batch is checkpointed, so an interrupted run
 * resumes with the batches it had not finished.
 */
import { DATA } from '../results/products.js';
import { randomUUID } from 'node:crypto';
import type { Artifact, ResultArtifact } from '../data/artifact.js';
import type { Json, JsonObject } from '../data/canonical.js';
import { type Column, type Table, getColumn, makeTable } from '../data/table.js';
import { CancelError, DataError, InternalError } from '../errors.js';
import { bcaAcceleration, bcaInterval, jackknifeInfluence, percentileInterval } from '../stats/bootci.js';
import { resamplingDesign, type ResamplingDesign } from '../stats/resample.js';
import { numericLeaves, selectPaths } from './bootstrap-estimates.js';
import type { ReplicateBatch, ReplicateTask } from './bootstrap-worker.js';
import { inputTable } from './input-table.js';
import type { StepContext, StepKind, SubgraphStep } from './kind.js';

/** The worker-pool module that runs batches of replicates (bootstrap-worker.ts). */
const WORKER_MODULE = 'nodes/bootstrap-worker';

export type CiType = 'percentile' | 'bca';

export interface BootstrapParams {
  readonly of: string;
  readonly from: string;
  readonly replicates: number;
  readonly strata: readonly string[];
  readonly cluster?: string;
  readonly ci: readonly CiType[];
  readonly conf: number;
  readonly batch: number;
  readonly seed?: number;
  readonly estimates?: readonly string[];
}

/** Integer codes per row of the combination of `names` (null when empty); a missing value is a DataError. */
function groupCodes(table: Table, names: readonly string[], what: string): Int32Array | null {
  if (names.length === 0) return null;
  const cols = names.map((n) => getColumn(table, n, what));
  const keys = new Map<string, number>();
  const codes = new Int32Array(table.nrows);
  for (let i = 0; i < table.nrows; i++) {
    const parts = cols.map((c, k) => {
      const v = cellOf(c, i);
      if (v === null) throw new DataError(`bootstrap: row ${i + 1} has no value of "${names[k]!}" (${what})`, { hint: 'filter out rows with missing values first' });
      return v;
    });
    const key = JSON.stringify(parts);
    let code = keys.get(key);
    if (code === undefined) {
      code = keys.size;
      keys.set(key, code);
    }
    codes[i] = code;
  }
  return codes;
}

function cellOf(c: Column, i: number): string | number | null {
  switch (c.type) {
    case 'number':
      return Number.isNaN(c.values[i]!) ? null : c.values[i]!;
    case 'factor':
      return c.codes[i]! < 0 ? null : c.codes[i]!;
    case 'string':
      return c.values[i] ?? null;
  }
}

// ---- checkpoints ----------------------------------------------------------------------------------

/** A batch as checkpoint text: its values as the bytes of their doubles (little-endian, as on every platform Node runs on), in base64. */
function encodeBatch(b: ReplicateBatch): string {
  const bytes = Buffer.from(b.values.buffer, b.values.byteOffset, b.values.byteLength);
  return JSON.stringify({ start: b.start, end: b.end, values64: bytes.toString('base64'), failures: b.failures });
}

function decodeBatch(text: string): ReplicateBatch {
  const o = JSON.parse(text) as { start: number; end: number; values64?: string; values?: (number | string | null)[]; failures: ReplicateBatch['failures'] };
  let values: Float64Array;
  if (o.values64 !== undefined) {
    const bytes = Buffer.from(o.values64, 'base64');
    values = new Float64Array(bytes.byteLength / 8);
    new Uint8Array(values.buffer).set(bytes);
  } else {
    // a checkpoint of an earlier lesionflow: the values as JSON, NaN as null and ±Infinity as strings
    values = Float64Array.from(o.values ?? [], (v) => (v === null ? NaN : v === 'Inf' ? Infinity : v === '-Inf' ? -Infinity : (v as number)));
  }
  return { start: o.start, end: o.end, values, failures: o.failures };
}

/**
 * The batches of indices 0 … total − 1: `batch` at a time, except the last 2 × batch, in quarters — so
 * that the threads finish together instead of one waiting out another's last full batch. A function of
 * (total, batch) alone, so that checkpoints (named by range) are found again whatever `--jobs`.
 */
export function batchRanges(total: number, batch: number): [number, number][] {
  const ranges: [number, number][] = [];
  const tail = Math.max(0, total - 2 * batch);
  const small = Math.max(1, Math.ceil(batch / 4));
  for (let s = 0; s < total; ) {
    const e = Math.min(s < tail ? tail : total, s + (s < tail ? batch : small));
    ranges.push([s, e]);
    s = e;
  }
  return ranges;
}

/**
 * Runs indices 0 … total − 1 in batches on the pool, at most 2 × pool size in flight, reusing
 * checkpointed batches. Returns the batches in index order.
 */
async function runBatches(
  ctx: StepContext,
  base: Omit<ReplicateTask, 'start' | 'end'>,
  total: number,
  batch: number,
  onDone: (count: number) => void,
  halt: { stop: boolean },
): Promise<ReplicateBatch[]> {
  const ranges = batchRanges(total, batch);
  const results = new Array<ReplicateBatch | undefined>(ranges.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ranges.length && !halt.stop) {
      const k = next++;
      const [start, end] = ranges[k]!;
      if (ctx.signal.aborted) throw new CancelError('bootstrap interrupted');
      const name = `${base.mode}-${start}-${end}`;
      const saved = await ctx.checkpoints.get(name);
      let result: ReplicateBatch;
      if (saved !== undefined) result = decodeBatch(saved);
      else {
        result = await ctx.pool.run<ReplicateBatch>({ module: WORKER_MODULE, fn: 'runReplicates', args: { ...base, start, end } });
        await ctx.checkpoints.put(name, encodeBatch(result));
      }
      results[k] = result;
      onDone(end - start);
    }
  };
  const lanes = Math.max(1, Math.min(ranges.length, 2 * ctx.pool.size));
  // On a failure, let the other lanes (of this run and of the other one sharing `halt`) finish and
  // checkpoint their current batch, take no new one, then rethrow.
  const settled = await Promise.allSettled(
    Array.from({ length: lanes }, () =>
      worker().catch((e: unknown) => {
        halt.stop = true;
        throw e;
      }),
    ),
  );
  const failure = settled.find((r) => r.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
  return results.map((r) => {
    if (r === undefined) throw new InternalError('bootstrap: a batch did not finish');
    return r;
  });
}

// ---- summaries ------------------------------------------------------------------------------------

interface EstimateSummary {
  readonly name: string;
  readonly original: number;
  readonly n: number;
  readonly mean: number;
  readonly se: number;
  readonly percentile: readonly [number, number] | null;
  readonly bca: readonly [number, number] | null;
  readonly acceleration: number;
  readonly notes: string[];
}

function column(values: Float64Array, rows: number, k: number, j: number): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) out[r] = values[r * k + j]!;
  return out;
}

/** Mean and SD of the finite values of x (in order: the same sums as over x's finite values alone). */
function meanSd(x: Float64Array): { n: number; mean: number; sd: number } {
  let n = 0;
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (Number.isFinite(v)) {
      n++;
      s += v;
    }
  }
  if (n === 0) return { n, mean: NaN, sd: NaN };
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (Number.isFinite(v)) ss += (v - mean) * (v - mean);
  }
  return { n, mean, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : NaN };
}

function summarise(
  name: string,
  original: number,
  t: Float64Array,
  jack: Float64Array | undefined,
  stratumSize: Int32Array,
  params: BootstrapParams,
): EstimateSummary {
  const notes: string[] = [];
  const { n, mean, sd } = meanSd(t);
  let percentile: EstimateSummary['percentile'] = null;
  let bca: EstimateSummary['bca'] = null;
  let acceleration = NaN;
  if (n === 0) notes.push('no replicate produced this estimate');
  else if (!Number.isFinite(original)) notes.push('the original estimate is not finite');
  else {
    if (params.ci.includes('percentile')) {
      const iv = percentileInterval(t, params.conf);
      percentile = [iv.lower, iv.upper];
      if (iv.extreme) notes.push('percentile interval: extreme order statistics used as end points');
    }
    if (params.ci.includes('bca') && jack !== undefined) {
      if (jack.some((v) => !Number.isFinite(v))) notes.push('BCa: the jackknife failed for some units, no interval');
      else {
        const L = jackknifeInfluence(original, jack, stratumSize);
        acceleration = bcaAcceleration(L);
        try {
          const iv = bcaInterval(t, original, L, params.conf);
          bca = [iv.lower, iv.upper];
          if (iv.extreme) notes.push('BCa interval: extreme order statistics used as end points');
        } catch (e) {
          if (!(e instanceof RangeError)) throw e;
          notes.push(`BCa: ${e.message}`);
        }
      }
    }
  }
  return { name, original, n, mean, se: sd, percentile, bca, acceleration, notes };
}

function summaryTable(rows: readonly EstimateSummary[]): Table {
  const num = (f: (r: EstimateSummary) => number): Column => ({ type: 'number', values: Float64Array.from(rows, f) });
  return makeTable([
    ['estimate', { type: 'string', values: rows.map((r) => r.name) }],
    ['original', num((r) => r.original)],
    ['mean', num((r) => r.mean)],
    ['bias', num((r) => r.mean - r.original)],
    ['se', num((r) => r.se)],
    ['percentile_lower', num((r) => r.percentile?.[0] ?? NaN)],
    ['percentile_upper', num((r) => r.percentile?.[1] ?? NaN)],
    ['bca_lower', num((r) => r.bca?.[0] ?? NaN)],
    ['bca_upper', num((r) => r.bca?.[1] ?? NaN)],
    ['n_replicates', num((r) => r.n)],
  ]);
}

function replicateTable(paths: readonly string[], values: Float64Array, B: number): Table {
  const k = paths.length;
  const cols: [string, Column][] = [['replicate', { type: 'number', values: Float64Array.from({ length: B }, (_, b) => b + 1) }]];
  paths.forEach((p, j) => cols.push([p, { type: 'number', values: column(values, B, k, j) }]));
  return makeTable(cols);
}

// ---- the step -------------------------------------------------------------------------------------

async function runBootstrap(params: BootstrapParams, inputs: ReadonlyMap<string, Artifact>, ctx: StepContext): Promise<ResultArtifact> {
  const steps: readonly SubgraphStep[] | undefined = ctx.subgraph;
  if (steps === undefined || steps.length === 0) throw new InternalError('bootstrap was run without its sub-pipeline (ctx.subgraph)');
  if (steps.at(-1)!.name !== params.of) throw new InternalError(`bootstrap: the sub-pipeline ends with "${steps.at(-1)!.name}", not "${params.of}"`);
  const table = inputTable(inputs, params.from, 'bootstrap from:');
  const ofArtifact = inputs.get(params.of);
  if (ofArtifact === undefined) throw new InternalError(`the output of step "${params.of}" was not handed to bootstrap`);
  if (ofArtifact.type !== 'result') {
    throw new DataError(`bootstrap of: "${params.of}" produces a ${ofArtifact.type}, not a result with estimates`, { hint: 'bootstrap a fit, mediate or other result step' });
  }
  // the worker threads start while this prepares the batches
  ctx.pool.warm?.([WORKER_MODULE]);
  // a replicate runs each sub-step as its kind says (kind.replicate); the `of` step's estimates it then
  // does not produce are left out (or refused when asked for by name)
  const { registry } = await import('./registry.js');
  const replicateSteps = steps.map((s) => {
    const r = registry.get(s.kind)?.replicate?.params;
    return r === undefined ? s : { ...s, params: r(s.params) };
  });
  const ofReplicate = registry.get(steps.at(-1)!.kind)?.replicate;
  const omitted = ofReplicate?.omits?.(steps.at(-1)!.params) ?? [];
  const isOmitted = (path: string): boolean => omitted.some((o) => path === o || path.startsWith(`${o}.`) || path.startsWith(`${o}[`));
  const leaves = numericLeaves(ofArtifact.value);
  const asked = params.estimates?.filter(isOmitted) ?? [];
  if (asked.length > 0 && ofReplicate !== undefined) {
    throw new DataError(`bootstrap: estimates ${asked.map((e) => `"${e}"`).join(', ')} of step "${params.of}" cannot be bootstrapped: ${ofReplicate.why ?? 'its kind does not produce them in a replicate'}`, {
      hint: `bootstrap the other estimates (leave out ${omitted.join(', ')}), and read those intervals from "${params.of}" itself`,
    });
  }
  const paths = selectPaths(leaves, params.estimates).filter((p) => !isOmitted(p));
  if (paths.length === 0) {
    throw new DataError(`bootstrap: step "${params.of}" has no numeric estimates${params.estimates === undefined ? '' : ` under ${params.estimates.join(', ')}`}`, {
      hint: `its estimates are: ${[...leaves.keys()].slice(0, 20).join(', ')}`,
    });
  }
  if (params.strata.includes(params.cluster ?? '\u0000')) throw new DataError('bootstrap: the cluster column cannot also be a stratum');
  let design: ResamplingDesign;
  try {
    design = resamplingDesign(table.nrows, groupCodes(table, params.strata, 'strata:'), groupCodes(table, params.cluster === undefined ? [] : [params.cluster], 'cluster:'));
  } catch (e) {
    if (e instanceof RangeError) throw new DataError(`bootstrap: ${e.message}`, { hint: 'every cluster must lie within one stratum' });
    throw e;
  }
  const seed = params.seed ?? ctx.seed;
  const B = params.replicates;
  const withBca = params.ci.includes('bca');
  const total = B + (withBca ? design.units : 0);
  let done = 0;
  const onDone = (count: number): void => {
    done += count;
    ctx.progress(done, total);
  };
  // a kind's fast path for a sub-pipeline of one step reading `from`: its data built here, once
  const only = replicateSteps.length === 1 ? replicateSteps[0]! : undefined;
  const prepare = only !== undefined && only.inputs.every((name) => name === params.from) ? registry.get(only.kind)?.replicate?.prepare : undefined;
  const planData = prepare === undefined ? {} : { planData: prepare(only!.params, table) ?? null };
  const base = { table, from: params.from, steps: replicateSteps, seed, design, paths, planKey: randomUUID(), ...planData };
  // The jackknife's batches queue behind the bootstrap's on the same pool, so that no worker idles between
  // the two (every value depends on its index alone: the order of the batches does not matter).
  const halt = { stop: false }; // a failure in either stops both from taking new batches
  const [bootRun, jackRun] = await Promise.allSettled([
    runBatches(ctx, { ...base, mode: 'bootstrap' }, B, params.batch, onDone, halt),
    withBca ? runBatches(ctx, { ...base, mode: 'jackknife' }, design.units, params.batch, onDone, halt) : Promise.resolve(undefined),
  ]);
  if (bootRun.status === 'rejected') throw bootRun.reason;
  if (jackRun.status === 'rejected') throw jackRun.reason;
  const boot = bootRun.value;
  const jack = jackRun.value;

  const k = paths.length;
  const values = new Float64Array(B * k);
  const failures = boot.flatMap((b) => b.failures);
  for (const b of boot) values.set(b.values, b.start * k);
  let jackValues: Float64Array | undefined;
  if (jack !== undefined) {
    jackValues = new Float64Array(design.units * k);
    for (const b of jack) jackValues.set(b.values, b.start * k);
  }
  const stratumSize = Int32Array.from(design.stratumOf, (s) => design.strataUnits[s]!.length);
  const summaries = paths.map((p, j) =>
    summarise(p, leaves.get(p)!, column(values, B, k, j), jackValues === undefined ? undefined : column(jackValues, design.units, k, j), stratumSize, params),
  );

  const reasons = new Map<string, { count: number; first: number }>();
  for (const f of failures) {
    const r = reasons.get(f.reason);
    if (r === undefined) reasons.set(f.reason, { count: 1, first: f.index + 1 });
    else r.count++;
  }
  const jackFailures = jack?.flatMap((b) => b.failures).length ?? 0;
  if (failures.length > 0) ctx.warn(`bootstrap: ${failures.length} of ${B} replicates failed (see failed.reasons)`);
  const pair = (v: readonly [number, number] | null): Json => (v === null ? null : { lower: v[0], upper: v[1] });
  const value: JsonObject = {
    of: params.of,
    from: params.from,
    replicates: B,
    seed,
    strata: [...params.strata],
    cluster: params.cluster ?? null,
    units: design.units,
    conf: params.conf,
    ci: [...params.ci],
    not_bootstrapped: omitted.length === 0 ? null : { paths: [...omitted], why: ofReplicate?.why ?? null },
    failed: {
      count: failures.length,
      reasons: [...reasons].map(([reason, r]) => ({ reason, count: r.count, first_replicate: r.first })),
      jackknife: jackFailures,
    },
    estimates: summaries.map((s) => ({
      name: s.name,
      original: s.original,
      mean: s.mean,
      bias: s.mean - s.original,
      se: s.se,
      n_replicates: s.n,
      percentile: pair(s.percentile),
      bca: s.bca === null ? null : { lower: s.bca[0], upper: s.bca[1], acceleration: s.acceleration },
      notes: s.notes,
    })),
  };
  return { type: 'result', value, tables: new Map([['estimates', summaryTable(summaries)], ['replicates', replicateTable(paths, values, B)]]) };
}

export const bootstrap: StepKind<BootstrapParams> = {
  kind: 'bootstrap',
  version: 3,
  produces: 'bootstrap',
  poolModules: [WORKER_MODULE],
  summary: 'Resamples the rows of a data step and re-runs the steps up to `of`: bootstrap SEs, percentile and BCa intervals of every estimate.',
  params: {
    type: 'object',
    properties: {
      of: { type: 'string', description: 'The step whose estimates are bootstrapped (a result step).' },
      from: { type: 'string', description: 'The data step whose rows are resampled; the steps after it up to `of` are re-run.' },
      replicates: { type: 'integer', minimum: 1, maximum: 1000000, default: 1000, description: 'Number of bootstrap replicates B.' },
      strata: { type: 'array', items: { type: 'string' }, default: [], description: 'Columns whose groups are resampled separately (e.g. [evt]).' },
      cluster: { type: 'string', description: 'Resample whole clusters (e.g. trial) instead of rows.' },
      ci: { type: 'array', items: { type: 'string', enum: ['percentile', 'bca'] }, uniqueItems: true, default: ['percentile', 'bca'], description: 'Interval types (boot.ci).' },
      conf: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.95, description: 'Confidence level.' },
      batch: { type: 'integer', minimum: 1, default: 100, description: 'Replicates per worker task and per checkpoint; the last 2 × batch go in quarters (does not change results).' },
      seed: { type: 'integer', minimum: 0, maximum: 4294967295, description: "Overrides the step's seed (derived from the pipeline seed and the step name)." },
      estimates: { type: 'array', items: { type: 'string' }, description: 'Only these estimate paths (or paths under them); default: every numeric estimate.' },
    },
    required: ['of', 'from'],
    additionalProperties: false,
  },
  inputs: ['of', 'from'],
  accepts: { from: DATA },
  // Replicate b draws from rngFor(seed, b) alone, so the batch size cannot change the output: it stays
  // out of the cache key (test/nodes/bootstrap.test.ts: "is bit-identical across batch sizes …").
  unkeyed: ['batch'],
  random: () => true,
  subgraph: { from: 'from', of: 'of' },
  run: runBootstrap,
};
