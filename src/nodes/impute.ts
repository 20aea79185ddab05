/**
 * `kind: impute` — multiple imputation by chained equations, as R's `mice` (see docs/steps/impute.md
 * and src/stats/mice/). A replicated kind: its m imputations are the units, which the runner runs in
 * batches on the run's executor (threads or SLURM), checkpointed (`runImputations` below); imputation k
 * draws from rngFor(step seed, k), so the output is the same whatever the batches or executor.
 * Output: an `imputed` artifact (original table + the m imputed values of each missing cell) whose
 * info holds the methods, the predictor matrix, the missing counts and the chain means and SDs per
 * iteration (for convergence plots).
 */
import { DATA } from '../results/products.js';
import type { BatchArgs, ReplicateKind } from './kind.js';
import { inputTable } from './input-table.js';
import { carriedFlow } from './flow-record.js';
import { extendFlow, flowBox } from '../results/flow.js';
import type { ImputedArtifact, ImputedVariable } from '../data/artifact.js';
import type { Json, JsonObject } from '../data/canonical.js';
import type { Table } from '../data/table.js';
import { buildChainSpec, runChains } from '../stats/mice/mice.js';
import { type ChainResult, type ChainSpec, type MiceMethod, miceMethods, missingRows } from '../stats/mice/sampler.js';

/** The batch function of the imputations: imputations start … end − 1, imputation k from rngFor(seed, k). */
export function runImputations(task: BatchArgs<ChainSpec>): ChainResult[] {
  return runChains({ spec: task.shared, seed: task.seed, ks: Array.from({ length: task.end - task.start }, (_, i) => task.start + i) });
}

function chainSpec(p: ImputeParams, table: ReturnType<typeof inputTable>): ChainSpec {
  return buildChainSpec(table, {
    variables: p.variables,
    m: p.m,
    maxit: p.maxit,
    donors: p.donors,
    methods: p.methods,
    predictors: p.predictors,
    outcome: p.outcome,
    includeOutcome: p.include_outcome ?? true,
  });
}

export interface ImputeParams {
  readonly input: string;
  readonly variables: readonly string[];
  readonly m: number;
  readonly maxit: number;
  readonly donors: number;
  readonly methods?: Readonly<Record<string, MiceMethod>>;
  readonly predictors?: Readonly<Record<string, readonly string[]>>;
  readonly outcome?: string;
  readonly include_outcome?: boolean;
  /** Also write the completed data sets in mice's long format (`<step>.long.csv`). */
  readonly long?: boolean;
}

export const impute: ReplicateKind<ImputeParams, { readonly table: Table; readonly spec: ChainSpec }> = {
  kind: 'impute',
  version: 4,
  produces: 'imputed',
  summary: 'Multiple imputation by chained equations (as R mice): pmm, logreg, polr, polyreg; m imputed data sets',
  params: {
    type: 'object',
    properties: {
      input: { type: 'string', description: 'The data step whose table is imputed.' },
      variables: {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        minItems: 1,
        uniqueItems: true,
        description: 'The imputation set: each incomplete one is imputed, each one predicts the others.',
      },
      m: { type: 'integer', minimum: 1, maximum: 1000, default: 5, description: 'Number of imputations (mice default 5).' },
      maxit: { type: 'integer', minimum: 1, maximum: 1000, default: 5, description: 'Iterations of the chained equations (mice default 5).' },
      donors: { type: 'integer', minimum: 1, maximum: 100, default: 5, description: 'pmm donor pool size (mice default 5).' },
      methods: {
        type: 'object',
        additionalProperties: { enum: miceMethods },
        description: 'Method per variable, overriding the default (pmm for numbers, logreg for 0/1 numbers and two-level factors, polyreg for other factors).',
      },
      predictors: {
        type: 'object',
        additionalProperties: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
        description: 'Predictors per variable, replacing the default (all other variables of the set).',
      },
      outcome: { type: 'string', minLength: 1, description: 'The analysis outcome; joins the imputation set if not listed.' },
      long: { type: 'boolean', description: 'Also write <step>.long.csv: the m completed data sets stacked with .imp and .id, as mice::complete(imp, "long").' },
      include_outcome: { type: 'boolean', default: true, description: 'Whether the outcome predicts the other variables (it should: Moons et al. 2006).' },
    },
    required: ['input', 'variables'],
    additionalProperties: false,
  },
  inputs: ['input'],
  accepts: { input: DATA },
  random: () => true,
  check(p) {
    const out: { path: string; message: string; hint?: string }[] = [];
    const set = new Set([...p.variables, ...(p.outcome === undefined ? [] : [p.outcome])]);
    const listed = [...set].join(', ');
    for (const name of Object.keys(p.methods ?? {})) {
      if (!set.has(name)) out.push({ path: `methods.${name}`, message: `"${name}" is not one of the imputation variables`, hint: `the variables are: ${listed}` });
    }
    for (const [name, preds] of Object.entries(p.predictors ?? {})) {
      if (!set.has(name)) out.push({ path: `predictors.${name}`, message: `"${name}" is not one of the imputation variables`, hint: `the variables are: ${listed}` });
      if (preds.includes(name)) out.push({ path: `predictors.${name}`, message: `"${name}" cannot predict itself` });
    }
    if (p.include_outcome === false && p.outcome === undefined) {
      out.push({ path: 'include_outcome', message: 'include_outcome: false needs the outcome named', hint: 'add outcome: <column>' });
    }
    return out;
  },
  replicates(p, inputs) {
    const table = inputTable(inputs, p.input, 'impute');
    const spec = chainSpec(p, table);
    return { sets: [{ name: 'imputations', count: p.m, task: { module: 'nodes/impute', fn: 'runImputations' }, args: spec }], state: { table, spec } };
  },
  summarise(p, results, inputs, ctx) {
    const { table, spec } = results.state;
    const chains = results.batches('imputations').flatMap((b) => b.result as ChainResult[]);

    const imputations = new Map<string, ImputedVariable>();
    const chainInfo: Record<string, Json> = {};
    spec.visit.forEach((j, vi) => {
      const v = spec.variables[j]!;
      imputations.set(v.name, { rows: missingRows(v.values).mis, values: chains.map((c) => c.imputed[vi]!) });
      chainInfo[v.name] = { mean: chains.map((c) => c.chainMean[vi]!), sd: chains.map((c) => c.chainSd[vi]!) };
    });
    const ridged = chains.reduce((s, c) => s + c.ridged, 0);
    if (ridged > 0) ctx.warn(`mice's ridge penalty was applied in ${ridged} univariate imputations: some predictors are (nearly) collinear`);

    const names = spec.variables.map((v) => v.name);
    const info: JsonObject = {
      m: p.m,
      maxit: p.maxit,
      donors: p.donors,
      variables: names,
      visit_sequence: spec.visit.map((j) => names[j]!),
      methods: Object.fromEntries(spec.variables.map((v) => [v.name, v.method ?? ''])),
      // mice's predictorMatrix: row = imputed variable, 1 where the column variable predicts it.
      predictor_matrix: Object.fromEntries(spec.variables.map((v) => [v.name, names.map((_, s) => (v.method !== null && v.predictors.includes(s) ? 1 : 0))])),
      missing: Object.fromEntries(spec.variables.map((v) => [v.name, missingRows(v.values).mis.length])),
      nrows: table.nrows,
      chains: chainInfo,
      ridge_applied: ridged,
      // Read by the outputs writer (runner/outputs.ts): the long CSV is derived from the set, not stored twice.
      ...(p.long === true ? { export_long: true } : {}),
    };
    // The flow: an imputation keeps every row; its box says what it filled in.
    const flow = carriedFlow(inputs, p.input);
    const filled = spec.variables.map((v) => [v.name, missingRows(v.values).mis.length] as const).filter(([, n]) => n > 0);
    const reason = `${p.m} imputations${filled.length === 0 ? ' (no missing values)' : ` of ${filled.map(([name, n]) => `${name} ${n}`).join(', ')} missing`}`;
    const artifact: ImputedArtifact = { type: 'imputed', original: table, m: p.m, imputations, info, flow: flow === undefined ? undefined : extendFlow(flow, flowBox(ctx.step, 'impute', reason, flow.arm, table)) };
    return artifact;
  },
};
