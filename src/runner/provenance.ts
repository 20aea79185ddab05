/**
 * Provenance: where a result came from. Two records, split by one rule — **what can change a result
 * goes with the result; what cannot stays with the run**:
 *
 * - `ResultProvenance` — the spec (its path in the project and its sha256), the seed, the `--set`
 *   overrides, the data files the result was computed from (sha256), lesionflow's version and those of
 *   its runtime dependencies, the step kinds with their implementation versions, and the command that
 *   reproduces it. A step whose kind declares `provenance` (the report) receives it and ends with it;
 *   it also enters that step's cache key (key.ts), so a cached report never states another run's
 *   provenance, and two runs with the same provenance give the same bytes, on any machine and with any
 *   `--jobs`.
 * - The run's own facts — the command line as typed, the start time, the machine (OS, CPU, host), the
 *   Node version, the git commit and whether the tree was dirty, `--jobs` — go into run.json and the run
 *   history only (commands/run.ts). In a cached report they would either be wrong (the time of the run
 *   that first computed it) or defeat the cache (a new report on every run and machine).
 *
 * Node's version is a run fact: results are byte-identical across Node 20 releases by design (the
 * lock files are checked on every machine by `verify`), so naming it in the report would only make
 * reports differ between machines. Paths are shown relative to the project (display-path.ts).
 */
import { isAbsolute, resolve } from 'node:path';
import type { Json } from '../data/canonical.js';
import { InternalError } from '../errors.js';
import { displayPath } from './display-path.js';
import { absolutePath } from './paths.js';
import type { ContentHash } from './hash.js';
import type { Pipeline, StepName } from './pipeline.js';
import { upstreamSteps } from './upstream.js';
import type { Versions } from './versions.js';
import { stepFiles } from './step-files.js';

export interface ResultProvenance {
  readonly pipeline: string;
  /** The spec's path in the project (forward slashes). */
  readonly spec: string;
  readonly spec_sha256: string;
  readonly seed: number;
  /** `--set` overrides in effect, by name; paths shown relative to the project. */
  readonly overrides: Readonly<Record<string, Json>>;
  /** The data files the result was computed from (steps upstream of it), by shown path. */
  readonly files: readonly { readonly path: string; readonly sha256: string }[];
  readonly lesionflow: string;
  /** Runtime dependencies present on every installation (versions.ts), name → version. */
  readonly dependencies: Readonly<Record<string, string>>;
  /** The step kinds the result was computed by (it and the steps upstream), kind → implementation version. */
  readonly kinds: Readonly<Record<string, number>>;
  /** The command that reproduces it, run from the project folder. */
  readonly command: string;
}

/** What every provenance-bearing step of one run shares: computed once per run. */
export interface RunFacts {
  readonly pipeline: Pipeline;
  /** The project folder. */
  readonly root: string;
  readonly versions: Versions;
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The provenance of `step`'s result. `fileHashes` holds the content hash of each file named by an
 * upstream step's `x-file` parameters (step-files.ts), by its path as written (all are hashed when those steps' keys are taken).
 */
export function resultProvenance(facts: RunFacts, step: StepName, fileHashes: ReadonlyMap<string, ContentHash>): ResultProvenance {
  const { pipeline, root } = facts;
  const fileHash = (f: string): ContentHash => {
    const h = fileHashes.get(f);
    if (h === undefined) throw new InternalError(`step "${step}": the file "${f}" of a step it is computed from was not hashed`);
    return h;
  };
  const upstream = upstreamSteps(pipeline, [step]);
  const files = new Map<string, string>();
  const read = new Set<string>();
  for (const s of upstream) {
    for (const f of stepFiles(s.kind, s.params)) {
      const abs = absolutePath(pipeline, f);
      files.set(displayPath(abs, root), fileHash(f));
      read.add(abs);
    }
  }
  const kinds: Record<string, number> = {};
  for (const k of upstream.map((s) => s.kind).sort((a, b) => byCodeUnit(a.kind, b.kind))) kinds[k.kind] = k.version;
  const overrides = shownOverrides(pipeline, root, read);
  const spec = displayPath(pipeline.file, root);
  return {
    pipeline: pipeline.name,
    spec,
    spec_sha256: pipeline.specHash,
    seed: pipeline.seed,
    overrides,
    files: [...files].sort(([a], [b]) => byCodeUnit(a, b)).map(([path, sha256]) => ({ path, sha256 })),
    lesionflow: facts.versions.lesionflow,
    dependencies: facts.versions.dependencies,
    kinds,
    command: reproduceCommand(spec, overrides),
  };
}

/**
 * The overrides with every value that names a path shown as display-path.ts shows it: a string that is
 * an absolute path, or that names one of the files read (`read`, absolute; a `--set` path is relative
 * to the working directory). Other values as given.
 */
export function shownOverrides(pipeline: Pipeline, root: string, read: ReadonlySet<string>): Record<string, Json> {
  const cwd = pipeline.workingDir ?? process.cwd();
  const show = (v: unknown): Json => {
    if (typeof v === 'string') return isAbsolute(v) || read.has(resolve(cwd, v)) ? displayPath(v, root, cwd) : v;
    if (Array.isArray(v)) return v.map(show);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, show(x)]));
    return v as Json;
  };
  return Object.fromEntries(Object.entries(pipeline.overrides ?? {}).map(([k, v]) => [k, show(v)]));
}

/** `lesionflow run <spec> --set k=v …`, each argument quoted for a POSIX shell where it needs it. */
export function reproduceCommand(spec: string, overrides: Readonly<Record<string, Json>>): string {
  const args = ['lesionflow', 'run', spec];
  for (const [k, v] of Object.entries(overrides)) args.push('--set', `${k}=${setValueText(v)}`);
  return args.map(shellQuote).join(' ');
}

/** A value as `--set` reads it back: strings as they are, lists and mappings in YAML flow style. */
export function setValueText(v: Json): string {
  if (typeof v === 'string') return v;
  return flow(v);
}

const PLAIN = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
const YAML_WORDS = /^(?:true|false|null|yes|no|on|off|y|n|~)$/i;

function flow(v: Json): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return PLAIN.test(v) && !YAML_WORDS.test(v) ? v : JSON.stringify(v);
  if (typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return `[${v.map(flow).join(', ')}]`;
  return `{${Object.entries(v).map(([k, x]) => `${flow(k)}: ${flow(x)}`).join(', ')}}`;
}

/** POSIX shell quoting: bare when only safe characters, else single quotes (a ' written as '\''). */
export function shellQuote(s: string): string {
  if (/^[A-Za-z0-9_=.,/:@%+-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
