/**
 * Equivalent parameters share a cache key (`kind.normalise`), and parameters proven not to change the
 * output stay out of it (`kind.unkeyed`): the fit steps' formula forms, bootstrap's `batch`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeArtifact } from '../../src/data/artifact.js';
import { makeTable, type Table } from '../../src/data/table.js';
import type { StepKind } from '../../src/nodes/kind.js';
import { normaliseFitParams, type FitParams } from '../../src/nodes/fit-common.js';
import { registry } from '../../src/nodes/registry.js';
import { sha256, type CacheKey, type ContentHash } from '../../src/runner/hash.js';
import { cacheKey, keyMaterial, type KeyFacts } from '../../src/runner/key.js';
import type { Pipeline, StepName } from '../../src/runner/pipeline.js';
import { analyseSpecText } from '../../src/runner/spec.js';
import { testContext } from '../support/context.js';
import { cli, freshDir, writeSpec } from './helpers.js';
import { errorsOf, yaml } from './spec-helpers.js';

const facts: KeyFacts = {
  seed: 1,
  outputOf: (s) => sha256(`output of ${s}`) as ContentHash,
  keyOf: (s) => sha256(`key of ${s}`) as CacheKey,
  fileHash: (f) => sha256(`file ${f}`) as ContentHash,
};

const analyse = (text: string): Pipeline => analyseSpecText(text, join(import.meta.dirname, 'spec.yaml'), { registry });
const keyOf = (p: Pipeline, step: string): CacheKey => {
  const s = p.steps.get(step as StepName)!;
  return cacheKey(keyMaterial(s, undefined, facts));
};

/** A load step and one fit step whose model parameters are `model` (YAML lines). */
function fitSpec(kind: string, model: string): string {
  return `name: keys\nseed: 7\nsteps:\n  cohort:\n    kind: load\n    path: cohort.csv\n  fit:\n    kind: ${kind}\n    input: cohort\n${model}`;
}

const FORMS = ['    formula: "mrs90 <= 2 ~ age + nihss"\n', '    formula: "mrs90<=2~age+nihss"\n', '    outcome: "mrs90 <= 2"\n    covariates: [age, nihss]\n'];

describe('normaliseFitParams', () => {
  const n = (p: Partial<FitParams>): FitParams => normaliseFitParams({ input: 'd', ...p });

  it('turns both forms into the parser\'s normalised formula', () => {
    const canonical = { input: 'd', formula: 'mrs90 <= 2 ~ a + b' };
    expect(n({ formula: 'mrs90 <= 2 ~ a + b' })).toEqual(canonical);
    expect(n({ formula: 'mrs90<=2~a+b' })).toEqual(canonical);
    expect(n({ outcome: 'mrs90 <= 2', covariates: ['a', 'b'] })).toEqual(canonical);
    expect(n({ formula: 'y ~ log( fiv_ml ) + I(x / 10) + rcs(v,4) + a*b - 1' })).toEqual({ input: 'd', formula: 'y ~ log(fiv_ml) + I(x/10) + rcs(v, 4) + a + b + a:b - 1' });
    expect(n({ outcome: 'y', covariates: [] })).toEqual({ input: 'd', formula: 'y ~ 1' });
  });

  it('is idempotent', () => {
    for (const formula of ['y~a*b', 'y ~ x:f + f', 'mrs90<=2 ~ I(nihss/10) + rcs(age,4) + log(v) - 1', '~ a', 'y ~ 0', 'y ~ (a + b):c']) {
      const once = n({ formula });
      expect(normaliseFitParams(once)).toEqual(once);
    }
  });

  it('keeps the other parameters', () => {
    expect(normaliseFitParams({ input: 'd', outcome: 'y', covariates: ['a'], weights: 'w', level: 0.9 })).toEqual({ input: 'd', formula: 'y ~ a', weights: 'w', level: 0.9 });
  });

  it('keeps a formula whose reordering would rename its terms', () => {
    // Terms go by degree, and an interaction's variables by first appearance: `f + x:f` would be `f:x`.
    expect(n({ formula: 'y ~ x:f + f' })).toEqual({ input: 'd', formula: 'y ~ x:f + f' });
    expect(n({ outcome: 'y', covariates: ['x:f', 'f'] })).toEqual({ input: 'd', formula: 'y ~ x:f + f' });
  });

  it('keeps backquoted names usable', () => {
    const out = n({ outcome: 'y', covariates: ['`nihss score`', 'a'] });
    expect(Object.keys(out).sort()).toEqual(['formula', 'input']);
    expect(normaliseFitParams(out)).toEqual(out);
    expect(n({ formula: out.formula! })).toEqual(out);
  });

  it('returns parameters that fail their check unchanged, without throwing', () => {
    for (const p of [{ formula: 'y ~ a +' }, { formula: 'y ~ a', covariates: ['b'] }, { outcome: 'y' }, { covariates: ['a'] }, {}, { outcome: 'y', covariates: ['log('] }]) {
      expect(n(p)).toEqual({ input: 'd', ...p });
    }
  });
});

describe('cache keys of equivalent fit parameters', () => {
  it.each(['fit_linear', 'fit_logistic', 'fit_ordinal'])('%s: the formula, its spacing and outcome + covariates give one key', (kind) => {
    const keys = FORMS.map((form) => keyOf(analyse(fitSpec(kind, form)), 'fit'));
    expect(new Set(keys).size).toBe(1);
    expect(analyse(fitSpec(kind, FORMS[2]!)).steps.get('fit' as StepName)!.params).toMatchObject({ formula: 'mrs90 <= 2 ~ age + nihss' });
    // …and a different model a different key.
    expect(keyOf(analyse(fitSpec(kind, '    formula: "mrs90 <= 2 ~ age"\n')), 'fit')).not.toBe(keys[0]);
  });

  it('a formula that does not parse is still a spec error at its location', () => {
    const text = yaml`
      name: keys
      seed: 7
      steps:
        cohort: {kind: load, path: cohort.csv}
        fit:
          kind: fit_logistic
          input: cohort
          outcome: "mrs90 <= 2"
          covariates: [age, "log(nihss"]
    `;
    const rendered = errorsOf(text, { registry });
    expect(rendered).toMatch(/^spec\.yaml:9:\d+: error: parameter "covariates": /m);
    expect(rendered).toContain('"mrs90 <= 2 ~ age + log(nihss"');
  });

  it('fitting the normalised parameters gives the same bytes as fitting either form (and reports the normalised formula)', async () => {
    const table = cohort(60);
    const kind = registry.get('fit_logistic')! as unknown as StepKind<FitParams>;
    const forms: FitParams[] = [
      { input: 'd', formula: 'mrs90<=2~age+nihss' },
      { input: 'd', outcome: 'mrs90 <= 2', covariates: ['age', 'nihss'] },
    ];
    const inputs = new Map([['d', { type: 'table' as const, table }]]);
    const bytes = await Promise.all(forms.map(async (p) => encodeArtifact(await kind.run({ ...p, ci: 'wald' } as FitParams, inputs, testContext()))));
    const normalised = await Promise.all(forms.map(async (p) => encodeArtifact(await kind.run({ ...normaliseFitParams(p), ci: 'wald' } as FitParams, inputs, testContext()))));
    expect(normalised[0]).toEqual(normalised[1]);
    expect(bytes[1]).toEqual(normalised[1]);
    const result = JSON.parse(normalised[0]!) as { value: { formula: string } };
    expect(result.value.formula).toBe('mrs90 <= 2 ~ age + nihss');
  });
});

describe('bootstrap keys', () => {
  const bootSpec = (extra: string, from = 'from: cohort'): string => yaml`
    name: keys
    seed: 7
    steps:
      cohort: {kind: load, path: cohort.csv}
      fit: {kind: fit_linear, input: cohort, formula: "mrs90 ~ age"}
      boot:
        kind: bootstrap
        ${from}
        of: fit
        replicates: 50
        ${extra}
  `;
  const key = (text: string): string => cacheKey(keyMaterial(analyse(text).steps.get('boot' as StepName)!, ['fit' as StepName], facts));

  it('`from` left out is the table `of` reads: the same step, the same key', () => {
    expect(analyse(bootSpec('', '')).steps.get('boot' as StepName)!.params).toMatchObject({ from: 'cohort' });
    expect(key(bootSpec('', ''))).toBe(key(bootSpec('')));
    expect(key(bootSpec('').replace('replicates: 50', 'replicates: 60'))).not.toBe(key(bootSpec('')));
  });

  it('holds only parameters that change the output: the batch size is a run option (--batch), not a parameter', () => {
    const m = keyMaterial(analyse(bootSpec('')).steps.get('boot' as StepName)!, ['fit' as StepName], facts);
    expect(Object.keys(m.params as Record<string, unknown>).sort()).toEqual(['ci', 'conf', 'from', 'of', 'replicates', 'strata']);
    expect(errorsOf(bootSpec('batch: 7'), { registry })).toMatch(/unknown parameter "batch"/);
  });
});

describe('end to end: switching formula forms', () => {
  it('plan says cached and run runs nothing after switching to the other form', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'cohort.csv'), csv(cohort(80)));
    const spec = await writeSpec(dir, fitSpec('fit_logistic', `${FORMS[0]!}    ci: wald\n`));
    const first = await cli(['run', spec], dir);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const before = await readFile(join(dir, 'outputs/keys/fit.json'), 'utf8');

    for (const form of [FORMS[2]!, FORMS[1]!]) {
      await writeSpec(dir, fitSpec('fit_logistic', `${form}    ci: wald\n`));
      const plan = await cli(['plan', spec], dir);
      expect(plan.code).toBe(0);
      expect(plan.stdout).toContain('2 cached, 0 will run');
      const again = await cli(['run', spec], dir);
      expect(again.code).toBe(0);
      const record = JSON.parse(await readFile(join(dir, 'outputs/keys/run.json'), 'utf8')) as { steps: { name: string; status: string }[] };
      expect(record.steps.map((s) => [s.name, s.status])).toEqual([['cohort', 'cached'], ['fit', 'cached']]);
      expect(await readFile(join(dir, 'outputs/keys/fit.json'), 'utf8')).toBe(before);
    }
  }, 60_000);
});

/** A small stroke-like cohort: mrs90 0–6 worse with age and NIHSS (deterministic). */
function cohort(n: number): Table {
  const age = new Float64Array(n);
  const nihss = new Float64Array(n);
  const mrs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    age[i] = 50 + ((i * 37) % 40);
    nihss[i] = 2 + ((i * 13) % 22);
    mrs[i] = Math.min(6, Math.floor((age[i]! - 50) / 12 + nihss[i]! / 8 + ((i * 7) % 3)));
  }
  return makeTable([
    ['age', { type: 'number', values: age }],
    ['nihss', { type: 'number', values: nihss }],
    ['mrs90', { type: 'number', values: mrs }],
  ]);
}

function csv(t: Table): string {
  const cols = ['age', 'nihss', 'mrs90'];
  const lines = [cols.join(',')];
  for (let i = 0; i < t.nrows; i++) {
    lines.push(cols.map((c) => {
      const col = t.columns.get(c);
      return col?.type === 'number' ? String(col.values[i]) : '';
    }).join(','));
  }
  return `${lines.join('\n')}\n`;
}
