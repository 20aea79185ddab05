/**
 * One outputs folder per pipeline: `outputs/<name>/` belongs to the spec that first wrote it. Two specs
 * with the same `name:` (easy when copying a shipped spec) would silently overwrite each other's report
 * and tables, so `run` refuses — before running anything, exit 2 — two such specs in one invocation, and
 * a spec whose folder holds the run record of another spec. `--outputs DIR` gives each its own folder.
 */
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { SpecError, SpecErrors, type SourceLocation } from '../errors.js';
import { readRunRecord } from './outputs.js';
import type { Pipeline } from './pipeline.js';

/** Where `name:` is written in the spec (line 1 when it cannot be found). */
async function nameLocation(file: string, shown: string): Promise<SourceLocation> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const lines = text.split(/\r?\n/);
  const k = lines.findIndex((l) => /^name\s*:/.test(l));
  return { file: shown, line: k < 0 ? 1 : k + 1, col: 1 };
}

const shownPath = (abs: string): string => relative(process.cwd(), abs) || abs;

export async function checkOutputFolders(
  pipelines: readonly Pipeline[],
  outputsDir: string,
  folderOf: (name: string) => string,
  rootOf: (p: Pipeline) => string,
): Promise<void> {
  const errors: SpecError[] = [];
  const first = new Map<string, Pipeline>();
  const outputsShown = shownPath(outputsDir);
  for (const p of pipelines) {
    const folder = join(outputsShown, folderOf(p.name));
    const other = first.get(p.name);
    if (other !== undefined && other.file !== p.file) {
      errors.push(
        new SpecError(`pipeline name "${p.name}" is also the name of ${shownPath(other.file)}: both would write ${folder}/`, {
          location: await nameLocation(p.file, shownPath(p.file)),
          hint: `give this spec its own name: (each pipeline's outputs go to outputs/<name>/), or run the two separately with --outputs DIR`,
        }),
      );
      continue;
    }
    first.set(p.name, p);
    const record = await readRunRecord(join(outputsDir, folderOf(p.name)));
    if (record === undefined || typeof record.spec !== 'string') continue;
    const owner = resolve(rootOf(p), record.spec);
    if (owner === p.file) continue;
    errors.push(
      new SpecError(`${folder}/ holds the outputs of another spec with the same name "${p.name}" (${record.spec}); running this one would overwrite them`, {
        location: await nameLocation(p.file, shownPath(p.file)),
        hint: `give this spec its own name:, or write its outputs elsewhere with --outputs DIR (or delete ${folder}/ if that spec is gone)`,
      }),
    );
  }
  if (errors.length > 0) throw new SpecErrors(errors);
}
