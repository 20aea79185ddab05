/**
 * The mRS trial behind a volume effect: from the common OR the volume effect implies (g-computation.ts)
 * and a control-arm mRS distribution, Whitehead's size and power under both conventions for p̄
 * (whitehead.ts) and, for the mRS 0–2 split, power.prop.test (prop-power.ts).
 *
 * The mediation caveat in numbers. A volume effect identifies only the part of the treatment's mRS
 * effect that runs through volume, β_ind = log cOR implied. If a share PM of the total log cOR runs
 * through volume, the total is β_ind/PM, so the mRS trial needs (by Whitehead, N ∝ 1/(log cOR)²) PM²
 * times the patients of the PM = 1 row — which assumes the treatment has no effect on the mRS other than
 * through volume (a surrogate-implied size, never the treatment's). In reverse, a target total cOR_T
 * needs β_ind = PM·log cOR_T from the volume effect. β_ind/PM is the total only if the direct effect has
 * the sign of the indirect one (haemorrhage can make it harmful).
 *
 * Exported API: CONVENTIONS, whiteheadDesign, totalLogOr, throughVolumeLogOr.
 */
import { popower, posamsize, whiteheadDistribution, type WhiteheadConvention } from './whitehead.js';
import { arms, type TwoArmSize } from './t-power.js';

export const CONVENTIONS: readonly WhiteheadConvention[] = ['average', 'control'];

export interface WhiteheadDesign {
  readonly convention: WhiteheadConvention;
  /** Total N per target power. */
  readonly sizes: TwoArmSize[];
  /** Power with n₁ treated, n₂ control. */
  power(treated: number, control: number): number;
}

/** Whitehead's sizes (Hmisc::posamsize) and power (popower) for a control distribution and a common OR. */
export function whiteheadDesign(control: readonly number[], oddsRatio: number, convention: WhiteheadConvention, powers: readonly number[], alpha: number, allocation: number): WhiteheadDesign {
  const p = whiteheadDistribution(control, oddsRatio, convention);
  return {
    convention,
    sizes: powers.map((pw) => arms(posamsize(p, oddsRatio, allocation, alpha, pw).n, allocation)),
    power: (n1, n2) => popower(p, oddsRatio, n1, n2, alpha).power,
  };
}

/** The total log OR when the through-volume part is `through` and a share `proportion` of the total runs through volume. */
export function totalLogOr(through: number, proportion: number): number {
  return through / proportion;
}

/** The through-volume log OR needed for a total `total` when a share `proportion` runs through volume. */
export function throughVolumeLogOr(total: number, proportion: number): number {
  return proportion * total;
}
