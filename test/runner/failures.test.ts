import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, freshDir, writeSpec } from './helpers.js';

const spec = `name: fails
seed: 1
steps:
  good:
    kind: test_step
    value: 1
  bad:
    kind: test_step
    fail: the model did not converge
  child:
    kind: test_step
    inputs: [bad]
  grandchild:
    kind: test_step
    inputs: [child, good]
  independent:
    kind: test_step
    inputs: [good]
    sleep_ms: 100
`;

describe('failures', () => {
  it('a failing step stops its dependants, independent steps finish, exit 1, the error names the step and its place in the spec', async () => {
    const dir = await freshDir();
    await writeSpec(dir, spec);
    const r = await cli(['run', 'p.yaml', '--jobs', '2'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr.replace(/\(\d+ ms\)/, '(… ms)')).toBe(
      ['✗ bad failed (… ms)', '  p.yaml:7:3: error: step bad: the model did not converge', '    hint: this test step was told to fail', ''].join('\n'),
    );
    expect(r.stdout).toContain('- child skipped (bad failed)');
    expect(r.stdout).toContain('- grandchild skipped (bad failed)');
    expect(r.stdout).toMatch(/✓ independent/);
    const run = JSON.parse(await readFile(join(dir, 'outputs', 'fails', 'run.json'), 'utf8')) as { status: string; steps: { name: string; status: string; error?: string }[] };
    expect(run.status).toBe('failed');
    expect(Object.fromEntries(run.steps.map((s) => [s.name, s.status]))).toEqual({ good: 'ran', bad: 'failed', child: 'skipped', grandchild: 'skipped', independent: 'ran' });
    expect(run.steps.find((s) => s.name === 'bad')?.error).toContain('the model did not converge');
    // Completed work stays cached; no lock file for a failed run.
    const again = await cli(['run', 'p.yaml'], dir);
    expect(again.stdout).toContain('· good cached');
    expect(again.stdout).toContain('· independent cached');
    await expect(readFile(join(dir, 'p.lock.json'))).rejects.toThrow();
    const plan = await cli(['plan', 'p.yaml'], dir);
    expect(plan.stdout).toMatch(/^bad +will run +failed in the last run$/m);
  });

  it('--fail-fast stops the run at the first failure', async () => {
    const dir = await freshDir();
    await writeSpec(dir, spec.replace('sleep_ms: 100', 'sleep_ms: 3000'));
    const r = await cli(['run', 'p.yaml', '--jobs', '2', '--fail-fast'], dir);
    expect(r.code).toBe(1);
    const run = JSON.parse(await readFile(join(dir, 'outputs', 'fails', 'run.json'), 'utf8')) as { steps: { name: string; status: string }[] };
    expect(run.steps.find((s) => s.name === 'independent')?.status).not.toBe('ran');
  });
});
