import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, freshDir, writeSpec } from './helpers.js';

const spec = `name: demo
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
    random: true
  pooled:
    kind: test_step
    inputs: [fit]
    square_on_pool: 12
`;

describe('cli', () => {
  it('--help lists the commands; no command is a usage error (exit 2)', async () => {
    const dir = await freshDir();
    const help = await cli(['--help'], dir);
    expect(help.code).toBe(0);
    for (const c of ['run <spec>', 'plan <spec>', 'dag <spec>', 'validate <spec>', 'verify <spec>', 'gc [spec…]', 'schema']) expect(help.stdout).toContain(c);
    expect((await cli([], dir)).code).toBe(2);
  });

  it('an unknown command or option is a usage error with a hint', async () => {
    const dir = await freshDir();
    const r = await cli(['rn', 'p.yaml'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: unknown command "rn" (did you mean "run"?)');
    const j = await cli(['run', 'p.yaml', '--jobs', '0'], dir);
    expect(j.code).toBe(2);
    expect(j.stderr).toContain('--jobs must be a positive integer, got "0"');
    expect((await cli(['run', 'p.yaml', '--bogus'], dir)).code).toBe(2);
  });

  it('registers the test kinds only from the module LESIONFLOW_KINDS names; a module that cannot be loaded is a usage error', async () => {
    const dir = await freshDir();
    await writeSpec(dir, spec);
    expect((await cli(['validate', 'p.yaml'], dir)).code).toBe(0);
    const without = await cli(['validate', 'p.yaml'], dir, { LESIONFLOW_KINDS: '' });
    expect(without.code).toBe(2);
    expect(without.stderr).toContain('unknown step kind "test_step"');
    const missing = await cli(['validate', 'p.yaml'], dir, { LESIONFLOW_KINDS: join(dir, 'no-such-kinds.js') });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`error: LESIONFLOW_KINDS=${join(dir, 'no-such-kinds.js')}: cannot load the module`);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    await writeFile(join(dir, 'not-kinds.mjs'), 'export const kinds = 3;\n');
    const wrong = await cli(['validate', 'p.yaml'], dir, { LESIONFLOW_KINDS: join(dir, 'not-kinds.mjs') });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('the module does not export `kinds`, an array of step kinds');
  });

  it('a spec error exits 2 with file:line:col', async () => {
    const dir = await freshDir();
    await writeSpec(dir, spec.replace('kind: test_step\n    inputs: [fit]', 'kind: no_such_kind\n    inputs: [fit]'));
    const r = await cli(['run', 'p.yaml'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^p\.yaml:\d+:\d+: error: .*no_such_kind/m);
  });

  it('run, then plan (all cached), then plan with --set says why', async () => {
    const dir = await freshDir();
    await writeSpec(dir, spec);
    const r = await cli(['run', 'p.yaml'], dir);
    expect(r.code).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'outputs', 'demo', 'pooled.json'), 'utf8'))).toMatchObject({ square: 144 });
    const plan = await cli(['plan', 'p.yaml'], dir);
    expect(plan.stdout).toBe(['load    cached', 'fit     cached', 'pooled  cached', '3 cached, 0 will run, 0 may run', ''].join('\n'));
    const changed = await cli(['plan', 'p.yaml', '--set', 'base=2'], dir);
    expect(changed.stdout).toBe(['load    will run  params.value: 1 → 2', 'fit     may run   input load will run', 'pooled  may run   input fit will run', '0 cached, 1 will run, 2 may run', ''].join('\n'));
  });

  it('--log-format json prints one event per line; --quiet prints nothing on success', async () => {
    const dir = await freshDir();
    await writeSpec(dir, spec);
    const j = await cli(['run', 'p.yaml', '--log-format', 'json'], dir);
    const events = j.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; status?: string });
    expect(events[0]?.type).toBe('start');
    expect(events.at(-1)).toMatchObject({ type: 'end', status: 'ok' });
    expect(events.filter((e) => e.type === 'step-end')).toHaveLength(3);
    const q = await cli(['run', 'p.yaml', '--quiet'], dir);
    expect([q.code, q.stdout, q.stderr]).toEqual([0, '', '']);
  });

  it('verify: exit 0 when outputs reproduce the lock file, 1 with a per-step report on drift', async () => {
    const dir = await freshDir();
    await writeSpec(dir, spec);
    expect((await cli(['verify', 'p.yaml'], dir)).code).toBe(1); // no lock file yet
    await cli(['run', 'p.yaml'], dir);
    const ok = await cli(['verify', 'p.yaml'], dir);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('verify: all 3 steps reproduce');
    const lockPath = join(dir, 'p.lock.json');
    const lock = JSON.parse(await readFile(lockPath, 'utf8')) as { steps: Record<string, { output: string }> };
    lock.steps.fit!.output = '0'.repeat(64);
    await writeFile(lockPath, JSON.stringify(lock));
    const bad = await cli(['verify', 'p.yaml'], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/✗ fit +drift: output [0-9a-f]{12} differs from the locked 000000000000 for the same key/);
    expect(bad.stdout).toContain('verify: 1 of 3 steps differ');
  });

  it('a run with --set leaves the committed lock file as it is, unless --write-lock', async () => {
    const dir = await freshDir();
    await writeSpec(dir, spec);
    await cli(['run', 'p.yaml'], dir);
    const lockPath = join(dir, 'p.lock.json');
    const committed = await readFile(lockPath, 'utf8');
    const r = await cli(['run', 'p.yaml', '--set', 'base=2'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).toContain('p.lock.json left as it is: --set was given (add --write-lock to update it)');
    expect(await readFile(lockPath, 'utf8')).toBe(committed);
    expect((await cli(['run', 'p.yaml', '--set', 'base=2', '--write-lock'], dir)).code).toBe(0);
    expect(await readFile(lockPath, 'utf8')).not.toBe(committed);
  });

  it('gc drops cache entries no lock file refers to', async () => {
    const dir = await freshDir();
    await writeSpec(dir, spec);
    await cli(['run', 'p.yaml'], dir);
    await cli(['run', 'p.yaml', '--set', 'base=2', '--write-lock'], dir); // the lock file now refers to base=2 entries only
    const keys = async () => (await readdir(join(dir, 'outputs', '.cache', 'keys'), { recursive: true })).filter((f) => f.endsWith('.json')).length;
    expect(await keys()).toBe(6);
    const r = await cli(['gc'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/removed 3 records and 3 objects/);
    expect(await keys()).toBe(3);
    const again = await cli(['run', 'p.yaml', '--set', 'base=2'], dir);
    expect(again.stdout).toContain('done: 0 ran, 3 cached');
  });

  it('dispatches validate, dag and schema', async () => {
    const dir = await freshDir();
    await writeSpec(dir, spec);
    const v = await cli(['validate', 'p.yaml'], dir);
    expect(v.code).toBe(0);
    const d = await cli(['dag', 'p.yaml', '--format', 'mermaid'], dir);
    expect(d.code).toBe(0);
    expect(d.stdout).toContain('load');
    const s = await cli(['schema'], dir);
    expect(s.code).toBe(0);
    expect(() => JSON.parse(s.stdout) as unknown).not.toThrow();
  });
});
