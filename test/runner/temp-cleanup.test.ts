import { spawnSync } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshDir, pipelineOf, runIn, sixSteps } from './helpers.js';

/** A pid that certainly does not exist any more: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('temporary files left by crashed writers outside .cache/tmp', () => {
  it('are removed under the lock: in outputs/<pipeline>/, beside the spec (dead writers only) and beside the lock', async () => {
    const dir = await freshDir();
    const out = join(dir, 'outputs');
    await mkdir(join(out, 'p'), { recursive: true });
    const dead = deadPid();
    const alive = process.ppid; // a live process that is not us
    await writeFile(join(out, 'p', `.lesionflow-tmp-${dead}-3-a.json`), '{"half');
    await writeFile(join(out, 'p', `.lesionflow-tmp-${alive}-1-b.json`), '{"half');
    await writeFile(join(dir, `.lesionflow-tmp-${dead}-7-p.lock.json`), '{"half');
    await writeFile(join(dir, `.lesionflow-tmp-${alive}-2-p.lock.json`), '{"in progress');
    await writeFile(join(dir, `.lesionflow-tmp-${dead}-2-notes.txt`), 'not ours');
    await writeFile(join(out, `.lock.${dead}.1700000000000.tmp`), '{}');
    await writeFile(join(out, `.lock.stale.${dead}.abcdef012345`), '{}');
    await writeFile(join(out, `.lock.${alive}.1700000000000.tmp`), '{}');
    const r = await runIn(dir, pipelineOf(dir, sixSteps()));
    expect(r.exitCode).toBe(0);
    expect((await readdir(join(out, 'p'))).filter((f) => f.startsWith('.lesionflow-tmp-'))).toEqual([]);
    expect((await readdir(dir)).filter((f) => f.startsWith('.lesionflow-tmp-')).sort()).toEqual([`.lesionflow-tmp-${alive}-2-p.lock.json`, `.lesionflow-tmp-${dead}-2-notes.txt`].sort()); // sorted: the order depends on the pids
    expect((await readdir(out)).filter((f) => f.startsWith('.lock.'))).toEqual([`.lock.${alive}.1700000000000.tmp`]);
  });
});
