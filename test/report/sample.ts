/**
 * A sample report for tests, built the way a pipeline builds it: a synthetic HERMES-like cohort from
 * the real `simulate` kind, then the real describe, compare, fit_logistic, fit_ordinal, mediate and
 * volume_delta and simulate_truth kinds on it (volume_delta swept by imaging modality, as the
 * pipeline does), fed to the `report` kind. One output is written out by hand in its kind's result
 * shape: the bootstrap (its replicates need the runner's registry and worker pool).
 */
import type { Artifact, TableArtifact } from '../../src/data/artifact.js';
import type { JsonObject } from '../../src/data/canonical.js';
import { makeTable, takeRows } from '../../src/data/table.js';
import type { ReportParams } from '../../src/report/params.js';
import type { StepInputs, StepKind } from '../../src/nodes/kind.js';
import { simulate } from '../../src/nodes/simulate.js';
import { simulateTruth } from '../../src/nodes/simulate_truth.js';
import { describe } from '../../src/nodes/describe.js';
import { compare } from '../../src/nodes/compare.js';
import { fitLogisticStep } from '../../src/nodes/fit_logistic.js';
import { fitOrdinalStep } from '../../src/nodes/fit_ordinal.js';
import { mediate } from '../../src/nodes/mediate.js';
import { volumeDelta } from '../../src/nodes/volume_delta.js';
import { testContext } from '../support/context.js';

/** A deterministic LCG (Numerical Recipes constants) for the hand-written outputs. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

let cohortCache: TableArtifact | undefined;

/** The simulated HERMES-like cohort (1665 patients, fixed seed). */
export async function sampleCohort(): Promise<TableArtifact> {
  if (cohortCache === undefined) {
    const a = await simulate.run({ cohort: 'hermes', seed: 20261122 }, new Map(), testContext({ step: 'cohort' }));
    if (a.type !== 'table') throw new Error('simulate did not return a table');
    cohortCache = a;
  }
  return cohortCache;
}

async function run<P>(kind: StepKind<P>, params: P, inputs: StepInputs, step: string): Promise<Artifact> {
  return kind.run(params, inputs, testContext({ step }));
}

const result = (value: JsonObject, tables?: ReadonlyMap<string, import('../../src/data/table.js').Table>): Artifact => ({ type: 'result', value, tables });

/** A bootstrap result in bootstrap.ts's shape, around the mediate step's own proportion explained. */
function bootResult(original: number): Artifact {
  const u = lcg(7);
  const B = 2000;
  const reps = new Float64Array(B);
  for (let b = 0; b < B; b++) reps[b] = original + 0.047 * (u() + u() + u() + u() - 2) * 1.7;
  reps[17] = NaN; // a failed replicate
  const sorted = Array.from(reps).filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  const q = (p: number): number => sorted[Math.round(p * (sorted.length - 1))]!;
  return result(
    {
      of: 'med',
      from: 'cohort',
      replicates: B,
      failed: { count: 1, reasons: [{ reason: 'clm did not converge', count: 1, first_replicate: 18 }], jackknife: 0 },
      estimates: [
        { name: 'proportion_explained', original, mean: original - 0.002, bias: -0.002, se: 0.047, n_replicates: B - 1, percentile: { lower: q(0.025), upper: q(0.975) }, bca: { lower: q(0.03), upper: q(0.98), acceleration: 0.01 }, notes: [] },
        { name: 'total.log_or', original: 0.9, mean: 0.9, bias: 0, se: 0.1, n_replicates: B - 1, percentile: { lower: 0.7, upper: 1.1 }, bca: null, notes: [] },
      ],
    },
    new Map([['replicates', makeTable([['replicate', { type: 'number', values: Float64Array.from({ length: B }, (_, b) => b + 1) }], ['proportion_explained', { type: 'number', values: reps }]])]]),
  );
}

/** fit_logistic + volume_delta on all patients and per follow-up modality: instances `vd[modality=…]`. */
async function volumeDeltaByModality(cohort: TableArtifact): Promise<[string, Artifact][]> {
  const modality = cohort.table.columns.get('modality');
  if (modality?.type !== 'factor') throw new Error('the simulated cohort has no modality factor');
  const out: [string, Artifact][] = [];
  for (const m of ['all', 'CT', 'MRI']) {
    const rows = Int32Array.from({ length: cohort.table.nrows }, (_, i) => i).filter((i) => m === 'all' || modality.levels[modality.codes[i]!] === m);
    const data = new Map<string, Artifact>([['data', { type: 'table', table: takeRows(cohort.table, rows) }]]);
    const fit = await run(fitLogisticStep, { input: 'data', formula: `mrs90 <= 2 ~ fiv_ml + evt + ${COVARIATES.join(' + ')}` }, data, `fit_good[modality=${m}]`);
    data.set('fit', fit);
    const vd = await run(volumeDelta, { model: 'fit', data: 'data', variable: 'fiv_ml', where: 'fiv_ml < 80', deltas: [0.01, 0.05, 0.1], constrained: true, min_volume: 0, tol: 1e-8, curve_points: 101, level: 0.95 }, data, `vd[modality=${m}]`);
    out.push([`vd[modality=${m}]`, vd]);
  }
  return out;
}

const COVARIATES = ['age', 'sex_female', 'nihss', 'aspects', 'occlusion', 'ivt', 'onset_to_rand_min'];

let inputsCache: Promise<Map<string, Artifact>> | undefined;

/** The sample outputs by step name (computed once per test file; callers must not mutate them). */
export function sampleInputs(): Promise<Map<string, Artifact>> {
  inputsCache ??= computeInputs();
  return inputsCache;
}

async function computeInputs(): Promise<Map<string, Artifact>> {
  const cohort = await sampleCohort();
  const data = new Map<string, Artifact>([['cohort', cohort]]);
  const med = await run(mediate, { input: 'cohort', outcome: 'mrs90', exposure: 'evt', mediator: 'fiv_ml', transform: 'cbrt', covariates: COVARIATES, sims: 200 }, data, 'med');
  if (med.type !== 'result') throw new Error('mediate did not return a result');
  return new Map<string, Artifact>([
    ['cohort', cohort],
    ['table1', await run(describe, { input: 'cohort', variables: ['age', 'sex_female', 'nihss', 'occlusion', 'fiv_ml'], by: 'evt' }, data, 'table1')],
    ['by_arm', await run(compare, { input: 'cohort', by: 'evt', variables: ['age', 'fiv_ml', 'occlusion'], conf: 0.95 }, data, 'by_arm')],
    ['fit_good', await run(fitLogisticStep, { input: 'cohort', formula: `mrs90 <= 2 ~ fiv_ml + evt + ${COVARIATES.join(' + ')}` }, data, 'fit_good')],
    ['ord_total', await run(fitOrdinalStep, { input: 'cohort', formula: `mrs90 ~ evt + ${COVARIATES.join(' + ')}` }, data, 'ord_total')],
    ['ord_direct', await run(fitOrdinalStep, { input: 'cohort', formula: `mrs90 ~ cbrt(fiv_ml) + evt + ${COVARIATES.join(' + ')}` }, data, 'ord_direct')],
    ...(await volumeDeltaByModality(cohort)),
    ['med', med],
    ['med_boot', bootResult(med.value.proportion_explained as number)],
    ['truth', await run(simulateTruth, { cohort: 'hermes' }, new Map(), 'truth')],
  ]);
}

export function sampleParams(): ReportParams {
  return {
    title: 'HERMES: follow-up infarct volume and the effect of EVT',
    subtitle: 'Pooled analysis of 7 trials <sample>',
    synthetic: true,
    data_note: 'pipelines/data/hermes-synthetic.csv (1665 patients)',
    steps: ['cohort', 'table1', 'by_arm', 'fit_good', 'ord_total', 'ord_direct', 'vd[modality=all]', 'vd[modality=CT]', 'vd[modality=MRI]', 'med', 'med_boot', 'truth'],
    labels: {
      fiv_ml: 'Follow-up infarct volume, mL',
      'cbrt(fiv_ml)': 'Infarct volume, per cube-root mL',
      evt: 'Endovascular thrombectomy',
      age: 'Age, years',
      sex_female: 'Female sex',
      nihss: 'Baseline NIHSS',
      aspects: 'ASPECTS',
      ivt: 'IV alteplase',
      onset_to_rand_min: 'Onset to randomisation, min',
      occlusion: 'Occlusion site',
      occlusionICA: 'Occlusion: ICA (vs M1)',
      occlusionM2: 'Occlusion: M2 (vs M1)',
      proportion_explained: 'Proportion of the EVT effect explained by volume',
      ord_total: 'Without volume',
      ord_direct: 'With volume',
    },
    sections: [
      { kind: 'text', title: 'About this report', note: 'Sections follow the published analyses.' },
      { kind: 'table1', title: 'Table 1. Baseline characteristics by arm', step: 'table1', tests: 'by_arm', groups: [{ value: 1, label: 'EVT' }, { value: 0, label: 'Control' }] },
      { kind: 'table1', title: 'Table 2. Follow-up infarct volume by arm', step: 'by_arm', groups: [{ value: 1, label: 'EVT' }, { value: 0, label: 'Control' }] },
      { kind: 'grotta', title: 'Figure 1. Modified Rankin Scale at 90 days by arm', step: 'cohort', outcome: 'mrs90', by: 'evt', groups: [{ value: 1, label: 'EVT' }, { value: 0, label: 'Control' }] },
      { kind: 'model', title: 'Table 3. Logistic model of mRS 0–2', step: 'fit_good' },
      { kind: 'model', title: 'Table 4. Ordinal models of mRS', steps: ['ord_total', 'ord_direct'], terms: ['evt', 'cbrt(fiv_ml)'] },
      { kind: 'forest', title: 'Figure 2. Common odds ratios', steps: ['ord_total', 'ord_direct'], terms: ['evt', 'cbrt(fiv_ml)'], left_note: 'Worse outcome', right_note: 'Better outcome' },
      { kind: 'volume_delta', title: 'Table 5. Volume difference worth 1, 5 and 10 points', step: 'vd', figure_title: 'Figure 3. Adjusted probability of mRS 0–2 by follow-up infarct volume' },
      { kind: 'mediation', title: 'Table 6. Mediation of the EVT effect by infarct volume', step: 'med' },
      { kind: 'bootstrap', title: 'Table 7. Bootstrap of the proportion explained', step: 'med_boot', estimate: 'proportion_explained', percent: true, figure_title: 'Figure 4. Bootstrap distribution of the proportion explained' },
      {
        kind: 'comparison',
        title: 'Table 8. Volume-delta by imaging modality',
        step: 'vd',
        rows: [
          { label: '+1 point, median mL', path: 'summaries[delta=0.01].median', format: 'ml' },
          { label: '+5 points, median mL', path: 'summaries[delta=0.05].median', format: 'ml' },
          { label: '+10 points, median mL', path: 'summaries[delta=0.1].median', format: 'ml' },
        ],
      },
      { kind: 'reproduction', title: 'Table 9. Reproduction of the published figures', note: 'How close the pipeline comes to each published figure.' },
    ],
    published: [
      { label: 'Common OR for volume (per cube-root mL)', source: 'HERMES', published: '0.46', estimate: { step: 'ord_direct', path: 'coefficients[term=cbrt(fiv_ml)].common_or', low: 'coefficients[term=cbrt(fiv_ml)].common_or_conf_low', high: 'coefficients[term=cbrt(fiv_ml)].common_or_conf_high' }, truth: { step: 'truth', path: 'population.cor_volume' }, format: 'or' },
      { label: 'EVT common OR, adjusted for volume', source: 'HERMES', published: '2.22', estimate: { step: 'med', path: 'direct.or', low: 'direct.or_low', high: 'direct.or_high' }, truth: { step: 'truth', path: 'population.cor_evt_adjusted_for_volume' }, format: 'or' },
      { label: 'EVT effect explained by volume', source: 'HERMES', published: '12% (1–19)', estimate: { step: 'med_boot', path: 'estimates[name=proportion_explained].original', low: 'estimates[name=proportion_explained].percentile.lower', high: 'estimates[name=proportion_explained].percentile.upper' }, truth: { step: 'truth', path: 'population.proportion_mediated' }, format: 'percent' },
      { label: 'Median ΔV for +1 point, mL', source: 'HERMES', published: '2', estimate: { step: 'vd[modality=all]', path: 'summaries[delta=0.01].median' }, truth: { step: 'truth', path: 'population.volume_delta_median_ml[0]' }, format: 'ml' },
    ],
  };
}
