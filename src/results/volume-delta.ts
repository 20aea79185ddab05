/**
 * The volume-delta result family: what `volume_delta` writes (src/nodes/volume_delta.ts) read back
 * into one typed value:
 *
 *   value.summaries: [{delta, solved, exceeds_volume, target_ge_1, not_reached, median, q1, q3, mean, min, max}]
 *   value.variable, value.where (e.g. "fiv_ml < 80"), value.patients, value.cut, value.excluded_missing,
 *   value.curve.adjusted_to; tables.curve: columns <variable>, probability, lower, upper
 */
import type { Artifact } from '../data/artifact.js';
import { asArray, asRecord, isRecord, optNumber, optString, reqNumber, shapeError, type Origin } from './read.js';

export interface VolumeDeltaSummary {
  /** Gain in adjusted probability, as a proportion (0.01 = 1 point). */
  readonly delta: number;
  readonly solved: number;
  /** Not achievable: the reduction would exceed the volume, the target is ≥ 1, or it was not reached. */
  readonly exceedsVolume: number;
  readonly targetGe1: number;
  readonly notReached: number;
  readonly median: number;
  readonly q1: number;
  readonly q3: number;
  readonly mean?: number | undefined;
  readonly min?: number | undefined;
  readonly max?: number | undefined;
}

export interface VolumeDelta {
  readonly summaries: readonly VolumeDeltaSummary[];
  readonly variable?: string | undefined;
  /** The analysed subset's condition, e.g. `fiv_ml < 80`. */
  readonly where?: string | undefined;
  readonly patients?: number | undefined;
  /** The volume cut (undefined when the subset has no simple cut). */
  readonly cut?: number | undefined;
  readonly excludedMissing?: number | undefined;
  /** What the curve was adjusted to. */
  readonly adjustedTo?: string | undefined;
  /** The adjusted probability curve with its pointwise band. */
  readonly curve: readonly { readonly x: number; readonly p: number; readonly low: number; readonly high: number }[];
}

export function decodeVolumeDelta(artifact: Artifact, origin: Origin): VolumeDelta {
  if (artifact.type !== 'result') throw shapeError(origin, `it produced a ${artifact.type}`);
  const root = asRecord(artifact.value, origin, 'the result');
  const summaries = asArray(root.summaries, origin, 'summaries').map((raw, i): VolumeDeltaSummary => {
    const what = `summaries[${i}]`;
    const r = asRecord(raw, origin, what);
    return {
      delta: reqNumber(r, ['delta'], origin, what),
      solved: reqNumber(r, ['solved'], origin, what),
      exceedsVolume: optNumber(r, ['exceeds_volume'], origin, what) ?? 0,
      targetGe1: optNumber(r, ['target_ge_1'], origin, what) ?? 0,
      notReached: optNumber(r, ['not_reached'], origin, what) ?? 0,
      median: reqNumber(r, ['median'], origin, what),
      q1: reqNumber(r, ['q1'], origin, what),
      q3: reqNumber(r, ['q3'], origin, what),
      mean: optNumber(r, ['mean'], origin, what),
      min: optNumber(r, ['min'], origin, what),
      max: optNumber(r, ['max'], origin, what),
    };
  });
  const variable = optString(root, ['variable']);
  const table = artifact.tables?.get('curve');
  let curve: VolumeDelta['curve'] = [];
  if (table !== undefined) {
    const col = (name: string): Float64Array => {
      const c = table.columns.get(name);
      if (c?.type !== 'number') throw shapeError(origin, `its curve table has no numeric column "${name}" (columns: ${[...table.columns.keys()].join(', ')})`);
      return c.values;
    };
    const x = col(variable ?? 'volume');
    const p = col('probability');
    const lo = col('lower');
    const hi = col('upper');
    curve = Array.from(x, (v, i) => ({ x: v, p: p[i]!, low: lo[i]!, high: hi[i]! }));
  }
  const cut = optNumber(root, ['cut'], origin, 'the result');
  return {
    summaries,
    variable,
    where: optString(root, ['where']),
    patients: optNumber(root, ['patients'], origin, 'the result'),
    // volume_delta writes `cut: null` when its subset has no simple volume cut.
    cut: cut === undefined || Number.isNaN(cut) ? undefined : cut,
    excludedMissing: optNumber(root, ['excluded_missing'], origin, 'the result'),
    adjustedTo: isRecord(root.curve) ? optString(root.curve, ['adjusted_to']) : undefined,
    curve,
  };
}
