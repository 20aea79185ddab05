/** `kind: impute` run directly: its artifact, info, reproducibility across worker counts, and errors. */
import { describe, expect, it } from 'vitest';
import { type Artifact, type ImputedArtifact, completed, decodeArtifact, encodeArtifact } from '../../src/data/artifact.js';
import { makeTable } from '../../src/data/table.js';
import { DataError } from '../../src/errors.js';
import type { WorkerPool } from '../../src/nodes/kind.js';
import { impute, type ImputeParams } from '../../src/nodes/impute.js';
import { rngFor } from '../../src/stats/rng.js';
import { inProcessPool, runStep, testContext } from '../support/context.js';

const n = 400;
const rng = rngFor(42, 0);
const evt = Float64Array.from({ length: n }, () => (rng.uniform() < 0.5 ? 1 : 0));
const age = Float64Array.from({ length: n }, () => Math.round(68 + 13 * rng.normal()));
const nihss = Float64Array.from({ length: n }, () => Math.round(17 + 5 * rng.normal()));
const fiv = Float64Array.from({ length: n }, (_, i) => Math.round(10 * Math.exp(2.5 + 0.05 * (nihss[i]! - 17) - 0.5 * evt[i]! + rng.normal())) / 10);
const occl = Int32Array.from({ length: n }, () => (rng.uniform() < 0.7 ? 0 : rng.uniform() < 0.7 ? 1 : 2));
const mrs = Float64Array.from({ length: n }, (_, i) => Math.min(6, Math.max(0, Math.round(2.5 + 0.4 * Math.cbrt(fiv[i]!) - 0.5 * evt[i]! + rng.normal()))));
const drop = (v: Float64Array, p: number): Float64Array => v.map((x) => (rng.uniform() < p ? NaN : x));
const cohort = makeTable([
  ['evt', { type: 'number', values: evt }],
  ['age', { type: 'number', values: drop(age, 0.05) }],
  ['nihss', { type: 'number', values: nihss }],
  ['occlusion', { type: 'factor', levels: ['M1', 'ICA', 'M2'], codes: occl.map((c) => (rng.uniform() < 0.05 ? -1 : c)) }],
  ['fiv_ml', { type: 'number', values: drop(fiv, 0.05) }],
  ['mrs90', { type: 'number', values: drop(mrs, 0.03) }],
]);
const inputs = new Map<string, Artifact>([['cohort', { type: 'table', table: cohort }]]);
const params: ImputeParams = { input: 'cohort', variables: ['evt', 'age', 'nihss', 'occlusion', 'fiv_ml', 'mrs90'], m: 6, maxit: 3, donors: 5, include_outcome: true };

/** A pool of `size` that runs tasks in-process (the batching differs with the size). */
const poolOfSize = (size: number): WorkerPool => ({ size, run: (task) => inProcessPool.run(task) });

describe('impute', () => {
  it('outputs an imputed artifact: every missing cell imputed m times, observed cells untouched', async () => {
    const a = (await runStep(impute, params, inputs, testContext())) as ImputedArtifact;
    expect(a.type).toBe('imputed');
    expect(a.m).toBe(6);
    expect([...a.imputations.keys()]).toEqual(['age', 'occlusion', 'fiv_ml', 'mrs90']);
    for (let k = 0; k < a.m; k++) {
      const t = completed(a, k);
      for (const [name, col] of t.columns) {
        const orig = cohort.columns.get(name)!;
        if (col.type === 'number' && orig.type === 'number') {
          col.values.forEach((v, i) => {
            expect(Number.isNaN(v)).toBe(false);
            if (!Number.isNaN(orig.values[i]!)) expect(v).toBe(orig.values[i]);
          });
        }
        if (col.type === 'factor') for (const c of col.codes) expect(c >= 0 && c < 3).toBe(true);
      }
    }
  });

  it('records methods, predictor matrix, missing counts and chain means per iteration', async () => {
    const a = (await runStep(impute, params, inputs, testContext())) as ImputedArtifact;
    const info = a.info as Record<string, unknown>;
    expect(info.methods).toEqual({ evt: '', age: 'pmm', nihss: '', occlusion: 'polyreg', fiv_ml: 'pmm', mrs90: 'pmm' });
    expect((info.predictor_matrix as Record<string, number[]>).fiv_ml).toEqual([1, 1, 1, 1, 0, 1]);
    expect((info.predictor_matrix as Record<string, number[]>).evt).toEqual([0, 0, 0, 0, 0, 0]);
    const missing = info.missing as Record<string, number>;
    expect(missing.fiv_ml).toBe(a.imputations.get('fiv_ml')!.rows.length);
    const chains = info.chains as Record<string, { mean: number[][]; sd: number[][] }>;
    expect(chains.fiv_ml!.mean).toHaveLength(6);
    expect(chains.fiv_ml!.mean[0]).toHaveLength(3);
  });

  it('is reproducible and independent of the number of workers (byte-identical artifact)', async () => {
    const one = encodeArtifact(await runStep(impute, params, inputs, testContext({ pool: poolOfSize(1) })));
    const three = encodeArtifact(await runStep(impute, params, inputs, testContext({ pool: poolOfSize(3) })));
    expect(three).toBe(one);
    const other = encodeArtifact(await runStep(impute, params, inputs, testContext({ seed: 7 })));
    expect(other).not.toBe(one);
    expect(encodeArtifact(decodeArtifact(one))).toBe(one);
  });

  it('honours method and predictor overrides and include_outcome: false', async () => {
    const a = (await runStep(
      impute,
      { ...params, variables: ['evt', 'age', 'nihss', 'occlusion', 'fiv_ml'], outcome: 'mrs90', include_outcome: false, methods: { occlusion: 'polr' }, predictors: { age: ['nihss'] } },
      inputs,
      testContext(),
    )) as ImputedArtifact;
    const info = a.info as { methods: Record<string, string>; predictor_matrix: Record<string, number[]> };
    expect(info.methods.occlusion).toBe('polr');
    // Columns: evt, age, nihss, occlusion, fiv_ml, mrs90.
    expect(info.predictor_matrix.age).toEqual([0, 0, 1, 0, 0, 0]);
    expect(info.predictor_matrix.fiv_ml).toEqual([1, 1, 1, 1, 0, 0]);
    expect(info.predictor_matrix.mrs90).toEqual([1, 1, 1, 1, 1, 0]);
  });

  it('checks parameters statically and data at run time', async () => {
    expect(impute.check!({ ...params, methods: { nope: 'pmm' } }).map((e) => e.path)).toEqual(['methods.nope']);
    expect(impute.check!({ ...params, include_outcome: false }).map((e) => e.path)).toEqual(['include_outcome']);
    await expect(runStep(impute, { ...params, variables: ['evt', 'fiv_mll'] }, inputs, testContext())).rejects.toThrow(/unknown column "fiv_mll".*did you mean "fiv_ml"/);
    await expect(runStep(impute, { ...params, methods: { fiv_ml: 'logreg' } }, inputs, testContext())).rejects.toThrow(DataError);
  });
});
