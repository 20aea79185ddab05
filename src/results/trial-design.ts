/**
 * The trial-design result family: what `trial_design` writes (src/nodes/trial_design.ts) read back into
 * one typed value, for the report's trial-design section (and any other reader):
 *
 *   value.reference: {step, arm, n, …}; value.alpha, value.power[], value.allocation
 *   value.effects[]: {label, kind, value, volume.{difference_at_geometric_mean_ml, mean_difference_ml},
 *                     tests[]: {test, sizes[]: {power, n, n_boot_low?, n_boot_high?}, assurance?},
 *                     simulation?.required[]: {test, power, n, n_conservative},
 *                     translation?: {difference, odds_ratio | common_or, difference_per_ml, mean_reduction_ml, cumulative_or?},
 *                     mrs_trial?: {common_or, whitehead[], binary, ratios[], mediation[]}}
 *   value.translation?: {model, model_type, patients, population, good_outcome}
 *   value.inverse[], value.reverse[], value.bootstrap?: {replicates, failed}, value.notes[]
 *   tables.power_curves: effect, test, n, closed_form, simulated, mcse
 */
import type { Artifact } from '../data/artifact.js';
import type { Json } from '../data/canonical.js';
import { asArray, asRecord, isRecord, numberList, optNumber, optString, reqNumber, shapeError, type JsonRecord, type Origin } from './read.js';

/** A total sample size for a target power, with the chain bootstrap's interval when there is one. */
export interface SizeCell {
  readonly power: number;
  readonly n: number | undefined;
  readonly low: number | undefined;
  readonly high: number | undefined;
}

/** An estimate with its delta-method (low, high) and bootstrap (bootLow, bootHigh) intervals. */
export interface Interval {
  readonly estimate: number;
  readonly low: number | undefined;
  readonly high: number | undefined;
  readonly bootLow: number | undefined;
  readonly bootHigh: number | undefined;
}

/** One size of a power curve: the closed-form power, and the simulated one with its Monte-Carlo SE. */
export interface CurvePoint {
  readonly n: number;
  readonly closedForm: number;
  readonly simulated: number | undefined;
  readonly mcse: number | undefined;
}

export interface VolumeTestDesign {
  readonly test: string;
  readonly sizes: readonly SizeCell[];
  /** Mean power over the chain bootstrap's replicates at the planned N. */
  readonly assurance: number | undefined;
  /** Simulated N per target power, and the conservative N (power − 2 MC SE at or above the target). */
  readonly simulated: readonly { readonly power: number; readonly n: number | undefined; readonly conservative: number | undefined }[];
}

export interface Translation {
  readonly difference: Interval;
  /** The implied OR of good outcome (logistic) or common OR (ordinal). */
  readonly ratio: Interval;
  readonly ratioName: 'cOR' | 'OR';
  readonly perMl: number | undefined;
  readonly meanReduction: number | undefined;
  /** Ordinal: the per-threshold ORs (a proportional-odds check). */
  readonly cumulativeOr: readonly number[] | undefined;
}

export interface MrsTrial {
  readonly cor: number;
  readonly whitehead: readonly { readonly convention: string; readonly sizes: readonly SizeCell[]; readonly powerAtVolumeN: number | undefined; readonly assurance: number | undefined }[];
  readonly binary: { readonly pControl: number; readonly pTreated: number; readonly sizes: readonly SizeCell[] };
  readonly ratios: readonly { readonly test: string; readonly ratio: number | undefined }[];
  /** The mediation grid: the mRS trial per share of the effect through volume (the 100 % row an assumption). */
  readonly grid: readonly { readonly proportion: number; readonly source: string; readonly assumption: boolean; readonly totalCor: number; readonly nAverage: number | undefined; readonly nControl: number | undefined; readonly ratio: number | undefined }[];
}

export interface TrialDesignEffect {
  readonly label: string;
  /** `ratio` or `absolute`. */
  readonly kind: string;
  readonly value: number | undefined;
  readonly differenceAtGm: number | undefined;
  readonly meanDifference: number | undefined;
  readonly tests: readonly VolumeTestDesign[];
  readonly curves: readonly { readonly test: string; readonly points: readonly CurvePoint[] }[];
  readonly translation: Translation | undefined;
  readonly mrs: MrsTrial | undefined;
}

export interface TrialDesign {
  readonly alpha: number;
  readonly powers: readonly number[];
  readonly allocation: number;
  readonly reference: { readonly step: string | undefined; readonly arm: string | undefined; readonly n: number };
  readonly effects: readonly TrialDesignEffect[];
  readonly translation: { readonly model: string | undefined; readonly modelType: string | undefined; readonly patients: string | undefined; readonly population: string | undefined; readonly goodOutcome: string | undefined } | undefined;
  readonly inverse: readonly { readonly points: number; readonly ratio: number | undefined; readonly reductionPercent: number | undefined; readonly absolute: number | undefined; readonly maxGain: number }[];
  readonly reverse: readonly { readonly targetCor: number; readonly proportion: number; readonly source: string; readonly neededCor: number; readonly ratio: number | undefined; readonly sizes: readonly { readonly test: string; readonly n: number | undefined }[] }[];
  readonly bootstrap: { readonly replicates: number; readonly failed: number } | undefined;
  readonly notes: readonly string[];
}

function sizeCells(v: Json | undefined, origin: Origin, what: string): SizeCell[] {
  return asArray(v, origin, what).map((raw, k) => {
    const r = asRecord(raw, origin, `${what}[${k}]`);
    return { power: reqNumber(r, ['power'], origin, what), n: optNumber(r, ['n'], origin, what), low: optNumber(r, ['n_boot_low'], origin, what), high: optNumber(r, ['n_boot_high'], origin, what) };
  });
}

function interval(r: JsonRecord, origin: Origin, what: string): Interval {
  return {
    estimate: reqNumber(r, ['estimate'], origin, what),
    low: optNumber(r, ['low'], origin, what),
    high: optNumber(r, ['high'], origin, what),
    bootLow: optNumber(r, ['boot_low'], origin, what),
    bootHigh: optNumber(r, ['boot_high'], origin, what),
  };
}

const finite = (x: number | undefined): number | undefined => (x === undefined || !Number.isFinite(x) ? undefined : x);

/** The power curves of one effect and test, from the `power_curves` table. */
function curveReader(artifact: Artifact & { type: 'result' }, origin: Origin): (label: string, test: string) => CurvePoint[] {
  const table = artifact.tables?.get('power_curves');
  if (table === undefined) return () => [];
  const strings = (name: string): readonly (string | null)[] => {
    const c = table.columns.get(name);
    if (c?.type !== 'string') throw shapeError(origin, `its power_curves table has no text column "${name}"`);
    return c.values;
  };
  const numbers = (name: string): Float64Array => {
    const c = table.columns.get(name);
    if (c?.type !== 'number') throw shapeError(origin, `its power_curves table has no numeric column "${name}"`);
    return c.values;
  };
  const [effect, test, n, closed, sim, mcse] = [strings('effect'), strings('test'), numbers('n'), numbers('closed_form'), numbers('simulated'), numbers('mcse')];
  return (label, t) => {
    const points: CurvePoint[] = [];
    for (let i = 0; i < n.length; i++) {
      if (effect[i] === label && test[i] === t) points.push({ n: n[i]!, closedForm: closed[i]!, simulated: finite(sim[i]), mcse: finite(mcse[i]) });
    }
    return points;
  };
}

function mrsTrial(m: JsonRecord, origin: Origin, what: string): MrsTrial {
  const binary = asRecord(m.binary, origin, `${what}.binary`);
  return {
    cor: reqNumber(m, ['common_or'], origin, what),
    whitehead: asArray(m.whitehead, origin, `${what}.whitehead`).map((w, k) => {
      const r = asRecord(w, origin, `${what}.whitehead[${k}]`);
      return { convention: optString(r, ['convention']) ?? '', sizes: sizeCells(r.sizes, origin, `${what}.whitehead[${k}].sizes`), powerAtVolumeN: optNumber(r, ['power_at_volume_n'], origin, what), assurance: optNumber(r, ['assurance'], origin, what) };
    }),
    binary: { pControl: reqNumber(binary, ['p_control'], origin, what), pTreated: reqNumber(binary, ['p_treated'], origin, what), sizes: sizeCells(binary.sizes, origin, `${what}.binary.sizes`) },
    ratios: asArray(m.ratios, origin, `${what}.ratios`).map((x) => {
      const r = asRecord(x, origin, `${what}.ratios`);
      return { test: optString(r, ['test']) ?? '', ratio: optNumber(r, ['ratio'], origin, what) };
    }),
    grid: asArray(m.mediation, origin, `${what}.mediation`).map((x) => {
      const r = asRecord(x, origin, `${what}.mediation`);
      return {
        proportion: reqNumber(r, ['proportion'], origin, what),
        source: optString(r, ['source']) ?? '',
        assumption: r.assumption === true,
        totalCor: reqNumber(r, ['total_cor'], origin, what),
        nAverage: optNumber(r, ['n_average'], origin, what),
        nControl: optNumber(r, ['n_control'], origin, what),
        ratio: optNumber(r, ['ratio_to_volume_trial'], origin, what),
      };
    }),
  };
}

function effectOf(raw: Json, ei: number, origin: Origin, curves: (label: string, test: string) => CurvePoint[]): TrialDesignEffect {
  const what = `effects[${ei}]`;
  const e = asRecord(raw, origin, what);
  const label = optString(e, ['label']) ?? `effect ${ei + 1}`;
  const vol = isRecord(e.volume) ? e.volume : {};
  const sim = isRecord(e.simulation) ? e.simulation : undefined;
  const required = sim === undefined ? [] : asArray(sim.required, origin, `${what}.simulation.required`).map((x) => asRecord(x, origin, `${what}.simulation.required`));
  const tests = asArray(e.tests, origin, `${what}.tests`).map((t, k): VolumeTestDesign => {
    const r = asRecord(t, origin, `${what}.tests[${k}]`);
    const test = optString(r, ['test']) ?? '';
    return {
      test,
      sizes: sizeCells(r.sizes, origin, `${what}.tests[${k}].sizes`),
      assurance: optNumber(r, ['assurance'], origin, what),
      simulated: required.filter((q) => q.test === test).map((q) => ({ power: reqNumber(q, ['power'], origin, what), n: optNumber(q, ['n'], origin, what), conservative: optNumber(q, ['n_conservative'], origin, what) })),
    };
  });
  let translation: Translation | undefined;
  if (isRecord(e.translation)) {
    const t = e.translation;
    const ordinal = isRecord(t.common_or);
    translation = {
      difference: interval(asRecord(t.difference, origin, `${what}.translation.difference`), origin, `${what}.translation.difference`),
      ratio: interval(asRecord(ordinal ? t.common_or : t.odds_ratio, origin, `${what}.translation.odds_ratio`), origin, `${what}.translation`),
      ratioName: ordinal ? 'cOR' : 'OR',
      perMl: optNumber(t, ['difference_per_ml'], origin, what),
      meanReduction: optNumber(t, ['mean_reduction_ml'], origin, what),
      cumulativeOr: Array.isArray(t.cumulative_or) ? numberList(t.cumulative_or, origin, `${what}.translation.cumulative_or`) : undefined,
    };
  }
  return {
    label,
    kind: optString(e, ['kind']) ?? '',
    value: optNumber(e, ['value'], origin, what),
    differenceAtGm: optNumber(vol, ['difference_at_geometric_mean_ml'], origin, what),
    meanDifference: optNumber(vol, ['mean_difference_ml'], origin, what),
    tests,
    curves: tests.map(({ test }) => ({ test, points: curves(label, test) })),
    translation,
    mrs: isRecord(e.mrs_trial) ? mrsTrial(e.mrs_trial, origin, `${what}.mrs_trial`) : undefined,
  };
}

export function decodeTrialDesign(artifact: Artifact, origin: Origin): TrialDesign {
  if (artifact.type !== 'result') throw shapeError(origin, `it produced a ${artifact.type}`);
  const root = asRecord(artifact.value, origin, 'the result');
  const ref = asRecord(root.reference, origin, 'reference');
  const curves = curveReader(artifact, origin);
  const tr = isRecord(root.translation) ? root.translation : undefined;
  const list = (key: string): readonly JsonRecord[] => (Array.isArray(root[key]) ? asArray(root[key], origin, key).map((x) => asRecord(x, origin, key)) : []);
  return {
    alpha: reqNumber(root, ['alpha'], origin, 'the result'),
    powers: numberList(root.power, origin, 'power'),
    allocation: reqNumber(root, ['allocation'], origin, 'the result'),
    reference: { step: optString(ref, ['step']), arm: optString(ref, ['arm']), n: reqNumber(ref, ['n'], origin, 'reference') },
    effects: asArray(root.effects, origin, 'effects').map((raw, ei) => effectOf(raw, ei, origin, curves)),
    translation:
      tr === undefined
        ? undefined
        : { model: optString(tr, ['model']), modelType: optString(tr, ['model_type']), patients: optString(tr, ['patients']), population: optString(tr, ['population']), goodOutcome: optString(tr, ['good_outcome']) },
    inverse: list('inverse').map((r) => ({
      points: reqNumber(r, ['points'], origin, 'inverse'),
      ratio: optNumber(r, ['ratio'], origin, 'inverse'),
      reductionPercent: optNumber(r, ['reduction_percent'], origin, 'inverse'),
      absolute: optNumber(r, ['absolute_ml'], origin, 'inverse'),
      maxGain: reqNumber(r, ['max_gain'], origin, 'inverse'),
    })),
    reverse: list('reverse').map((r) => ({
      targetCor: reqNumber(r, ['target_cor'], origin, 'reverse'),
      proportion: reqNumber(r, ['proportion'], origin, 'reverse'),
      source: optString(r, ['source']) ?? '',
      neededCor: reqNumber(r, ['needed_through_volume_cor'], origin, 'reverse'),
      ratio: optNumber(r, ['ratio'], origin, 'reverse'),
      sizes: asArray(r.volume_trial, origin, 'reverse.volume_trial').map((s) => {
        const q = asRecord(s, origin, 'reverse.volume_trial');
        return { test: optString(q, ['test']) ?? '', n: optNumber(q, ['n'], origin, 'reverse') };
      }),
    })),
    bootstrap: isRecord(root.bootstrap) ? { replicates: reqNumber(root.bootstrap, ['replicates'], origin, 'bootstrap'), failed: reqNumber(root.bootstrap, ['failed'], origin, 'bootstrap') } : undefined,
    notes: Array.isArray(root.notes) ? root.notes.filter((x): x is string => typeof x === 'string') : [],
  };
}
