/**
 * Every step kind by its YAML name, each loaded on demand from its module (`src/nodes/<name>.ts`).
 * Adding a kind = one line here. The registry (registry.ts) loads them all, for spec analysis; a worker
 * thread or a SLURM task running a replicate loads only the kinds of its sub-pipeline (importing every kind
 * costs a fresh worker ~150 ms). No kind module imports this one or the registry.
 */
import type { Kind } from './kind.js';

type Loader = () => Promise<Kind>;
const as = (k: unknown): Kind => k as Kind; // each kind is typed by its own parameters: the list erases them

export const kindLoaders: ReadonlyMap<string, Loader> = new Map<string, Loader>([
  ['load', async () => as((await import('./load.js')).load)],
  ['filter', async () => as((await import('./filter.js')).filter)],
  ['subset', async () => as((await import('./subset.js')).subset)],
  ['derive', async () => as((await import('./derive.js')).derive)],
  ['join', async () => as((await import('./join.js')).join)],
  ['describe', async () => as((await import('./describe.js')).describe)],
  ['simulate', async () => as((await import('./simulate.js')).simulate)],
  ['simulate_truth', async () => as((await import('./simulate_truth.js')).simulateTruth)],
  ['fit_linear', async () => as((await import('./fit_linear.js')).fitLinearStep)],
  ['fit_logistic', async () => as((await import('./fit_logistic.js')).fitLogisticStep)],
  ['fit_ordinal', async () => as((await import('./fit_ordinal.js')).fitOrdinalStep)],
  ['impute', async () => as((await import('./impute.js')).impute)],
  ['mediate', async () => as((await import('./mediate.js')).mediate)],
  ['compare', async () => as((await import('./compare.js')).compare)],
  ['bootstrap', async () => as((await import('./bootstrap.js')).bootstrap)],
  ['volume_delta', async () => as((await import('./volume_delta.js')).volumeDelta)],
  ['trial_design', async () => as((await import('./trial_design.js')).trialDesign)],
  ['report', async () => as((await import('./report.js')).report)],
]);

/** The kinds of these names that exist (a name without a kind is left out: the caller reports it). */
export async function loadKinds(names: Iterable<string>): Promise<Map<string, Kind>> {
  const out = new Map<string, Kind>();
  for (const name of new Set(names)) {
    const load = kindLoaders.get(name);
    if (load !== undefined) out.set(name, await load());
  }
  return out;
}
