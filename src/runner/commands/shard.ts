/**
 * `lesionflow shard <manifest> <offset>`: what a SLURM array task runs (the SLURM executor submits it; not
 * for people). Task i (SLURM_ARRAY_TASK_ID) runs the batches of shard offset + i of the manifest, one after
 * the other in this process — each batch skipped when its checkpoint is already there (an earlier attempt),
 * else computed by the set's batch function and checkpointed in the shared cache (created atomically, never
 * replacing another's). On a failure it writes `errors/<job>_<task>.json` beside the logs, for the run to
 * report, and exits 1. Takes no lock: the run that submitted it holds the outputs folder's.
 */
import { join } from 'node:path';
import { ExecutorError } from '../../errors.js';
import { writeFileAtomic } from '../atomic.js';
import { FsStore } from '../cache.js';
import { decodeBatch, encodeBatch } from '../executors/batch-codec.js';
import { readManifest, slurmDir } from '../executors/slurm/manifest.js';
import { runTask } from '../pool-task.js';
import { checkpointName } from '../replicate/batches.js';
import type { CommandIo } from './io.js';
import { lesionflowVersion } from '../versions.js';

export async function shardCommand(manifestPath: string, offsetText: string, io: CommandIo): Promise<number> {
  const task = Number(process.env.SLURM_ARRAY_TASK_ID);
  const offset = Number(offsetText);
  const id = `${process.env.SLURM_ARRAY_JOB_ID ?? process.env.SLURM_JOB_ID ?? 'local'}_${Number.isInteger(task) ? task : 'x'}`;
  if (!Number.isInteger(task) || task < 0 || !Number.isInteger(offset) || offset < 0) {
    throw new ExecutorError('lesionflow shard runs as a SLURM array task (SLURM_ARRAY_TASK_ID) with a manifest and an offset', { hint: 'the SLURM executor submits it; you do not run it yourself' });
  }
  const m = await readManifest(manifestPath);
  const mine = await lesionflowVersion();
  const errorFile = join(slurmDir(m.cacheDir), 'errors', `${id}.json`);
  let current: readonly [number, number] | undefined;
  try {
    if (m.lesionflow !== mine) throw new ExecutorError(`the manifest was written by lesionflow ${m.lesionflow}, this is ${mine}`, { hint: 'the compute nodes must run the same lesionflow installation as the machine that submits' });
    const ranges = m.shards[offset + task];
    if (ranges === undefined) throw new ExecutorError(`the manifest has no shard ${offset + task}`);
    const checkpoints = (await FsStore.open(m.cacheDir)).checkpoints(m.key);
    for (const range of ranges) {
      current = range;
      const name = checkpointName(m.set, range);
      const saved = await checkpoints.get(name);
      if (saved !== undefined && decodeBatch(saved) !== undefined) {
        io.out(`${m.step} ${m.set} ${range[0]}–${range[1]}: already there`);
        continue;
      }
      const t0 = performance.now();
      const result = await runTask({ module: m.task.module, fn: m.task.fn, args: { shared: m.shared, seed: m.seed, start: range[0], end: range[1] } });
      await checkpoints.put(name, encodeBatch(result));
      io.out(`${m.step} ${m.set} ${range[0]}–${range[1]}: ${Math.round(performance.now() - t0)} ms`);
    }
    return 0;
  } catch (e) {
    const message = e instanceof Error ? e.message.split('\n')[0]! : String(e);
    await writeFileAtomic(errorFile, JSON.stringify({ message, step: m.step, set: m.set, units: current ?? null, stack: e instanceof Error ? (e.stack ?? null) : null }, null, 1) + '\n', { fsync: false }).catch(() => undefined);
    throw e;
  }
}
