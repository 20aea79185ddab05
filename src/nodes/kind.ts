/**
 * The contract between the runner and a step kind. A step kind is one module in `src/nodes/` named for
 * its YAML `kind:` (e.g. `fit_logistic` → `src/nodes/fit_logistic.ts`) exporting one `StepKind`:
 * its parameter schema, its implementation version, and its `run`. Adding a kind touches nothing else
 * but one line of `registry.ts`.
 */
import type { Artifact } from '../data/artifact.js';
import type { JsonObject } from '../data/canonical.js';
import type { Table } from '../data/table.js';
import type { Product } from '../results/products.js';
import type { ResultProvenance } from '../runner/provenance.js';

/** A JSON Schema (draft 2020-12 subset understood by ajv) for a step kind's parameters. */
export type ParamSchema = Readonly<Record<string, unknown>>;

export interface StepKind<P = Record<string, unknown>> {
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
   */
  readonly params: ParamSchema;
  /** Names of the parameters whose values reference other steps (a step name, or a list of them). */
  readonly inputs: readonly string[];
  /**
   * Reference parameters that may be left out, each then taken from the step another reference names:
   * `{data: {via: 'model', param: 'input', through: ['impute']}}` — an omitted `data` is the `input` of
   * the `model` step, followed through steps of the kinds in `through` (to the table an imputation
   * started from). The runner fills it in before the key is taken: writing it out or leaving it to
   * the default gives the same key.
   */
  readonly defaultReferences?: Readonly<Record<string, { readonly via: string; readonly param: string; readonly through?: readonly string[] }>>;
  /** Paths (relative to the spec's folder) of files the step reads: hashed by content into its key. */
  readonly files?: (params: P) => readonly string[];
  /** True when the step draws random numbers: only then does the pipeline seed enter its key. */
  readonly random?: (params: P) => boolean;
  /**
   * For steps that re-run part of the pipeline (bootstrap): the parameter names holding the first and
   * last step of that sub-pipeline. The runner puts the keys of all steps between them into this
   * step's key and hands their definitions to `run` as `ctx.subgraph`.
   */
  readonly subgraph?: { readonly from: string; readonly of: string };
  /**
   * Returns the canonical form of the parameters: two parameter sets meaning the same computation must
   * normalise to the same value (e.g. `formula: "y ~ a + b"` and `outcome: y` + `covariates: [a, b]`).
   * The runner applies it after defaults are filled in and `check` has passed, before the cache key is
   * taken and before `run`, which therefore sees only canonical parameters. It must not throw: given
   * parameters it cannot read, it returns them unchanged (and `check` reports the problem).
   */
  readonly normalise?: (params: P) => P;
  /**
   * Parameters left out of the cache key because they cannot change the output (e.g. bootstrap's
   * `batch`, which only sets how replicates are grouped into worker tasks and checkpoints). Only for a
   * parameter proven not to change the output, by a test running the kind with different values and
   * comparing the outputs byte for byte. Changing one re-uses the cached output.
   */
  readonly unkeyed?: readonly string[];
  /**
   * How the step runs inside a bootstrap replicate or jackknife sample, when that differs from `run`:
   * - `params`: the parameters a replicate uses (e.g. mediate leaves out its counterfactual simulation,
   *   whose intervals it computes itself), with `omits` the estimate paths a replicate therefore does not
   *   produce, which the bootstrap leaves out of its estimates (and refuses when asked for, saying `why`);
   * - `plan`: a fast path when the sub-pipeline is this one step reading the resampled table: made once
   *   per run on each worker from the whole table, it gives the step's result for the rows of a resample —
   *   `run`'s result on takeRows(table, rows), to the precision the kind documents — or undefined to leave
   *   that resample to `run`;
   * - `prepare`: the plan's data, built once on the main thread and sent with every batch (typed arrays
   *   and plain objects only), so that the workers need not each build it: `plan` gets it as `data`
   *   (undefined: it builds it itself). `prepare` returns undefined where there is no plan.
   */
  readonly replicate?: {
    readonly params?: (params: P) => P;
    readonly omits?: (params: P) => readonly string[];
    readonly why?: string;
    readonly prepare?: (params: P, table: Table) => unknown;
    readonly plan?: (params: P, table: Table, data?: unknown) => ((rows: Int32Array, seed: number) => JsonObject | undefined) | undefined;
  };
  /**
   * The worker-pool task modules (WorkerPool.run's `module`) the kind's `run` uses, if it uses the pool:
   * the runner starts the pool's threads, loading these, as soon as a run misses the cache at or upstream
   * of such a step, so that the threads' start overlaps the steps before it. A run that misses the cache
   * nowhere on the way to the step starts no thread.
   */
  readonly poolModules?: readonly string[];
  /** The result family of the step's output (src/results/products.ts), for `validate`'s check of references. */
  readonly produces?: Product;
  /** Per reference parameter, the products it takes (a parameter not listed takes any): `{model: ['fit:logistic']}`. */
  readonly accepts?: Readonly<Record<string, readonly Product[]>>;
  /**
   * References inside parameters that `accepts` cannot name (the report's sections): given the product
   * of a step or instance (undefined when unknown), the problems, each for a parameter path.
   */
  readonly checkProducts?: (params: P, productOf: (step: string) => Product | undefined) => readonly { readonly path: string; readonly message: string; readonly hint?: string }[];
  /**
   * The step states where its result came from (the report's Provenance appendix): the runner hands it
   * `ctx.provenance` — the spec, seed, `--set` overrides, data files and versions its inputs were
   * computed from (src/runner/provenance.ts) — and puts the same into its key, so that a cached output
   * never states another run's provenance.
   */
  readonly provenance?: boolean;
  /**
   * Numbers the step's parameters point at as the pipeline's key results (the report's `published`
   * rows), listed for each run by `lesionflow runs`: a label, a step (instance) name and a path into
   * that step's result (src/report/json-path.ts).
   */
  readonly keyResults?: (params: P) => readonly { readonly label: string; readonly step: string; readonly path: string }[];
  /** Semantic checks beyond the schema (e.g. a formula that does not parse): return messages, each for a parameter path. */
  readonly check?: (params: P) => readonly { readonly path: string; readonly message: string; readonly hint?: string }[];
  run(params: P, inputs: StepInputs, ctx: StepContext): Promise<Artifact> | Artifact;
}

/** The outputs of the referenced steps, by (instance) step name as it appears in the resolved params. */
export type StepInputs = ReadonlyMap<string, Artifact>;

/** One step of a sub-pipeline handed to a step kind that re-runs it (bootstrap). */
export interface SubgraphStep {
  readonly name: string;
  readonly kind: string;
  /** Resolved, normalised parameters (defaults filled in, references resolved to instance names). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Names of the steps it reads (a subset of earlier subgraph steps, or the `from` step). */
  readonly inputs: readonly string[];
}

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
  /** The worker-thread pool for CPU-heavy work (bootstrap replicates, imputations). */
  readonly pool: WorkerPool;
  readonly signal: AbortSignal;
  /** Reports progress of a long step (shown as a bar on a terminal, as lines otherwise). */
  progress(done: number, total: number): void;
  /** A warning attached to the step's record and printed once. */
  warn(message: string): void;
  /** For kinds with `subgraph`: the steps from `from` (excluded) to `of` (included), in run order. */
  readonly subgraph?: readonly SubgraphStep[] | undefined;
  /** For kinds with `provenance`: where the step's inputs came from (src/runner/provenance.ts). */
  readonly provenance?: ResultProvenance | undefined;
  /** A per-step store for partial results (completed bootstrap batches), so an interrupted step resumes. */
  readonly checkpoints: Checkpoints;
}

export interface Checkpoints {
  get(name: string): Promise<string | undefined>;
  /** Atomic: a crash never leaves a partial checkpoint that `get` returns. */
  put(name: string, content: string): Promise<void>;
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
   * runner calls it when a run first misses the cache upstream of a step of a kind with `poolModules`,
   * and a step before its own preparation; either then overlaps the threads' start.
   */
  warm?(modules?: readonly string[]): unknown;
}
