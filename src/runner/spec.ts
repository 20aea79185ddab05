/**
 * Spec analysis: YAML file → validated, expanded, resolved `Pipeline` (the "analyzer" of wireit).
 *
 *   read (size, YAML, safety) → top-level shape → `--set` → sweeps → per instance: substitute
 *   `${…}`, check against the kind's schema (defaults filled in), resolve references, kind.check(),
 *   kind.normalise() → omitted references a kind defaults from other steps (default-references.ts) →
 *   graph → stable topological order (cycles reported with their full path).
 *
 * Every problem found is collected and thrown at once as `SpecErrors`, sorted by position.
 */
import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { SpecError, SpecErrors, closest } from '../errors.js';
import type { SourceLocation } from '../errors.js';
import { subPipelineOf, type Kind } from '../nodes/kind.js';
import { registry as defaultRegistry } from '../nodes/registry.js';
import type { Pipeline, PipelineStep, StepName } from './pipeline.js';
import { cyclePath, topologicalOrder } from './dag.js';
import type { DagEdge, DagNode } from './dag.js';
import { applySetOverrides, substitute } from './params.js';
import type { SubstitutionError } from './params.js';
import { fillDefaultReferences, inputsOf } from './default-references.js';
import { readMetrics } from './metrics.js';
import { resolveReference } from './references.js';
import type { SweptStep } from './references.js';
import { checkProducts } from './products.js';
import { readShape } from './spec-shape.js';
import type { RawSpec, RawStep } from './spec-shape.js';
import { checkParams, displayPath, normalise, parseParamPath } from './step-params.js';
import { instancesOf, readForeach } from './sweep.js';
import type { SweepAxis } from './sweep.js';
import { parseYamlSource, readYamlSource } from './yaml-source.js';
import type { SpecPath, YamlSource } from './yaml-source.js';

export interface LoadOptions {
  /** `--set key=value` overrides of `params:`, as given on the command line. */
  readonly set?: readonly string[] | undefined;
  /** The step kinds (default: the real registry); tests pass small fake kinds. */
  readonly registry?: ReadonlyMap<string, Kind> | undefined;
  /** How the file is named in messages (default: the path as given). */
  readonly displayPath?: string | undefined;
  /** Size limit checked before reading (default 1 MB). */
  readonly maxBytes?: number | undefined;
  /** The working directory paths given with `--set` are relative to (default: the process's). */
  readonly cwd?: string | undefined;
}

/** Reads, checks and expands a spec file. Throws `SpecErrors` holding every problem found. */
export async function loadPipeline(file: string, options: LoadOptions = {}): Promise<Pipeline> {
  const display = options.displayPath ?? file;
  let read;
  try {
    read = await readYamlSource(file, display, options.maxBytes);
  } catch (e) {
    if (e instanceof SpecError) throw new SpecErrors([e]);
    throw e;
  }
  return analyse(read, read.bytes, resolve(file), options);
}

/** The same analysis from text (for tests and tools): `file` names the spec in messages and anchors relative paths. */
export function analyseSpecText(text: string, file: string, options: LoadOptions = {}): Pipeline {
  return analyse(parseYamlSource(text, options.displayPath ?? file), Buffer.from(text, 'utf8'), resolve(file), options);
}

type Parsed = ReturnType<typeof parseYamlSource>;

function analyse({ source: src, errors: yamlErrors, duplicates }: Parsed, bytes: Buffer, absFile: string, options: LoadOptions): Pipeline {
  // Syntax and safety errors come alone: checking a half-read document only adds noise.
  if (yamlErrors.length > 0) throw new SpecErrors(sortErrors(yamlErrors));
  const registry = options.registry ?? defaultRegistry;
  // A repeated key keeps its first definition: report it with everything else.
  const errors: SpecError[] = [...duplicates];
  const dir = dirname(absFile);
  const raw = readShape(src, errors);
  const cwd = resolve(options.cwd ?? process.cwd());
  const set = applySetOverrides(raw.params, options.set ?? [], cwd);
  errors.push(...set.errors);
  const params = set.params;

  const swept = expandSweeps(raw, params, src, errors);
  const nodes: DagNode[] = [];
  const edgesOf = new Map<string, DagEdge[]>();
  const built = new Map<string, Omit<PipelineStep, 'inputs'> & { inputs: StepName[] }>();
  for (const step of raw.steps) {
    const kind = kindOf(step, registry, src, errors);
    for (const inst of swept.get(step.name)?.instances ?? []) {
      const edges: DagEdge[] = [];
      nodes.push({ name: inst.name, edges });
      edgesOf.set(inst.name, edges);
      if (kind === undefined) continue;
      const resolved = analyseInstance(step, kind, inst.sweep, params, swept, src, errors, edges);
      if (resolved === undefined) continue;
      built.set(inst.name, {
        name: inst.name as StepName,
        base: step.name,
        sweep: inst.sweep,
        kind,
        params: resolved.params,
        inputs: resolved.inputs,
        location: src.locateKey(['steps', step.name]),
      });
    }
  }

  const metrics = readMetrics(raw.metrics, swept, src, errors);
  fillDefaultReferences(built, (name) => edgesOf.get(name), (base, param) => src.locate(['steps', base, param]), referenceParams, errors);
  checkSubgraphs(built, src, errors);
  checkProducts(built, (step, path) => src.locate(['steps', step.base, ...path]), errors);
  const order = topologicalOrder(nodes);
  if (!order.ok) {
    const seen = new Set<string>();
    for (const cycle of order.cycles) {
      // The instances of a swept cycle repeat the same references: report the first only.
      const key = cycle.edges.map((e) => `${e.location.line}:${e.location.col}`).join(' ');
      if (seen.has(key)) continue;
      seen.add(key);
      const first = cycle.edges[0]!.location;
      const lines = cycle.steps.map((s, i) => `  ${s} → ${cycle.steps[(i + 1) % cycle.steps.length]!} at ${formatLocation(cycle.edges[i]!.location)}`);
      errors.push(new SpecError(`steps form a cycle: ${cyclePath(cycle)}\n${lines.join('\n')}`, {
        location: first,
        hint: 'a step cannot read its own output, directly or through other steps: remove one of these references',
      }));
    }
  }
  if (errors.length > 0) throw new SpecErrors(sortErrors(errors));
  if (!order.ok) throw new SpecErrors([]); // unreachable: cycles were added as errors above

  const steps = new Map<StepName, PipelineStep>();
  for (const name of order.order) {
    const s = built.get(name);
    if (s !== undefined) steps.set(s.name, s);
  }
  return {
    name: raw.name,
    file: absFile,
    dir,
    specHash: createHash('sha256').update(bytes).digest('hex'),
    seed: raw.seed,
    params,
    overrides: set.overrides,
    userPaths: set.userPaths,
    workingDir: cwd,
    steps,
    metrics,
  };
}

/** Axes of every step (its own `foreach` first, then its groups' in spec order) and its instances. */
function expandSweeps(raw: RawSpec, params: Readonly<Record<string, unknown>>, src: YamlSource, errors: SpecError[]): Map<string, SweptStep> {
  const axes = new Map<string, SweepAxis[]>(raw.steps.map((s) => [s.name, s.foreach === undefined ? [] : readForeach(s.foreach, ['steps', s.name, 'foreach'], params, src, errors)]));
  for (const group of raw.groups) {
    const groupAxes = readForeach(group.foreach, ['groups', group.name, 'foreach'], params, src, errors);
    for (const member of group.steps) {
      const mine = axes.get(member)!;
      for (const axis of groupAxes) {
        if (mine.some((a) => a.variable === axis.variable)) {
          errors.push(new SpecError(`step "${member}" is swept over "${axis.variable}" twice (group "${group.name}" sweeps it again)`, {
            location: axis.location,
            hint: `remove foreach.${axis.variable} from the step or the step from the group`,
          }));
        } else mine.push(axis);
      }
    }
  }
  return new Map(raw.steps.map((s) => {
    const a = axes.get(s.name)!;
    return [s.name, { base: s.name, axes: a, instances: instancesOf(s.name, a) }];
  }));
}

function kindOf(step: RawStep, registry: ReadonlyMap<string, Kind>, src: YamlSource, errors: SpecError[]): Kind | undefined {
  if (step.kind === undefined) return undefined;
  const kind = registry.get(step.kind);
  if (kind !== undefined) return kind;
  const names = [...registry.keys()];
  const near = closest(step.kind, names);
  errors.push(new SpecError(`unknown step kind "${step.kind}"${near === undefined ? '' : ` (did you mean "${near}"?)`}`, {
    location: src.locate(['steps', step.name, 'kind']),
    hint: names.length === 0 ? 'no step kinds are registered' : `the kinds are: ${names.join(', ')}`,
  }));
  return undefined;
}

/** The names of a kind's parameters that reference steps: its inputs, and its sub-pipeline's ends. */
function referenceParams(kind: Kind): string[] {
  const names = [...kind.inputs];
  const sub = subPipelineOf(kind);
  if (sub !== undefined) names.push(sub.from, sub.of);
  return [...new Set(names)];
}

function analyseInstance(
  step: RawStep,
  kind: Kind,
  sweep: Readonly<Record<string, string | number | boolean>>,
  params: Readonly<Record<string, unknown>>,
  swept: ReadonlyMap<string, SweptStep>,
  src: YamlSource,
  errors: SpecError[],
  edges: DagEdge[],
): { params: Readonly<Record<string, unknown>>; inputs: StepName[] } | undefined {
  const base: SpecPath = ['steps', step.name];
  const at: Locate = (path, atKey = false) => (atKey ? src.locateKey([...base, ...path]) : src.locate([...base, ...path]));
  const subErrors: SubstitutionError[] = [];
  const substituted = substitute(step.params, { params, foreach: sweep }, subErrors) as Record<string, unknown>;
  for (const e of subErrors) errors.push(new SpecError(e.message, { location: at(e.path), hint: e.hint }));
  if (subErrors.length > 0) return undefined;

  const checked = checkParams(kind, substituted);
  for (const p of checked.problems) errors.push(new SpecError(p.message, { location: at(p.path, p.atKey), hint: p.hint }));
  if (checked.problems.length > 0) return undefined;
  const values = checked.params;

  if (!resolveReferences(step, kind, sweep, values, swept, at, errors, edges)) return undefined;
  if (!runCheck(kind, values, at, errors)) return undefined;
  const canonical = kindNormalise(kind, values, at, errors);
  if (canonical === undefined) return undefined;

  const normalised = normalise(canonical) as Record<string, unknown>;
  return { params: normalised, inputs: inputsOf(normalised, referenceParams(kind)) };
}

type Locate = (path: readonly (string | number)[], atKey?: boolean) => SourceLocation;

/**
 * Rewrites the reference parameters of `values` to instance names (see references.ts for the rule) and
 * records one graph edge per instance read. False when a reference does not resolve.
 */
function resolveReferences(
  step: RawStep,
  kind: Kind,
  sweep: Readonly<Record<string, string | number | boolean>>,
  values: Record<string, unknown>,
  swept: ReadonlyMap<string, SweptStep>,
  at: Locate,
  errors: SpecError[],
  edges: DagEdge[],
): boolean {
  let failed = false;
  const widened: string[] = [];
  for (const name of referenceParams(kind)) {
    const v = values[name];
    if (v === undefined) continue;
    const items = typeof v === 'string' ? [v] : Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
    if (items === undefined) {
      errors.push(new SpecError(`parameter "${name}" must name a step or a list of steps`, { location: at([name]), hint: 'write a step name, e.g. input: cohort' }));
      failed = true;
      continue;
    }
    const out: string[] = [];
    items.forEach((ref, i) => {
      // found only when needed (an error, a cycle): looking it up for every reference of a 10 000-step spec costs
      const where = (): SourceLocation => at(typeof v === 'string' ? [name] : [name, i]);
      const r = resolveReference(ref, sweep, swept);
      if (!r.ok) {
        errors.push(new SpecError(`parameter "${typeof v === 'string' ? name : `${name}[${i}]`}": ${r.message}`, { location: where(), hint: r.hint }));
        failed = true;
        return;
      }
      out.push(...r.instances);
      for (const to of r.instances) {
        edges.push({
          to,
          get location() {
            return where();
          },
        });
      }
      if (typeof v === 'string' && !r.single) widened.push(name);
    });
    values[name] = typeof v === 'string' && !widened.includes(name) ? out[0] : out;
  }
  if (failed) return false;
  if (widened.length > 0) {
    // A swept step named by its base gathers all its instances: the parameter must accept a list.
    const again = checkParams(kind, values);
    for (const name of widened) {
      if (!again.problems.some((p) => p.path[0] === name)) continue;
      const list = values[name] as string[];
      errors.push(new SpecError(`parameter "${name}" takes one step, but "${String(step.params[name])}" is swept into ${list.length} instance${list.length === 1 ? '' : 's'}`, {
        location: at([name]),
        hint: `name one instance, e.g. "${list[0] ?? ''}", or sweep "${step.name}" over the same variable`,
      }));
      failed = true;
    }
    return !failed;
  }
  return true;
}

/** The kind's own semantic checks, each message at its parameter. False when there is any. */
function runCheck(kind: Kind, values: Readonly<Record<string, unknown>>, at: Locate, errors: SpecError[]): boolean {
  if (kind.check === undefined) return true;
  let messages: ReturnType<NonNullable<Kind['check']>>;
  try {
    messages = kind.check(values);
  } catch (e) {
    errors.push(new SpecError(`step kind ${kind.kind} could not check its parameters: ${e instanceof Error ? e.message : String(e)}`, {
      location: at([], true),
      hint: `check the parameters against docs/steps/${kind.kind}.md`,
    }));
    return false;
  }
  for (const m of messages) {
    const path = parseParamPath(m.path);
    errors.push(new SpecError(path.length === 0 ? m.message : `parameter "${displayPath(path)}": ${m.message}`, {
      location: path.length === 0 ? at([], true) : at(path),
      hint: m.hint ?? `see docs/steps/${kind.kind}.md`,
    }));
  }
  return messages.length === 0;
}

/**
 * The kind's canonical form of checked parameters (`kind.normalise`), so that two ways of writing the
 * same computation share a cache key. A kind's normalise must not throw; if it does, that is reported
 * at the step like a failed check rather than crashing the analysis.
 */
function kindNormalise(kind: Kind, values: Record<string, unknown>, at: Locate, errors: SpecError[]): Record<string, unknown> | undefined {
  if (kind.normalise === undefined) return values;
  try {
    return kind.normalise(values);
  } catch (e) {
    errors.push(new SpecError(`step kind ${kind.kind} could not normalise its parameters: ${e instanceof Error ? e.message : String(e)}`, {
      location: at([], true),
      hint: `check the parameters against docs/steps/${kind.kind}.md`,
    }));
    return undefined;
  }
}

/**
 * A kind with a sub-pipeline (bootstrap) re-runs the steps between its `from` and `of` steps: each must
 * name one step, and `of` must read `from`, directly or through other steps.
 */
function checkSubgraphs(built: ReadonlyMap<string, PipelineStep>, src: YamlSource, errors: SpecError[]): void {
  for (const step of built.values()) {
    const sg = subPipelineOf(step.kind);
    if (sg === undefined) continue;
    const from = step.params[sg.from];
    const of = step.params[sg.of];
    const at = (param: string): SourceLocation => src.locate(['steps', step.base, param]);
    if (typeof from !== 'string' || typeof of !== 'string') {
      const param = typeof from !== 'string' ? sg.from : sg.of;
      errors.push(new SpecError(`parameter "${param}" must name one step, not several`, {
        location: at(param),
        hint: 'name one instance of a swept step, e.g. "fit[modality=CT]", or sweep this step over the same variable',
      }));
      continue;
    }
    if (!built.has(of) || !built.has(from)) continue; // reported elsewhere
    const seen = new Set<string>();
    const stack = [of];
    let reaches = false;
    while (stack.length > 0 && !reaches) {
      const s = stack.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      for (const i of built.get(s)?.inputs ?? []) {
        if (i === from) reaches = true;
        stack.push(i);
      }
    }
    if (!reaches) {
      errors.push(new SpecError(`parameter "${sg.of}": step "${of}" does not depend on "${from}" (${sg.from})`, {
        location: at(sg.of),
        hint: `${step.kind.kind} re-runs the steps from "${sg.from}" to "${sg.of}": "${sg.of}" must read "${sg.from}", directly or through other steps`,
      }));
    }
  }
}

export function formatLocation(l: SourceLocation): string {
  return `${l.file}:${l.line}:${l.col}`;
}

/** By position (errors without one first), duplicates (e.g. from each instance of a sweep) removed. */
function sortErrors(errors: readonly SpecError[]): SpecError[] {
  const seen = new Set<string>();
  const unique = errors.filter((e) => {
    const key = `${e.location === undefined ? '' : formatLocation(e.location)}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const pos = (e: SpecError): number => (e.location === undefined ? -1 : e.location.line * 1e6 + e.location.col);
  return unique.map((e, i) => [e, i] as const).sort((a, b) => pos(a[0]) - pos(b[0]) || a[1] - b[1]).map(([e]) => e);
}
