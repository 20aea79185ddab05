/**
 * `lesionflow verify <spec>`: nightly reproducibility. Recompute every step ignoring the cache (in
 * memory; the cache is neither read nor written) and compare each output hash with the lock file.
 * Exit 0 when every step reproduces its locked output, 1 with a per-step report otherwise.
 */
import { renderError } from '../diagnostics.js';
import { MemoryStore } from '../cache.js';
import { execute } from '../executor.js';
import { FileHasher } from '../file-hashes.js';
import { short } from '../hash.js';
import { lockfilePath, readLockfile } from '../lockfile.js';
import type { Pipeline } from '../pipeline.js';
import { ThreadPool } from '../pool.js';
import type { WorkerPool } from '../../nodes/kind.js';
import { defaultJobs, loadSpec, projectRoot, type CommandIo, type CommonOptions } from './io.js';

export interface VerifyLine {
  readonly step: string;
  readonly ok: boolean;
  readonly message: string;
}

export async function verifyPipeline(
  pipeline: Pipeline,
  o: { root: string; jobs: number; signal?: AbortSignal; pool?: WorkerPool; errorText?: (e: unknown) => string },
): Promise<{ lockfile: string; lines: VerifyLine[] | undefined }> {
  const path = lockfilePath(pipeline.file);
  const lock = await readLockfile(path);
  if (lock === undefined) return { lockfile: path, lines: undefined };
  const ownPool = o.pool === undefined ? new ThreadPool(o.jobs, o.signal) : undefined;
  try {
    const result = await execute(pipeline, {
      store: new MemoryStore(),
      pool: o.pool ?? ownPool!,
      root: o.root,
      jobs: o.jobs,
      hasher: await FileHasher.open(undefined),
      ...(o.signal === undefined ? {} : { signal: o.signal }),
    });
    const text = o.errorText ?? ((e: unknown) => (e instanceof Error ? e.message : String(e)));
    const lines: VerifyLine[] = result.steps.map((s) => {
      const locked = lock.steps[s.name];
      if (s.status === 'failed') return { step: s.name, ok: false, message: `failed: ${text(s.error)}` };
      if (s.output === undefined) return { step: s.name, ok: false, message: `not computed (${s.reason ?? s.status})` };
      if (locked === undefined) return { step: s.name, ok: false, message: 'not in the lock file (run the pipeline to lock it)' };
      if (locked.output === s.output) return { step: s.name, ok: true, message: locked.key === s.key ? 'ok' : 'ok (output matches; key changed since the lock)' };
      if (locked.key !== s.key) return { step: s.name, ok: false, message: `key changed since the lock (spec, data or lesionflow changed): output ${short(s.output)}, locked ${short(locked.output)}` };
      return { step: s.name, ok: false, message: `drift: output ${short(s.output)} differs from the locked ${short(locked.output)} for the same key` };
    });
    for (const name of Object.keys(lock.steps)) {
      if (!pipeline.steps.has(name as never)) lines.push({ step: name, ok: false, message: 'in the lock file but no longer in the spec' });
    }
    return { lockfile: path, lines };
  } finally {
    await ownPool?.destroy();
  }
}

export async function verifyCommand(spec: string, o: CommonOptions, io: CommandIo): Promise<number> {
  const pipeline = await loadSpec(spec, o);
  const { lockfile, lines } = await verifyPipeline(pipeline, {
    root: projectRoot(pipeline, o.cwd),
    jobs: o.jobs ?? defaultJobs(),
    errorText: renderError,
    ...(o.signal === undefined ? {} : { signal: o.signal }),
  });
  if (lines === undefined) {
    io.err(`error: no lock file ${lockfile}\n  hint: run \`lesionflow run ${spec}\` first and commit the lock file it writes`);
    return 1;
  }
  if (o.signal?.aborted === true) return 130;
  const width = Math.max(0, ...lines.map((l) => l.step.length));
  const bad = lines.filter((l) => !l.ok);
  for (const l of lines) if (!l.ok || o.quiet !== true) (l.ok ? io.out : io.err)(`${l.ok ? '✓' : '✗'} ${l.step.padEnd(width)}  ${l.message}`);
  io.out(bad.length === 0 ? `verify: all ${lines.length} steps reproduce ${lockfile}` : `verify: ${bad.length} of ${lines.length} steps differ from ${lockfile}`);
  return bad.length === 0 ? 0 : 1;
}
