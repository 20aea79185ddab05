#!/usr/bin/env node
/**
 * The `lesionflow` command. Parses arguments and dispatches to one command module, imported lazily so
 * that start-up only pays for the command used. Errors become text here and nowhere else
 * (diagnostics.ts). The commands and options are described once, in help.ts. Exit codes: 0 ok, 1 a
 * step failed (or verify found differences), 2 a spec or usage error, 130 interrupted.
 */
import { parseArgs } from 'node:util';
import type { Kind } from '../nodes/kind.js';
import type { CommandIo, LogFormat } from './commands/io.js';
import { COMMANDS, OPTION_HELP, commandUsage, usage, type Command } from './help.js';

class UsageError extends Error {
  constructor(
    message: string,
    readonly hint = 'lesionflow --help lists the commands and options',
  ) {
    super(message);
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      set: { type: 'string', multiple: true },
      name: { type: 'string' },
      only: { type: 'string', multiple: true },
      jobs: { type: 'string', short: 'j' },
      executor: { type: 'string' },
      config: { type: 'string' },
      batch: { type: 'string' },
      'fail-fast': { type: 'boolean' },
      'write-lock': { type: 'boolean' },
      'keep-going': { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      'log-format': { type: 'string' },
      outputs: { type: 'string' },
      format: { type: 'string' },
      status: { type: 'boolean' },
      'only-changed': { type: 'boolean' },
      tolerance: { type: 'string' },
      all: { type: 'boolean' },
      'keep-runs': { type: 'string' },
      write: { type: 'string' },
      data: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
}

/** The registry with the kinds of the module named by LESIONFLOW_KINDS (extra-kinds.ts), or undefined (the commands' default) without one. */
async function registryFor(): Promise<ReadonlyMap<string, Kind> | undefined> {
  const { EXTRA_KINDS_ENV, extraKindsFile, withExtraKinds } = await import('./extra-kinds.js');
  if (extraKindsFile() === undefined) return undefined;
  const { registry } = await import('../nodes/registry.js');
  try {
    return await withExtraKinds(registry);
  } catch (e) {
    throw new UsageError((e as Error).message, `${EXTRA_KINDS_ENV} names a compiled module exporting \`kinds\` (lesionflow's tests: dist/test/support/test-kinds.js); unset it for lesionflow's own kinds`);
  }
}

function jobsOf(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--jobs must be a positive integer, got "${s}"`);
  return n;
}

function batchOf(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--batch must be a positive integer, got "${s}"`);
  return n;
}

function executorOf(s: string | undefined): 'local' | 'slurm' | undefined {
  if (s === undefined || s === 'local' || s === 'slurm') return s;
  throw new UsageError(`--executor must be local or slurm, got "${s}"`);
}

function logFormatOf(s: string | undefined): LogFormat {
  if (s === undefined) return 'auto';
  if (s === 'plain' || s === 'json') return s;
  throw new UsageError(`--log-format must be plain or json, got "${s}"`);
}

function toleranceOf(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const t = s.trim() === '' ? NaN : Number(s);
  if (!Number.isFinite(t) || t < 0) throw new UsageError(`--tolerance must be a relative difference ≥ 0, e.g. 1e-9, got "${s}"`, 'lesionflow verify --help');
  return t;
}

function keepRunsOf(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  if (s === 'all') return Infinity;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--keep-runs must be a number of runs or all, got "${s}"`, 'lesionflow gc --help');
  return n;
}

async function nameOf(s: string | undefined): Promise<string | undefined> {
  if (s === undefined) return undefined;
  const { RUN_NAME } = await import('./run-history.js');
  if (!RUN_NAME.test(s) || /^last(~\d*)?$/.test(s)) {
    throw new UsageError(`--name "${s}" is not a run name`, 'start with a letter and use letters, digits, _ . and - (last is reserved: it names the latest run)');
  }
  return s;
}

function oneSpec(command: Command, positionals: readonly string[]): string {
  const spec = positionals[0];
  if (spec === undefined) throw new UsageError(`${command} needs a spec file: lesionflow ${command} pipelines/demo.yaml`, `lesionflow ${command} --help`);
  if (positionals.length > 1) throw new UsageError(`${command} takes one spec file, got ${positionals.length}`, `lesionflow ${command} --help`);
  return spec;
}

function someSpecs(command: Command, positionals: readonly string[]): readonly string[] {
  if (positionals.length === 0) throw new UsageError(`${command} needs a spec file: lesionflow ${command} pipelines/demo.yaml [more.yaml…]`, `lesionflow ${command} --help`);
  return positionals;
}

/** Every option given is one the command takes (help.ts says which). */
function checkOptions(command: Command, given: Readonly<Record<string, unknown>>): void {
  for (const [name, value] of Object.entries(given)) {
    if (value === undefined || name === 'help' || name === 'version') continue;
    const takes = OPTION_HELP[name]?.commands ?? [];
    if (!takes.includes(command)) {
      throw new UsageError(`--${name} is not an option of ${command}${takes.length === 0 ? '' : ` (it is for ${takes.join(', ')})`}`, `lesionflow ${command} --help lists its options`);
    }
  }
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
    const { lesionflowVersion } = await import('./versions.js');
    io.out(await lesionflowVersion());
    return 0;
  }
  if (first === undefined) {
    io.out(usage());
    return v.help === true ? 0 : 2;
  }
  if (!(COMMANDS as readonly string[]).includes(first)) {
    const { didYouMean } = await import('../errors.js');
    throw new UsageError(`unknown command "${first}"${didYouMean(first, COMMANDS)}; commands: ${COMMANDS.join(', ')}`);
  }
  const command = first as Command;
  if (v.help === true) {
    io.out(commandUsage(command));
    return 0;
  }
  checkOptions(command, v);
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
  const failFast = v['fail-fast'] === true && v['keep-going'] !== true;
  switch (command) {
    case 'help': {
      const about = rest[0];
      if (about === undefined) io.out(usage());
      else if ((COMMANDS as readonly string[]).includes(about)) io.out(commandUsage(about as Command));
      else throw new UsageError(`unknown command "${about}"; commands: ${COMMANDS.join(', ')}`);
      return 0;
    }
    case 'run': {
      const { runCommand } = await import('./commands/run.js');
      const name = await nameOf(v.name);
      const executor = executorOf(v.executor);
      const batch = batchOf(v.batch);
      return runCommand(
        someSpecs(command, rest),
        {
          ...withJobs,
          failFast,
          argv,
          ...(v['write-lock'] === true ? { writeLock: true } : {}),
          ...(name === undefined ? {} : { name }),
          ...(v.only === undefined ? {} : { only: v.only }),
          ...(executor === undefined ? {} : { executor }),
          ...(v.config === undefined ? {} : { config: v.config }),
          ...(batch === undefined ? {} : { batch }),
        },
        io,
      );
    }
    case 'plan': {
      const { planCommand } = await import('./commands/plan.js');
      return planCommand(oneSpec(command, rest), common, io);
    }
    case 'verify': {
      const { verifyCommand } = await import('./commands/verify.js');
      const tolerance = toleranceOf(v.tolerance);
      return verifyCommand(someSpecs(command, rest), { ...withJobs, format: v.format, all: v.all === true, ...(tolerance === undefined ? {} : { tolerance }) }, io);
    }
    case 'runs': {
      const { runsCommand } = await import('./commands/runs.js');
      return runsCommand(oneSpec(command, rest), { ...common, format: v.format, onlyChanged: v['only-changed'] === true }, io);
    }
    case 'diff': {
      const { diffCommand } = await import('./commands/diff.js');
      return diffCommand(rest, { ...common, all: v.all === true }, io);
    }
    case 'watch': {
      const { watchCommand } = await import('./commands/watch.js');
      return watchCommand(oneSpec(command, rest), { ...withJobs, failFast, ...(v.only === undefined ? {} : { only: v.only }) }, io);
    }
    case 'gc': {
      const { gcCommand } = await import('./commands/gc.js');
      const keepRuns = keepRunsOf(v['keep-runs']);
      return gcCommand(rest, { ...common, ...(keepRuns === undefined ? {} : { keepRuns }) }, io);
    }
    case 'validate': {
      const { validateCommand } = await import('./commands/validate.js');
      return print(await validateCommand({ spec: oneSpec(command, rest), set: common.set, registry, data: v.data === true }), io);
    }
    case 'dag': {
      const { dagCommand } = await import('./commands/dag.js');
      return print(await dagCommand({ spec: oneSpec(command, rest), set: common.set, registry, format: v.format, status: v.status === true, outputs: v.outputs }), io);
    }
    case 'shard': {
      // a SLURM array task (the SLURM executor submits it): <manifest> <offset>
      const [manifest, offset] = rest;
      if (manifest === undefined || offset === undefined) throw new UsageError('shard needs a manifest and an offset (it is what the SLURM executor submits)');
      const { shardCommand } = await import('./commands/shard.js');
      return shardCommand(manifest, offset, io);
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
  if (e instanceof UsageError) return { code: 2, text: `error: ${e.message}\n  hint: ${e.hint}` };
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
