/**
 * What the executor's commands (run, plan, verify, gc) share: where output goes, how the outputs
 * folder and the project folder are found, and which logger renders the run.
 */
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Kind } from '../../nodes/kind.js';
import { plainErrorText, type ErrorRenderer, type Logger } from '../logger.js';
import type { Pipeline } from '../pipeline.js';
import { JsonLogger } from '../renderers/json.js';
import { PlainLogger } from '../renderers/plain.js';
import { TtyLogger } from '../renderers/tty.js';

export interface CommandIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** The stream for a live view, when stdout is a terminal. */
  readonly tty?: NodeJS.WriteStream | undefined;
  readonly renderError?: ErrorRenderer;
}

export type LogFormat = 'auto' | 'plain' | 'json';

export interface CommonOptions {
  readonly set?: readonly string[];
  /** Outputs folder (default `outputs` in the working directory). */
  readonly outputs?: string;
  readonly jobs?: number;
  readonly quiet?: boolean;
  readonly logFormat?: LogFormat;
  readonly signal?: AbortSignal;
  /** Step kinds (default: the registry); tests pass their own. */
  readonly registry?: ReadonlyMap<string, Kind>;
  /** Working directory (default process.cwd()). */
  readonly cwd?: string;
}

export function defaultJobs(): number {
  return availableParallelism();
}

export function outputsDirOf(o: CommonOptions): string {
  const cwd = o.cwd ?? process.cwd();
  const d = o.outputs ?? 'outputs';
  return isAbsolute(d) ? d : resolve(cwd, d);
}

/** Files or folders whose presence marks a project folder. */
const PROJECT_MARKERS = ['.lesionflow', 'package.json', '.git'];

/**
 * The project folder, taken from the spec and never from the working directory (so a run from `/` or
 * from another project checks paths exactly as a run from the project): the nearest ancestor of the
 * spec's folder (itself included) holding `.lesionflow`, `package.json` or `.git`, else the spec's
 * own folder. `_cwd` is accepted for callers that still pass it; it does not matter.
 */
export function projectRoot(pipeline: Pipeline, _cwd?: string): string {
  const start = resolve(pipeline.dir);
  for (let d = start; ; d = dirname(d)) {
    if (PROJECT_MARKERS.some((m) => existsSync(join(d, m)))) return d;
    if (dirname(d) === d) return start;
  }
}

export function makeLogger(o: CommonOptions, io: CommandIo): Logger {
  const render = io.renderError ?? plainErrorText;
  if (o.logFormat === 'json') return new JsonLogger(io.out, render);
  if (o.quiet === true) return new PlainLogger(io.out, io.err, render, true);
  if (o.logFormat !== 'plain' && io.tty !== undefined) return new TtyLogger(io.tty, render);
  return new PlainLogger(io.out, io.err, render);
}

export async function loadSpec(file: string, o: CommonOptions): Promise<Pipeline> {
  const { loadPipeline } = await import('../spec.js');
  return loadPipeline(file, { set: o.set ?? [], registry: o.registry, cwd: o.cwd });
}
