/**
 * From a `describe` or `compare` result (decoded by src/results/table1.ts) to Table 1 (baseline
 * characteristics by arm): groups in display order with their names, labelled variables, and the
 * p-values — a compare result's own, or those of a compare step given as `tests`.
 */
import type { Json } from '../../data/canonical.js';
import { decodeCompareTests, decodeTable1, type VariableTest } from '../../results/table1.js';
import type { Origin } from '../../results/read.js';
import type { Table1Input, Table1Variable } from '../sections/table1.js';

export type { VariableTest } from '../../results/table1.js';

export interface Table1Options {
  readonly caption: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Group value as text → display name, in display order. */
  readonly groups?: ReadonlyMap<string, string> | undefined;
}

/** p-values by variable name from a compare result, each with the test it names. */
export function testsFromCompare(value: Json, origin: Origin): Map<string, VariableTest> {
  return decodeCompareTests(value, origin);
}

export function table1FromResult(value: Json, origin: Origin, opts: Table1Options, tests?: ReadonlyMap<string, VariableTest>): Table1Input {
  const t = decodeTable1(value, origin);
  // Display order: the groups `opts.groups` names first, in its order, then the others as the result lists them.
  const keys = [...(opts.groups?.keys() ?? [])];
  const rank = (label: string, index: number): number => (keys.includes(label) ? keys.indexOf(label) : keys.length + index);
  const order = t.groups.map((g, index) => ({ ...g, index })).sort((a, b) => rank(a.label, a.index) - rank(b.label, b.index));
  // A shift is group 1 minus group 2 of the result, whatever the display order.
  const display = (index: number): string => {
    const g = t.groups[index];
    return g === undefined ? String(index) : (opts.groups?.get(g.label) ?? g.label);
  };
  const variables = t.variables.map((v): Table1Variable => {
    const label = opts.labels[v.name] ?? v.name;
    const test = tests?.get(v.name) ?? v.test;
    if (v.kind === 'numeric') {
      return {
        kind: 'continuous',
        label,
        p: test?.p,
        test: test?.test,
        byGroup: order.map((g) => v.byGroup[g.index]!),
        shift: v.shift === undefined ? undefined : { ...v.shift, direction: `${display(0)} minus ${display(1)}` },
      };
    }
    return {
      kind: 'categorical',
      label,
      levels: v.levels.map((l) => ({ label: l.label, counts: order.map((g) => l.counts[g.index] ?? 0) })),
      missing: order.map((g) => v.missing[g.index] ?? 0),
      p: test?.p,
      test: test?.test,
    };
  });
  return { caption: opts.caption, groups: order.map((g) => ({ label: opts.groups?.get(g.label) ?? g.label, n: g.n })), variables };
}
