/**
 * Executes an analysed pipeline: for each step (once its inputs are done) take its key material and
 * key, look the key up in the store, and either reuse the stored output (cached) or run the step kind
 * and store its canonical output. Inputs are handed to a step decoded from their canonical bytes, so a
 * step sees exactly the same input whether its upstream ran now or was cached (byte-identical outputs
 * with any --jobs). Orchestration around it (lock, outputs folder, lock file) is in commands/run.ts.
 */
import { decodeArtifact, encodeArtifact, type Artifact } from '../data/artifact.js';
import { CancelError, DataError, InternalError, LesionflowError, pathRelativeTo } from '../errors.js';
import { isDocumentKind, isReplicateKind, type StepContext, type WorkerPool } from '../nodes/kind.js';
import { CorruptEntry, CorruptRecord, type Store } from './cache.js';
import type { Executor } from './executors/executor.js';
import { LocalExecutor } from './executors/local.js';
import { FileHasher } from './file-hashes.js';
import { contentHash, short, stepSeed, type CacheKey, type ContentHash } from './hash.js';
import { cacheKey, keyMaterial, subgraphSteps, type KeyMaterial } from './key.js';
import { silentLogger, type Logger } from './logger.js';
import { absolutePath, pathOrigin, pathResolver } from './paths.js';
import type { Pipeline, PipelineStep, StepName } from './pipeline.js';
import { displayPath } from './display-path.js';
import { resultProvenance, type ResultProvenance } from './provenance.js';
import { DEFAULT_BATCH } from './replicate/batches.js';
import { knownModules, runReplicated } from './replicate/replicated.js';
import { schedule, type TaskEnv, type TaskResult, type TaskStatus } from './scheduler.js';
import { versions, type Versions } from './versions.js';
import { stepFiles } from './step-files.js';

export interface ExecuteOptions {
  readonly store: Store;
  readonly pool: WorkerPool;
  /** Project folder: spec paths must stay inside it (see paths.ts). */
  readonly root: string;
  readonly jobs: number;
  readonly failFast?: boolean;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  readonly hasher?: FileHasher;
  /** Versions for the provenance of steps that state it (default: this installation's, versions.ts). */
  readonly versions?: Versions;
  /**
   * Where replicated steps' units run (executors/): default, the local executor on `pool`, checkpointing in
   * `store`. The SLURM executor sends them to a cluster.
   */
  readonly executor?: Executor;
  /** Units per batch of a replicated step (`--batch`; default 100): a run option, it cannot change an output. */
  readonly batch?: number;
}

export interface StepOutcome {
  readonly name: StepName;
  readonly kind: string;
  readonly status: TaskStatus;
  readonly ms: number;
  readonly key?: CacheKey;
  readonly output?: ContentHash;
  /** What the key was taken from (absent when it could not be taken). */
  readonly material?: KeyMaterial;
  readonly error?: unknown;
  readonly reason?: string;
  readonly warnings: readonly string[];
}

export interface ExecuteResult {
  readonly status: 'ok' | 'failed' | 'interrupted';
  /** In pipeline order. */
  readonly steps: readonly StepOutcome[];
  /** Data files read (path as written → content hash). */
  readonly files: ReadonlyMap<string, ContentHash>;
  readonly ms: number;
  /** The canonical bytes of an output produced or verified in this run (memory first, then the store). */
  load(step: StepName): Promise<string>;
}

export async function execute(pipeline: Pipeline, options: ExecuteOptions): Promise<ExecuteResult> {
  const t0 = performance.now();
  const ex = new Execution(pipeline, options, options.hasher ?? (await FileHasher.open(undefined)));
  const logger = options.logger ?? silentLogger;
  logger.log({ type: 'start', pipeline: pipeline.name, steps: pipeline.steps.size, jobs: options.jobs });

  const tasks = new Map<StepName, StepName[]>();
  for (const [name, step] of pipeline.steps) tasks.set(name, [...new Set([...step.inputs, ...(ex.subgraph(name) ?? [])])]);
  ex.warmPoolAt(replicateModulesUpstream(pipeline, tasks, (name) => ex.subgraph(name)));

  const results = await schedule(tasks, (name, env) => ex.task(name, env), {
    jobs: options.jobs,
    failFast: options.failFast ?? false,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    onEnd: (step, r) => {
      logger.log({ type: 'step-end', step, status: r.status, ms: r.ms, error: r.error, ...(r.reason === undefined ? {} : { reason: r.reason }) });
    },
  });

  const interrupted = options.signal?.aborted === true;
  const steps = [...pipeline.steps.values()].map((s) => ex.outcome(s, results.get(s.name)!, interrupted));
  const counts: Record<TaskStatus, number> = { ran: 0, cached: 0, failed: 0, skipped: 0 };
  for (const s of steps) counts[s.status] += 1;
  const status = interrupted ? 'interrupted' : counts.failed + counts.skipped > 0 ? 'failed' : 'ok';
  const ms = performance.now() - t0;
  logger.log({ type: 'end', status, ms, counts });
  return { status, steps, files: ex.files, ms, load: (s) => ex.text(s) };
}

interface Computed {
  readonly name: StepName;
  readonly key: CacheKey;
  readonly text: string;
  readonly ms: number;
}

class Execution {
  readonly files = new Map<string, ContentHash>();
  private readonly outputs = new Map<StepName, ContentHash>();
  private readonly keys = new Map<StepName, CacheKey>();
  private readonly materials = new Map<StepName, KeyMaterial>();
  private readonly texts = new Map<StepName, string>();
  private readonly artifacts = new Map<StepName, Promise<Artifact>>();
  private readonly recomputing = new Map<StepName, Promise<void>>();
  /** The step kind's own warnings (stored in its record, shown again when cached). */
  private readonly warnings = new Map<StepName, string[]>();
  /** The runner's warnings about a step in this run (a corrupt entry): shown, never stored. */
  private readonly notes = new Map<StepName, string[]>();
  private readonly subgraphs = new Map<StepName, StepName[] | undefined>();
  private readonly provenances = new Map<StepName, ResultProvenance>();
  private readonly logger: Logger;
  private readonly executor: Executor;

  constructor(
    private readonly pipeline: Pipeline,
    private readonly options: ExecuteOptions,
    private readonly hasher: FileHasher,
  ) {
    this.logger = options.logger ?? silentLogger;
    this.executor = options.executor ?? new LocalExecutor(options.pool, (key) => options.store.checkpoints(key));
  }

  /** The steps whose cache miss starts the executor (the pool's threads), with the modules to load (replicateModulesUpstream). */
  private warmModules = new Map<StepName, readonly string[]>();

  warmPoolAt(modules: Map<StepName, readonly string[]>): void {
    this.warmModules = modules;
  }

  subgraph(name: StepName): StepName[] | undefined {
    if (!this.subgraphs.has(name)) this.subgraphs.set(name, subgraphSteps(this.pipeline, this.step(name)));
    return this.subgraphs.get(name);
  }

  /** A kind of this pipeline, by name (its steps' kinds are the registry's, or a test's). */
  private kindNamed(kind: string): PipelineStep['kind'] | undefined {
    for (const s of this.pipeline.steps.values()) if (s.kind.kind === kind) return s.kind;
    return undefined;
  }

  private step(name: StepName): PipelineStep {
    const s = this.pipeline.steps.get(name);
    if (s === undefined) throw new InternalError(`unknown step "${name}"`);
    return s;
  }

  private warn(step: StepName, message: string, map: Map<StepName, string[]> = this.warnings): void {
    let list = map.get(step);
    if (list === undefined) map.set(step, (list = []));
    list.push(message);
    this.logger.log({ type: 'warning', step, message });
  }

  private note(step: StepName, message: string): void {
    this.warn(step, message, this.notes);
  }

  /** The scheduler's task: cached, or run in a work slot. */
  async task(name: StepName, env: Pick<TaskEnv, 'signal' | 'withSlot' | 'outsideSlot'>): Promise<'ran' | 'cached'> {
    const { signal } = env;
    const step = this.step(name);
    const material = await this.material(step);
    const key = cacheKey(material);
    this.keys.set(name, key);
    this.materials.set(name, material);
    let record;
    try {
      record = await this.options.store.getRecord(key);
    } catch (e) {
      if (!(e instanceof CorruptRecord)) throw e;
      this.note(name, `${e.message}: recomputing`);
    }
    if (record !== undefined) {
      const state = await this.options.store.checkObject(record.output);
      if (state === 'ok') {
        this.outputs.set(name, record.output);
        this.warnings.set(name, [...record.warnings]);
        return 'cached';
      }
      this.note(name, `cache entry ${short(key)} is ${state === 'corrupt' ? 'corrupt (its bytes do not match their hash)' : 'missing its output'}: recomputing`);
      if (state === 'corrupt') await this.options.store.dropObject(record.output);
    }
    // a miss on the way to a replicated step: the executor's threads start now, beside this step
    const modules = this.warmModules.get(name);
    if (modules !== undefined) this.executor.warm(modules);
    // The slot is held while the step computes; storing (an fsync) happens after, letting another
    // step use the core meanwhile.
    const done = await env.withSlot(() => this.compute(step, signal, env.outsideSlot));
    await this.store(done);
    return 'ran';
  }

  private async material(step: PipelineStep): Promise<KeyMaterial> {
    const files = stepFiles(step.kind, step.params);
    const hashes = new Map<string, ContentHash>();
    // made only for a step that reads files: it resolves the project folder's real path
    const resolvePath = files.length === 0 ? undefined : pathResolver(this.pipeline, this.options.root, step.name);
    for (const f of files) {
      const abs = resolvePath!(f);
      const h = await this.hasher.hash(abs).catch((e: unknown) => {
        const origin = pathOrigin(this.pipeline, f);
        const code = (e as NodeJS.ErrnoException).code;
        throw new DataError(`cannot read the data file "${f}" (${abs}): ${code === 'ENOENT' ? 'no such file' : (code ?? String(e))}`, {
          step: step.name,
          // a path from the command line has no place in the spec to point at
          location: origin === 'spec' ? step.location : undefined,
          hint: `${pathRelativeTo(origin)}; check the name${origin === 'command line' ? ' given to --set' : ''}`,
          cause: e,
        });
      });
      hashes.set(f, h);
      this.files.set(f, h);
    }
    const provenance = isDocumentKind(step.kind) ? await this.provenanceOf(step) : undefined;
    return keyMaterial(step, this.subgraph(step.name), {
      seed: this.pipeline.seed,
      outputOf: (s) => this.outputs.get(s) ?? null,
      keyOf: (s) => this.keys.get(s) ?? null,
      fileHash: (f) => hashes.get(f)!,
      ...(provenance === undefined ? {} : { provenance: () => provenance }),
    });
  }

  /** What a provenance-stating step's output states: its upstream files were hashed when their steps' keys were taken. */
  private async provenanceOf(step: PipelineStep): Promise<ResultProvenance> {
    const facts = { pipeline: this.pipeline, root: this.options.root, versions: this.options.versions ?? (await versions()) };
    const p = resultProvenance(facts, step.name, this.files);
    this.provenances.set(step.name, p);
    return p;
  }

  /** Runs the step kind; returns its canonical output, to be stored. */
  private async compute(step: PipelineStep, signal: AbortSignal, outsideSlot: TaskEnv['outsideSlot'] = (fn) => fn()): Promise<Computed> {
    const name = step.name;
    const key = this.keys.get(name)!;
    if (signal.aborted) throw new CancelError('interrupted', { step: name });
    this.logger.log({ type: 'step-start', step: name });
    this.warnings.set(name, []);
    const inputs = new Map<string, Artifact>();
    for (const i of step.inputs) inputs.set(i, await this.artifact(i, signal));
    const ctx: StepContext = {
      step: name,
      seed: stepSeed(this.pipeline.seed, name),
      resolvePath: pathResolver(this.pipeline, this.options.root, name),
      pathOrigin: (p) => pathOrigin(this.pipeline, p),
      showPath: (path) => displayPath(absolutePath(this.pipeline, path), this.options.root),
      pool: this.options.pool,
      signal,
      progress: (done, total) => {
        this.logger.log({ type: 'step-progress', step: name, done, total });
      },
      warn: (message) => {
        this.warn(name, message);
      },
    };
    const t0 = performance.now();
    const kind = step.kind;
    let artifact: Artifact;
    try {
      if (isReplicateKind(kind)) {
        const sub = this.subgraph(name);
        const from = sub === undefined ? undefined : (step.params[kind.subPipeline!.from] as string);
        artifact = await runReplicated(
          {
            name,
            key,
            kind,
            params: step.params,
            subPipeline: sub === undefined || from === undefined ? undefined : { from, steps: sub.map((s) => { const st = this.step(s); return { name: s, kind: st.kind.kind, params: st.params, inputs: st.inputs }; }) },
          },
          inputs,
          ctx,
          {
            executor: this.executor,
            checkpoints: this.options.store.checkpoints(key),
            batch: this.options.batch ?? DEFAULT_BATCH,
            threads: this.options.pool.size,
            kinds: (k) => this.kindNamed(k),
            info: (message) => {
              this.logger.log({ type: 'info', message: `${name}: ${message}` });
            },
            remote: (state) => {
              this.logger.log({ type: 'step-remote', step: name, ...state });
            },
            outsideSlot,
          },
        );
      } else if (isDocumentKind(kind)) {
        const provenance = this.provenances.get(name);
        if (provenance === undefined) throw new InternalError(`document "${name}": no provenance was taken with its key`);
        artifact = await kind.run(step.params, inputs, { ...ctx, provenance });
      } else artifact = await kind.run(step.params, inputs, ctx);
    } catch (e) {
      // An error with no place of its own (a model that cannot be fitted, a join's duplicate keys) points
      // at the step in the spec: every error names a file and a line.
      if (e instanceof LesionflowError && e.location === undefined && !(e instanceof CancelError)) Object.defineProperty(e, 'location', { value: step.location });
      throw e;
    }
    const ms = Math.round(performance.now() - t0);
    return { name, key, text: encodeArtifact(artifact), ms };
  }

  /** Stores a computed output: the object first, then the record that refers to it. */
  private async store(c: Computed): Promise<void> {
    const output = await this.options.store.putObject(c.text);
    if (output !== contentHash(c.text)) throw new InternalError(`store returned a wrong hash for step "${c.name}"`);
    await this.options.store.putRecord({
      key: c.key,
      output,
      size: Buffer.byteLength(c.text),
      step: c.name,
      material: this.materials.get(c.name)!,
      ms: c.ms,
      warnings: this.warnings.get(c.name) ?? [],
    });
    this.texts.set(c.name, c.text);
    this.outputs.set(c.name, output);
  }

  /** A finished step's output, decoded from its canonical bytes (memoised). */
  private artifact(name: StepName, signal: AbortSignal): Promise<Artifact> {
    let p = this.artifacts.get(name);
    if (p === undefined) {
      p = this.readText(name, signal).then(decodeArtifact);
      this.artifacts.set(name, p);
    }
    return p;
  }

  private async readText(name: StepName, signal: AbortSignal): Promise<string> {
    const mem = this.texts.get(name);
    if (mem !== undefined) return mem;
    const output = this.outputs.get(name);
    if (output === undefined) throw new InternalError(`output of "${name}" requested before it finished`);
    try {
      return await this.options.store.getObject(output);
    } catch (e) {
      if (!(e instanceof CorruptEntry)) throw e;
      // Found corrupt only now (its stat looked unchanged): recompute it, once, inside the caller's slot.
      let r = this.recomputing.get(name);
      if (r === undefined) {
        this.note(name, `${e.message}: recomputing`);
        r = this.options.store
          .dropObject(output)
          .then(() => this.compute(this.step(name), signal))
          .then((c) => this.store(c));
        this.recomputing.set(name, r);
      }
      await r;
      return this.texts.get(name)!;
    }
  }

  /** For outputs and verify: memory, else the verified store. */
  async text(name: StepName): Promise<string> {
    const never = new AbortController().signal;
    return this.readText(name, never);
  }

  outcome(step: PipelineStep, r: TaskResult<StepName>, interrupted: boolean): StepOutcome {
    const key = this.keys.get(step.name);
    const material = this.materials.get(step.name);
    const output = r.status === 'ran' || r.status === 'cached' ? this.outputs.get(step.name) : undefined;
    let reason: string | undefined = r.reason;
    if (r.status === 'failed' && interrupted && isAbort(r.error)) reason = 'interrupted';
    return {
      name: step.name,
      kind: step.kind.kind,
      status: r.status,
      ms: r.ms,
      warnings: [...(this.notes.get(step.name) ?? []), ...(this.warnings.get(step.name) ?? [])],
      ...(key === undefined ? {} : { key }),
      ...(material === undefined ? {} : { material }),
      ...(output === undefined ? {} : { output }),
      ...(r.error === undefined ? {} : { error: r.error }),
      ...(reason === undefined ? {} : { reason }),
    };
  }
}

function isAbort(e: unknown): boolean {
  return e instanceof CancelError || (e instanceof Error && (e.name === 'AbortError' || e.message === 'interrupted'));
}

/**
 * For every step at or upstream of a replicated step (ReplicateKind), the task modules its units will load
 * (as far as they are known before it runs): a cache miss there starts the executor's threads
 * (Executor.warm), which then start beside the steps still to run before the replicated one. `deps` is the
 * scheduler's: inputs and sub-pipelines.
 */
export function replicateModulesUpstream(
  pipeline: Pipeline,
  deps: ReadonlyMap<StepName, readonly StepName[]>,
  subPipeline: (step: StepName) => readonly StepName[] | undefined,
): Map<StepName, readonly string[]> {
  const found = new Map<StepName, Set<string>>();
  for (const [name, step] of pipeline.steps) {
    if (!isReplicateKind(step.kind)) continue;
    const modules = knownModules(step.kind, (subPipeline(name) ?? []).map((s) => pipeline.steps.get(s)!.kind));
    const stack = [name];
    const seen = new Set<StepName>();
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      let set = found.get(s);
      if (set === undefined) found.set(s, (set = new Set()));
      for (const m of modules) set.add(m);
      stack.push(...(deps.get(s) ?? []));
    }
  }
  return new Map([...found].map(([s, set]) => [s, [...set].sort()]));
}
