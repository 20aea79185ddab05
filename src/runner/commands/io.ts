/**
 * What the executor's commands (run, plan, verify, gc) share: where output goes, how the outputs
 * folder and the project folder are found, and which logger renders the run.
 */
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { StepKind } from '../../nodes/kind.js';
import { plainErrorText, type ErrorRenderer, type Logger } from '../logger.js';
import { isInside } from '../paths.js';
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
  readonly registry?: ReadonlyMap<string, StepKind>;
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

/** The project folder: the working directory if the spec lies inside it, else the spec's own folder. */
export function projectRoot(pipeline: Pipeline, cwd: string = process.cwd()): string {
  return isInside(cwd, pipeline.dir) ? cwd : pipeline.dir;
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
  return loadPipeline(file, { set: o.set ?? [], registry: o.registry });
}
