/**
 * From a `describe` or a `compare` result to Table 1 (baseline characteristics by arm).
 *
 * describe: `{groups: [{label, n}], variables: [{name, type: numeric, groups: [summary…]} |
 *            {name, type: categorical, levels, groups: [{n, missing, counts: [...]}…]}]}`
 *            (a group's entries line up with `groups`);
 * compare:  `{groups: [{label, n}], variables: [{variable, type: numeric, groups: [{group, median, q1,
 *            q3, missing}], wilcoxon: {p}, shift: {estimate, lower, upper}} | {variable, type: factor,
 *            levels: [{level, counts: {<group>: n}}], missing: {<group>: n}, chisq: {p}}]}`.
 * A compare result adds p-values (rank-sum / chi-squared, the test named per variable) and the
 * location shift with its CI; given as `tests`, it adds p-values to a describe table.
 */
import type { Json } from '../../data/canonical.js';
import type { Table1Input, Table1Variable } from '../sections/table1.js';
import { asArray, asRecord, isRecord, optNumber, optString, reqNumber, shapeError, type JsonRecord, type Origin } from '../../results/read.js';

export interface Table1Options {
  readonly caption: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Group value as text → display name, in display order. */
  readonly groups?: ReadonlyMap<string, string> | undefined;
}

interface Group {
  readonly label: string;
  readonly n: number;
  /** Index in the result's `groups`. */
  readonly index: number;
}

function groupsOf(root: JsonRecord, origin: Origin, order: ReadonlyMap<string, string> | undefined): Group[] {
  const groups = asArray(root.groups, origin, 'groups').map((g, index): Group => {
    const r = asRecord(g, origin, `groups[${index}]`);
    return { label: optString(r, ['label', 'value']) ?? String(index), n: reqNumber(r, ['n'], origin, `groups[${index}]`), index };
  });
  if (groups.length === 0) throw shapeError(origin, 'it has no groups', 'give the describe step a `by:` column (the arm)');
  if (order === undefined) return groups;
  const keys = [...order.keys()];
  const rank = (g: Group): number => (keys.includes(g.label) ? keys.indexOf(g.label) : keys.length + g.index);
  return [...groups].sort((a, b) => rank(a) - rank(b));
}

/** A variable's p-value and the test the compare step ran for it. */
export interface VariableTest {
  readonly p: number;
  /** e.g. "Wilcoxon rank-sum test", "chi-squared test with Yates’ continuity correction". */
  readonly test: string;
}

/**
 * p-values by variable name from a compare result, each with the test it names: `wilcoxon` (rank-sum
 * test, numbers) or `chisq` (chi-squared test, factors; `yates: true` when continuity-corrected).
 */
export function testsFromCompare(value: Json, origin: Origin): Map<string, VariableTest> {
  const root = asRecord(value, origin, 'the result');
  const out = new Map<string, VariableTest>();
  asArray(root.variables, origin, 'variables').forEach((v, i) => {
    const r = asRecord(v, origin, `variables[${i}]`);
    const name = optString(r, ['variable', 'name']);
    const what = `variables[${i}] test`;
    const found = isRecord(r.wilcoxon)
      ? { rec: r.wilcoxon, test: 'Wilcoxon rank-sum test' }
      : isRecord(r.chisq)
        ? { rec: r.chisq, test: r.chisq.yates === true ? 'chi-squared test with Yates’ continuity correction' : 'chi-squared test' }
        : undefined;
    const p = found === undefined ? undefined : optNumber(found.rec, ['p'], origin, what);
    if (name !== undefined && found !== undefined && p !== undefined) out.set(name, { p, test: found.test });
  });
  return out;
}

export function table1FromResult(value: Json, origin: Origin, opts: Table1Options, tests?: ReadonlyMap<string, VariableTest>): Table1Input {
  const root = asRecord(value, origin, 'the result');
  const groups = groupsOf(root, origin, opts.groups);
  const display = (index: number): string => {
    const g = groups.find((x) => x.index === index);
    return g === undefined ? String(index) : (opts.groups?.get(g.label) ?? g.label);
  };
  const variables = asArray(root.variables, origin, 'variables').map((v, i): Table1Variable => {
    const what = `variables[${i}]`;
    const r = asRecord(v, origin, what);
    const isCompare = Object.hasOwn(r, 'variable');
    const name = optString(r, ['name', 'variable']) ?? what;
    const label = opts.labels[name] ?? name;
    const type = optString(r, ['type']);
    const perGroup = (): readonly Json[] => asArray(r.groups, origin, `${what}.groups`);
    const t = tests?.get(name) ?? (isCompare ? testsFromCompare({ variables: [v] }, origin).get(name) : undefined);
    const p = t?.p;
    const test = t?.test;
    if (type === 'numeric' || type === 'number') {
      const shift = isRecord(r.shift) ? r.shift : undefined;
      return {
        kind: 'continuous',
        label,
        p,
        test,
        byGroup: groups.map((g) => {
          const s = asRecord(perGroup()[g.index], origin, `${what}.groups[${g.index}]`);
          return { median: reqNumber(s, ['median'], origin, what), q1: reqNumber(s, ['q1'], origin, what), q3: reqNumber(s, ['q3'], origin, what), missing: optNumber(s, ['missing'], origin, what) ?? 0 };
        }),
        shift:
          shift === undefined
            ? undefined
            : { estimate: reqNumber(shift, ['estimate'], origin, `${what}.shift`), low: reqNumber(shift, ['lower', 'conf_low'], origin, `${what}.shift`), high: reqNumber(shift, ['upper', 'conf_high'], origin, `${what}.shift`), direction: `${display(0)} minus ${display(1)}` },
      };
    }
    if (isCompare) {
      // compare: levels [{level, counts: {<group label>: n}}], missing {<group label>: n}
      const levels = asArray(r.levels, origin, `${what}.levels`).map((l, k) => {
        const lr = asRecord(l, origin, `${what}.levels[${k}]`);
        const counts = asRecord(lr.counts, origin, `${what}.levels[${k}].counts`);
        return { label: optString(lr, ['level']) ?? String(k), counts: groups.map((g) => optNumber(counts, [g.label], origin, `${what}.levels[${k}].counts`) ?? 0) };
      });
      const missing = isRecord(r.missing) ? r.missing : {};
      return { kind: 'categorical', label, levels, missing: groups.map((g) => optNumber(missing, [g.label], origin, `${what}.missing`) ?? 0), p, test };
    }
    // describe: levels [...], groups [{counts: [...], missing}]
    const levels = asArray(r.levels, origin, `${what}.levels`).map((l) => (typeof l === 'string' ? l : typeof l === 'number' ? String(l) : JSON.stringify(l)));
    const tallies = groups.map((g) => asRecord(perGroup()[g.index], origin, `${what}.groups[${g.index}]`));
    return {
      kind: 'categorical',
      label,
      levels: levels.map((l, k) => ({ label: l, counts: tallies.map((m) => asArray(m.counts, origin, `${what} counts`)[k] as number) })),
      missing: tallies.map((m) => optNumber(m, ['missing'], origin, what) ?? 0),
      p,
      test,
    };
  });
  return { caption: opts.caption, groups: groups.map((g) => ({ label: opts.groups?.get(g.label) ?? g.label, n: g.n })), variables };
}
