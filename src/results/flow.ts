/**
 * Patient flow (CONSORT-style), recorded by the steps that keep or drop rows and carried with the data:
 * a table (or imputed set) holds the chain of boxes that made it, upstream first, and each step that
 * reads it appends its own box. A fit's result ends with its own box (the rows it could use), so its
 * flow explains its n; the report's `flow` section draws the chain (src/report/sections/flow.ts).
 *
 * Boxes are recorded by load (the source, with the declared arm column), filter (its `where`), subset
 * (`column = value`), impute (what was imputed) and the fits (missing model variables). A filter or
 * subset that drops no row adds no box, so its output stays byte-identical to its input and the
 * cache's early cut-off still holds. Counts per arm are kept when load declares `arm:`.
 */
import type { Column, Table } from '../data/table.js';
import type { Json, JsonObject } from '../data/canonical.js';
import { asArray, asRecord, optString, reqNumber, type Origin } from './read.js';

export interface FlowArm {
  /** The arm's value in the arm column, as text ("1", "EVT"); "missing" for a missing value. */
  readonly arm: string;
  readonly in: number;
  readonly out: number;
}

export interface FlowBox {
  /** The step (instance) that recorded the box. */
  readonly step: string;
  readonly kind: string;
  readonly in: number;
  readonly out: number;
  /** Why rows were dropped (the filter's condition; "missing model variables: aspects 64, onset 41"), or what was done. */
  readonly reason: string;
  /** Per arm, in the order first seen; empty without an arm column. */
  readonly arms: readonly FlowArm[];
}

export interface Flow {
  /** The arm column declared at load, if any. */
  readonly arm: string | null;
  readonly boxes: readonly FlowBox[];
}

/** A row's arm as text; "missing" for a missing value. */
function armAt(col: Column, i: number): string {
  switch (col.type) {
    case 'number': {
      const v = col.values[i]!;
      return Number.isNaN(v) ? 'missing' : String(v);
    }
    case 'factor': {
      const c = col.codes[i]!;
      return c < 0 ? 'missing' : col.levels[c]!;
    }
    case 'string':
      return col.values[i] ?? 'missing';
  }
}

/** Row counts per arm value of `rows` (all rows when undefined), keys in the order first seen. */
export function armCounts(table: Table, arm: string | null, rows?: ArrayLike<number>): Map<string, number> {
  const out = new Map<string, number>();
  const col = arm === null ? undefined : table.columns.get(arm);
  if (col === undefined) return out;
  const n = rows === undefined ? table.nrows : rows.length;
  for (let k = 0; k < n; k++) {
    const a = armAt(col, rows === undefined ? k : rows[k]!);
    out.set(a, (out.get(a) ?? 0) + 1);
  }
  return out;
}

/**
 * The box of a step that kept `kept` of the `before` table — row indexes (all when undefined), or the
 * table it made (a join: the left rows that matched) — counts in and out, per arm, with the reason.
 */
export function flowBox(step: string, kind: string, reason: string, arm: string | null, before: Table, kept?: ArrayLike<number> | Table): FlowBox {
  const inArms = armCounts(before, arm);
  const after = kept !== undefined && 'columns' in kept ? kept : undefined;
  const rows = after === undefined ? (kept as ArrayLike<number> | undefined) : undefined;
  const outArms = after === undefined ? armCounts(before, arm, rows) : armCounts(after, arm);
  return {
    step,
    kind,
    in: before.nrows,
    out: after !== undefined ? after.nrows : rows === undefined ? before.nrows : rows.length,
    reason,
    arms: [...inArms].map(([a, n]) => ({ arm: a, in: n, out: outArms.get(a) ?? 0 })),
  };
}

export function extendFlow(flow: Flow, box: FlowBox): Flow {
  return { arm: flow.arm, boxes: [...flow.boxes, box] };
}

export function flowJson(flow: Flow): JsonObject {
  return { arm: flow.arm, boxes: flow.boxes.map((b) => ({ step: b.step, kind: b.kind, in: b.in, out: b.out, reason: b.reason, arms: b.arms.map((a) => ({ ...a })) })) };
}

/** The flow codec: a result's or artifact's `flow` JSON back to a Flow. */
export function decodeFlow(value: Json, origin: Origin): Flow {
  const r = asRecord(value, origin, 'flow');
  return {
    arm: optString(r, ['arm']) ?? null,
    boxes: asArray(r.boxes, origin, 'flow.boxes').map((raw, i) => {
      const what = `flow.boxes[${i}]`;
      const b = asRecord(raw, origin, what);
      return {
        step: optString(b, ['step']) ?? '?',
        kind: optString(b, ['kind']) ?? '?',
        in: reqNumber(b, ['in'], origin, what),
        out: reqNumber(b, ['out'], origin, what),
        reason: optString(b, ['reason']) ?? '',
        arms: asArray(b.arms ?? [], origin, `${what}.arms`).map((x, k) => {
          const a = asRecord(x, origin, `${what}.arms[${k}]`);
          return { arm: optString(a, ['arm']) ?? '?', in: reqNumber(a, ['in'], origin, what), out: reqNumber(a, ['out'], origin, what) };
        }),
      };
    }),
  };
}

/**
 * The ways a flow fails to add up, as sentences (empty when it adds up): each box's in equals the
 * previous box's out, out ≤ in, and the arms' counts sum to the box's.
 */
export function flowProblems(flow: Flow): string[] {
  const problems: string[] = [];
  flow.boxes.forEach((b, i) => {
    const prev = flow.boxes[i - 1];
    if (prev !== undefined && prev.out !== b.in) problems.push(`box ${i + 1} (${b.step}) starts with ${b.in} rows, but box ${i} (${prev.step}) ended with ${prev.out}`);
    if (b.out > b.in) problems.push(`box ${i + 1} (${b.step}) has more rows out (${b.out}) than in (${b.in})`);
    if (b.arms.length > 0) {
      const sumIn = b.arms.reduce((s, a) => s + a.in, 0);
      const sumOut = b.arms.reduce((s, a) => s + a.out, 0);
      if (sumIn !== b.in || sumOut !== b.out) problems.push(`box ${i + 1} (${b.step}): the arms add up to ${sumIn} in and ${sumOut} out, not ${b.in} and ${b.out}`);
    }
  });
  return problems;
}
