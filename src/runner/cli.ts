#!/usr/bin/env node
/**
 * The `lesionflow` command. Parses arguments and dispatches to one command module, imported lazily so
 * that start-up only pays for the command used. Errors become text here and nowhere else
 * (diagnostics.ts). Exit codes: 0 ok, 1 a step failed (or verify found drift), 2 a spec or usage
 * error, 130 interrupted.
 */
import { parseArgs } from 'node:util';
import type { StepKind } from '../nodes/kind.js';
import type { CommandIo, LogFormat } from './commands/io.js';

const COMMANDS = ['run', 'plan', 'dag', 'validate', 'verify', 'gc', 'schema'] as const;
type Command = (typeof COMMANDS)[number];

const USAGE = `lesionflow — declarative, cached, parallel analysis pipelines

usage: lesionflow <command> [options]

commands:
  run <spec>…       run the pipeline(s); cached steps are reused (outputs in outputs/<pipeline>/)
  plan <spec>       for each step: cached, or will run and why
  dag <spec>        print the step graph (--format text|mermaid|dot)
  validate <spec>   check the spec; every error as file:line:col (--data: read its data files too)
  verify <spec>     recompute every step ignoring the cache; compare with <spec>.lock.json
  gc [spec…]        drop cache entries no lock file refers to
  schema            print the JSON Schema of a spec (--write FILE to write it)

options:
  --set key=value   override a pipeline parameter (repeatable); the committed lock file is then left as it is
  --write-lock      run: update the lock file even with --set
  -j, --jobs N      steps run at once (default: number of cores)
  --fail-fast       stop at the first failing step (default: keep going with independent steps)
  --keep-going      the default: a failed step skips only its dependants
  -q, --quiet       print only failures and warnings
  --log-format F    plain | json (default: a live view on a terminal, plain lines otherwise)
  --outputs DIR     the outputs folder (default: outputs)
  -h, --help        this help;  -v, --version  the version

exit codes: 0 ok, 1 a step failed or verify found drift, 2 spec or usage error, 130 interrupted
docs: docs/cli.md`;

class UsageError extends Error {}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      set: { type: 'string', multiple: true },
      jobs: { type: 'string', short: 'j' },
      'fail-fast': { type: 'boolean' },
      'write-lock': { type: 'boolean' },
      'keep-going': { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      'log-format': { type: 'string' },
      outputs: { type: 'string' },
      format: { type: 'string' },
      write: { type: 'string' },
      data: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
}

async function registryFor(): Promise<ReadonlyMap<string, StepKind> | undefined> {
  if (process.env.LESIONFLOW_TEST_KINDS !== '1') return undefined;
  const [{ registry }, { withTestKinds }] = await Promise.all([import('../nodes/registry.js'), import('./testing/test-kinds.js')]);
  return withTestKinds(registry);
}

function jobsOf(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--jobs must be a positive integer, got "${s}"`);
  return n;
}

function logFormatOf(s: string | undefined): LogFormat {
  if (s === undefined) return 'auto';
  if (s === 'plain' || s === 'json') return s;
  throw new UsageError(`--log-format must be plain or json, got "${s}"`);
}

function oneSpec(command: Command, positionals: readonly string[]): string {
  const spec = positionals[0];
  if (spec === undefined) throw new UsageError(`${command} needs a spec file: lesionflow ${command} pipelines/demo.yaml`);
  if (positionals.length > 1) throw new UsageError(`${command} takes one spec file, got ${positionals.length}`);
  return spec;
}

function someSpecs(command: Command, positionals: readonly string[]): readonly string[] {
  if (positionals.length === 0) throw new UsageError(`${command} needs a spec file: lesionflow ${command} pipelines/demo.yaml [more.yaml…]`);
  return positionals;
}

async function main(argv: readonly string[], io: CommandIo, signal: AbortSignal): Promise<number> {
  let args;
  try {
    args = parse(argv);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values: v, positionals } = args;
  const [first, ...rest] = positionals;
  if (v.version === true) {
    const { lesionflowVersion } = await import('./commands/run.js');
    io.out(await lesionflowVersion());
    return 0;
  }
  if (first === undefined || v.help === true) {
    io.out(USAGE);
    return first === undefined && v.help !== true ? 2 : 0;
  }
  if (!(COMMANDS as readonly string[]).includes(first)) {
    const { didYouMean } = await import('../errors.js');
    throw new UsageError(`unknown command "${first}"${didYouMean(first, COMMANDS)}; commands: ${COMMANDS.join(', ')}`);
  }
  const command = first as Command;
  const registry = await registryFor();
  const common = {
    set: v.set ?? [],
    quiet: v.quiet === true,
    logFormat: logFormatOf(v['log-format']),
    signal,
    ...(v.outputs === undefined ? {} : { outputs: v.outputs }),
    ...(registry === undefined ? {} : { registry }),
  };
  const jobs = jobsOf(v.jobs);
  const withJobs = jobs === undefined ? common : { ...common, jobs };
  switch (command) {
    case 'run': {
      const { runCommand } = await import('./commands/run.js');
      return runCommand(someSpecs(command, rest), { ...withJobs, failFast: v['fail-fast'] === true && v['keep-going'] !== true, ...(v['write-lock'] === true ? { writeLock: true } : {}) }, io);
    }
    case 'plan': {
      const { planCommand } = await import('./commands/plan.js');
      return planCommand(oneSpec(command, rest), common, io);
    }
    case 'verify': {
      const { verifyCommand } = await import('./commands/verify.js');
      return verifyCommand(oneSpec(command, rest), withJobs, io);
    }
    case 'gc': {
      const { gcCommand } = await import('./commands/gc.js');
      return gcCommand(rest, common, io);
    }
    case 'validate': {
      const { validateCommand } = await import('./commands/validate.js');
      return print(await validateCommand({ spec: oneSpec(command, rest), set: common.set, registry, data: v.data === true }), io);
    }
    case 'dag': {
      const { dagCommand } = await import('./commands/dag.js');
      return print(await dagCommand({ spec: oneSpec(command, rest), set: common.set, registry, format: v.format }), io);
    }
    case 'schema': {
      const { schemaCommand } = await import('./commands/schema.js');
      return print(await schemaCommand({ write: v.write, registry }), io);
    }
  }
}

function print(r: { exitCode: number; stdout: string; stderr: string }, io: CommandIo): number {
  if (r.stdout !== '') io.out(r.stdout.replace(/\n$/, ''));
  if (r.stderr !== '') io.err(r.stderr.replace(/\n$/, ''));
  return r.exitCode;
}

/** Exit code and message for an error that reached the top. */
async function failure(e: unknown): Promise<{ code: number; text: string }> {
  if (e instanceof UsageError) return { code: 2, text: `error: ${e.message}\n  hint: lesionflow --help lists the commands and options` };
  const [{ renderError }, errors] = await Promise.all([import('./diagnostics.js'), import('../errors.js')]);
  const code = e instanceof errors.SpecError || e instanceof errors.SpecErrors ? 2 : e instanceof errors.CancelError ? 130 : 1;
  return { code, text: renderError(e) };
}

async function cli(): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    interrupts += 1;
    if (interrupts > 1) {
      process.stderr.write(`\n${sig} again: exiting now\n`);
      process.exit(130);
    }
    process.stderr.write(`\n${sig}: stopping; running steps are abandoned, finished work stays cached (${sig} again to exit at once)\n`);
    controller.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A reader that goes away (`lesionflow plan spec | head`) closes the pipe: stop printing to it, and go
  // on with the command (a run finishes, writes its outputs and releases its lock) instead of crashing.
  const closed = { stdout: false, stderr: false };
  for (const name of ['stdout', 'stderr'] as const) {
    process[name].on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      closed[name] = true;
    });
  }
  const io: CommandIo = {
    out: (l) => {
      if (!closed.stdout) process.stdout.write(l + '\n');
    },
    err: (l) => {
      if (!closed.stderr) process.stderr.write(l + '\n');
    },
    tty: process.stdout.isTTY && process.env.CI === undefined ? process.stdout : undefined,
    renderError: renderLazily,
  };
  let code: number;
  try {
    await preloadRenderer();
    code = await main(process.argv.slice(2), io, controller.signal);
  } catch (e) {
    const f = await failure(e);
    if (!closed.stderr) process.stderr.write(f.text + '\n');
    code = f.code;
  }
  if (controller.signal.aborted && code !== 0) code = 130;
  process.exitCode = code;
}

// renderError is needed only when something fails; it is loaded before the run starts (small module).
let renderer: ((e: unknown) => string) | undefined;
async function preloadRenderer(): Promise<void> {
  renderer = (await import('./diagnostics.js')).renderError;
}
function renderLazily(e: unknown): string {
  return renderer === undefined ? String(e) : renderer(e);
}

await cli();
