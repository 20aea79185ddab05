/**
 * A run's key results: the numbers `lesionflow runs` lists for each run — the spec's `metrics:` and the
 * rows that documents declare key (`DocumentKind.keyResults`: the report's `published` rows). Read after the run
 * from the outputs, recorded in the run record with the output they were read from, and re-read only
 * when that output changed.
 */
import { decodeArtifact } from '../data/artifact.js';
import { isDocumentKind } from '../nodes/kind.js';
import { lookupNumber } from '../report/json-path.js';
import type { ContentHash } from './hash.js';
import type { Pipeline, StepName } from './pipeline.js';

export interface KeyResultRef {
  /** A metric's name, or a published row's label. */
  readonly label: string;
  readonly step: string;
  readonly path: string;
  readonly source: 'metric' | 'published';
}

export interface KeyResult extends KeyResultRef {
  /** null when it could not be read (`error` says why) or is not a finite number (NaN; ±Infinity as canonical JSON writes them). */
  readonly value: number | null;
  /** The output it was read from. */
  readonly output?: string;
  readonly error?: string;
}

/**
 * The key results a pipeline declares, in order: metrics, then the published rows of each step that
 * has them — those of its steps only (a `run --only` pipeline holds part of the spec's steps).
 */
export function keyResultRefs(pipeline: Pipeline): KeyResultRef[] {
  const refs: KeyResultRef[] = (pipeline.metrics ?? []).map((m) => ({ label: m.name, step: m.step, path: m.path, source: 'metric' as const }));
  for (const step of pipeline.steps.values()) {
    if (!isDocumentKind(step.kind)) continue;
    for (const r of step.kind.keyResults(step.params)) refs.push({ ...r, step: instanceOf(pipeline, r.step), source: 'published' });
  }
  return refs.filter((r) => pipeline.steps.has(r.step as StepName));
}

/** A step named in a kind's parameters (an instance name, or the base name of a step with one instance) as its instance name. */
function instanceOf(pipeline: Pipeline, step: string): string {
  if (pipeline.steps.has(step as StepName)) return step;
  const named = [...pipeline.steps.values()].filter((s) => s.base === step);
  return named.length === 1 ? named[0]!.name : step;
}

/**
 * Reads each key result from its step's output. `previous` (the last run's results) are reused where
 * the output is the same, so that a cached run reads nothing.
 */
export async function readKeyResults(
  refs: readonly KeyResultRef[],
  outputOf: (step: string) => ContentHash | undefined,
  load: (step: string) => Promise<string>,
  previous: readonly KeyResult[] = [],
): Promise<KeyResult[]> {
  const before = new Map(previous.map((r) => [`${r.step}\u0000${r.path}\u0000${r.output ?? ''}`, r]));
  const values = new Map<string, Promise<unknown>>();
  const out: KeyResult[] = [];
  for (const ref of refs) {
    const output = outputOf(ref.step);
    if (output === undefined) {
      out.push({ ...ref, value: null, error: `step "${ref.step}" has no output in this run` });
      continue;
    }
    const old = before.get(`${ref.step}\u0000${ref.path}\u0000${output}`);
    if (old !== undefined) {
      out.push({ ...ref, value: old.value, output, ...(old.error === undefined ? {} : { error: old.error }) });
      continue;
    }
    let value = values.get(ref.step);
    if (value === undefined) {
      value = load(ref.step).then(
        (text) => {
          const a = decodeArtifact(text);
          return a.type === 'result' ? a.value : `step "${ref.step}" produced a ${a.type}, not a result`;
        },
        (e: unknown) => `cannot read the output of step "${ref.step}": ${e instanceof Error ? e.message : String(e)}`,
      );
      values.set(ref.step, value);
    }
    const v = await value;
    if (typeof v === 'string') {
      out.push({ ...ref, value: null, output, error: v });
      continue;
    }
    const r = lookupNumber(v as Parameters<typeof lookupNumber>[0], ref.path);
    if (!r.ok) out.push({ ...ref, value: null, output, error: r.reason });
    else out.push({ ...ref, value: Number.isFinite(r.value) ? r.value : null, output });
  }
  return out;
}
