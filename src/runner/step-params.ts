/**
 * Checking one step's parameters against its kind's JSON Schema (ajv, compiled once per kind), filling
 * in the schema's defaults, normalising, and turning ajv's errors into messages a user can act on:
 * the parameter's name, what was expected and what was given, the closest known name.
 */
import { createRequire } from 'node:module';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { InternalError, closest } from '../errors.js';
import type { Kind } from '../nodes/kind.js';
import { byCodeUnit } from './sweep.js';

/** A problem with one parameter: `path` is inside the step's parameters (e.g. `['columns', 'age']`). */
export interface ParamProblem {
  readonly path: readonly (string | number)[];
  /** Point at the key (unknown parameter) rather than the value. */
  readonly atKey: boolean;
  readonly message: string;
  readonly hint: string;
}

let ajv: Ajv2020 | undefined;
const validators = new WeakMap<Kind, ValidateFunction>();

/**
 * ajv is loaded on the first validation (a spec with a YAML syntax error, `schema` and `gc` never
 * pay for it), synchronously so that analysis stays synchronous (ajv is a CommonJS package).
 * Start-up matters (issue 2: a cached no-op run of 200 steps in < 1 s), so two costs are skipped:
 * - `validateSchema: false`: checking each kind's schema against the draft 2020-12 meta-schema
 *   compiles the meta-schema first (~50 ms); the kinds' schemas are checked against it by a test
 *   instead (test/runner/schema.test.ts);
 * - `code.optimize: false`: ajv's passes over the generated code, which only shave microseconds off
 *   validating a few hundred small objects.
 */
function newAjv(): Ajv2020 {
  const require = createRequire(import.meta.url);
  const { Ajv2020: Ajv } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  return new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: false, allowUnionTypes: true, validateSchema: false, code: { optimize: false } });
}

/** The kind's validator, compiled once per kind and process (and only for kinds the spec uses). */
function validatorFor(kind: Kind): ValidateFunction {
  let v = validators.get(kind);
  if (v === undefined) {
    ajv ??= newAjv();
    try {
      v = ajv.compile(kind.params);
    } catch (e) {
      throw new InternalError(`the parameter schema of step kind "${kind.kind}" does not compile: ${(e as Error).message}`, { cause: e });
    }
    validators.set(kind, v);
  }
  return v;
}

/** Validates (on a copy) and returns the parameters with defaults filled in, or the problems found. */
export function checkParams(kind: Kind, params: Readonly<Record<string, unknown>>): { params: Record<string, unknown>; problems: ParamProblem[] } {
  const copy = structuredClone(params) as Record<string, unknown>;
  const validate = validatorFor(kind);
  if (validate(copy)) return { params: copy, problems: [] };
  return { params: copy, problems: explain(kind, validate.errors ?? []) };
}

/** Recursively sorts mapping keys by code unit so that formatting and key order never matter. */
export function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort(byCodeUnit)) {
      Object.defineProperty(out, k, { value: normalise((value as Record<string, unknown>)[k]), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  if (Object.is(value, -0)) return 0;
  return value;
}

function explain(kind: Kind, errors: readonly ErrorObject[]): ParamProblem[] {
  // Errors inside the branches of anyOf/oneOf say the same thing many times: keep the summary.
  const alternatives = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.schemaPath + '/');
  // A misspelt parameter is also "missing": report only the misspelling ("did you mean …?").
  const meant = new Set<string>();
  for (const e of errors) {
    if (e.keyword !== 'additionalProperties') continue;
    const known = Object.keys(((e.parentSchema ?? {}) as { properties?: Record<string, unknown> }).properties ?? {});
    const near = closest((e.params as { additionalProperty: string }).additionalProperty, known);
    if (near !== undefined) meant.add(`${e.instancePath}/${near}`);
  }
  const problems: ParamProblem[] = [];
  for (const e of errors) {
    if (e.keyword === 'if') continue;
    if (e.keyword === 'required' && meant.has(`${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty}`)) continue;
    if (alternatives.some((a) => e.schemaPath.startsWith(a))) continue;
    const path = pointerPath(e.instancePath);
    const where = path.length === 0 ? '' : `parameter "${displayPath(path)}" `;
    switch (e.keyword) {
      case 'additionalProperties': {
        const name = (e.params as { additionalProperty: string }).additionalProperty;
        const known = Object.keys(((e.parentSchema ?? {}) as { properties?: Record<string, unknown> }).properties ?? {});
        const near = closest(name, known);
        const full = displayPath([...path, name]);
        problems.push({
          path: [...path, name],
          atKey: true,
          message: `unknown parameter "${full}" for kind ${kind.kind}${near === undefined ? '' : ` (did you mean "${near}"?)`}`,
          hint: known.length === 0 ? `${path.length === 0 ? kind.kind : `"${displayPath(path)}"`} takes no parameters here` : `${path.length === 0 ? `${kind.kind} takes` : `"${displayPath(path)}" takes`}: ${known.join(', ')}`,
        });
        break;
      }
      case 'required': {
        const name = (e.params as { missingProperty: string }).missingProperty;
        const prop = (((e.parentSchema ?? {}) as { properties?: Record<string, { description?: string }> }).properties ?? {})[name];
        problems.push({
          path,
          atKey: true,
          message: `missing required parameter "${displayPath([...path, name])}" for kind ${kind.kind}`,
          hint: prop?.description === undefined ? `add ${name}: …` : `add ${name}: … (${lowerFirst(prop.description.replace(/\.$/, ''))})`,
        });
        break;
      }
      case 'type': {
        const expected = [e.params as { type: string | string[] }].flatMap((p) => p.type).map(typeName).join(' or ');
        problems.push({ path, atKey: false, message: `${where}must be ${expected}, got ${describe(e.data)}`, hint: hintFrom(e) ?? `write ${expected} here` });
        break;
      }
      case 'enum': {
        const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
        const near = typeof e.data === 'string' ? closest(e.data, allowed.map(String)) : undefined;
        problems.push({
          path,
          atKey: false,
          message: `${where}must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${describe(e.data)}${near === undefined ? '' : ` (did you mean "${near}"?)`}`,
          hint: hintFrom(e) ?? 'choose one of the listed values',
        });
        break;
      }
      case 'anyOf':
      case 'oneOf': {
        const branches = (e.schema as { type?: string | string[]; const?: unknown }[] | undefined) ?? [];
        const types = branches.flatMap((b) => (b.type === undefined ? [] : [b.type].flat()));
        const typed = branches.length > 0 && branches.every((b) => b.type !== undefined);
        const forms = typed ? [...new Set(types.map(typeName))].join(' or ') : 'one of the allowed forms';
        problems.push({
          path,
          atKey: false,
          message: `${where}must be ${forms}, got ${describe(e.data)}`,
          hint: hintFrom(e) ?? 'see docs/steps/' + kind.kind + '.md',
        });
        break;
      }
      default:
        problems.push({ path, atKey: false, message: `${where}${e.message ?? 'is not valid'}, got ${describe(e.data)}`, hint: hintFrom(e) ?? `see docs/steps/${kind.kind}.md` });
    }
  }
  return problems;
}

function lowerFirst(s: string): string {
  return s.length > 0 ? s[0]!.toLowerCase() + s.slice(1) : s;
}

function hintFrom(e: ErrorObject): string | undefined {
  const d = (e.parentSchema as { description?: unknown } | undefined)?.description;
  return typeof d === 'string' ? d : undefined;
}

function typeName(t: string): string {
  switch (t) {
    case 'array':
      return 'a list';
    case 'object':
      return 'a mapping';
    case 'integer':
      return 'an integer';
    case 'null':
      return 'null';
    default:
      return `a ${t}`;
  }
}

/** `a string ("abc")`, `a number (3.5)`, `a list`, … */
export function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing (null)';
  if (Array.isArray(v)) return `a list (${v.length} item${v.length === 1 ? '' : 's'})`;
  switch (typeof v) {
    case 'string':
      return `a string (${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)})`;
    case 'number':
      return Number.isInteger(v) ? `an integer (${v})` : `a number (${v})`;
    case 'boolean':
      return `a boolean (${v})`;
    case 'object':
      return 'a mapping';
    default:
      return typeof v;
  }
}

/** JSON pointer → path segments (array indices as numbers). */
export function pointerPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

/** `columns.occlusion.levels[2]` */
export function displayPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out;
}

/** Path of a `check()` message: `covariates[1]`, `columns.age`, or a JSON pointer `/columns/age`. */
export function parseParamPath(p: string): (string | number)[] {
  if (p.startsWith('/')) return pointerPath(p);
  const out: (string | number)[] = [];
  for (const m of p.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}
