/**
 * Step kinds from outside lesionflow's own source, loaded from a module that whoever starts lesionflow
 * names in its environment: `LESIONFLOW_KINDS=<file>` (a compiled ES module exporting `kinds`, an array of
 * step kinds). Never from a spec: a spec is data and can name no code. The worker threads and the SLURM
 * tasks a run starts inherit the environment, so they find the same kinds.
 *
 * lesionflow's own tests use it to run the real CLI with their test-only kinds (test/support/test-kinds.ts,
 * compiled to dist/test/support/test-kinds.js). The module's folder is also where its kinds' worker tasks
 * may live: pool-task.ts accepts a task module given as a file URL inside that folder (and nowhere else).
 */
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Kind } from '../nodes/kind.js';

export const EXTRA_KINDS_ENV = 'LESIONFLOW_KINDS';

/** The extra kinds' module file named by the environment (absolute), or undefined. */
export function extraKindsFile(): string | undefined {
  const file = process.env[EXTRA_KINDS_ENV];
  return file === undefined || file === '' ? undefined : resolve(file);
}

/** The folder of the extra kinds' module, where their worker tasks' modules may lie; undefined without one. */
export function extraKindsRoot(): string | undefined {
  const file = extraKindsFile();
  return file === undefined ? undefined : dirname(file);
}

/** The kinds of the module named by LESIONFLOW_KINDS (empty without one); an Error saying what is wrong with it. */
export async function extraKinds(): Promise<readonly Kind[]> {
  const file = extraKindsFile();
  if (file === undefined) return [];
  let mod: { kinds?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { kinds?: unknown };
  } catch (e) {
    throw new Error(`${EXTRA_KINDS_ENV}=${file}: cannot load the module (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  const kinds = mod.kinds;
  if (!Array.isArray(kinds) || !kinds.every((k: unknown) => typeof k === 'object' && k !== null && typeof (k as { kind?: unknown }).kind === 'string')) {
    throw new Error(`${EXTRA_KINDS_ENV}=${file}: the module does not export \`kinds\`, an array of step kinds`);
  }
  return kinds as Kind[];
}

/** `registry` with the extra kinds added; a kind may not replace one of lesionflow's. */
export async function withExtraKinds(registry: ReadonlyMap<string, Kind>): Promise<ReadonlyMap<string, Kind>> {
  const out = new Map(registry);
  for (const k of await extraKinds()) {
    if (out.has(k.kind)) throw new Error(`${EXTRA_KINDS_ENV}: the kind "${k.kind}" is already one of lesionflow's`);
    out.set(k.kind, k);
  }
  return out;
}
