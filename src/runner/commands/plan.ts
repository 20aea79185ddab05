/**
 * `lesionflow plan <spec>`: for each step, whether it is cached or will run, and why — the cues that
 * differ between the key material it was last run with and its material now. Reads the cache only
 * (no lock, nothing written). A step downstream of one that will run "may run": if its input comes
 * out identical, early cutoff keeps it cached.
 */
import { join } from 'node:path';
import { CorruptRecord, FsStore, type StepRecord, type Store } from '../cache.js';
import { whyRun } from '../cues.js';
import { FileHasher } from '../file-hashes.js';
import type { CacheKey, ContentHash } from '../hash.js';
import { cacheKey, isComplete, keyMaterial, subgraphSteps, type KeyMaterial } from '../key.js';
import { lockfilePath, readLockfile } from '../lockfile.js';
import { readRunRecord } from '../outputs.js';
import { pathResolver } from '../paths.js';
import type { Pipeline, StepName } from '../pipeline.js';
import { loadSpec, outputsDirOf, projectRoot, type CommandIo, type CommonOptions } from './io.js';
import { safeName } from './run.js';
import { resultProvenance } from '../provenance.js';
import { versions } from '../versions.js';
import { isDocumentKind } from '../../nodes/kind.js';
import { stepFiles } from '../step-files.js';

export type PlanState = 'cached' | 'run' | 'may-run' | 'error';

export interface PlanEntry {
  readonly step: StepName;
  readonly state: PlanState;
  readonly reasons: readonly string[];
  readonly key?: CacheKey;
}

export async function planPipeline(pipeline: Pipeline, outputsDir: string, root: string): Promise<PlanEntry[]> {
  const cacheDir = join(outputsDir, '.cache');
  const store: Store = await FsStore.open(cacheDir);
  const hasher = await FileHasher.open(cacheDir);
  // Previous keys: the last run of this pipeline, else the committed lock file.
  const previous = new Map<string, string>();
  const lock = await readLockfile(lockfilePath(pipeline.file)).catch(() => undefined);
  for (const [name, e] of Object.entries(lock?.steps ?? {})) previous.set(name, e.key);
  const run = await readRunRecord(join(outputsDir, safeName(pipeline.name)));
  const failedLast = new Map<string, string>();
  for (const s of run?.steps ?? []) {
    if (s.key === undefined) continue;
    if (s.status === 'failed') failedLast.set(s.name, s.key);
    else previous.set(s.name, s.key);
  }

  const outputs = new Map<StepName, ContentHash>();
  const keys = new Map<StepName, CacheKey>();
  const fileHashes = new Map<string, ContentHash>();
  const plan: PlanEntry[] = [];
  for (const step of pipeline.steps.values()) {
    let material: KeyMaterial;
    try {
      const hashes = new Map<string, ContentHash>();
      const files = stepFiles(step.kind, step.params);
      const resolvePath = files.length === 0 ? undefined : pathResolver(pipeline, root, step.name);
      for (const f of files) hashes.set(f, await hasher.hash(resolvePath!(f)));
      for (const [f, h] of hashes) fileHashes.set(f, h);
      const facts = isDocumentKind(step.kind) ? { pipeline, root, versions: await versions() } : undefined;
      material = keyMaterial(step, subgraphSteps(pipeline, step), {
        seed: pipeline.seed,
        outputOf: (s) => outputs.get(s) ?? null,
        keyOf: (s) => keys.get(s) ?? null,
        fileHash: (f) => hashes.get(f)!,
        ...(facts === undefined ? {} : { provenance: () => resultProvenance(facts, step.name, fileHashes) }),
      });
    } catch (e) {
      plan.push({ step: step.name, state: 'error', reasons: [e instanceof Error ? e.message : String(e)] });
      continue;
    }
    const prevKey = previous.get(step.name);
    const prev = prevKey === undefined ? undefined : (await recordOrCorrupt(store, prevKey as CacheKey)).record?.material;
    if (!isComplete(material)) {
      plan.push({ step: step.name, state: 'may-run', reasons: whyRun(prev, material) });
      continue;
    }
    const key = cacheKey(material);
    keys.set(step.name, key);
    const { record, corrupt } = await recordOrCorrupt(store, key);
    const state = corrupt ? 'corrupt' : record === undefined ? 'missing' : await store.checkObject(record.output);
    if (record !== undefined && state === 'ok') {
      outputs.set(step.name, record.output);
      plan.push({ step: step.name, state: 'cached', reasons: [], key });
    } else {
      const reasons = state === 'corrupt' ? ['cache entry corrupt'] : failedLast.get(step.name) === key ? ['failed in the last run'] : whyRun(prev, material);
      plan.push({ step: step.name, state: 'run', reasons, key });
    }
  }
  return plan;
}

/** A malformed record counts as absent for the plan, and as a corrupt entry for the reasons. */
async function recordOrCorrupt(store: Store, key: CacheKey): Promise<{ record: StepRecord | undefined; corrupt: boolean }> {
  try {
    return { record: await store.getRecord(key), corrupt: false };
  } catch (e) {
    if (e instanceof CorruptRecord) return { record: undefined, corrupt: true };
    throw e;
  }
}

const LABEL: Record<PlanState, string> = { cached: 'cached', run: 'will run', 'may-run': 'may run', error: 'error' };

export function formatPlan(plan: readonly PlanEntry[]): string[] {
  const width = Math.max(0, ...plan.map((p) => p.step.length));
  const lines = plan.map((p) => `${p.step.padEnd(width)}  ${LABEL[p.state].padEnd(8)}${p.reasons.length > 0 ? `  ${p.reasons.join('; ')}` : ''}`.trimEnd());
  const n = (s: PlanState): number => plan.filter((p) => p.state === s).length;
  lines.push(`${n('cached')} cached, ${n('run')} will run, ${n('may-run')} may run${n('error') > 0 ? `, ${n('error')} with errors` : ''}`);
  return lines;
}

export async function planCommand(spec: string, o: CommonOptions, io: CommandIo): Promise<number> {
  const pipeline = await loadSpec(spec, o);
  const plan = await planPipeline(pipeline, outputsDirOf(o), projectRoot(pipeline, o.cwd));
  if (o.logFormat === 'json') io.out(JSON.stringify({ pipeline: pipeline.name, steps: plan }));
  else for (const l of formatPlan(plan)) io.out(l);
  return plan.some((p) => p.state === 'error') ? 1 : 0;
}
