// The HERMES-like pipelines' mixed-model figures for generated cohorts, computed with lesionflow's own fit
// steps (complete cases, as the pipelines): for each seed, the random-slope ordinal model's volume and EVT
// cORs and the SE of the log EVT cOR, the difference-method proportion explained with random-intercept
// models, and the volume deltas (mixed logistic model of mRS 0-2 with a random intercept, conditional on a
// trial effect of 0). Build first (npm run build), then from the repository root:
//   node scripts/calibrate/mixed-figures.mjs 1 200 /tmp/mixed-figures.csv
// and give the file to choose-seed.R (its third argument).
import { writeFileSync } from 'node:fs';
import { simulateCohort } from '../../dist/src/stats/simulate/cohorts.js';
import { fitOneOrdinal } from '../../dist/src/nodes/fit_ordinal.js';
import { fitOneLogistic } from '../../dist/src/nodes/fit_logistic.js';
import { volumeDelta } from '../../dist/src/nodes/volume_delta.js';
import { takeRows } from '../../dist/src/data/table.js';

const [from, to, out] = process.argv.slice(2);
if (out === undefined) throw new Error('usage: mixed-figures.mjs first-seed last-seed out.csv');
const cov = 'age + sex_female + nihss + aspects + occlusion + ivt + onset_to_rand_min';
const coef = (r, term) => r.value.coefficients.find((c) => c.term === term);
const lines = ['seed,log_cor_vol,log_cor_evt_adj,se_log_cor_evt,prop_mediated,dv1,dv5,dv10'];
for (let seed = Number(from); seed <= Number(to); seed++) {
  const all = simulateCohort('hermes', 1665, seed);
  const miss = (name) => all.columns.get(name).values;
  const keep = Int32Array.from({ length: all.nrows }, (_, i) => i).filter((i) => !Number.isNaN(miss('fiv_ml')[i]) && !Number.isNaN(miss('aspects')[i]) && !Number.isNaN(miss('onset_to_rand_min')[i]));
  const t = takeRows(all, keep);
  const slope = fitOneOrdinal({ input: 'd', formula: `mrs90 ~ cbrt(fiv_ml) + evt + ${cov} + (1 + evt | trial)` }, t, 'f', false);
  const direct = fitOneOrdinal({ input: 'd', formula: `mrs90 ~ cbrt(fiv_ml) + evt + ${cov} + (1 | trial)` }, t, 'f', false);
  const total = fitOneOrdinal({ input: 'd', formula: `mrs90 ~ evt + ${cov} + (1 | trial)` }, t, 'f', false);
  const good = fitOneLogistic({ input: 'd', formula: `mrs90 <= 2 ~ I(fiv_ml / 10) + evt + ${cov} + (1 | trial)` }, t, 'f', false);
  const delta = volumeDelta.run(
    { model: 'good', data: 'd', variable: 'fiv_ml', deltas: [0.01, 0.05, 0.1], constrained: true, min_volume: 0, tol: 1e-8, curve_points: 11, level: 0.95 },
    new Map([['good', { type: 'result', value: good.value }], ['d', { type: 'table', table: t }]]),
  );
  const med = (d) => delta.value.summaries.find((s) => s.delta === d).median;
  const e = coef(slope, 'evt');
  const row = [seed, -coef(slope, 'cbrt(fiv_ml)').estimate, -e.estimate, e.std_error, 1 - coef(direct, 'evt').estimate / coef(total, 'evt').estimate, med(0.01), med(0.05), med(0.1)];
  lines.push(row.join(','));
  process.stderr.write(`${seed} `);
}
writeFileSync(out, `${lines.join('\n')}\n`);
