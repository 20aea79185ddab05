/**
 * Resolving a reference to another step into instance names. The rule (documented in docs/spec.md):
 *
 * - `fit` names the step `fit`. If `fit` is swept, each of its sweep variables is fixed to
 *   1. the value written in brackets, `fit[modality=CT]`, if any; else
 *   2. the referencing instance's own value when it is swept over the same variable; else
 *   3. left free: the reference gathers every instance, in sweep order.
 * - With no free variable the reference is one instance (a string); with any free variable it is a
 *   list of instance names (even of one), so the parameter's type never depends on how many values a
 *   sweep has.
 */
import { closest } from '../errors.js';
import type { SweepValue } from './params.js';
import { formatSweepValue } from './sweep.js';
import type { Instance, SweepAxis } from './sweep.js';

export interface SweptStep {
  readonly base: string;
  readonly axes: readonly SweepAxis[];
  readonly instances: readonly Instance[];
}

export type Resolution =
  | { readonly ok: true; readonly instances: readonly string[]; readonly single: boolean }
  | { readonly ok: false; readonly message: string; readonly hint: string };

const REF = /^([^[\]]+?)(?:\[([^\]]*)\])?$/;

export function resolveReference(ref: string, from: Readonly<Record<string, SweepValue>>, steps: ReadonlyMap<string, SweptStep>): Resolution {
  const m = REF.exec(ref.trim());
  const base = m?.[1]?.trim() ?? ref;
  const target = steps.get(base);
  if (m === null || target === undefined) {
    const near = closest(base, steps.keys());
    return {
      ok: false,
      message: `unknown step "${ref}"${near === undefined ? '' : ` (did you mean "${near}"?)`}`,
      hint: `a reference names a step of this spec; steps: ${listSome([...steps.keys()])}`,
    };
  }
  const axes = new Map(target.axes.map((a) => [a.variable, a]));
  const fixed = new Map<string, string>();
  if (m[2] !== undefined) {
    for (const part of m[2].split(',')) {
      const eq = part.indexOf('=');
      const variable = part.slice(0, eq).trim();
      const value = part.slice(eq + 1).trim();
      const axis = axes.get(variable);
      if (eq < 0 || axis === undefined) {
        return {
          ok: false,
          message: `step "${base}" is not swept over "${eq < 0 ? part.trim() : variable}"`,
          hint: target.axes.length === 0
            ? `"${base}" is not swept: reference it as "${base}"`
            : `write ${base}[variable=value]; "${base}" is swept over ${target.axes.map((a) => a.variable).join(', ')}`,
        };
      }
      const values = axis.values.map(formatSweepValue);
      if (!values.includes(value)) {
        return { ok: false, message: `step "${base}" has no instance with ${variable}=${value}`, hint: `${variable} takes the values: ${values.join(', ')}` };
      }
      fixed.set(variable, value);
    }
  }
  for (const axis of target.axes) {
    if (fixed.has(axis.variable) || !Object.hasOwn(from, axis.variable)) continue;
    const mine = formatSweepValue(from[axis.variable]!);
    const values = axis.values.map(formatSweepValue);
    if (!values.includes(mine)) {
      return {
        ok: false,
        message: `no instance of "${base}" matches ${axis.variable}=${mine}`,
        hint: `"${base}" is swept over ${axis.variable}: ${values.join(', ')}; add ${mine} to its sweep, or name one instance, e.g. "${base}[${axis.variable}=${values[0]!}]"`,
      };
    }
    fixed.set(axis.variable, mine);
  }
  const instances = target.instances
    .filter((inst) => [...fixed].every(([v, value]) => formatSweepValue(inst.sweep[v]!) === value))
    .map((inst) => inst.name);
  return { ok: true, instances, single: fixed.size === target.axes.length };
}

function listSome(names: string[]): string {
  return names.length <= 12 ? names.join(', ') : `${names.slice(0, 12).join(', ')}, … (${names.length} in all)`;
}
