/**
 * The reference arm of a trial_design step (the volumes a treated arm is compared with, and their mRS)
 * and the effects, with the checks that name the parameter at fault.
 */
import { type Table, getColumn } from '../data/table.js';
import { DataError } from '../errors.js';
import { evaluate, parseExpression } from '../stats/expr.js';
import { applyEffect, type VolumeEffect } from '../stats/trial/effect.js';
import type { TrialDesignParams } from './trial_design.js';

const MIN_REFERENCE = 10;

export interface ReferenceArm {
  readonly volumes: Float64Array;
  /** mRS category codes aligned with volumes (with `mrs:`). */
  readonly mrs: Int32Array | undefined;
  readonly mrsLabels: string[];
  readonly excludedMissing: number;
}

export function rowsWhere(table: Table, src: string | undefined, what: string): Uint8Array {
  const keep = new Uint8Array(table.nrows).fill(1);
  if (src === undefined) return keep;
  const col = evaluate(parseExpression(src), table);
  if (col.type !== 'number') throw new DataError(`trial_design ${what}: "${src}" gives text values, a condition was expected`, { hint: `write e.g. ${what}: "evt == 0"` });
  for (let i = 0; i < table.nrows; i++) keep[i] = col.values[i]! !== 0 && !Number.isNaN(col.values[i]!) ? 1 : 0;
  return keep;
}

export function referenceArm(p: TrialDesignParams, table: Table, categories: readonly string[]): ReferenceArm {
  const arm = rowsWhere(table, p.arm, 'arm');
  const vcol = getColumn(table, p.volume, 'trial_design volume:');
  if (vcol.type !== 'number') throw new DataError(`trial_design volume: "${p.volume}" is not a numeric column`);
  const mcol = p.mrs === undefined ? undefined : getColumn(table, p.mrs, 'trial_design mrs:');
  if (mcol !== undefined && mcol.type !== 'number') throw new DataError(`trial_design mrs: "${p.mrs!}" is not a numeric column (the mRS as 0 … 6)`);
  const volumes: number[] = [];
  const mrsValues: number[] = [];
  let excluded = 0;
  for (let i = 0; i < table.nrows; i++) {
    if (arm[i] !== 1) continue;
    const v = vcol.values[i]!;
    const m = mcol?.values[i];
    if (Number.isNaN(v) || (m !== undefined && Number.isNaN(m))) {
      excluded++;
      continue;
    }
    if (v < 0) throw new DataError(`trial_design volume: row ${i + 1} of "${p.reference}" has a negative volume (${v} mL)`);
    volumes.push(v);
    if (m !== undefined) mrsValues.push(m);
  }
  if (volumes.length < MIN_REFERENCE) {
    throw new DataError(`trial_design reference: the reference arm has ${volumes.length} volume${volumes.length === 1 ? '' : 's'}${p.arm === undefined ? '' : ` (arm: ${p.arm})`}; at least ${MIN_REFERENCE} are needed`, {
      hint: `check arm: and the missing values of "${p.volume}" in "${p.reference}" (${excluded} rows of the arm have none)`,
    });
  }
  let mrs: Int32Array | undefined;
  let labels: string[] = [];
  if (p.mrs !== undefined) {
    labels = categories.length > 0 ? [...categories] : [...new Set(mrsValues)].sort((a, b) => a - b).map(String);
    const code = new Map<string, number>();
    labels.forEach((l, k) => {
      for (const part of [l, ...l.split('-')]) if (!code.has(part)) code.set(part, k);
    });
    mrs = Int32Array.from(mrsValues, (v) => {
      const c = code.get(String(v));
      if (c === undefined) throw new DataError(`trial_design mrs: the value ${v} of "${p.mrs!}" is not one of the outcome model's categories (${labels.join(', ')})`);
      return c;
    });
  }
  return { volumes: Float64Array.from(volumes), mrs, mrsLabels: labels, excludedMissing: excluded };
}

export function effectsOf(p: TrialDesignParams): VolumeEffect[] {
  return [...(p.effects.ratio ?? []).map((value) => ({ kind: 'ratio' as const, value })), ...(p.effects.absolute_ml ?? []).map((value) => ({ kind: 'absolute' as const, value }))];
}

/** null for a non-finite number (a size that cannot be reached). */
export function checkLogScale(p: TrialDesignParams, volumes: Float64Array, effects: readonly VolumeEffect[]): void {
  let zero = 0;
  for (const v of volumes) if (!(v + p.log_offset > 0)) zero++;
  if (zero > 0) throw new DataError(`trial_design log_offset: ${zero} reference volume${zero === 1 ? ' is' : 's are'} 0 mL, whose log is undefined`, { hint: 'set log_offset (e.g. 1 mL: log_t then analyses log(volume + 1)), or drop log_t from tests' });
  effects.forEach((e) => {
    if (e.kind === 'absolute' && !(p.min_volume + p.log_offset > 0)) {
      throw new DataError(`trial_design log_offset: the absolute reduction of ${e.value} mL takes volumes to ${p.min_volume} mL, whose log is undefined`, { hint: 'set log_offset (e.g. 1 mL) or min_volume > 0, or drop log_t from tests' });
    }
  });
}

export function meanDifference(volumes: Float64Array, e: VolumeEffect, floor: number): number {
  const h = applyEffect(e, volumes, floor).volumes;
  let s = 0;
  for (let i = 0; i < volumes.length; i++) s += volumes[i]! - h[i]!;
  return s / volumes.length;
}
