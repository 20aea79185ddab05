/**
 * CLI conveniences, through the CLI as a subprocess: help per command, options a command does not take,
 * `run --only`, `dag --status`, and `watch` re-running on a save.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, freshDir, startCli, writeSpec } from './helpers.js';

const spec = `name: conv
seed: 5
params:
  base: 1
steps:
  load:
    kind: test_step
    value: \${params.base}
  fit:
    kind: test_step
    inputs: [load]
    value: 10
  side:
    kind: test_step
    value: 7
  pooled:
    kind: test_step
    inputs: [fit, side]
    value: 100
`;

/** Resolves when `text` matches, polling the child's output so far. */
async function waitFor(get: () => string, pattern: RegExp, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!pattern.test(get())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${String(pattern)}; output so far:\n${get()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('CLI conveniences', () => {
  it('help per command: lesionflow run --help and lesionflow help verify', async () => {
    const dir = await freshDir();
    const run = await cli(['run', '--help'], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^usage: lesionflow run <spec>… \[options\]\n/);
    for (const o of ['--set key=value', '--name NAME', '--only STEP', '--write-lock', '--jobs N']) expect(run.stdout).toContain(o);
    expect(run.stdout).not.toContain('--tolerance');
    const verify = await cli(['help', 'verify'], dir);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('usage: lesionflow verify <spec>… [options]');
    expect(verify.stdout).toContain('--tolerance R');
    expect(verify.stdout).toContain('--format F');
    const all = await cli(['--help'], dir);
    for (const c of ['runs <spec>', 'diff [<spec>] <runA> [<runB>]', 'watch <spec>']) expect(all.stdout).toContain(c);
  });

  it('an option the command does not take is a usage error naming the commands that do', async () => {
    const dir = await freshDir();
    const r = await cli(['plan', 'p.yaml', '--tolerance', '1e-9'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: --tolerance is not an option of plan (it is for verify)\n  hint: lesionflow plan --help lists its options\n');
  });

  it('run --only STEP runs it and what it needs; other steps\' files stay; the lock file is left alone', async () => {
    const dir = await freshDir();
    await writeSpec(dir, spec);
    expect((await cli(['run', 'p.yaml'], dir)).code).toBe(0);
    const lock = await readFile(join(dir, 'p.lock.json'), 'utf8');
    const r = await cli(['run', 'p.yaml', '--only', 'fit', '--set', 'base=2'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('conv: 2 steps');
    expect(r.stdout).toContain('done: 2 ran, 0 cached');
    const out = (f: string): Promise<string> => readFile(join(dir, 'outputs', 'conv', f), 'utf8');
    expect(JSON.parse(await out('fit.json'))).toMatchObject({ value: 12 });
    expect(JSON.parse(await out('pooled.json'))).toMatchObject({ value: 118 }); // from the full run, left as it was
    const record = JSON.parse(await out('run.json')) as { only: string[]; steps: { name: string }[] };
    expect(record.only).toEqual(['fit']);
    expect(record.steps.map((s) => s.name)).toEqual(['load', 'fit']);
    expect(await readFile(join(dir, 'p.lock.json'), 'utf8')).toBe(lock);
    const unknown = await cli(['run', 'p.yaml', '--only', 'fti'], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--only fti: no step of that name in conv (did you mean "fit"?)');
  });

  it('dag --status marks and colours the steps cached / will run / may run / failed', async () => {
    const dir = await freshDir();
    await writeSpec(dir, spec);
    expect((await cli(['run', 'p.yaml'], dir)).code).toBe(0);
    const text = await cli(['dag', 'p.yaml', '--status', '--set', 'base=2'], dir);
    expect(text.stdout.split('\n')).toEqual([
      'load (test_step)                [will run]',
      'fit (test_step) ← load          [may run]',
      'side (test_step)                [cached]',
      'pooled (test_step) ← fit, side  [may run]',
      '',
    ]);
    const mermaid = await cli(['dag', 'p.yaml', '--status', '--format', 'mermaid', '--set', 'base=2'], dir);
    expect(mermaid.stdout).toContain('  classDef cached fill:#d9f0d3,stroke:#1b7837,color:#000\n  class s2 cached');
    expect(mermaid.stdout).toContain('  class s0 run');
    expect(mermaid.stdout).toContain('  class s1,s3 may_run');
    expect(mermaid.stdout).toContain('legend_cached["cached"]:::cached');

    await writeSpec(dir, spec.replace('value: 7', 'value: 7\n    fail: broken'));
    expect((await cli(['run', 'p.yaml'], dir)).code).toBe(1);
    const dot = await cli(['dag', 'p.yaml', '--status', '--format', 'dot'], dir);
    expect(dot.stdout).toContain('node [shape=box, style=filled];');
    expect(dot.stdout).toContain('"side" [label="side\\ntest_step\\n(failed)", fillcolor="#f4a582", color="#b2182b", tooltip="failed"];');
    expect(dot.stdout).toContain('"load" [label="load\\ntest_step\\n(cached)", fillcolor="#d9f0d3"');
  });

  it('watch re-plans and re-runs on each save of the spec, printing the reasons; Ctrl-C stops it (exit 0)', async () => {
    const dir = await freshDir();
    await writeSpec(dir, spec);
    await writeFile(join(dir, 'data.txt'), 'abc');
    const w = startCli(['watch', 'p.yaml'], dir);
    let stdout = '';
    w.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    await waitFor(() => stdout, /watch: watching 1 file \(p\.yaml\); Ctrl-C to stop/);
    expect(stdout).toContain('plan: load    will run  no cache entry');
    expect(stdout).toContain('done: 4 ran, 0 cached');
    const before = stdout.length;
    await writeSpec(dir, spec.replace('value: 10', 'value: 20').replace('value: ${params.base}', 'value: ${params.base}\n    file: data.txt'));
    await waitFor(() => stdout.slice(before), /watch: watching 2 files \(p\.yaml, data\.txt\)/);
    const second = stdout.slice(before);
    expect(second).toContain('plan: load    will run  params.file: added data.txt; file data.txt added');
    expect(second).toContain('plan: fit     may run   params.value: 10 → 20; input load will run');
    expect(second).not.toContain('plan: side');
    expect(second).toContain('done: 3 ran, 1 cached');
    // A data file it reads is watched too.
    const third = stdout.length;
    await writeFile(join(dir, 'data.txt'), 'abcd');
    await waitFor(() => stdout.slice(third), /watch: watching 2 files/);
    expect(stdout.slice(third)).toContain('plan: load    will run  file data.txt changed');
    // A spec that no longer checks is reported, and watched until it does.
    let stderr = '';
    w.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const fourth = stdout.length;
    await writeSpec(dir, spec.replace('kind: test_step', 'kind: test_stpe'));
    await waitFor(() => stdout.slice(fourth), /watch: waiting for p\.yaml to be fixed/);
    expect(stderr).toMatch(/^p\.yaml:\d+:\d+: error: unknown step kind "test_stpe" \(did you mean "test_step"\?\)/m);
    await writeSpec(dir, spec);
    await waitFor(() => stdout.slice(fourth), /done: \d ran, \d cached[\s\S]*watch: watching 1 file/);
    w.child.kill('SIGINT');
    const done = await w.done;
    expect(done.code).toBe(0);
  }, 60_000);
});
