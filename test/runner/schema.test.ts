/**
 * The JSON Schema of a spec: the committed copy equals what the code generates (regenerate with
 * `npm run schema`), and the schema does for an editor what the runner does: it accepts valid specs
 * (with ${…} references), refuses unknown keys, kinds and parameters, and offers each kind's summary.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { registry } from '../../src/nodes/registry.js';
import { schemaCommand } from '../../src/runner/commands/schema.js';
import { pipelineSchema, schemaText } from '../../src/runner/schema.js';
import { fakeKinds } from './fake-kinds.js';
import { yaml } from './spec-helpers.js';

const root = resolve(import.meta.dirname, '../..');

describe('pipeline schema', () => {
  it('the committed schema/pipeline.schema.json equals the generated one (run `npm run schema` after adding a kind)', () => {
    expect(readFileSync(resolve(root, 'schema/pipeline.schema.json'), 'utf8')).toBe(schemaText(registry));
  });

  it('every kind\'s parameter schema is valid draft 2020-12 (the runner\'s validators skip this check at start-up)', () => {
    const meta = new Ajv2020({ strict: false, allowUnionTypes: true });
    for (const kind of registry.values()) {
      const ok = meta.validateSchema(kind.params);
      expect(ok ? [] : (meta.errors ?? []).map((e) => `${kind.kind}${e.instancePath} ${e.message ?? ''}`)).toEqual([]);
    }
    // The check can fail: a misspelt type is caught.
    expect(meta.validateSchema({ type: 'object', properties: { a: { type: 'strin' } } })).toBe(false);
  });

  const validate = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }).compile(pipelineSchema(fakeKinds));
  const check = (text: string) => {
    const ok = validate(parse(text));
    return { ok, errors: (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`) };
  };

  it('compiles in ajv strict mode and accepts a valid spec with references, sweeps and groups', () => {
    expect(check(yaml`
      name: demo
      seed: 20261122
      params: {max_volume: 80, covs: [age], modalities: [CT, MRI]}
      groups:
        by_modality:
          foreach:
            modality: \${params.modalities}
          steps: [small]
      steps:
        cohort: {kind: load, path: x.csv, columns: {occlusion: {type: factor, levels: [M1, ICA]}}}
        small: {kind: filter, input: cohort, where: "fiv_ml < \${params.max_volume}"}
        m:
          kind: fit
          description: the main model
          input: small
          outcome: good
          covariates: \${params.covs}
          max_volume: \${params.max_volume}
          foreach: {adjust: [false, true]}
    `)).toEqual({ ok: true, errors: [] });
  });

  it('refuses unknown top-level keys, unknown kinds, unknown parameters, wrong types, missing required', () => {
    expect(check('name: demo\nseed: 1\nstpes: {}\nsteps: {a: {kind: load, path: x}}').ok).toBe(false);
    expect(check('name: demo\nseed: 1\nsteps: {a: {kind: lod, path: x}}').ok).toBe(false);
    expect(check('name: demo\nseed: 1\nsteps: {a: {kind: load, paht: x}}').ok).toBe(false);
    expect(check('name: demo\nseed: 1\nsteps: {a: {kind: fit, input: x, outcome: y, iterations: many}}').ok).toBe(false);
    expect(check('name: demo\nseed: 1\nsteps: {a: {kind: fit, input: x}}').ok).toBe(false);
    expect(check('name: demo\nseed: 1\nsteps: {a: {kind: fit, input: x, outcome: y, iterations: 3}}').ok).toBe(true);
  });

  it('offers every kind with its summary for completion, and its parameters once the kind is written', () => {
    const s = pipelineSchema(fakeKinds) as { $defs: Record<string, { properties: Record<string, unknown> }> };
    expect(s.$defs.step!.properties.kind).toEqual({
      description: 'The step kind.',
      oneOf: [...fakeKinds.values()].map((k) => ({ const: k.kind, description: k.summary })).sort((a, b) => (a.const < b.const ? -1 : 1)),
    });
    expect(Object.keys(s.$defs.step_fit!.properties)).toEqual(['kind', 'description', 'foreach', 'input', 'outcome', 'covariates', 'family', 'max_volume', 'iterations']);
  });

  it('moves a kind\'s own $defs to the root and rewrites its references', () => {
    const kind = { ...fakeKinds.get('filter')!, kind: 'withdefs', params: { type: 'object', $defs: { name: { type: 'string' } }, properties: { a: { $ref: '#/$defs/name' } }, additionalProperties: false } };
    const v = new Ajv2020({ strict: true, allowUnionTypes: true }).compile(pipelineSchema(new Map([['withdefs', kind]])));
    expect(v(parse('name: d\nseed: 1\nsteps: {x: {kind: withdefs, a: text}}'))).toBe(true);
    expect(v(parse('name: d\nseed: 1\nsteps: {x: {kind: withdefs, a: 3}}'))).toBe(false);
  });

  it('lesionflow schema prints it; --write FILE writes it (no temporary file left behind)', async () => {
    expect(await schemaCommand({ registry: fakeKinds })).toEqual({ exitCode: 0, stdout: schemaText(fakeKinds), stderr: '' });
    const dir = await mkdtemp(join(tmpdir(), 'lesionflow-schema-'));
    try {
      const file = join(dir, 'pipeline.schema.json');
      expect(await schemaCommand({ registry: fakeKinds, write: file })).toEqual({ exitCode: 0, stdout: `wrote ${file}\n`, stderr: '' });
      expect(await readFile(file, 'utf8')).toBe(schemaText(fakeKinds));
      expect(await readdir(dir)).toEqual(['pipeline.schema.json']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
