/**
 * Sweeps: `foreach: {modality: [all, CT, MRI]}` expands one step into instances named by their values,
 * `fit_good[modality=CT]`. The name holds only the instance's own values (variables in code-unit
 * order), so adding a value adds an instance and renames or changes no other.
 */
import { SpecError } from '../errors.js';
import type { SourceLocation } from '../errors.js';
import type { ParamValues, SweepValue } from './params.js';
import type { SpecPath } from './yaml-source.js';

export interface SweepAxis {
  readonly variable: string;
  readonly values: readonly SweepValue[];
  /** Where it is declared (the variable's key). */
  readonly location: SourceLocation;
}

export interface Instance {
  readonly name: string;
  readonly sweep: Readonly<Record<string, SweepValue>>;
}

export const SWEEP_VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** String sweep values appear in instance and file names: keep them to safe characters. */
export const SWEEP_STRING = /^[A-Za-z0-9_.+-]+$/;
const WHOLE_PARAM = /^\$\{\s*params\.([A-Za-z_][A-Za-z0-9_]*)\s*\}$/;

export interface Locator {
  locate(path: SpecPath): SourceLocation;
  locateKey(path: SpecPath): SourceLocation;
}

/**
 * Reads a `foreach:` mapping at `path`: variable → list of values, or a whole-string `${params.x}`
 * naming a list parameter (so `--set` can change the sweep).
 */
export function readForeach(raw: unknown, path: SpecPath, params: ParamValues, src: Locator, errors: SpecError[]): SweepAxis[] {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    errors.push(new SpecError('foreach must be a mapping of variable → list of values', {
      location: src.locate(path),
      hint: 'write e.g. foreach: {modality: [all, CT, MRI]}',
    }));
    return [];
  }
  const axes: SweepAxis[] = [];
  for (const [variable, spec] of Object.entries(raw)) {
    const here = [...path, variable];
    const location = src.locateKey(here);
    if (!SWEEP_VARIABLE.test(variable)) {
      errors.push(new SpecError(`sweep variable "${variable}" is not a valid name`, { location, hint: 'use letters, digits and _, starting with a letter or _' }));
      continue;
    }
    let values: unknown = spec;
    let fromParam: string | undefined;
    if (typeof spec === 'string') {
      const m = WHOLE_PARAM.exec(spec);
      if (m !== null) {
        fromParam = m[1]!;
        if (!Object.hasOwn(params, fromParam)) {
          errors.push(new SpecError(`unknown parameter \${params.${fromParam}}`, {
            location: src.locate(here),
            hint: Object.keys(params).length === 0 ? 'declare it under `params:`' : `declared params: ${Object.keys(params).join(', ')}`,
          }));
          continue;
        }
        values = params[fromParam];
      }
    }
    const what = fromParam === undefined ? `foreach.${variable}` : `\${params.${fromParam}} (used by foreach.${variable})`;
    if (!Array.isArray(values) || values.length === 0) {
      errors.push(new SpecError(`${what} must be a non-empty list of values`, { location: src.locate(here), hint: `write e.g. ${variable}: [all, CT, MRI]` }));
      continue;
    }
    const seen = new Map<string, number>();
    const good: SweepValue[] = [];
    values.forEach((v: unknown, i) => {
      const vHere = fromParam === undefined ? [...here, i] : here;
      if (!(typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) {
        errors.push(new SpecError(`${what}: a sweep value must be a name, number or boolean, got ${v === null ? 'null' : Array.isArray(v) ? 'a list' : 'a mapping'}`, {
          location: src.locate(vHere),
          hint: 'use a plain value such as CT or 80',
        }));
        return;
      }
      const text = formatSweepValue(v);
      if (typeof v === 'string' && v.includes('${')) {
        errors.push(new SpecError(`${what}: a sweep value cannot be a reference (${v})`, {
          location: src.locate(vHere),
          hint: `make the whole list a parameter instead: ${variable}: \${params.NAME}`,
        }));
        return;
      }
      if (typeof v === 'string' && !SWEEP_STRING.test(v)) {
        errors.push(new SpecError(`${what}: sweep value "${v}" may only use letters, digits and _ . + -`, {
          location: src.locate(vHere),
          hint: 'sweep values become part of step and file names',
        }));
        return;
      }
      if (seen.has(text)) {
        errors.push(new SpecError(`${what}: duplicate sweep value ${text}`, { location: src.locate(vHere), hint: 'each value may appear once' }));
        return;
      }
      seen.set(text, i);
      good.push(v);
    });
    if (good.length > 0) axes.push({ variable, values: good, location });
  }
  return axes;
}

/** The instances of a step swept over `axes` (first axis outermost), or the step itself when not swept. */
export function instancesOf(base: string, axes: readonly SweepAxis[]): Instance[] {
  let combos: Record<string, SweepValue>[] = [{}];
  for (const axis of axes) {
    combos = combos.flatMap((c) => axis.values.map((v) => ({ ...c, [axis.variable]: v })));
  }
  return combos.map((sweep) => ({ name: instanceName(base, sweep), sweep }));
}

/** `base[a=1,b=CT]`, variables in code-unit order (never locale order); `base` when not swept. */
export function instanceName(base: string, sweep: Readonly<Record<string, SweepValue>>): string {
  const vars = Object.keys(sweep).sort(byCodeUnit);
  if (vars.length === 0) return base;
  return `${base}[${vars.map((v) => `${v}=${formatSweepValue(sweep[v]!)}`).join(',')}]`;
}

export function formatSweepValue(v: SweepValue): string {
  return String(v);
}

export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
