// Renders reports/coverage.html at laptop size and saves docs/images/coverage-matrix.png for the README.
// Run after `npx dac coverage`: npx tsx scripts/screenshot-coverage.ts
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium } from '../test/report/browser.ts';

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
  await page.goto(pathToFileURL(resolve('reports/coverage.html')).href);
  await page.check('#covered-only');
  await page.click('[data-key="T1110|credential-access"]');
  await page.screenshot({ path: 'docs/images/coverage-matrix.png' });
  console.log('wrote docs/images/coverage-matrix.png');
} finally {
  await browser.close();
}
