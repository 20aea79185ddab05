/**
 * Sweeps (`foreach:` on a step, or `groups:` sweeping several steps) and how references between
 * swept steps resolve: shared variables match, other variables gather every instance.
 */
import { describe, expect, it } from 'vitest';
import type { Pipeline } from '../../src/runner/pipeline.js';
import { analyse, errorsOf, yaml } from './spec-helpers.js';

const step = (p: Pipeline, name: string) => {
  const s = p.steps.get(name as never);
  if (s === undefined) throw new Error(`no step ${name}; have ${[...p.steps.keys()].join(', ')}`);
  return s;
};

const sweepSpec = (modalities: string) => yaml`
  name: demo
  seed: 1
  steps:
    cohort: {kind: load, path: x.csv}
    subset:
      kind: filter
      input: cohort
      where: modality == "\${foreach.modality}"
      foreach: {modality: ${modalities}}
    fit_good:
      kind: fit
      input: subset
      outcome: good
      foreach: {modality: ${modalities}}
    table:
      kind: compare
      fits: [fit_good]
`;

describe('sweeps', () => {
  it('expands a step into instances named by value, matching instances over a shared variable', () => {
    const p = analyse(sweepSpec('[all, CT, MRI]'));
    expect([...p.steps.keys()]).toEqual([
      'cohort',
      'subset[modality=all]', 'subset[modality=CT]', 'subset[modality=MRI]',
      'fit_good[modality=all]', 'fit_good[modality=CT]', 'fit_good[modality=MRI]',
      'table',
    ]);
    const ct = step(p, 'fit_good[modality=CT]');
    expect(ct.base).toBe('fit_good');
    expect(ct.sweep).toEqual({ modality: 'CT' });
    expect(ct.params.input).toBe('subset[modality=CT]');
    expect(ct.inputs).toEqual(['subset[modality=CT]']);
    expect(step(p, 'subset[modality=MRI]').params.where).toBe('modality == "MRI"');
    // A step that is not swept gathers every instance, in sweep order.
    expect(step(p, 'table').params.fits).toEqual(['fit_good[modality=all]', 'fit_good[modality=CT]', 'fit_good[modality=MRI]']);
  });

  it('adding a value renames and changes no other instance', () => {
    const before = analyse(sweepSpec('[all, CT]'));
    const after = analyse(sweepSpec('[all, CT, MRI]'));
    for (const [name, s] of before.steps) {
      if (name === 'table') continue;
      expect(after.steps.get(name)?.params).toEqual(s.params);
      expect(after.steps.get(name)?.inputs).toEqual(s.inputs);
    }
  });

  it('names one instance explicitly, and a sweep value keeps its type in a whole-string reference', () => {
    const p = analyse(yaml`
      name: demo
      seed: 1
      steps:
        cohort: {kind: load, path: x.csv}
        fit:
          kind: fit
          input: cohort
          outcome: good
          max_volume: \${foreach.max}
          foreach: {max: [40, 80.5]}
        best: {kind: compare, fits: ["fit[max=80.5]"]}
    `);
    expect(step(p, 'fit[max=40]').params.max_volume).toBe(40);
    expect(step(p, 'fit[max=80.5]').params.max_volume).toBe(80.5);
    expect(step(p, 'best').params.fits).toEqual(['fit[max=80.5]']);
  });

  it('sweeps over two variables: names list variables in code-unit order; unshared variables gather', () => {
    const p = analyse(yaml`
      name: demo
      seed: 1
      steps:
        cohort: {kind: load, path: x.csv, foreach: {trial: [escape, hermes]}}
        fit:
          kind: fit
          input: cohort
          outcome: good
          foreach: {trial: [escape, hermes], adjust: [false, true]}
        by_trial:
          kind: compare
          fits: [fit]
          foreach: {trial: [escape, hermes]}
    `);
    expect(step(p, 'fit[adjust=true,trial=hermes]').params.input).toBe('cohort[trial=hermes]');
    expect(step(p, 'by_trial[trial=escape]').params.fits).toEqual(['fit[adjust=false,trial=escape]', 'fit[adjust=true,trial=escape]']);
  });

  it('a group sweeps several steps together', () => {
    const p = analyse(yaml`
      name: demo
      seed: 1
      params:
        modalities: [CT, MRI]
      groups:
        by_modality:
          foreach:
            modality: \${params.modalities}
          steps: [subset, fit]
      steps:
        cohort: {kind: load, path: x.csv}
        subset: {kind: filter, input: cohort, where: "modality == '\${foreach.modality}'"}
        fit: {kind: fit, input: subset, outcome: good, foreach: {adjust: [false, true]}}
        table: {kind: compare, fits: [fit]}
    `, { set: ['modalities=[CT]'] });
    expect([...p.steps.keys()]).toEqual(['cohort', 'subset[modality=CT]', 'fit[adjust=false,modality=CT]', 'fit[adjust=true,modality=CT]', 'table']);
    expect(step(p, 'fit[adjust=true,modality=CT]').params.input).toBe('subset[modality=CT]');
  });

  it('reports sweep errors: single-step parameter given a swept step, unmatched values, bad instance names', () => {
    const spec = yaml`
      name: demo
      seed: 1
      steps:
        cohort: {kind: load, path: x.csv, foreach: {trial: [a, b]}}
        f1: {kind: fit, input: cohort, outcome: y}
        f2: {kind: fit, input: "cohort[trial=c]", outcome: y}
        f3: {kind: fit, input: "cohort[arm=a]", outcome: y}
        f4: {kind: fit, input: cohort, outcome: y, foreach: {trial: [a, z]}}
        f5: {kind: fit, input: cohort, outcome: "\${foreach.tria}", foreach: {trial: [a, a, "x y"]}}
    `;
    expect(errorsOf(spec)).toBe([
      'spec.yaml:5:26: error: parameter "input" takes one step, but "cohort" is swept into 2 instances',
      '  hint: name one instance, e.g. "cohort[trial=a]", or sweep "f1" over the same variable',
      'spec.yaml:6:26: error: parameter "input": step "cohort" has no instance with trial=c',
      '  hint: trial takes the values: a, b',
      'spec.yaml:7:26: error: parameter "input": step "cohort" is not swept over "arm"',
      '  hint: write cohort[variable=value]; "cohort" is swept over trial',
      'spec.yaml:8:26: error: parameter "input": no instance of "cohort" matches trial=z',
      '  hint: "cohort" is swept over trial: a, b; add z to its sweep, or name one instance, e.g. "cohort[trial=a]"',
      'spec.yaml:9:43: error: unknown sweep variable ${foreach.tria} (did you mean "${foreach.trial}"?)',
      '  hint: this step is swept over: trial',
      'spec.yaml:9:83: error: foreach.trial: duplicate sweep value a',
      '  hint: each value may appear once',
      'spec.yaml:9:86: error: foreach.trial: sweep value "x y" may only use letters, digits and _ . + -',
      '  hint: sweep values become part of step and file names',
      '7 errors in the spec',
    ].join('\n'));
  });

  it('refuses a reference as one sweep value (the whole list may be one)', () => {
    expect(errorsOf(yaml`
      name: demo
      seed: 1
      params: {extra: PET}
      steps:
        cohort: {kind: load, path: x.csv, foreach: {m: [CT, "\${params.extra}"]}}
    `)).toBe([
      'spec.yaml:5:55: error: foreach.m: a sweep value cannot be a reference (${params.extra})',
      '  hint: make the whole list a parameter instead: m: ${params.NAME}',
    ].join('\n'));
  });

  it('reports a variable swept twice (step and group) and groups naming unknown steps', () => {
    const spec = yaml`
      name: demo
      seed: 1
      groups:
        g:
          foreach: {trial: [a, b]}
          steps: [cohort, cohrt]
      steps:
        cohort: {kind: load, path: x.csv, foreach: {trial: [a]}}
    `;
    expect(errorsOf(spec)).toBe([
      'spec.yaml:5:15: error: step "cohort" is swept over "trial" twice (group "g" sweeps it again)',
      '  hint: remove foreach.trial from the step or the step from the group',
      'spec.yaml:6:21: error: group "g" lists unknown step "cohrt" (did you mean "cohort"?)',
      '  hint: a group lists steps defined under steps:; steps: cohort',
      '2 errors in the spec',
    ].join('\n'));
  });
});

describe('subgraph steps (bootstrap)', () => {
  it('require `of` to depend on `from`', () => {
    const spec = yaml`
      name: demo
      seed: 1
      steps:
        cohort: {kind: load, path: x.csv}
        other: {kind: load, path: y.csv}
        m: {kind: fit, input: cohort, outcome: y}
        b1: {kind: boot, from: other, of: m}
        b2: {kind: boot, from: cohort, of: m}
    `;
    expect(errorsOf(spec)).toBe([
      'spec.yaml:7:37: error: parameter "of": step "m" does not depend on "other" (from)',
      '  hint: boot re-runs the steps from "from" to "of": "of" must read "from", directly or through other steps',
    ].join('\n'));
  });
});
