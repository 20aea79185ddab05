/**
 * `StepContext.resolvePath`: a path from the spec, relative to the spec's folder, must stay inside the
 * project folder; a path the user gave on the command line (`pipeline.userPaths`) may lie anywhere.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { DataError } from '../errors.js';
import type { Pipeline } from './pipeline.js';

export function isInside(root: string, path: string): boolean {
  const r = relative(root, path);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

export function pathResolver(pipeline: Pipeline, root: string, step?: string): (path: string) => string {
  const userPaths = new Set<string>();
  for (const p of pipeline.userPaths) {
    userPaths.add(p);
    userPaths.add(resolve(p));
    userPaths.add(resolve(pipeline.dir, p));
  }
  return (path: string): string => {
    const abs = resolve(pipeline.dir, path);
    if (isInside(root, abs) || userPaths.has(path) || userPaths.has(abs)) return abs;
    throw new DataError(`the path "${path}" lies outside the project folder ${root}`, {
      step,
      hint: 'keep data inside the project, or give the path on the command line (--set name=path)',
    });
  };
}
