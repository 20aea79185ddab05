#!/usr/bin/env node
/**
 * `npm start`: run the three published analyses and the trial design on the bundled SYNTHETIC cohorts in one
 * `lesionflow run` process, then print each report's Markdown summary (outputs/<pipeline>/summary.md).
 * Exit code: the CLI's (0 when every pipeline succeeded, 1 if one failed, 2 on a spec error).
 *
 * Extra arguments go to `lesionflow run` (e.g. `npm start -- --jobs 1 --outputs /tmp/out`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const PIPELINES = ['hermes-volume-delta', 'hermes-mediation', 'escape-infarct', 'trial-design'];

const args = process.argv.slice(2);
const cli = join(root, 'dist', 'src', 'runner', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write(`error: ${cli} is missing\n  hint: run npm install (or npm run build) first\n`);
  process.exit(2);
}
const specs = PIPELINES.map((p) => join('pipelines', `${p}.yaml`));
const startedMs = Date.now();
const run = spawnSync(process.execPath, [cli, 'run', ...specs, ...args], { cwd: root, stdio: 'inherit' });
const code = run.status ?? 1;
// A spec or usage error (2) ran nothing: the CLI has said why, and older summaries must not be shown.
if (code === 2) process.exit(2);

/** The --outputs folder given after `npm start --`, as the CLI reads it (relative to the repo root). */
function outputsDir() {
  const i = args.findIndex((a) => a === '--outputs' || a.startsWith('--outputs='));
  if (i < 0) return join(root, 'outputs');
  const a = args[i];
  const dir = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[i + 1];
  return resolve(root, dir ?? 'outputs');
}

const out = outputsDir();
// With --set data=… the user's file replaced the bundled cohorts: each summary then says what its data were.
const ownData = args.some((a) => /^(--set=)?(params\.)?data=/.test(a));
const lines = ['', '# lesionflow: the three published analyses, reproduced, and a trial designed from them', ''];
if (!ownData) {
  lines.push(
    '> **SYNTHETIC DATA.** These numbers come from synthetic cohorts (pipelines/data/) generated to match the',
    '> published HERMES and ESCAPE figures (docs/synthetic-cohort.md). They show that the pipelines reproduce',
    '> the published analyses; they are not clinical evidence.',
    '',
  );
}
for (const p of PIPELINES) {
  const dir = join(out, p);
  let status = 'not run';
  try {
    const record = join(dir, 'run.json');
    // Only this run's record counts (an interrupted run leaves the previous one in place).
    if (statSync(record).mtimeMs >= startedMs - 1000) status = JSON.parse(readFileSync(record, 'utf8')).status;
  } catch {
    // no run record: the pipeline did not start
  }
  if (status === 'ok' && existsSync(join(dir, 'summary.md'))) {
    lines.push(readFileSync(join(dir, 'summary.md'), 'utf8').trimEnd(), '', `Report: ${join(dir, 'report.html')}`);
    if (existsSync(join(dir, 'report.docx'))) lines.push(`Word:   ${join(dir, 'report.docx')} (figures as PNG and SVG: ${join(dir, 'figure-*')})`);
    lines.push('');
  } else {
    lines.push(`## ${p}`, '', `**FAILED** (status: ${status}); see the errors above and ${join(dir, 'run.json')}.`, '');
  }
}
process.stdout.write(lines.join('\n') + '\n');
process.exit(code);
