import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLibrary } from '../../src/detection/library.ts';
import { repoPath } from '../../src/paths.ts';
import { buildCoverageReports, compareCoverage, type SourcedDetection } from '../../src/report/coverage/index.ts';
import { CHROMIUM, hasChromium, launchChromium } from './browser.ts';

if (!hasChromium) {
  console.warn(
    `\n${'!'.repeat(78)}\n!! coverage.html browser test SKIPPED: no Chromium at ${CHROMIUM}.\n` +
      `!! Install Debian's chromium package (apt-get install -y chromium) or set CHROMIUM_PATH.\n${'!'.repeat(78)}\n`,
  );
}

describe('coverage.html in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  let library: SourcedDetection[];

  beforeAll(async () => {
    if (!hasChromium) return;
    library = loadLibrary([repoPath('detections')]).detections.map((d) => ({ file: d.file, detection: d.detection }));
    const dir = mkdtempSync(join(tmpdir(), 'dac-cov-html-'));
    const file = join(dir, 'coverage.html');
    writeFileSync(file, buildCoverageReports(library).files['coverage.html']!);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => { if (!r.url().startsWith('file:')) errors.push(`network request: ${r.url()}`); });
    await page.goto(pathToFileURL(file).href);
    expect(errors).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
  });

  const background = (key: string) =>
    page.locator(`[data-key="${key}"]`).evaluate((el) => getComputedStyle(el).backgroundColor);

  it.skipIf(!hasChromium)('shades the covered cells of the seed techniques and leaves uncovered ones plain', async () => {
    const uncovered = await background('T1059|execution');
    for (const key of ['T1071.001|command-and-control', 'T1105|command-and-control', 'T1110|credential-access', 'T1048|exfiltration', 'T1018|discovery']) {
      await expect(page.locator(`[data-key="${key}"]`).isVisible(), key).resolves.toBe(true);
      expect(await background(key), key).not.toBe(uncovered);
      expect(Number(await page.locator(`[data-key="${key}"]`).getAttribute('data-count')), key).toBeGreaterThan(0);
    }
  });

  it.skipIf(!hasChromium)('the platform filter removes coverage that exists on the other platform only', async () => {
    const tvm = '[data-key="T1210|lateral-movement"]';
    expect(await page.locator(tvm).getAttribute('data-count')).toBe('1');
    await page.selectOption('#platform-filter', 'sentinel');
    expect(await page.locator(tvm).getAttribute('data-count')).toBe('0');
    await page.selectOption('#platform-filter', 'defender');
    expect(await page.locator(tvm).getAttribute('data-count')).toBe('1');
    expect(await page.locator('[data-key="T1071|command-and-control"]').getAttribute('data-count')).toBe('0');
    await page.selectOption('#platform-filter', 'all');
  });

  it.skipIf(!hasChromium)('the status filter separates production from test and experimental', async () => {
    const inventory = '[data-key="T1046|discovery"]';
    expect(await page.locator(inventory).getAttribute('data-count')).toBe('1');
    await page.selectOption('#status-filter', 'production');
    expect(await page.locator(inventory).getAttribute('data-count')).toBe('0');
    await page.selectOption('#status-filter', 'all');
  });

  it.skipIf(!hasChromium)('clicking a cell lists the detections that cover it, and a screenshot is saved', async () => {
    await page.click('[data-key="T1105|command-and-control"]');
    const names = await page.locator('#details .detection-name').allTextContents();
    expect(names.sort()).toEqual(['Executable downloaded over HTTP (network signature)', 'Executable or archive downloaded over plain HTTP']);
    await expect(page.locator('#details').isVisible()).resolves.toBe(true);
    mkdirSync('test-output', { recursive: true });
    await page.screenshot({ path: 'test-output/coverage-matrix.png', fullPage: false });
  });

  it.skipIf(!hasChromium)('Escape closes the details; hovering shows the names as a tooltip', async () => {
    await page.keyboard.press('Escape');
    await expect(page.locator('#details').isVisible()).resolves.toBe(false);
    const title = await page.locator('[data-key="T1105|command-and-control"]').getAttribute('title');
    expect(title).toContain('Executable or archive downloaded over plain HTTP');
    expect(title).toContain('2 detections');
  });

  it.skipIf(!hasChromium)('cells covered only by test/experimental detections are marked apart from production ones', async () => {
    const classes = async (key: string) => (await page.locator(`[data-key="${key}"]`).getAttribute('class'))!.split(' ');
    expect(await classes('T1046|discovery')).toContain('trial');
    expect(await classes('T1110|credential-access')).not.toContain('trial');
  });

  it.skipIf(!hasChromium)('sub-techniques of a parent with no covered sub-technique are collapsed and expand on request', async () => {
    const sub = page.locator('[data-key="T1059.001|execution"]');
    await expect(sub.isVisible()).resolves.toBe(false);
    await page.locator('[data-technique="T1059"].group .toggle').click();
    await expect(sub.isVisible()).resolves.toBe(true);
    // A covered sub-technique is shown without asking.
    await expect(page.locator('[data-key="T1071.001|command-and-control"]').isVisible()).resolves.toBe(true);
  });

  /** Opens an HTML report in a fresh page, failing on script errors or any network request. */
  async function open(html: string): Promise<Page> {
    const file = join(mkdtempSync(join(tmpdir(), 'dac-cov-html-')), 'coverage.html');
    writeFileSync(file, html);
    const p = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(e.message));
    p.on('dialog', (d) => { errors.push(`dialog: ${d.message()}`); void d.dismiss(); });
    p.on('request', (r) => { if (!r.url().startsWith('file:')) errors.push(`network request: ${r.url()}`); });
    await p.goto(pathToFileURL(file).href);
    expect(errors).toEqual([]);
    return p;
  }

  it.skipIf(!hasChromium)('with a base, newly covered cells are marked and the change is listed', async () => {
    const ssh = library.filter((d) => d.file.includes('/ssh/'));
    const rest = library.filter((d) => !d.file.includes('/ssh/'));
    const p = await open(buildCoverageReports(library, compareCoverage('origin/main', rest, library)).files['coverage.html']!);
    const classes = async (key: string) => (await p.locator(`[data-key="${key}"]`).getAttribute('class'))!.split(' ');
    expect(ssh.length).toBeGreaterThan(0);
    // T1110 Brute Force is covered only by SSH detections in the library; T1105 not at all by them.
    expect(await classes('T1110|credential-access')).toContain('new');
    expect(await classes('T1105|command-and-control')).not.toContain('new');
    await expect(p.locator('#notes').textContent()).resolves.toContain('Newly covered since origin/main');
    await p.close();
  });

  it.skipIf(!hasChromium)('a hostile detection name is shown as text and never becomes markup', async () => {
    const hostile = '<img src=x onerror="alert(1)"></script><!-- <b>bold</b>';
    const base = library.find((d) => d.detection.mitre.some((m) => m.technique === 'T1105'))!;
    const p = await open(buildCoverageReports([{ ...base, detection: { ...base.detection, name: hostile } }]).files['coverage.html']!);
    await p.click('[data-key="T1105|command-and-control"]');
    await expect(p.locator('#details .detection-name').textContent()).resolves.toBe(hostile);
    expect(await p.locator('img, b').count()).toBe(0);
    await p.close();
  });
});
