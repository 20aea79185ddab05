/**
 * End to end: `lesionflow validate <spec>` as a subprocess (the built CLI, dist/src/runner/cli.js;
 * `npm test` builds it first). Each kind of spec error prints its file:line:col message on stderr and
 * exits with code 2. Most fixtures use the CLI's test kind `test_step` (LESIONFLOW_KINDS, test/support/test-kinds.ts), so they
 * do not depend on which real kinds are registered.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_KINDS_ENV } from '../support/test-kinds.js';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'dist/src/runner/cli.js');
const run = promisify(execFile);

async function lesionflow(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [cli, ...args], { cwd: root, env: { ...process.env, ...TEST_KINDS_ENV, CI: '1' }, timeout: 30_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const f = e as { code?: number | string; stdout: string; stderr: string };
    return { code: typeof f.code === 'number' ? f.code : -1, stdout: f.stdout, stderr: f.stderr };
  }
}

const spec = (name: string): string => `test/fixtures/specs/${name}.yaml`;
/** Expected stderr lines; a RegExp for a hint that lists the registered kinds or parameters (they grow). */
const cases: Record<string, (string | RegExp)[]> = {
  'yaml-syntax': [
    'test/fixtures/specs/yaml-syntax.yaml:5:3: error: YAML syntax error: flow map in block collection must be sufficiently indented and end with a }',
    '  hint: check the indentation and quoting on this line and the one before',
  ],
  'unknown-top-level': [
    'test/fixtures/specs/unknown-top-level.yaml:3:1: error: unknown top-level key "stpes" (did you mean "steps"?)',
    '  hint: the top-level keys are: name, description, seed, params, groups, steps, metrics',
  ],
  'unknown-kind': [
    'test/fixtures/specs/unknown-kind.yaml:5:11: error: unknown step kind "test_stp" (did you mean "test_step"?)',
    /^ {2}hint: the kinds are: (.+, )?test_step(, .+)?$/,
  ],
  'unknown-param': [
    'test/fixtures/specs/unknown-param.yaml:6:5: error: unknown parameter "valeu" for kind test_step (did you mean "value"?)',
    /^ {2}hint: test_step takes: value, inputs, .+$/,
  ],
  // A real kind (filter): its `where` is required.
  'missing-required': [
    'test/fixtures/specs/missing-required.yaml:7:3: error: missing required parameter "where" for kind filter',
    /^ {2}hint: add where: … \(.+\)$/,
  ],
  'wrong-type': [
    'test/fixtures/specs/wrong-type.yaml:6:12: error: parameter "value" must be a number, got a string ("three")',
    '  hint: write a number here',
  ],
  'missing-step': [
    'test/fixtures/specs/missing-step.yaml:8:14: error: parameter "inputs[0]": unknown step "cohrt" (did you mean "cohort"?)',
    '  hint: a reference names a step of this spec; steps: cohort, small',
  ],
  'duplicate-step': [
    'test/fixtures/specs/duplicate-step.yaml:6:3: error: duplicate step name "a"',
    '  hint: "a" is already defined at line 4, column 3; rename or remove one of them',
  ],
  'unknown-param-ref': [
    'test/fixtures/specs/unknown-param-ref.yaml:8:12: error: unknown parameter ${params.max_volum} (did you mean "${params.max_volume}"?)',
    '  hint: declared params: max_volume',
  ],
  cycle: [
    'test/fixtures/specs/cycle.yaml:6:14: error: steps form a cycle: a → c → b → a',
    '  a → c at test/fixtures/specs/cycle.yaml:6:14',
    '  c → b at test/fixtures/specs/cycle.yaml:12:14',
    '  b → a at test/fixtures/specs/cycle.yaml:9:14',
    '  hint: a step cannot read its own output, directly or through other steps: remove one of these references',
  ],
  // A reference to the wrong kind of output (kinds' produces/accepts; the report's sections), before anything runs.
  'wrong-product': [
    'test/fixtures/specs/wrong-product.yaml:13:12: error: parameter "model": step "ordinal" produces an ordinal fit (fit_ordinal), but volume_delta\'s model takes a logistic fit (fit_logistic)',
    '  hint: name a step that produces a logistic fit (fit_logistic)',
    'test/fixtures/specs/wrong-product.yaml:21:55: error: parameter "sections[0].steps[1]": step "cohort" produces a data table (load, filter, subset, derive, simulate), but a model section reads a logistic fit (fit_logistic), an ordinal fit (fit_ordinal) or a linear fit (fit_linear)',
    '  hint: name a step that produces a logistic fit (fit_logistic), an ordinal fit (fit_ordinal) or a linear fit (fit_linear)',
    '2 errors in the spec',
  ],
  // trial_design's outcome model, mediation and its report section name the wrong kind of step.
  'trial-design-wrong-model': [
    'test/fixtures/specs/trial-design-wrong-model.yaml:16:20: error: parameter "outcome_model": step "linear" produces a linear fit (fit_linear), but trial_design\'s outcome_model takes a logistic fit (fit_logistic) or an ordinal fit (fit_ordinal)',
    '  hint: name a step that produces a logistic fit (fit_logistic) or an ordinal fit (fit_ordinal)',
    'test/fixtures/specs/trial-design-wrong-model.yaml:17:16: error: parameter "mediation": step "cohort" produces a data table (load, filter, subset, derive, simulate), but trial_design\'s mediation takes a mediation analysis (mediate)',
    '  hint: name a step that produces a mediation analysis (mediate)',
    'test/fixtures/specs/trial-design-wrong-model.yaml:24:51: error: parameter "sections[0].step": step "linear" produces a linear fit (fit_linear), but a trial_design section reads a trial design (trial_design)',
    '  hint: name a step that produces a trial design (trial_design)',
    '3 errors in the spec',
  ],
  'alias-bomb': [
    'test/fixtures/specs/alias-bomb.yaml:7:45: error: spec expands to more than 100000 values through YAML aliases',
    '  hint: this looks like a YAML "billion laughs" bomb; write the values out, or use `params:` for shared values',
  ],
};

describe('lesionflow validate (subprocess)', () => {
  beforeAll(() => {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  });

  for (const [name, expected] of Object.entries(cases)) {
    it(`${name}: file:line:col message on stderr, exit code 2`, async () => {
      const r = await lesionflow('validate', spec(name));
      expect(r.stdout).toBe('');
      const lines = r.stderr.split('\n');
      expect(lines).toHaveLength(expected.length + 1); // + the empty string after the final newline
      expected.forEach((line, i) => {
        if (typeof line === 'string') expect(lines[i]).toBe(line);
        else expect(lines[i]).toMatch(line);
      });
      expect(r.code).toBe(2);
    });
  }

  it('a valid spec: ok on stdout, exit code 0', async () => {
    const r = await lesionflow('validate', spec('valid'));
    expect(r).toEqual({ code: 0, stdout: 'test/fixtures/specs/valid.yaml: ok (pipeline valid, 3 steps, 4 instances after sweeps)\n', stderr: '' });
  });

  it('--set errors: unknown key with did-you-mean, exit code 2', async () => {
    const r = await lesionflow('validate', spec('valid'), '--set', 'bsae=2', '--set', 'base=two');
    expect(r.stderr).toBe([
      'error: --set bsae: unknown parameter "bsae" (did you mean "base"?)',
      '  hint: the spec declares: base; --set only overrides a parameter declared under `params:`',
      'error: --set base: expected a number, got "two"',
      '  hint: write e.g. --set max_volume=80 or 72.5',
      '2 errors in the spec',
      '',
    ].join('\n'));
    expect(r.code).toBe(2);
  });

  it('a 50 MB spec is refused at once, exit code 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lesionflow-cli-'));
    try {
      const file = join(dir, 'huge.yaml');
      const handle = await open(file, 'w');
      await handle.write('name: huge\nseed: 1\nsteps:\n');
      await handle.truncate(50 * 1024 * 1024);
      await handle.close();
      const r = await lesionflow('validate', file);
      expect(r.stderr).toBe(`${file}:1:1: error: spec is too large: 50.0 MB (the limit is 1.0 MB)\n  hint: a spec describes steps, it does not hold data: put data in a CSV file and load it with a \`load\` step\n`);
      expect(r.code).toBe(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('dag prints the graph of a valid spec', async () => {
    const r = await lesionflow('dag', spec('valid'));
    expect(r).toEqual({ code: 0, stdout: 'a (test_step)\nb[k=x] (test_step) ← a\nb[k=y] (test_step) ← a\nc (test_step) ← b[k=x], b[k=y]\n', stderr: '' });
  });
});
