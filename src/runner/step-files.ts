/**
 * The files a step reads: a kind's parameter schema marks a parameter that names one with `x-file: true`
 * (a string, or a list of strings) — e.g. load's `path`. The runner hashes each file's content into the
 * step's key (key.ts) and states it in the run's provenance, resolving the path against the spec's folder
 * (or the working directory for a `--set` value: paths.ts).
 *
 *   path: {type: string, minLength: 1, x-file: true, description: "The data file, …"}
 *
 * A declaration on the parameter, not a hook on the kind (as `x-in-replicates`): any kind's parameter can
 * carry one, and the files are the parameters' values in the schema's order.
 */
import type { Kind } from '../nodes/kind.js';

/** fileParamsOf's answers by schema (a kind's schema does not change: a 10 000-step grid reads it once). */
const byParams = new WeakMap<object, readonly string[]>();

/** The names of a kind's top-level parameters marked `x-file: true`, in the schema's order. */
export function fileParamsOf(kind: Pick<Kind, 'params'>): readonly string[] {
  let names = byParams.get(kind.params);
  if (names === undefined) {
    const props = (kind.params as { properties?: Record<string, Record<string, unknown>> }).properties ?? {};
    names = Object.entries(props).filter(([, schema]) => schema['x-file'] === true).map(([name]) => name);
    byParams.set(kind.params, names);
  }
  return names;
}

/** The paths, as written, of the files a step with these (checked) parameters reads. */
export function stepFiles(kind: Pick<Kind, 'params'>, params: Readonly<Record<string, unknown>>): string[] {
  const out: string[] = [];
  for (const name of fileParamsOf(kind)) {
    const v = params[name];
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) for (const f of v) if (typeof f === 'string') out.push(f);
  }
  return out;
}
