/**
 * The versions that made a result: lesionflow's own (its package.json) and those of its runtime
 * dependencies, read from its package-lock.json — every package npm installs for lesionflow's
 * `dependencies`, transitively, without the dev tools. Read once per process.
 *
 * Two lists, because they serve two records:
 * - `dependencies`: the packages every installation has (not npm's optional, platform-specific
 *   binaries), the same on every machine: these go into the report's provenance, which must be
 *   byte-identical across machines;
 * - `installed`: those plus the optional packages actually present in node_modules on this machine:
 *   these go into run.json.
 *
 * Installed as a dependency of another project, lesionflow has no lock file of its own (npm does not
 * publish it): the versions are then read from the installed packages' package.json files, starting at
 * the direct dependencies, and `source` says so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

export interface Versions {
  readonly lesionflow: string;
  /** name → version, sorted by name (code units). */
  readonly dependencies: Readonly<Record<string, string>>;
  readonly installed: Readonly<Record<string, string>>;
  /** Where the dependency versions were read. */
  readonly source: 'package-lock.json' | 'node_modules' | 'unknown';
}

interface PackageJson {
  readonly name?: string;
  readonly version?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
}

interface LockPackage {
  readonly version?: string;
  readonly dev?: boolean;
  readonly devOptional?: boolean;
  readonly optional?: boolean;
  readonly link?: boolean;
}

let cached: Promise<Versions> | undefined;

/** lesionflow's versions (memoised for the process). */
export function versions(): Promise<Versions> {
  cached ??= readVersions(packageRoot());
  return cached;
}

/** lesionflow's version from its package.json. */
export async function lesionflowVersion(): Promise<string> {
  return (await versions()).lesionflow;
}

/** The package's folder: from dist/src/runner (built) or src/runner (tests), the nearer one whose package.json is lesionflow's. */
export function packageRoot(): string {
  for (const up of ['../..', '../../..']) {
    const dir = resolve(import.meta.dirname, up);
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson).name === 'lesionflow') return dir;
    } catch {
      // not this one
    }
  }
  return resolve(import.meta.dirname, '../..');
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

const byCodeUnit = ([a]: readonly [string, string], [b]: readonly [string, string]): number => (a < b ? -1 : a > b ? 1 : 0);
const sorted = (entries: Iterable<readonly [string, string]>): Record<string, string> => Object.fromEntries([...entries].sort(byCodeUnit));

/** The versions of the package at `root` (exported for tests: a folder with its package.json and lock file). */
export async function readVersions(root: string): Promise<Versions> {
  const pkg = await readJson<PackageJson>(join(root, 'package.json'));
  const lesionflow = pkg?.name === 'lesionflow' && typeof pkg.version === 'string' ? pkg.version : 'unknown';
  const lock = await readJson<{ readonly packages?: Readonly<Record<string, LockPackage>> }>(join(root, 'package-lock.json'));
  if (lock?.packages !== undefined) return { lesionflow, ...fromLock(root, lock.packages), source: 'package-lock.json' };
  const installed = await fromNodeModules(root, Object.keys(pkg?.dependencies ?? {}));
  if (installed === undefined) return { lesionflow, dependencies: {}, installed: {}, source: 'unknown' };
  return { lesionflow, dependencies: installed, installed, source: 'node_modules' };
}

/**
 * A v2/v3 lock file's `packages`: keys are install paths (`node_modules/a/node_modules/b`); the root
 * package is "". A package is a runtime dependency unless npm marks it `dev` or `devOptional`. The same
 * name at two versions (nested installs) is listed as "1.0.0, 2.1.0".
 */
function fromLock(root: string, packages: Readonly<Record<string, LockPackage>>): { dependencies: Record<string, string>; installed: Record<string, string> } {
  const all = new Map<string, Set<string>>();
  const everywhere = new Map<string, Set<string>>();
  for (const [path, p] of Object.entries(packages)) {
    if (path === '' || p.dev === true || p.devOptional === true || p.link === true || typeof p.version !== 'string') continue;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const add = (m: Map<string, Set<string>>): void => {
      let s = m.get(name);
      if (s === undefined) m.set(name, (s = new Set()));
      s.add(p.version!);
    };
    if (p.optional !== true) add(everywhere);
    if (p.optional !== true || existsSync(join(root, path, 'package.json'))) add(all);
  }
  const list = (m: Map<string, Set<string>>): Record<string, string> => sorted([...m].map(([n, v]) => [n, [...v].sort().join(', ')] as const));
  return { dependencies: list(everywhere), installed: list(all) };
}

/** Without a lock file: the installed packages reachable from the direct dependencies (Node's lookup: the nearest node_modules upwards). */
async function fromNodeModules(root: string, direct: readonly string[]): Promise<Record<string, string> | undefined> {
  const found = new Map<string, string>();
  const queue = direct.map((name) => ({ name, from: root }));
  while (queue.length > 0) {
    const { name, from } = queue.shift()!;
    if (found.has(name)) continue;
    const dir = installedDir(name, from);
    if (dir === undefined) return undefined;
    const pkg = await readJson<PackageJson>(join(dir, 'package.json'));
    if (typeof pkg?.version !== 'string') return undefined;
    found.set(name, pkg.version);
    for (const dep of Object.keys(pkg.dependencies ?? {})) queue.push({ name: dep, from: dir });
  }
  return sorted(found);
}

function installedDir(name: string, from: string): string | undefined {
  for (let d = from; ; d = dirname(d)) {
    const candidate = join(d, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(d) === d) return undefined;
  }
}
