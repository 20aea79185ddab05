/**
 * `kind: mediate` — how much of the exposure's effect (EVT) on the outcome (mRS) runs through the
 * mediator (follow-up infarct volume): difference method (HERMES), product of coefficients, and
 * counterfactual natural direct/indirect effects by g-computation. See docs/steps/mediate.md and
 * src/stats/mediation.ts. All models are fitted on one complete-case sample (reported with its n).
 *
 * The key estimates are plain numbers at stable paths (`proportion_explained`, `total.log_or`,
 * `direct.log_or`, `product.proportion`, `counterfactual.proportion_mediated.estimate`, …) so that
 * `bootstrap` can resample them.
 */
import { DATA } from '../results/products.js';
import type { ClusterCopies, StepKind } from './kind.js';
import { inputTable } from './input-table.js';
import { withFitFlow } from './flow-record.js';
import type { JsonObject } from '../data/canonical.js';
import { type Table, getColumn, withColumn } from '../data/table.js';
import { DataError } from '../errors.js';
import { buildDesign } from '../stats/design.js';
import { type Formula, FormulaError, parseFormula, type RandomTerm } from '../stats/formula.js';
import { mixedDesign } from '../stats/mixed/design.js';
import { mixedMediation, mixedMediationStart, type MixedMediationSpec, type MixedMediationStart } from '../stats/mixed/mediation.js';
import { type MediationData, type MediationOptions, mediation, wholeSampleFits } from '../stats/mediation.js';
import { type DistinctRows, mediationResampler, sortedDistinctRows } from '../stats/mediation-resample.js';
import { numericCategories, responseCategories } from '../stats/ordinal.js';
import { sampleDesign, type SampleDesign } from '../stats/sample-design.js';
import { rngFor } from '../stats/rng.js';

export type MediatorTransform = 'none' | 'log' | 'cbrt' | 'per_ml';

export interface MediateParams {
  readonly input: string;
  readonly outcome: string;
  readonly exposure: string;
  readonly mediator: string;
  readonly transform?: MediatorTransform;
  readonly scale?: number;
  readonly log_offset?: number;
  readonly covariates?: readonly string[];
  readonly outcome_type?: 'ordinal' | 'binary';
  readonly binary_cut?: number;
  readonly favourable?: 'lower' | 'higher';
  readonly level?: number;
  readonly counterfactual?: boolean;
  readonly threshold?: number;
  readonly sims?: number;
  /** Random effects for a grouping factor: "(1 | trial)" or "(1 + <exposure> | trial)" in the outcome models; the a-path has "(1 | trial)". */
  readonly random?: string;
}

export const mediate: StepKind<MediateParams> = {
  kind: 'mediate',
  version: 6,
  produces: 'mediation',
  summary: 'Mediation of an exposure effect through a mediator: difference method, product of coefficients, natural direct/indirect effects',
  params: {
    type: 'object',
    properties: {
      input: { type: 'string', description: 'The data step (a table).' },
      outcome: { type: 'string', minLength: 1, description: 'Ordinal outcome column (e.g. mrs90), or a 0/1 column for a binary outcome.' },
      exposure: { type: 'string', minLength: 1, description: 'The 0/1 exposure (or a two-level factor), e.g. evt.' },
      mediator: { type: 'string', minLength: 1, description: 'The numeric mediator, e.g. fiv_ml.' },
      transform: { enum: ['none', 'log', 'cbrt', 'per_ml'], default: 'none', description: 'Mediator term: none/per_ml: M / scale; log: log(M + log_offset) / scale; cbrt: ∛M / scale.' },
      scale: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'Divisor of the mediator term (per `scale` mL for transform none/per_ml).' },
      log_offset: { type: 'number', minimum: 0, default: 0, description: 'Added to the mediator before the log (for zero volumes).' },
      covariates: { type: 'array', items: { type: 'string', minLength: 1 }, default: [], description: 'Adjustment terms (formula terms: columns, factors, I(x/10), rcs(x, 4)).' },
      outcome_type: { enum: ['ordinal', 'binary'], description: 'Proportional-odds (clm) or logistic outcome model; default ordinal, binary when binary_cut is given or the outcome is 0/1.' },
      binary_cut: { type: 'number', description: 'Binary outcome = (outcome <= binary_cut), e.g. 2 for mRS 0-2.' },
      favourable: { enum: ['lower', 'higher'], default: 'lower', description: 'Ordinal outcome: the direction the reported common ORs describe (lower = shift towards lower mRS).' },
      level: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.95, description: 'Confidence level of the intervals.' },
      counterfactual: {
        type: 'boolean',
        default: true,
        description: 'Compute natural direct/indirect effects by simulation (a bootstrap of the step leaves this simulation out of its replicates).',
        // A bootstrap of mediate resamples the regression estimates; re-running the counterfactual simulation
        // (sims draws per replicate) would multiply its cost by B for intervals mediate already gives by its
        // own quasi-Bayesian simulation, as mediation::mediate does without boot = TRUE.
        'x-in-replicates': {
          value: false,
          omits: ['counterfactual'],
          why: "its counterfactual effects are not re-simulated in bootstrap replicates: their intervals are mediate's own (quasi-Bayesian simulation)",
        },
      },
      threshold: { type: 'number', default: 2, description: 'Ordinal outcome: the counterfactual effects are on P(outcome <= threshold).' },
      sims: { type: 'integer', minimum: 10, maximum: 100000, default: 1000, description: 'Simulations for the counterfactual effects (mediation::mediate default 1000).' },
      random: {
        type: 'string',
        minLength: 5,
        description:
          'Random effects for a grouping factor, e.g. "(1 | trial)" or "(1 + evt | trial)" (a random slope of the exposure): mixed outcome models (clmm / glmer) and a random-intercept lmer (REML) a-path. The counterfactual effects are then for a trial effect of 0.',
      },
    },
    required: ['input', 'outcome', 'exposure', 'mediator'],
    additionalProperties: false,
  },
  inputs: ['input'],
  accepts: { input: DATA },
  random: (p) => p.counterfactual !== false,
  // the replicate construct's fast path: a resample as the whole table's design rows with counts
  rowSamples: {
    prepare: (p, table) => mediatePlanData(p, table),
    plan: (p, table, data) => mediateResamplePlan(p, table, data as MediatePlanData | undefined),
  },
  check(p) {
    const out: { path: string; message: string; hint?: string }[] = [];
    const roles = [p.outcome, p.exposure, p.mediator];
    if (new Set(roles).size < 3) out.push({ path: 'mediator', message: 'outcome, exposure and mediator must be three different columns' });
    (p.covariates ?? []).forEach((c, i) => {
      if (roles.includes(c)) out.push({ path: `covariates.${i}`, message: `"${c}" is already the ${c === p.outcome ? 'outcome' : c === p.exposure ? 'exposure' : 'mediator'}`, hint: 'remove it from covariates' });
    });
    if (p.outcome_type === 'ordinal' && p.binary_cut !== undefined) out.push({ path: 'binary_cut', message: 'binary_cut makes the outcome binary, but outcome_type is ordinal' });
    if (p.random !== undefined) {
      const problem = randomProblem(p);
      if (problem !== undefined) out.push(problem);
    }
    return out;
  },
  run(p, inputs, ctx) {
    const table = inputTable(inputs, p.input, 'mediate');
    const { prepared, rows } = prepare(table, p);
    return { type: 'result', value: withFitFlow(resultValue(p, prepared, ctx.seed), inputs, p.input, ctx.step, 'mediate', { rows, dropped: prepared.dropped }) };
  },
};

/** The random-effect term of `random:` (parsed), or a check problem. */
function randomTermOf(p: MediateParams): RandomTerm | undefined {
  return parseFormula(`${p.outcome} ~ 1 + ${p.random!}`).random[0];
}

function randomProblem(p: MediateParams): { path: string; message: string; hint?: string } | undefined {
  let term: RandomTerm | undefined;
  try {
    term = randomTermOf(p);
  } catch (e) {
    if (e instanceof FormulaError) return { path: 'random', message: e.reason, ...(e.hint === undefined ? {} : { hint: e.hint }) };
    throw e;
  }
  if (term === undefined) return { path: 'random', message: `"${p.random!}" is not a random-effect term`, hint: 'random: "(1 | trial)"' };
  if (term.slope !== undefined && term.slope.label !== p.exposure) {
    return { path: 'random', message: `the random slope of a mediation model is the exposure's: "${term.slope.label}" is not "${p.exposure}"`, hint: `random: "(1 + ${p.exposure} | ${term.group})"` };
  }
  return undefined;
}

/** The step's JSON result for a prepared sample (shared by `run` and the bootstrap's resample plan). */
function resultValue(p: MediateParams, data: Prepared, seed: number, startFrom?: MediationOptions['startFrom'], mixedStart?: MixedMediationStart): JsonObject {
  const counterfactual = p.counterfactual ?? true;
  const options: MediationOptions = {
    level: p.level ?? 0.95,
    favourable: p.favourable ?? 'lower',
    counterfactual: counterfactual ? { category: data.thresholdCategory, sims: p.sims ?? 1000 } : undefined,
    fast: !counterfactual,
    startFrom,
  };
  const rng = counterfactual ? rngFor(seed, 0) : undefined;
  const result = data.mixed === undefined ? mediation(data.data, options, rng) : mixedMediation(data.data, data.mixed, { ...options, mixedStart }, rng);
  return {
    ...(result as unknown as JsonObject),
    n_dropped: data.nDropped,
    dropped: Object.fromEntries(data.dropped.map((d) => [d.variable, d.rows])),
    outcome: {
      column: p.outcome,
      model: data.mixed === undefined ? (data.data.outcome.type === 'ordinal' ? 'clm' : 'glm_binomial') : data.data.outcome.type === 'ordinal' ? 'clmm' : 'glmer_binomial',
      categories: data.categories,
      binary_cut: p.binary_cut ?? null,
    },
    exposure: p.exposure,
    mediator: { column: p.mediator, term: data.mediatorTerm },
    covariates: data.data.columns.slice(2, -1),
    or_direction: data.data.outcome.type === 'ordinal' ? (p.favourable ?? 'lower') : 'event',
    threshold: data.data.outcome.type === 'ordinal' && counterfactual ? `P(${p.outcome} <= ${data.categories[data.thresholdCategory]!})` : null,
  };
}

/** Parsed formulas by text: a bootstrap calls mediate thousands of times with the same one (parsing is pure). */
const parsed = new Map<string, Formula>();
function formulaFor(text: string): Formula {
  let f = parsed.get(text);
  if (f === undefined) {
    if (parsed.size >= 64) parsed.clear();
    f = parseFormula(text);
    parsed.set(text, f);
  }
  return f;
}

interface Prepared {
  readonly data: MediationData;
  readonly nDropped: number;
  readonly dropped: readonly { variable: string; rows: number }[];
  readonly categories: readonly string[];
  readonly thresholdCategory: number;
  readonly mediatorTerm: string;
  /** With `random:`: the clusters of the sample's rows. */
  readonly mixed?: MixedMediationSpec | undefined;
}

/** The mediator term's values and label, e.g. `cbrt(fiv_ml)`, `log(fiv_ml + 1)/10`. */
function transformMediator(values: Float64Array, p: MediateParams): { values: Float64Array; label: string } {
  const t = p.transform ?? 'none';
  const scale = p.scale ?? 1;
  const off = p.log_offset ?? 0;
  const m = p.mediator;
  const out = new Float64Array(values.length);
  let bad = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    let x: number;
    switch (t) {
      case 'none':
      case 'per_ml':
        x = v;
        break;
      case 'cbrt':
        x = Math.cbrt(v);
        break;
      case 'log':
        x = v + off > 0 ? Math.log(v + off) : NaN;
        if (Number.isNaN(x) && !Number.isNaN(v)) bad++;
        break;
    }
    out[i] = x / scale;
  }
  if (bad > 0) {
    throw new DataError(`the log of the mediator "${m}" is undefined in ${bad} rows (values <= ${-off})`, {
      hint: 'set log_offset (e.g. 1) or use transform: cbrt',
    });
  }
  const base = t === 'cbrt' ? `cbrt(${m})` : t === 'log' ? (off === 0 ? `log(${m})` : `log(${m} + ${off})`) : m;
  return { values: out, label: scale === 1 ? base : `${base}/${scale}` };
}

export function mediationData(table: Table, p: MediateParams): Prepared {
  return prepare(table, p).prepared;
}

/** mediationData, with what the resample plan also needs: the working table (mediator transformed), the formula and the design's rows. */
function prepare(table: Table, p: MediateParams): { prepared: Prepared; work: Table; formula: Formula; rows: Int32Array } {
  const med = getColumn(table, p.mediator, 'mediator');
  if (med.type !== 'number') throw new DataError(`the mediator "${p.mediator}" is a ${med.type} column; a numeric mediator is needed`);
  const { values, label } = transformMediator(med.values, p);
  const work = withColumn(table, p.mediator, { type: 'number', values });
  const covs = p.covariates ?? [];
  const formula = formulaFor(`${p.outcome} ~ ${[p.exposure, ...covs, p.mediator].join(' + ')}`);
  let md = buildDesign(formula, work);
  let mixed: MixedMediationSpec | undefined;
  if (p.random !== undefined) {
    const term = randomTermOf(p);
    if (term === undefined) throw new DataError(`random: "${p.random}" is not a random-effect term`, { hint: 'random: "(1 | trial)"' });
    const m = mixedDesign(md, work, { ...term, slope: undefined });
    md = m.md;
    mixed = { codes: m.group.codes, levels: m.group.levels, group: term.group, term: term.label, slope: term.slope !== undefined };
  }
  const { n, design } = md;
  const colsOf = (term: string): number[] => design.columnTerms.flatMap((t, j) => (t === term ? [j] : []));
  const exp = colsOf(p.exposure);
  const mcol = colsOf(p.mediator);
  if (exp.length !== 1) {
    throw new DataError(`the exposure "${p.exposure}" gives ${exp.length} model columns; a 0/1 exposure or a two-level factor is needed`);
  }
  const covCols = design.columns.map((_, j) => j).filter((j) => j !== 0 && j !== exp[0] && j !== mcol[0]);
  // Layout [1, exposure, covariates…, mediator] (see MediationData).
  const order = [0, exp[0]!, ...covCols, mcol[0]!];
  // The formula lists the exposure first and the mediator last, so the layout is usually the design's own.
  let X = md.X;
  if (order.some((src, dst) => src !== dst)) {
    X = new Float64Array(n * order.length);
    order.forEach((src, dst) => {
      X.set(md.X.subarray(src * n, (src + 1) * n), dst * n);
    });
  }
  for (let i = 0; i < n; i++) {
    const t = X[n + i]!;
    if (t !== 0 && t !== 1) throw new DataError(`the exposure "${p.exposure}" must be 0/1 (or a two-level factor); row ${md.rows[i]! + 1} has ${t}`);
  }
  const columns = order.map((j) => (j === mcol[0] ? label : design.columns[j]!));

  const response = md.response!;
  const isBinary01 = response.type === 'number' && response.values.every((v) => v === 0 || v === 1);
  const type = p.outcome_type ?? (p.binary_cut !== undefined || isBinary01 ? 'binary' : 'ordinal');
  let outcome: MediationData['outcome'];
  let categories: string[];
  let thresholdCategory = 0;
  if (type === 'binary') {
    if (response.type !== 'number') throw new DataError(`a binary outcome must be numeric; "${p.outcome}" is a factor`, { hint: 'use outcome_type: ordinal, or binary_cut on a numeric outcome' });
    const cut = p.binary_cut;
    const y = Float64Array.from(response.values, (v) => (cut === undefined ? v : v <= cut ? 1 : 0));
    if (cut === undefined && !isBinary01) throw new DataError(`the outcome "${p.outcome}" is not 0/1`, { hint: 'give binary_cut (e.g. 2 for mRS 0-2) or use outcome_type: ordinal' });
    outcome = { type: 'binary', y };
    categories = ['0', '1'];
  } else {
    const rc = response.type === 'number' ? numericCategories(response.values) : responseCategories(response);
    categories = rc.labels;
    outcome = { type: 'ordinal', codes: rc.codes, J: rc.labels.length };
    const thr = String(p.threshold ?? 2);
    thresholdCategory = rc.labels.indexOf(thr);
    if ((p.counterfactual ?? true) && (thresholdCategory < 0 || thresholdCategory >= rc.labels.length - 1)) {
      throw new DataError(`threshold ${thr} is not a category of "${p.outcome}" below its highest`, { hint: `the categories are: ${rc.labels.join(', ')}` });
    }
  }
  const prepared = { data: { n, X, nCovariates: covCols.length, columns, outcome }, nDropped: md.nDropped, dropped: md.dropped, categories, thresholdCategory, mediatorTerm: label, mixed };
  return { prepared, work, formula, rows: md.rows };
}

/**
 * The replicate construct's fast path (StepKind.rowSamples, run by src/runner/replicate/worker.ts): `mediate` on row resamples of one table,
 * without rebuilding the table and the design for every replicate (the resample's data: stats/mediation-resample.ts,
 * its complete rows: stats/sample-design.ts). The design is built once on the whole
 * table; a resample's design is then its complete rows taken from it — the same data `run` builds from
 * `takeRows(table, rows)`, because every model variable here is a plain column (a row's design row depends
 * on that row alone). An ordinal outcome's rows are handed to mediation() already collapsed
 * (MediationData.collapsed): the whole table's distinct rows are found and sorted by category once, and a
 * resample is their counts. Every replicate starts its two clm fits from the whole table's estimates,
 * shifted to the resample (MediationOptions.startFrom). The replicate's estimates are those of `run` on the
 * resampled table to the fits' convergence criteria (≲ 1e-7 relative on the HERMES-like cohort), not bit
 * for bit: rows are summed in another order and the Newton iteration starts elsewhere, so it stops at
 * another point within clm's criteria. They depend on the resample alone, never on the batch or worker.
 *
 * Returns undefined when the shortcut does not apply (a spline or a computed variable, whose columns depend
 * on the whole sample; a table `run` refuses); the plan returns undefined for a resample that `run` would
 * treat differently from the whole table — no complete row, a constant term, an empty factor level, an
 * outcome category missing — so that the caller runs the step itself and gets `run`'s result or error.
 */
export function mediateResamplePlan(
  p: MediateParams,
  table: Table,
  planData: MediatePlanData | undefined = mediatePlanData(p, table),
): ((rows: Int32Array, seed: number, copies?: ClusterCopies) => JsonObject | undefined) | undefined {
  if (planData === undefined) return undefined;
  const { prepared, rows, collapse, startFrom, mixedStart } = planData;
  const resample = mediationResampler({ data: prepared.data, mixed: prepared.mixed, rows, collapse });
  return (drawn, seed, copies) => {
    const s = resample(drawn, copies);
    if (s === undefined) return undefined;
    return resultValue(p, { ...prepared, data: s.data, nDropped: s.nDropped, dropped: s.dropped, mixed: s.mixed }, seed, startFrom, mixedStart);
  };
}

/**
 * What mediateResamplePlan needs of the whole table, built once — on the main thread, which sends it to
 * the workers with every batch (RowSamples.prepare), so that they do not each build the design and
 * fit the whole sample again. Typed arrays and plain objects only (structured-cloneable).
 */
export interface MediatePlanData {
  readonly prepared: Prepared;
  /** The sample design: a resample's complete rows and buildDesign's checks on them (stats/sample-design.ts). */
  readonly rows: SampleDesign;
  readonly collapse: DistinctRows | undefined;
  readonly startFrom: MediationOptions['startFrom'];
  /** A mixed model's whole-sample fits, where every replicate starts. */
  readonly mixedStart?: MixedMediationStart | undefined;
}

/** The plan's data for `table`, or undefined when the plan does not apply (see mediateResamplePlan). */
export function mediatePlanData(p: MediateParams, table: Table): MediatePlanData | undefined {
  let full: ReturnType<typeof prepare>;
  try {
    full = prepare(table, p);
  } catch {
    return undefined;
  }
  const { prepared, work, formula, rows: designRows } = full;
  const rows = sampleDesign(formula, work, designRows);
  if (rows === undefined) return undefined;
  const d = prepared.data;
  if (prepared.mixed !== undefined) {
    // the grouping column is a model variable too: a row missing it is not in the design
    return { prepared, rows, collapse: undefined, startFrom: undefined, mixedStart: mixedMediationStart(d, prepared.mixed) };
  }
  return {
    prepared,
    rows,
    collapse: d.outcome.type === 'ordinal' ? sortedDistinctRows(d.X, d.n, d.columns.length, d.outcome.codes) : undefined,
    // Every replicate starts its clm fits from the whole sample's estimates (MediationOptions.startFrom).
    startFrom: wholeSampleFits(d),
  };
}
