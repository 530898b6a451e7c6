/**
 * The preview login policy in a real headless Chromium (Debian's chromium via playwright-core),
 * with the sandbox identity provider and the real DAGR sandbox: a login below the evidence's level
 * of assurance is refused (in English and Latvian) and a stronger login then succeeds; a company's
 * evidence is shown to its board member and refused to a person the Register of Enterprises lists
 * without powers, even though the request names that person as the representative.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { pino } from 'pino';
import type { LegalPerson } from '../../src/edm/model.js';
import type { PreviewLoginPolicy } from '../../src/exchange/ports.js';
import { generateKey } from '../../src/infra/aead.js';
import { deriveCookieKey } from '../../src/preview/cookies.js';
import { createOidcLogin } from '../../src/preview/oidc.js';
import { createPreviewRouter } from '../../src/preview/router.js';
import { createPreviewStore } from '../../src/preview/session-store.js';
import { startSandboxIdp, type SandboxIdp } from '../../src/sandbox/idp.js';
import { launchChromium } from '../support/browser.js';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/connector-fixtures.js';
import { startSandboxDagrClient } from '../support/sandbox-dagr.js';
import { EVIDENCE_MARKER, person, sessionInput } from './preview-support.js';

const ARTIFACTS = 'test-artifacts';
const redis = new Redis(REDIS_URL);
const prefix = testPrefix('preview-loa-browser');
const key = generateKey();
let idp: SandboxIdp;
let dagr: Awaited<ReturnType<typeof startSandboxDagrClient>>;
let app: Server;
let browser: Browser;
let base = '';
let store: ReturnType<typeof createPreviewStore>;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  idp = await startSandboxIdp({});
  dagr = await startSandboxDagrClient();
  const e = express();
  app = createServer(e);
  base = await new Promise((resolve) =>
    app.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(app.address() as AddressInfo).port}`)),
  );
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
        allowedReturnOrigins: [],
        cookieKey: deriveCookieKey(key),
        cookieSecure: false,
        redirectPath: '/preview/callback',
        loginTtlSeconds: 1200,
        match: { nameMatching: 'fold-diacritics' },
      },
      logger: pino({ level: 'silent' }),
      onSettled: () => Promise.resolve(),
      representationDagr: dagr.client,
      onLogin: (event) => {
        logins.push({ kind: event.kind, detail: event.detail, requestId: event.content.requestId });
        return Promise.resolve();
      },
    }),
  );
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => app.close(r));
  app.closeAllConnections();
  await idp.stop();
  await dagr.stop();
  await deleteKeys(redis, prefix);
  await redis.quit();
});

/** What the router handed the audit trail (compose/api.ts records it as preview-login events). */
const logins: { kind: string; detail: string; requestId: string }[] = [];
const loginsOf = (requestId: string): { kind: string; detail: string }[] =>
  logins.filter((l) => l.requestId === requestId).map(({ kind, detail }) => ({ kind, detail }));

const ZALA_BIRZS: LegalPerson = {
  kind: 'LegalPerson',
  levelOfAssurance: 'High',
  legalPersonIdentifier: { value: 'LV/DE/40003527919', schemeID: 'eidas' },
  identifiers: [],
  legalName: 'SIA "Zaļā Birzs"',
  registeredAddress: undefined,
  sectorSpecificAttributes: [],
};
const companyPolicy: PreviewLoginPolicy = {
  levelOfAssurance: 'Substantial',
  representation: { service: 'ur_company_officers', permission: '31045', key: '40003527919' },
};

/** Opens the link, picks the person and the level at the sandbox provider, and comes back. */
async function logIn(page: Page, who: RegExp, level?: RegExp): Promise<void> {
  await page.getByLabel(who).check();
  if (level !== undefined) await page.getByLabel(level).check();
  await page.getByRole('button', { name: /Log in|Pieteikties/ }).click();
  await page.waitForURL((u) => u.origin === base);
}

describe('the login policy in headless Chromium', () => {
  test('a login at Low is refused for evidence that needs Substantial; a Substantial login then sees it', async () => {
    const { location } = await store.create(
      sessionInput({ requestId: 'req-loa', login: { levelOfAssurance: 'Substantial' } }),
    );
    for (const [locale, title] of [
      ['en-GB', 'Your login is not strong enough for this evidence'],
      ['lv-LV', 'Pieteikšanās nav pietiekami droša šim apliecinājumam'],
    ] as const) {
      const context = await browser.newContext({ locale });
      const page = await context.newPage();
      const authorize: string[] = [];
      page.on('request', (r) => {
        if (r.url().startsWith(`${idp.issuer}/authorize?`)) authorize.push(r.url());
      });
      await page.goto(location);
      // The login asks for Substantial or High, and the provider preselects Substantial.
      expect(new URL(authorize[0]!).searchParams.get('acr_values')).toBe(
        'http://eidas.europa.eu/LoA/substantial http://eidas.europa.eu/LoA/high',
      );
      expect(await page.getByLabel(/Substantial|Būtisks/).isChecked()).toBe(true);
      await logIn(page, /Anna Bērziņa/, /Low|Zems/);
      expect(await page.textContent('h1')).toBe(title);
      expect(await page.textContent('body')).not.toContain(EVIDENCE_MARKER);
      await page.screenshot({ path: `${ARTIFACTS}/preview-loa-refused-${locale}.png`, fullPage: true });
      if (locale === 'en-GB') {
        // The page offers to log in again; at Substantial the evidence is shown.
        await page.getByRole('link', { name: 'Log in again' }).click();
        await logIn(page, /Anna Bērziņa/, /Substantial/);
        expect(await page.textContent('h1')).toBe('Evidence preview');
        expect(await page.textContent('main')).toContain(EVIDENCE_MARKER);
      }
      await context.close();
    }
    // Each refusal and the accepted login are recorded as codes, never who logged in.
    const recorded = loginsOf('req-loa');
    expect(recorded.filter((r) => r.kind === 'refused')).toHaveLength(2);
    expect(recorded[0]!.detail).toMatch(/^login refused \(level\)/);
    expect(recorded.filter((r) => r.kind === 'accepted')).toEqual([{ kind: 'accepted', detail: 'level Substantial' }]);
    expect(JSON.stringify(recorded)).not.toMatch(/Bērziņa|120488/);
  });

  test("a company's evidence is shown to its board member", async () => {
    const representative = person({
      identifier: { value: 'LV/DE/23117510621', schemeID: 'eidas' },
      givenName: 'Jānis',
      familyName: 'Kalniņš',
      dateOfBirth: '1975-11-23',
    });
    const { location } = await store.create(
      sessionInput({ requestId: 'req-board', representative, login: companyPolicy }, ZALA_BIRZS),
    );
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(location);
    await logIn(page, /Jānis Kalniņš/);
    expect(await page.textContent('h1')).toBe('Evidence preview');
    expect(await page.textContent('main')).toContain(EVIDENCE_MARKER);
    await page.screenshot({ path: `${ARTIFACTS}/preview-company-board-member.png`, fullPage: true });
    await context.close();
    // The scope of the power is recorded: position and how, never who.
    expect(loginsOf('req-board')).toEqual([
      {
        kind: 'accepted',
        detail: expect.stringMatching(/^level (Substantial|High); power ChairOfBoard individually$/),
      },
    ]);
  });

  test('and refused to a person the register lists without powers, although the request names her', async () => {
    // Anna Bērziņa is a shareholder of SIA "Zaļā Birzs" with no right of representation.
    const { location } = await store.create(
      sessionInput({ requestId: 'req-no-power', representative: person(), login: companyPolicy }, ZALA_BIRZS),
    );
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(location);
    await logIn(page, /Anna Bērziņa/, /High/);
    expect(await page.textContent('h1')).toBe('This preview is not for you');
    expect(await page.textContent('body')).not.toContain(EVIDENCE_MARKER);
    // Nothing was decided: the evidence stays unseen and the session undecided.
    const opened = await page.request.get(`${location}/evidence/urn:uuid:0b7c8f7e-1d1e-4f7b-9a39-3f5c1c2a0001`);
    expect(opened.status()).not.toBe(200);
    await context.close();
    expect(loginsOf('req-no-power')).toEqual([
      { kind: 'refused', detail: expect.stringMatching(/^login refused \(not-for-you\)/) },
    ]);
  });
});
