/**
 * Parameters that take another value inside a replicate: a kind's parameter schema may say, with
 * `x-in-replicates`, what a parameter becomes when its step runs inside a replicate (a bootstrap's
 * sub-pipeline) — e.g. mediate's `counterfactual: false`: re-running its counterfactual simulation in every
 * replicate would multiply its cost by B for intervals mediate already gives by its own simulation. The
 * estimates the step then does not produce are listed (`omits`, output paths) with the reason (`why`):
 * the bootstrap leaves them out, and refuses them when asked for by name.
 *
 *   counterfactual: {type: boolean, default: true, x-in-replicates: {value: false, omits: [counterfactual], why: "…"}}
 *
 * A declaration on the parameter, not a hook on the kind: any kind's parameter can carry one.
 */
import type { Kind } from '../../nodes/kind.js';

export interface InReplicates {
  readonly value: unknown;
  readonly omits?: readonly string[];
  readonly why?: string;
}

/** The `x-in-replicates` declarations of a kind's top-level parameters, by parameter name. */
export function inReplicatesOf(kind: Pick<Kind, 'params'>): Map<string, InReplicates> {
  const out = new Map<string, InReplicates>();
  const props = (kind.params as { properties?: Record<string, Record<string, unknown>> }).properties ?? {};
  for (const [name, schema] of Object.entries(props)) {
    const r = schema['x-in-replicates'];
    if (r !== null && typeof r === 'object' && 'value' in r) out.set(name, r);
  }
  return out;
}

/**
 * A step's parameters inside a replicate, with the output paths it then does not produce and why (those of
 * the parameters whose value changes). Parameters already at their in-replicate value change nothing.
 */
export function inReplicates(kind: Pick<Kind, 'params'>, params: Readonly<Record<string, unknown>>): { params: Readonly<Record<string, unknown>>; omits: string[]; why: string[] } {
  let out = params;
  const omits: string[] = [];
  const why: string[] = [];
  for (const [name, r] of inReplicatesOf(kind)) {
    if (sameJson(params[name], r.value)) continue;
    out = { ...out, [name]: r.value };
    omits.push(...(r.omits ?? []));
    if (r.why !== undefined) why.push(r.why);
  }
  return { params: out, omits, why };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
