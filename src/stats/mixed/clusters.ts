/**
 * The clusters of a mixed model: the grouping factor's levels present in the fitted rows, the rows
 * sorted by cluster (stable), and the checks that decide whether a random effect can be estimated:
 *   - one cluster only: no between-cluster variance to estimate (DataError);
 *   - a cluster of one patient: legal (lme4 and clmm fit it) but worth a warning;
 *   - a random slope whose variable is constant within every cluster: its variance is confounded with
 *     the random intercept's (DataError).
 */
import { DataError } from '../../errors.js';

export interface Clusters {
  /** Labels of the clusters present, in the factor's level order. */
  readonly levels: readonly string[];
  /** Rows per cluster. */
  readonly sizes: Int32Array;
  /** Sorted position → original row (stable within a cluster). */
  readonly order: Int32Array;
  /** Sorted rows start[c] .. start[c+1]−1 are cluster c. */
  readonly start: Int32Array;
  readonly warnings: readonly string[];
}

/**
 * Groups rows by their code (0..levels.length−1, all ≥ 0). `group` names the grouping column in messages,
 * `term` the random-effect term.
 */
export function clustersOf(codes: Int32Array, levels: readonly string[], group: string, term: string): Clusters {
  const n = codes.length;
  const count = new Int32Array(levels.length);
  for (let i = 0; i < n; i++) count[codes[i]!]!++;
  const present: number[] = [];
  count.forEach((c, l) => {
    if (c > 0) present.push(l);
  });
  if (present.length < 2) {
    throw new DataError(
      `the grouping factor "${group}" of the random-effect term "${term}" has ${present.length === 1 ? `one level ("${levels[present[0]!]!}")` : 'no levels'} in the fitted rows: a between-${group} variance cannot be estimated`,
      { hint: `drop the term "${term}" (a fixed-effects model) or fit data with at least two levels of "${group}"` },
    );
  }
  const index = new Int32Array(levels.length).fill(-1);
  present.forEach((l, c) => (index[l] = c));
  const sizes = Int32Array.from(present, (l) => count[l]!);
  const start = new Int32Array(present.length + 1);
  for (let c = 0; c < present.length; c++) start[c + 1] = start[c]! + sizes[c]!;
  const next = start.slice(0, present.length);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = index[codes[i]!]!;
    order[next[c]!] = i;
    next[c]!++;
  }
  const single = present.filter((l) => count[l] === 1).map((l) => `"${levels[l]!}"`);
  const warnings =
    single.length === 0
      ? []
      : [`${single.length === 1 ? 'the cluster' : `${single.length} clusters`} ${single.join(', ')} of "${group}" ${single.length === 1 ? 'has' : 'have'} one patient: ${single.length === 1 ? 'its' : 'their'} random effect rests on one observation`];
  return { levels: present.map((l) => levels[l]!), sizes, order, start, warnings };
}

/** Refuses a random slope for a variable that is constant within every cluster (rows in cluster order). */
export function checkSlopeVaries(z: Float64Array, start: Int32Array, variable: string, group: string, term: string): void {
  for (let c = 0; c + 1 < start.length; c++) {
    const first = z[start[c]!]!;
    for (let i = start[c]! + 1; i < start[c + 1]!; i++) if (z[i] !== first) return;
  }
  throw new DataError(`the random slope of "${variable}" in "${term}": "${variable}" is constant within every level of "${group}", so its variance cannot be told apart from the random intercept's`, {
    hint: `use "(1 | ${group})" — a variable that varies only between clusters has no within-cluster slope`,
  });
}
