/**
 * `lesionflow validate <spec> [--set k=v]… [--data]`: checks a spec and reports every problem at once
 * (exit code 2). With `--data`, also reads each load step's data file as the run would (its header, the
 * declared columns and types, recodings) without running anything: each problem is reported with its
 * file, line and column (exit code 1).
 */
import { DataError, LesionflowError, SpecError, SpecErrors } from '../../errors.js';
import type { Kind } from '../../nodes/kind.js';
import { readData, type LoadParams } from '../../nodes/load.js';
import { renderError } from '../diagnostics.js';
import { pathOrigin, pathResolver } from '../paths.js';
import type { Pipeline } from '../pipeline.js';
import { loadPipeline } from '../spec.js';
import { projectRoot } from './io.js';
import type { CommandResult } from './result.js';

export interface SpecCommandOptions {
  readonly spec: string;
  readonly set?: readonly string[] | undefined;
  readonly registry?: ReadonlyMap<string, Kind> | undefined;
  /** Also read the data files of the load steps. */
  readonly data?: boolean | undefined;
}

export async function validateCommand(options: SpecCommandOptions): Promise<CommandResult> {
  let pipeline: Pipeline;
  try {
    pipeline = await loadPipeline(options.spec, { set: options.set, registry: options.registry });
  } catch (e) {
    return specFailure(e);
  }
  const bases = new Set([...pipeline.steps.values()].map((s) => s.base)).size;
  const instances = pipeline.steps.size;
  const count = `${bases} step${bases === 1 ? '' : 's'}${instances === bases ? '' : `, ${instances} instances after sweeps`}`;
  const head = `${options.spec}: ok (pipeline ${pipeline.name}, ${count})\n`;
  if (options.data !== true) return { exitCode: 0, stdout: head, stderr: '' };
  const { lines, errors } = await checkData(pipeline);
  return { exitCode: errors.length > 0 ? 1 : 0, stdout: head + lines.map((l) => `${l}\n`).join(''), stderr: errors.map((e) => `${e}\n`).join('') };
}

/** Reads the file of every load step (each file once), as `run` would; a data problem is reported, not thrown. */
async function checkData(pipeline: Pipeline): Promise<{ lines: string[]; errors: string[] }> {
  const root = projectRoot(pipeline);
  const lines: string[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const step of pipeline.steps.values()) {
    if (step.kind.kind !== 'load') continue;
    const params = step.params as unknown as LoadParams;
    const same = JSON.stringify(params);
    if (seen.has(same)) continue; // the instances of a swept load step that read the same file alike
    seen.add(same);
    const warnings: string[] = [];
    try {
      const table = await readData(params, {
        resolvePath: pathResolver(pipeline, root, step.name),
        pathOrigin: (p) => pathOrigin(pipeline, p),
        warn: (m) => warnings.push(m),
      });
      lines.push(`${step.name}: ${params.path}: ok (${table.nrows} rows, ${table.columns.size} columns)`);
      for (const w of warnings) lines.push(`  warning: ${w}`);
    } catch (e) {
      if (!(e instanceof LesionflowError)) throw e;
      errors.push(renderError(e instanceof DataError && e.step === undefined ? new DataError(e.message, { location: e.location, hint: e.hint, step: step.name }) : e));
    }
  }
  if (seen.size === 0) lines.push('(no load steps: no data file to check)');
  return { lines, errors };
}

/** A spec error becomes exit code 2 with every message on stderr; anything else is the CLI's to handle. */
export function specFailure(e: unknown): CommandResult {
  if (e instanceof SpecErrors || e instanceof SpecError) return { exitCode: 2, stdout: '', stderr: `${renderError(e)}\n` };
  throw e;
}
