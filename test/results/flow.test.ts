/**
 * The patient flow (src/results/flow.ts, src/nodes/flow-record.ts): each data step appends its box with
 * the rows in and out per arm and the reason; a step that drops nothing leaves its output byte-identical
 * to its input; a fit's last box holds its n; flowProblems finds counts that do not add up.
 */
import { describe, expect, it } from 'vitest';
import { encodeArtifact, type Artifact, type TableArtifact } from '../../src/data/artifact.js';
import { makeTable } from '../../src/data/table.js';
import { filter } from '../../src/nodes/filter.js';
import { subset } from '../../src/nodes/subset.js';
import { fitLogisticStep } from '../../src/nodes/fit_logistic.js';
import { decodeFlow, flowBox, flowProblems, type Flow } from '../../src/results/flow.js';
import type { Json } from '../../src/data/canonical.js';
import { testContext } from '../support/context.js';

const n = 12;
const table = makeTable([
  ['evt', { type: 'number', values: Float64Array.from({ length: n }, (_, i) => i % 2) }],
  ['fiv_ml', { type: 'number', values: Float64Array.from({ length: n }, (_, i) => (i === 3 ? NaN : 10 + 7 * i)) }],
  ['good', { type: 'number', values: Float64Array.from({ length: n }, (_, i) => (i * 5) % 3 === 0 ? 1 : 0) }],
  ['modality', { type: 'factor', codes: Int32Array.from({ length: n }, (_, i) => (i < 8 ? 0 : 1)), levels: ['CT', 'MRI'] }],
]);
const loaded: TableArtifact = { type: 'table', table, flow: { arm: 'evt', boxes: [flowBox('cohort', 'load', 'read from cohort.csv', 'evt', table)] } };

async function runTable(kind: typeof filter | typeof subset, params: Record<string, unknown>, input: Artifact, step: string): Promise<TableArtifact> {
  const out = await (kind as { run: (p: unknown, i: Map<string, Artifact>, c: unknown) => Artifact | Promise<Artifact> }).run({ input: 'in', ...params }, new Map([['in', input]]), testContext({ step }));
  if (out.type !== 'table') throw new Error('expected a table');
  return out;
}

describe('patient flow', () => {
  it('load counts each arm; filter appends its box with the rows it dropped per arm and its condition', async () => {
    expect(loaded.flow!.boxes[0]).toEqual({ step: 'cohort', kind: 'load', in: 12, out: 12, reason: 'read from cohort.csv', arms: [{ arm: '0', in: 6, out: 6 }, { arm: '1', in: 6, out: 6 }] });
    const f = await runTable(filter, { where: 'fiv_ml < 60' }, loaded, 'small');
    // fiv_ml = 10 + 7i < 60 for i ≤ 7, and row 3 is missing: 7 rows kept (evt 0: rows 0, 2, 4, 6; evt 1: rows 1, 5, 7).
    expect(f.flow!.boxes[1]).toEqual({ step: 'small', kind: 'filter', in: 12, out: 7, reason: 'not meeting: fiv_ml < 60', arms: [{ arm: '0', in: 6, out: 4 }, { arm: '1', in: 6, out: 3 }] });
    expect(flowProblems(f.flow!)).toEqual([]);
  });

  it('a filter or subset that drops nothing gives its input’s bytes (the cache cut-off holds)', async () => {
    const f = await runTable(filter, { where: 'evt >= 0' }, loaded, 'noop');
    expect(encodeArtifact(f)).toBe(encodeArtifact(loaded));
    const s = await runTable(subset, { column: 'modality', value: 'all', all: 'all' }, loaded, 'all');
    expect(encodeArtifact(s)).toBe(encodeArtifact(loaded));
  });

  it('a fit’s last box is the rows it used, its n, with the missing model variables as the reason', async () => {
    const s = await runTable(subset, { column: 'modality', value: 'CT', all: 'all' }, loaded, 'ct');
    const out = await fitLogisticStep.run({ input: 'in', formula: 'good ~ evt + fiv_ml', ci: 'wald', on_separation: 'warn' }, new Map([['in', s]]), testContext({ step: 'fit' }));
    if (out.type !== 'result') throw new Error('expected a result');
    const flow = decodeFlow(out.value.flow as Json, { step: 'fit', expected: 'a fit' });
    expect(flow.boxes.map((b) => [b.kind, b.in, b.out])).toEqual([['load', 12, 12], ['subset', 12, 8], ['fit_logistic', 8, 7]]);
    expect(flow.boxes[2]!.reason).toBe('missing model variables: fiv_ml 1');
    expect(flow.boxes[2]!.out).toBe(out.value.n);
    expect(flowProblems(flow)).toEqual([]);
  });

  it('flowProblems names a box whose in is not the previous out, and arms that do not add up', () => {
    const broken: Flow = {
      arm: 'evt',
      boxes: [
        { step: 'a', kind: 'load', in: 10, out: 10, reason: '', arms: [{ arm: '0', in: 5, out: 5 }, { arm: '1', in: 5, out: 5 }] },
        { step: 'b', kind: 'filter', in: 9, out: 8, reason: '', arms: [{ arm: '0', in: 5, out: 4 }, { arm: '1', in: 4, out: 3 }] },
      ],
    };
    expect(flowProblems(broken)).toEqual(['box 2 (b) starts with 9 rows, but box 1 (a) ended with 10', 'box 2 (b): the arms add up to 9 in and 7 out, not 9 and 8']);
  });
});
