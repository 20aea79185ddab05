/**
 * Cues (after R's targets): small predicates comparing the key material a step was last cached with
 * to its material now. Each returns the reasons it finds, as `plan` prints them ("why will this run?").
 */
import type { Json } from '../data/canonical.js';
import type { KeyMaterial } from './key.js';

export type Cue = (prev: KeyMaterial, cur: KeyMaterial) => string[];

export const schemeCue: Cue = (p, c) => (p.scheme === c.scheme ? [] : [`key scheme ${p.scheme} → ${c.scheme} (lesionflow upgrade)`]);

export const kindCue: Cue = (p, c) => (p.kind === c.kind ? [] : [`kind ${p.kind} → ${c.kind}`]);

export const versionCue: Cue = (p, c) =>
  p.kind === c.kind && p.version !== c.version ? [`implementation version ${p.version} → ${c.version}`] : [];

export const paramsCue: Cue = (p, c) => diffJson('params', p.params, c.params);

export const inputsCue: Cue = (p, c) => diffPairs('input', p.inputs, c.inputs, (name, h) => (h === null ? `input ${name} will run` : `input ${name} changed`));

export const filesCue: Cue = (p, c) => diffPairs('file', p.files, c.files, (name) => `file ${name} changed`);

export const seedCue: Cue = (p, c) => {
  if (p.seed === c.seed) return [];
  if (p.seed === undefined) return ['seed now used'];
  if (c.seed === undefined) return ['seed no longer used'];
  return ['seed changed'];
};

export const subgraphCue: Cue = (p, c) =>
  diffPairs('subgraph step', p.subgraph ?? [], c.subgraph ?? [], (name, k) => (k === null ? `subgraph step ${name} will run` : `subgraph step ${name} changed`));

export const cues: readonly Cue[] = [schemeCue, kindCue, versionCue, paramsCue, inputsCue, filesCue, seedCue, subgraphCue];

/** Why a step will run: every cue's reasons, or `no cache entry` when nothing differs (or there is no previous material). */
export function whyRun(prev: KeyMaterial | undefined, cur: KeyMaterial): string[] {
  if (prev === undefined) return ['no cache entry'];
  const reasons = cues.flatMap((cue) => cue(prev, cur));
  return reasons.length > 0 ? reasons : ['no cache entry'];
}

// ---- helpers -------------------------------------------------------------------------------------

function diffPairs<V>(
  what: string,
  prev: readonly (readonly [string, V])[],
  cur: readonly (readonly [string, V])[],
  changed: (name: string, now: V) => string,
): string[] {
  const before = new Map(prev);
  const now = new Map(cur);
  const out: string[] = [];
  for (const [name, v] of cur) {
    if (!before.has(name)) out.push(`${what} ${name} added`);
    else if (before.get(name) !== v) out.push(changed(name, v));
  }
  for (const [name] of prev) if (!now.has(name)) out.push(`${what} ${name} removed`);
  if (out.length === 0 && prev.map(([n]) => n).join('\u0000') !== cur.map(([n]) => n).join('\u0000')) out.push(`${what}s reordered`);
  return out;
}

function isObject(v: Json): v is { readonly [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isList(v: Json): v is readonly Json[] {
  return Array.isArray(v);
}

const same = (a: Json, b: Json): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Shows a value compactly: strings bare, everything else as JSON, long values cut. */
export function show(v: Json): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Differences between two JSON values as `path: …` lines (`+ x`/`- x` for lists of scalars). */
export function diffJson(path: string, a: Json, b: Json): string[] {
  if (same(a, b)) return [];
  if (isObject(a) && isObject(b)) {
    const out: string[] = [];
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    for (const k of keys) {
      const p = `${path}.${k}`;
      if (!(k in a)) out.push(`${p}: added ${show(b[k]!)}`);
      else if (!(k in b)) out.push(`${p}: removed`);
      else out.push(...diffJson(p, a[k]!, b[k]!));
    }
    return out;
  }
  if (isList(a) && isList(b)) {
    const scalars = (x: readonly Json[]): boolean => x.every((v) => v === null || typeof v !== 'object');
    if (scalars(a) && scalars(b)) {
      const sa = a.map((v) => JSON.stringify(v));
      const sb = b.map((v) => JSON.stringify(v));
      const added = b.filter((_, i) => !sa.includes(sb[i]!));
      const removed = a.filter((_, i) => !sb.includes(sa[i]!));
      const parts = [...added.map((v) => `+ ${show(v)}`), ...removed.map((v) => `- ${show(v)}`)];
      return [`${path}: ${parts.length > 0 ? parts.join(', ') : 'reordered'}`];
    }
    if (a.length === b.length) return a.flatMap((v, i) => diffJson(`${path}[${i}]`, v, b[i] ?? null));
  }
  return [`${path}: ${show(a)} → ${show(b)}`];
}
