/**
 * The mappings admin page in a real headless Chromium (Debian's `chromium`, driven by
 * playwright-core), with JavaScript off (the page has none): upload (refused with the problems,
 * then stored), try on a sandbox person (PDF link and XML shown), activate — and the live
 * registry serving the activated version. Forms without the CSRF token are refused.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import express from 'express';
import { Redis } from 'ioredis';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createMappingsAdminRouter, createRedisTryCache } from '../../src/admin/mappings-router.js';
import { createAdminAuth } from '../../src/admin/auth.js';
import { createLogger } from '../../src/infra/logger.js';
import { sandboxDefinitions } from '../../src/mapping-store/definitions-source.js';
import { createLiveMappings, type LiveMappings } from '../../src/mapping-store/live-mappings.js';
import { createMappingStore } from '../../src/mapping-store/mapping-store.js';
import { createMappingTryer } from '../../src/mapping-store/try-mapping.js';
import { readMappingSchema } from '../../src/resources/mappings.js';
import { launchChromium } from '../support/browser.js';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/connector-fixtures.js';
import { fakeDagr, testDeps } from '../support/exchange-fixtures.js';
import { serve, type Served } from '../unit/ops/serve.js';

const OPERATOR = { username: 'operator', password: 'operator-password-0123' };
const VIEWER = { username: 'viewer', password: 'viewer-password-0123' };
const ID = 'lv-declared-residence';
const TEXT = readFileSync('mappings/lv-declared-residence.yaml', 'utf8');
/** The file's `version:` (raised whenever the mapping changes); the store adds `+r<revision>`. */
const VERSION = /^version: '([^']+)'/m.exec(TEXT)![1]!;
const EVIDENCE_TYPE = /^\s+- (https:\/\/sr\.oots\S+)$/m.exec(TEXT)![1]!;

const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
const prefix = testPrefix('mappings-page');
const store = createMappingStore(redis, {
  prefix,
  schema: readMappingSchema(),
  definitions: () => sandboxDefinitions(),
});
const deps = testDeps({ dagr: fakeDagr() });
let live: LiveMappings;
let served: Served;
let browser: Browser;

beforeAll(async () => {
  live = createLiveMappings(redis, { store, checkIntervalMs: 0 });
  await live.ready;
  const app = express();
  app.use(
    createMappingsAdminRouter({
      store,
      tries: createRedisTryCache(redis, { prefix: `${prefix}:admin:`, key: randomBytes(32) }),
      auth: createAdminAuth({
        viewer: { user: VIEWER.username, password: VIEWER.password },
        operator: { user: OPERATOR.username, password: OPERATOR.password },
      })!,
      logger: createLogger('silent'),
      tryer: createMappingTryer({
        dagr: deps.dagr,
        renderer: deps.renderer,
        provider: deps.provider,
        messageDomain: deps.messageDomain,
        uuid: () => crypto.randomUUID(),
        now: () => new Date(),
      }),
    }),
  );
  served = await serve(app);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await served.close();
  await live.close();
  await deleteKeys(redis, prefix);
  await redis.quit();
});

/** Page errors and CSP violations. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return problems;
}

async function open(as: typeof OPERATOR): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ httpCredentials: as, javaScriptEnabled: false });
  const page = await context.newPage();
  const problems = watch(page);
  await page.goto(`${served.url}/admin/mappings`);
  return { context, page, problems };
}

describe('mappings admin page (no JavaScript)', () => {
  test('upload (refused, then stored), try with PDF and XML, activate', async () => {
    const { context, page, problems } = await open(OPERATOR);
    try {
      expect(await page.locator('h1').textContent()).toBe('Evidence mappings');

      // A misspelt field: refused, with the validate messages, nothing stored.
      await page.fill('#upload input[name=id]', ID);
      await page.fill(
        '#upload textarea[name=text]',
        TEXT.replace('updatedAtField: UpdatedAt', 'updatedAtFeld: UpdatedAt'),
      );
      await page.click('#upload button');
      expect(await page.locator('#message').textContent()).toMatch(/Not stored: 1 problem/);
      expect(await page.locator('#problems li').first().textContent()).toMatch(
        /lv-declared-residence\.yaml:\d+ dagr\.updatedAtFeld: updatedAtFeld is not a known field here\. Fix: did you mean `updatedAtField`\?/,
      );
      expect(await store.list()).toEqual([]);

      // The right text: stored, not yet active.
      await page.fill('#upload input[name=id]', ID);
      await page.fill('#upload textarea[name=text]', TEXT);
      await page.click('#upload button');
      expect(page.url()).toMatch(/\/admin\/mappings\?done=/);
      expect(await page.locator('#message').textContent()).toContain(`${ID} ${VERSION}+r1 stored`);
      expect(await page.locator(`#mapping-${ID} td`).nth(1).textContent()).toBe('inactive');

      // Try it on Anna Bērziņa: PDF behind a link, then XML shown on the page.
      await page.selectOption('#try select[name=id]', ID);
      await page.fill('#try input[name=subject]', '120488-14731');
      await page.selectOption('#try select[name=format]', 'pdf');
      await page.click('#try button');
      const result = await page.locator('#try-result').textContent();
      expect(result).toMatch(/identity match: matched/);
      expect(result).toMatch(/answer: evidence/);
      expect(await page.locator('#try-response').textContent()).toMatch(/ResponseStatusType:Success/);
      const href = await page.locator('#try-evidence').getAttribute('href');
      const pdf = await context.request.get(`${served.url}${href!}`);
      expect(pdf.headers()['content-type']).toBe('application/pdf');
      expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');

      await page.selectOption('#try select[name=id]', ID);
      await page.fill('#try input[name=subject]', '120488-14731');
      await page.selectOption('#try select[name=format]', 'xml');
      await page.click('#try button');
      expect(await page.locator('#try-evidence-xml').textContent()).toMatch(
        /<DeclaredResidence |<[A-Za-z]+ xmlns="https:\/\/sr\.oots/,
      );

      // Activate revision 1: the live registry serves it.
      await page.click(`#mapping-${ID} form[action$="/activate"] button`);
      expect(await page.locator('#message').textContent()).toContain(`${ID}: activated (${VERSION}+r1 is active)`);
      expect(await page.locator(`#mapping-${ID} td`).nth(1).textContent()).toBe('active');
      await live.refresh();
      expect(live.registry.find(EVIDENCE_TYPE, 'application/pdf')).toMatchObject({
        ok: true,
        mapping: { id: ID, version: `${VERSION}+r1` },
      });
      // The refused upload answers 422 on purpose; anything else (CSP, bad markup) is a fault.
      expect(problems.filter((p) => !/status of 422/.test(p))).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test('a form post without the page token is refused; a viewer sees no forms and cannot act', async () => {
    const { context, page } = await open(OPERATOR);
    try {
      const forged = await context.request.post(`${served.url}/admin/mappings/${ID}/deactivate`, {
        form: { csrf: '9999999999.forged' },
      });
      expect(forged.status()).toBe(403);
      expect((await store.get(ID))?.status).toBe('active');
      // A link made elsewhere cannot put its words in the trusted "ok" banner.
      const lure = 'Security notice: mapping lv-declared-residence was approved, re-upload it at evil.example';
      for (const sig of ['', '&sig=AAAA']) {
        await page.goto(`${served.url}/admin/mappings?done=${encodeURIComponent(lure)}${sig}`);
        expect(await page.locator('#message').count()).toBe(0);
        expect(await page.content()).not.toContain('Security notice');
      }
      expect(await page.locator('form#upload').count()).toBe(1);
    } finally {
      await context.close();
    }
    const viewer = await open(VIEWER);
    try {
      expect(await viewer.page.locator('form').count()).toBe(0);
      expect(await viewer.page.locator(`#mapping-${ID}`).textContent()).toContain(`${VERSION}+r1`);
      const attempt = await viewer.context.request.post(`${served.url}/admin/mappings/${ID}/deactivate`, { form: {} });
      expect(attempt.status()).toBe(403);
    } finally {
      await viewer.context.close();
    }
  });
});
