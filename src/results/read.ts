/**
 * Reading step results' JSON defensively, for the result codecs (src/results/*): every codec names the
 * step and the field it needed when a result does not have the expected shape, so a reader (the
 * report, the Word export, the run history) never fails with "cannot read property of undefined" —
 * and never prints a wrong number silently.
 */
import type { Json } from '../data/canonical.js';
import { jsonToNumber } from '../data/canonical.js';
import { DataError } from '../errors.js';

export type JsonRecord = { readonly [k: string]: Json };

/** Where a value came from, for messages: the step (instance) name and what the reader expected of it. */
export interface Origin {
  readonly step: string;
  /** e.g. `a volume_delta result`. */
  readonly expected: string;
  /** Who reads it, first word of a message (default `report`). */
  readonly reader?: string;
}

export function shapeError(origin: Origin, what: string, hint?: string): DataError {
  return new DataError(`${origin.reader ?? 'report'}: step "${origin.step}" is not ${origin.expected}: ${what}`, {
    step: origin.step,
    hint: hint ?? `check that the ${origin.reader === undefined ? 'report section' : origin.reader} names the right step (a ${origin.expected.replace(/^an? /, '')})`,
  });
}

export function isRecord(v: Json | undefined): v is JsonRecord {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
}

export function asRecord(v: Json | undefined, origin: Origin, what: string): JsonRecord {
  if (!isRecord(v)) throw shapeError(origin, `${what} is not an object`);
  return v;
}

export function asArray(v: Json | undefined, origin: Origin, what: string): readonly Json[] {
  if (!Array.isArray(v)) throw shapeError(origin, `${what} is not a list`);
  return v as readonly Json[];
}

/** The first of `keys` present in `o` (alternative spellings across kinds), or undefined. */
export function pick(o: JsonRecord, keys: readonly string[]): Json | undefined {
  for (const k of keys) if (Object.hasOwn(o, k)) return o[k];
  return undefined;
}

/** A number under one of `keys`; missing → undefined; present but not a number → error. */
export function optNumber(o: JsonRecord, keys: readonly string[], origin: Origin, what: string): number | undefined {
  const v = pick(o, keys);
  if (v === undefined) return undefined;
  if (typeof v === 'number' || v === null || v === 'Inf' || v === '-Inf') return jsonToNumber(v);
  throw shapeError(origin, `${what}.${keys[0]!} is not a number`);
}

export function reqNumber(o: JsonRecord, keys: readonly string[], origin: Origin, what: string): number {
  const v = optNumber(o, keys, origin, what);
  if (v === undefined) throw shapeError(origin, `${what} has no field ${keys.map((k) => `"${k}"`).join(' or ')} (fields: ${Object.keys(o).join(', ')})`);
  return v;
}

export function optString(o: JsonRecord, keys: readonly string[]): string | undefined {
  const v = pick(o, keys);
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

export function numberList(v: Json | undefined, origin: Origin, what: string): number[] {
  return asArray(v, origin, what).map((x) => {
    if (typeof x === 'number' || x === null || x === 'Inf' || x === '-Inf') return jsonToNumber(x);
    throw shapeError(origin, `${what} holds a non-number`);
  });
}
