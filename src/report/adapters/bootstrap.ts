/**
 * From a bootstrap result (src/nodes/bootstrap.ts) to the histogram of one estimate's replicates and
 * its summary: `estimates: [{name, original, mean, bias, se, n_replicates, percentile: {lower, upper}
 * | null, bca: {lower, upper, acceleration} | null, notes}]`, `replicates` (B), `failed: {count,
 * reasons}`, and the named table `replicates` with one column per estimate path (NaN = failed).
 */
import type { Artifact } from '../../data/artifact.js';
import type { Json } from '../../data/canonical.js';
import { asArray, asRecord, isRecord, optNumber, optString, reqNumber, shapeError, type JsonRecord, type Origin } from '../../results/read.js';

export interface BootstrapView {
  readonly estimateName: string;
  readonly estimate: number | undefined;
  readonly mean: number | undefined;
  readonly se: number | undefined;
  readonly cis: { method: string; low: number; high: number }[];
  readonly replicates: number;
  readonly failed: number;
  readonly values: number[];
  readonly notes: string[];
}

function interval(v: Json | undefined, origin: Origin, what: string): [number, number] | undefined {
  if (!isRecord(v)) return undefined;
  return [reqNumber(v, ['lower'], origin, what), reqNumber(v, ['upper'], origin, what)];
}

export function bootstrapFromResult(value: Json, artifact: Artifact, origin: Origin, wanted: string | undefined): BootstrapView {
  const root = asRecord(value, origin, 'the result');
  const rows = asArray(root.estimates, origin, 'estimates').map((r, i) => asRecord(r, origin, `estimates[${i}]`));
  const names = rows.map((r) => optString(r, ['name']) ?? '');
  const idx = wanted === undefined ? (rows.length === 1 ? 0 : -1) : names.indexOf(wanted);
  if (idx < 0) {
    const hint = `the bootstrap's estimates: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''}`;
    throw shapeError(origin, wanted === undefined ? `it has ${rows.length} estimates and the section names none` : `it has no estimate "${wanted}"`, `set the section's estimate: to one of ${hint}`);
  }
  const r: JsonRecord = rows[idx]!;
  const name = names[idx]!;
  const what = `estimates[${idx}]`;
  const cis: BootstrapView['cis'] = [];
  const pc = interval(r.percentile, origin, `${what}.percentile`);
  if (pc !== undefined) cis.push({ method: 'percentile', low: pc[0], high: pc[1] });
  const bca = interval(r.bca, origin, `${what}.bca`);
  if (bca !== undefined) cis.push({ method: 'BCa', low: bca[0], high: bca[1] });
  let values: number[] = [];
  const col = artifact.type === 'result' ? artifact.tables?.get('replicates')?.columns.get(name) : undefined;
  if (col?.type === 'number') values = Array.from(col.values).filter((v) => Number.isFinite(v));
  const failed = isRecord(root.failed) ? (optNumber(root.failed, ['count'], origin, 'failed') ?? 0) : 0;
  const notes = asArray(r.notes ?? [], origin, `${what}.notes`).filter((n): n is string => typeof n === 'string');
  return {
    estimateName: name,
    estimate: optNumber(r, ['original'], origin, what),
    mean: optNumber(r, ['mean'], origin, what),
    se: optNumber(r, ['se'], origin, what),
    cis,
    replicates: optNumber(root, ['replicates'], origin, 'the result') ?? values.length,
    failed,
    values,
    notes: failed > 0 ? [...notes, `${failed} replicate${failed === 1 ? '' : 's'} failed and ${failed === 1 ? 'is' : 'are'} left out.`] : notes,
  };
}
