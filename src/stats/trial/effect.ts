/**
 * A treatment effect on lesion volume: the treated patient's volume h(v) for the volume v it would
 * have had untreated —
 *
 *   ratio r (0 < r < 1):       h(v) = r·v            (r = 0.8: 20 % smaller)
 *   absolute Δ mL (Δ > 0):     h(v) = max(v − Δ, floor)   (volumes cannot go below the floor, 0 mL by default)
 *
 * Exported API: VolumeEffect, applyEffect, effectLabel.
 */

export type VolumeEffect = { readonly kind: 'ratio'; readonly value: number } | { readonly kind: 'absolute'; readonly value: number };

/** h(v) for every volume, and how many were floored (absolute effects only). */
export function applyEffect(effect: VolumeEffect, volumes: Float64Array, floor = 0, out = new Float64Array(volumes.length)): { volumes: Float64Array; floored: number } {
  let floored = 0;
  if (effect.kind === 'ratio') {
    const r = effect.value;
    for (let i = 0; i < volumes.length; i++) out[i] = r * volumes[i]!;
  } else {
    const d = effect.value;
    for (let i = 0; i < volumes.length; i++) {
      const v = volumes[i]! - d;
      if (v < floor) {
        out[i] = floor;
        floored++;
      } else out[i] = v;
    }
  }
  return { volumes: out, floored };
}

/** `ratio 0.8` / `−10 mL`: how reports and tables name an effect. */
export function effectLabel(effect: VolumeEffect): string {
  return effect.kind === 'ratio' ? `ratio ${effect.value}` : `−${effect.value} mL`;
}
