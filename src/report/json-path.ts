/**
 * A small path language to pick a number out of a step's result JSON, for the reproduction and
 * comparison tables — data, never code:
 *
 *   path     := segment ('.' segment)*
 *   segment  := name selector*
 *   selector := '[' integer ']'            element of an array (0-based)
 *             | '[' key '=' value ']'      the element of an array of objects whose `key` equals value
 *                                          (compared as text: `[term=fiv_ml]`, `[delta=0.05]`)
 *
 * e.g. `coefficients[term=evt].common_or`, `deltas[delta=0.05].median`, `proportion.ci[0]`.
 * Inside brackets any character but `]` is allowed, so R term names such as `I(fiv_ml/10)` work.
 */
import type { Json } from '../data/canonical.js';

export type Selector = { readonly index: number } | { readonly key: string; readonly value: string };
export interface PathSegment {
  readonly name: string;
  readonly selectors: readonly Selector[];
}

export class PathSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

export function parsePath(src: string): PathSegment[] {
  const out: PathSegment[] = [];
  let i = 0;
  for (;;) {
    const start = i;
    while (i < src.length && src[i] !== '.' && src[i] !== '[') {
      if (src[i] === ']') throw new PathSyntaxError(`unexpected "]" at character ${i + 1}`, i);
      i++;
    }
    const name = src.slice(start, i).trim();
    const selectors: Selector[] = [];
    while (src[i] === '[') {
      const close = src.indexOf(']', i);
      if (close < 0) throw new PathSyntaxError(`"[" at character ${i + 1} is not closed`, i);
      const inner = src.slice(i + 1, close);
      const eq = inner.indexOf('=');
      if (eq >= 0) {
        const key = inner.slice(0, eq).trim();
        if (key === '') throw new PathSyntaxError(`empty key in "[${inner}]" at character ${i + 1}`, i);
        selectors.push({ key, value: inner.slice(eq + 1).trim() });
      } else if (/^\s*\d+\s*$/.test(inner)) {
        selectors.push({ index: Number(inner) });
      } else {
        throw new PathSyntaxError(`"[${inner}]" at character ${i + 1} is neither an index nor key=value`, i);
      }
      i = close + 1;
    }
    if (name === '' && selectors.length === 0) throw new PathSyntaxError(`empty segment at character ${start + 1}`, start);
    out.push({ name, selectors });
    if (i >= src.length) return out;
    if (src[i] !== '.') throw new PathSyntaxError(`expected "." at character ${i + 1}`, i);
    i++;
  }
}

/** The value at `path`, or an explanation of where the path stopped matching. */
export function lookup(root: Json, path: string): { ok: true; value: Json } | { ok: false; reason: string } {
  let segments: PathSegment[];
  try {
    segments = parsePath(path);
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
  let cur: Json = root;
  let at = '';
  for (const seg of segments) {
    if (seg.name !== '') {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return { ok: false, reason: `${at || 'the result'} is not an object` };
      const obj: { readonly [k: string]: Json } = cur as { readonly [k: string]: Json };
      if (!Object.hasOwn(obj, seg.name)) {
        return { ok: false, reason: `${at || 'the result'} has no field "${seg.name}" (fields: ${Object.keys(obj).join(', ')})` };
      }
      cur = obj[seg.name]!;
      at = at === '' ? seg.name : `${at}.${seg.name}`;
    }
    for (const sel of seg.selectors) {
      if (!Array.isArray(cur)) return { ok: false, reason: `${at} is not a list` };
      const arr = cur as readonly Json[];
      if ('index' in sel) {
        if (sel.index >= arr.length) return { ok: false, reason: `${at} has ${arr.length} elements, [${sel.index}] requested` };
        cur = arr[sel.index]!;
        at += `[${sel.index}]`;
      } else {
        const found = arr.find((el) => el !== null && typeof el === 'object' && !Array.isArray(el) && textOf((el as Record<string, Json>)[sel.key]) === sel.value);
        if (found === undefined) {
          const present = arr.map((el) => (el !== null && typeof el === 'object' && !Array.isArray(el) ? textOf((el as Record<string, Json>)[sel.key]) : undefined)).filter((v) => v !== undefined);
          return { ok: false, reason: `${at} has no element with ${sel.key} = ${sel.value}${present.length > 0 ? ` (${sel.key}: ${present.join(', ')})` : ''}` };
        }
        cur = found;
        at += `[${sel.key}=${sel.value}]`;
      }
    }
  }
  return { ok: true, value: cur };
}

function textOf(v: Json | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** A number at `path` (null → NaN, "Inf" → Infinity, as canonical JSON writes them). */
export function lookupNumber(root: Json, path: string): { ok: true; value: number } | { ok: false; reason: string } {
  const r = lookup(root, path);
  if (!r.ok) return r;
  const v = r.value;
  if (typeof v === 'number') return { ok: true, value: v };
  if (v === null) return { ok: true, value: NaN };
  if (v === 'Inf') return { ok: true, value: Infinity };
  if (v === '-Inf') return { ok: true, value: -Infinity };
  return { ok: false, reason: `${path} is ${Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `"${String(v)}"`}, not a number` };
}
