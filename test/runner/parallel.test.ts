import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, freshDir, writeSpec } from './helpers.js';

/** Twelve steps in three independent chains with a join, with table and random steps. */
function wideSpec(firstSleepMs = 0): string {
  const lines = ['name: wide', 'seed: 99', 'steps:'];
  for (let i = 0; i < 12; i++) {
    const inputs = i >= 3 ? `[s${i - 3}]` : '[]';
    lines.push(`  s${i}:`, '    kind: test_step', `    value: ${i}`, `    inputs: ${inputs}`, `    sleep_ms: ${i === 0 && firstSleepMs > 0 ? firstSleepMs : (i * 7) % 30}`);
    if (i % 4 === 0) lines.push('    random: true');
    if (i % 5 === 0) lines.push('    table: true');
  }
  lines.push('  total:', '    kind: test_step', '    inputs: [s9, s10, s11]');
  return lines.join('\n') + '\n';
}

async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const folder = join(dir, 'outputs', 'wide');
  for (const f of (await readdir(folder)).sort()) if (f !== 'run.json') out[f] = await readFile(join(folder, f), 'utf8');
  out['p.lock.json'] = await readFile(join(dir, 'p.lock.json'), 'utf8');
  return out;
}

describe('parallel', () => {
  it('--jobs 1 and --jobs 4 give byte-identical outputs and lock files', async () => {
    const one = await freshDir();
    const four = await freshDir();
    await writeSpec(one, wideSpec());
    await writeSpec(four, wideSpec());
    const [r1, r4] = await Promise.all([cli(['run', 'p.yaml', '--jobs', '1'], one), cli(['run', 'p.yaml', '--jobs', '4'], four)]);
    expect([r1.code, r4.code]).toEqual([0, 0]);
    const s1 = await snapshot(one);
    expect(Object.keys(s1)).toHaveLength(13 + 2);
    expect(await snapshot(four)).toEqual(s1);
  });

  it('two concurrent runs on one outputs folder do not corrupt each other', async () => {
    const dir = await freshDir();
    // The first step sleeps long enough for the two processes to overlap even on a busy machine.
    await writeSpec(dir, wideSpec(3000));
    const [a, b] = await Promise.all([cli(['run', 'p.yaml', '--jobs', '2'], dir), cli(['run', 'p.yaml', '--jobs', '2'], dir)]);
    expect([a.code, b.code]).toEqual([0, 0]);
    // One ran everything; the other waited for the lock and then found everything cached.
    const summaries = [a.stdout, b.stdout].map((s) => /done: (\d+) ran, (\d+) cached/.exec(s)?.slice(1));
    expect(summaries).toEqual(expect.arrayContaining([['13', '0'], ['0', '13']]));
    expect([a.stdout, b.stdout].some((s) => s.includes('waiting for lesionflow (pid'))).toBe(true);
    const run = JSON.parse(await readFile(join(dir, 'outputs', 'wide', 'run.json'), 'utf8')) as { status: string };
    expect(run.status).toBe('ok');
    const again = await cli(['run', 'p.yaml'], dir);
    expect(again.stdout).toContain('done: 0 ran, 13 cached');
  });
});
