/** `lesionflow validate <spec> [--set k=v]…`: checks a spec and reports every problem at once (exit code 2). */
import { SpecError, SpecErrors } from '../../errors.js';
import type { StepKind } from '../../nodes/kind.js';
import { renderError } from '../diagnostics.js';
import { loadPipeline } from '../spec.js';
import type { CommandResult } from './result.js';

export interface SpecCommandOptions {
  readonly spec: string;
  readonly set?: readonly string[] | undefined;
  readonly registry?: ReadonlyMap<string, StepKind> | undefined;
}

export async function validateCommand(options: SpecCommandOptions): Promise<CommandResult> {
  try {
    const pipeline = await loadPipeline(options.spec, { set: options.set, registry: options.registry });
    const bases = new Set([...pipeline.steps.values()].map((s) => s.base)).size;
    const instances = pipeline.steps.size;
    const count = `${bases} step${bases === 1 ? '' : 's'}${instances === bases ? '' : `, ${instances} instances after sweeps`}`;
    return { exitCode: 0, stdout: `${options.spec}: ok (pipeline ${pipeline.name}, ${count})\n`, stderr: '' };
  } catch (e) {
    return specFailure(e);
  }
}

/** A spec error becomes exit code 2 with every message on stderr; anything else is the CLI's to handle. */
export function specFailure(e: unknown): CommandResult {
  if (e instanceof SpecErrors || e instanceof SpecError) return { exitCode: 2, stdout: '', stderr: `${renderError(e)}\n` };
  throw e;
}
