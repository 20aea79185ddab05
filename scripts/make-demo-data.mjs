#!/usr/bin/env node
// Writes pipelines/data/demo.csv: a TOY stroke cohort for the demo pipeline (pipelines/demo.yaml).
// It is plausible-looking but calibrated to nothing: the calibrated synthetic cohort is the `simulate`
// step's job. Deterministic (its own seeded generator, no dependency): re-running it gives the same bytes.
//   node scripts/make-demo-data.mjs
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const N = 300;
const SEED = 20261122;
const out = resolve(dirname(fileURLToPath(import.meta.url)), '../pipelines/data/demo.csv');

// mulberry32: a small 32-bit generator, enough for toy data.
let state = SEED >>> 0;
function uniform() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
function normal() {
  // Box–Muller; 1 - uniform() avoids log(0).
  return Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}
const bernoulli = (p) => (uniform() < p ? 1 : 0);
const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));
const pick = (items, probs) => {
  let u = uniform();
  for (let k = 0; k < items.length; k++) {
    if ((u -= probs[k]) < 0) return items[k];
  }
  return items[items.length - 1];
};

const header = ['id', 'evt', 'age', 'sex_female', 'nihss', 'aspects', 'occlusion', 'ivt', 'onset_to_rand_min', 'modality', 'fiv_ml', 'mrs90'];
const lines = [header.join(',')];
for (let i = 0; i < N; i++) {
  const evt = i % 2; // alternating allocation: exactly balanced arms
  const age = Math.round(clamp(68 + 12 * normal(), 18, 95));
  const sex_female = bernoulli(0.47);
  const nihss = Math.round(clamp(Math.exp(Math.log(17) + 0.3 * normal()), 4, 38));
  const aspects = Math.round(clamp(8 - 0.08 * (nihss - 17) + 1.3 * normal(), 0, 10));
  const occlusion = pick(['ICA', 'M1', 'M2'], [0.2, 0.68, 0.12]);
  const ivt = bernoulli(0.72);
  const onset = Math.round(clamp(Math.exp(Math.log(190) + 0.45 * normal()), 35, 720));
  const modality = bernoulli(0.25) ? 'MRI' : 'CT';
  // Follow-up infarct volume (mL): log-normal, smaller with EVT and higher ASPECTS, larger with NIHSS and ICA.
  const logFiv = Math.log(30) - 0.7 * evt + 0.05 * (nihss - 17) - 0.2 * (aspects - 8) + (occlusion === 'ICA' ? 0.4 : occlusion === 'M2' ? -0.4 : 0) + 1.1 * normal();
  const fiv = Math.round(clamp(Math.exp(logFiv), 0.5, 450) * 10) / 10;
  // 90-day mRS: a latent logistic score cut at fixed thresholds.
  const latent = 0.035 * (age - 68) + 0.06 * (nihss - 17) + 0.75 * Math.log(fiv + 1) - 0.2 * evt + Math.log(uniform() / (1 - uniform()));
  const cuts = [-2.0, -1.0, -0.2, 0.6, 1.5, 2.2].map((c) => c + 0.75 * Math.log(31));
  const mrs = cuts.filter((c) => latent > c).length;
  const row = [
    `P${String(i + 1).padStart(3, '0')}`,
    evt,
    age,
    sex_female,
    nihss,
    // A few missing values, as in real registries.
    modality === 'MRI' && bernoulli(0.3) ? 'NA' : aspects,
    occlusion,
    ivt,
    bernoulli(0.02) ? 'NA' : onset,
    modality,
    bernoulli(0.05) ? 'NA' : fiv,
    bernoulli(0.02) ? 'NA' : mrs,
  ];
  lines.push(row.join(','));
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, lines.join('\n') + '\n');
console.log(`wrote ${N} rows to ${out}`);
