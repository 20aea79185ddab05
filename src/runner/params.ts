/**
 * Pipeline parameters: `--set key=value` overrides, typed by the declared value, and the substitution
 * of `${params.x}` / `${foreach.x}` in step parameters.
 *
 * A reference that is the whole string keeps the value's type (`covariates: ${params.covariates}` is a
 * list, `max: ${params.max_volume}` a number); inside a longer string it is inserted as text
 * (`where: fiv_ml < ${params.max_volume}`). `$${` writes a literal `${`.
 */
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { SpecError, closest } from '../errors.js';

export type ParamValues = Readonly<Record<string, unknown>>;
export type SweepValue = string | number | boolean;

/** A parameter name as written under `params:` (also usable as `${params.NAME}`). */
export const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Applies `--set key=value` (or `params.key=value`) overrides. Strings given here are user paths too:
 * resolved against the working directory `cwd`, as every command-line tool resolves its arguments.
 */
export function applySetOverrides(
  declared: ParamValues,
  sets: readonly string[],
  cwd: string,
): { params: Record<string, unknown>; overrides: Record<string, unknown>; userPaths: Set<string>; errors: SpecError[] } {
  const params: Record<string, unknown> = { ...declared };
  const overrides = new Map<string, unknown>();
  const userPaths = new Set<string>();
  const errors: SpecError[] = [];
  const names = Object.keys(declared);
  for (const set of sets) {
    const eq = set.indexOf('=');
    if (eq <= 0) {
      errors.push(new SpecError(`--set ${set}: expected key=value`, { hint: 'write e.g. --set max_volume=80' }));
      continue;
    }
    const key = set.slice(0, eq).trim().replace(/^params\./, '');
    const raw = set.slice(eq + 1);
    if (!Object.hasOwn(declared, key)) {
      const near = closest(key, names);
      errors.push(new SpecError(`--set ${key}: unknown parameter "${key}"${near === undefined ? '' : ` (did you mean "${near}"?)`}`, {
        hint: names.length === 0
          ? 'this spec declares no params; declare it under `params:` first'
          : `the spec declares: ${names.join(', ')}; --set only overrides a parameter declared under \`params:\``,
      }));
      continue;
    }
    const parsed = parseSetValue(declared[key], raw);
    if ('error' in parsed) {
      errors.push(new SpecError(`--set ${key}: ${parsed.error}`, { hint: parsed.hint }));
      continue;
    }
    params[key] = parsed.value;
    overrides.set(key, parsed.value);
    for (const s of stringsIn(parsed.value)) userPaths.add(resolve(cwd, s));
  }
  return { params, overrides: sortedKeys(overrides), userPaths, errors };
}

/** The entries in code-unit order of their keys: two command lines setting the same values in another order give the same record. */
function sortedKeys(m: ReadonlyMap<string, unknown>): Record<string, unknown> {
  return Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function stringsIn(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(stringsIn);
  return [];
}

/** Parses a command-line value to the type of the declared value. */
export function parseSetValue(declared: unknown, raw: string): { value: unknown } | { error: string; hint: string } {
  if (typeof declared === 'string') return { value: raw };
  if (typeof declared === 'number') {
    const v = raw.trim() === '' ? NaN : Number(raw);
    if (!Number.isFinite(v)) return { error: `expected a number, got "${raw}"`, hint: 'write e.g. --set max_volume=80 or 72.5' };
    return { value: v };
  }
  if (typeof declared === 'boolean') {
    if (raw === 'true') return { value: true };
    if (raw === 'false') return { value: false };
    return { error: `expected true or false, got "${raw}"`, hint: 'write e.g. --set adjust=false' };
  }
  if (Array.isArray(declared)) {
    const flow = parseFlow(raw);
    if ('error' in flow) return { error: flow.error, hint: 'write a list in YAML flow style, e.g. --set covariates=[age, nihss]' };
    if (!Array.isArray(flow.value)) {
      return { error: `expected a list, got "${raw}"`, hint: 'write a list in YAML flow style, e.g. --set covariates=[age, nihss]' };
    }
    const items = flow.value as unknown[];
    if (declared.length > 0 && declared.every((d) => typeof d === 'string')) {
      const bad = items.find((x) => x === null || typeof x === 'object');
      if (bad !== undefined) return { error: `expected a list of names, got "${raw}"`, hint: 'write e.g. --set covariates=[age, nihss]' };
      return { value: items.map((x) => (typeof x === 'string' ? x : String(x as number | boolean))) };
    }
    if (declared.length > 0 && declared.every((d) => typeof d === 'number')) {
      const bad = items.find((x) => typeof x !== 'number');
      if (bad !== undefined) return { error: `expected a list of numbers, got "${raw}"`, hint: 'write e.g. --set cuts=[2, 10, 20]' };
    }
    return { value: items };
  }
  if (declared !== null && typeof declared === 'object') {
    const flow = parseFlow(raw);
    if ('error' in flow) return { error: flow.error, hint: 'write a mapping in YAML flow style, e.g. --set key={a: 1, b: 2}' };
    if (flow.value === null || typeof flow.value !== 'object' || Array.isArray(flow.value)) {
      return { error: `expected a mapping, got "${raw}"`, hint: 'write a mapping in YAML flow style, e.g. --set key={a: 1, b: 2}' };
    }
    return { value: flow.value };
  }
  // Declared as null: take the value as YAML would read it.
  const flow = parseFlow(raw);
  return 'value' in flow ? flow : { error: `cannot read "${raw}"`, hint: flow.error };
}

/** Reads a small YAML flow value (`[a, b]`, `{a: 1}`, `3`) with the core schema. */
function parseFlow(raw: string): { value: unknown } | { error: string } {
  if (raw.length > 10_000) return { error: 'value is too long' };
  const doc = parseDocument(raw, { schema: 'core', prettyErrors: false, uniqueKeys: true });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem !== undefined) return { error: problem.message };
  try {
    // No aliases: they make no sense on a command line.
    return { value: doc.toJS({ maxAliasCount: 0 }) as unknown };
  } catch {
    return { error: 'YAML aliases are not allowed in a --set value' };
  }
}

/** What `${foreach.x}` and `${params.x}` resolve to for one step instance. */
export interface Scope {
  readonly params: ParamValues;
  /** The sweep values of this instance, by variable. */
  readonly foreach: Readonly<Record<string, SweepValue>>;
}

export interface SubstitutionError {
  /** Path inside the value being substituted (e.g. `['where']`). */
  readonly path: readonly (string | number)[];
  readonly message: string;
  readonly hint: string;
}

const REFERENCE = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const WHOLE = /^\$\{\s*(params|foreach)\.([A-Za-z_][A-Za-z0-9_]*)\s*\}$/;

/** Substitutes references in every string of `value` (a fresh deep copy is returned). */
export function substitute(value: unknown, scope: Scope, errors: SubstitutionError[], path: (string | number)[] = []): unknown {
  if (typeof value === 'string') return substituteString(value, scope, errors, path);
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, scope, errors, [...path, i]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, { value: substitute(v, scope, errors, [...path, k]), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

function substituteString(s: string, scope: Scope, errors: SubstitutionError[], path: (string | number)[]): unknown {
  if (!s.includes('${')) return s;
  const whole = WHOLE.exec(s);
  if (whole !== null) {
    const v = lookup(whole[1] as 'params' | 'foreach', whole[2]!, scope, errors, path);
    return v === undefined ? s : structuredClone(v);
  }
  return s.replace(REFERENCE, (match: string, inner: string | undefined) => {
    if (match === '$${') return '${';
    if (inner === undefined) {
      errors.push({ path, message: 'unterminated "${" in a string', hint: 'close the reference with "}", or write "$${" for a literal "${"' });
      return match;
    }
    const m = /^\s*(params|foreach)\.([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(inner);
    if (m === null) {
      errors.push({ path, message: `unknown reference "${match}"`, hint: 'references are ${params.NAME} and ${foreach.NAME}; write "$${" for a literal "${"' });
      return match;
    }
    const v = lookup(m[1] as 'params' | 'foreach', m[2]!, scope, errors, path);
    if (v === undefined) return match;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
    errors.push({
      path,
      message: `${match} is ${v === null ? 'null' : Array.isArray(v) ? 'a list' : 'a mapping'} and cannot be inserted into text`,
      hint: `use it as the whole value (key: ${match}) to keep its type`,
    });
    return match;
  });
}

function lookup(ns: 'params' | 'foreach', name: string, scope: Scope, errors: SubstitutionError[], path: (string | number)[]): unknown {
  const table: Readonly<Record<string, unknown>> = ns === 'params' ? scope.params : scope.foreach;
  if (Object.hasOwn(table, name)) return table[name];
  const names = Object.keys(table);
  const near = closest(name, names);
  if (ns === 'params') {
    errors.push({
      path,
      message: `unknown parameter \${params.${name}}${near === undefined ? '' : ` (did you mean "\${params.${near}}"?)`}`,
      hint: names.length === 0 ? `declare it under \`params:\` at the top of the spec, e.g. params: {${name}: …}` : `declared params: ${names.join(', ')}`,
    });
  } else {
    errors.push({
      path,
      message: `unknown sweep variable \${foreach.${name}}${near === undefined ? '' : ` (did you mean "\${foreach.${near}}"?)`}`,
      hint: names.length === 0
        ? `this step is not swept; add foreach: {${name}: [...]} to the step (or put it in a group)`
        : `this step is swept over: ${names.join(', ')}`,
    });
  }
  return undefined;
}

/** True when `s` contains a `${…}` reference (not counting `$${`). */
export function hasReference(s: string): boolean {
  return s.replace(/\$\$\{/g, '').includes('${');
}
