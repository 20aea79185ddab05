/**
 * Runner benchmark (issue 2): a synthetic 200-step spec of test steps (a layered DAG, each step reading
 * one or two earlier ones). Reports, as medians over repeated runs of the compiled CLI (process start
 * included): a cold `plan` (empty cache), a cold `run`, a fully cached no-op `run` (goal < 1 s on 2
 * cores), and the baseline `node -e 0`; then, in-process, the scheduler's own overhead per step and
 * the executor's per-step cost of a cached step.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { schedule } from '../src/runner/scheduler.js';

const STEPS = 200;
const REPEAT = 5;
const cliPath = resolve(import.meta.dirname, '../src/runner/cli.js');

function specText(n: number): string {
  const lines = ['name: bench200', 'seed: 1', 'steps:'];
  for (let i = 0; i < n; i++) {
    const inputs = i === 0 ? [] : i % 7 === 0 && i > 7 ? [`s${i - 1}`, `s${i - 7}`] : [`s${Math.floor((i - 1) / 2)}`];
    lines.push(`  s${i}:`, '    kind: test_step', `    value: ${i}`, `    inputs: [${inputs.join(', ')}]`);
  }
  return lines.join('\n') + '\n';
}

// The child reports its own CPU time (user + system) at exit: on a busy machine wall time mostly
// measures the queue for a core, CPU time what the process itself costs.
const CPU_PROBE = `data:text/javascript,process.on('exit',()=>{const u=process.cpuUsage();process.stderr.write('\\nCPU_US '+(u.user+u.system))})`;

interface Timing {
  readonly wall: number;
  readonly cpu: number;
}

function timeNodeArgs(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Timing {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', CPU_PROBE, ...args], { cwd, env, encoding: 'utf8' });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${String(r.status)}: ${r.stderr}`);
  const m = /CPU_US (\d+)/.exec(r.stderr);
  return { wall, cpu: m === null ? NaN : Number(m[1]) / 1000 };
}

function timeCli(args: readonly string[], cwd: string): Timing {
  return timeNodeArgs([cliPath, ...args], cwd, { ...process.env, LESIONFLOW_TEST_KINDS: '1', CI: '1' });
}

function timeNode(): Timing {
  return timeNodeArgs(['-e', '0'], process.cwd());
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ts: readonly Timing[]): string =>
  `wall ${median(ts.map((t) => t.wall)).toFixed(0).padStart(5)} ms   cpu ${median(ts.map((t) => t.cpu)).toFixed(0).padStart(5)} ms`;

export async function run(): Promise<void> {
  const coldPlan: Timing[] = [];
  const coldRun: Timing[] = [];
  const noop: Timing[] = [];
  const base: Timing[] = [];
  for (let k = 0; k < REPEAT; k++) {
    const dir = await mkdtemp(join(tmpdir(), 'lesionflow-bench-'));
    await writeFile(join(dir, 'bench.yaml'), specText(STEPS));
    coldPlan.push(timeCli(['plan', 'bench.yaml'], dir));
    coldRun.push(timeCli(['run', 'bench.yaml', '--quiet'], dir));
    noop.push(timeCli(['run', 'bench.yaml', '--quiet'], dir));
    base.push(timeNode());
    await rm(dir, { recursive: true, force: true });
  }
  console.log(`${STEPS}-step synthetic spec, medians of ${REPEAT} (process start included):`);
  console.log(`  (load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${availableParallelism()} cores)`);
  console.log(`  node -e 0 (baseline)        ${fmt(base)}`);
  console.log(`  cold plan                   ${fmt(coldPlan)}`);
  console.log(`  cold run                    ${fmt(coldRun)}`);
  console.log(`  no-op run (all cached)      ${fmt(noop)}   goal: wall < 1000 ms   [wall: ${noop.map((x) => x.wall.toFixed(0)).join(', ')}]`);

  // Scheduler overhead alone: 2000 no-op tasks in the same layered shape, each taking a work slot.
  const n = 2000;
  const tasks = new Map<string, string[]>();
  for (let i = 0; i < n; i++) tasks.set(`s${i}`, i === 0 ? [] : [`s${Math.floor((i - 1) / 2)}`]);
  const t0 = performance.now();
  await schedule(tasks, async (_name, env) => {
    await env.withSlot(() => Promise.resolve());
    return 'ran';
  }, { jobs: 2 });
  const per = (performance.now() - t0) / n;
  console.log(`  scheduling overhead         ${(per * 1000).toFixed(1).padStart(6)} µs per step (${n} no-op tasks)   goal < 1 ms`);
  const perStep = (median(noop.map((t) => t.cpu)) - median(base.map((t) => t.cpu))) / STEPS;
  console.log(`  no-op run, cpu per step     ${perStep.toFixed(2).padStart(6)} ms beyond node start (spec analysis included)`);
}
