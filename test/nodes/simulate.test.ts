/**
 * The `simulate` and `simulate_truth` step kinds, and the shipped cohort files: each committed file
 * must be byte-identical to what the kinds produce with the seeds of pipelines/simulate-cohorts.yaml.
 * To regenerate the files after a deliberate change of the DGP (bump the kinds' versions too):
 *   LESIONFLOW_WRITE_COHORTS=1 npx vitest run test/nodes/simulate.test.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { simulate, type SimulateParams } from '../../src/nodes/simulate.js';
import { simulateTruth } from '../../src/nodes/simulate_truth.js';
import { simulateCohort } from '../../src/stats/simulate/cohorts.js';
import { writeCsv } from '../../src/data/csv.js';
import { canonicalJsonPretty } from '../../src/data/canonical.js';
import type { Artifact } from '../../src/data/artifact.js';
import { testContext } from '../support/context.js';

const root = resolve(import.meta.dirname, '../..');
const write = process.env.LESIONFLOW_WRITE_COHORTS === '1';

function tableOf(a: Artifact): ReturnType<typeof simulateCohort> {
  if (a.type !== 'table') throw new Error(`expected a table, got ${a.type}`);
  return a.table;
}

function valueOf(a: Artifact): unknown {
  if (a.type !== 'result') throw new Error(`expected a result, got ${a.type}`);
  return a.value;
}

/** The simulate steps of the regeneration pipeline, read from the YAML itself (so the seeds cannot drift). */
function shippedSteps(): { name: string; params: SimulateParams; csv: string; truth: string }[] {
  const spec = parse(readFileSync(resolve(root, 'pipelines/simulate-cohorts.yaml'), 'utf8')) as { steps: Record<string, Record<string, unknown>> };
  return Object.entries(spec.steps)
    .filter(([, s]) => s.kind === 'simulate')
    .map(([name, s]) => {
      const params = { cohort: s.cohort, seed: s.seed, n: s.n } as SimulateParams;
      return { name, params, csv: `pipelines/data/${params.cohort}_synthetic.csv`, truth: `pipelines/data/${params.cohort}_synthetic.truth.json` };
    });
}

describe('shipped synthetic cohorts', () => {
  const steps = shippedSteps();

  it('regenerates both cohorts with fixed seeds', () => {
    expect(steps.map((s) => s.params.cohort).sort()).toEqual(['escape', 'hermes']);
    for (const s of steps) expect(typeof s.params.seed).toBe('number');
  });

  for (const s of steps) {
    it(`${s.csv} is byte-identical to the generator's output`, async () => {
      const csv = writeCsv(tableOf(await simulate.run(s.params, new Map(), testContext())));
      if (write) writeFileSync(resolve(root, s.csv), csv);
      expect(readFileSync(resolve(root, s.csv), 'utf8')).toBe(csv);
    });

    it(`${s.truth} is byte-identical to simulate_truth's output`, async () => {
      const json = canonicalJsonPretty(valueOf(await simulateTruth.run({ cohort: s.params.cohort }, new Map(), testContext())));
      if (write) writeFileSync(resolve(root, s.truth), json);
      expect(readFileSync(resolve(root, s.truth), 'utf8')).toBe(json);
    });
  }
});

describe('simulate', () => {
  it('uses the step seed unless a seed is given, and says so through random()', async () => {
    const ctx = testContext({ seed: 777 });
    const byStep = tableOf(await simulate.run({ cohort: 'escape', n: 60 }, new Map(), ctx));
    expect(writeCsv(byStep)).toBe(writeCsv(simulateCohort('escape', 60, 777)));
    const fixed = tableOf(await simulate.run({ cohort: 'escape', n: 60, seed: 5 }, new Map(), ctx));
    expect(writeCsv(fixed)).toBe(writeCsv(simulateCohort('escape', 60, 5)));
    expect(simulate.random?.({ cohort: 'escape' })).toBe(true);
    expect(simulate.random?.({ cohort: 'escape', seed: 5 })).toBe(false);
  });

  it('defaults n to the published size of each cohort', async () => {
    expect(tableOf(await simulate.run({ cohort: 'hermes', seed: 1 }, new Map(), testContext())).nrows).toBe(1665);
    expect(tableOf(await simulate.run({ cohort: 'escape', seed: 1 }, new Map(), testContext())).nrows).toBe(315);
  });

  it('applies parameter overrides', async () => {
    const base = tableOf(await simulate.run({ cohort: 'hermes', n: 500, seed: 3 }, new Map(), testContext()));
    const big = tableOf(await simulate.run({ cohort: 'hermes', n: 500, seed: 3, parameters: { vol_intercept: 0 } }, new Map(), testContext()));
    const median = (t: typeof base): number => {
      const c = t.columns.get('fiv_ml');
      if (c?.type !== 'number') throw new Error('fiv_ml');
      const v = [...c.values].filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
      return v[Math.floor(v.length / 2)]!;
    };
    expect(median(big)).toBeGreaterThan(2 * median(base));
  });

  it('reports an unknown override at its parameter path, with the closest name', () => {
    const problems = simulate.check?.({ cohort: 'hermes', parameters: { out_evtt: 1, vol_sd: 2 } }) ?? [];
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe('parameters.out_evtt');
    expect(problems[0]!.message).toBe('"out_evtt" is not a scalar parameter of the hermes cohort (did you mean "out_evt"?)');
    expect(problems[0]!.hint).toMatch(/^the hermes cohort's overridable parameters are: .*vol_sd/);
    // ESCAPE has no trial-level MRI shares, so a HERMES-only name is refused there.
    expect(simulate.check?.({ cohort: 'escape', parameters: { vol_ivt: 0 } })).toHaveLength(1);
  });

  it('refuses at spec time an override that makes the mRS thresholds cross (out_volume_good, vol_max, out_evt_death)', () => {
    expect(simulate.check?.({ cohort: 'hermes', parameters: { out_volume_good: 0.2 } })).toEqual([]);
    const problems = simulate.check?.({ cohort: 'hermes', parameters: { out_volume_good: 0.3 } }) ?? [];
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe('parameters.out_volume_good');
    expect(problems[0]!.message).toMatch(/makes the mRS thresholds cross/);
    // The default effect is valid up to about 6.7³ = 300 mL; a much larger vol_max is not.
    const big = simulateTruth.check?.({ cohort: 'hermes', parameters: { vol_max: 2000 } }) ?? [];
    expect(big.map((p) => p.path)).toEqual(['parameters.vol_max']);
    expect(simulate.check?.({ cohort: 'escape', parameters: { vol_max: 2000 } })).toEqual([]);
    const escape = simulate.check?.({ cohort: 'escape', parameters: { out_evt_death: 1.5 } }) ?? [];
    expect(escape.map((p) => p.path)).toEqual(['parameters.out_evt_death']);
  });

  it('declares a closed parameter schema with the cohort required', () => {
    const schema = simulate.params as { required: string[]; additionalProperties: boolean; properties: Record<string, unknown> };
    expect(schema.required).toEqual(['cohort']);
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties).sort()).toEqual(['cohort', 'n', 'parameters', 'seed']);
  });
});

describe('simulate_truth', () => {
  it('is deterministic and not random', async () => {
    expect(simulateTruth.random?.({ cohort: 'hermes' })).toBe(false);
    const a = canonicalJsonPretty(valueOf(await simulateTruth.run({ cohort: 'hermes' }, new Map(), testContext({ seed: 1 }))));
    const b = canonicalJsonPretty(valueOf(await simulateTruth.run({ cohort: 'hermes' }, new Map(), testContext({ seed: 2 }))));
    expect(a).toBe(b);
  });

  it('reflects overrides in the parameters and withholds population values', async () => {
    const v = valueOf(await simulateTruth.run({ cohort: 'hermes', parameters: { out_evt: 0.5 } }, new Map(), testContext())) as Record<string, unknown>;
    expect((v.parameters as Record<string, number>).out_evt).toBe(0.5);
    expect(v.population).toBeNull();
    expect(v.overrides).toEqual({ out_evt: 0.5 });
  });
});
