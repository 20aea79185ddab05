/**
 * From a volume_delta result (src/nodes/volume_delta.ts) to the volume-delta table rows and the
 * adjusted probability curve:
 *
 *   value.summaries: [{delta, patients, solved, exceeds_volume, target_ge_1, not_reached, median,
 *                      q1, q3, mean, min, max}]
 *   value.variable, value.where (e.g. "fiv_ml < 80"), value.patients, value.curve.adjusted_to
 *   tables.curve: columns <variable>, probability, lower, upper
 */
import type { Artifact } from '../../data/artifact.js';
import type { CurvePoint } from '../figures/probability-curve.js';
import type { VolumeDeltaRow } from '../sections/volume-delta.js';
import { asArray, asRecord, isRecord, optNumber, optString, reqNumber, shapeError, type Origin } from '../../results/read.js';

export interface VolumeDeltaView {
  readonly rows: VolumeDeltaRow[];
  readonly curve: CurvePoint[];
  /** The volume cut the step recorded (from its `where` or its `cut:`), if any. */
  readonly cut?: number | undefined;
  readonly n?: number | undefined;
  /** The analysed subset (`Patients with fiv_ml < 80; …`): true of this instance only. */
  readonly subsetNote?: string | undefined;
  /** What the curve was adjusted to (`Curve adjusted to …`): true of this instance only. */
  readonly curveNote?: string | undefined;
  /** Notes true of every volume_delta result. */
  readonly notes: string[];
}

export function volumeDeltaFromResult(artifact: Artifact, origin: Origin): VolumeDeltaView {
  if (artifact.type !== 'result') throw shapeError(origin, `it produced a ${artifact.type}`);
  const root = asRecord(artifact.value, origin, 'the result');
  const rows = asArray(root.summaries, origin, 'summaries').map((raw, i): VolumeDeltaRow => {
    const what = `summaries[${i}]`;
    const r = asRecord(raw, origin, what);
    const notAchievable = ['exceeds_volume', 'target_ge_1', 'not_reached'].reduce((a, k) => a + (optNumber(r, [k], origin, what) ?? 0), 0);
    return {
      delta: reqNumber(r, ['delta'], origin, what),
      solved: reqNumber(r, ['solved'], origin, what),
      notAchievable,
      median: reqNumber(r, ['median'], origin, what),
      q1: reqNumber(r, ['q1'], origin, what),
      q3: reqNumber(r, ['q3'], origin, what),
      mean: optNumber(r, ['mean'], origin, what),
      min: optNumber(r, ['min'], origin, what),
      max: optNumber(r, ['max'], origin, what),
    };
  });
  const variable = optString(root, ['variable']);
  const where = optString(root, ['where']);
  const table = artifact.tables?.get('curve');
  let curve: CurvePoint[] = [];
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
  const adjusted = isRecord(root.curve) ? optString(root.curve, ['adjusted_to']) : undefined;
  const excluded = optNumber(root, ['excluded_missing'], origin, 'the result');
  const subsetNote = where === undefined ? undefined : `Patients with ${where}${excluded !== undefined && excluded > 0 ? `; ${excluded} more excluded for missing model variables` : ''}.`;
  const curveNote = adjusted === undefined ? undefined : `Curve adjusted to the ${adjusted}.`;
  const notes = [
    'Volume reduction that raises the patient’s adjusted probability of mRS 0–2 (logistic model) by the stated number of percentage points. Not achievable: the reduction would exceed the patient’s volume, or the target probability is 1 or more.',
  ];
  return { rows, curve, cut: nonNull(optNumber(root, ['cut'], origin, 'the result')), n: optNumber(root, ['patients'], origin, 'the result'), subsetNote, curveNote, notes };
}

/** volume_delta writes `cut: null` when its subset has no simple volume cut. */
function nonNull(x: number | undefined): number | undefined {
  return x === undefined || Number.isNaN(x) ? undefined : x;
}
