/**
 * How the data steps record the patient flow (src/results/flow.ts) in what they produce: each takes the
 * flow its input carried and appends its own box, unless it dropped no row (then the output carries the
 * input's flow unchanged, so it is byte-identical to a step that was not there). A flow starts at a
 * load step: data without one (a simulated cohort, a bootstrap's resample) carry none, and the steps
 * reading them record none.
 */
import type { TableArtifact } from '../data/artifact.js';
import type { JsonObject } from '../data/canonical.js';
import type { Table } from '../data/table.js';
import type { ModelData } from '../stats/design.js';
import { extendFlow, flowBox, flowJson, type Flow } from '../results/flow.js';
import type { StepInputs } from './kind.js';

/**
 * A table step's output: `kept` rows of `before` (undefined: `after`'s rows are a subset of `before`'s,
 * counted in `after`, as a join's); a box for the rows it dropped, if any.
 */
export function keptTable(inputs: StepInputs, input: string, before: Table, after: Table, box: { step: string; kind: string; reason: string; kept?: ArrayLike<number> }): TableArtifact {
  const flow = carriedFlow(inputs, input);
  if (flow === undefined || after.nrows === before.nrows) return { type: 'table', table: after, flow };
  return { type: 'table', table: after, flow: extendFlow(flow, flowBox(box.step, box.kind, box.reason, flow.arm, before, box.kept ?? after)) };
}

/** The flow of an input exactly as it was carried (undefined when it carried none: nothing is added). */
export function carriedFlow(inputs: StepInputs, input: string): Flow | undefined {
  const a = inputs.get(input);
  return a?.type === 'table' || a?.type === 'imputed' ? a.flow : undefined;
}

/**
 * A fit's result with its flow: the input's boxes, then the fit's own — the rows it could use (`md.rows`
 * of the input table, or of an imputed set's original rows), the rest dropped for missing model
 * variables (counted per variable: a row missing several counts under each).
 */
export function withFitFlow(value: JsonObject, inputs: StepInputs, input: string, step: string, kind: string, md: Pick<ModelData, 'rows' | 'dropped'>): JsonObject {
  const a = inputs.get(input);
  const before = a?.type === 'table' ? a.table : a?.type === 'imputed' ? a.original : undefined;
  const flow = carriedFlow(inputs, input);
  if (before === undefined || flow === undefined) return value;
  const reason = md.dropped.length === 0 ? 'complete data for the model' : `missing model variables: ${md.dropped.map((d) => `${d.variable} ${d.rows}`).join(', ')}`;
  return { ...value, flow: flowJson(extendFlow(flow, flowBox(step, kind, reason, flow.arm, before, md.rows))) };
}
