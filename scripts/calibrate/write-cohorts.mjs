// Writes generated cohorts as CSV with the TypeScript generator (the files check-*.R and choose-seed.R read).
// Build first (npm run build), then from the repository root:
//   node scripts/calibrate/write-cohorts.mjs hermes 1665 1 200 /tmp/seeds      → /tmp/seeds/h_1.csv … h_200.csv
//   node scripts/calibrate/write-cohorts.mjs hermes 1000000 7 7 /tmp/pop       → the population check (seed 7)
import { mkdirSync, writeFileSync } from 'node:fs';
import { simulateCohort } from '../../dist/src/stats/simulate/cohorts.js';
import { writeCsv } from '../../dist/src/data/csv.js';

const [cohort, n, from, to, dir] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: write-cohorts.mjs hermes|escape n first-seed last-seed dir');
mkdirSync(dir, { recursive: true });
for (let seed = Number(from); seed <= Number(to); seed++) {
  writeFileSync(`${dir}/${cohort[0]}_${seed}.csv`, writeCsv(simulateCohort(cohort, Number(n), seed)));
}
