/**
 * `bootstrap`: re-runs the sub-pipeline from `from` (excluded) to `of` (included) on B resampled copies
 * of the `from` table — rows resampled with replacement, within `strata`, by `cluster` when given —
 * and reports, for every numeric estimate of `of`, the original value, bootstrap mean, bias, SE
 * (sd of the replicates), and percentile and BCa intervals as `boot::boot.ci` (see stats/bootci.ts).
 * BCa's acceleration comes from a jackknife of the same sub-pipeline (one unit left out at a time,
 * boot's empinf(type = "jack")). Replicates whose sub-pipeline fails (a fit that does not converge, …)
 * are counted with their reasons and left out of the intervals.
 *
 * The kind holds only the statistics. Re-running the sub-pipeline is the runner's replicate construct
 * (src/runner/replicate/): it runs the units this kind describes (`replicates`: B resamples and, for BCa,
 * the jackknife's leave-one-unit-out samples, drawn by bootstrap-samples.ts) in batches on the run's
 * executor (worker threads or SLURM), checkpoints and resumes them, and hands back the replicate matrix,
 * from which `summarise` makes the intervals. Replicate b draws from rngFor(seed, b) alone, so the output
 * is bit-identical whatever the batch size, the threads, the executor or the order batches finish in.
 */
import { DATA } from '../results/products.js';
import type { ResultArtifact } from '../data/artifact.js';
import type { Json, JsonObject } from '../data/canonical.js';
import { type Column, type Table, getColumn, makeTable } from '../data/table.js';
import { DataError } from '../errors.js';
import { bcaAcceleration, bcaInterval, jackknifeInfluence, percentileInterval } from '../stats/bootci.js';
import { resamplingDesign, type ResamplingDesign } from '../stats/resample.js';
import { meanSd } from '../stats/moments.js';
import { numericLeaves, selectPaths } from './bootstrap-estimates.js';
import { inputTable } from './input-table.js';
import type { ReplicateContext, ReplicateKind, ReplicatePlan, ReplicateResults, StepInputs } from './kind.js';

/** The module of the bootstrap's sample functions (bootstrap-samples.ts). */
const SAMPLES_MODULE = 'nodes/bootstrap-samples';

export type CiType = 'percentile' | 'bca';

export interface BootstrapParams {
  readonly of: string;
  readonly from: string;
  readonly replicates: number;
  readonly strata: readonly string[];
  readonly cluster?: string;
  readonly ci: readonly CiType[];
  readonly conf: number;
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

/** Mean and SD (R's, stats/moments.ts) of the finite values of x, in order. */
function finiteMeanSd(x: Float64Array): { n: number; mean: number; sd: number } {
  const finite = x.filter((v) => Number.isFinite(v));
  const { mean, sd } = meanSd(finite);
  return { n: finite.length, mean, sd };
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
  const { n, mean, sd } = finiteMeanSd(t);
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

/** What the units and the summary both need: the original result, the design, the paths. */
interface Prepared {
  readonly table: Table;
  readonly leaves: Map<string, number>;
  readonly design: ResamplingDesign;
  readonly paths: string[];
}

function prepare(params: BootstrapParams, inputs: StepInputs, omitted: ReplicateContext['notInReplicates']): Prepared {
  const table = inputTable(inputs, params.from, 'bootstrap from:');
  const ofArtifact = inputs.get(params.of);
  if (ofArtifact === undefined) throw new DataError(`the output of step "${params.of}" was not handed to bootstrap`);
  if (ofArtifact.type !== 'result') {
    throw new DataError(`bootstrap of: "${params.of}" produces a ${ofArtifact.type}, not a result with estimates`, { hint: 'bootstrap a fit, mediate or other result step' });
  }
  // a replicate runs each sub-step with its in-replicate parameters; the `of` step's estimates it then
  // does not produce are left out (or refused when asked for by name)
  const isOmitted = (path: string): boolean => omitted.paths.some((o) => path === o || path.startsWith(`${o}.`) || path.startsWith(`${o}[`));
  const leaves = numericLeaves(ofArtifact.value);
  const asked = params.estimates?.filter(isOmitted) ?? [];
  if (asked.length > 0) {
    throw new DataError(`bootstrap: estimates ${asked.map((e) => `"${e}"`).join(', ')} of step "${params.of}" cannot be bootstrapped: ${omitted.why ?? 'its kind does not produce them in a replicate'}`, {
      hint: `bootstrap the other estimates (leave out ${omitted.paths.join(', ')}), and read those intervals from "${params.of}" itself`,
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
  return { table, leaves, design, paths };
}

/** B resamples, and for BCa the jackknife's samples (one unit left out at a time). */
function replicates(params: BootstrapParams, inputs: StepInputs, ctx: ReplicateContext): ReplicatePlan<Prepared> {
  const prepared = prepare(params, inputs, ctx.notInReplicates);
  const { design, paths } = prepared;
  return {
    sets: [
      // a clustered resample names its cluster column: a cluster drawn twice is two clusters of the replicate
      { name: 'bootstrap', count: params.replicates, sample: { module: SAMPLES_MODULE, fn: 'bootstrapSample', args: params.cluster === undefined ? design : { ...design, clusterColumn: params.cluster } }, paths },
      ...(params.ci.includes('bca') ? [{ name: 'jackknife', count: design.units, sample: { module: SAMPLES_MODULE, fn: 'jackknifeSample', args: design }, paths }] : []),
    ],
    seed: params.seed,
    state: prepared,
  };
}

function summariseBootstrap(params: BootstrapParams, results: ReplicateResults<Prepared>, _inputs: StepInputs, ctx: { warn(message: string): void }): ResultArtifact {
  const omitted = results.notInReplicates;
  const { leaves, design, paths } = results.state;
  const B = params.replicates;
  const boot = results.matrix('bootstrap');
  const jack = params.ci.includes('bca') ? results.matrix('jackknife') : undefined;
  const k = paths.length;
  const values = boot.values;
  const failures = boot.failures;
  const jackValues = jack?.values;
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
  const jackFailures = jack?.failures.length ?? 0;
  if (failures.length > 0) ctx.warn(`bootstrap: ${failures.length} of ${B} replicates failed (see failed.reasons)`);
  const pair = (v: readonly [number, number] | null): Json => (v === null ? null : { lower: v[0], upper: v[1] });
  const value: JsonObject = {
    of: params.of,
    from: params.from,
    replicates: B,
    seed: results.seed,
    strata: [...params.strata],
    cluster: params.cluster ?? null,
    units: design.units,
    conf: params.conf,
    ci: [...params.ci],
    not_bootstrapped: omitted.paths.length === 0 ? null : { paths: [...omitted.paths], why: omitted.why ?? null },
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

export const bootstrap: ReplicateKind<BootstrapParams, Prepared> = {
  kind: 'bootstrap',
  // 4: a sub-pipeline of one fit_ordinal step takes its row-samples fast path (replicate values within clm's
  // convergence criteria of the step's own, no longer bit for bit)
  // 5: the mean of the replicates (and bias, and se about it) as R's mean, refined by a second pass
  // 6: a clustered resample's repeated clusters are clusters of their own (ClusterCopies)
  version: 6,
  produces: 'bootstrap',
  summary: 'Resamples the rows of a data step and re-runs the steps up to `of`: bootstrap SEs, percentile and BCa intervals of every estimate.',
  params: {
    type: 'object',
    properties: {
      of: { type: 'string', description: 'The step whose estimates are bootstrapped (a result step).' },
      from: { type: 'string', description: 'The data step whose rows are resampled; the steps after it up to `of` are re-run. Default: the table `of` reads (through an imputation, the table imputed).' },
      replicates: { type: 'integer', minimum: 1, maximum: 1000000, default: 1000, description: 'Number of bootstrap replicates B.' },
      strata: { type: 'array', items: { type: 'string' }, default: [], description: 'Columns whose groups are resampled separately (e.g. [evt]).' },
      cluster: { type: 'string', description: 'Resample whole clusters (e.g. trial) instead of rows.' },
      ci: { type: 'array', items: { type: 'string', enum: ['percentile', 'bca'] }, uniqueItems: true, default: ['percentile', 'bca'], description: 'Interval types (boot.ci).' },
      conf: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.95, description: 'Confidence level.' },
      seed: { type: 'integer', minimum: 0, maximum: 4294967295, description: "Overrides the step's seed (derived from the pipeline seed and the step name)." },
      estimates: { type: 'array', items: { type: 'string' }, description: 'Only these estimate paths (or paths under them); default: every numeric estimate.' },
    },
    required: ['of'],
    additionalProperties: false,
  },
  inputs: ['of', 'from'],
  accepts: { from: DATA },
  defaultReferences: { from: { via: 'of', param: 'input', through: ['impute'] } },
  random: () => true,
  subPipeline: { from: 'from', of: 'of' },
  replicates,
  summarise: summariseBootstrap,
};
