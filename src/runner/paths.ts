/**
 * `StepContext.resolvePath`: a path from the spec, relative to the spec's folder, must stay inside the
 * project folder; a path the user gave on the command line (`--set data=…`, `pipeline.userPaths`) is
 * relative to the working directory, as for any command-line tool, and may lie anywhere.
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

/** Where a path written in a step's parameters came from: the command line (`--set`) or the spec. */
export function pathOrigin(pipeline: Pipeline, path: string): 'command line' | 'spec' {
  return pipeline.userPaths.has(resolve(pipeline.workingDir ?? process.cwd(), path)) ? 'command line' : 'spec';
}

/**
 * A path from a step's parameters as the runner takes it, absolute: relative to the working directory
 * when the user gave it on the command line, else to the spec's folder (pathResolver also checks it).
 */
export function absolutePath(pipeline: Pipeline, path: string): string {
  const fromCli = resolve(pipeline.workingDir ?? process.cwd(), path);
  return pipeline.userPaths.has(fromCli) ? fromCli : resolve(pipeline.dir, path);
}

export function pathResolver(pipeline: Pipeline, root: string, step?: string): (path: string) => string {
  const realRoot = realPathOf(root);
  return (path: string): string => {
    const abs = absolutePath(pipeline, path);
    if (pipeline.userPaths.has(abs) || isInside(realRoot, realPathOf(abs))) return abs;
    throw new DataError(`the path "${path}" lies outside the project folder ${root}`, {
      step,
      hint: 'keep data inside the project (symbolic links are followed), or give the path on the command line (--set name=path)',
    });
  };
}
