/**
 * Mediation maths against R (test/fixtures/mediation/hermes-like.R): difference and product methods
 * exact against clm/glm/lm on the same complete cases (1e-6); g-computation against R's quadrature of
 * the same estimand (Monte-Carlo tolerance) and the quasi-Bayesian interval against an R replica of
 * mediation::mediate's simulation.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type MediateParams, mediationData } from '../../src/nodes/mediate.js';
import { type MediationResult, mediation } from '../../src/stats/mediation.js';
import { takeRows } from '../../src/data/table.js';
import { rngFor } from '../../src/stats/rng.js';
import { type FixtureColumn, fixtureTable } from './fixture-table.js';

interface Case {
  name: string;
  n: number;
  outcome_type: 'ordinal' | 'binary';
  threshold: number;
  binary_cut?: number;
  total: { log_or: number; se: number };
  direct: { log_or: number; se: number };
  mediator: { log_or: number; se: number };
  proportion_explained: number;
  a_path: { estimate: number; se: number; sigma: number };
  product: { indirect: number; se: number; proportion: number };
  g: Record<string, number>;
  qb_ci: Record<string, [number, number]>;
}
const fx = JSON.parse(readFileSync(new URL('../fixtures/mediation/hermes-like.json', import.meta.url), 'utf8')) as {
  covariates: string[];
  data: Record<string, FixtureColumn>;
  cases: Case[];
};
const table = fixtureTable(fx.data);

const paramsFor: Record<string, Partial<MediateParams>> = {
  ordinal_cbrt: { transform: 'cbrt' },
  ordinal_per10ml: { transform: 'per_ml', scale: 10, threshold: 1 },
  binary_log1: { transform: 'log', log_offset: 1, binary_cut: 2 },
};

function close(actual: number, expected: number, rel = 1e-6): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(expected)));
}

describe.each(fx.cases)('mediation $name', (c) => {
  const params: MediateParams = { input: 'cohort', outcome: 'mrs90', exposure: 'evt', mediator: 'fiv_ml', covariates: fx.covariates, ...paramsFor[c.name] };
  const prepared = mediationData(table, params);
  const res = mediation(prepared.data, { level: 0.95, favourable: 'lower', counterfactual: { category: prepared.thresholdCategory, sims: 1000 } }, rngFor(99, 0));

  it('uses the complete cases of all variables', () => {
    expect(res.n).toBe(c.n);
    expect(prepared.nDropped).toBe(table.nrows - c.n);
  });

  it('difference method: total and direct effects as clm/glm (1e-6)', () => {
    close(res.total.log_or, c.total.log_or);
    close(res.total.se, c.total.se);
    close(res.direct.log_or, c.direct.log_or);
    close(res.direct.se, c.direct.se);
    close(res.mediator_effect.log_or, c.mediator.log_or);
    close(res.mediator_effect.se, c.mediator.se);
    close(res.proportion_explained, c.proportion_explained);
    // Reported ORs: towards lower mRS for the ordinal model, the event (mRS <= cut) for the binary one.
    const sign = c.outcome_type === 'ordinal' ? -1 : 1;
    close(res.total.or, Math.exp(sign * c.total.log_or));
    close(res.direct.or_low, Math.exp(sign * c.direct.log_or - 1.959963984540054 * c.direct.se));
  });

  it('product method: a-path as lm, a·b and its proportion (1e-6)', () => {
    close(res.a_path.estimate, c.a_path.estimate);
    close(res.a_path.se, c.a_path.se);
    close(res.a_path.sigma, c.a_path.sigma);
    close(res.product.indirect, c.product.indirect);
    close(res.product.se, c.product.se);
    close(res.product.proportion, c.product.proportion);
  });

  it('g-computation: natural effects as R quadrature of the same estimand (Monte-Carlo tolerance)', () => {
    const cf = res.counterfactual!;
    for (const k of ['p_11', 'p_10', 'p_01', 'p_00'] as const) expect(Math.abs(cf.probabilities[k] - c.g[k]!)).toBeLessThan(1e-3);
    expect(Math.abs(cf.total_effect.estimate - c.g.total_effect!)).toBeLessThan(1e-3);
    expect(Math.abs(cf.acme_control.estimate - c.g.acme_control!)).toBeLessThan(1e-3);
    expect(Math.abs(cf.acme_treated.estimate - c.g.acme_treated!)).toBeLessThan(1e-3);
    expect(Math.abs(cf.ade_control.estimate - c.g.ade_control!)).toBeLessThan(1e-3);
    expect(Math.abs(cf.ade_treated.estimate - c.g.ade_treated!)).toBeLessThan(1e-3);
    expect(Math.abs(cf.proportion_mediated.estimate - c.g.proportion_mediated!)).toBeLessThan(5e-3);
  });

  it('g-computation: quasi-Bayesian intervals as an R replica of mediate (simulation tolerance)', () => {
    const cf = res.counterfactual!;
    const pairs: [string, { ci_low: number; ci_high: number }, number][] = [
      ['tau', cf.total_effect, 0.01],
      ['d0', cf.acme_control, 0.01],
      ['d1', cf.acme_treated, 0.01],
      ['z0', cf.ade_control, 0.01],
      ['z1', cf.ade_treated, 0.01],
      ['pm', cf.proportion_mediated, 0.03],
    ];
    for (const [k, ours, tol] of pairs) {
      const [lo, hi] = c.qb_ci[k]!;
      expect(Math.abs(ours.ci_low - lo), `${k} low ${ours.ci_low} vs ${lo}`).toBeLessThan(tol);
      expect(Math.abs(ours.ci_high - hi), `${k} high ${ours.ci_high} vs ${hi}`).toBeLessThan(tol);
    }
  });
});

describe('mediation without counterfactuals', () => {
  it('gives the same difference and product estimates, and no counterfactual block', () => {
    const params: MediateParams = { input: 'cohort', outcome: 'mrs90', exposure: 'evt', mediator: 'fiv_ml', covariates: fx.covariates, transform: 'cbrt', counterfactual: false };
    const prepared = mediationData(table, params);
    const res = mediation(prepared.data, { level: 0.95, favourable: 'lower', fast: true });
    expect(res.counterfactual).toBeUndefined();
    close(res.proportion_explained, fx.cases[0]!.proportion_explained);
    close(res.product.proportion, fx.cases[0]!.product.proportion);
  });
});

/** Every number of a result, by path. */
function leaves(v: unknown, prefix = '', out = new Map<string, number>()): Map<string, number> {
  if (typeof v === 'number') out.set(prefix, v);
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) leaves(x, prefix === '' ? k : `${prefix}.${k}`, out);
  return out;
}

describe('mediation on a bootstrap resample (duplicate rows)', () => {
  // A resample of the fixture's rows: about 37 % of them repeated.
  const rng = rngFor(2026, 4);
  const rows = Int32Array.from({ length: table.nrows }, () => rng.int(table.nrows));
  const resample = takeRows(table, rows);
  expect(new Set(rows).size).toBeLessThan(0.7 * table.nrows);
  const run = (name: string, collapseDuplicates: boolean): MediationResult => {
    const prepared = mediationData(resample, { input: 'cohort', outcome: 'mrs90', exposure: 'evt', mediator: 'fiv_ml', covariates: fx.covariates, ...paramsFor[name], counterfactual: false });
    return mediation(prepared.data, { level: 0.95, favourable: 'lower', fast: true, collapseDuplicates });
  };

  it.each(['ordinal_cbrt', 'ordinal_per10ml'])('%s: fitting the distinct rows with frequency weights gives the row-by-row estimates (1e-10)', (name) => {
    const rowByRow = leaves(run(name, false));
    const collapsed = leaves(run(name, true));
    expect([...collapsed.keys()]).toEqual([...rowByRow.keys()]);
    for (const [k, v] of rowByRow) {
      // p-values below 1e-10 are compared on the z they come from
      if (k.endsWith('p_value')) continue;
      expect(Math.abs(collapsed.get(k)! - v), `${k}: ${collapsed.get(k)!} vs ${v}`).toBeLessThanOrEqual(1e-10 * Math.abs(v) + 1e-14);
    }
  });

  it('is bit-reproducible for a given input', () => {
    expect(JSON.stringify(run('ordinal_cbrt', true))).toBe(JSON.stringify(run('ordinal_cbrt', true)));
  });
});
