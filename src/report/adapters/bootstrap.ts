/**
 * From a bootstrap result (decoded by src/results/bootstrap.ts) to the report's view of one estimate:
 * its original value, bootstrap mean and SE, its CIs, and its replicates for the histogram.
 */
import type { Artifact } from '../../data/artifact.js';
import type { Json } from '../../data/canonical.js';
import { decodeBootstrap } from '../../results/bootstrap.js';
import { shapeError, type Origin } from '../../results/read.js';

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

export function bootstrapFromResult(value: Json, artifact: Artifact, origin: Origin, wanted: string | undefined): BootstrapView {
  const b = decodeBootstrap(value, artifact, origin);
  const names = b.estimates.map((e) => e.name);
  const idx = wanted === undefined ? (names.length === 1 ? 0 : -1) : names.indexOf(wanted);
  if (idx < 0) {
    const hint = `the bootstrap's estimates: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''}`;
    throw shapeError(origin, wanted === undefined ? `it has ${names.length} estimates and the section names none` : `it has no estimate "${wanted}"`, `set the section's estimate: to one of ${hint}`);
  }
  const e = b.estimates[idx]!;
  const cis: BootstrapView['cis'] = [];
  if (e.percentile !== undefined) cis.push({ method: 'percentile', low: e.percentile.lower, high: e.percentile.upper });
  if (e.bca !== undefined) cis.push({ method: 'BCa', low: e.bca.lower, high: e.bca.upper });
  const values = b.values(e.name);
  const failed = b.failed;
  return {
    estimateName: e.name,
    estimate: e.original,
    mean: e.mean,
    se: e.se,
    cis,
    replicates: b.replicates ?? values.length,
    failed,
    values,
    notes: failed > 0 ? [...e.notes, `${failed} replicate${failed === 1 ? '' : 's'} failed and ${failed === 1 ? 'is' : 'are'} left out.`] : [...e.notes],
  };
}
