/**
 * The bootstrap result family: what `bootstrap` writes (src/nodes/bootstrap.ts) read back into one
 * typed value: `estimates: [{name, original, mean, bias, se, n_replicates, percentile: {lower, upper}
 * | null, bca: {lower, upper, acceleration} | null, notes}]`, `replicates` (B), `failed: {count,
 * reasons}`, and the named table `replicates` with one column per estimate (NaN = a failed replicate).
 */
import type { Artifact } from '../data/artifact.js';
import type { Json } from '../data/canonical.js';
import { asArray, asRecord, isRecord, optNumber, optString, reqNumber, type Origin } from './read.js';

export interface Interval {
  readonly lower: number;
  readonly upper: number;
}

export interface BootstrapEstimate {
  readonly name: string;
  readonly original?: number | undefined;
  readonly mean?: number | undefined;
  readonly se?: number | undefined;
  readonly percentile?: Interval | undefined;
  readonly bca?: Interval | undefined;
  readonly notes: readonly string[];
}

export interface Bootstrap {
  readonly replicates?: number | undefined;
  readonly failed: number;
  readonly estimates: readonly BootstrapEstimate[];
  /** The finite replicate values of an estimate (empty when the result carries no replicates table). */
  values(name: string): number[];
}

function interval(v: Json | undefined, origin: Origin, what: string): Interval | undefined {
  if (!isRecord(v)) return undefined;
  return { lower: reqNumber(v, ['lower'], origin, what), upper: reqNumber(v, ['upper'], origin, what) };
}

export function decodeBootstrap(value: Json, artifact: Artifact | undefined, origin: Origin): Bootstrap {
  const root = asRecord(value, origin, 'the result');
  const estimates = asArray(root.estimates, origin, 'estimates').map((raw, i): BootstrapEstimate => {
    const what = `estimates[${i}]`;
    const r = asRecord(raw, origin, what);
    return {
      name: optString(r, ['name']) ?? '',
      original: optNumber(r, ['original'], origin, what),
      mean: optNumber(r, ['mean'], origin, what),
      se: optNumber(r, ['se'], origin, what),
      percentile: interval(r.percentile, origin, `${what}.percentile`),
      bca: interval(r.bca, origin, `${what}.bca`),
      notes: asArray(r.notes ?? [], origin, `${what}.notes`).filter((n): n is string => typeof n === 'string'),
    };
  });
  const table = artifact?.type === 'result' ? artifact.tables?.get('replicates') : undefined;
  return {
    replicates: optNumber(root, ['replicates'], origin, 'the result'),
    failed: isRecord(root.failed) ? (optNumber(root.failed, ['count'], origin, 'failed') ?? 0) : 0,
    estimates,
    values(name) {
      const col = table?.columns.get(name);
      return col?.type === 'number' ? Array.from(col.values).filter((v) => Number.isFinite(v)) : [];
    },
  };
}
