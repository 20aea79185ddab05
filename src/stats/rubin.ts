/**
 * Pooling m completed-data analyses by Rubin's rules, as `mice::pool` (rule "rubin1987", mice 3.15):
 * per parameter, with Q_k the estimates and U_k their variances (vcov diagonals),
 *
 *   Q̄ = mean(Q_k),  Ū = mean(U_k),  B = var(Q_k) (denominator m − 1),  T = Ū + (1 + 1/m)·B,
 *   riv = (1 + 1/m)·B/Ū,  λ = (1 + 1/m)·B/T,  fmi = (riv + 2/(ν + 3))/(riv + 1),
 *
 * and ν the Barnard & Rubin (1999) degrees of freedom (mice:::barnard.rubin):
 *   λ' = max(λ, 1e-4),  ν_old = (m − 1)/λ'²,  ν_obs = (ν_com + 1)/(ν_com + 3)·ν_com·(1 − λ'),
 *   ν = ν_old·ν_obs/(ν_old + ν_obs)   (ν = ν_old when ν_com = ∞).
 *
 * Exported API: poolRubin(estimates, vcovs, dfcom) → PooledEstimates; barnardRubin(m, b, t, dfcom).
 */

export interface PooledEstimates {
  readonly m: number;
  readonly estimate: Float64Array;
  readonly ubar: Float64Array;
  readonly b: Float64Array;
  readonly t: Float64Array;
  readonly dfcom: number;
  readonly df: Float64Array;
  readonly riv: Float64Array;
  readonly lambda: Float64Array;
  readonly fmi: Float64Array;
}

/** Barnard–Rubin degrees of freedom for one parameter (mice:::barnard.rubin). */
export function barnardRubin(m: number, b: number, t: number, dfcom: number): number {
  const lambda = Math.max(((1 + 1 / m) * b) / t, 1e-4);
  const dfold = (m - 1) / (lambda * lambda);
  if (dfcom === Infinity) return dfold;
  const dfobs = ((dfcom + 1) / (dfcom + 3)) * dfcom * (1 - lambda);
  return (dfold * dfobs) / (dfold + dfobs);
}

/**
 * Pools m analyses. `estimates[k]` is imputation k's parameter vector (length p); `vcovs[k]` its
 * covariance matrix, either p×p row-major (length p²) or just the p variances; `dfcom` the
 * complete-data residual degrees of freedom (Infinity for large-sample analyses).
 */
export function poolRubin(estimates: readonly ArrayLike<number>[], vcovs: readonly ArrayLike<number>[], dfcom: number): PooledEstimates {
  const m = estimates.length;
  if (m < 2) throw new RangeError(`Rubin's rules need at least 2 imputations, got ${m}`);
  if (vcovs.length !== m) throw new RangeError(`${m} estimate vectors but ${vcovs.length} covariance matrices`);
  const p = estimates[0]!.length;
  const estimate = new Float64Array(p);
  const ubar = new Float64Array(p);
  const b = new Float64Array(p);
  const t = new Float64Array(p);
  const df = new Float64Array(p);
  const riv = new Float64Array(p);
  const lambda = new Float64Array(p);
  const fmi = new Float64Array(p);
  for (let k = 0; k < m; k++) {
    const e = estimates[k]!;
    const v = vcovs[k]!;
    if (e.length !== p) throw new RangeError(`imputation ${k + 1} has ${e.length} estimates, imputation 1 has ${p}`);
    if (v.length !== p * p && v.length !== p) throw new RangeError(`imputation ${k + 1}: covariance of length ${v.length} for ${p} estimates`);
  }
  const diag = (v: ArrayLike<number>, j: number): number => (v.length === p * p ? v[j * p + j]! : v[j]!);
  const inflate = 1 + 1 / m;
  for (let j = 0; j < p; j++) {
    let sq = 0;
    let su = 0;
    for (let k = 0; k < m; k++) {
      sq += estimates[k]![j]!;
      su += diag(vcovs[k]!, j);
    }
    const qbar = sq / m;
    let ss = 0;
    for (let k = 0; k < m; k++) ss += (estimates[k]![j]! - qbar) ** 2;
    estimate[j] = qbar;
    ubar[j] = su / m;
    b[j] = ss / (m - 1);
    t[j] = ubar[j]! + inflate * b[j]!;
    df[j] = barnardRubin(m, b[j]!, t[j]!, dfcom);
    riv[j] = (inflate * b[j]!) / ubar[j]!;
    lambda[j] = (inflate * b[j]!) / t[j]!;
    fmi[j] = (riv[j]! + 2 / (df[j]! + 3)) / (riv[j]! + 1);
  }
  return { m, estimate, ubar, b, t, dfcom, df, riv, lambda, fmi };
}
