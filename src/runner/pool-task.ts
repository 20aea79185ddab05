/**
 * Which modules a worker task may name: a path relative to lesionflow's own `src/` (compiled), made of
 * lower-case word segments, e.g. `nodes/bootstrap-worker`. No `..`, no absolute paths, no URLs, no file
 * extension: the spec can never make a worker load code of its choosing.
 */
import { resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface PoolTask {
  readonly module: string;
  readonly fn: string;
  readonly args: unknown;
}

const MODULE = /^[a-z0-9_-]+(\/[a-z0-9_-]+)*$/i;
const FN = /^[A-Za-z_$][\w$]*$/;

/** The compiled `src/` folder this module belongs to (dist/src). */
export const srcRoot = resolve(import.meta.dirname, '..');

/** The file URL of the task's module, or an error message saying why the task is refused. */
export function taskModuleUrl(task: PoolTask): { url: string } | { refused: string } {
  if (typeof task.module !== 'string' || !MODULE.test(task.module)) return { refused: `worker task module "${task.module}" is not a lesionflow module path` };
  if (typeof task.fn !== 'string' || !FN.test(task.fn)) return { refused: `worker task function "${task.fn}" is not an identifier` };
  const file = resolve(srcRoot, `${task.module}.js`);
  if (!file.startsWith(srcRoot + sep)) return { refused: `worker task module "${task.module}" lies outside lesionflow` };
  return { url: pathToFileURL(file).href };
}

/** Imports the task's module and calls the named export (shared by the worker and the in-process pool). */
export async function runTask(task: PoolTask): Promise<unknown> {
  const where = taskModuleUrl(task);
  if ('refused' in where) throw new Error(where.refused);
  const mod = (await import(where.url)) as Record<string, unknown>;
  const fn = mod[task.fn];
  if (typeof fn !== 'function') throw new Error(`lesionflow module ${task.module} has no exported function ${task.fn}`);
  return (fn as (a: unknown) => unknown)(task.args);
}
