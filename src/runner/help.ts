/**
 * The command line's vocabulary, stated once: each command with its arguments and what it does, each
 * option with the commands that take it. `lesionflow --help` and `lesionflow <command> --help` are
 * rendered from these tables, and the CLI refuses an option the command does not take.
 */

export const COMMANDS = ['run', 'plan', 'dag', 'validate', 'verify', 'runs', 'diff', 'watch', 'gc', 'schema', 'shard', 'help'] as const;
export type Command = (typeof COMMANDS)[number];

interface CommandHelp {
  readonly args: string;
  readonly summary: string;
  /** Paragraphs shown by `lesionflow <command> --help` after the usage line. */
  readonly details: readonly string[];
  readonly examples: readonly string[];
}

export const COMMAND_HELP: Readonly<Record<Command, CommandHelp>> = {
  run: {
    args: '<spec>…',
    summary: 'run the pipeline(s); cached steps are reused (outputs in outputs/<pipeline>/)',
    details: [
      'Each step runs once its inputs are done, unless its cache key is in the cache. Then outputs/<pipeline>/ is brought up to date, run.json written (provenance: command line, --set values, spec and data sha256, seed, versions, machine, git commit, start time) and the run kept in the history (lesionflow runs). After a fully successful run without --set or --only, the lock file beside the spec is updated.',
      'Going back to parameters run before is a cache hit: nothing runs, and outputs/<pipeline>/ holds that run\'s outputs again.',
    ],
    examples: ['lesionflow run pipelines/demo.yaml', 'lesionflow run pipelines/demo.yaml --set max_volume=50 --name small', 'lesionflow run pipelines/hermes-mediation.yaml --only med'],
  },
  plan: {
    args: '<spec>',
    summary: 'for each step: cached, or will run and why',
    details: ['Reads the cache only: takes no lock and writes nothing.'],
    examples: ['lesionflow plan pipelines/demo.yaml --set max_volume=50'],
  },
  dag: {
    args: '<spec>',
    summary: 'print the step graph (--format text|mermaid|dot; --status colours it)',
    details: ['With --status each step is marked as plan sees it: cached, will run, may run, failed (in the last run) or error; mermaid and dot colour the nodes.'],
    examples: ['lesionflow dag pipelines/hermes-mediation.yaml --format mermaid --status'],
  },
  validate: {
    args: '<spec>',
    summary: 'check the spec; every error as file:line:col (--data: read its data files too)',
    details: [],
    examples: ['lesionflow validate pipelines/demo.yaml'],
  },
  verify: {
    args: '<spec>…',
    summary: 'recompute every step ignoring the cache; compare with <spec>.lock.json',
    details: [
      'For a nightly job. A changed key is explained (which file, parameter or implementation version changed); for an output that differs, the numbers that changed are listed (old → new, relative difference) when the locked output is in the cache. With --tolerance, outputs whose numbers all agree to that relative difference (and whose text is the same) count as reproduced. Exit 0 when every step of every spec reproduces, 1 otherwise.',
    ],
    examples: ['lesionflow verify pipelines/*.yaml', 'lesionflow verify pipelines/hermes-mediation.yaml --tolerance 1e-9 --format junit > verify.xml'],
  },
  runs: {
    args: '<spec>',
    summary: 'the run history: runs × parameters × key results (metrics, published rows)',
    details: ['One row per recorded run of the pipeline, with its parameters (--only-changed: those that differ between the runs shown) and its key results: the spec\'s metrics and the report\'s published rows.'],
    examples: ['lesionflow runs pipelines/hermes-volume-delta.yaml --only-changed', 'lesionflow runs pipelines/demo.yaml --format csv > runs.csv'],
  },
  diff: {
    args: '[<spec>] <runA> [<runB>]',
    summary: 'every number that changed between two runs, old → new, with its relative difference',
    details: ['A run is named by its number, its --name, or last / last~1. Without <runB>, runA is compared with the latest run of its pipeline. Outputs are read from the cache: a run whose outputs gc removed can no longer be compared.'],
    examples: ['lesionflow diff 3 4', 'lesionflow diff pipelines/demo.yaml baseline small'],
  },
  watch: {
    args: '<spec>',
    summary: 're-plan and re-run on each save of the spec or its data files',
    details: ['Prints the plan\'s reasons for each step that will run, then runs. Ctrl-C stops watching (exit 0).'],
    examples: ['lesionflow watch pipelines/demo.yaml --set max_volume=50'],
  },
  gc: {
    args: '[spec…]',
    summary: 'drop cache entries no lock file (or, with --keep-runs, recent run) refers to',
    details: [],
    examples: ['lesionflow gc', 'lesionflow gc --keep-runs 5'],
  },
  schema: {
    args: '',
    summary: 'print the JSON Schema of a spec (--write FILE to write it)',
    details: [],
    examples: ['lesionflow schema --write schema/pipeline.schema.json'],
  },
  shard: {
    args: '<manifest> <offset>',
    summary: 'run one SLURM array task\'s units (what the SLURM executor submits; not for hand use)',
    details: ['The SLURM executor writes a content-addressed manifest of a batch set into the shared cache and submits `lesionflow shard <manifest> <offset>` as an sbatch array; each task computes its batches and checkpoints them in the cache (docs/scale-out.md).'],
    examples: [],
  },
  help: {
    args: '[command]',
    summary: 'this help, or a command\'s',
    details: [],
    examples: ['lesionflow help verify'],
  },
};

export interface OptionHelp {
  readonly flag: string;
  readonly summary: string;
  readonly commands: readonly Command[];
}

/** Option name (as parseArgs knows it) → how it is written and which commands take it. */
export const OPTION_HELP: Readonly<Record<string, OptionHelp>> = {
  set: { flag: '--set key=value', summary: 'override a pipeline parameter (repeatable)', commands: ['run', 'plan', 'dag', 'validate', 'verify', 'watch'] },
  name: { flag: '--name NAME', summary: 'label the run in the history (letters, digits, _ . -)', commands: ['run'] },
  only: { flag: '--only STEP', summary: 'run only this step and what it needs (repeatable; a swept step\'s name is every instance)', commands: ['run', 'watch'] },
  'write-lock': { flag: '--write-lock', summary: 'update the lock file even with --set', commands: ['run'] },
  jobs: { flag: '-j, --jobs N', summary: 'steps run at once, and worker threads (default: number of cores)', commands: ['run', 'verify', 'watch'] },
  executor: { flag: '--executor E', summary: 'where replicated steps\' units run: local (worker threads, the default) or slurm (sbatch arrays; docs/scale-out.md)', commands: ['run'] },
  config: { flag: '--config FILE', summary: 'the executor configuration (default: lesionflow.config.yaml in the project folder)', commands: ['run'] },
  batch: { flag: '--batch N', summary: 'units per batch of a replicated step (default 100); cannot change an output', commands: ['run'] },
  'fail-fast': { flag: '--fail-fast', summary: 'stop at the first failing step', commands: ['run', 'watch'] },
  'keep-going': { flag: '--keep-going', summary: 'the default: a failed step skips only its dependants', commands: ['run', 'watch'] },
  quiet: { flag: '-q, --quiet', summary: 'print only failures and warnings', commands: ['run', 'verify', 'gc', 'watch'] },
  'log-format': { flag: '--log-format F', summary: 'plain | json (default: a live view on a terminal, plain lines otherwise)', commands: ['run', 'plan'] },
  outputs: { flag: '--outputs DIR', summary: 'the outputs folder (default: outputs)', commands: ['run', 'plan', 'dag', 'verify', 'runs', 'diff', 'watch', 'gc'] },
  format: { flag: '--format F', summary: 'dag: text | mermaid | dot; runs: text | csv | md | json; verify: text | json | junit', commands: ['dag', 'runs', 'verify'] },
  status: { flag: '--status', summary: 'mark each step cached / will run / may run / failed', commands: ['dag'] },
  'only-changed': { flag: '--only-changed', summary: 'only the parameters and results that differ between the runs shown', commands: ['runs'] },
  tolerance: { flag: '--tolerance R', summary: 'numbers agreeing to this relative difference count as reproduced', commands: ['verify'] },
  all: { flag: '--all', summary: 'every changed number (default: the first 20 of each step)', commands: ['diff', 'verify'] },
  'keep-runs': { flag: '--keep-runs N', summary: 'also keep the entries of the last N runs of each pipeline (all: every run)', commands: ['gc'] },
  write: { flag: '--write FILE', summary: 'write the schema to FILE', commands: ['schema'] },
  data: { flag: '--data', summary: 'also read the data files and check them against the spec', commands: ['validate'] },
  help: { flag: '-h, --help', summary: 'this help', commands: [...COMMANDS] },
  version: { flag: '-v, --version', summary: 'the version', commands: [] },
};

const EXIT_CODES = 'exit codes: 0 ok, 1 a step failed or verify found differences, 2 spec or usage error, 130 interrupted';

function optionLines(options: readonly OptionHelp[]): string[] {
  const width = Math.max(...options.map((o) => o.flag.length));
  return options.map((o) => `  ${o.flag.padEnd(width)}  ${o.summary}`);
}

export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => `${c} ${COMMAND_HELP[c].args}`.trimEnd().length));
  return [
    'lesionflow — declarative, cached, parallel analysis pipelines',
    '',
    'usage: lesionflow <command> [options]     lesionflow <command> --help: the command\'s options',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${`${c} ${COMMAND_HELP[c].args}`.trimEnd().padEnd(width)}  ${COMMAND_HELP[c].summary}`),
    '',
    'options:',
    ...optionLines(Object.values(OPTION_HELP)),
    '',
    EXIT_CODES,
    'docs: docs/cli.md',
  ].join('\n');
}

export function commandUsage(command: Command): string {
  const h = COMMAND_HELP[command];
  const options = Object.values(OPTION_HELP).filter((o) => o.commands.includes(command));
  return [
    `usage: lesionflow ${command}${h.args === '' ? '' : ` ${h.args}`} [options]`,
    '',
    `${h.summary[0]!.toUpperCase()}${h.summary.slice(1)}.`,
    ...h.details.flatMap((d) => ['', ...wrap(d, 100)]),
    '',
    'options:',
    ...optionLines(options),
    ...(h.examples.length === 0 ? [] : ['', 'examples:', ...h.examples.map((e) => `  ${e}`)]),
    '',
    EXIT_CODES,
    `docs: docs/cli.md, section ${command}`,
  ].join('\n');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}
