/**
 * The analysed pipeline: what `spec.ts` (YAML → validated, expanded, resolved) hands to the executor
 * (keys → schedule → store). Everything here is already checked: kinds exist, parameters match their
 * schemas, references resolve, there is no cycle.
 */
import type { SourceLocation } from '../errors.js';
import type { Kind } from '../nodes/kind.js';
import type { PipelineMetric } from './metrics.js';

/** Brands keep a step name from being confused with a cache key or a content hash. */
export type StepName = string & { readonly __brand: 'StepName' };

export interface Pipeline {
  readonly name: string;
  /** Absolute path of the spec file. */
  readonly file: string;
  /** Folder of the spec: relative paths in steps resolve against it. */
  readonly dir: string;
  /** sha256 (hex) of the spec file's bytes. */
  readonly specHash: string;
  /** The global seed (`seed:`), entering only the keys of steps that use randomness. */
  readonly seed: number;
  /** `params:` after `--set` overrides. */
  readonly params: Readonly<Record<string, unknown>>;
  /** The `--set` overrides in effect (the last value given for a parameter), by name in code-unit order; absent or empty without `--set`. */
  readonly overrides?: Readonly<Record<string, unknown>>;
  /**
   * Strings given on the command line (`--set data=...`), as absolute paths resolved against the working
   * directory (`workingDir`): a step path equal to one of them is that file, and may lie outside the project.
   */
  readonly userPaths: ReadonlySet<string>;
  /** The working directory of the command line that gave `--set` (default: the process's). */
  readonly workingDir?: string;
  /** By instance name, in a topological order (ties broken by order in the spec). */
  readonly steps: ReadonlyMap<StepName, PipelineStep>;
  /** `metrics:`, one per step instance (absent: none). */
  readonly metrics?: readonly PipelineMetric[];
}

export interface PipelineStep {
  /** Instance name, e.g. `fit_good[modality=CT]`; equal to `base` when the step is not swept. */
  readonly name: StepName;
  /** The name written in the spec, e.g. `fit_good`. */
  readonly base: string;
  /** The sweep values of this instance, e.g. `{modality: "CT"}`; `{}` when not swept. */
  readonly sweep: Readonly<Record<string, string | number | boolean>>;
  readonly kind: Kind;
  /**
   * Resolved and normalised parameters: `${params.x}` and sweep values substituted, schema defaults
   * filled in, references rewritten to instance names. `kind`/`foreach`/`description` removed.
   */
  readonly params: Readonly<Record<string, unknown>>;
  /** Instance names of the steps whose outputs it reads, in a fixed order (order of appearance in params). */
  readonly inputs: readonly StepName[];
  /** Where the step is defined in the spec (its key). */
  readonly location: SourceLocation;
}
