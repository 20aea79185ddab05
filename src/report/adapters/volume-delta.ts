/**
 * From a volume_delta result (decoded by src/results/volume-delta.ts) to the volume-delta table rows,
 * the adjusted probability curve and the notes.
 */
import type { Artifact } from '../../data/artifact.js';
import { decodeVolumeDelta } from '../../results/volume-delta.js';
import type { Origin } from '../../results/read.js';
import type { CurvePoint } from '../figures/probability-curve.js';
import type { VolumeDeltaRow } from '../sections/volume-delta.js';

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
  const vd = decodeVolumeDelta(artifact, origin);
  const rows = vd.summaries.map((s): VolumeDeltaRow => ({
    delta: s.delta,
    solved: s.solved,
    notAchievable: s.exceedsVolume + s.targetGe1 + s.notReached,
    median: s.median,
    q1: s.q1,
    q3: s.q3,
    mean: s.mean,
    min: s.min,
    max: s.max,
  }));
  const excluded = vd.excludedMissing;
  const subsetNote = vd.where === undefined ? undefined : `Patients with ${vd.where}${excluded !== undefined && excluded > 0 ? `; ${excluded} more excluded for missing model variables` : ''}.`;
  const curveNote = vd.adjustedTo === undefined ? undefined : `Curve adjusted to the ${vd.adjustedTo}.`;
  const notes = [
    'Volume reduction that raises the patient’s adjusted probability of mRS 0–2 (logistic model) by the stated number of percentage points. Not achievable: the reduction would exceed the patient’s volume, or the target probability is 1 or more.',
  ];
  return { rows, curve: [...vd.curve], cut: vd.cut, n: vd.patients, subsetNote, curveNote, notes };
}
