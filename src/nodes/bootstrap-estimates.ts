/**
 * The numeric estimates of a step's JSON result, as named paths, for the bootstrap to resample:
 * `mediation.proportion_explained`, `coefficients[term=fiv_ml].estimate`, `deltas[0].median`.
 * Array elements that are objects with a naming field (term, name, label, parameter, variable, level)
 * are addressed by it, so a path keeps its meaning when a replicate's rows come out in another order;
 * other elements by position. Counts and settings (n, df, iterations, …) are not estimates and are skipped.
 */

const NAMING_FIELDS = ['term', 'name', 'label', 'parameter', 'variable', 'level', 'delta'] as const;
const NOT_ESTIMATES = new Set([
  'n', 'nobs', 'n_obs', 'df', 'df_residual', 'df_null', 'dfcom', 'iterations', 'iter', 'm', 'imputations', 'nrows', 'version', 'seed', 'replicates', 'units',
  'conf', 'conf_level', 'level', 'delta', 'points', 'patients', 'solved', 'exceeds_volume', 'target_ge_1', 'not_reached', 'extrapolated', 'excluded_missing',
  'min_volume', 'tol',
]);

function elementKey(element: unknown, index: number): string {
  if (element !== null && typeof element === 'object' && !Array.isArray(element)) {
    const o = element as Record<string, unknown>;
    for (const f of NAMING_FIELDS) {
      const v = o[f];
      if (typeof v === 'string' || typeof v === 'number') return `[${f}=${String(v)}]`;
    }
  }
  return `[${index}]`;
}

/** One step from a JSON value to a leaf: an object's key, an array element by its name (elementKey), or a position. */
export type RouteStep = { readonly key: string } | { readonly element: string } | { readonly at: number };

/**
 * Every numeric leaf of `value` (finite or not) with its path and the route to it, in a stable order
 * (object keys sorted by code unit), as `visit(path, route, number)`. The one walk behind numericLeaves
 * and leafRoutes.
 */
function walkLeaves(value: unknown, visit: (path: string, route: readonly RouteStep[], v: number) => void): void {
  const route: RouteStep[] = [];
  const walk = (v: unknown, path: string, key: string): void => {
    if (typeof v === 'number') {
      if (!NOT_ESTIMATES.has(key)) visit(path, route, v);
      return;
    }
    if (v === null || typeof v !== 'object') return;
    const into = (step: RouteStep, child: unknown, childPath: string, childKey: string): void => {
      route.push(step);
      walk(child, childPath, childKey);
      route.pop();
    };
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      const a = v as unknown as ArrayLike<number>;
      for (let i = 0; i < a.length; i++) into({ at: i }, a[i], `${path}[${i}]`, key);
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((e: unknown, i) => {
        const name = elementKey(e, i);
        into(name === `[${i}]` ? { at: i } : { element: name }, e, `${path}${name}`, key);
      });
      return;
    }
    const keys = Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const k of keys) into({ key: k }, (v as Record<string, unknown>)[k], path === '' ? k : `${path}.${k}`, k);
  };
  walk(value, '', '');
}

/** All numeric leaves of `value` (finite or not) with their paths, in a stable order (object keys sorted by code unit). */
export function numericLeaves(value: unknown): Map<string, number> {
  const out = new Map<string, number>();
  walkLeaves(value, (path, _route, v) => out.set(path, v));
  return out;
}

/** The route to each numeric leaf of `value`, by path (numericLeaves' paths): for reading the same leaves of results shaped alike (readLeaf). */
export function leafRoutes(value: unknown): Map<string, readonly RouteStep[]> {
  const out = new Map<string, readonly RouteStep[]>();
  walkLeaves(value, (path, route) => out.set(path, [...route]));
  return out;
}

/**
 * The number at the end of `route` in `value`, or NaN where there is none: what numericLeaves(value)
 * gives for the route's path, without walking the whole value. An element named in the route is looked
 * for by its name (the last of that name, as numericLeaves keeps the last).
 */
export function readLeaf(value: unknown, route: readonly RouteStep[]): number {
  let v = value;
  for (const step of route) {
    if (v === null || typeof v !== 'object') return NaN;
    if ('key' in step) {
      if (Array.isArray(v) || ArrayBuffer.isView(v)) return NaN;
      v = (v as Record<string, unknown>)[step.key];
    } else if ('at' in step) {
      const isTyped = ArrayBuffer.isView(v) && !(v instanceof DataView);
      if (!isTyped && !Array.isArray(v)) return NaN;
      const a = v as ArrayLike<unknown>;
      v = a[step.at];
      // a positional element of a plain array is one without a name (elementKey)
      if (!isTyped && elementKey(v, step.at) !== `[${step.at}]`) return NaN;
    } else {
      if (!Array.isArray(v)) return NaN;
      let found: unknown;
      for (let i = v.length - 1; i >= 0 && found === undefined; i--) if (elementKey(v[i], i) === step.element) found = v[i];
      v = found;
    }
  }
  return typeof v === 'number' ? v : NaN;
}

/** The paths to report: all leaves, or those equal to or under one of `select`. */
export function selectPaths(leaves: ReadonlyMap<string, number>, select: readonly string[] | undefined): string[] {
  const all = [...leaves.keys()];
  if (select === undefined || select.length === 0) return all;
  return all.filter((p) => select.some((s) => p === s || p.startsWith(`${s}.`) || p.startsWith(`${s}[`)));
}
