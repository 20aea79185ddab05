/**
 * The top level of a spec: `name`, `description`, `seed`, `params`, `groups`, `steps`, `metrics`. Checks
 * the shape and the names; a step's parameters are checked later against its kind's schema, and the
 * metrics against the steps (metrics.ts).
 */
import { SpecError, closest } from '../errors.js';
import { PARAM_NAME } from './params.js';
import type { YamlSource } from './yaml-source.js';

export const TOP_LEVEL_KEYS = ['name', 'description', 'seed', 'params', 'groups', 'steps', 'metrics'] as const;
/** Keys of a step that belong to the runner, not to the kind's parameters. */
export const RUNNER_STEP_KEYS = ['kind', 'description', 'foreach'] as const;
/** The pipeline name becomes the folder `outputs/<name>/`. */
export const PIPELINE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** Step names become file names and appear in instance names `name[var=value]`. */
export const STEP_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

export interface RawStep {
  readonly name: string;
  /** Position in the spec (0-based), for stable ordering. */
  readonly order: number;
  readonly kind: string | undefined;
  /** The kind's parameters as written (runner keys removed). */
  readonly params: Record<string, unknown>;
  readonly foreach: unknown;
}

export interface RawGroup {
  readonly name: string;
  readonly foreach: unknown;
  readonly steps: readonly string[];
}

export interface RawSpec {
  readonly name: string;
  readonly seed: number;
  readonly params: Record<string, unknown>;
  readonly groups: readonly RawGroup[];
  readonly steps: readonly RawStep[];
  /** `metrics:` as written (checked by metrics.ts once the steps are known). */
  readonly metrics: unknown;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export function readShape(src: YamlSource, errors: SpecError[]): RawSpec {
  const root = src.value;
  const err = (path: (string | number)[], message: string, hint: string, atKey = false): void => {
    errors.push(new SpecError(message, { location: atKey ? src.locateKey(path) : src.locate(path), hint }));
  };
  if (!isObj(root)) {
    err([], root === undefined ? 'the spec is empty' : 'the spec must be a mapping with name, seed and steps', 'start from the example in docs/spec.md');
    return { name: '', seed: 0, params: {}, groups: [], steps: [], metrics: undefined };
  }
  /** Required keys that a misspelt key probably meant: not reported missing as well. */
  const meant = new Set<string>();
  for (const key of Object.keys(root)) {
    if ((TOP_LEVEL_KEYS as readonly string[]).includes(key)) continue;
    const near = closest(key, TOP_LEVEL_KEYS);
    if (near !== undefined && !(near in root)) meant.add(near);
    err([key], `unknown top-level key "${key}"${near === undefined ? '' : ` (did you mean "${near}"?)`}`,
      `the top-level keys are: ${TOP_LEVEL_KEYS.join(', ')}${isObj(root[key]) && 'kind' in root[key] ? `; a step goes under \`steps:\`` : ''}`, true);
  }
  const missing = (key: string, hint: string): void => {
    if (!meant.has(key)) err([], `missing required key "${key}"`, hint);
  };

  let name = '';
  if (!('name' in root)) missing('name', 'add e.g. `name: demo` (the outputs go to outputs/<name>/)');
  else if (typeof root.name !== 'string' || !PIPELINE_NAME.test(root.name)) {
    err(['name'], `name must be a simple name (letters, digits, _ . -), got ${JSON.stringify(root.name)}`, 'the outputs go to outputs/<name>/, e.g. name: hermes_surrogate');
  } else name = root.name;

  if ('description' in root && typeof root.description !== 'string') err(['description'], 'description must be text', 'write description: "…"');

  let seed = 0;
  if (!('seed' in root)) missing('seed', 'add e.g. `seed: 20261122` (an integer from 0 to 4294967295; steps that draw random numbers derive their seed from it)');
  else if (typeof root.seed !== 'number' || !Number.isInteger(root.seed) || root.seed < 0 || root.seed > 0xffffffff) {
    err(['seed'], `seed must be an integer from 0 to 4294967295, got ${JSON.stringify(root.seed)}`, 'e.g. seed: 20261122');
  } else seed = root.seed;

  const params: Obj = {};
  if ('params' in root && root.params !== null) {
    if (!isObj(root.params)) err(['params'], 'params must be a mapping of name → value', 'e.g. params: {max_volume: 80, covariates: [age, nihss]}');
    else {
      for (const [k, v] of Object.entries(root.params)) {
        if (!PARAM_NAME.test(k)) err(['params', k], `parameter name "${k}" is not valid`, 'use letters, digits and _, starting with a letter or _', true);
        else if (typeof v === 'string' && v.replace(/\$\$\{/g, '').includes('${')) {
          err(['params', k], `params.${k}: a parameter cannot reference another (${v})`, 'write the value itself; --set can override it');
        } else Object.defineProperty(params, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
    }
  }

  const steps: RawStep[] = [];
  if (!('steps' in root)) missing('steps', 'add `steps:` with at least one step, e.g. steps: {cohort: {kind: load, path: data/cohort.csv}}');
  else if (!isObj(root.steps) || Object.keys(root.steps).length === 0) {
    err(['steps'], 'steps must be a mapping of step name → step', 'e.g. steps: {cohort: {kind: load, path: data/cohort.csv}}');
  } else {
    let order = 0;
    const byFileName = new Map<string, string>();
    for (const [stepName, body] of Object.entries(root.steps)) {
      const path = ['steps', stepName];
      if (!STEP_NAME.test(stepName)) {
        err(path, `step name "${stepName}" is not valid`, 'use letters, digits, _ and -, starting with a letter (step names become file names)', true);
        continue;
      }
      // Step names become file names in outputs/<pipeline>/, on file systems that may ignore case.
      const fileName = stepName.toLowerCase();
      const same = byFileName.get(fileName);
      if (fileName === 'run') {
        err(path, `step name "${stepName}" is reserved`, `outputs/<pipeline>/run.json is the run record; rename the step, e.g. ${stepName}_step`, true);
      } else if (same !== undefined) {
        err(path, `step names "${same}" and "${stepName}" differ only in case`, 'their output files would be one file on macOS and Windows: rename one of them', true);
      }
      byFileName.set(fileName, stepName);
      if (!isObj(body)) {
        err(path, `step "${stepName}" must be a mapping with a kind and its parameters`, `write e.g. ${stepName}: {kind: filter, input: cohort, where: fiv_ml < 80}`);
        steps.push({ name: stepName, order: order++, kind: undefined, params: {}, foreach: undefined });
        continue;
      }
      let kind: string | undefined;
      if (!('kind' in body)) err(path, `step "${stepName}" has no kind`, 'add e.g. kind: filter (lesionflow schema lists the kinds)', true);
      else if (typeof body.kind !== 'string') err([...path, 'kind'], `kind must be a name, got ${JSON.stringify(body.kind)}`, 'e.g. kind: filter');
      else kind = body.kind;
      if ('description' in body && typeof body.description !== 'string') err([...path, 'description'], 'description must be text', 'write description: "…"');
      const stepParams: Obj = {};
      for (const [k, v] of Object.entries(body)) {
        if ((RUNNER_STEP_KEYS as readonly string[]).includes(k)) continue;
        Object.defineProperty(stepParams, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
      steps.push({ name: stepName, order: order++, kind, params: stepParams, foreach: body.foreach });
    }
  }

  const groups: RawGroup[] = [];
  if ('groups' in root && root.groups !== null) {
    if (!isObj(root.groups)) err(['groups'], 'groups must be a mapping of group name → {foreach, steps}', 'e.g. groups: {by_modality: {foreach: {modality: [all, CT, MRI]}, steps: [subset, fit]}}');
    else {
      const stepNames = steps.map((s) => s.name);
      for (const [groupName, g] of Object.entries(root.groups)) {
        const path = ['groups', groupName];
        if (!isObj(g)) {
          err(path, `group "${groupName}" must be a mapping with foreach and steps`, 'e.g. {foreach: {modality: [all, CT, MRI]}, steps: [subset, fit]}');
          continue;
        }
        for (const k of Object.keys(g)) {
          if (k === 'foreach' || k === 'steps' || k === 'description') continue;
          const near = closest(k, ['foreach', 'steps', 'description']);
          err([...path, k], `unknown key "${k}" in group "${groupName}"${near === undefined ? '' : ` (did you mean "${near}"?)`}`, 'a group has foreach, steps and an optional description', true);
        }
        if (!('foreach' in g)) err(path, `group "${groupName}" has no foreach`, 'add e.g. foreach: {modality: [all, CT, MRI]}', true);
        const members: string[] = [];
        if (!Array.isArray(g.steps) || g.steps.length === 0) {
          err('steps' in g ? [...path, 'steps'] : path, `group "${groupName}" needs a list of steps`, 'add e.g. steps: [subset, fit]', !('steps' in g));
        } else {
          g.steps.forEach((s: unknown, i) => {
            if (typeof s !== 'string' || !stepNames.includes(s)) {
              const near = typeof s === 'string' ? closest(s, stepNames) : undefined;
              err([...path, 'steps', i], `group "${groupName}" lists unknown step ${JSON.stringify(s)}${near === undefined ? '' : ` (did you mean "${near}"?)`}`,
                `a group lists steps defined under steps:; steps: ${stepNames.join(', ')}`);
            } else if (members.includes(s)) {
              err([...path, 'steps', i], `group "${groupName}" lists step "${s}" twice`, 'list each step once');
            } else members.push(s);
          });
        }
        if ('foreach' in g) groups.push({ name: groupName, foreach: g.foreach, steps: members });
      }
    }
  }
  return { name, seed, params, groups, steps, metrics: root.metrics };
}
