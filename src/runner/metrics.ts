/**
 * `metrics:` — the numbers of a pipeline worth following from run to run (`lesionflow runs` lists them
 * beside the report's published rows; `diff` and `verify` show every number anyway):
 *
 *   metrics:
 *     volume_or: {step: "good[modality=all]", path: "coefficients[term=I(fiv_ml/10)].odds_ratio"}
 *     fiv_median_evt: {step: by_arm, path: "variables[variable=fiv_ml].groups[group=1].median"}
 *
 * `step` names a step as any reference does (references.ts): a swept step without brackets gives one
 * metric per instance, named `volume_or[modality=CT]`. `path` picks a number out of the step's result
 * (the report's path language, src/report/json-path.ts). Metrics are read from the outputs after a run:
 * they enter no cache key, and one that cannot be read is recorded with the reason, never failing a run.
 */
import { SpecError, closest } from '../errors.js';
import { parsePath, PathSyntaxError } from '../report/json-path.js';
import type { SourceLocation } from '../errors.js';
import type { StepName } from './pipeline.js';
import { resolveReference, type SweptStep } from './references.js';
import type { YamlSource } from './yaml-source.js';

export interface PipelineMetric {
  /** The name under `metrics:`, with the instance's sweep values for a swept step (`volume_or[modality=CT]`). */
  readonly name: string;
  readonly step: StepName;
  readonly path: string;
  readonly location: SourceLocation;
}

/** A metric name: as a parameter name, plus `-` and `.`. */
export const METRIC_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Checks `metrics:` and resolves each to step instances; problems go to `errors`, at their line and column. */
export function readMetrics(raw: unknown, swept: ReadonlyMap<string, SweptStep>, src: YamlSource, errors: SpecError[]): PipelineMetric[] {
  if (raw === undefined || raw === null) return [];
  const example = 'e.g. metrics: {volume_or: {step: fit, path: "coefficients[term=fiv_ml].odds_ratio"}}';
  if (!isObj(raw)) {
    errors.push(new SpecError('metrics must be a mapping of name → {step, path}', { location: src.locate(['metrics']), hint: example }));
    return [];
  }
  const out: PipelineMetric[] = [];
  for (const [name, def] of Object.entries(raw)) {
    const at = (...p: string[]): SourceLocation => src.locate(['metrics', name, ...p]);
    if (!METRIC_NAME.test(name)) {
      errors.push(new SpecError(`metric name "${name}" is not valid`, { location: src.locateKey(['metrics', name]), hint: 'use letters, digits, _, - and ., starting with a letter or _' }));
      continue;
    }
    if (!isObj(def)) {
      errors.push(new SpecError(`metric "${name}" must be a mapping with step and path`, { location: at(), hint: example }));
      continue;
    }
    let bad = false;
    for (const k of Object.keys(def)) {
      if (k === 'step' || k === 'path') continue;
      const near = closest(k, ['step', 'path']);
      errors.push(new SpecError(`unknown key "${k}" in metric "${name}"${near === undefined ? '' : ` (did you mean "${near}"?)`}`, { location: src.locateKey(['metrics', name, k]), hint: 'a metric has a step and a path' }));
      bad = true;
    }
    for (const k of ['step', 'path'] as const) {
      if (typeof def[k] !== 'string' || def[k] === '') {
        errors.push(new SpecError(`metric "${name}" needs ${k === 'step' ? 'a step' : 'a path'} (text)`, { location: k in def ? at(k) : at(), hint: example }));
        bad = true;
      }
    }
    if (bad) continue;
    const path = def.path as string;
    try {
      parsePath(path);
    } catch (e) {
      if (!(e instanceof PathSyntaxError)) throw e;
      errors.push(new SpecError(`metric "${name}": path "${path}": ${e.message}`, { location: at('path'), hint: 'a path is fields and selectors, e.g. coefficients[term=evt].odds_ratio' }));
      continue;
    }
    const r = resolveReference(def.step as string, {}, swept);
    if (!r.ok) {
      errors.push(new SpecError(`metric "${name}": ${r.message}`, { location: at('step'), hint: r.hint }));
      continue;
    }
    for (const instance of r.instances) {
      const sweep = /\[.*\]$/.exec(instance)?.[0];
      out.push({ name: r.single || sweep === undefined ? name : `${name}${sweep}`, step: instance as StepName, path, location: at('step') });
    }
  }
  return out;
}
