/**
 * The steps some steps are computed from: themselves, the steps they read and the sub-pipelines they
 * re-run, transitively — what `run --only` runs (only.ts) and what a report's provenance covers
 * (provenance.ts). In the pipeline's run order.
 */
import { subgraphSteps } from './key.js';
import type { Pipeline, PipelineStep, StepName } from './pipeline.js';

export function upstreamSteps(pipeline: Pipeline, steps: readonly StepName[]): PipelineStep[] {
  const seen = new Set<StepName>();
  const stack = [...steps];
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (seen.has(s)) continue;
    seen.add(s);
    const step = pipeline.steps.get(s);
    if (step !== undefined) stack.push(...step.inputs, ...(subgraphSteps(pipeline, step) ?? []));
  }
  return [...pipeline.steps.values()].filter((s) => seen.has(s.name));
}
