/**
 * The mRS trial behind a trial_design step's volume effects: the control distribution, Whitehead's
 * designs and power.prop.test for each effect's implied (common) OR, the ratio of sizes, the mediation
 * grid (given shares and a mediate step's) and the reverse. Arithmetic in src/stats/trial/mrs-trial.ts.
 */
import type { Json, JsonObject } from '../data/canonical.js';
import { DataError } from '../errors.js';
import { decodeMediation } from '../results/mediation.js';
import { shapeError } from '../results/read.js';
import { effectLabel, type VolumeEffect } from '../stats/trial/effect.js';
import { inverseEffect } from '../stats/trial/g-computation.js';
import { CONVENTIONS, throughVolumeLogOr, totalLogOr, whiteheadDesign } from '../stats/trial/mrs-trial.js';
import { propTestPower, propTestSize } from '../stats/trial/prop-power.js';
import { poShift } from '../stats/trial/whitehead.js';
import { volumeDesign, type VolumeDesign, type VolumeSettings } from '../stats/trial/volume-design.js';
import type { StepInputs } from './kind.js';
import type { ChainBootstrapResult } from './trial-design-sets.js';
import { finite, wholeArms } from './trial-design-format.js';
import type { OutcomeModel } from './trial-design-model.js';
import type { ReferenceArm } from './trial-design-reference.js';
import type { EffectTranslation, Translation } from './trial-design-translation.js';
import type { TrialDesignParams } from './trial_design.js';

export interface ControlDistribution {
  readonly p: number[];
  readonly labels: string[];
  readonly source: string;
}

export function mrsControl(p: TrialDesignParams, ref: ReferenceArm, model: OutcomeModel | undefined, t: Translation | undefined): ControlDistribution | undefined {
  if (model === undefined) return undefined;
  if (p.mrs_control !== undefined) return { p: [...p.mrs_control], labels: p.mrs_control.map((_, k) => String(k)), source: 'given (mrs_control)' };
  if (ref.mrs !== undefined) {
    const J = ref.mrsLabels.length;
    const counts = new Array<number>(J).fill(0);
    for (const c of ref.mrs) counts[c]! += 1;
    return { p: counts.map((c) => c / ref.mrs!.length), labels: ref.mrsLabels, source: `the reference arm's ${p.mrs!} (${ref.mrs.length} patients)` };
  }
  const pi0 = t?.effects[0]?.pi0;
  if (pi0 !== undefined) return { p: pi0, labels: [...model.categories], source: 'model-implied: the distribution the ordinal model gives the translation population at its observed volumes' };
  return undefined;
}

/** Shares of the effect through volume: the given list, then the mediate step's estimates. */
export function mediationGrid(p: TrialDesignParams, inputs: StepInputs, notes: string[]): { proportion: number; source: string }[] {
  const out = p.proportion_through_volume.map((pm) => ({ proportion: pm, source: pm === 1 ? 'assumption: all of the effect runs through volume (surrogate-implied)' : 'given' }));
  if (p.mediation === undefined) return out;
  const a = inputs.get(p.mediation);
  const origin = { step: p.mediation, expected: 'a mediate result', reader: 'trial_design mediation' };
  if (a?.type !== 'result') throw shapeError(origin, `it produced a ${a?.type ?? 'nothing'}`, 'point mediation: at a mediate step');
  const m = decodeMediation(a.value, origin);
  const found: [string, number | undefined][] = [
    [`${p.mediation}: proportion explained (difference method)`, m.proportionExplained],
    [`${p.mediation}: product of coefficients`, m.productProportion],
  ];
  if (found.every(([, x]) => x === undefined || Number.isNaN(x))) throw new DataError(`trial_design mediation: step "${p.mediation}" has no proportion explained`, { step: p.mediation, hint: 'point mediation: at a mediate step' });
  for (const [source, x] of found) {
    if (x === undefined || Number.isNaN(x)) continue;
    if (x > 0 && x <= 1) out.push({ proportion: x, source });
    else notes.push(`${source} = ${x} is outside (0, 1]: left out of the mediation grid`);
  }
  return out;
}

export function mrsTrial(
  p: TrialDesignParams,
  modelType: OutcomeModel['type'],
  e: VolumeEffect,
  ei: number,
  d: VolumeDesign,
  tr: EffectTranslation,
  control: ControlDistribution | undefined,
  shares: readonly { proportion: number; source: string }[],
  gridRows: Record<string, unknown>[],
  boot: ChainBootstrapResult | undefined,
): JsonObject | undefined {
  if (control === undefined) return undefined;
  const label = effectLabel(e);
  const first = p.tests[0]!;
  const nVol = d.sizes[first]![0]!.total;
  const whitehead = CONVENTIONS.map((c) => {
    const w = whiteheadDesign(control.p, tr.cor, c, p.power, p.alpha, p.allocation);
    const at = wholeArms(nVol, p.allocation);
    const assurance = boot?.means.get(`${ei}/whitehead_${c}/power_planned`);
    return {
      convention: c,
      description: c === 'average' ? 'p̄ = mean of the control distribution and its proportional-odds shift (Whitehead 1993)' : 'p̄ = the control distribution',
      sizes: w.sizes.map((s, k) => {
        const ci = boot?.intervals.get(`${ei}/whitehead_${c}/n@${p.power[k]!}`);
        return { power: p.power[k]!, n_exact: finite(s.total), ...wholeArms(s.total, p.allocation), ...(ci === undefined ? {} : { n_boot_low: ci.lower, n_boot_high: ci.upper }) };
      }),
      power_at_volume_n: at.treated === null ? null : w.power(at.treated, at.control!),
      ...(assurance === undefined ? {} : { assurance }),
    };
  });
  // mRS 0–2 (the good outcome): the control proportion and its proportional-odds shift by the implied OR
  const shifted = poShift(control.p, tr.cor);
  const found = control.labels.findIndex((l) => l === String(p.good_outcome) || l.split('-').includes(String(p.good_outcome)));
  const goodLast = found >= 0 ? Math.min(found, control.p.length - 2) : Math.min(p.good_outcome, control.p.length - 2);
  let pc = 0;
  let pt = 0;
  for (let k = 0; k <= goodLast; k++) {
    pc += control.p[k]!;
    pt += shifted[k]!;
  }
  const binary = {
    p_control: pc,
    p_treated: pt,
    sizes: p.power.map((pw) => {
      const s = propTestSize(pt, pc, pw, p.alpha, p.allocation);
      return { power: pw, n_exact: finite(s.total), ...wholeArms(s.total, p.allocation) };
    }),
    power_at_volume_n: Number.isFinite(nVol) ? propTestPower(pt, pc, p.allocation * nVol, (1 - p.allocation) * nVol, p.alpha) : null,
  };
  const avg = whitehead[0]!.sizes[0]!.n_exact;
  const ratios = p.tests.map((test) => {
    const nv = d.sizes[test]![0]!.total;
    return { test, power: p.power[0]!, ratio: avg === null || !Number.isFinite(nv) ? null : avg / nv };
  });
  const logInd = Math.log(tr.cor);
  const grid = shares.map((s) => {
    const total = totalLogOr(logInd, s.proportion);
    const sizes = CONVENTIONS.map((c) => ({ convention: c, n: finite(whiteheadDesign(control.p, Math.exp(total), c, p.power, p.alpha, p.allocation).sizes[0]!.total) }));
    const nAvg = sizes[0]!.n;
    const row = {
      effect: label,
      proportion: s.proportion,
      source: s.source,
      assumption: s.proportion === 1,
      through_volume_cor: tr.cor,
      total_cor: Math.exp(total),
      power: p.power[0]!,
      n_average_exact: nAvg,
      n_average: nAvg === null ? null : wholeArms(nAvg, p.allocation).n,
      n_control_exact: sizes[1]!.n,
      n_control: sizes[1]!.n === null ? null : wholeArms(sizes[1]!.n, p.allocation).n,
      ratio_to_volume_trial: nAvg === null || !Number.isFinite(nVol) ? null : nAvg / nVol,
    };
    gridRows.push(row);
    return row;
  });
  return {
    common_or: tr.cor,
    common_or_source:
      modelType === 'ordinal' ? 'the implied common OR (proportional-odds projection of the implied mRS distributions)' : 'the implied marginal OR of the good outcome, taken as the common OR of the mRS (proportional odds assumed)',
    control_source: control.source,
    whitehead,
    binary,
    ratios,
    volume_test: first,
    mediation: grid,
    caveat:
      'A volume effect identifies only the part of the mRS effect that runs through volume. The row with proportion 1 assumes the treatment has no other effect on the mRS (surrogate-implied), never the treatment\'s effect; the total is β_ind/PM only if the direct effect has the sign of the indirect one (haemorrhage can make it harmful).',
  };
}

/** Reverse: for each target cOR and share through volume, the volume effect (ratio) needed and its trial size. */
export function reverse(p: TrialDesignParams, t: Translation, reference: Float64Array, settings: VolumeSettings, shares: readonly { proportion: number; source: string }[]): Json {
  return p.target_cor.flatMap((target) =>
    shares.map((s) => {
      const needed = throughVolumeLogOr(Math.log(target), s.proportion);
      const r = inverseEffect((x) => t.logCor({ kind: 'ratio', value: x }), needed, 1e-6, 1, 'low', 1e-9);
      const sizes = r.value === undefined ? [] : p.tests.map((test) => ({ test, n: finite(volumeDesign(reference, { kind: 'ratio', value: r.value! }, settings).sizes[test]![0]!.total) }));
      return {
        target_cor: target,
        proportion: s.proportion,
        source: s.source,
        needed_through_volume_cor: Math.exp(needed),
        ratio: r.value ?? null,
        reachable: r.value !== undefined,
        max_through_volume_cor: Math.exp(r.maximum),
        power: p.power[0]!,
        volume_trial: sizes,
      };
    }),
  );
}
