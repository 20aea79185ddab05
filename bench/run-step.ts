/**
 * A step's time as a user's run log shows it: `lesionflow run <spec> --jobs 2` in a new process on an
 * empty cache, in a temporary folder, read from the run record. Shared by the benchmark modules (this one
 * has no `run` of its own, so `npm run bench` does not run it).
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export interface StepTimes {
  /** Per step, ms as the run record gives them. */
  readonly steps: ReadonlyMap<string, number>;
  /** The run (the record's own ms) and the whole process, ms. */
  readonly run: number;
  readonly process: number;
  /** The process's peak memory (max RSS), MB. */
  readonly peakMb: number;
  /** The process's CPU time, every thread, ms (on a loaded machine the fairer figure). */
  readonly cpuMs: number;
}

/** Preloaded into a lesionflow process: it reports its own CPU time and peak RSS at exit (process.resourceUsage covers every thread). */
export const USAGE_PROBE =
  "data:text/javascript,process.on('exit',()=>{const u=process.resourceUsage();process.stderr.write('\\nUSAGE '+(u.userCPUTime+u.systemCPUTime)+' '+u.maxRSS)})";

/** The CPU µs and max RSS kB a process preloaded with USAGE_PROBE wrote to its stderr. */
export function probedUsage(stderr: string): { cpuUs: number; maxRssKb: number } {
  const m = /USAGE (\d+) (\d+)/.exec(stderr);
  return m === null ? { cpuUs: NaN, maxRssKb: NaN } : { cpuUs: Number(m[1]), maxRssKb: Number(m[2]) };
}

/** This build's CLI. */
export const thisCli = resolve(import.meta.dirname, '../src/runner/cli.js');

/**
 * Runs the spec text (its `name:` is `pipeline`) once, cold, with `--jobs 2` (by this build's CLI, or
 * another's); `files` (path in the folder → source file) are copied beside it first.
 */
export async function timeColdRun(spec: string, pipeline: string, cli: string = thisCli, files: Readonly<Record<string, string>> = {}): Promise<StepTimes> {
  const dir = await mkdtemp(join(tmpdir(), 'lesionflow-bench-run-'));
  try {
    await writeFile(join(dir, 'spec.yaml'), spec);
    for (const [to, from] of Object.entries(files)) {
      await mkdir(dirname(join(dir, to)), { recursive: true });
      await copyFile(from, join(dir, to));
    }
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--import', USAGE_PROBE, cli, 'run', 'spec.yaml', '--jobs', '2', '--quiet'], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: '1' } });
    const wall = performance.now() - t0;
    if (r.status !== 0) throw new Error(`lesionflow run exited ${String(r.status)}: ${r.stdout}${r.stderr}`);
    const record = JSON.parse(await readFile(join(dir, 'outputs', pipeline, 'run.json'), 'utf8')) as { ms: number; steps: { name: string; ms: number }[] };
    const usage = probedUsage(r.stderr);
    return { steps: new Map(record.steps.map((s) => [s.name, s.ms])), run: record.ms, process: wall, peakMb: usage.maxRssKb / 1024, cpuMs: usage.cpuUs / 1000 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Seconds, 2 decimals. */
export const seconds = (ms: number | undefined): string => ((ms ?? NaN) / 1000).toFixed(2);
