/** Shared by the runner tests: fresh temp folders, hand-built pipelines of test steps, the CLI as a subprocess. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { onTestFinished } from 'vitest';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TEST_KINDS_ENV, testStep } from '../support/test-kinds.js';
import type { Kind, StepKind } from '../../src/nodes/kind.js';
import type { Pipeline, PipelineStep, StepName } from '../../src/runner/pipeline.js';
import { inProcessPool } from '../support/context.js';
import { MemoryLogger } from '../../src/runner/logger.js';
import { runPipeline, type RunPipelineResult } from '../../src/runner/commands/run.js';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const cliPath = join(repoRoot, 'dist/src/runner/cli.js');

/** A new temporary folder, removed when the current test finishes. */
export async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lesionflow-test-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface StepDef {
  readonly params?: Record<string, unknown>;
  readonly inputs?: readonly string[];
  readonly kind?: Kind;
}

/** A Pipeline as spec analysis would hand it over, of `test_step` steps (defaults filled in). */
export function pipelineOf(dir: string, steps: Record<string, StepDef>, options: { name?: string; seed?: number } = {}): Pipeline {
  const map = new Map<StepName, PipelineStep>();
  for (const [name, def] of Object.entries(steps)) {
    const inputs = (def.inputs ?? []) as StepName[];
    map.set(name as StepName, {
      name: name as StepName,
      base: name,
      sweep: {},
      kind: def.kind ?? (testStep as unknown as StepKind),
      params: { value: 0, inputs, ...def.params },
      inputs,
      location: { file: join(dir, 'p.yaml'), line: 1, col: 1 },
    });
  }
  return {
    name: options.name ?? 'p',
    file: join(dir, 'p.yaml'),
    dir,
    specHash: 'test',
    seed: options.seed ?? 1,
    params: {},
    userPaths: new Set(),
    steps: map,
  };
}

/** Runs a hand-built pipeline in-process against `<dir>/outputs`. */
export async function runIn(dir: string, pipeline: Pipeline, o: { jobs?: number; failFast?: boolean; signal?: AbortSignal } = {}): Promise<RunPipelineResult & { log: MemoryLogger }> {
  const log = new MemoryLogger();
  const r = await runPipeline(pipeline, {
    outputsDir: join(dir, 'outputs'),
    root: dir,
    jobs: o.jobs ?? 2,
    failFast: o.failFast ?? false,
    logger: log,
    pool: inProcessPool,
    ...(o.signal === undefined ? {} : { signal: o.signal }),
  });
  return { ...r, log };
}

export function statuses(r: RunPipelineResult): Record<string, string> {
  return Object.fromEntries(r.result.steps.map((s) => [s.name, s.status]));
}

export function ran(r: RunPipelineResult): string[] {
  return r.result.steps.filter((s) => s.status === 'ran').map((s) => s.name);
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts the compiled CLI in `cwd` with the test kinds registered (`env` added to, or overriding, that environment). */
export function startCli(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [cliPath, ...args], {
    cwd,
    env: { ...process.env, ...TEST_KINDS_ENV, CI: '1', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((res) => {
    child.on('close', (code, signal) => {
      res({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

export function cli(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return startCli(args, cwd, env).done;
}

/** Writes `<dir>/<name>` and returns its path. */
export async function writeSpec(dir: string, text: string, name = 'p.yaml'): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** A six-step spec: a → c → e, b → d → e, e → f (s-values summed down the graph). */
export function sixSteps(overrides: { a?: number; b?: number; cMod?: number } = {}): Record<string, StepDef> {
  return {
    a: { params: { value: overrides.a ?? 1 } },
    b: { params: { value: overrides.b ?? 2 } },
    c: { inputs: ['a'], params: { value: 10, ...(overrides.cMod === undefined ? {} : { mod: overrides.cMod }) } },
    d: { inputs: ['b'], params: { value: 20, table: true } },
    e: { inputs: ['c', 'd'], params: { value: 100 } },
    f: { inputs: ['e'], params: { value: 1000, random: true } },
  };
}
