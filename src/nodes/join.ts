/**
 * `kind: join` — merges two tables by key columns, as R's `merge` (src/data/join.ts): a clinical table
 * with an imaging core-lab table. The relationship is declared and checked; duplicated keys are an
 * error, unmatched keys are listed (a warning, or an error with `unmatched: error`).
 */
import { DATA } from '../results/products.js';
import { keptTable } from './flow-record.js';
import type { StepKind } from './kind.js';
import { inputTable } from './input-table.js';
import { joinTables } from '../data/join.js';
import { DataError, listNames } from '../errors.js';

type Keys = string | readonly string[];

export interface JoinParams {
  readonly left: string;
  readonly right: string;
  /** Key columns with the same names on both sides, or `{left: [...], right: [...]}` (R's by.x, by.y). */
  readonly by: Keys | { readonly left: Keys; readonly right: Keys };
  readonly how: 'inner' | 'left';
  readonly relationship: 'one-to-one' | 'many-to-one';
  readonly unmatched: 'warn' | 'error';
  readonly suffix: readonly [string, string];
}

const keysSchema = {
  anyOf: [
    { type: 'string', minLength: 1 },
    { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
  ],
} as const;

const list = (k: Keys): readonly string[] => (typeof k === 'string' ? [k] : k);

function keysOf(p: JoinParams): { left: readonly string[]; right: readonly string[] } {
  if (typeof p.by === 'string' || Array.isArray(p.by)) return { left: list(p.by as Keys), right: list(p.by as Keys) };
  const by = p.by as { left: Keys; right: Keys };
  return { left: list(by.left), right: list(by.right) };
}

export const join: StepKind<JoinParams> = {
  kind: 'join',
  version: 2,
  produces: 'table',
  summary: 'Merge two tables by key columns (R\'s merge): inner or left, the one-to-one or many-to-one relationship checked, duplicate and unmatched keys listed',
  params: {
    type: 'object',
    properties: {
      left: { type: 'string', description: 'The step whose table is kept whole (how: left) and whose row order the result keeps.' },
      right: { type: 'string', description: 'The step whose table is matched to it (at most one row per key).' },
      by: {
        description: 'The key columns: a name or list of names present in both tables, or {left: [...], right: [...]} when they are named differently (R\'s by.x, by.y).',
        anyOf: [
          ...keysSchema.anyOf,
          { type: 'object', properties: { left: keysSchema, right: keysSchema }, required: ['left', 'right'], additionalProperties: false },
        ],
      },
      how: { enum: ['inner', 'left'], default: 'inner', description: 'inner: only the left rows with a match (R\'s merge); left: every left row, the right\'s columns missing where there is none (all.x = TRUE).' },
      relationship: {
        enum: ['one-to-one', 'many-to-one'],
        default: 'one-to-one',
        description: 'Checked: one-to-one (each key once on each side) or many-to-one (several left rows share a right row). A key twice on the right is always an error.',
      },
      unmatched: { enum: ['warn', 'error'], default: 'warn', description: 'Keys of either table without a match: listed in a warning, or an error.' },
      suffix: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2, default: ['.x', '.y'], description: 'Appended to other columns present in both tables (R\'s suffixes).' },
    },
    required: ['left', 'right', 'by'],
    additionalProperties: false,
  },
  inputs: ['left', 'right'],
  accepts: { left: DATA, right: DATA },
  check(p) {
    const { left, right } = keysOf(p);
    const problems: { path: string; message: string; hint?: string }[] = [];
    if (left.length !== right.length) problems.push({ path: 'by', message: `${left.length} left key${left.length === 1 ? '' : 's'} but ${right.length} right key${right.length === 1 ? '' : 's'}`, hint: 'give as many key columns on each side, in matching order' });
    if (p.suffix[0] === p.suffix[1]) problems.push({ path: 'suffix', message: 'the two suffixes must differ' });
    return problems;
  },
  run(params, inputs, ctx) {
    const { left, right } = keysOf(params);
    const l = inputTable(inputs, params.left, 'join left:');
    const r = inputTable(inputs, params.right, 'join right:');
    const out = joinTables(l, r, {
      leftName: params.left,
      rightName: params.right,
      byLeft: left,
      byRight: right,
      how: params.how,
      relationship: params.relationship,
      suffix: params.suffix,
    });
    const problems: string[] = [];
    if (out.unmatchedLeft.length > 0) {
      problems.push(`${out.unmatchedLeft.length} row${out.unmatchedLeft.length === 1 ? '' : 's'} of "${params.left}" ha${out.unmatchedLeft.length === 1 ? 's' : 've'} no match in "${params.right}"${params.how === 'inner' ? ' (left out)' : ' (kept, its columns missing)'}: ${listNames(out.unmatchedLeft)}`);
    }
    if (out.unmatchedRight.length > 0) {
      problems.push(`${out.unmatchedRight.length} row${out.unmatchedRight.length === 1 ? '' : 's'} of "${params.right}" match${out.unmatchedRight.length === 1 ? 'es' : ''} no row of "${params.left}" (left out): ${listNames(out.unmatchedRight)}`);
    }
    if (out.missingKeys > 0) problems.push(`${out.missingKeys} row${out.missingKeys === 1 ? '' : 's'} of "${params.left}" ha${out.missingKeys === 1 ? 's' : 've'} a missing key value and match${out.missingKeys === 1 ? 'es' : ''} nothing`);
    if (problems.length > 0 && params.unmatched === 'error') {
      throw new DataError(`join: ${problems.join('; ')}`, { hint: 'check the key columns (a typo, leading zeros, a different ID format), or set unmatched: warn to go on' });
    }
    for (const p of problems) ctx.warn(`join: ${p}`);
    if (out.table.nrows === 0) ctx.warn(`join: no row of "${params.left}" matches "${params.right}"`);
    // The patient flow follows the left table: a left join keeps every row (no box), an inner join drops the unmatched.
    return keptTable(inputs, params.left, l, out.table, { step: ctx.step, kind: 'join', reason: `no match in ${params.right} by ${left.join(', ')}` });
  },
};
