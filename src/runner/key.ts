/**
 * The cache key of a step: sha256 of its key material, serialised canonically. The material is what
 * the step's output can depend on, and nothing else:
 *
 * - the key-scheme version (bumped when this module changes what goes in);
 * - the step kind and the kind's implementation version;
 * - the resolved, normalised parameters (defaults filled in and `kind.normalise` applied by spec
 *   analysis; key order canonical) — execution knobs that cannot change the output (`--batch`,
 *   `--executor`) are run options, never parameters;
 * - the content hashes of its inputs' OUTPUTS, in the step's fixed input order — not their keys, so an
 *   upstream step that re-runs but yields identical bytes leaves its dependants cached (early cutoff);
 * - the content hashes of the files the step reads (its `x-file` parameters: step-files.ts), by their path as written;
 * - the step's own seed (from the pipeline seed and its name, see hash.ts `stepSeed`), only when the
 *   kind says the step is random (`kind.random`): two random steps with equal parameters still draw
 *   different numbers, so they must not share a key;
 * - for replicated kinds with a sub-pipeline (ReplicateKind.subPipeline), the keys of the sub-pipeline's
 *   steps, in run order (the material's `subgraph`).
 * - for kinds with `provenance` (the report), the provenance their output states (provenance.ts): the
 *   spec's path and sha256, the seed, the `--set` overrides, the upstream data files' hashes and the
 *   versions. Other steps' keys do not hold it, so editing a spec's comment re-runs only the report.
 *
 * Lists keep their given order; object keys are sorted by UTF-16 code unit in canonical.ts, never with
 * localeCompare (whose order differs between machines and would make keys machine-dependent).
 */
import { canonicalJson, type Json } from '../data/canonical.js';
import { InternalError } from '../errors.js';
import { isDocumentKind, subPipelineOf, type Kind } from '../nodes/kind.js';
import { sha256, stepSeed, type CacheKey, type ContentHash } from './hash.js';
import type { Pipeline, PipelineStep, StepName } from './pipeline.js';
import type { ResultProvenance } from './provenance.js';
import { stepFiles } from './step-files.js';

/** Bump when the material's shape or meaning changes: every key changes, so list it under "Invalidating changes". */
export const KEY_SCHEME = 1;

/** `null` marks a hash not known yet (an input that `plan` expects to re-run). */
export type Pending<T> = T | null;

export interface KeyMaterial {
  readonly scheme: number;
  readonly kind: string;
  readonly version: number;
  readonly params: Json;
  readonly inputs: readonly (readonly [string, Pending<ContentHash>])[];
  readonly files: readonly (readonly [string, ContentHash])[];
  /** The step's seed, present only when the step is random. */
  readonly seed?: number;
  /** Present only for kinds with a sub-pipeline. */
  readonly subgraph?: readonly (readonly [string, Pending<CacheKey>])[];
  /** Present only for kinds with `provenance`. */
  readonly provenance?: Json;
}

/** What the material is built from, besides the step itself. */
export interface KeyFacts {
  /** The pipeline seed (the step's seed is derived from it and the step's name). */
  readonly seed: number;
  outputOf(step: StepName): Pending<ContentHash>;
  keyOf(step: StepName): Pending<CacheKey>;
  /** The content hash of a file named by an `x-file` parameter, by its path as written in the spec. */
  fileHash(path: string): ContentHash;
  /** The provenance of a step whose kind declares `provenance` (provenance.ts); required for such a step. */
  provenance?(step: PipelineStep): ResultProvenance;
}

export function keyMaterial(step: PipelineStep, subgraph: readonly StepName[] | undefined, facts: KeyFacts): KeyMaterial {
  const kind: Kind = step.kind;
  const files = stepFiles(kind, step.params);
  const material: {
    -readonly [K in keyof KeyMaterial]: KeyMaterial[K];
  } = {
    scheme: KEY_SCHEME,
    kind: kind.kind,
    version: kind.version,
    params: JSON.parse(canonicalJson(step.params)) as Json,
    inputs: step.inputs.map((i) => [i, facts.outputOf(i)] as const),
    files: files.map((f) => [f, facts.fileHash(f)] as const),
  };
  if (kind.random?.(step.params) === true) material.seed = stepSeed(facts.seed, step.name);
  if (subgraph !== undefined) material.subgraph = subgraph.map((s) => [s, facts.keyOf(s)] as const);
  if (isDocumentKind(kind)) {
    if (facts.provenance === undefined) throw new InternalError(`document "${step.name}" states its provenance, but none was given for its key`);
    material.provenance = JSON.parse(canonicalJson(facts.provenance(step))) as Json;
  }
  return material;
}

/** True when every hash of the material is known (so a key can be taken). */
export function isComplete(m: KeyMaterial): boolean {
  return m.inputs.every(([, h]) => h !== null) && (m.subgraph ?? []).every(([, k]) => k !== null);
}

export function cacheKey(m: KeyMaterial): CacheKey {
  if (!isComplete(m)) throw new InternalError('cache key requested for key material with pending hashes');
  return sha256(canonicalJson(m)) as CacheKey;
}

/**
 * The steps of a kind's sub-pipeline: those downstream of `params[subPipeline.from]` (excluded) and
 * upstream of, or equal to, `params[subPipeline.of]`, in the pipeline's run order. Undefined for a kind
 * without a sub-pipeline.
 */
export function subgraphSteps(pipeline: Pipeline, step: PipelineStep): StepName[] | undefined {
  const sg = subPipelineOf(step.kind);
  if (sg === undefined) return undefined;
  const from = step.params[sg.from];
  const of = step.params[sg.of];
  if (typeof from !== 'string' || typeof of !== 'string') {
    throw new InternalError(`step "${step.name}": subgraph parameters "${sg.from}"/"${sg.of}" are not step names`);
  }
  // Ancestors-or-self of `of`.
  const upstream = new Set<string>();
  const stack = [of];
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (upstream.has(s)) continue;
    upstream.add(s);
    if (s === from) continue;
    for (const i of pipeline.steps.get(s as StepName)?.inputs ?? []) stack.push(i);
  }
  // Of those, the ones that depend on `from` (transitively), excluding `from` itself.
  const dependsOnFrom = new Map<string, boolean>([[from, true]]);
  const reaches = (s: string): boolean => {
    const known = dependsOnFrom.get(s);
    if (known !== undefined) return known;
    dependsOnFrom.set(s, false);
    const r = (pipeline.steps.get(s as StepName)?.inputs ?? []).some(reaches);
    dependsOnFrom.set(s, r);
    return r;
  };
  return [...pipeline.steps.keys()].filter((s) => s !== from && upstream.has(s) && reaches(s));
}
