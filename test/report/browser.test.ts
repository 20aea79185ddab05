/**
 * Opens a generated report in a real browser (headless Chromium through playwright-core): it must
 * render with no console errors and no network requests, every figure must be present with a non-zero
 * size, and screenshots are saved to test/.tmp/report/ (the full page, report.png, and each figure,
 * figure-<n>.png) for a person to look at.
 *
 * Skips, saying why, when no Chromium is installed (CI installs Debian's `chromium` package).
 * The browser path can be set with LESIONFLOW_CHROMIUM.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { report } from '../../src/nodes/report.js';
import { testContext } from '../support/context.js';
import { sampleInputs, sampleParams } from './sample.js';

const CHROMIUM = process.env.LESIONFLOW_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`test/report/browser.test.ts skipped: no Chromium at ${CHROMIUM} (install Debian's chromium package, or set LESIONFLOW_CHROMIUM)`);

const OUT = resolve(import.meta.dirname, '../.tmp/report');

describe.skipIf(!haveChromium)(`report in headless Chromium (${CHROMIUM})`, () => {
  it('renders with no console errors or requests, every figure visible, and saves a screenshot', async () => {
    const a = await report.run(sampleParams(), await sampleInputs(), testContext());
    if (a.type !== 'result') throw new Error('expected a result');
    const htmlText = (a.value.files as Record<string, string>)['report.html']!;
    mkdirSync(OUT, { recursive: true });
    const file = join(OUT, 'report.html');
    writeFileSync(file, htmlText);

    const profile = mkdtempSync(join(tmpdir(), 'lesionflow-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1100, height: 900 },
      deviceScaleFactor: 1.5,
    });
    try {
      const problems: string[] = [];
      const requests: string[] = [];
      // A self-contained report fetches nothing: record and refuse any request but the file itself.
      await context.route('**/*', async (route) => {
        const url = route.request().url();
        if (url === pathToFileURL(file).href) return route.continue();
        requests.push(url);
        return route.abort();
      });
      const page = context.pages()[0] ?? (await context.newPage());
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

      // Locators only (no DOM types needed in this Node-typed project).
      const figures = await Promise.all(
        (await page.locator('svg.figure').all()).map(async (svg) => ({
          cls: ((await svg.getAttribute('class')) ?? '').replace('figure ', ''),
          box: await svg.boundingBox(),
          children: await svg.locator(':scope > *').count(),
        })),
      );
      expect(figures.map((f) => f.cls)).toEqual(['grotta', 'forest', 'probability-curve', 'bootstrap-histogram']);
      for (const f of figures) {
        expect(f.box?.width ?? 0, f.cls).toBeGreaterThan(100);
        expect(f.box?.height ?? 0, f.cls).toBeGreaterThan(100);
        expect(f.children, f.cls).toBeGreaterThan(3);
      }
      // Every table has a caption and rows, and the synthetic banner is visible.
      const tables = await page.locator('table.paper').all();
      expect(tables.length).toBeGreaterThanOrEqual(7);
      for (const t of tables) {
        const caption = (await t.locator('caption').textContent()) ?? '';
        expect(caption).not.toBe('');
        expect(await t.locator('tbody tr').count(), caption).toBeGreaterThan(0);
      }
      expect(await page.isVisible('.synthetic-banner')).toBe(true);

      await page.screenshot({ path: join(OUT, 'report.png'), fullPage: true });
      const svgs = await page.$$('svg.figure');
      for (const [i, svg] of svgs.entries()) await svg.screenshot({ path: join(OUT, `figure-${i + 1}.png`) });
      expect(problems).toEqual([]);
      expect(requests).toEqual([]);

      // The figure files open on their own: each SVG (with the font it names) and its single-column PNG.
      const files = a.value.files as Record<string, string | { base64: string }>;
      for (const [name, content] of Object.entries(files)) {
        if (!/^figure-\d+(\.svg|-single-300dpi\.png)$/.test(name)) continue;
        const path = join(OUT, `file-${name}`);
        writeFileSync(path, typeof content === 'string' ? content : Buffer.from(content.base64, 'base64'));
        await context.unroute('**/*');
        await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
        const box = name.endsWith('.svg') ? await page.locator('svg').first().boundingBox() : await page.locator('img').first().boundingBox();
        expect(box?.width ?? 0, name).toBeGreaterThan(100);
        if (name.endsWith('.png')) expect(await page.locator('img').first().evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), name).toBe(1063);
      }
      expect(problems).toEqual([]);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
