/**
 * Statistical-engine benchmark (issue 3). Prints:
 * - the ordinal (clm) fit on N = 1 665 rows, 9 covariate columns, 7 outcome levels: median time per fit
 *   after warm-up, with and without clm's Hessian eigen-check (goal < 1 ms: the bootstrap's inner loop;
 *   R clm 10 ms, polr 40 ms);
 * - logistic (glm IRLS) and ordinal fits at N = 100 000 and 1 000 000 rows with 10 covariate columns:
 *   wall time of the fit (and of building the model matrix from the table), and the process's peak
 *   RSS after it (goals: 1e6 logistic < 0.5 s and < 400 MB; 1e5 ordinal < 100 ms; R glm 160 ms and
 *   clm 420 ms at 1e5); at 1e5 rows the median of 5 fits;
 * - the bootstrap's case: an ordinal fit on a resample of the 1 665 rows started from the full-data estimate.
 * Data: a seeded synthetic data set (a 32-bit LCG, as test/fixtures/models/big.R), the same at every run.
 */
import { makeTable, type Column, type Table } from '../src/data/table.js';
import { buildDesign } from '../src/stats/design.js';
import { fitLogistic } from '../src/stats/logistic.js';
import { fitOrdinal, responseCategories } from '../src/stats/ordinal.js';
import { lcgRows } from './lcg.js';

const peakMb = (): number => process.resourceUsage().maxRSS / 1024;

/** Wall and CPU milliseconds of f (on a shared machine the CPU time is the fairer figure). */
function timed<T>(f: () => T): { value: T; wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = f();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, wall, cpu: (c.user + c.system) / 1000 };
}

/** n rows of 10 covariates, a 0/1 outcome y and a 7-level outcome yo (see big.R); also bench/ab.ts's data. */
export function syntheticData(n: number, seed = 20261122): Table {
  const cols = Array.from({ length: 10 }, () => new Float64Array(n));
  const y = new Float64Array(n);
  const yo = new Float64Array(n);
  const u = new Float64Array(12);
  const next = lcgRows(seed);
  for (let i = 0; i < n; i++) {
    next(u);
    const x0 = u[0]!;
    const x1 = 2 * u[1]! - 1;
    const x2 = u[2]! < 0.4 ? 1 : 0;
    const x3 = 60 + 300 * u[3]!;
    const x4 = Math.round(40 * u[4]!);
    const x5 = u[5]! * u[5]!;
    const x6 = u[6]! < 0.5 ? 1 : 0;
    const x7 = 10 * u[7]!;
    const x8 = u[8]! - 0.5;
    const x9 = u[9]! < 0.2 ? 1 : 0;
    const xs = [x0, x1, x2, x3, x4, x5, x6, x7, x8, x9];
    for (let j = 0; j < 10; j++) cols[j]![i] = xs[j]!;
    const eta = -0.5 + 0.8 * x0 - 0.6 * x1 + 0.5 * x2 - 0.002 * x3 + 0.03 * x4 - 0.4 * x5 + 0.3 * x6 - 0.05 * x7 + 0.7 * x8 - 0.2 * x9;
    y[i] = u[10]! < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
    const lat = eta + Math.log(u[11]! / (1 - u[11]!));
    yo[i] = (lat >= -2 ? 1 : 0) + (lat >= -1 ? 1 : 0) + (lat >= -0.3 ? 1 : 0) + (lat >= 0.3 ? 1 : 0) + (lat >= 1 ? 1 : 0) + (lat >= 2 ? 1 : 0);
  }
  return makeTable([...cols.map((c, j): [string, Column] => [`x${j + 1}`, { type: 'number', values: c }]), ['y', { type: 'number', values: y }], ['yo', { type: 'number', values: yo }]]);
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function ordinalInnerLoop(): void {
  const n = 1665;
  const table = syntheticData(n, 7);
  const md = buildDesign('yo ~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9', table);
  const cats = responseCategories(md.response!);
  const X = md.X.subarray(md.n);
  const p = md.p - 1;
  for (const checkHessian of [true, false]) {
    for (let k = 0; k < 200; k++) fitOrdinal(X, md.n, p, cats.codes, cats.labels.length, { checkHessian });
    const times: number[] = [];
    const cpus: number[] = [];
    let iters = 0;
    for (let k = 0; k < 500; k++) {
      const t = timed(() => fitOrdinal(X, md.n, p, cats.codes, cats.labels.length, { checkHessian }));
      times.push(t.wall);
      cpus.push(t.cpu);
      iters = t.value.iterations;
    }
    console.log(
      `ordinal fit, N = ${n}, 9 covariates, ${cats.labels.length} levels${checkHessian ? '' : ' (no Hessian eigen-check)'}: median ${median(times).toFixed(3)} ms per fit, CPU ${median(cpus).toFixed(3)} ms (${iters} Newton iterations; goal < 1 ms; R clm 10 ms)`,
    );
  }
  // the bootstrap's case: a resample of the rows, started from the full-data estimate, no eigen-check
  const full = fitOrdinal(X, md.n, p, cats.codes, cats.labels.length);
  const Xb = new Float64Array(X.length);
  const yb = new Int32Array(md.n);
  let s = 12345;
  const resample = (): void => {
    for (let r = 0; r < md.n; r++) {
      s = (69069 * s + 1) % 4294967296;
      const i = Math.floor((s / 4294967296) * md.n);
      yb[r] = cats.codes[i]!;
      for (let j = 0; j < p; j++) Xb[j * md.n + r] = X[j * md.n + i]!;
    }
  };
  const times: number[] = [];
  const cpus: number[] = [];
  const iters: number[] = [];
  for (let k = 0; k < 700; k++) {
    resample();
    const t = timed(() => fitOrdinal(Xb, md.n, p, yb, cats.labels.length, { checkHessian: false, start: full.par }));
    if (k < 200) continue; // warm-up
    times.push(t.wall);
    cpus.push(t.cpu);
    iters.push(t.value.iterations);
  }
  console.log(
    `ordinal fit on a bootstrap resample, N = ${n}, warm start, no eigen-check: median ${median(times).toFixed(3)} ms per fit, CPU ${median(cpus).toFixed(3)} ms (median ${median(iters)} Newton iterations)`,
  );
}

function largeFits(n: number, print = true): void {
  const log = (line: string): void => {
    if (print) console.log(line);
  };
  const table = syntheticData(n);
  const formula = '~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10';
  const design = timed(() => buildDesign(`y ${formula}`, table));
  const mdL = design.value;
  const y = (mdL.response as { values: Float64Array }).values;
  // the median of `reps` fits: a single figure on a shared machine is noisy
  const reps = n <= 100_000 ? 5 : 3;
  const best = <T>(f: () => T): { value: T; wall: number; cpu: number } => {
    const runs = Array.from({ length: reps }, () => timed(f));
    const m = median(runs.map((r) => r.wall));
    return { value: runs[0]!.value, wall: m, cpu: median(runs.map((r) => r.cpu)) };
  };
  const l = best(() => fitLogistic(mdL.X, mdL.n, mdL.p, y));
  log(
    `logistic fit, N = ${n}, 10 covariates${reps > 1 ? ` (median of ${reps})` : ''}: ${l.wall.toFixed(0)} ms, CPU ${l.cpu.toFixed(0)} ms (${l.value.iterations} IRLS iterations; model matrix ${design.wall.toFixed(0)} ms); peak RSS ${peakMb().toFixed(0)} MB`,
  );
  const mdO = buildDesign(`yo ${formula}`, table);
  const cats = responseCategories(mdO.response!);
  const o = best(() => fitOrdinal(mdO.X.subarray(mdO.n), mdO.n, mdO.p - 1, cats.codes, cats.labels.length));
  log(`ordinal fit, N = ${n}, 10 covariates, ${cats.labels.length} levels${reps > 1 ? ` (median of ${reps})` : ''}: ${o.wall.toFixed(0)} ms, CPU ${o.cpu.toFixed(0)} ms (${o.value.iterations} Newton iterations); peak RSS ${peakMb().toFixed(0)} MB`);
}

export function run(): Promise<void> {
  console.log('# statistical engine (issue 3)');
  ordinalInnerLoop();
  largeFits(20_000, false); // warm-up: the timed fits run optimised code
  largeFits(100_000);
  largeFits(1_000_000);
  return Promise.resolve();
}
