/** A valid spec becomes a resolved Pipeline: defaults filled in, params substituted, stable order. */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registry } from '../../src/nodes/registry.js';
import { analyseSpecText, loadPipeline } from '../../src/runner/spec.js';
import { analyse, yaml } from './spec-helpers.js';
import { fakeKinds } from './fake-kinds.js';

const demo = yaml`
  # yaml-language-server: $schema=../schema/pipeline.schema.json
  name: demo
  seed: 20261122
  params:
    max_volume: 80
    covariates: [age, nihss]
    iterations: 50
  steps:
    table:
      kind: compare
      fits: [model]
    model:
      kind: fit
      input: small
      outcome: good
      covariates: \${params.covariates}
      iterations: \${params.iterations}
    cohort:
      kind: load
      path: data/cohort.csv
    small:
      kind: filter
      input: cohort
      where: fiv_ml < \${params.max_volume}
`;

describe('loadPipeline', () => {
  it('resolves params, fills defaults, orders steps topologically (ties by spec order)', () => {
    const p = analyse(demo);
    expect(p.name).toBe('demo');
    expect(p.seed).toBe(20261122);
    expect([...p.steps.keys()]).toEqual(['cohort', 'small', 'model', 'table']);
    const model = p.steps.get('model' as never)!;
    expect(model.params).toEqual({ covariates: ['age', 'nihss'], family: 'binomial', input: 'small', iterations: 50, outcome: 'good' });
    expect(Object.keys(model.params)).toEqual(['covariates', 'family', 'input', 'iterations', 'outcome']);
    expect(model.inputs).toEqual(['small']);
    expect(model.kind).toBe(fakeKinds.get('fit'));
    expect(model.location).toEqual({ file: 'spec.yaml', line: 12, col: 3 });
    expect(model.sweep).toEqual({});
    expect(p.steps.get('small' as never)!.params.where).toBe('fiv_ml < 80');
    expect(p.steps.get('cohort' as never)!.params).toEqual({ na: ['', 'NA'], path: 'data/cohort.csv' });
    expect(p.steps.get('table' as never)!.params).toEqual({ fits: ['model'], title: 'Comparison' });
  });

  it('a whole-string reference keeps the type, inside text it is inserted as text; $${ is a literal', () => {
    const p = analyse(yaml`
      name: demo
      seed: 1
      params: {n: 7, flag: true, label: CT}
      steps:
        cohort: {kind: load, path: "\${params.label}-$\${x}.csv"}
        m: {kind: fit, input: cohort, outcome: "y\${params.n}", iterations: "\${params.n}", max_volume: "\${params.n}"}
    `);
    expect(p.steps.get('cohort' as never)!.params.path).toBe('CT-${x}.csv');
    expect(p.steps.get('m' as never)!.params).toMatchObject({ outcome: 'y7', iterations: 7, max_volume: 7 });
  });

  it('does not let one step see another step\'s substituted lists (values are copied)', () => {
    const p = analyse(yaml`
      name: demo
      seed: 1
      params: {covs: [a, b]}
      steps:
        cohort: {kind: load, path: x.csv}
        m1: {kind: fit, input: cohort, outcome: y, covariates: "\${params.covs}"}
        m2: {kind: fit, input: cohort, outcome: y, covariates: "\${params.covs}"}
    `);
    expect(p.steps.get('m1' as never)!.params.covariates).not.toBe(p.steps.get('m2' as never)!.params.covariates);
    expect(p.params.covs).toEqual(['a', 'b']);
  });

  it('parameters equal after defaults and key order give equal params (formatting and comments ignored)', () => {
    const a = analyse(yaml`
      name: demo
      seed: 1
      steps:
        cohort: {kind: load, path: x.csv}
        m: {kind: fit, input: cohort, outcome: y}
    `);
    const b = analyse(yaml`
      name: demo
      seed: 1
      steps:
        cohort:
          path: x.csv   # the data
          kind: load
        m:
          outcome: y
          family: binomial
          iterations: 25
          covariates: []
          input: cohort
          kind: fit
    `);
    expect(JSON.stringify([...b.steps.values()].map((s) => s.params))).toBe(JSON.stringify([...a.steps.values()].map((s) => s.params)));
    expect(b.specHash).not.toBe(a.specHash);
  });

  it('lists each input once, in a fixed order, and orders a subgraph step after its end', () => {
    const p = analyse(yaml`
      name: demo
      seed: 1
      steps:
        b: {kind: boot, from: cohort, of: m, replicates: 10}
        cohort: {kind: load, path: x.csv}
        m: {kind: fit, input: cohort, outcome: y}
        t: {kind: compare, fits: [m, m, cohort]}
    `);
    expect([...p.steps.keys()]).toEqual(['cohort', 'm', 'b', 't']);
    expect(p.steps.get('b' as never)!.inputs).toEqual(['cohort', 'm']);
    expect(p.steps.get('t' as never)!.inputs).toEqual(['m', 'cohort']);
  });

  it('reads a file: absolute path, folder, sha256 of the bytes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lesionflow-spec-'));
    try {
      const file = join(dir, 'demo.yaml');
      await writeFile(file, demo);
      const p = await loadPipeline(file, { registry: fakeKinds });
      expect(p.file).toBe(file);
      expect(p.dir).toBe(dir);
      expect(p.specHash).toBe(createHash('sha256').update(demo).digest('hex'));
      expect(p.steps.get('cohort' as never)!.location.file).toBe(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('uses the real registry by default (the example of issue 2)', () => {
    const p = analyseSpecText(yaml`
      name: demo
      seed: 20261122
      params:
        max_volume: 80
      steps:
        cohort:
          kind: load
          path: data/cohort.csv
          columns:
            occlusion: {type: factor, levels: [M1, ICA, M2]}
        small:
          kind: filter
          input: cohort
          where: fiv_ml < \${params.max_volume}
    `, 'pipelines/demo.yaml');
    expect(p.steps.get('cohort' as never)!.kind).toBe(registry.get('load'));
    expect(p.steps.get('small' as never)!.params.where).toBe('fiv_ml < 80');
  });

  it('reports a missing file as a spec error', async () => {
    await expect(loadPipeline('/nonexistent/x.yaml', { registry: fakeKinds })).rejects.toMatchObject({
      name: 'SpecErrors',
      errors: [expect.objectContaining({ message: 'cannot read spec /nonexistent/x.yaml: no such file' })],
    });
  });

  it('analyses a 200-step spec', () => {
    const lines = ['name: big', 'seed: 1', 'steps:', '  s0: {kind: load, path: x.csv}'];
    for (let i = 1; i < 200; i++) lines.push(`  s${i}: {kind: fit, input: s${Math.floor(i / 2)}, outcome: y, covariates: [a, b]}`);
    const p = analyse(lines.join('\n'));
    expect(p.steps.size).toBe(200);
    expect(p.steps.get('s199' as never)!.inputs).toEqual(['s99']);
  });
});
