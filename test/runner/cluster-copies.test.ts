/**
 * A clustered bootstrap of a mixed model (bootstrap with `cluster:`; src/runner/replicate/worker.ts
 * withClusterCopies, src/stats/resample.ts drawCopies): a cluster drawn twice is two clusters of the
 * replicate (the cluster bootstrap's rule, Stata's idcluster), so a random effect for the cluster column
 * gets one effect per draw. And the row-samples fast path, which has no cluster effect, leaves a mixed
 * fit_ordinal to the step. On ordinal::wine (72 ratings, 9 judges) with `(1 | judge)`.
 */
import { describe, expect, it } from 'vitest';
import { getNumeric, takeRows, withColumn, type Table } from '../../src/data/table.js';
import { numericLeaves } from '../../src/nodes/bootstrap-estimates.js';
import { bootstrapSample, type BootstrapSampleArgs } from '../../src/nodes/bootstrap-samples.js';
import { fitOrdinalStep, type FitOrdinalParams } from '../../src/nodes/fit_ordinal.js';
import type { BatchArgs, StepKind } from '../../src/nodes/kind.js';
import { runSamplesWith, withClusterCopies, type SampleShared } from '../../src/runner/replicate/worker.js';
import { drawCopies, resamplingDesign } from '../../src/stats/resample.js';
import { testContext } from '../support/context.js';
import { wine } from '../stats/mixed-support.js';

const table = wine();
const judge = table.columns.get('judge')!;
if (judge.type !== 'factor') throw new Error('judge is a factor');

describe('withClusterCopies: each further draw of a cluster becomes a cluster of its own', () => {
  const rows = Int32Array.of(0, 1, 8, 9, 0, 1, 0);
  const copies = Int32Array.of(0, 0, 0, 0, 1, 1, 2);

  it('a factor: new levels "<level> [k]" after the existing ones; first draws and missing codes keep theirs', () => {
    const t = takeRows(table, rows);
    const out = withClusterCopies(t, 'judge', copies).columns.get('judge')!;
    if (out.type !== 'factor') throw new Error('still a factor');
    expect(out.levels).toEqual([...judge.levels, '1 [2]', '1 [3]']);
    expect(Array.from(out.codes)).toEqual([0, 0, 1, 1, 9, 9, 10]); // rows 8 and 9 are judge 2
    const withMissing = withColumn(t, 'judge', { type: 'factor', levels: judge.levels, codes: Int32Array.of(0, 0, 1, 1, -1, 0, 0) });
    const m = withClusterCopies(withMissing, 'judge', copies).columns.get('judge')!;
    if (m.type !== 'factor') throw new Error('still a factor');
    expect(Array.from(m.codes)).toEqual([0, 0, 1, 1, -1, 9, 10]);
  });

  it('a text column: "<value> [k]"; null stays null', () => {
    const t: Table = { nrows: 4, columns: new Map([['site', { type: 'string', values: ['a', 'a', null, 'b'] }]]) };
    const out = withClusterCopies(t, 'site', Int32Array.of(0, 1, 1, 2)).columns.get('site')!;
    expect(out).toEqual({ type: 'string', values: ['a', 'a [2]', null, 'b [3]'] });
  });

  it('a numeric column: v + k (1 + max |v|), so that no copy takes another cluster\'s code; NaN stays NaN', () => {
    const t: Table = { nrows: 5, columns: new Map([['centre', { type: 'number', values: Float64Array.of(3, 3, -7, Number.NaN, 3) }]]) };
    const out = getNumeric(withClusterCopies(t, 'centre', Int32Array.of(0, 0, 1, 1, 2)), 'centre');
    expect(Array.from(out)).toEqual([3, 3, -7 + 8, Number.NaN, 3 + 16]);
  });

  it('no repeated cluster, or no such column: the table itself', () => {
    const t = takeRows(table, rows);
    expect(withClusterCopies(t, 'judge', new Int32Array(rows.length))).toBe(t);
    expect(withClusterCopies(t, 'no_such_column', copies)).toBe(t);
  });
});

describe('a clustered bootstrap of fit_ordinal with (1 | judge)', () => {
  const params: FitOrdinalParams = { input: 'wine', formula: 'rating ~ temp + contact + (1 | judge)', level: 0.95, merge: [], favourable: 'low', nominal_test: false, brant: false };
  const design: BootstrapSampleArgs = { ...resamplingDesign(table.nrows, null, judge.codes), clusterColumn: 'judge' };

  it('the fast path does not take a mixed model (it has no cluster effect)', () => {
    expect(fitOrdinalStep.rowSamples!.prepare(params, table)).toBeUndefined();
    expect(fitOrdinalStep.rowSamples!.prepare({ ...params, formula: 'rating ~ temp + contact' }, table)).toBeDefined();
  });

  it('each replicate fits 9 clusters, one per draw, whatever the number of distinct judges drawn', async () => {
    const task: BatchArgs<SampleShared> = {
      shared: {
        table,
        from: 'wine',
        steps: [{ name: 'fit', kind: 'fit_ordinal', params: params as unknown as Record<string, unknown>, inputs: ['wine'] }],
        sample: { module: 'nodes/bootstrap-samples', fn: 'bootstrapSample', args: design },
        paths: ['random_effects.clusters', 'coefficients[term=tempwarm].estimate'],
        planData: undefined,
      },
      seed: 3,
      start: 0,
      end: 6,
    };
    const batch = await runSamplesWith(task, () => fitOrdinalStep as unknown as StepKind);
    expect(batch.failures).toEqual([]);
    let repeated = 0;
    for (let b = 0; b < 6; b++) {
      const { rows, copies } = bootstrapSample(design, 3, b);
      expect(copies).toBeDefined();
      expect(Array.from(copies!.copies)).toEqual(Array.from(drawCopies(design, rows)));
      const distinct = new Set(Array.from(rows, (r) => judge.codes[r])).size;
      if (distinct < 9) repeated++;
      expect(batch.values[b * 2]).toBe(9);
      // the replicate's estimate is the step's own on the copied table
      const out = await fitOrdinalStep.run(params, new Map([['wine', { type: 'table', table: withClusterCopies(takeRows(table, rows), 'judge', copies!.copies) }]]), testContext());
      if (out.type !== 'result') throw new Error('a result');
      expect(batch.values[b * 2 + 1]).toBe(numericLeaves(out.value).get('coefficients[term=tempwarm].estimate'));
    }
    expect(repeated).toBeGreaterThan(0); // the test would not tell copies from distinct judges otherwise
  });
});
