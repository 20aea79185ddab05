/**
 * One workload of bench/ab.ts's instruction counts, run `reps` times by the build at <root>:
 *
 *   node dist/bench/ab-work.js <root> <workload> <reps>
 *
 * Workloads (their inputs built first, then `reps` calls): `ordinal` (fitOrdinal, 1 665 rows, 9
 * covariates), `ordinal-warm` (the bootstrap's case: frequency weights and a start near the estimate, no
 * eigen-check), `replicate` (one mediation bootstrap replicate as the bootstrap's fast path runs it),
 * `logistic` (fitLogistic, 10⁵ rows, 10 covariates), `impute` (one imputation of the HERMES-like cohort's
 * 10 variables per call, by stats/mice/mice.ts's `mice`, the chains an impute step's units run). Only
 * entry points a user's run goes through are called, so that other builds can run the same workload. No `run` export: `npm run bench` does not run this file itself.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The build's module at dist/src/<path>. */
async function from<T>(root: string, path: string): Promise<T> {
  return (await import(pathToFileURL(resolve(root, 'dist/src', path)).href)) as T;
}

const COVARIATES = ['age', 'sex_female', 'nihss', 'aspects', 'occlusion', 'ivt', 'onset_to_rand_min'];

async function work(root: string, name: string, reps: number): Promise<void> {
  const { simulateCohort } = await from<{ simulateCohort: (c: string, n: number, seed: number) => unknown }>(root, 'stats/simulate/cohorts.js');
  const { buildDesign } = await from<{ buildDesign: (f: string, t: unknown, o?: object) => { X: Float64Array; n: number; p: number; response: unknown } }>(root, 'stats/design.js');
  const ordinal = await from<{ fitOrdinal: (X: Float64Array, n: number, p: number, y: Int32Array, J: number, o?: object) => { par: Float64Array }; responseCategories: (r: unknown) => { codes: Int32Array; labels: string[] } }>(root, 'stats/ordinal.js');
  if (name === 'ordinal' || name === 'ordinal-warm') {
    const md = buildDesign(`mrs90 ~ evt + ${COVARIATES.join(' + ')} + I(fiv_ml^(1/3))`, simulateCohort('hermes', 1665, 7));
    const cats = ordinal.responseCategories(md.response);
    const X = md.X.subarray(md.n);
    const [n, p, J] = [md.n, md.p - 1, cats.labels.length];
    if (name === 'ordinal') {
      for (let k = 0; k < reps; k++) ordinal.fitOrdinal(X, n, p, cats.codes, J);
      return;
    }
    const w = Float64Array.from({ length: n }, (_, i) => 1 + (i % 3));
    const start = ordinal.fitOrdinal(X, n, p, cats.codes, J, { weights: w, checkHessian: false }).par.map((v, i) => v + 0.02 * Math.sin(i));
    for (let k = 0; k < reps; k++) ordinal.fitOrdinal(X, n, p, cats.codes, J, { weights: w, start, checkHessian: false });
    return;
  }
  if (name === 'replicate') {
    const table = simulateCohort('hermes', 1665, 7) as { nrows: number };
    const { mediateResamplePlan } = await from<{ mediateResamplePlan: (params: object, t: unknown) => ((rows: Int32Array, k: number) => unknown) | undefined }>(root, 'nodes/mediate.js');
    const { rngFor } = await from<{ rngFor: (seed: number, k: number) => { int: (n: number) => number } }>(root, 'stats/rng.js');
    const plan = mediateResamplePlan({ input: 'cohort', outcome: 'mrs90', exposure: 'evt', mediator: 'fiv_ml', transform: 'cbrt', covariates: COVARIATES, counterfactual: false }, table);
    if (plan === undefined) throw new Error('no resample plan');
    for (let b = 0; b < reps; b++) {
      const rng = rngFor(20261122, b);
      plan(Int32Array.from({ length: table.nrows }, () => rng.int(table.nrows)), 1);
    }
    return;
  }
  if (name === 'logistic') {
    const { syntheticData } = await import('./stats.js');
    const md = buildDesign('y ~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10', syntheticData(100_000));
    const { fitLogistic } = await from<{ fitLogistic: (X: Float64Array, n: number, p: number, y: Float64Array) => unknown }>(root, 'stats/logistic.js');
    const y = (md.response as { values: Float64Array }).values;
    for (let k = 0; k < reps; k++) fitLogistic(md.X, md.n, md.p, y);
    return;
  }
  if (name === 'impute') {
    const { mice } = await from<{ mice: (t: unknown, o: object, seed: number) => unknown }>(root, 'stats/mice/mice.js');
    const variables = ['evt', 'age', 'sex_female', 'nihss', 'aspects', 'occlusion', 'ivt', 'onset_to_rand_min', 'fiv_ml', 'mrs90'];
    if (reps > 0) mice(simulateCohort('hermes', 1665, 7), { variables, m: reps, maxit: 5, donors: 5, includeOutcome: true }, 20261122);
    return;
  }
  throw new Error(`unknown workload "${name}"`);
}

// only as a script of its own (bench/index.ts imports every module of dist/bench to look for a `run`)
if (process.argv[1] !== undefined && resolve(process.argv[1]) === import.meta.filename) {
  const [root, name, reps] = process.argv.slice(2);
  if (root === undefined || name === undefined) throw new Error('usage: node dist/bench/ab-work.js <root> <workload> <reps>');
  await work(root, name, Number(reps ?? 1));
}
