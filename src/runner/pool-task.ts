/**
 * Which modules a worker task may name: a path relative to lesionflow's own `src/` (compiled), made of
 * lower-case word segments, e.g. `nodes/bootstrap-worker`. No `..`, no absolute paths, no file extension:
 * the spec can never make a worker load code of its choosing. The one exception is for the kinds of the
 * module named by LESIONFLOW_KINDS (extra-kinds.ts; lesionflow's tests): a `file:` URL of a module inside
 * that module's folder, which whoever started lesionflow chose.
 */
import { resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { extraKindsRoot } from './extra-kinds.js';

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
  if (typeof task.fn !== 'string' || !FN.test(task.fn)) return { refused: `worker task function "${task.fn}" is not an identifier` };
  if (typeof task.module === 'string' && task.module.startsWith('file:')) return extraModuleUrl(task.module);
  if (typeof task.module !== 'string' || !MODULE.test(task.module)) return { refused: `worker task module "${task.module}" is not a lesionflow module path` };
  const file = resolve(srcRoot, `${task.module}.js`);
  if (!file.startsWith(srcRoot + sep)) return { refused: `worker task module "${task.module}" lies outside lesionflow` };
  return { url: pathToFileURL(file).href };
}

/** A task module given as a file URL: only a `.js` module inside the folder of the LESIONFLOW_KINDS module. */
function extraModuleUrl(url: string): { url: string } | { refused: string } {
  const root = extraKindsRoot();
  let file: string;
  try {
    file = resolve(fileURLToPath(url));
  } catch {
    return { refused: `worker task module "${url}" is not a file URL` };
  }
  if (root === undefined || !file.startsWith(root + sep) || !file.endsWith('.js')) return { refused: `worker task module "${url}" is not a module of the LESIONFLOW_KINDS folder` };
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
