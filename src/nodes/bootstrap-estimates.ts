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

/** All numeric leaves of `value` (finite or not) with their paths, in a stable order (object keys sorted by code unit). */
export function numericLeaves(value: unknown): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (v: unknown, path: string, key: string): void => {
    if (typeof v === 'number') {
      if (!NOT_ESTIMATES.has(key)) out.set(path, v);
      return;
    }
    if (v === null || typeof v !== 'object') return;
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      const a = v as unknown as ArrayLike<number>;
      for (let i = 0; i < a.length; i++) walk(a[i], `${path}[${i}]`, key);
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((e: unknown, i) => {
        walk(e, `${path}${elementKey(e, i)}`, key);
      });
      return;
    }
    const keys = Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const k of keys) walk((v as Record<string, unknown>)[k], path === '' ? k : `${path}.${k}`, k);
  };
  walk(value, '', '');
  return out;
}

/** The paths to report: all leaves, or those equal to or under one of `select`. */
export function selectPaths(leaves: ReadonlyMap<string, number>, select: readonly string[] | undefined): string[] {
  const all = [...leaves.keys()];
  if (select === undefined || select.length === 0) return all;
  return all.filter((p) => select.some((s) => p === s || p.startsWith(`${s}.`) || p.startsWith(`${s}[`)));
}
