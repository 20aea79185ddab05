/**
 * Cues (after R's targets): small predicates comparing the key material a step was last cached with
 * to its material now. Each returns the reasons it finds, as `plan` prints them ("why will this run?").
 */
import type { Json } from '../data/canonical.js';
import type { KeyMaterial } from './key.js';
import { lockedMaterial } from './lockfile.js';

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

/**
 * A provenance-stating step (the report): what changed in the provenance it states, in words — the
 * spec, a data file, an override, lesionflow or a dependency, a kind's version (provenance.ts).
 */
export const provenanceCue: Cue = (p, c) => {
  if (p.provenance === undefined && c.provenance === undefined) return [];
  if (p.provenance === undefined) return ['provenance now stated'];
  if (c.provenance === undefined) return ['provenance no longer stated'];
  const a = asObject(p.provenance);
  const b = asObject(c.provenance);
  const out: string[] = [];
  if (!same(a.spec ?? null, b.spec ?? null)) out.push(`spec ${show(a.spec ?? null)} → ${show(b.spec ?? null)}`);
  else if (!same(a.spec_sha256 ?? null, b.spec_sha256 ?? null)) out.push(`spec file ${show(b.spec ?? null)} changed`);
  if (!same(a.seed ?? null, b.seed ?? null)) out.push('seed changed');
  out.push(...diffJson('--set', a.overrides ?? {}, b.overrides ?? {}).map((r) => r.replace(/^--set\./, '--set ')));
  const files = (v: Json | undefined): [string, string][] =>
    (isList(v ?? null) ? (v as readonly Json[]) : []).map((f) => [text(asObject(f).path), text(asObject(f).sha256)]);
  out.push(...diffPairs('file', files(a.files), files(b.files), (name) => `file ${name} changed`).filter((r) => r !== 'files reordered'));
  if (!same(a.lesionflow ?? null, b.lesionflow ?? null)) out.push(`lesionflow ${show(a.lesionflow ?? null)} → ${show(b.lesionflow ?? null)}`);
  out.push(...versionChanges('dependency', asObject(a.dependencies ?? {}), asObject(b.dependencies ?? {})));
  out.push(...versionChanges('kind', asObject(a.kinds ?? {}), asObject(b.kinds ?? {})));
  return out.length > 0 || same(p.provenance, c.provenance) ? out : ['provenance changed'];
};

export const cues: readonly Cue[] = [schemeCue, kindCue, versionCue, paramsCue, inputsCue, filesCue, seedCue, subgraphCue, provenanceCue];

/** Why a step will run: every cue's reasons, or `no cache entry` when nothing differs (or there is no previous material). */
export function whyRun(prev: KeyMaterial | undefined, cur: KeyMaterial): string[] {
  if (prev === undefined) return ['no cache entry'];
  const reasons = cues.flatMap((cue) => cue(prev, cur));
  return reasons.length > 0 ? reasons : ['no cache entry'];
}

/**
 * Why a step will run, against the material a lock file keeps (parameters by digest: lockfile.ts
 * lockedMaterial): the cues, with a changed parameter named and shown with its value now.
 */
export function whyRunSinceLock(locked: KeyMaterial, now: KeyMaterial): string[] {
  const cur = lockedMaterial(now);
  const before = asObject(locked.params);
  const after = asObject(cur.params);
  const values = asObject(now.params);
  const params: string[] = [];
  for (const k of Object.keys(after)) {
    if (!(k in before)) params.push(`params.${k}: added ${show(values[k]!)}`);
    else if (before[k] !== after[k]) params.push(`params.${k} changed (now ${show(values[k]!)})`);
  }
  for (const k of Object.keys(before)) if (!(k in after)) params.push(`params.${k}: removed`);
  return cues.flatMap((cue) => (cue === paramsCue ? params : cue(locked, cur)));
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

function text(v: Json | undefined): string {
  return typeof v === 'string' ? v : JSON.stringify(v ?? null);
}

function asObject(v: Json): { readonly [key: string]: Json } {
  return isObject(v) ? v : {};
}

/** `dependency yaml 2.9.1 → 2.9.2`, `kind report version 1 → 2`, `… added`, `… removed`, for two name → version maps. */
function versionChanges(what: string, a: { readonly [key: string]: Json }, b: { readonly [key: string]: Json }): string[] {
  const out: string[] = [];
  const suffix = what === 'kind' ? ' version' : '';
  for (const [name, v] of Object.entries(b)) {
    if (!(name in a)) out.push(`${what} ${name} added`);
    else if (!same(a[name]!, v)) out.push(`${what} ${name}${suffix} ${show(a[name]!)} → ${show(v)}`);
  }
  for (const name of Object.keys(a)) if (!(name in b)) out.push(`${what} ${name} removed`);
  return out;
}

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
  if (typeof a === 'string' && typeof b === 'string') {
    const terms = formulaTermsDiff(a, b);
    if (terms !== undefined) return [`${path}: ${terms}`];
  }
  return [`${path}: ${show(a)} → ${show(b)}`];
}

/**
 * Two model formulas with the same response, as their terms added and removed (`+ ivt, - age`), so a
 * fit written with `covariates:` (normalised to a formula) still shows which covariates changed.
 * Undefined when either is not a formula or the responses differ.
 */
export function formulaTermsDiff(a: string, b: string): string | undefined {
  const fa = formulaParts(a);
  const fb = formulaParts(b);
  if (fa === undefined || fb === undefined || fa.response !== fb.response) return undefined;
  const added = fb.terms.filter((t) => !fa.terms.includes(t));
  const removed = fa.terms.filter((t) => !fb.terms.includes(t));
  // `- 1` written is the intercept removed (and vice versa).
  const NO_INTERCEPT = '- 1';
  const parts = [
    ...added.map((t) => (t === NO_INTERCEPT ? '- (Intercept)' : `+ ${t}`)),
    ...removed.map((t) => (t === NO_INTERCEPT ? '+ (Intercept)' : `- ${t}`)),
  ];
  return parts.length > 0 ? parts.join(', ') : 'terms reordered';
}

/** `y ~ a + I(b + c) - 1` → response `y`, terms `a`, `I(b + c)`, `- 1`: split at ` + ` and ` - ` outside brackets. */
function formulaParts(f: string): { response: string; terms: string[] } | undefined {
  const tilde = f.indexOf('~');
  // Formulas as the fit steps normalise them (`y ~ a + b`); a path such as `~/data.csv` is not one.
  if (tilde < 0 || f[tilde + 1] !== ' ' || f.includes('~', tilde + 1)) return undefined;
  const rhs = f.slice(tilde + 1);
  const terms: string[] = [];
  let depth = 0;
  let sign = '';
  let start = 0;
  const push = (end: number): void => {
    const t = rhs.slice(start, end).trim();
    if (t !== '') terms.push(sign + t);
  };
  for (let i = 0; i < rhs.length; i++) {
    const c = rhs[i]!;
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && (c === '+' || c === '-') && rhs[i - 1] === ' ' && rhs[i + 1] === ' ') {
      push(i);
      sign = c === '-' ? '- ' : '';
      start = i + 1;
    }
  }
  push(rhs.length);
  return { response: f.slice(0, tilde).trim(), terms };
}
