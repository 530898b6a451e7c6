/**
 * The queue dashboard (bull-board at /admin/queues) in a real headless Chromium, served by a real
 * adapter process with the strict admin security headers: the page must render its queues under
 * that Content-Security-Policy, with no CSP violation reported by the browser (Google Fonts
 * aside, refused on purpose), for the viewer role (read-only), and not at all without
 * credentials. (Under `base-uri 'none'` every asset of the board 404ed and it showed "Loading"
 * for ever; found by this test.)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { deleteKeys, REDIS_URL } from '../support/connector-fixtures.js';
import { startAdapter, type AdapterProcess } from '../support/processes.js';

const prefix = `{e2e-dash-${randomBytes(4).toString('hex')}}`;
const VIEWER = { username: 'viewer', password: `viewer-${randomBytes(8).toString('hex')}` };
let adapter: AdapterProcess;
let api: string;
let browser: Browser;

beforeAll(async () => {
  adapter = await startAdapter(
    {
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      CONNECTOR_INBOUND_TOKEN: randomBytes(16).toString('hex'),
      HTTP_PORT: '0',
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'oots-e2e-dash-')),
      ADMIN_VIEWER_PASSWORD: VIEWER.password,
      ADMIN_OPERATOR_PASSWORD: `operator-${randomBytes(8).toString('hex')}`,
    },
    ['--role', 'api'],
  );
  api = adapter.ready.api!;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await adapter?.stop();
  const redis = new Redis(REDIS_URL);
  await deleteKeys(redis, prefix);
  await redis.quit();
}, 60_000);

test('the dashboard renders its queues under the strict admin CSP, with no violation', async () => {
  const context = await browser.newContext({ httpCredentials: VIEWER });
  const page = await context.newPage();
  const violations: string[] = [];
  page.on('console', (m) => {
    // bull-board asks for Google Fonts; an admin page of a government service loads nothing from
    // third parties, so that one refusal is intended (the UI falls back to local fonts).
    if (/Content Security Policy|Refused to/i.test(m.text()) && !m.text().includes('fonts.googleapis.com'))
      violations.push(m.text());
  });
  const res = await page.goto(`${api}/admin/queues`);
  expect(res?.status()).toBe(200);
  const csp = res?.headers()['content-security-policy'] ?? '';
  expect(csp).toMatch(/default-src 'none'/);
  expect(/script-src ([^;]*)/.exec(csp)?.[1]).toBe("'self'");
  // The board lists both pipeline queues once its script has run and called its API.
  await page.getByText('exchange-process').first().waitFor({ timeout: 15_000 });
  await page.getByText('exchange-deliver').first().waitFor();
  expect(await page.title()).toMatch(/OOTS queues/);
  expect(violations).toEqual([]);
  await context.close();
});

test('without credentials the dashboard is not shown', async () => {
  // (Chromium turns a 401 with a challenge into a navigation error when it cannot prompt; the
  // context's request API shows the answer itself.)
  const context = await browser.newContext();
  const res = await context.request.get(`${api}/admin/queues`);
  expect(res.status()).toBe(401);
  expect(await res.text()).not.toContain('exchange-process');
  await context.close();
});
