/**
 * `StepContext.resolvePath`: a path from the spec, relative to the spec's folder, must stay inside the
 * project folder; a path the user gave on the command line (`pipeline.userPaths`) may lie anywhere.
 *
 * The check compares real paths (symbolic links resolved, for both the project folder and the target),
 * so a link inside the project pointing outside it (`data/link.csv -> /etc/passwd`) is refused. A
 * target that does not exist yet is judged by its nearest existing ancestor.
 */
import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { DataError } from '../errors.js';
import type { Pipeline } from './pipeline.js';

/** `path` lies in `root` or below it (text comparison of absolute paths; see `isInsideReal`). */
export function isInside(root: string, path: string): boolean {
  const r = relative(root, path);
  return r === '' || (r !== '..' && !r.startsWith('..' + sep) && !isAbsolute(r));
}

/** The real path of `path`; for a path that does not exist, the real path of its nearest existing ancestor joined with the rest. */
export function realPathOf(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    const parent = dirname(abs);
    if (parent === abs) return abs;
    return join(realPathOf(parent), basename(abs));
  }
}

/** As `isInside`, with symbolic links of both paths resolved. */
export function isInsideReal(root: string, path: string): boolean {
  return isInside(realPathOf(root), realPathOf(path));
}

export function pathResolver(pipeline: Pipeline, root: string, step?: string): (path: string) => string {
  const userPaths = new Set<string>();
  for (const p of pipeline.userPaths) {
    userPaths.add(p);
    userPaths.add(resolve(p));
    userPaths.add(resolve(pipeline.dir, p));
  }
  const realRoot = realPathOf(root);
  return (path: string): string => {
    const abs = resolve(pipeline.dir, path);
    if (userPaths.has(path) || userPaths.has(abs) || isInside(realRoot, realPathOf(abs))) return abs;
    throw new DataError(`the path "${path}" lies outside the project folder ${root}`, {
      step,
      hint: 'keep data inside the project (symbolic links are followed), or give the path on the command line (--set name=path)',
    });
  };
}
