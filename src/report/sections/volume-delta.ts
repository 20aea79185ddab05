/**
 * The volume-delta table (HERMES): per target gain in adjusted probability of mRS 0–2 (+1, +5, +10
 * points), the distribution over patients of the volume reduction that achieves it, with the counts
 * solved and not achievable.
 */
import { formatMedianIqr, formatNumber, MISSING } from '../format.js';
import type { PaperTable, TableRow } from '../table.js';
import type { VolumeDeltaSummary } from '../../results/volume-delta.js';

/** A row of the table: a volume_delta summary (src/results/volume-delta.ts) with its not-achievable counts added up. */
export interface VolumeDeltaRow extends Pick<VolumeDeltaSummary, 'delta' | 'solved' | 'median' | 'q1' | 'q3' | 'mean' | 'min' | 'max'> {
  readonly notAchievable: number;
}

export interface VolumeDeltaGroup {
  /** A heading row (e.g. "modality = CT") when the table shows several analyses. */
  readonly label?: string | undefined;
  /** Patients in the analysed subset. */
  readonly n?: number | undefined;
  readonly rows: readonly VolumeDeltaRow[];
}

export interface VolumeDeltaInput {
  readonly caption: string;
  readonly groups: readonly VolumeDeltaGroup[];
  readonly notes?: readonly string[];
}

export function volumeDeltaTable(t: VolumeDeltaInput): PaperTable {
  const row = (r: VolumeDeltaRow, indent: boolean): TableRow => ({
    style: indent ? 'indent' : undefined,
    cells: [
      deltaLabel(r.delta),
      String(r.solved),
      String(r.notAchievable),
      formatMedianIqr(r.median, r.q1, r.q3, 1),
      formatNumber(r.mean, 1),
      r.min === undefined || r.max === undefined ? MISSING : `${formatNumber(r.min, 1)}–${formatNumber(r.max, 1)}`,
    ],
  });
  const body = t.groups.flatMap((g): TableRow[] =>
    g.label === undefined
      ? g.rows.map((r) => row(r, false))
      : [{ style: 'group', cells: [g.n === undefined ? g.label : `${g.label} (n = ${g.n})`, '', '', '', '', ''] }, ...g.rows.map((r) => row(r, true))],
  );
  const single = t.groups.length === 1 ? t.groups[0] : undefined;
  return {
    caption: t.caption,
    className: 'volume-delta',
    head: [['Gain in adjusted probability of mRS 0–2', 'Patients solved', 'Not achievable', 'Volume reduction, median (IQR), mL', 'Mean, mL', 'Range, mL']],
    body,
    notes: [...(single?.n === undefined ? [] : [`${single.n} patients in the subset.`]), ...(t.notes ?? [])],
  };
}

/** `+1 point`, `+5 points`, `+2.5 points` for δ = 0.01, 0.05, 0.025. */
export function deltaLabel(delta: number): string {
  const points = Math.round(delta * 1e6) / 1e4;
  return `+${formatNumber(points, Number.isInteger(points) ? 0 : 1)} point${points === 1 ? '' : 's'}`;
}
