/**
 * The preview pages in a real headless Chromium (Debian's `chromium`, driven by playwright-core):
 * login at the sandbox provider, the evidence page in both languages (screenshots under
 * test-artifacts/), keyboard submission, the GET and POST returns with and without JavaScript,
 * no CSP violation, and the neutral page for a second person.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { pino } from 'pino';
import { generateKey } from '../../src/infra/aead.js';
import { deriveCookieKey } from '../../src/preview/cookies.js';
import { createOidcLogin } from '../../src/preview/oidc.js';
import { createPreviewRouter } from '../../src/preview/router.js';
import { createPreviewStore } from '../../src/preview/session-store.js';
import { startSandboxIdp, type SandboxIdp } from '../../src/sandbox/idp.js';
import { launchChromium } from '../support/browser.js';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/connector-fixtures.js';
import { EVIDENCE_MARKER, sessionInput } from './preview-support.js';

const ARTIFACTS = 'test-artifacts';
const redis = new Redis(REDIS_URL);
const prefix = testPrefix('preview-browser');
const key = generateKey();
const portalHits: { method: string; url: string; body: string }[] = [];
let idp: SandboxIdp;
let app: Server;
let portal: Server;
let browser: Browser;
let base = '';
let portalOrigin = '';
let store: ReturnType<typeof createPreviewStore>;

const listen = (s: Server): Promise<string> =>
  new Promise((resolve) =>
    s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)),
  );

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  idp = await startSandboxIdp({});
  portal = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      portalHits.push({ method: req.method ?? '', url: req.url ?? '', body });
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end('<!doctype html><title>Portal</title><h1>Back at the portal</h1>');
    });
  });
  portalOrigin = await listen(portal);
  const e = express();
  app = createServer(e);
  base = await listen(app);
  store = createPreviewStore(redis, { prefix, key, publicBaseUrl: base, t2Seconds: 900, t3Seconds: 2400 });
  e.use(
    createPreviewRouter({
      store,
      oidc: createOidcLogin({
        issuer: idp.issuer,
        clientId: 'oots-preview',
        clientSecret: undefined,
        redirectUri: `${base}/preview/callback`,
        scopes: 'openid profile',
        identifierClaim: 'person_identifier',
      }),
      config: {
        publicBaseUrl: base,
        allowedReturnOrigins: [portalOrigin],
        cookieKey: deriveCookieKey(key),
        cookieSecure: false,
        redirectPath: '/preview/callback',
        loginTtlSeconds: 1200,
        match: { nameMatching: 'fold-diacritics' },
      },
      logger: pino({ level: 'silent' }),
      onSettled: () => Promise.resolve(),
    }),
  );
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => app.close(r));
  app.closeAllConnections();
  await new Promise((r) => portal.close(r));
  portal.closeAllConnections();
  await idp.stop();
  await deleteKeys(redis, prefix);
  await redis.quit();
});

/** Every CSP violation or page error the page reports. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));
  return problems;
}

async function logIn(page: Page, name: RegExp): Promise<void> {
  await page.getByLabel(name).check();
  await page.getByRole('button', { name: /Log in|Pieteikties/ }).click();
  await page.waitForURL((u) => u.origin === base);
}

describe('preview pages in headless Chromium', () => {
  test('log in, read the evidence in English and Latvian, approve by keyboard, land on the return URL (GET)', async () => {
    const { sessionId, location } = await store.create(sessionInput());
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    const problems = watch(page);
    const returnurl = `${portalOrigin}/procedure/step3?case=77`;
    await page.goto(`${location}?returnurl=${encodeURIComponent(returnurl)}&returnmethod=GET`);
    expect(new URL(page.url()).origin).toBe(idp.issuer);
    await logIn(page, /Anna Bērziņa/);

    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Evidence preview');
    expect(await page.textContent('main')).toContain(EVIDENCE_MARKER);
    await page.screenshot({ path: `${ARTIFACTS}/preview-en.png`, fullPage: true });

    await page.getByRole('link', { name: 'Latviešu valodā' }).click();
    expect(await page.getAttribute('html', 'lang')).toBe('lv');
    expect(await page.getByRole('heading', { level: 3 }).first().textContent()).toBe('Deklarētā dzīvesvieta');
    await page.screenshot({ path: `${ARTIFACTS}/preview-lv.png`, fullPage: true });

    // The radios are reachable by their labels; the form is submitted with the keyboard.
    await page.getByRole('radio', { name: 'Jā, nosūtīt' }).first().check();
    await page.getByRole('radio', { name: 'Nē, nenosūtīt' }).nth(1).check();
    await page.getByRole('button', { name: 'Apstiprināt manu izvēli' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(returnurl);
    expect(await page.textContent('h1')).toBe('Back at the portal');
    expect(portalHits).toContainEqual(expect.objectContaining({ method: 'GET', url: '/procedure/step3?case=77' }));
    expect((await store.get(sessionId))!.decision).toEqual({
      approved: ['urn:uuid:0b7c8f7e-1d1e-4f7b-9a39-3f5c1c2a0001'],
      declined: ['urn:uuid:0b7c8f7e-1d1e-4f7b-9a39-3f5c1c2a0002'],
    });
    expect(problems).toEqual([]);
    await context.close();
  });

  test('POST return: auto-submitted by the external script with JavaScript, by the button without it', async () => {
    for (const javaScriptEnabled of [true, false]) {
      const { location } = await store.create(sessionInput());
      const context = await browser.newContext({ locale: 'en-GB', javaScriptEnabled });
      const page = await context.newPage();
      const problems = watch(page);
      const path = `/post-back/${javaScriptEnabled ? 'js' : 'nojs'}`;
      await page.goto(`${location}?returnurl=${encodeURIComponent(portalOrigin + path)}&returnmethod=POST`);
      await logIn(page, /Anna Bērziņa/);
      await page.getByRole('radio', { name: 'Yes, send it' }).first().check();
      await page.getByRole('radio', { name: 'Yes, send it' }).nth(1).check();
      await page.getByRole('button', { name: 'Confirm my decision' }).click();
      if (!javaScriptEnabled) {
        await page.waitForURL((u) => u.origin === base);
        await page.getByRole('button', { name: 'Continue to the portal' }).click();
      }
      await page.waitForURL(portalOrigin + path);
      expect(portalHits).toContainEqual(expect.objectContaining({ method: 'POST', url: path }));
      expect(problems).toEqual([]);
      await context.close();
    }
  });

  test('a second person sees the neutral page, in their language', async () => {
    const { location } = await store.create(sessionInput());
    const context = await browser.newContext({ locale: 'lv-LV' });
    const page = await context.newPage();
    await page.goto(location);
    await logIn(page, /Jānis Kalniņš/);
    expect(await page.getAttribute('html', 'lang')).toBe('lv');
    expect(await page.textContent('h1')).toBe('Šis priekšskatījums nav paredzēts jums');
    const text = (await page.textContent('body')) ?? '';
    for (const secret of [EVIDENCE_MARKER, 'Anna', 'Bērziņa', 'dzīvesvieta']) expect(text).not.toContain(secret);
    await page.screenshot({ path: `${ARTIFACTS}/preview-not-for-you-lv.png`, fullPage: true });
    await context.close();
  });
});
