/**
 * The Table 1 result family: what `describe` and `compare` write (src/nodes/describe.ts, compare.ts),
 * read back into one typed value — groups, and per variable its summaries aligned with the groups:
 *
 * describe: `{groups: [{label, n}], variables: [{name, type: numeric, groups: [summary…]} |
 *            {name, type: categorical, levels, groups: [{n, missing, counts: [...]}…]}]}`;
 * compare:  `{groups: [{label, n}], variables: [{variable, type: numeric, groups: [{group, median, q1,
 *            q3, missing}], wilcoxon: {p}, shift: {estimate, lower, upper}} | {variable, type: factor,
 *            levels: [{level, counts: {<group>: n}}], missing: {<group>: n}, chisq: {p, yates}}]}`.
 * A compare result's variables carry the test that gave their p-value (and a numeric one its
 * Hodges–Lehmann shift).
 */
import type { Json } from '../data/canonical.js';
import { asArray, asRecord, isRecord, optNumber, optString, reqNumber, shapeError, type JsonRecord, type Origin } from './read.js';

export interface Table1Group {
  readonly label: string;
  readonly n: number;
}

/** A variable's p-value and the test that gave it (e.g. "Wilcoxon rank-sum test"). */
export interface VariableTest {
  readonly p: number;
  readonly test: string;
}

export type Table1Variable =
  | {
      readonly kind: 'numeric';
      readonly name: string;
      /** Aligned with the result's groups. */
      readonly byGroup: readonly { readonly median: number; readonly q1: number; readonly q3: number; readonly missing: number }[];
      readonly test?: VariableTest | undefined;
      /** Location shift between the first two groups with its CI (compare's Hodges–Lehmann). */
      readonly shift?: { readonly estimate: number; readonly low: number; readonly high: number } | undefined;
    }
  | {
      readonly kind: 'categorical';
      readonly name: string;
      /** Each level with its count per group (aligned with the groups). */
      readonly levels: readonly { readonly label: string; readonly counts: readonly number[] }[];
      readonly missing: readonly number[];
      readonly test?: VariableTest | undefined;
    };

export interface Table1Result {
  /** Which kind wrote it. */
  readonly source: 'describe' | 'compare';
  readonly groups: readonly Table1Group[];
  readonly variables: readonly Table1Variable[];
}

function testOf(r: JsonRecord, origin: Origin, what: string): VariableTest | undefined {
  const found = isRecord(r.wilcoxon)
    ? { rec: r.wilcoxon, test: 'Wilcoxon rank-sum test' }
    : isRecord(r.chisq)
      ? { rec: r.chisq, test: r.chisq.yates === true ? 'chi-squared test with Yates’ continuity correction' : 'chi-squared test' }
      : undefined;
  const p = found === undefined ? undefined : optNumber(found.rec, ['p'], origin, `${what} test`);
  return found === undefined || p === undefined ? undefined : { p, test: found.test };
}

/** Only the tests of a compare result, by variable name (what `tests:` adds to a describe table). */
export function decodeCompareTests(value: Json, origin: Origin): Map<string, VariableTest> {
  const out = new Map<string, VariableTest>();
  asArray(asRecord(value, origin, 'the result').variables, origin, 'variables').forEach((v, i) => {
    const r = asRecord(v, origin, `variables[${i}]`);
    const name = optString(r, ['variable', 'name']);
    const test = testOf(r, origin, `variables[${i}]`);
    if (name !== undefined && test !== undefined) out.set(name, test);
  });
  return out;
}

export function decodeTable1(value: Json, origin: Origin): Table1Result {
  const root = asRecord(value, origin, 'the result');
  const groups = asArray(root.groups, origin, 'groups').map((g, index): Table1Group => {
    const r = asRecord(g, origin, `groups[${index}]`);
    return { label: optString(r, ['label', 'value']) ?? String(index), n: reqNumber(r, ['n'], origin, `groups[${index}]`) };
  });
  if (groups.length === 0) throw shapeError(origin, 'it has no groups', 'give the describe step a `by:` column (the arm)');
  const raw = asArray(root.variables, origin, 'variables');
  const variables = raw.map((v, i): Table1Variable => {
    const what = `variables[${i}]`;
    const r = asRecord(v, origin, what);
    const isCompare = Object.hasOwn(r, 'variable');
    const name = optString(r, ['name', 'variable']) ?? what;
    const type = optString(r, ['type']);
    const perGroup = (): readonly Json[] => asArray(r.groups, origin, `${what}.groups`);
    const test = isCompare ? testOf(r, origin, what) : undefined;
    if (type === 'numeric' || type === 'number') {
      const shift = isRecord(r.shift) ? r.shift : undefined;
      return {
        kind: 'numeric',
        name,
        test,
        byGroup: groups.map((_, g) => {
          const s = asRecord(perGroup()[g], origin, `${what}.groups[${g}]`);
          return { median: reqNumber(s, ['median'], origin, what), q1: reqNumber(s, ['q1'], origin, what), q3: reqNumber(s, ['q3'], origin, what), missing: optNumber(s, ['missing'], origin, what) ?? 0 };
        }),
        shift: shift === undefined ? undefined : { estimate: reqNumber(shift, ['estimate'], origin, `${what}.shift`), low: reqNumber(shift, ['lower', 'conf_low'], origin, `${what}.shift`), high: reqNumber(shift, ['upper', 'conf_high'], origin, `${what}.shift`) },
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
      return { kind: 'categorical', name, levels, missing: groups.map((g) => optNumber(missing, [g.label], origin, `${what}.missing`) ?? 0), test };
    }
    // describe: levels [...], groups [{counts: [...], missing}]
    const levels = asArray(r.levels, origin, `${what}.levels`).map((l) => (typeof l === 'string' ? l : typeof l === 'number' ? String(l) : JSON.stringify(l)));
    const tallies = groups.map((_, g) => asRecord(perGroup()[g], origin, `${what}.groups[${g}]`));
    return {
      kind: 'categorical',
      name,
      levels: levels.map((l, k) => ({ label: l, counts: tallies.map((m) => asArray(m.counts, origin, `${what} counts`)[k] as number) })),
      missing: tallies.map((m) => optNumber(m, ['missing'], origin, what) ?? 0),
    };
  });
  // compare names its variables `variable`, describe `name`.
  const compare = raw.some((v) => isRecord(v) && Object.hasOwn(v, 'variable'));
  return { source: compare ? 'compare' : 'describe', groups, variables };
}
