/**
 * Filling in reference parameters a step leaves out when its kind says where they come from
 * (`KindBase.defaultReferences`): `volume_delta` without `data:` reads the patients its `model` was
 * fitted on — the model step's `input`, or, when that is an `impute` step, the table it imputed.
 * Runs after every instance is analysed (the step named may come later in the file); the filled-in
 * parameter is then exactly as if written, so both forms share one cache key.
 */
import { SpecError } from '../errors.js';
import type { SourceLocation } from '../errors.js';
import type { Kind } from '../nodes/kind.js';
import type { DagEdge } from './dag.js';
import type { StepName } from './pipeline.js';
import { normalise } from './step-params.js';

/** What spec analysis has built for one instance (the fields this pass reads and replaces). */
export interface BuiltInstance {
  readonly name: StepName;
  readonly base: string;
  readonly kind: Kind;
  readonly params: Readonly<Record<string, unknown>>;
  readonly inputs: StepName[];
}

/**
 * For every instance whose kind has defaultReferences and that leaves one out: resolves it, rewrites
 * the instance's params and inputs (in `built`), and adds the graph edge (to `edges` of the instance).
 * `locate(base, param)` is where the step writes `param` (the via reference), for messages and edges.
 */
export function fillDefaultReferences<T extends BuiltInstance>(
  built: Map<string, T>,
  edgesOf: (instance: string) => DagEdge[] | undefined,
  locate: (base: string, param: string) => SourceLocation,
  referenceParams: (kind: Kind) => readonly string[],
  errors: SpecError[],
): void {
  for (const [name, inst] of built) {
    const rules = inst.kind.defaultReferences;
    if (rules === undefined) continue;
    let params = inst.params;
    for (const [param, rule] of Object.entries(rules)) {
      if (params[param] !== undefined) continue;
      const via = params[rule.via];
      // an optional via left out (trial_design without outcome_model): nothing to take the default from
      if (via === undefined) continue;
      // the step named could not be analysed: its own error says what to fix, and this one then fills itself in
      if (typeof via === 'string' && !built.has(via)) continue;
      const location = locate(inst.base, rule.via);
      const found = follow(built, via, rule);
      if (typeof found !== 'string') {
        errors.push(new SpecError(`${inst.kind.kind} step "${name}" has no ${param}: and it cannot be taken from ${rule.via}: ${found.why}`, {
          location,
          hint: `add ${param}: <step> naming the data step to read`,
        }));
        continue;
      }
      params = normalise({ ...params, [param]: found }) as Record<string, unknown>;
      edgesOf(name)?.push({ to: found, location });
    }
    if (params === inst.params) continue;
    built.set(name, { ...inst, params, inputs: inputsOf(params, referenceParams(inst.kind)) });
  }
}

/** The `rule.param` of the step `via` names, followed through the kinds of `rule.through`. */
function follow(
  built: ReadonlyMap<string, BuiltInstance>,
  via: unknown,
  rule: { readonly via: string; readonly param: string; readonly through?: readonly string[] },
): string | { why: string } {
  if (typeof via !== 'string') return { why: `"${rule.via}" names ${Array.isArray(via) ? 'several steps' : 'no step'}` };
  let target = built.get(via);
  const seen = new Set<string>();
  while (target !== undefined && !seen.has(target.name)) {
    seen.add(target.name);
    const ref = target.params[rule.param];
    if (typeof ref !== 'string') return { why: `step "${target.name}" (${target.kind.kind}) has no single ${rule.param}` };
    const next = built.get(ref);
    if (next === undefined || !(rule.through ?? []).includes(next.kind.kind)) return ref;
    target = next;
  }
  return { why: `the steps from "${via}" on read each other in a cycle` };
}

/** Inputs in the order spec analysis uses: reference parameters in code-unit order of their names, then list order. */
export function inputsOf(params: Readonly<Record<string, unknown>>, refNames: readonly string[]): StepName[] {
  const refs = new Set(refNames);
  const inputs: StepName[] = [];
  for (const key of Object.keys(params)) {
    if (!refs.has(key)) continue;
    for (const ref of [params[key]].flat() as string[]) if (!inputs.includes(ref as StepName)) inputs.push(ref as StepName);
  }
  return inputs;
}
