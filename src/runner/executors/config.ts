/**
 * The project's executor configuration, `lesionflow.config.yaml` in the project folder (or the file given
 * with `--config`): which executor a run uses by default, and how the SLURM executor submits. Checked like
 * a spec (unknown keys, wrong types), every problem at its `file:line:col`.
 *
 *   executor: slurm                # the default for `lesionflow run` (local | slurm); --executor overrides
 *   slurm:
 *     partition: short             # sbatch --partition
 *     account: stroke-trials       # sbatch --account
 *     qos: normal                  # sbatch --qos
 *     time: "00:30:00"             # per array task (sbatch --time)
 *     mem_per_task: 2G             # memory per array task (sbatch --mem)
 *     cpus_per_task: 1             # sbatch --cpus-per-task
 *     max_array_size: 1000         # tasks per array; larger sets are split (also the cluster's MaxArraySize)
 *     max_running: 100             # array tasks running at once per array (sbatch --array=…%N)
 *     min_task_seconds: 120        # at least this much estimated work per array task
 *     poll_seconds: 30             # one squeue for the whole run this often
 *     grace_seconds: 60            # a task gone from the queue without its result fails after this
 *     outputs: /shared/project/outputs   # the outputs folder (its .cache) on the cluster's shared file system
 *     node: /shared/node-20/bin/node     # Node on the compute nodes (default: the one running lesionflow)
 *     sbatch_args: ["--constraint=skylake"]   # more sbatch options, passed as they are
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { SpecError, SpecErrors } from '../../errors.js';
import type { Kind } from '../../nodes/kind.js';
import { checkParams } from '../step-params.js';
import { parseYamlSource } from '../yaml-source.js';

export const CONFIG_FILE = 'lesionflow.config.yaml';

export interface SlurmConfig {
  readonly partition?: string;
  readonly account?: string;
  readonly qos?: string;
  readonly time: string;
  readonly mem_per_task: string;
  readonly cpus_per_task: number;
  readonly max_array_size: number;
  readonly max_running: number;
  readonly min_task_seconds: number;
  readonly poll_seconds: number;
  readonly grace_seconds: number;
  /** Absolute (resolved against the config file's folder). */
  readonly outputs?: string;
  readonly node?: string;
  readonly sbatch_args: readonly string[];
}

export interface ExecutorConfig {
  readonly executor: 'local' | 'slurm';
  readonly slurm: SlurmConfig;
  /** The file it came from (undefined: defaults only). */
  readonly file: string | undefined;
}

const slurmSchema = {
  type: 'object',
  properties: {
    partition: { type: 'string', minLength: 1, description: 'sbatch --partition' },
    account: { type: 'string', minLength: 1, description: 'sbatch --account' },
    qos: { type: 'string', minLength: 1, description: 'sbatch --qos' },
    time: { type: 'string', pattern: '^(\\d+-)?\\d+(:\\d{2}){0,2}$', default: '01:00:00', description: 'time limit per array task (sbatch --time), e.g. "00:30:00"' },
    mem_per_task: { type: 'string', pattern: '^\\d+[KMGT]?$', default: '2G', description: 'memory per array task (sbatch --mem), e.g. 2G' },
    cpus_per_task: { type: 'integer', minimum: 1, default: 1, description: 'sbatch --cpus-per-task' },
    max_array_size: { type: 'integer', minimum: 1, default: 1000, description: 'array tasks per sbatch --array (larger sets are split)' },
    max_running: { type: 'integer', minimum: 1, default: 100, description: 'array tasks running at once (sbatch --array=…%N)' },
    min_task_seconds: { type: 'number', minimum: 0, default: 120, description: 'at least this much estimated work per array task' },
    poll_seconds: { type: 'number', exclusiveMinimum: 0, default: 30, description: 'one squeue for the whole run this often' },
    grace_seconds: { type: 'number', minimum: 0, default: 60, description: 'a task gone from the queue without its result fails after this' },
    outputs: { type: 'string', minLength: 1, description: 'the outputs folder on the shared file system' },
    node: { type: 'string', minLength: 1, description: 'Node on the compute nodes' },
    sbatch_args: { type: 'array', items: { type: 'string', pattern: '^--' }, default: [], description: 'more sbatch options' },
  },
  additionalProperties: false,
} as const;

/** The config file's shape as a pseudo-kind, so that its problems read like a spec's. */
const configKind = (name: string, schema: Record<string, unknown>): Kind => ({ kind: name, version: 1, summary: name, params: schema, inputs: [], run: () => ({ type: 'result' as const, value: {} }) });
const topKind = configKind('config', {
  type: 'object',
  properties: { executor: { enum: ['local', 'slurm'], default: 'local', description: 'the executor a run uses by default' }, slurm: { type: 'object' } },
  additionalProperties: false,
});
const slurmKind = configKind('slurm', slurmSchema);

export const DEFAULT_CONFIG: ExecutorConfig = { executor: 'local', slurm: checkParams(slurmKind, {}).params as unknown as SlurmConfig, file: undefined };

/**
 * The configuration in `file` (`explicit`: given with --config, so it must exist), else the defaults.
 * Problems are SpecErrors at their line and column.
 */
export async function readExecutorConfig(file: string, explicit: boolean, display: string = file): Promise<ExecutorConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (!explicit && (e as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_CONFIG;
    throw new SpecErrors([new SpecError(`cannot read the configuration ${file}: ${(e as Error).message}`, { hint: `write ${CONFIG_FILE} in the project folder (see docs/scale-out.md), or give --config FILE` })]);
  }
  const { source, errors, duplicates } = parseYamlSource(text, display);
  if (errors.length > 0) throw new SpecErrors(errors);
  const problems: SpecError[] = [...duplicates];
  const value = source.value ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new SpecErrors([new SpecError('the configuration must be a mapping', { location: source.locate([]) })]);
  const report = (kind: Kind, values: Record<string, unknown>, base: string[]): Record<string, unknown> => {
    const checked = checkParams(kind, values);
    for (const p of checked.problems) {
      const at = [...base, ...p.path];
      const message = p.message.replace(`for kind ${kind.kind}`, base.length === 0 ? 'in the configuration' : `under ${base.join('.')}`).replace(/parameter/g, 'key');
      problems.push(new SpecError(message, { location: p.atKey ? source.locateKey(at) : source.locate(at), hint: p.hint.replace(`${kind.kind} takes`, 'the keys are') }));
    }
    return checked.params;
  };
  const top = report(topKind, value as Record<string, unknown>, []);
  const slurmValues = top.slurm;
  const slurm = report(slurmKind, slurmValues !== null && typeof slurmValues === 'object' ? (slurmValues as Record<string, unknown>) : {}, ['slurm']);
  if (problems.length > 0) throw new SpecErrors(problems);
  const dir = resolve(file, '..');
  const outputs = typeof slurm.outputs === 'string' ? (isAbsolute(slurm.outputs) ? slurm.outputs : resolve(dir, slurm.outputs)) : undefined;
  return { executor: top.executor as 'local' | 'slurm', slurm: { ...(slurm as unknown as SlurmConfig), ...(outputs === undefined ? {} : { outputs }) }, file };
}
