/**
 * `run --only <step>`: the part of a pipeline a run needs for the steps asked for — those steps (a name
 * without brackets is every instance of a swept step) and, transitively, the steps they read and the
 * sub-pipelines they re-run. Keys depend only on what is upstream, so each step of the part has the key
 * it has in the whole pipeline: its output is shared with full runs through the cache.
 */
import { closest } from '../errors.js';
import { upstreamSteps } from './upstream.js';
import type { Pipeline, PipelineStep, StepName } from './pipeline.js';

/** What a `--only` run asked for, and the steps of the spec it leaves out (their files are kept, marked stale). */
export interface OnlyRun {
  readonly asked: readonly string[];
  readonly omitted: readonly StepName[];
}

export type OnlySelection = { readonly ok: true; readonly pipeline: Pipeline; readonly only: OnlyRun } | { readonly ok: false; readonly message: string; readonly hint: string };

export function selectSteps(pipeline: Pipeline, only: readonly string[]): OnlySelection {
  const wanted: StepName[] = [];
  for (const name of only) {
    const exact = pipeline.steps.get(name as StepName);
    const found = exact === undefined ? [...pipeline.steps.values()].filter((s) => s.base === name) : [exact];
    if (found.length === 0) {
      const names = [...new Set([...pipeline.steps.values()].map((s) => s.base))];
      const near = closest(name, [...names, ...pipeline.steps.keys()]);
      return { ok: false, message: `--only ${name}: no step of that name in ${pipeline.name}${near === undefined ? '' : ` (did you mean "${near}"?)`}`, hint: `steps: ${names.join(', ')}` };
    }
    wanted.push(...found.map((s) => s.name));
  }
  const keep = new Set(upstreamSteps(pipeline, wanted).map((s) => s.name));
  const steps = new Map<StepName, PipelineStep>([...pipeline.steps].filter(([n]) => keep.has(n)));
  return { ok: true, pipeline: { ...pipeline, steps }, only: { asked: only, omitted: [...pipeline.steps.keys()].filter((n) => !keep.has(n)) } };
}
