/**
 * What changed between two outputs of a step, number by number — for `lesionflow diff` (two runs) and
 * `verify` (the locked output against the recomputed one).
 *
 * A change is named by the path `metrics:` and the report's `published` rows use (json-path.ts), so it
 * can be copied into a spec: an array of objects identified by a field (`term`, `variable`, `group`, …)
 * is matched element by element on that field (`coefficients[term=evt].odds_ratio`), other arrays by
 * position. Tables are compared cell by cell when their rows are the same in number (`row 12: fiv_ml` for
 * a table step, `patients.csv row 12: fiv_ml` for a result's table; rows counted from 1 as in the CSV
 * file); otherwise the change of shape is reported.
 *
 * The relative difference of a number is (new − old) / |old|; the tolerance (`verify --tolerance`) is
 * checked symmetrically, |new − old| ≤ tolerance × max(|old|, |new|), so that swapping the two outputs
 * never changes the verdict.
 */
import type { Artifact, ImputedArtifact } from '../data/artifact.js';
import type { Json } from '../data/canonical.js';
import type { Column, Table } from '../data/table.js';

export type Change =
  | { readonly kind: 'number'; readonly where: string; readonly old: number; readonly new: number }
  | { readonly kind: 'text'; readonly where: string; readonly old: string; readonly new: string }
  | { readonly kind: 'added' | 'removed'; readonly where: string; readonly value: string }
  | { readonly kind: 'shape'; readonly where: string; readonly old: string; readonly new: string };

/** Identifying fields of array elements, in order of preference. */
const ID_FIELDS = ['term', 'variable', 'name', 'label', 'level', 'group', 'delta', 'effect', 'estimate', 'method', 'quantity', 'statistic', 'step', 'id'];

export function diffArtifacts(a: Artifact, b: Artifact): Change[] {
  const out: Change[] = [];
  if (a.type !== b.type) {
    out.push({ kind: 'shape', where: '(output)', old: `a ${a.type}`, new: `a ${b.type}` });
    return out;
  }
  if (a.type === 'result' && b.type === 'result') {
    diffJson('', a.value, b.value, out);
    const names = unionKeys([...(a.tables?.keys() ?? [])], [...(b.tables?.keys() ?? [])]);
    for (const n of names) {
      const ta = a.tables?.get(n);
      const tb = b.tables?.get(n);
      if (ta === undefined) out.push({ kind: 'added', where: `${n}.csv`, value: `${tb!.nrows} rows` });
      else if (tb === undefined) out.push({ kind: 'removed', where: `${n}.csv`, value: `${ta.nrows} rows` });
      else diffTables(`${n}.csv `, ta, tb, out);
    }
  } else if (a.type === 'table' && b.type === 'table') {
    diffTables('', a.table, b.table, out);
  } else if (a.type === 'imputed' && b.type === 'imputed') {
    diffTables('', a.original, b.original, out);
    diffImputations(a, b, out);
    diffJson('info', a.info, b.info, out);
  }
  return out;
}

function unionKeys(a: readonly string[], b: readonly string[]): string[] {
  return [...a, ...b.filter((k) => !a.includes(k))];
}

function isObject(v: Json | undefined): v is { readonly [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A number as canonical JSON writes it (NaN as null, ±Infinity as "Inf"/"-Inf"), or undefined. */
function numberOf(v: Json, other: Json): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof other !== 'number') return undefined;
  if (v === null) return NaN;
  if (v === 'Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return undefined;
}

function sameNumber(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

function brief(v: Json): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function join(path: string, field: string): string {
  return path === '' ? field : `${path}.${field}`;
}

/** The field identifying every element of both arrays (each an object with a unique scalar value of it), if any. */
function idField(a: readonly Json[], b: readonly Json[]): string | undefined {
  const all = [...a, ...b];
  if (all.length === 0 || !all.every(isObject)) return undefined;
  return ID_FIELDS.find((f) => {
    for (const arr of [a, b]) {
      const seen = new Set<string>();
      for (const el of arr) {
        const v = (el as { readonly [key: string]: Json })[f];
        if (v === undefined || v === null || typeof v === 'object') return false;
        const t = String(v);
        if (seen.has(t) || t.includes(']')) return false;
        seen.add(t);
      }
    }
    return true;
  });
}

function diffJson(path: string, a: Json, b: Json, out: Change[]): void {
  const na = numberOf(a, b);
  const nb = numberOf(b, a);
  if (na !== undefined && nb !== undefined) {
    if (!sameNumber(na, nb)) out.push({ kind: 'number', where: path, old: na, new: nb });
    return;
  }
  if (isObject(a) && isObject(b)) {
    for (const k of unionKeys(Object.keys(a), Object.keys(b))) {
      const p = join(path, k);
      if (!(k in b)) out.push({ kind: 'removed', where: p, value: brief(a[k]!) });
      else if (!(k in a)) out.push({ kind: 'added', where: p, value: brief(b[k]!) });
      else diffJson(p, a[k]!, b[k]!, out);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const la = a as readonly Json[];
    const lb = b as readonly Json[];
    const id = idField(la, lb);
    if (id !== undefined) {
      const key = (el: Json): string => String((el as { readonly [key: string]: string | number | boolean })[id]);
      const byKey = new Map(lb.map((el) => [key(el), el]));
      const inA = new Set(la.map(key));
      for (const el of la) {
        const k = key(el);
        const p = `${path}[${id}=${k}]`;
        const other = byKey.get(k);
        if (other === undefined) out.push({ kind: 'removed', where: p, value: brief(el) });
        else diffJson(p, el, other, out);
      }
      for (const el of lb) if (!inA.has(key(el))) out.push({ kind: 'added', where: `${path}[${id}=${key(el)}]`, value: brief(el) });
      return;
    }
    if (la.length !== lb.length) {
      out.push({ kind: 'shape', where: path, old: `${la.length} elements`, new: `${lb.length} elements` });
      return;
    }
    la.forEach((el, i) => {
      diffJson(`${path}[${i}]`, el, lb[i]!, out);
    });
    return;
  }
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  if (typeof a === 'string' && typeof b === 'string') out.push({ kind: 'text', where: path, old: a, new: b });
  else out.push({ kind: 'shape', where: path, old: brief(a), new: brief(b) });
}

function cell(c: Column, i: number): number | string | null {
  switch (c.type) {
    case 'number':
      return c.values[i]!;
    case 'factor':
      return c.codes[i]! < 0 ? null : c.levels[c.codes[i]!]!;
    case 'string':
      return c.values[i] ?? null;
  }
}

/** Two tables of the same rows, cell by cell (`row 12: fiv_ml`, after the prefix `where`: `patients.csv row 12: fiv_ml`). */
function diffTables(where: string, a: Table, b: Table, out: Change[]): void {
  const cols = unionKeys([...a.columns.keys()], [...b.columns.keys()]);
  for (const c of cols) {
    if (!b.columns.has(c)) out.push({ kind: 'removed', where: `${where}column ${c}`, value: a.columns.get(c)!.type });
    else if (!a.columns.has(c)) out.push({ kind: 'added', where: `${where}column ${c}`, value: b.columns.get(c)!.type });
  }
  if (a.nrows !== b.nrows) {
    out.push({ kind: 'shape', where: `${where}rows`, old: String(a.nrows), new: String(b.nrows) });
    return;
  }
  for (const c of cols) {
    const ca = a.columns.get(c);
    const cb = b.columns.get(c);
    if (ca === undefined || cb === undefined) continue;
    for (let i = 0; i < a.nrows; i++) {
      const va = cell(ca, i);
      const vb = cell(cb, i);
      const p = `${where}row ${i + 1}: ${c}`;
      if (typeof va === 'number' && typeof vb === 'number') {
        if (!sameNumber(va, vb)) out.push({ kind: 'number', where: p, old: va, new: vb });
      } else if (va !== vb && !(typeof va === 'number' && Number.isNaN(va) && vb === null) && !(typeof vb === 'number' && Number.isNaN(vb) && va === null)) {
        out.push({ kind: 'text', where: p, old: va === null || (typeof va === 'number' && Number.isNaN(va)) ? 'NA' : String(va), new: vb === null || (typeof vb === 'number' && Number.isNaN(vb)) ? 'NA' : String(vb) });
      }
    }
  }
}

/** The imputed values of each variable (`imputation 3 row 12: aspects`), when the same cells were imputed. */
function diffImputations(a: ImputedArtifact, b: ImputedArtifact, out: Change[]): void {
  if (a.m !== b.m) {
    out.push({ kind: 'shape', where: 'imputations', old: String(a.m), new: String(b.m) });
    return;
  }
  for (const name of unionKeys([...a.imputations.keys()], [...b.imputations.keys()])) {
    const va = a.imputations.get(name);
    const vb = b.imputations.get(name);
    if (va === undefined || vb === undefined) {
      out.push(va === undefined ? { kind: 'added', where: `imputed ${name}`, value: `${vb!.rows.length} cells` } : { kind: 'removed', where: `imputed ${name}`, value: `${va.rows.length} cells` });
      continue;
    }
    if (va.rows.length !== vb.rows.length || va.rows.some((r, j) => r !== vb.rows[j])) {
      out.push({ kind: 'shape', where: `imputed ${name}`, old: `${va.rows.length} cells`, new: `${vb.rows.length} cells` });
      continue;
    }
    const levels = (t: Table): readonly string[] | undefined => {
      const c = t.columns.get(name);
      return c?.type === 'factor' ? c.levels : undefined;
    };
    const la = levels(a.original);
    const lb = levels(b.original);
    for (let k = 0; k < a.m; k++) {
      va.rows.forEach((r, j) => {
        const x = va.values[k]![j]!;
        const y = vb.values[k]![j]!;
        const where = `imputation ${k + 1} row ${r + 1}: ${name}`;
        if (la !== undefined && lb !== undefined) {
          const tx = la[x] ?? 'NA';
          const ty = lb[y] ?? 'NA';
          if (tx !== ty) out.push({ kind: 'text', where, old: tx, new: ty });
        } else if (!sameNumber(x, y)) out.push({ kind: 'number', where, old: x, new: y });
      });
    }
  }
}

// ---- judging and showing changes ----------------------------------------------------------------

/** (new − old) / |old|: ±Infinity from 0, NaN when either is not finite. */
export function relativeDifference(old: number, now: number): number {
  if (!Number.isFinite(old) || !Number.isFinite(now)) return NaN;
  if (old === 0) return now === 0 ? 0 : now > 0 ? Infinity : -Infinity;
  return (now - old) / Math.abs(old);
}

/** True when a number change lies within a relative tolerance: |new − old| ≤ tolerance × max(|old|, |new|). */
export function withinTolerance(c: Change, tolerance: number): boolean {
  if (c.kind !== 'number') return false;
  if (!Number.isFinite(c.old) || !Number.isFinite(c.new)) return false;
  return Math.abs(c.new - c.old) <= tolerance * Math.max(Math.abs(c.old), Math.abs(c.new));
}

/** The two numbers with as many significant digits (at least 4) as it takes to tell them apart. */
export function showNumbers(a: number, b: number): [string, string] {
  const f = (x: number, p: number): string => (Number.isFinite(x) ? String(Number(x.toPrecision(p))) : Number.isNaN(x) ? 'NA' : x > 0 ? 'Inf' : '-Inf');
  for (let p = 4; p <= 17; p++) if (f(a, p) !== f(b, p)) return [f(a, p), f(b, p)];
  return [String(a), String(b)];
}

/** `+3.87%`, `-0.0152%`, `+1.2e-9` (relative, below 0.0001 %), `from 0`. */
export function showRelative(r: number): string {
  if (Number.isNaN(r)) return '';
  if (!Number.isFinite(r)) return 'from 0';
  const sign = r > 0 ? '+' : r < 0 ? '-' : '±';
  const abs = Math.abs(r);
  if (abs === 0) return '±0%';
  if (abs >= 1e-6) return `${sign}${Number((abs * 100).toPrecision(3))}%`;
  return `${sign}${abs.toExponential(1)}`;
}

/** One change as a line's parts: where, what (old → new), and the relative difference for numbers. */
export function showChange(c: Change): { where: string; what: string; relative: string } {
  switch (c.kind) {
    case 'number': {
      const [o, n] = showNumbers(c.old, c.new);
      return { where: c.where, what: `${o} → ${n}`, relative: showRelative(relativeDifference(c.old, c.new)) };
    }
    case 'text':
    case 'shape':
      return { where: c.where, what: `${brief(c.old)} → ${brief(c.new)}`, relative: '' };
    case 'added':
      return { where: c.where, what: `added: ${c.value}`, relative: '' };
    case 'removed':
      return { where: c.where, what: `removed: ${c.value}`, relative: '' };
  }
}

/** Changes as aligned lines, the first `limit` of them, then how many more there are. */
export function changeLines(changes: readonly Change[], limit: number, indent = '    '): string[] {
  const shown = changes.slice(0, limit).map(showChange);
  const w = Math.max(0, ...shown.map((s) => s.where.length));
  const v = Math.max(0, ...shown.map((s) => s.what.length));
  const lines = shown.map((s) => `${indent}${s.where.padEnd(w)}  ${s.relative === '' ? s.what : `${s.what.padEnd(v)}  ${s.relative}`}`.trimEnd());
  if (changes.length > limit) lines.push(`${indent}… and ${changes.length - limit} more`);
  return lines;
}
