/**
 * Golden diagnostics: the exact text of each kind of spec error (as the CLI prints it), with its
 * `file:line:col`, the key it names and its hint. All errors of a spec are reported at once.
 */
import { describe, expect, it } from 'vitest';
import type { StepKind } from '../../src/nodes/kind.js';
import { fakeKinds } from './fake-kinds.js';
import { errorsOf, yaml } from './spec-helpers.js';

const lines = (...l: string[]): string => l.join('\n');

describe('spec errors', () => {
  it('YAML syntax error', () => {
    const spec = yaml`
      name: demo
      seed: 1
      steps:
        a: [1, 2
        b: 3
    `;
    expect(errorsOf(spec)).toBe(lines(
      'spec.yaml:5:3: error: YAML syntax error: flow sequence in block collection must be sufficiently indented and end with a ]',
      '  hint: check the indentation and quoting on this line and the one before',
    ));
  });

  it('a YAML syntax error from an unquoted ${…} in a flow list hints at quoting it', () => {
    const spec = yaml`
      name: demo
      seed: 1
      params: {max: 80}
      steps:
        small: {kind: filter, input: cohort, where: [fiv_ml < ${'${params.max}'}, age > 18]}
    `;
    expect(errorsOf(spec)).toMatch(/^spec\.yaml:5:\d+: error: YAML syntax error: .*\n {2}hint: inside `\[…\]` or `\{…\}`, quote a value holding \$\{…\}: write "\$\{params\.x\}", e\.g\. \[a, "\$\{params\.x\}"\]$/);
  });

  it('unknown top-level keys and a missing required key, all at once', () => {
    const spec = yaml`
      name: demo
      paramz: {}
      stepz: {}
      a:
        kind: load
    `;
    // "steps" is not reported missing as well: "stepz" is taken to mean it.
    expect(errorsOf(spec)).toBe(lines(
      'spec.yaml:1:1: error: missing required key "seed"',
      '  hint: add e.g. `seed: 20261122` (an integer from 0 to 4294967295; steps that draw random numbers derive their seed from it)',
      'spec.yaml:2:1: error: unknown top-level key "paramz" (did you mean "params"?)',
      '  hint: the top-level keys are: name, description, seed, params, groups, steps, metrics',
      'spec.yaml:3:1: error: unknown top-level key "stepz" (did you mean "steps"?)',
      '  hint: the top-level keys are: name, description, seed, params, groups, steps, metrics',
      'spec.yaml:4:1: error: unknown top-level key "a"',
      '  hint: the top-level keys are: name, description, seed, params, groups, steps, metrics; a step goes under `steps:`',
      '4 errors in the spec',
    ));
  });

  it('bad name and seed', () => {
    const spec = yaml`
      name: my demo
      seed: -1
      steps:
        cohort: {kind: load, path: x.csv}
    `;
    expect(errorsOf(spec)).toBe(lines(
      'spec.yaml:1:7: error: name must be a simple name (letters, digits, _ . -), got "my demo"',
      '  hint: the outputs go to outputs/<name>/, e.g. name: hermes_surrogate',
      'spec.yaml:2:7: error: seed must be an integer from 0 to 4294967295, got -1',
      '  hint: e.g. seed: 20261122',
      '2 errors in the spec',
    ));
  });

  it('unknown step kind, listing the kinds', () => {
    const spec = yaml`
      name: demo
      seed: 1
      steps:
        a:
          kind: lod
          path: x.csv
        b:
          kind: nope
    `;
    expect(errorsOf(spec)).toBe(lines(
      'spec.yaml:5:11: error: unknown step kind "lod" (did you mean "load"?)',
      '  hint: the kinds are: load, filter, fit, compare, boot',
      'spec.yaml:8:11: error: unknown step kind "nope"',
      '  hint: the kinds are: load, filter, fit, compare, boot',
      '2 errors in the spec',
    ));
  });

  it('unknown parameter (closest name), wrong enum value, wrong type', () => {
    const spec = yaml`
      name: demo
      seed: 1
      steps:
        cohort: {kind: load, path: x.csv}
        m:
          kind: fit
          input: cohort
          outcome: good
          covariats: [age]
          family: binomal
          iterations: 2.5
    `;
    expect(errorsOf(spec)).toBe(lines(
      'spec.yaml:9:5: error: unknown parameter "covariats" for kind fit (did you mean "covariates"?)',
      '  hint: fit takes: input, outcome, covariates, family, max_volume, iterations',
      'spec.yaml:10:13: error: parameter "family" must be one of "binomial", "gaussian", got a string ("binomal") (did you mean "binomial"?)',
      '  hint: choose one of the listed values',
      'spec.yaml:11:17: error: parameter "iterations" must be an integer, got a number (2.5)',
      '  hint: write an integer here',
      '3 errors in the spec',
    ));
  });

  it('missing required parameter and wrong type (expected vs got)', () => {
    const spec = yaml`
      name: demo
      seed: 1
      steps:
        cohort:
          kind: load
          path: x.csv
        f:
          kind: fit
          input: cohort
          covariates: age
    `;
    expect(errorsOf(spec)).toBe(lines(
      'spec.yaml:7:3: error: missing required parameter "outcome" for kind fit',
      '  hint: add outcome: …',
      'spec.yaml:10:17: error: parameter "covariates" must be a list, got a string ("age")',
      '  hint: write a list here',
      '2 errors in the spec',
    ));
  });

  it('errors inside nested parameters name the full path', () => {
    const spec = yaml`
      name: demo
      seed: 1
      steps:
        cohort:
          kind: load
          path: data/cohort.csv
          columns:
            age: {type: numbr}
            sex: {typ: factor}
    `;
    expect(errorsOf(spec)).toBe(lines(
      'spec.yaml:8:19: error: parameter "columns.age.type" must be one of "number", "factor", "integer", got a string ("numbr") (did you mean "number"?)',
      '  hint: choose one of the listed values',
      'spec.yaml:9:13: error: unknown parameter "columns.sex.typ" for kind load (did you mean "type"?)',
      '  hint: "columns.sex" takes: type, levels',
      '2 errors in the spec',
    ));
  });

  it('reference to a missing step (closest step name)', () => {
    const spec = yaml`
      name: demo
      seed: 1
      steps:
        cohort:
          kind: load
          path: x.csv
        small:
          kind: filter
          input: cohrt
          where: x < 1
        table:
          kind: compare
          fits: [small, smal]
    `;
    expect(errorsOf(spec)).toBe(lines(
      'spec.yaml:9:12: error: parameter "input": unknown step "cohrt" (did you mean "cohort"?)',
      '  hint: a reference names a step of this spec; steps: cohort, small, table',
      'spec.yaml:13:19: error: parameter "fits[1]": unknown step "smal" (did you mean "small"?)',
      '  hint: a reference names a step of this spec; steps: cohort, small, table',
      '2 errors in the spec',
    ));
  });

  it('duplicate step names', () => {
    const spec = yaml`
      name: demo
      seed: 1
      steps:
        cohort:
          kind: load
          path: x.csv
        cohort:
          kind: load
          path: y.csv
    `;
    expect(errorsOf(spec)).toBe(lines(
      'spec.yaml:7:3: error: duplicate step name "cohort"',
      '  hint: "cohort" is already defined at line 4, column 3; rename or remove one of them',
    ));
  });

  it('a duplicate step name is reported with the other errors of the spec, not alone', () => {
    const spec = yaml`
      name: demo
      seed: 1
      steps:
        cohort:
          kind: load
          path: x.csv
        cohort:
          kind: load
          path: y.csv
        small:
          kind: filtr
    `;
    expect(errorsOf(spec)).toBe(lines(
      'spec.yaml:7:3: error: duplicate step name "cohort"',
      '  hint: "cohort" is already defined at line 4, column 3; rename or remove one of them',
      'spec.yaml:11:11: error: unknown step kind "filtr" (did you mean "filter"?)',
      '  hint: the kinds are: load, filter, fit, compare, boot',
      '2 errors in the spec',
    ));
  });

  it('step names whose output files would collide: the run record, and names differing only in case', () => {
    const spec = yaml`
      name: demo
      seed: 1
      steps:
        run:
          kind: load
          path: x.csv
        table:
          kind: load
          path: x.csv
        Table:
          kind: load
          path: y.csv
    `;
    expect(errorsOf(spec)).toBe(lines(
      'spec.yaml:4:3: error: step name "run" is reserved',
      '  hint: outputs/<pipeline>/run.json is the run record; rename the step, e.g. run_step',
      'spec.yaml:10:3: error: step names "table" and "Table" differ only in case',
      '  hint: their output files would be one file on macOS and Windows: rename one of them',
      '2 errors in the spec',
    ));
  });

  it('unknown ${params.x}', () => {
    const spec = yaml`
      name: demo
      seed: 1
      params:
        max_volume: 80
      steps:
        cohort: {kind: load, path: x.csv}
        small:
          kind: filter
          input: cohort
          where: fiv_ml < \${params.max_volum}
    `;
    expect(errorsOf(spec)).toBe(lines(
      'spec.yaml:10:12: error: unknown parameter ${params.max_volum} (did you mean "${params.max_volume}"?)',
      '  hint: declared params: max_volume',
    ));
  });

  it('a list parameter inserted into text', () => {
    const spec = yaml`
      name: demo
      seed: 1
      params:
        covs: [age, nihss]
      steps:
        cohort: {kind: load, path: x.csv}
        small: {kind: filter, input: cohort, where: "x in \${params.covs}"}
    `;
    expect(errorsOf(spec)).toBe(lines(
      'spec.yaml:7:47: error: ${params.covs} is a list and cannot be inserted into text',
      '  hint: use it as the whole value (key: ${params.covs}) to keep its type',
    ));
  });

  it('a cycle, printed whole with the location of each reference', () => {
    const spec = yaml`
      name: demo
      seed: 1
      steps:
        a:
          kind: filter
          input: c
          where: x < 1
        b:
          kind: filter
          input: a
          where: x < 1
        c:
          kind: filter
          input: b
          where: x < 1
        d:
          kind: filter
          input: d
          where: x < 1
    `;
    expect(errorsOf(spec)).toBe(lines(
      'spec.yaml:6:12: error: steps form a cycle: a → c → b → a',
      '  a → c at spec.yaml:6:12',
      '  c → b at spec.yaml:14:12',
      '  b → a at spec.yaml:10:12',
      '  hint: a step cannot read its own output, directly or through other steps: remove one of these references',
      'spec.yaml:18:12: error: steps form a cycle: d → d',
      '  d → d at spec.yaml:18:12',
      '  hint: a step cannot read its own output, directly or through other steps: remove one of these references',
      '2 errors in the spec',
    ));
  });

  it('a semantic check of the kind, at the parameter', () => {
    const spec = yaml`
      name: demo
      seed: 1
      steps:
        cohort: {kind: load, path: x.csv}
        f:
          kind: fit
          input: cohort
          outcome: y
          covariates: [age, y]
    `;
    expect(errorsOf(spec)).toBe(lines(
      'spec.yaml:9:17: error: parameter "covariates": the outcome "y" cannot also be a covariate',
      '  hint: remove it from covariates',
    ));
  });

  it('steps without a kind or not a mapping', () => {
    const spec = yaml`
      name: demo
      seed: 1
      steps:
        a: {path: x.csv}
        b: load
        c d: {kind: load, path: x.csv}
    `;
    expect(errorsOf(spec)).toBe(lines(
      'spec.yaml:4:3: error: step "a" has no kind',
      '  hint: add e.g. kind: filter (lesionflow schema lists the kinds)',
      'spec.yaml:5:6: error: step "b" must be a mapping with a kind and its parameters',
      '  hint: write e.g. b: {kind: filter, input: cohort, where: fiv_ml < 80}',
      'spec.yaml:6:3: error: step name "c d" is not valid',
      '  hint: use letters, digits, _ and -, starting with a letter (step names become file names)',
      '3 errors in the spec',
    ));
  });

  it('every error of a spec at once, in file order', () => {
    const spec = yaml`
      name: demo
      seed: 1.5
      steps:
        cohort: {kind: lod, path: x.csv}
        small: {kind: filter, input: cohort, where: "x < \${params.nope}"}
        fit1: {kind: fit, input: smal, outcome: y}
    `;
    expect(errorsOf(spec)).toBe(lines(
      'spec.yaml:2:7: error: seed must be an integer from 0 to 4294967295, got 1.5',
      '  hint: e.g. seed: 20261122',
      'spec.yaml:4:18: error: unknown step kind "lod" (did you mean "load"?)',
      '  hint: the kinds are: load, filter, fit, compare, boot',
      'spec.yaml:5:47: error: unknown parameter ${params.nope}',
      '  hint: declare it under `params:` at the top of the spec, e.g. params: {nope: …}',
      'spec.yaml:6:28: error: parameter "input": unknown step "smal" (did you mean "small"?)',
      '  hint: a reference names a step of this spec; steps: cohort, small, fit1',
      '4 errors in the spec',
    ));
  });
});

describe('spec errors, details', () => {
  it('a misspelt required parameter is reported once, as the misspelling', () => {
    const spec = yaml`
      name: demo
      seed: 1
      steps:
        cohort: {kind: load, pth: x.csv}
    `;
    expect(errorsOf(spec)).toBe(lines(
      'spec.yaml:4:24: error: unknown parameter "pth" for kind load (did you mean "path"?)',
      '  hint: load takes: path, columns, na',
    ));
  });

  it('a second YAML document', () => {
    expect(errorsOf('name: x\nseed: 1\nsteps:\n  a: {kind: load, path: x.csv}\n---\nname: y\n')).toBe(lines(
      'spec.yaml:5:1: error: YAML syntax error: a second YAML document (a spec is one document)',
      '  hint: a spec is one YAML document: remove the second `---`',
    ));
  });

  it('an empty spec, and steps given as a list', () => {
    expect(errorsOf('# nothing yet\n')).toBe('spec.yaml:1:1: error: the spec is empty\n  hint: start from the example in docs/spec.md');
    expect(errorsOf('name: x\nseed: 1\nsteps: []\n')).toBe(lines(
      'spec.yaml:3:8: error: steps must be a mapping of step name → step',
      '  hint: e.g. steps: {cohort: {kind: load, path: data/cohort.csv}}',
    ));
  });
});

describe('spec errors from loosely written kinds', () => {
  const loose: StepKind = {
    kind: 'loose',
    version: 1,
    summary: 'A kind with a loose schema and a check that throws.',
    params: { type: 'object', properties: { from: {}, boom: { type: 'boolean' } } },
    inputs: ['from'],
    check: (p) => {
      if (p.boom === true) throw new Error('formula parser crashed');
      return [];
    },
    run: () => {
      throw new Error('not run');
    },
  };
  const registry = new Map([...fakeKinds, ['loose', loose]]);

  it('a reference parameter that is not a step name, and a check that throws, become spec errors', () => {
    const spec = yaml`
      name: demo
      seed: 1
      steps:
        a: {kind: loose, from: 3}
        b: {kind: loose, boom: true}
    `;
    expect(errorsOf(spec, { registry })).toBe(lines(
      'spec.yaml:4:26: error: parameter "from" must name a step or a list of steps',
      '  hint: write a step name, e.g. input: cohort',
      'spec.yaml:5:3: error: step kind loose could not check its parameters: formula parser crashed',
      '  hint: check the parameters against docs/steps/loose.md',
      '2 errors in the spec',
    ));
  });
});
