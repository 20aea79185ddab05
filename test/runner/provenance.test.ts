/**
 * Provenance (src/runner/provenance.ts and friends): what a result states about where it came from, how
 * paths are shown, the command that reproduces it, the versions read from the lock file, and the rule
 * that only the provenance-stating step's key holds it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DocumentKind, Kind } from '../../src/nodes/kind.js';
import { registry } from '../../src/nodes/registry.js';
import { provenanceCue } from '../../src/runner/cues.js';
import { displayPath } from '../../src/runner/display-path.js';
import type { ContentHash } from '../../src/runner/hash.js';
import { cacheKey, keyMaterial } from '../../src/runner/key.js';
import { parseSetValue } from '../../src/runner/params.js';
import type { StepName } from '../../src/runner/pipeline.js';
import { reproduceCommand, resultProvenance, setValueText, shellQuote, type RunFacts } from '../../src/runner/provenance.js';
import { analyseSpecText } from '../../src/runner/spec.js';
import { kinds as testKinds } from '../support/test-kinds.js';
import { readVersions } from '../../src/runner/versions.js';
import { freshDir } from './helpers.js';

const kinds: ReadonlyMap<string, Kind> = new Map([...registry, ...testKinds.map((k) => [k.kind, k] as const)]);

/** A document like the report (DocumentKind): it states its provenance. */
const stating: DocumentKind = { kind: 'stating', version: 3, summary: 'states its provenance', params: { type: 'object', properties: { inputs: { type: 'array', items: { type: 'string' } } }, additionalProperties: false }, inputs: ['inputs'], lifecycle: 'document', checkProducts: () => [], keyResults: () => [], run: () => ({ type: 'result', value: {} }) };

const spec = (extra = ''): string => `name: prov
seed: 9
params:
  data: data/a.csv
  n: 2
steps:
  a:
    kind: test_step
    file: \${params.data}
    value: \${params.n}
  b:
    kind: test_step
    file: data/b.csv
  report:
    kind: stating
    inputs: [a]
${extra}`;

const hash = (c: string): ContentHash => c.repeat(64) as ContentHash;
const versions = { lesionflow: '9.9.9', dependencies: { yaml: '2.9.1', ajv: '8.20.0' }, installed: { yaml: '2.9.1', ajv: '8.20.0', 'opt-x': '1.0.0' }, source: 'package-lock.json' as const };

function facts(root: string, text: string, set: string[] = [], cwd?: string): RunFacts & { pipeline: ReturnType<typeof analyseSpecText> } {
  const pipeline = analyseSpecText(text, join(root, 'pipelines', 'p.yaml'), { registry: new Map([...kinds, ['stating', stating]]), set, cwd });
  return { pipeline, root, versions };
}

describe('provenance', () => {
  it('paths are shown relative to the project, or by file name outside it', () => {
    expect(displayPath('/home/ann/proj/pipelines/data/a.csv', '/home/ann/proj')).toBe('pipelines/data/a.csv');
    expect(displayPath('data/a.csv', '/home/ann/proj', '/home/ann/proj/pipelines')).toBe('pipelines/data/a.csv');
    expect(displayPath('/home/ann/secret/cohort.csv', '/home/ann/proj')).toBe('cohort.csv');
    expect(displayPath('../../elsewhere/x.csv', '/home/ann/proj', '/home/ann/proj/pipelines')).toBe('x.csv');
  });

  it('states the result\'s upstream data files, the overrides (paths shown), the kinds, versions and the command', () => {
    const f = facts('/home/ann/proj', spec(), ['data=/home/ann/private/cohort.csv', 'n=3']);
    const p = resultProvenance(f, 'report' as StepName, new Map([['/home/ann/private/cohort.csv', hash('a')], ['data/b.csv', hash('b')]]));
    expect(p).toEqual({
      pipeline: 'prov',
      spec: 'pipelines/p.yaml',
      spec_sha256: f.pipeline.specHash,
      seed: 9,
      overrides: { data: 'cohort.csv', n: 3 },
      // only the file upstream of the report (b's is not)
      files: [{ path: 'cohort.csv', sha256: hash('a') }],
      lesionflow: '9.9.9',
      dependencies: { yaml: '2.9.1', ajv: '8.20.0' },
      kinds: { stating: 3, test_step: 1 },
      command: 'lesionflow run pipelines/p.yaml --set data=cohort.csv --set n=3',
    });
    expect(JSON.stringify(p)).not.toContain('/home/ann');
  });

  it('a --set path is taken relative to the working directory, and shown relative to the project', () => {
    const inside = facts('/home/ann/proj', spec(), ['data=pipelines/exports/cohort.csv'], '/home/ann/proj');
    const p = resultProvenance(inside, 'report' as StepName, new Map([['pipelines/exports/cohort.csv', hash('a')]]));
    expect(p.files).toEqual([{ path: 'pipelines/exports/cohort.csv', sha256: hash('a') }]);
    expect(p.overrides).toEqual({ data: 'pipelines/exports/cohort.csv' });
    const outside = facts('/home/ann/proj', spec(), ['data=cohort.csv'], '/home/ann/downloads');
    const q = resultProvenance(outside, 'report' as StepName, new Map([['cohort.csv', hash('a')]]));
    expect([q.files, q.overrides, q.command]).toEqual([[{ path: 'cohort.csv', sha256: hash('a') }], { data: 'cohort.csv' }, 'lesionflow run pipelines/p.yaml --set data=cohort.csv']);
  });

  it('the command quotes what a shell would split, and --set reads each value back as it was', () => {
    expect(shellQuote('covariates=[age, nihss]')).toBe(`'covariates=[age, nihss]'`);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(reproduceCommand('pipelines/x.yaml', { covariates: ['age', 'nihss'], rename: { FIV: 'fiv_ml' }, flag: true, where: 'a < 3' })).toBe(
      `lesionflow run pipelines/x.yaml --set 'covariates=[age, nihss]' --set 'rename={FIV: fiv_ml}' --set flag=true --set 'where=a < 3'`,
    );
    const values = [['age', 'nihss'], ['true', '1e3', 'a b', 'x:y'], { FIV: 'fiv_ml', 'mRS 90': 'mrs90' }, 80, 72.5, false, 'data/x.csv'];
    for (const v of values) expect(parseSetValue(v, setValueText(v as never))).toEqual({ value: v });
  });

  it('enters the key of the stating step only: a comment in the spec re-runs the report, nothing else', () => {
    const before = facts('/p', spec());
    const after = facts('/p', `${spec()}# a comment\n`);
    const keyOf = (f: ReturnType<typeof facts>, step: string): string => {
      const s = f.pipeline.steps.get(step as StepName)!;
      return cacheKey(
        keyMaterial(s, undefined, {
          seed: f.pipeline.seed,
          outputOf: () => hash('c'),
          keyOf: () => null,
          fileHash: () => hash('d'),
          provenance: (st) => resultProvenance(f, st.name, new Map([['data/a.csv', hash('d')]])),
        }),
      );
    };
    expect(keyOf(before, 'a')).toBe(keyOf(after, 'a'));
    expect(keyOf(before, 'b')).toBe(keyOf(after, 'b'));
    expect(keyOf(before, 'report')).not.toBe(keyOf(after, 'report'));
  });

  it('plan and verify say what changed in a stated provenance, in words', () => {
    const base = { scheme: 1, kind: 'report', version: 2, params: {}, inputs: [], files: [] };
    const p = resultProvenance(facts('/p', spec()), 'report' as StepName, new Map([['data/a.csv', hash('a')]]));
    const q = { ...p, spec_sha256: 'other', overrides: { n: 5 }, files: [{ path: 'pipelines/data/a.csv', sha256: hash('e') }], lesionflow: '10.0.0', dependencies: { yaml: '2.9.2' }, kinds: { ...p.kinds, test_step: 2 } };
    expect(provenanceCue({ ...base, provenance: p as never }, { ...base, provenance: q })).toEqual([
      'spec file pipelines/p.yaml changed',
      '--set n: added 5',
      'file pipelines/data/a.csv changed',
      'lesionflow 9.9.9 → 10.0.0',
      'dependency yaml 2.9.1 → 2.9.2',
      'dependency ajv removed',
      'kind test_step version 1 → 2',
    ]);
    expect(provenanceCue(base, { ...base, provenance: p as never })).toEqual(['provenance now stated']);
    expect(provenanceCue(base, base)).toEqual([]);
  });

  it('runtime dependencies come from the lock file: dev tools left out, optional packages only where installed', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'lesionflow', version: '1.2.3', dependencies: { a: '1.0.0' } }));
    await writeFile(
      join(dir, 'package-lock.json'),
      JSON.stringify({
        lockfileVersion: 3,
        packages: {
          '': { name: 'lesionflow', version: '1.2.3' },
          'node_modules/a': { version: '1.0.0' },
          'node_modules/b': { version: '2.0.0' },
          'node_modules/a/node_modules/b': { version: '1.5.0' },
          'node_modules/vitest': { version: '4.1.12', dev: true },
          'node_modules/opt-here': { version: '3.0.0', optional: true },
          'node_modules/opt-absent': { version: '3.0.0', optional: true },
        },
      }),
    );
    await mkdir(join(dir, 'node_modules', 'opt-here'), { recursive: true });
    await writeFile(join(dir, 'node_modules', 'opt-here', 'package.json'), '{}');
    expect(await readVersions(dir)).toEqual({
      lesionflow: '1.2.3',
      dependencies: { a: '1.0.0', b: '1.5.0, 2.0.0' },
      installed: { a: '1.0.0', b: '1.5.0, 2.0.0', 'opt-here': '3.0.0' },
      source: 'package-lock.json',
    });
  });

  it('without a lock file (installed as a dependency), versions come from the installed packages', async () => {
    const dir = await freshDir();
    const pkg = (path: string, o: object): Promise<void> => mkdir(join(dir, path), { recursive: true }).then(() => writeFile(join(dir, path, 'package.json'), JSON.stringify(o)));
    await pkg('.', { name: 'lesionflow', version: '1.2.3', dependencies: { a: '^1' } });
    await pkg('node_modules/a', { name: 'a', version: '1.4.0', dependencies: { c: '*' } });
    await pkg('node_modules/c', { name: 'c', version: '0.1.0' });
    expect(await readVersions(dir)).toEqual({ lesionflow: '1.2.3', dependencies: { a: '1.4.0', c: '0.1.0' }, installed: { a: '1.4.0', c: '0.1.0' }, source: 'node_modules' });
  });
});
