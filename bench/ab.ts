/**
 * A/B against another build of lesionflow (issue 17's must-hold: the local bootstrap no more than 5 %
 * slower): with LESIONFLOW_BASELINE set to that build's compiled CLI (e.g. a checkout of main built into
 * /tmp/old: /tmp/old/dist/src/runner/cli.js), the mediation bootstrap (B = 2 000, 1 665 patients, --jobs 2)
 * and impute (m = 20) as steps of cold `lesionflow run`s, alternating the two builds in rounds (this VM
 * drifts 20–40 % within an hour: only alternation in one run compares them). Medians and the ratio.
 * Without the variable it says how to run it and does nothing.
 */
import { BOOTSTRAP_SPEC } from './inference.js';
import { IMPUTE_SPEC } from './impute-mediate.js';
import { timeColdRun, thisCli } from './run-step.js';

const ROUNDS = Number(process.env.LESIONFLOW_AB_ROUNDS ?? 15);

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function ab(what: string, spec: string, pipeline: string, step: string, baseline: string): Promise<void> {
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // alternate which goes first, so that neither always follows the other
    const order = r % 2 === 0 ? [baseline, thisCli] : [thisCli, baseline];
    for (const cli of order) {
      const t = await timeColdRun(spec, pipeline, cli);
      (cli === baseline ? a : b).push(t.steps.get(step)!);
    }
  }
  const ma = median(a);
  const mb = median(b);
  console.log(`${what}: baseline median ${ma.toFixed(0)} ms, this build ${mb.toFixed(0)} ms, ratio ${(mb / ma).toFixed(3)} (${ROUNDS} rounds; baseline ${a.map((x) => x.toFixed(0)).join(' ')}; this ${b.map((x) => x.toFixed(0)).join(' ')})`);
}

export async function run(): Promise<void> {
  const baseline = process.env.LESIONFLOW_BASELINE;
  if (baseline === undefined) {
    console.log('A/B: set LESIONFLOW_BASELINE to another build\'s dist/src/runner/cli.js to compare (skipped)');
    return;
  }
  await ab('mediation bootstrap B = 2000, --jobs 2, as a step of a cold run', BOOTSTRAP_SPEC, 'bench-bootstrap', 'boot', baseline);
  await ab('impute m = 20, 1 665 rows, --jobs 2, as a step of a cold run', IMPUTE_SPEC, 'bench-impute', 'mi', baseline);
}
