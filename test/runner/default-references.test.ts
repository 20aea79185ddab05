/**
 * A reference parameter a kind defaults from another step (`defaultReferences`): `volume_delta`
 * without `data:` reads the data its model was fitted on — through an imputation to the table it
 * imputed, per sweep instance — with the same cache key as when `data:` is written out, and a clear
 * error when the model's data cannot be told.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registry } from '../../src/nodes/registry.js';
import { sha256, type CacheKey, type ContentHash } from '../../src/runner/hash.js';
import { cacheKey, keyMaterial, type KeyFacts } from '../../src/runner/key.js';
import type { Pipeline, StepName } from '../../src/runner/pipeline.js';
import { analyseSpecText } from '../../src/runner/spec.js';
import { SpecErrors } from '../../src/errors.js';
import { renderError } from '../../src/runner/diagnostics.js';

const facts: KeyFacts = {
  seed: 1,
  outputOf: (s) => sha256(`output of ${s}`) as ContentHash,
  keyOf: (s) => sha256(`key of ${s}`) as CacheKey,
  fileHash: (f) => sha256(`file ${f}`) as ContentHash,
};
const file = join(import.meta.dirname, 'spec.yaml');
const analyse = (text: string): Pipeline => analyseSpecText(text, file, { registry });
const step = (p: Pipeline, name: string) => p.steps.get(name as StepName)!;
const keyOf = (p: Pipeline, name: string): CacheKey => cacheKey(keyMaterial(step(p, name), undefined, facts));

/** The errors of a spec that must fail, as the CLI prints them. */
function renderedErrors(text: string): string {
  try {
    analyse(text);
  } catch (e) {
    expect(e).toBeInstanceOf(SpecErrors);
    return renderError(e);
  }
  throw new Error('expected the spec to fail');
}

const HEAD = `name: vd
seed: 3
steps:
  cohort:
    kind: load
    path: cohort.csv
  small:
    kind: filter
    input: cohort
    where: fiv_ml < 200
`;

/** The imputed-model pipeline of issue 4's example, with `data:` given or not. */
function imputed(data: string): string {
  return `${HEAD}  mi:
    kind: impute
    input: small
    variables: [evt, age, aspects, fiv_ml, mrs90]
  good_mi:
    kind: fit_logistic
    input: mi
    formula: "mrs90 <= 2 ~ fiv_ml + evt + age"
  vd:
    kind: volume_delta
    model: good_mi
    variable: fiv_ml
    where: fiv_ml < 80
${data}`;
}

describe('volume_delta without data:', () => {
  it('reads the table the model\'s imputation started from, with the key of the written-out form', () => {
    const inferred = analyse(imputed(''));
    const written = analyse(imputed('    data: small\n'));
    expect(step(inferred, 'vd').params.data).toBe('small');
    expect(step(inferred, 'vd').inputs).toEqual(step(written, 'vd').inputs);
    expect(step(inferred, 'vd').inputs).toContain('small');
    expect(keyOf(inferred, 'vd')).toBe(keyOf(written, 'vd'));
    // and the explicit form still wins over the default
    expect(step(analyse(imputed('    data: cohort\n')), 'vd').params.data).toBe('cohort');
  });

  it('reads a single fit\'s own input, and follows each sweep instance', () => {
    const p = analyse(`${HEAD}  part:
    kind: subset
    input: small
    column: modality
    value: \${foreach.modality}
    foreach:
      modality: [CT, MRI]
  good:
    kind: fit_logistic
    input: part
    formula: "mrs90 <= 2 ~ fiv_ml"
    foreach:
      modality: [CT, MRI]
  vd:
    kind: volume_delta
    model: good
    variable: fiv_ml
    foreach:
      modality: [CT, MRI]
`);
    expect(step(p, 'vd[modality=CT]').params.data).toBe('part[modality=CT]');
    expect(step(p, 'vd[modality=MRI]').params.data).toBe('part[modality=MRI]');
  });

  it('adds no error of its own when the model step itself is wrong (its error says what to fix)', () => {
    const text = `${HEAD}  fit:
    kind: fit_logistic
    input: small
    formula: "mrs90 <= 2 ~ fiv_ml"
    bogus: 1
  vd:
    kind: volume_delta
    model: fit
    variable: fiv_ml
`;
    const rendered = renderedErrors(text);
    expect(rendered).toContain('unknown parameter "bogus"');
    expect(rendered).not.toContain('has no data:');
  });

  it('says where and what to write when the model has no data to take', () => {
    const text = `${HEAD}  vd:
    kind: volume_delta
    model: cohort
    variable: fiv_ml
`;
    const rendered = renderedErrors(text);
    // at the model: reference (line 13, "model: cohort"), with what to do
    expect(rendered).toMatch(/spec\.yaml:13:12: error: volume_delta step "vd" has no data: and it cannot be taken from model: step "cohort" \(load\) has no single input/);
    expect(rendered).toContain('add data: <step> naming the data step to read');
  });
});
