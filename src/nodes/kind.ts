/**
 * The contract between the runner and a step kind. A step kind is one module in `src/nodes/` named for
 * its YAML `kind:` (e.g. `fit_logistic` → `src/nodes/fit_logistic.ts`) exporting one kind: its parameter
 * schema, its implementation version, and one of three lifecycles — its `run` (StepKind, the plain
 * lifecycle), its units and their summary (ReplicateKind: bootstrap, impute, trial_design — the runner
 * schedules the units), or a document of the run (DocumentKind: report — the runner hands it the run's
 * provenance and keys it on it). Adding a kind touches nothing else but one line of `kinds.ts`.
 */
import type { Artifact } from '../data/artifact.js';
import type { JsonObject } from '../data/canonical.js';
import type { Table } from '../data/table.js';
import type { Product } from '../results/products.js';
import type { ResultProvenance } from '../runner/provenance.js';

/** A JSON Schema (draft 2020-12 subset understood by ajv) for a step kind's parameters. */
export type ParamSchema = Readonly<Record<string, unknown>>;

/**
 * What every kind has, whatever its lifecycle: its YAML name, implementation version, parameters and how
 * they are checked, and what enters its cache key.
 */
export interface KindBase<P = Record<string, unknown>> {
  /** The YAML name, `kind: <name>`. */
  readonly kind: string;
  /**
   * Implementation version: bump it whenever a change would alter this kind's output for the same
   * parameters and inputs. It enters the cache key, so a bump re-runs every step of this kind, and it
   * is listed in CHANGELOG.md under "Invalidating changes".
   */
  readonly version: number;
  /** One line for `lesionflow schema`, `docs/` and the editor's completion. */
  readonly summary: string;
  /**
   * JSON Schema of the parameters: `{type: 'object', properties: {...}, required: [...],
   * additionalProperties: false}`. Defaults given here are filled in before the cache key is taken,
   * so writing a parameter at its default value does not change the key.
   * The keys `kind`, `foreach` and `description` are the runner's and must not appear here.
   * A parameter's schema may carry `x-in-replicates` (InReplicates): the value the parameter takes when
   * the step runs inside a replicate (a bootstrap's sub-pipeline); and `x-file: true` on a parameter naming a
   * file the step reads (a string or a list of them): its content is hashed into the key (runner/step-files.ts).
   */
  readonly params: ParamSchema;
  /** Names of the parameters whose values reference other steps (a step name, or a list of them). */
  readonly inputs: readonly string[];
  /**
   * Reference parameters that may be left out, each then taken from the step another reference names:
   * `{data: {via: 'model', param: 'input', through: ['impute']}}` — an omitted `data` is the `input` of
   * the `model` step, followed through steps of the kinds in `through` (to the table an imputation
   * started from). The runner fills it in before the key is taken: writing it out or leaving it to
   * the default gives the same key. (volume_delta's `data`, bootstrap's `from`.)
   */
  readonly defaultReferences?: Readonly<Record<string, { readonly via: string; readonly param: string; readonly through?: readonly string[] }>>;
  /** True when the step draws random numbers: only then does the pipeline seed enter its key. */
  readonly random?: (params: P) => boolean;
  /**
   * Returns the canonical form of the parameters: two parameter sets meaning the same computation must
   * normalise to the same value (e.g. `formula: "y ~ a + b"` and `outcome: y` + `covariates: [a, b]`).
   * The runner applies it after defaults are filled in and `check` has passed, before the cache key is
   * taken and before `run`, which therefore sees only canonical parameters. It must not throw: given
   * parameters it cannot read, it returns them unchanged (and `check` reports the problem).
   */
  readonly normalise?: (params: P) => P;
  /** The result family of the step's output (src/results/products.ts), for `validate`'s check of references. */
  readonly produces?: Product;
  /** Per reference parameter, the products it takes (a parameter not listed takes any): `{model: ['fit:logistic']}`. */
  readonly accepts?: Readonly<Record<string, readonly Product[]>>;
  /** Semantic checks beyond the schema (e.g. a formula that does not parse): return messages, each for a parameter path. */
  readonly check?: (params: P) => readonly { readonly path: string; readonly message: string; readonly hint?: string }[];
}

/** A step kind of the plain lifecycle: `run` computes its output from its inputs. */
export interface StepKind<P = Record<string, unknown>> extends KindBase<P> {
  run(params: P, inputs: StepInputs, ctx: StepContext): Promise<Artifact> | Artifact;
  /**
   * Row samples (the replicate construct's fast path, see RowSamples): for a kind whose preprocessing is
   * row-local and whose model takes frequency weights, its result on a sample of its input table's rows
   * without building the sample's table — the sample as the original rows with counts.
   */
  readonly rowSamples?: RowSamples<P>;
}

/**
 * A kind's result on samples of the rows of its one input table, without taking the rows out of the table
 * and preparing them again for every sample: the replicate construct uses it when a sub-pipeline is this
 * one step reading the resampled table. A kind offers it when its preprocessing is row-local (a row's
 * design row depends on that row alone) and its model takes frequency weights, so that a sample is the
 * original rows, each with the number of times it was drawn.
 * - `prepare`: the work done once on the whole table (the design, the whole-sample fits), on the main
 *   thread, sent with every batch (typed arrays and plain objects only); undefined when the fast path does
 *   not apply to these parameters and this table;
 * - `plan`: made once per batch series on each worker from the whole table and that data; it gives the
 *   step's result for the rows of a sample (with repeats, in draw order) — `run`'s result on
 *   takeRows(table, rows), to the precision the kind documents — or undefined to leave that sample to `run`
 *   (a sample `run` would treat differently, e.g. with an empty factor level).
 */
export interface RowSamples<P = Record<string, unknown>> {
  readonly prepare: (params: P, table: Table) => unknown;
  /** The plan's `copies`: a clustered sample's (ClusterCopies), for a kind whose model has a cluster effect. */
  readonly plan: (params: P, table: Table, data: unknown) => ((rows: Int32Array, seed: number, copies?: ClusterCopies) => JsonObject | undefined) | undefined;
}

/**
 * A clustered sample's copies (bootstrap with `cluster:`): `copies[t]` is which draw of its cluster of
 * `column` row `rows[t]` comes from (0 for the first). A cluster drawn twice is two clusters of the
 * sample (the cluster bootstrap's rule, Stata's `idcluster`): a model with an effect for that column must
 * give each copy its own.
 */
export interface ClusterCopies {
  readonly column: string;
  readonly copies: Int32Array;
}

/**
 * A kind of the replicate lifecycle (the runner construct of src/runner/replicate/): its output comes
 * from many seeded units of work — bootstrap replicates of a sub-pipeline, imputations, simulated trials — which the runner
 * schedules in batches on the run's executor (worker threads, or a SLURM cluster), checkpoints and resumes;
 * the kind says what the units are (`replicates`) and turns their results into its output (`summarise`).
 * Unit u of a set always draws from (the step's seed, u) alone, so the output is the same whatever the
 * batches, threads, executor or order of completion.
 */
export interface ReplicateKind<P = Record<string, unknown>, S = unknown> extends KindBase<P> {
  /**
   * For a kind whose units re-run part of the pipeline: the parameters naming the sub-pipeline's ends — the
   * data step whose table each unit samples (`from`, excluded) and the last step (`of`). The keys of the
   * steps between them enter this step's key, and their outputs are not cached inside a unit.
   */
  readonly subPipeline?: { readonly from: string; readonly of: string };
  /** The units, from the parameters and the inputs (of a sub-pipeline kind: `from`'s table and `of`'s output). */
  replicates(params: P, inputs: StepInputs, ctx: ReplicateContext): ReplicatePlan<S>;
  /** The output, from the units' results (and the plan's `state`). */
  summarise(params: P, results: ReplicateResults<S>, inputs: StepInputs, ctx: StepContext): Promise<Artifact> | Artifact;
}

/**
 * A kind of the document lifecycle (the report): its output is a document of the run for its readers —
 * tables and figures of the steps it names, and where its numbers came from. The runner treats it apart:
 * - it hands the document the run's provenance (`ctx.provenance`: the spec, seed, `--set` overrides, data
 *   files and versions its inputs were computed from, src/runner/provenance.ts) and puts the same into
 *   its key, so that a cached document never states another run's provenance (a plain step's key holds
 *   its inputs' keys only);
 * - `validate` checks the references inside its parameters (`checkProducts`: a document names steps
 *   inside its sections, where `accepts` cannot reach);
 * - `lesionflow runs` lists, for each run, the numbers it declares key (`keyResults`).
 */
export interface DocumentKind<P = Record<string, unknown>> extends KindBase<P> {
  readonly lifecycle: 'document';
  run(params: P, inputs: StepInputs, ctx: DocumentContext): Promise<Artifact> | Artifact;
  /**
   * The references inside its parameters: given the product of a step or instance (undefined when
   * unknown), the problems, each for a parameter path.
   */
  readonly checkProducts: (params: P, productOf: (step: string) => Product | undefined) => readonly { readonly path: string; readonly message: string; readonly hint?: string }[];
  /**
   * Numbers the document's parameters point at as the pipeline's key results (the report's `published`
   * rows), listed for each run by `lesionflow runs`: a label, a step (instance) name and a path into
   * that step's result (src/report/json-path.ts).
   */
  readonly keyResults: (params: P) => readonly { readonly label: string; readonly step: string; readonly path: string }[];
}

/** Every kind, of any lifecycle. */
export type Kind<P = Record<string, unknown>> = StepKind<P> | ReplicateKind<P> | DocumentKind<P>;

export function isReplicateKind<P>(k: Kind<P>): k is ReplicateKind<P> {
  return 'replicates' in k;
}

export function isDocumentKind<P>(k: Kind<P>): k is DocumentKind<P> {
  return 'lifecycle' in k;
}

/** A kind of the plain lifecycle (neither replicated nor a document). */
export function isStepKind<P>(k: Kind<P>): k is StepKind<P> {
  return !isReplicateKind(k) && !isDocumentKind(k);
}

/** The parameters naming a kind's sub-pipeline ends, if it has one (ReplicateKind.subPipeline). */
export function subPipelineOf<P>(k: Kind<P>): { readonly from: string; readonly of: string } | undefined {
  return isReplicateKind(k) ? k.subPipeline : undefined;
}

/** A function of a lesionflow module, named as a worker task is (WorkerPool.run): never chosen by the spec. */
export interface TaskRef {
  readonly module: string;
  readonly fn: string;
}

/**
 * The units of a replicated step: sets run one after the other's batches on the same executor (the
 * later set's batches queue behind the earlier's, so that no worker idles between them).
 * - `task` sets: `count` units of a kind's own function: called with BatchArgs (`shared` = `args`) on a
 *   range of units, it returns that range's result (structured-cloneable); the kind reads the results in
 *   `summarise` (ReplicateResults.batches);
 * - `sample` sets (a kind with a subPipeline): unit u re-runs the sub-pipeline on the rows
 *   `sample.fn(sample.args, seed, u)` gives (SampleFn) of the `from` table, and contributes the numbers at
 *   `paths` in the `of` step's result to a row of the set's matrix (ReplicateResults.matrix).
 */
export type UnitSet =
  | { readonly name: string; readonly count: number; readonly task: TaskRef; readonly args: unknown }
  | { readonly name: string; readonly count: number; readonly sample: TaskRef & { readonly args: unknown }; readonly paths: readonly string[] };

export interface ReplicatePlan<S = unknown> {
  readonly sets: readonly UnitSet[];
  /** Overrides the step's seed (a `seed:` parameter). */
  readonly seed?: number | undefined;
  /**
   * What the kind worked out from its parameters and inputs to plan the units (a design, a fitted model,
   * notes), handed back to `summarise` as `results.state` so that it is not worked out twice. It stays on
   * the thread that runs the step: never sent to a worker or an array task, never stored.
   */
  readonly state?: S;
}

/** What a batch function receives: the set's shared arguments, the seed, and its range of units start … end − 1. */
export interface BatchArgs<A = unknown> {
  readonly shared: A;
  readonly seed: number;
  readonly start: number;
  readonly end: number;
}

/**
 * A sample set's unit: the rows of the `from` table (with repeats, in draw order), the seed of each
 * sub-step (by position), and for a clustered sample its cluster copies (the unit's table then gives each
 * copy of a cluster its own value of the cluster column).
 */
export type SampleFn<A = unknown> = (
  args: A,
  seed: number,
  unit: number,
) => { readonly rows: Int32Array; readonly seedOf: (step: number) => number; readonly copies?: ClusterCopies | undefined };

export interface ReplicateContext {
  readonly step: string;
  readonly seed: number;
  /**
   * Of a sub-pipeline kind: the estimate paths of the `of` step a unit does not produce, because a sub-step
   * runs with other parameters inside a replicate (`x-in-replicates`), with why; empty otherwise.
   */
  readonly notInReplicates: { readonly paths: readonly string[]; readonly why: string | undefined };
}

/** A failed unit of a sample set (an expected failure: a fit that does not converge, an empty subset). */
export interface UnitFailure {
  readonly index: number;
  readonly reason: string;
}

export interface ReplicateResults<S = unknown> {
  /** A sample set's estimates: count × paths.length, row per unit (NaN for a failed unit or a missing estimate), and its failures in unit order. */
  matrix(set: string): { readonly values: Float64Array; readonly paths: readonly string[]; readonly failures: readonly UnitFailure[] };
  /** A task set's batch results (what its batch function returned), in unit order. */
  batches(set: string): readonly { readonly start: number; readonly end: number; readonly result: unknown }[];
  /** The seed the units drew from. */
  readonly seed: number;
  /** As ReplicateContext's. */
  readonly notInReplicates: ReplicateContext['notInReplicates'];
  /** The plan's `state` (ReplicatePlan.state). */
  readonly state: S;
}

/** The outputs of the referenced steps, by (instance) step name as it appears in the resolved params. */
export type StepInputs = ReadonlyMap<string, Artifact>;

export interface StepContext {
  /** The step's instance name, e.g. `fit_good[modality=CT]`. */
  readonly step: string;
  /**
   * The step's seed, derived from the pipeline seed and the step's name alone (targets-style), so it
   * changes neither with --jobs nor when other steps are added. A 32-bit unsigned integer.
   */
  readonly seed: number;
  /** Resolves a path from the spec (relative to the spec's folder); refuses one outside the project unless the user gave it on the command line. */
  resolvePath(path: string): string;
  /** Whether a path came from the command line (`--set`, relative to the working directory) or the spec (relative to its folder), for hints. */
  pathOrigin?(path: string): 'command line' | 'spec';
  /**
   * How a path from the spec is shown in an output meant to be shared (a report): relative to the
   * project folder, or by file name when it lies outside it — never a home directory. Absent in tests
   * that build a context by hand: show the path as written then.
   */
  showPath?(path: string): string;
  /** The worker-thread pool for CPU-heavy work (replicated kinds' units go through the runner instead). */
  readonly pool: WorkerPool;
  readonly signal: AbortSignal;
  /** Reports progress of a long step (shown as a bar on a terminal, as lines otherwise). */
  progress(done: number, total: number): void;
  /** A warning attached to the step's record and printed once. */
  warn(message: string): void;
}

/** A document's context (DocumentKind): a step's, and where the run's numbers came from. */
export interface DocumentContext extends StepContext {
  /** Always given by the runner (and in the document's key); absent only in tests that build a document alone. */
  readonly provenance?: ResultProvenance | undefined;
}

/**
 * Runs CPU-heavy work on worker threads. A task names a module of lesionflow itself (a path relative
 * to the package's `src/`, without extension, e.g. `nodes/bootstrap-worker`) and one of its exported
 * functions; the spec can never choose either. Arguments and results must be structured-cloneable.
 */
export interface WorkerPool {
  readonly size: number;
  run<T>(task: { readonly module: string; readonly fn: string; readonly args: unknown }, transfer?: readonly ArrayBuffer[]): Promise<T>;
  /**
   * Start the threads now rather than on the first task, loading the named task modules in them: the
   * runner calls it when a run first misses the cache upstream of a replicated step, and again with the
   * step's task modules when it knows them; either then overlaps the threads' start.
   */
  warm?(modules?: readonly string[]): unknown;
}

/**
 * What every thread of a worker pool is set up with before its first task (the pool's generic per-thread
 * setup hook: the pool itself knows nothing of what it hands over). `prepare` runs once, on the thread
 * that starts the pool, when the first thread starts; its result (structured-cloneable, e.g. a compiled
 * WebAssembly.Module, which threads share) goes to every thread, which calls the exported function `fn`
 * of the lesionflow module `module` (a task module path, as WorkerPool.run's) with it. `prepare` throwing
 * or returning undefined: `fn` is not called (the thread then does without, e.g. compiles its own).
 */
export interface ThreadSetup {
  readonly module: string;
  readonly fn: string;
  readonly prepare: () => unknown;
}
