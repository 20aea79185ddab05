/**
 * From a trial_design result (src/nodes/trial_design.ts) to what the report's trial-design section shows:
 *
 *   value.effects[]: {label, volume.{difference_at_geometric_mean_ml, mean_difference_ml},
 *                     tests[]: {test, sizes[]: {power, n, n_boot_low?, n_boot_high?}, assurance?},
 *                     simulation?.required[]: {test, power, n, n_conservative},
 *                     translation?: {difference, odds_ratio | common_or, difference_per_ml, …},
 *                     mrs_trial?: {common_or, whitehead[], binary, ratios[], mediation[]}}
 *   value.inverse[], value.reverse[], value.translation, value.bootstrap, value.notes
 *   tables.power_curves: effect, test, n, closed_form, simulated, mcse
 */
import type { Artifact } from '../../data/artifact.js';
import type { Json } from '../../data/canonical.js';
import { asArray, asRecord, isRecord, numberList, optNumber, optString, reqNumber, shapeError, type JsonRecord, type Origin } from './read.js';

export interface SizeCell {
  readonly power: number;
  readonly n: number | undefined;
  readonly low: number | undefined;
  readonly high: number | undefined;
}

export interface Interval {
  readonly estimate: number;
  readonly low: number | undefined;
  readonly high: number | undefined;
  readonly bootLow: number | undefined;
  readonly bootHigh: number | undefined;
}

export interface CurvePoint {
  readonly n: number;
  readonly closedForm: number;
  readonly simulated: number | undefined;
  readonly mcse: number | undefined;
}

export interface TrialDesignEffect {
  readonly label: string;
  readonly kind: string;
  readonly value: number | undefined;
  readonly differenceAtGm: number | undefined;
  readonly meanDifference: number | undefined;
  readonly tests: { readonly test: string; readonly sizes: SizeCell[]; readonly assurance: number | undefined; readonly simulated: { power: number; n: number | undefined; conservative: number | undefined }[] }[];
  readonly curves: { readonly test: string; readonly points: CurvePoint[] }[];
  readonly translation:
    | { readonly difference: Interval; readonly ratio: Interval; readonly ratioName: 'cOR' | 'OR'; readonly perMl: number | undefined; readonly meanReduction: number | undefined; readonly cumulativeOr: number[] | undefined }
    | undefined;
  readonly mrs:
    | {
        readonly cor: number;
        readonly whitehead: { readonly convention: string; readonly sizes: SizeCell[]; readonly powerAtVolumeN: number | undefined; readonly assurance: number | undefined }[];
        readonly binary: { readonly pControl: number; readonly pTreated: number; readonly sizes: SizeCell[] };
        readonly ratios: { readonly test: string; readonly ratio: number | undefined }[];
        readonly grid: { readonly proportion: number; readonly source: string; readonly assumption: boolean; readonly totalCor: number; readonly nAverage: number | undefined; readonly nControl: number | undefined; readonly ratio: number | undefined }[];
      }
    | undefined;
}

export interface TrialDesignView {
  readonly alpha: number;
  readonly powers: number[];
  readonly allocation: number;
  readonly referenceN: number;
  readonly referenceNote: string;
  readonly effects: TrialDesignEffect[];
  readonly translationNote: string | undefined;
  readonly modelType: string | undefined;
  readonly inverse: { readonly points: number; readonly ratio: number | undefined; readonly reductionPercent: number | undefined; readonly absolute: number | undefined; readonly maxGain: number }[];
  readonly reverse: { readonly targetCor: number; readonly proportion: number; readonly source: string; readonly neededCor: number; readonly ratio: number | undefined; readonly sizes: { test: string; n: number | undefined }[] }[];
  readonly bootstrap: { readonly replicates: number; readonly failed: number } | undefined;
  readonly notes: string[];
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

export function trialDesignFromResult(artifact: Artifact, origin: Origin): TrialDesignView {
  if (artifact.type !== 'result') throw shapeError(origin, `it produced a ${artifact.type}`);
  const root = asRecord(artifact.value, origin, 'the result');
  const ref = asRecord(root.reference, origin, 'reference');
  const curveTable = artifact.tables?.get('power_curves');
  const column = (name: string): Float64Array | readonly (string | null)[] | undefined => {
    const c = curveTable?.columns.get(name);
    return c === undefined ? undefined : c.type === 'number' ? c.values : c.type === 'string' ? c.values : undefined;
  };
  const cEffect = column('effect') as readonly (string | null)[] | undefined;
  const cTest = column('test') as readonly (string | null)[] | undefined;
  const cN = column('n') as Float64Array | undefined;
  const cClosed = column('closed_form') as Float64Array | undefined;
  const cSim = column('simulated') as Float64Array | undefined;
  const cMcse = column('mcse') as Float64Array | undefined;
  const finite = (x: number | undefined): number | undefined => (x === undefined || !Number.isFinite(x) ? undefined : x);

  const effects = asArray(root.effects, origin, 'effects').map((raw, ei): TrialDesignEffect => {
    const what = `effects[${ei}]`;
    const e = asRecord(raw, origin, what);
    const label = optString(e, ['label']) ?? `effect ${ei + 1}`;
    const vol = isRecord(e.volume) ? e.volume : {};
    const sim = isRecord(e.simulation) ? e.simulation : undefined;
    const required = sim === undefined ? [] : asArray(sim.required, origin, `${what}.simulation.required`).map((x) => asRecord(x, origin, `${what}.simulation.required`));
    const tests = asArray(e.tests, origin, `${what}.tests`).map((t, k) => {
      const r = asRecord(t, origin, `${what}.tests[${k}]`);
      const test = optString(r, ['test']) ?? '';
      return {
        test,
        sizes: sizeCells(r.sizes, origin, `${what}.tests[${k}].sizes`),
        assurance: optNumber(r, ['assurance'], origin, what),
        simulated: required.filter((q) => q.test === test).map((q) => ({ power: reqNumber(q, ['power'], origin, what), n: optNumber(q, ['n'], origin, what), conservative: optNumber(q, ['n_conservative'], origin, what) })),
      };
    });
    const curves = tests.map(({ test }) => {
      const points: CurvePoint[] = [];
      if (cEffect !== undefined && cTest !== undefined && cN !== undefined && cClosed !== undefined) {
        for (let i = 0; i < cN.length; i++) {
          if (cEffect[i] !== label || cTest[i] !== test) continue;
          points.push({ n: cN[i]!, closedForm: cClosed[i]!, simulated: finite(cSim?.[i]), mcse: finite(cMcse?.[i]) });
        }
      }
      return { test, points };
    });
    let translation: TrialDesignEffect['translation'];
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
    let mrs: TrialDesignEffect['mrs'];
    if (isRecord(e.mrs_trial)) {
      const m = e.mrs_trial;
      const binary = asRecord(m.binary, origin, `${what}.mrs_trial.binary`);
      mrs = {
        cor: reqNumber(m, ['common_or'], origin, `${what}.mrs_trial`),
        whitehead: asArray(m.whitehead, origin, `${what}.mrs_trial.whitehead`).map((w, k) => {
          const r = asRecord(w, origin, `${what}.mrs_trial.whitehead[${k}]`);
          return { convention: optString(r, ['convention']) ?? '', sizes: sizeCells(r.sizes, origin, `${what}.mrs_trial.whitehead[${k}].sizes`), powerAtVolumeN: optNumber(r, ['power_at_volume_n'], origin, what), assurance: optNumber(r, ['assurance'], origin, what) };
        }),
        binary: { pControl: reqNumber(binary, ['p_control'], origin, what), pTreated: reqNumber(binary, ['p_treated'], origin, what), sizes: sizeCells(binary.sizes, origin, `${what}.mrs_trial.binary.sizes`) },
        ratios: asArray(m.ratios, origin, `${what}.mrs_trial.ratios`).map((x) => {
          const r = asRecord(x, origin, `${what}.mrs_trial.ratios`);
          return { test: optString(r, ['test']) ?? '', ratio: optNumber(r, ['ratio'], origin, what) };
        }),
        grid: asArray(m.mediation, origin, `${what}.mrs_trial.mediation`).map((x) => {
          const r = asRecord(x, origin, `${what}.mrs_trial.mediation`);
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
    return {
      label,
      kind: optString(e, ['kind']) ?? '',
      value: optNumber(e, ['value'], origin, what),
      differenceAtGm: optNumber(vol, ['difference_at_geometric_mean_ml'], origin, what),
      meanDifference: optNumber(vol, ['mean_difference_ml'], origin, what),
      tests,
      curves,
      translation,
      mrs,
    };
  });
  const tr = isRecord(root.translation) ? root.translation : undefined;
  const inverse = Array.isArray(root.inverse)
    ? asArray(root.inverse, origin, 'inverse').map((x) => {
        const r = asRecord(x, origin, 'inverse');
        return { points: reqNumber(r, ['points'], origin, 'inverse'), ratio: optNumber(r, ['ratio'], origin, 'inverse'), reductionPercent: optNumber(r, ['reduction_percent'], origin, 'inverse'), absolute: optNumber(r, ['absolute_ml'], origin, 'inverse'), maxGain: reqNumber(r, ['max_gain'], origin, 'inverse') };
      })
    : [];
  const reverse = Array.isArray(root.reverse)
    ? asArray(root.reverse, origin, 'reverse').map((x) => {
        const r = asRecord(x, origin, 'reverse');
        return {
          targetCor: reqNumber(r, ['target_cor'], origin, 'reverse'),
          proportion: reqNumber(r, ['proportion'], origin, 'reverse'),
          source: optString(r, ['source']) ?? '',
          neededCor: reqNumber(r, ['needed_through_volume_cor'], origin, 'reverse'),
          ratio: optNumber(r, ['ratio'], origin, 'reverse'),
          sizes: asArray(r.volume_trial, origin, 'reverse.volume_trial').map((s) => {
            const q = asRecord(s, origin, 'reverse.volume_trial');
            return { test: optString(q, ['test']) ?? '', n: optNumber(q, ['n'], origin, 'reverse') };
          }),
        };
      })
    : [];
  const boot = isRecord(root.bootstrap) ? { replicates: reqNumber(root.bootstrap, ['replicates'], origin, 'bootstrap'), failed: reqNumber(root.bootstrap, ['failed'], origin, 'bootstrap') } : undefined;
  const arm = optString(ref, ['arm']);
  const n = reqNumber(ref, ['n'], origin, 'reference');
  return {
    alpha: reqNumber(root, ['alpha'], origin, 'the result'),
    powers: numberList(root.power, origin, 'power'),
    allocation: reqNumber(root, ['allocation'], origin, 'the result'),
    referenceN: n,
    referenceNote: `Reference arm: ${n} patients${arm === undefined ? '' : ` with ${arm}`} of ${optString(ref, ['step']) ?? 'the data'}; the treated arm is their volumes under each effect.`,
    effects,
    translationNote: tr === undefined ? undefined : `Translation over ${optString(tr, ['patients']) ?? '?'} patients (${optString(tr, ['population']) ?? 'all'}) with the ${optString(tr, ['model_type']) ?? ''} model “${optString(tr, ['model']) ?? ''}”; good outcome ${optString(tr, ['good_outcome']) ?? ''}.`,
    modelType: tr === undefined ? undefined : optString(tr, ['model_type']),
    inverse,
    reverse,
    bootstrap: boot,
    notes: Array.isArray(root.notes) ? root.notes.filter((x): x is string => typeof x === 'string') : [],
  };
}
