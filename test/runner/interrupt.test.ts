import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { cli, freshDir, startCli, writeSpec } from './helpers.js';

async function waitFor(cond: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(2);
  }
}

const slowSpec = `name: slow
seed: 1
steps:
  quick:
    kind: test_step
    value: 1
  slow:
    kind: test_step
    inputs: [quick]
    sleep_ms: 20000
  after:
    kind: test_step
    inputs: [slow]
`;

describe('interrupts', () => {
  it('SIGINT: exit 130, finished work cached, no entry for the interrupted step; the next run completes', async () => {
    const dir = await freshDir();
    await writeSpec(dir, slowSpec);
    const { child, done } = startCli(['run', 'p.yaml'], dir);
    await waitFor(async () => (await readdir(join(dir, 'outputs', '.cache', 'keys')).catch(() => [])).length > 0);
    await sleep(100);
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    const run = JSON.parse(await readFile(join(dir, 'outputs', 'slow', 'run.json'), 'utf8')) as { status: string; steps: { name: string; status: string; reason?: string }[] };
    expect(run.status).toBe('interrupted');
    const [quick, slow, after] = run.steps;
    expect(quick?.status).toBe('ran');
    // Interrupted while sleeping (failed), or, on a very busy machine, before it started (skipped).
    expect(['failed', 'skipped']).toContain(slow?.status);
    expect(slow?.reason).toBe('interrupted');
    expect(after?.status).toBe('skipped');
    expect(await readdir(join(dir, 'outputs', '.cache', 'keys'), { recursive: true }).then((f) => f.filter((x) => x.endsWith('.json')))).toHaveLength(1);
    await writeSpec(dir, slowSpec.replace('20000', '10'));
    const next = await cli(['run', 'p.yaml'], dir);
    expect(next.code).toBe(0);
    expect(next.stdout).toContain('· quick cached');
  });

  it('SIGKILL while a step writes its output leaves no entry a later run trusts; the next run completes', async () => {
    const dir = await freshDir();
    // A 60 MB output: its atomic write takes long enough to be killed in the middle.
    await writeSpec(dir, `name: big
seed: 1
steps:
  big:
    kind: test_step
    value: 7
    pad_mb: 60
  after:
    kind: test_step
    inputs: [big]
`);
    const { child, done } = startCli(['run', 'p.yaml'], dir);
    const tmp = join(dir, 'outputs', '.cache', 'tmp');
    let sawPartial = false;
    await waitFor(async () => {
      for (const f of await readdir(tmp).catch(() => [])) {
        const s = await stat(join(tmp, f)).catch(() => undefined);
        if (s !== undefined && s.size > 0) sawPartial = true;
      }
      return sawPartial;
    });
    child.kill('SIGKILL');
    const r = await done;
    expect(r.signal).toBe('SIGKILL');
    // Whatever was left (temp file, a stale lock), the next run trusts nothing partial and completes.
    const next = await cli(['run', 'p.yaml'], dir);
    expect(next.code).toBe(0);
    expect(next.stdout).toMatch(/✓ big|· big cached/);
    expect(next.stdout).toContain('✓ after');
    expect(next.stdout + next.stderr).toMatch(/removing the stale lock/);
    const out = JSON.parse(await readFile(join(dir, 'outputs', 'big', 'after.json'), 'utf8')) as { value: number };
    expect(out.value).toBe(7);
    expect(await readdir(tmp)).toEqual([]);
  });
});
