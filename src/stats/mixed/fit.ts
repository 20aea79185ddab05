/**
 * Fits a cumulative-logit (or, with J = 2, logistic) model with a random intercept — or a random
 * intercept and slope — per cluster by maximising the Laplace or adaptive Gauss–Hermite likelihood of
 * laplace.ts. What R's clmm / glmer do, tighter (docs/mixed-models.md):
 *
 * - Columns of X are divided by their SD internally (clmm's nlminb stops with "false convergence" on
 *   onset in minutes); estimates, covariances and gradients are reported on the user's scale (exact).
 * - Start: the fixed-effects (clm) fit and τ = 0.3; a random slope starts from the random-intercept fit.
 * - Outer quasi-Newton on (θ, β, ρ) — ρ = log τ, or (log a, c, log b) for L = [[a, 0], [c, b]] — with
 *   the analytic gradient: the first step's Hessian is its forward-difference Jacobian (symmetrised, made
 *   positive definite when needed), then BFGS updates; backtracking on the objective, until max |gradient|
 *   < 1e-9 (scaled parameters).
 * - Boundary: a log SD heading below −3 is tried at SD = 0 (the objective is even in the SD, so 0 is a
 *   stationary point); when that is no worse the SD is fixed at 0 (with it c, when a = 0) — lme4's
 *   "boundary (singular) fit" — and the other parameters are optimised on.
 * - Standard errors: the inverse of the Hessian of −log L in (θ, β, log SD…), by forward differences of
 *   the analytic gradient (one gradient per parameter, h = 1e-7: see forwardHessian); parameters fixed at
 *   the boundary are left out (as clmm).
 */
import { FitError } from '../../errors.js';
import { cholesky, choleskyInverse, choleskySolve, symmetricEigen } from '../linalg.js';
import { MixedLikelihood, type MixedData } from './laplace.js';
import { meanSd } from '../moments.js';

export interface MixedStart {
  readonly thresholds: ArrayLike<number>;
  readonly beta: ArrayLike<number>;
  /** RE parameters (ρ, or log a, c, log b); default τ = 0.3 (a random slope: a = 0.3, c = 0, b = 0.1). */
  readonly re?: ArrayLike<number> | undefined;
}

export interface MixedControl {
  /** Stop when max |gradient| (scaled parameters) is below this. Default 1e-9. */
  readonly gradTol?: number | undefined;
  readonly maxIter?: number | undefined;
  /**
   * A Hessian of −log L near the start on the user's scale (npar × npar; a previous fit's `hessian`, e.g.
   * the whole sample's for a bootstrap replicate): the optimiser then starts from it and updates it by
   * BFGS instead of differencing the gradient at every iteration.
   */
  readonly hessian?: Float64Array | undefined;
  /** Compute standard errors (the Richardson Hessian). Default true; a bootstrap replicate needs none. */
  readonly standardErrors?: boolean | undefined;
}

export interface MixedFit {
  /** Parameters on the user's scale: thresholds, β, RE parameters (ρ, or log a, c, log b). */
  readonly par: Float64Array;
  /** Covariance of `par` (npar × npar) on the user's scale; NaN rows/columns for parameters at the boundary. */
  readonly vcov: Float64Array;
  readonly stdErrors: Float64Array;
  readonly loglik: number;
  /** Number of estimated parameters (at-boundary ones excluded? no: counted, as lme4 and clmm count them). */
  readonly edf: number;
  readonly iterations: number;
  /** Gradient evaluations (each with its inner Newton per cluster). */
  readonly evaluations: number;
  /** max |∂(−log L)/∂φ| on the user's scale at the estimate. */
  readonly maxGradient: number;
  /** The same on the internal (SD-scaled) parameters: what the convergence test uses. */
  readonly maxGradientScaled: number;
  readonly converged: boolean;
  /** Condition number of the Hessian on the user's scale (clmm's cond.H); NaN without standard errors. */
  readonly condH: number;
  /** The Hessian of −log L on the user's scale (npar × npar, NaN rows and columns at the boundary); undefined without standard errors. */
  readonly hessian: Float64Array | undefined;
  /** Which RE parameters are fixed at the boundary (SD 0). */
  readonly atBoundary: readonly boolean[];
  readonly singular: boolean;
  /** Conditional modes b_i (clusters × q, clmm's ranef) and their conditional covariances (clusters × 1 or 3: Var b_i | y, Laplace). */
  readonly modes: Float64Array;
  readonly condCov: Float64Array;
  readonly nAGQ: number;
  readonly q: number;
  readonly warnings: readonly string[];
}

const LOG_SD_TRY_BOUNDARY = -3;

/** The column SDs used to scale X (1 for a constant or a slope column, which keep their units). */
function columnScales(X: Float64Array, n: number, p: number, keep: number | undefined): Float64Array {
  const s = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    if (j === keep) {
      s[j] = 1;
      continue;
    }
    const { sd } = meanSd(X.subarray(j * n, (j + 1) * n));
    s[j] = sd > 0 ? sd : 1; // NaN (one row) or 0 (a constant column): unscaled
  }
  return s;
}

export interface MixedProblem {
  readonly data: MixedData;
  /** The column of X that is the random slope's variable (kept unscaled), if any. */
  readonly slopeColumn?: number | undefined;
  readonly nAGQ?: number | undefined;
  readonly start: MixedStart;
  readonly control?: MixedControl | undefined;
}

/** Index sets: the RE parameters of the model and which are free. */
interface Layout {
  readonly K: number;
  readonly p: number;
  readonly q: number;
  readonly npar: number;
  readonly reAt: number;
}

export function fitMixed(problem: MixedProblem): MixedFit {
  const { data } = problem;
  const { n, p } = data;
  const scales = columnScales(data.X, n, p, problem.slopeColumn);
  const Xs = new Float64Array(data.X.length);
  for (let j = 0; j < p; j++) for (let i = 0; i < n; i++) Xs[j * n + i] = data.X[j * n + i]! / scales[j]!;
  const lik = new MixedLikelihood({ ...data, X: Xs }, problem.nAGQ ?? 1);
  const layout: Layout = { K: lik.K, p, q: lik.q, npar: lik.npar, reAt: lik.K + p };
  const toScaled = (user: ArrayLike<number>): Float64Array => {
    const out = Float64Array.from(user);
    for (let j = 0; j < p; j++) out[layout.K + j] = user[layout.K + j]! * scales[j]!;
    return out;
  };
  const start = new Float64Array(layout.npar);
  start.set(Array.from(problem.start.thresholds), 0);
  for (let j = 0; j < p; j++) start[layout.K + j] = problem.start.beta[j]!;
  const re = problem.start.re ?? (layout.q === 1 ? [Math.log(0.3)] : [Math.log(0.3), 0, Math.log(0.1)]);
  for (let r = 0; r < re.length; r++) start[layout.reAt + r] = re[r]!;
  const phi = toScaled(start);
  const fixed = new Array<boolean>(layout.npar).fill(false);
  for (let r = 0; r < re.length; r++) if (re[r] === -Infinity) fixed[layout.reAt + r] = true;
  const control = problem.control ?? {};
  const scaleOf = (j: number): number => (j >= layout.K && j < layout.K + p ? scales[j - layout.K]! : 1);
  const hessian = control.hessian === undefined ? undefined : control.hessian.map((v, k) => v / (scaleOf(Math.floor(k / layout.npar)) * scaleOf(k % layout.npar)));
  const opt = newton(lik, phi, fixed, layout, control, hessian);
  return finish(lik, opt, layout, scales, problem.nAGQ ?? 1, control.standardErrors ?? true);
}

interface Optimum {
  readonly phi: Float64Array;
  readonly fixed: readonly boolean[];
  readonly value: number;
  readonly iterations: number;
  evaluations: number;
  readonly converged: boolean;
  readonly maxGradient: number;
}

/** Indices of the log-SD parameters (ρ; or log a, log b) and what fixing each at SD 0 also fixes. */
function logSdParameters(layout: Layout): { at: number; alsoFix: number[] }[] {
  if (layout.q === 1) return [{ at: layout.reAt, alsoFix: [] }];
  // a = 0 leaves u_1 loading on z only (c z u_1 + b z u_2): c is then not identified apart from b; fix c = 0
  return [
    { at: layout.reAt + 2, alsoFix: [] },
    { at: layout.reAt, alsoFix: [layout.reAt + 1] },
  ];
}

function newton(lik: MixedLikelihood, phi0: Float64Array, fixed0: readonly boolean[], layout: Layout, control: MixedControl, startHessian: Float64Array | undefined): Optimum {
  const npar = layout.npar;
  const gradTol = control.gradTol ?? 1e-9;
  const maxIter = control.maxIter ?? 200;
  const phi = Float64Array.from(phi0);
  const fixed = [...fixed0];
  const g = new Float64Array(npar);
  let evaluations = 0;
  const grad = (x: Float64Array, out: Float64Array): number => {
    evaluations++;
    return lik.gradient(x, out);
  };
  let f = grad(phi, g);
  if (!Number.isFinite(f)) throw new FitError('the mixed model cannot be evaluated at its starting values (the fixed-effects fit)', { hint: 'check the outcome categories and the covariates for extreme values' });
  let iterations = 0;
  let converged = false;
  const trial = new Float64Array(npar);
  const gTrial = new Float64Array(npar);
  // the quasi-Newton matrix on the free parameters (BFGS from a given Hessian), undefined: difference the gradient
  let quasi: Float64Array | undefined;
  let profiledFailed = false;
  if (startHessian !== undefined) {
    const free = freeIndices(fixed);
    quasi = subMatrixOf(startHessian, npar, free);
    if (quasi.some((v) => !Number.isFinite(v))) quasi = undefined;
  }
  for (; iterations < maxIter; iterations++) {
    const free = freeIndices(fixed);
    if (maxAbs(g, free) < gradTol) {
      converged = true;
      break;
    }
    // the boundary: a log SD below LOG_SD_TRY_BOUNDARY whose gradient pushes it down is tried at SD = 0
    let moved = false;
    for (const s of logSdParameters(layout)) {
      if (fixed[s.at] || phi[s.at]! > LOG_SD_TRY_BOUNDARY || !(g[s.at]! > 0)) continue;
      trial.set(phi);
      trial[s.at] = -Infinity;
      for (const j of s.alsoFix) trial[j] = 0;
      const fb = grad(trial, gTrial);
      if (fb <= f + 1e-9 * Math.abs(f)) {
        phi.set(trial);
        g.set(gTrial);
        f = fb;
        fixed[s.at] = true;
        for (const j of s.alsoFix) fixed[j] = true;
        moved = true;
        quasi = undefined;
      }
    }
    if (moved) continue;
    // the first step (and any after a failed quasi-Newton step or a move to the boundary) differences the
    // gradient; the matrix is then carried on by BFGS updates, one gradient per iteration
    let step: { dir: Float64Array; slope: number; fresh: boolean };
    if (quasi === undefined && lik.q === 1 && !profiledFailed) {
      // a random intercept: Newton with the profiled Hessian, its log-SD row by differencing (2 gradients a step)
      step = { ...profiledStep(lik, phi, g, free, grad, layout), fresh: true };
    } else if (quasi === undefined) {
      const fd = newtonStep(phi, g, free, grad);
      quasi = fd.H;
      step = { ...fd, fresh: true };
    } else step = { ...directionOf(quasi, g, free), fresh: false };
    // a step of more than 2 in a log SD (a factor e² in the SD) is shortened: far from the optimum the
    // Laplace objective can be nearly flat in the SD, and a huge SD leaves nothing for backtracking to try
    let longest = 0;
    free.forEach((j, r) => {
      if (j >= layout.reAt) longest = Math.max(longest, Math.abs(step.dir[r]!));
    });
    if (longest > 2) {
      const shrink = 2 / longest;
      for (let r = 0; r < step.dir.length; r++) step.dir[r] = step.dir[r]! * shrink;
      step.slope *= shrink;
    }
    // backtracking; in the quadratic region (predicted decrease below what f resolves) the full step is taken
    const predicted = -step.slope;
    let t = 1;
    let accepted = false;
    for (let h = 0; h < 40; h++) {
      trial.set(phi);
      for (const j of free) trial[j] = phi[j]! + t * step.dir[free.indexOf(j)]!;
      const ft = grad(trial, gTrial);
      if (Number.isFinite(ft) && (ft <= f + 1e-4 * t * step.slope || (t === 1 && predicted < 1e-11 * Math.max(1, Math.abs(f)) && ft <= f + 1e-10 * Math.max(1, Math.abs(f))))) {
        const before = maxAbs(g, free);
        if (quasi !== undefined) bfgsUpdate(quasi, free, trial, phi, gTrial, g);
        phi.set(trial);
        g.set(gTrial);
        f = ft;
        accepted = true;
        // BFGS that does not halve the gradient (near the optimum its updates are noise): difference it again
        if (!step.fresh && maxAbs(g, free) > 0.5 * before) quasi = undefined;
        break;
      }
      t /= 2;
    }
    if (!accepted && !step.fresh) {
      quasi = undefined; // the quasi-Newton direction failed: difference the gradient from here
      continue;
    }
    if (!accepted && lik.q === 1 && !profiledFailed && quasi === undefined) {
      profiledFailed = true; // the profiled Hessian's direction failed: difference the whole gradient from here
      continue;
    }
    if (!accepted) break;
  }
  return { phi, fixed, value: f, iterations, evaluations, converged, maxGradient: maxAbs(g, freeIndices(fixed)) };
}

/**
 * A Newton direction for a random intercept: the profiled Hessian (MixedLikelihood.profiledHessian, at the
 * modes of the gradient just evaluated at φ) for the thresholds and coefficients, and the log-SD row and
 * column by a forward difference of the gradient (the ½ log D terms matter most there).
 */
function profiledStep(lik: MixedLikelihood, phi: Float64Array, g: Float64Array, free: readonly number[], grad: (x: Float64Array, out: Float64Array) => number, layout: Layout): { dir: Float64Array; slope: number } {
  const npar = layout.npar;
  const full = new Float64Array(npar * npar);
  lik.profiledHessian(phi, full);
  const rho = layout.reAt;
  if (free.includes(rho)) {
    const h = 1e-6 * Math.max(1, Math.abs(phi[rho]!));
    const x = Float64Array.from(phi);
    x[rho] = phi[rho]! + h;
    const gh = new Float64Array(npar);
    grad(x, gh);
    for (let j = 0; j < npar; j++) {
      const v = (gh[j]! - g[j]!) / h;
      full[j * npar + rho] = v;
      full[rho * npar + j] = v;
    }
  }
  return directionOf(subMatrixOf(full, npar, free), g, free);
}

function subMatrixOf(A: Float64Array, n: number, idx: readonly number[]): Float64Array {
  const m = idx.length;
  const out = new Float64Array(m * m);
  for (let r = 0; r < m; r++) for (let c = 0; c < m; c++) out[r * m + c] = A[idx[r]! * n + idx[c]!]!;
  return out;
}

/** The quasi-Newton direction −H⁻¹g on the free parameters. */
function directionOf(H: Float64Array, g: Float64Array, free: readonly number[]): { dir: Float64Array; slope: number } {
  const m = free.length;
  const dir = positiveDefiniteSolve(H, m, Float64Array.from(free, (j) => -g[j]!));
  let slope = 0;
  for (let r = 0; r < m; r++) slope += dir[r]! * g[free[r]!]!;
  return { dir, slope };
}

/** BFGS: H ← H − H s s'H / s'Hs + y y'/y's, s = Δφ, y = Δg on the free parameters (skipped unless y's > 0). */
function bfgsUpdate(H: Float64Array, free: readonly number[], next: Float64Array, prev: Float64Array, gNext: Float64Array, gPrev: Float64Array): void {
  const m = free.length;
  const sv = Float64Array.from(free, (j) => next[j]! - prev[j]!);
  const yv = Float64Array.from(free, (j) => gNext[j]! - gPrev[j]!);
  let ys = 0;
  for (let r = 0; r < m; r++) ys += yv[r]! * sv[r]!;
  if (!(ys > 1e-300)) return;
  const Hs = new Float64Array(m);
  for (let r = 0; r < m; r++) {
    let v = 0;
    for (let c = 0; c < m; c++) v += H[r * m + c]! * sv[c]!;
    Hs[r] = v;
  }
  let sHs = 0;
  for (let r = 0; r < m; r++) sHs += sv[r]! * Hs[r]!;
  if (!(sHs > 0)) return;
  for (let r = 0; r < m; r++) for (let c = 0; c < m; c++) H[r * m + c] = H[r * m + c]! - (Hs[r]! * Hs[c]!) / sHs + (yv[r]! * yv[c]!) / ys;
}

function freeIndices(fixed: readonly boolean[]): number[] {
  const out: number[] = [];
  fixed.forEach((f, j) => {
    if (!f) out.push(j);
  });
  return out;
}

function maxAbs(g: ArrayLike<number>, idx: readonly number[]): number {
  let m = 0;
  for (const j of idx) m = Math.max(m, Math.abs(g[j]!));
  return m;
}

/**
 * The Newton direction on the free parameters: H = forward-difference Jacobian of the gradient
 * (symmetrised); if H is not positive definite it is shifted by (|λ_min| + 1e-6·max|λ|)·I on the
 * Jacobi-scaled matrix. Returns the direction and the slope g'd. (The gradients move the modes' warm
 * start; they converge to the same modes from any start.)
 */
function newtonStep(phi: Float64Array, g: Float64Array, free: readonly number[], grad: (x: Float64Array, out: Float64Array) => number): { dir: Float64Array; slope: number; H: Float64Array } {
  const m = free.length;
  const H = new Float64Array(m * m);
  const x = Float64Array.from(phi);
  const gh = new Float64Array(phi.length);
  for (let c = 0; c < m; c++) {
    const j = free[c]!;
    const h = 1e-6 * Math.max(1, Math.abs(phi[j]!));
    x[j] = phi[j]! + h;
    grad(x, gh);
    x[j] = phi[j]!;
    for (let r = 0; r < m; r++) H[r * m + c] = (gh[free[r]!]! - g[free[r]!]!) / h;
  }
  for (let r = 0; r < m; r++) {
    for (let c = r + 1; c < m; c++) {
      const v = 0.5 * (H[r * m + c]! + H[c * m + r]!);
      H[r * m + c] = v;
      H[c * m + r] = v;
    }
  }
  const { dir, slope } = directionOf(H, g, free);
  return { dir, slope, H };
}

/**
 * Solves H d = b on the Jacobi-scaled matrix; when H is not positive definite its eigenvalues are
 * replaced by their absolute values (floored at 1e-8 of the largest): a descent direction of the scale
 * Newton's would have (a far start can make the objective concave in log SD).
 */
function positiveDefiniteSolve(H: Float64Array, m: number, b: Float64Array): Float64Array {
  const d = Float64Array.from({ length: m }, (_, i) => 1 / Math.sqrt(Math.max(Math.abs(H[i * m + i]!), 1e-300)));
  const S = new Float64Array(m * m);
  for (let r = 0; r < m; r++) for (let c = 0; c < m; c++) S[r * m + c] = H[r * m + c]! * d[r]! * d[c]!;
  const rhs = Float64Array.from(b, (v, i) => v * d[i]!);
  const { L, failedAt } = cholesky(S, m);
  let y: Float64Array;
  if (failedAt < 0) y = choleskySolve(L, m, rhs);
  else {
    const { values, vectors } = symmetricEigen(S, m);
    let top = 0;
    for (const v of values) top = Math.max(top, Math.abs(v));
    y = new Float64Array(m);
    for (let k = 0; k < m; k++) {
      let proj = 0;
      for (let i = 0; i < m; i++) proj += vectors[i * m + k]! * rhs[i]!;
      const lam = Math.max(Math.abs(values[k]!), 1e-8 * top);
      for (let i = 0; i < m; i++) y[i] = y[i]! + (vectors[i * m + k]! * proj) / lam;
    }
  }
  return Float64Array.from(y, (v, i) => v * d[i]!);
}

/**
 * The Hessian of −log L on the free parameters by forward differences of the analytic gradient at the
 * optimum, H_·j = (g(φ + h e_j) − g(φ)) / h with h = 1e-7·max(1, |φ_j|) on the SD-scaled parameters:
 * truncation ~h·f‴/f″ ≈ 1e-7 relative, rounding ~(the gradient's error, ≤ 1e-11)/h — the modes converge to
 * ~1e-14 — so about 1e-7 relative in all, as central differences with h = 1e-4 but half the gradients
 * (checked against the Richardson Hessians of the independent R fits: SEs within 1e-5). Symmetrised.
 */
function forwardHessian(lik: MixedLikelihood, phi: Float64Array, free: readonly number[]): { H: Float64Array; evaluations: number } {
  const m = free.length;
  const H = new Float64Array(m * m);
  const x = Float64Array.from(phi);
  const g0 = new Float64Array(phi.length);
  const gp = new Float64Array(phi.length);
  lik.gradient(phi, g0);
  for (let c = 0; c < m; c++) {
    const j = free[c]!;
    const h = 1e-7 * Math.max(1, Math.abs(phi[j]!));
    x[j] = phi[j]! + h;
    lik.gradient(x, gp);
    x[j] = phi[j]!;
    for (let r = 0; r < m; r++) H[r * m + c] = (gp[free[r]!]! - g0[free[r]!]!) / h;
  }
  for (let r = 0; r < m; r++) {
    for (let c = r + 1; c < m; c++) {
      const v = 0.5 * (H[r * m + c]! + H[c * m + r]!);
      H[r * m + c] = v;
      H[c * m + r] = v;
    }
  }
  return { H, evaluations: m + 1 };
}

function finish(lik: MixedLikelihood, opt: Optimum, layout: Layout, scales: Float64Array, nAGQ: number, standardErrors: boolean): MixedFit {
  const { npar, K, p, q } = layout;
  const warnings: string[] = [];
  const free = freeIndices(opt.fixed);
  const m = free.length;
  const { H, evaluations } = standardErrors ? forwardHessian(lik, opt.phi, free) : { H: new Float64Array(m * m).fill(NaN), evaluations: 0 };
  // user scale: φ_user = φ / s for β, so H_user = S H S (S = diag(scales) on β), V_user = S⁻¹ V S⁻¹
  const scaleOf = (j: number): number => (j >= K && j < K + p ? scales[j - K]! : 1);
  const Hu = new Float64Array(m * m);
  for (let r = 0; r < m; r++) for (let c = 0; c < m; c++) Hu[r * m + c] = H[r * m + c]! * scaleOf(free[r]!) * scaleOf(free[c]!);
  const { L, failedAt } = standardErrors ? cholesky(H, m) : { L: H, failedAt: 0 };
  const vcov = new Float64Array(npar * npar).fill(NaN);
  const hessian = new Float64Array(npar * npar).fill(NaN);
  for (let r = 0; r < m; r++) for (let c = 0; c < m; c++) hessian[free[r]! * npar + free[c]!] = Hu[r * m + c]!;
  if (!standardErrors) {
    // none asked for
  } else if (failedAt >= 0) {
    warnings.push('the Hessian is not positive definite at the estimate: standard errors are not available');
  } else {
    const Vs = choleskyInverse(L, m);
    for (let r = 0; r < m; r++) for (let c = 0; c < m; c++) vcov[free[r]! * npar + free[c]!] = Vs[r * m + c]! / (scaleOf(free[r]!) * scaleOf(free[c]!));
  }
  let lo = Infinity;
  let hi = -Infinity;
  if (standardErrors) {
    for (const v of symmetricEigen(Hu, m).values) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const par = Float64Array.from(opt.phi, (v, j) => v / scaleOf(j));
  const stdErrors = Float64Array.from({ length: npar }, (_, j) => Math.sqrt(vcov[j * npar + j]!));
  // the gradient at the estimate on the user's scale (and the modes and curvatures at the estimate)
  const g = new Float64Array(npar);
  const value = lik.gradient(opt.phi, g);
  let maxGradient = 0;
  for (const j of free) maxGradient = Math.max(maxGradient, Math.abs(g[j]! * scaleOf(j)));
  // modes b_i = L û_i, conditional covariance L D_i⁻¹ L'
  const Lre = lik.reLoadings(opt.phi);
  const nc = lik.clusters;
  const modes = new Float64Array(nc * q);
  const condCov = new Float64Array(nc * (q === 1 ? 1 : 3));
  for (let i = 0; i < nc; i++) {
    if (q === 1) {
      const tau = Lre[0]!;
      modes[i] = tau * lik.modes[i]!;
      condCov[i] = (tau * tau) / lik.curvature[i]!;
    } else {
      const [a, c, b] = Lre as [number, number, number];
      const u1 = lik.modes[2 * i]!;
      const u2 = lik.modes[2 * i + 1]!;
      modes[2 * i] = a * u1;
      modes[2 * i + 1] = c * u1 + b * u2;
      const d11 = lik.curvature[3 * i]!;
      const d12 = lik.curvature[3 * i + 1]!;
      const d22 = lik.curvature[3 * i + 2]!;
      const det = d11 * d22 - d12 * d12;
      const i11 = d22 / det;
      const i12 = -d12 / det;
      const i22 = d11 / det;
      // L D⁻¹ L' with L = [[a, 0], [c, b]]
      condCov[3 * i] = a * a * i11;
      condCov[3 * i + 1] = a * (c * i11 + b * i12);
      condCov[3 * i + 2] = c * c * i11 + 2 * c * b * i12 + b * b * i22;
    }
  }
  const atBoundary = logSdParameters(layout).map((s) => opt.fixed[s.at] === true);
  // lme4's isSingular: a diagonal element of the covariance factor below 1e-4
  const diagonal = q === 1 ? [Lre[0]!] : [Lre[0]!, Lre[2]!];
  const singular = diagonal.some((d) => d < 1e-4);
  if (!opt.converged) warnings.push(`the mixed model did not converge: max |gradient| ${opt.maxGradient.toExponential(2)} after ${opt.iterations} iterations`);
  if (lik.unconvergedModes > 0) warnings.push(`the conditional modes of ${lik.unconvergedModes} clusters did not converge`);
  return {
    par,
    vcov,
    stdErrors,
    loglik: -value,
    edf: npar,
    iterations: opt.iterations,
    evaluations: opt.evaluations + evaluations + 1,
    maxGradient,
    maxGradientScaled: opt.maxGradient,
    converged: opt.converged,
    condH: !standardErrors ? NaN : lo > 0 ? hi / lo : Infinity,
    hessian: standardErrors ? hessian : undefined,
    atBoundary,
    singular,
    modes,
    condCov,
    nAGQ,
    q,
    warnings,
  };
}
