/**
 * Mixed-model benchmark (issue 13), beside R's times measured on this machine class:
 * - the random-intercept ordinal fit (fit_ordinal with (1 | trial), Laplace, standard errors) on the
 *   HERMES-like fixture cohort: N = 1 665, 7 trials, 9 covariates (10 columns, onset in minutes): median
 *   wall time of 7 fits after 2 warm-up fits — against clmm on the same data (goal: at least 50 times faster);
 * - the same model at N = 100 000 (bench/mixed-data.ts, the data of test/fixtures/mixed/big.R): median of 3;
 * - the random intercept and EVT slope, (1 + evt | trial), at N = 1 665 — against clmm with iter.max = 3000;
 * - the mixed mediation bootstrap (B = 2 000, random intercept, strata trial and arm) as a step of a cold
 *   `lesionflow run --jobs 2` (goal: under 30 s).
 *
 * R's times (elapsed seconds, median of the reps in the fixture scripts; R 4.2.2, ordinal 2022.11.16,
 * lme4 1.1-31, on this machine class — see R_SECONDS) come from test/fixtures/mixed/hermes.json, hermes-slope.json and big.json
 * (the `seconds` of each fit), read at run time; the constants below are the values measured when they were
 * written, printed when the fixtures are not found.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readDelimited } from '../src/data/csv.js';
import type { Table } from '../src/data/table.js';
import { fitOneOrdinal } from '../src/nodes/fit_ordinal.js';
import { bigMixedData, hermesLikeCsv } from './mixed-data.js';
import { seconds, timeColdRun } from './run-step.js';

/**
 * R's elapsed seconds on this machine class, used when the fixtures cannot be read: clmm with a random
 * intercept on test/fixtures/mixed/hermes-like.csv (onset in hours: median of 3, 1.66 s; onset in minutes
 * 1.55 s, converging on this cohort), measured 2026-12-07 at load ≈ 2.7 on the 2-core machine, R 4.2.2,
 * ordinal 2022.11.16: clmm(y ~ cv + evt + … + onset_h + (1 | trial), Hess = TRUE), as hermes.R's clmm_hours.
 * The random slope (clmm, iter.max = 3000) and N = 100 000 were not measured: hermes.R and big.R did not
 * finish in the session that wrote this (n/a).
 */
const R_SECONDS = {
  clmmHermes: 1.66,
  clmmHermesMinutes: 1.55,
  clmmSlope: NaN,
  clmmBig: NaN,
};

function fixtureSeconds(file: string, key: string): number {
  for (const up of ['../test/fixtures/mixed', '../../test/fixtures/mixed']) {
    try {
      const json = JSON.parse(readFileSync(resolve(import.meta.dirname, up, file), 'utf8')) as Record<string, { seconds?: number }>;
      return json[key]?.seconds ?? NaN;
    } catch {
      // the next folder
    }
  }
  return NaN;
}

const COVARIATES = 'cbrt(fiv_ml) + evt + age + sex_female + nihss + aspects + occlusion + ivt + onset_to_rand_min';

function hermesLike(): Table {
  return readDelimited(hermesLikeCsv(), {
    file: 'hermes-like.csv',
    columns: { trial: { type: 'factor' }, occlusion: { type: 'factor', levels: ['M1', 'ICA', 'M2'] } },
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function timeFits(table: Table, formula: string, warm: number, reps: number): { ms: number; iterations: unknown; evaluations: unknown } {
  let last: ReturnType<typeof fitOneOrdinal> | undefined;
  for (let k = 0; k < warm; k++) fitOneOrdinal({ input: 'd', formula }, table, 'bench', false);
  const times: number[] = [];
  for (let k = 0; k < reps; k++) {
    const t0 = performance.now();
    last = fitOneOrdinal({ input: 'd', formula }, table, 'bench', false);
    times.push(performance.now() - t0);
  }
  return { ms: median(times), iterations: last?.value.iterations, evaluations: last?.value.evaluations };
}

function line(what: string, ms: number, rSeconds: number, extra: string): void {
  const ratio = rSeconds * 1000 / ms;
  console.log(`${what}: ${ms.toFixed(1)} ms; R ${Number.isNaN(rSeconds) ? 'n/a' : `${rSeconds.toFixed(2)} s`} → ${Number.isNaN(ratio) ? 'n/a' : `${ratio.toFixed(0)}× faster`} (${extra})`);
}

const MEDIATION_SPEC = `name: mixed-mediation-bench
seed: 20261122
steps:
  cohort: {kind: simulate, cohort: hermes, n: 1665, seed: 30}
  analysed:
    kind: filter
    input: cohort
    where: ["!is_missing(fiv_ml)", "!is_missing(aspects)", "!is_missing(onset_to_rand_min)"]
  med:
    kind: mediate
    input: analysed
    outcome: mrs90
    exposure: evt
    mediator: fiv_ml
    transform: cbrt
    covariates: [age, sex_female, nihss, aspects, occlusion, ivt, onset_to_rand_min]
    random: "(1 | trial)"
    counterfactual: false
  boot:
    kind: bootstrap
    of: med
    from: analysed
    replicates: 2000
    strata: [trial, evt]
    ci: [percentile]
    estimates: [proportion_explained, product.proportion, total.or, direct.or, mediator_effect.or]
`;

export async function run(): Promise<void> {
  const table = hermesLike();
  const r1m = fixtureSeconds('hermes.json', 'clmm_minutes');
  const r1 = Number.isNaN(r1m) ? R_SECONDS.clmmHermesMinutes : r1m;
  const r1h = fixtureSeconds('hermes.json', 'clmm_hours');
  const ri = timeFits(table, `mrs90 ~ ${COVARIATES} + (1 | trial)`, 2, 7);
  line('random-intercept ordinal fit, N = 1 665 (7 trials, 10 columns, onset in minutes; Laplace, SEs)', ri.ms, Number.isNaN(r1h) ? R_SECONDS.clmmHermes : r1h, `clmm with onset in hours; with onset in minutes clmm takes ${Number.isNaN(r1) ? 'n/a' : `${r1.toFixed(2)} s`}; ${String(ri.iterations)} iterations, ${String(ri.evaluations)} gradients`);
  const rs = fixtureSeconds('hermes-slope.json', 'clmm_slope');
  const slope = timeFits(table, `mrs90 ~ ${COVARIATES} + (1 + evt | trial)`, 1, 3);
  line('random intercept and EVT slope, N = 1 665 (2-D Laplace, SEs)', slope.ms, Number.isNaN(rs) ? R_SECONDS.clmmSlope : rs, `clmm with iter.max = 3000; ${String(slope.iterations)} iterations`);
  const big = bigMixedData();
  const rb = fixtureSeconds('big.json', 'clmm_hours');
  const bigFit = timeFits(big, `mrs90 ~ cv + evt + age + sex_female + nihss + aspects + occlusion + ivt + onset_to_rand_min + (1 | trial)`, 1, 3);
  line('random-intercept ordinal fit, N = 100 000 (7 trials, 10 columns)', bigFit.ms, Number.isNaN(rb) ? R_SECONDS.clmmBig : rb, `clmm with onset in hours; ${String(bigFit.iterations)} iterations, ${String(bigFit.evaluations)} gradients`);
  const times = await timeColdRun(MEDIATION_SPEC, 'mixed-mediation-bench');
  console.log(
    `mixed mediation bootstrap, B = 2 000, random intercept, strata trial × arm, as a step of a cold \`lesionflow run --jobs 2\`: ${seconds(times.steps.get('boot'))} s (goal < 30 s; R with clmm: hours); run ${seconds(times.run)} s, peak ${times.peakMb.toFixed(0)} MB`,
  );
}
