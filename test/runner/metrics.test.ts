/** `metrics:` in the spec: checked against the steps, each error at its line and column; swept steps give one metric per instance. */
import { describe, expect, it } from 'vitest';
import { analyse, errorsOf, yaml } from './spec-helpers.js';

const head = yaml`
  name: m
  seed: 1
  steps:
    cohort: {kind: load, path: c.csv}
    fit:
      kind: fit
      input: cohort
      outcome: y
      foreach: {modality: [CT, MRI]}
`;

describe('metrics', () => {
  it('resolve to step instances: a swept step without brackets gives one per instance', () => {
    const p = analyse(`${head}metrics:\n  or: {step: fit, path: "coefficients[term=x].odds_ratio"}\n  ct: {step: "fit[modality=CT]", path: n}\n`);
    expect(p.metrics?.map((m) => [m.name, m.step, m.path])).toEqual([
      ['or[modality=CT]', 'fit[modality=CT]', 'coefficients[term=x].odds_ratio'],
      ['or[modality=MRI]', 'fit[modality=MRI]', 'coefficients[term=x].odds_ratio'],
      ['ct', 'fit[modality=CT]', 'n'],
    ]);
  });

  it('an unknown step, a bad path, an unknown key and a missing path: each reported at its place', () => {
    const text = `${head}metrics:\n  a: {step: fitt, path: n}\n  b: {step: fit, path: "x[1"}\n  c: {step: fit, paht: n}\n  9z: {step: fit, path: n}\n`;
    expect(errorsOf(text)).toBe(
      [
        'spec.yaml:11:13: error: metric "a": unknown step "fitt" (did you mean "fit"?)',
        '  hint: a reference names a step of this spec; steps: cohort, fit',
        'spec.yaml:12:24: error: metric "b": path "x[1": "[" at character 2 is not closed',
        '  hint: a path is fields and selectors, e.g. coefficients[term=evt].odds_ratio',
        'spec.yaml:13:6: error: metric "c" needs a path (text)',
        '  hint: e.g. metrics: {volume_or: {step: fit, path: "coefficients[term=fiv_ml].odds_ratio"}}',
        'spec.yaml:13:18: error: unknown key "paht" in metric "c" (did you mean "path"?)',
        '  hint: a metric has a step and a path',
        'spec.yaml:14:3: error: metric name "9z" is not valid',
        '  hint: use letters, digits, _, - and ., starting with a letter or _',
        '5 errors in the spec',
      ].join('\n'),
    );
  });
});
