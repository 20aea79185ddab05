/**
 * Newton–Raphson with step halving, exactly as `ordinal:::clm.fit.NR` (ordinal 2022.11), for any objective
 * that gives its value, gradient and Hessian: the fit driver of the cumulative-logit model (fitOrdinal,
 * mice's polr) and of the models to come.
 *
 *   newtonRaphson(objective, start, control) → NewtonResult   (state at the stop, clm's convergence code)
 *   newtonWorkspace(npar)                   the work doubles an objective reserves for it
 *   CLM_CONTROL, POLR_CONTROL, MICE_MULTINOM_CONTROL  control presets
 *   hessianEigenvalues(h, npar), maxAbs(v)  clm's eigen-check and max |·|
 *
 * Each iteration: the gradient g and Hessian H of the negative log-likelihood at the current parameters; the
 * step H⁻¹g (Cholesky; a Hessian that is not positive definite is inflated by |λ_min| + 1 on the diagonal,
 * at most maxModIter times in a row); stop when max|g| < gradTol AND max|step| < relTol — before taking that
 * step, as clm does. A trial point par − f·step (f = 1, then halved) is accepted unless it increases the
 * objective (within 1e-10 of the current value, unless its gradient is no smaller), at most maxLineIter
 * halvings; the next iteration starts from f = min(1, 2f). clm's convergence code: 0 both criteria met, 1
 * only the gradient criterion, 2 iteration limit, 3 step halving failed, 4 too many Hessian modifications.
 * The covariance is H⁻¹ at the stop (its Cholesky factor reused when the loop has just computed it).
 * A control with objectiveTol (mice's fits, MICE_MULTINOM_CONTROL) also stops after a step that lowered the
 * objective by less than objectiveTol·(|value| + 1), and evaluates a trial point without derivatives until
 * the iteration goes on from it: the operations of nnet::multinom-style Newton loops, one Hessian a step.
 */
import { createRequire } from 'node:module';
import type * as MlMatrix from 'ml-matrix';
import { FitError } from '../../errors.js';
import { cholesky, choleskyInverse, choleskySolve } from '../linalg.js';
import type { Kernels } from '../kernels/index.js';

export interface NewtonControl {
  readonly maxIter: number;
  readonly gradTol: number;
  readonly relTol: number;
  readonly maxLineIter: number;
  readonly maxModIter: number;
  /**
   * Optional (mice's internal fits): also stop once an accepted step has lowered the objective by less than
   * objectiveTol·(|value| + 1) — optim's `reltol` rule, as nnet::multinom's BFGS stops — and evaluate trial
   * points without derivatives, computing them only where the iteration goes on from that point (or a
   * near tie needs the trial's gradient). Without it, clm's rules alone.
   */
  readonly objectiveTol?: number | undefined;
}

/** `clm.control()`'s defaults. */
export const CLM_CONTROL: NewtonControl = { maxIter: 100, gradTol: 1e-6, relTol: 1e-6, maxLineIter: 15, maxModIter: 5 };

/**
 * mice's polr (mice.impute.polr fits `MASS::polr`, whose BFGS stops near a relative change of 1e-8 in the
 * objective): clm's criteria, with polr's more patient line search and fewer iterations (a fit that does
 * not converge falls back to the multinomial model, as mice's does).
 */
export const POLR_CONTROL: NewtonControl = { maxIter: 50, gradTol: 1e-6, relTol: 1e-6, maxLineIter: 30, maxModIter: 5 };

/**
 * mice's polyreg (mice.impute.polyreg fits `nnet::multinom`, BFGS to a relative change of 1e-8 in the
 * objective): Newton until a step lowers −log L by less than 1e-10·(|−log L| + 1) (one step short of
 * rounding, by Newton's quadratic convergence), no gradient criterion, polr's patient line search.
 */
export const MICE_MULTINOM_CONTROL: NewtonControl = { maxIter: 100, gradTol: 0, relTol: 0, maxLineIter: 29, maxModIter: 5, objectiveTol: 1e-10 };

/** What the driver needs of a model: its negative log-likelihood with gradient and Hessian, and memory. */
export interface NewtonObjective {
  readonly npar: number;
  /** −log L at par (Infinity where a probability is 0); with `derivs`, its gradient and Hessian (row-major npar²) into grad and hess. */
  evaluate(par: Float64Array, grad: Float64Array, hess: Float64Array, derivs: boolean): number;
  /**
   * newtonWorkspace(npar) zeroed doubles; `kernels` when they lie in the kernels' arena, whose chol,
   * cholsolve and cholinv (linalg.ts's operations, the same bits) then work on them in place.
   */
  workspace(): { work: Float64Array; kernels: Kernels | undefined };
}

/** The driver's arrays: two states (par, grad: npar each; hess: npar²), the step, the Cholesky factor and the inverse (npar² each). */
export function newtonWorkspace(npar: number): number {
  return 2 * (2 * npar + npar * npar) + npar + 2 * npar * npar;
}

export interface NewtonResult {
  /**
   * Parameters, gradient and Hessian at the stop (views into the workspace: copy what outlives the next fit;
   * with objectiveTol the derivatives are computed when first read).
   */
  readonly par: Float64Array;
  readonly grad: Float64Array;
  readonly hess: Float64Array;
  /** The objective at par. */
  readonly value: number;
  readonly iterations: number;
  /** Step halvings taken (clm's niter["inner"]). */
  readonly innerIterations: number;
  /** clm's convergence code (see the module comment). */
  readonly code: number;
  /** H⁻¹ at the stop (a new array), or the first pivot at which H is not positive definite. */
  covariance(): { vcov: Float64Array; failedAt: -1 } | { vcov: undefined; failedAt: number };
}

/** The state of the iteration at one parameter vector. */
interface State {
  par: Float64Array;
  grad: Float64Array;
  hess: Float64Array;
  nll: number;
}

let mlMatrix: typeof MlMatrix | undefined;

/**
 * Eigenvalues of the symmetric npar × npar matrix h (ml-matrix's tred2/tql2, as R's eigen). ml-matrix is
 * loaded on first use: fits without the eigen-check (bootstrap replicates on worker threads) never pay its
 * ~50 ms import.
 */
export function hessianEigenvalues(h: Float64Array, npar: number): number[] {
  mlMatrix ??= createRequire(import.meta.url)('ml-matrix') as typeof MlMatrix;
  const rows = Array.from({ length: npar }, (_, r) => Array.from(h.subarray(r * npar, (r + 1) * npar)));
  return new mlMatrix.EigenvalueDecomposition(new mlMatrix.Matrix(rows), { assumeSymmetric: true }).realEigenvalues;
}

export function maxAbs(v: Float64Array): number {
  let m = 0;
  for (const x of v) if (Math.abs(x) > m) m = Math.abs(x);
  return m;
}

/**
 * Minimises the objective from the parameters `start` writes (into a zeroed array), clm.fit.NR step by step.
 * Throws a FitError when the objective is not finite at the start or a Newton step cannot be computed.
 */
export function newtonRaphson(objective: NewtonObjective, start: (par: Float64Array) => void, control: NewtonControl): NewtonResult {
  const { maxIter, gradTol, relTol, maxLineIter, maxModIter, objectiveTol } = control;
  const lazy = objectiveTol !== undefined;
  const npar = objective.npar;
  // the iteration's arrays in one allocation (a typed array of more than 8 doubles costs ~1 µs to allocate
  // and is freed by the garbage collector; a view into one costs next to nothing): two states, the step and
  // the Cholesky factor, reused by every iteration
  const state = 2 * npar + npar * npar;
  const { work, kernels } = objective.workspace();
  let states = 0;
  const newState = (): State => {
    const o = state * states++;
    return { par: work.subarray(o, o + npar), grad: work.subarray(o + npar, o + 2 * npar), hess: work.subarray(o + 2 * npar, o + state), nll: NaN };
  };
  let cur = newState();
  let trial = newState();
  start(cur.par);
  cur.nll = objective.evaluate(cur.par, cur.grad, cur.hess, true);
  if (!Number.isFinite(cur.nll)) throw new FitError('non-finite log-likelihood at the starting values');
  const step = work.subarray(2 * state, 2 * state + npar);
  const factor = work.subarray(2 * state + npar, 2 * state + npar + npar * npar);
  const inverse = work.subarray(2 * state + npar + npar * npar);
  // Cholesky factor, solve and inverse: the kernels' (the same operations, compiled once for every thread) on
  // arrays in their memory, else linalg.ts's
  const factorize = (h: Float64Array): number =>
    kernels?.inArena(h) ? kernels.chol(h, npar, 0, factor) : cholesky(h, npar, 0, factor).failedAt;
  let stepFactor = 1;
  let innerIter = 0;
  let modifIter = 0;
  let absIter = 0;
  let conv = 2;
  /** Evaluates the trial point par − stepFactor·step (with derivatives: if accepted, the next iteration needs them; not with objectiveTol). */
  const tryStep = (): void => {
    for (let r = 0; r < npar; r++) trial.par[r] = cur.par[r]! - stepFactor * step[r]!;
    trial.nll = objective.evaluate(trial.par, trial.grad, trial.hess, !lazy);
  };
  /** The derivatives at a point evaluated without them (objectiveTol). */
  const derivatives = (at: State): void => {
    at.nll = objective.evaluate(at.par, at.grad, at.hess, true);
  };
  /** Whether cur's derivatives are those of cur.par (objectiveTol: not after a stop on the objective). */
  let current = true;
  const accept = (): void => {
    [cur, trial] = [trial, cur];
  };
  let i = 1;
  /** Whether `factor` holds the Cholesky factor of the final Hessian (the loop ended having computed it: converged, not inflated). */
  let factored = false;
  // clm.fit.NR (ordinal 2022.11), step by step
  for (; i <= maxIter + 1; i++) {
    const maxGrad = maxAbs(cur.grad);
    const absConv = maxGrad < gradTol;
    if (absConv) absIter++;
    let failedAt = factorize(cur.hess);
    if (failedAt >= 0) {
      if (absConv) {
        conv = 1;
        break;
      }
      const h = cur.hess;
      const inflate = Math.abs(Math.min(...hessianEigenvalues(h, npar))) + 1;
      const inflated = Float64Array.from(h);
      for (let r = 0; r < npar; r++) inflated[r * npar + r] = inflated[r * npar + r]! + inflate;
      failedAt = factorize(inflated);
      if (failedAt >= 0) throw new FitError(`cannot compute a Newton step at iteration ${i - 1}: the Hessian is singular`, { hint: 'a term may be collinear with others or separate the outcome' });
      modifIter++;
    } else modifIter = 0;
    if (modifIter >= maxModIter) {
      conv = 4;
      break;
    }
    step.set(cur.grad);
    if (kernels !== undefined) kernels.cholsolve(factor, npar, step);
    else choleskySolve(factor, npar, step);
    const relConv = maxAbs(step) < relTol;
    if (absConv && relConv) {
      conv = 0;
      if (modifIter === 0) factored = true;
      break;
    }
    tryStep();
    let lineIter = 0;
    // a worse step; within 1e-10 of the current value, one whose gradient is no smaller. (Every part is
    // computed every time, though only a near tie needs them all: an operation first reached after the JIT
    // has compiled this loop would discard the compiled code.)
    const worse = trial.nll > cur.nll;
    const nearTie = Math.abs(cur.nll - trial.nll) < 1e-10;
    if (lazy && worse && nearTie) derivatives(trial);
    const gradNoSmaller = maxGrad < maxAbs(trial.grad);
    let stephalf = worse && (!nearTie || gradNoSmaller);
    if (absConv && stephalf) {
      conv = 1; // clm restores the parameters and stops
      break;
    }
    if (absConv && absIter >= 5) {
      conv = 1;
      accept();
      break;
    }
    while (stephalf) {
      stepFactor /= 2;
      tryStep();
      lineIter++;
      if (lineIter > maxLineIter) {
        conv = 3;
        break;
      }
      innerIter++;
      stephalf = trial.nll > cur.nll;
      if (stephalf && Math.abs(cur.nll - trial.nll) < 1e-10) {
        if (lazy) derivatives(trial);
        stephalf = maxGrad < maxAbs(trial.grad);
      }
    }
    // objectiveTol: a failed line search keeps the current point
    if (lazy && conv === 3) break;
    const before = cur.nll;
    accept();
    if (lazy) {
      current = false;
      if (Math.abs(before - cur.nll) < objectiveTol * (Math.abs(cur.nll) + 1)) {
        conv = 0;
        i++; // this iteration's step is taken: it counts
        break;
      }
      derivatives(cur);
      current = true;
    }
    if (conv === 3) break;
    stepFactor = Math.min(1, 2 * stepFactor);
  }
  const { par, grad, hess, nll } = cur;
  const result: NewtonResult = {
    par,
    grad,
    hess,
    value: nll,
    iterations: i - 1,
    innerIterations: innerIter,
    code: conv,
    covariance() {
      const failedAt = factored ? -1 : factorize(hess);
      if (failedAt >= 0) return { vcov: undefined, failedAt };
      if (kernels === undefined) return { vcov: choleskyInverse(factor, npar), failedAt: -1 };
      kernels.cholinv(factor, npar, inverse);
      return { vcov: inverse.slice(), failedAt: -1 };
    },
  };
  return current ? result : derivativesOnDemand(result, () => {
    derivatives(cur);
  });
}

/**
 * objectiveTol stopped at a point evaluated without derivatives: its gradient, Hessian and covariance are
 * computed when first read. (A result with accessors costs more to build than a plain one: clm's fits,
 * which always have their derivatives, get the plain one.)
 */
function derivativesOnDemand(r: NewtonResult, compute: () => void): NewtonResult {
  let done = false;
  const ensure = (): void => {
    if (!done) compute();
    done = true;
  };
  return {
    ...r,
    get grad() {
      ensure();
      return r.grad;
    },
    get hess() {
      ensure();
      return r.hess;
    },
    covariance() {
      ensure();
      return r.covariance();
    },
  };
}
