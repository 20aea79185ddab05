/**
 * broom exports (src/results/broom.ts) against broom 1.0.3's tidy() and glance() of the same models in R
 * (test/fixtures/models/broom.R → broom.json): the same column names in the same order, the same terms,
 * and the same values.
 */
import { describe, expect, it } from 'vitest';
import type { Artifact } from '../../src/data/artifact.js';
import type { Table } from '../../src/data/table.js';
import type { StepKind } from '../../src/nodes/kind.js';
import { fitLinearStep } from '../../src/nodes/fit_linear.js';
import { fitLogisticStep } from '../../src/nodes/fit_logistic.js';
import { fitOrdinalStep } from '../../src/nodes/fit_ordinal.js';
import { testContext } from '../support/context.js';
import { cohortFactors, fixture, readFixtureCsv } from '../stats/models-support.js';

interface Frame {
  readonly columns: string[];
  readonly rows: Record<string, (number | string | null)[]>;
}
type Ref = Record<'logistic' | 'linear' | 'ordinal', { formula: string; tidy: Frame; glance: Frame }>;
const ref = fixture<Ref>('broom.json');
const data = readFixtureCsv('cohort.csv', cohortFactors);

async function tables<P>(kind: StepKind<P>, formula: string, extra: Record<string, unknown> = {}): Promise<ReadonlyMap<string, Table>> {
  const out = await kind.run({ input: 'c', formula, ...extra } as unknown as P, new Map<string, Artifact>([['c', { type: 'table', table: data }]]), testContext());
  if (out.type !== 'result' || out.tables === undefined) throw new Error('expected a result with tables');
  return out.tables;
}

function expectFrame(t: Table | undefined, f: Frame, what: string): void {
  if (t === undefined) throw new Error(`${what}: no table`);
  expect([...t.columns.keys()], what).toEqual(f.columns);
  for (const name of f.columns) {
    const col = t.columns.get(name)!;
    const want = f.rows[name]!;
    if (col.type === 'string') expect(col.values, `${what} ${name}`).toEqual(want);
    else if (col.type === 'number') {
      want.forEach((w, i) => {
        const got = col.values[i]!;
        const tol = 1e-6 * Math.max(1, Math.abs(w as number));
        if (Math.abs(got - (w as number)) > tol) throw new Error(`${what} ${name}[${i}]: ${got} vs R ${String(w)}`);
      });
    }
  }
}

describe('broom exports match broom::tidy and broom::glance', () => {
  it('glm (fit_logistic): tidy with profile CIs, glance', async () => {
    const t = await tables(fitLogisticStep, ref.logistic.formula);
    expectFrame(t.get('tidy'), ref.logistic.tidy, 'tidy');
    expectFrame(t.get('glance'), ref.logistic.glance, 'glance');
  });

  it('lm (fit_linear): tidy, glance with the F test', async () => {
    const t = await tables(fitLinearStep, ref.linear.formula);
    expectFrame(t.get('tidy'), ref.linear.tidy, 'tidy');
    expectFrame(t.get('glance'), ref.linear.glance, 'glance');
  });

  it('clm (fit_ordinal): thresholds then coefficients with coef.type, glance', async () => {
    const t = await tables(fitOrdinalStep, ref.ordinal.formula);
    expectFrame(t.get('tidy'), ref.ordinal.tidy, 'tidy');
    expectFrame(t.get('glance'), ref.ordinal.glance, 'glance');
  });

  it('broom: false writes only the coefficients table', async () => {
    const t = await tables(fitLogisticStep, ref.logistic.formula, { broom: false, ci: 'wald' });
    expect([...t.keys()]).toEqual(['coefficients']);
  });
});
