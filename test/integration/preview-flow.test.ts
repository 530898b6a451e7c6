/**
 * The preview space end to end over real HTTP on loopback: a real Redis, the sandbox OIDC provider,
 * the preview pages, a stand-in "portal" as the return address; a fetch with a cookie jar plays
 * the browser.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { generateKey } from '../../src/infra/aead.js';
import { deriveCookieKey } from '../../src/preview/cookies.js';
import { createOidcLogin } from '../../src/preview/oidc.js';
import { createPreviewRouter, type PreviewSettled } from '../../src/preview/router.js';
import { createPreviewStore } from '../../src/preview/session-store.js';
import { startSandboxIdp, type SandboxIdp } from '../../src/sandbox/idp.js';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/connector-fixtures.js';
import { Browser, EVIDENCE_MARKER, formOf, PDF_BYTES, sessionInput } from './preview-support.js';

const redis = new Redis(REDIS_URL);
const prefix = testPrefix('preview-flow');
const key = generateKey();
const settled: PreviewSettled[] = [];
const portalHits: { method: string; url: string }[] = [];
let idp: SandboxIdp;
let app: Server;
let portal: Server;
let base = '';
let portalOrigin = '';
let store: ReturnType<typeof createPreviewStore>;

const listen = (s: Server): Promise<string> =>
  new Promise((resolve) =>
    s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)),
  );

beforeAll(async () => {
  idp = await startSandboxIdp({});
  portal = createServer((req, res) => {
    portalHits.push({ method: req.method ?? '', url: req.url ?? '' });
    res.end('portal');
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
        publicBaseUrl: () => base,
        allowedReturnOrigins: [portalOrigin],
        cookieKey: deriveCookieKey(key),
        cookieSecure: false,
        redirectPath: '/preview/callback',
        loginTtlSeconds: 1200,
        match: { nameMatching: 'fold-diacritics' },
      },
      logger: pino({ level: 'silent' }),
      onSettled: (event) => {
        settled.push(event);
        return Promise.resolve();
      },
    }),
  );
});

afterAll(async () => {
  await new Promise((r) => app.close(r));
  app.closeAllConnections();
  await new Promise((r) => portal.close(r));
  portal.closeAllConnections();
  await idp.stop();
  await deleteKeys(redis, prefix);
  await redis.quit();
});

/** Follows the link through the login as `person` (sandbox sub); returns the callback response. */
async function login(browser: Browser, link: string, person: string): Promise<Response> {
  const open = await browser.fetch(link);
  expect(open.status).toBe(303);
  const authorize = open.headers.get('location')!;
  expect(authorize.startsWith(`${idp.issuer}/authorize?`)).toBe(true);
  expect(new URL(authorize).searchParams.get('code_challenge_method')).toBe('S256');
  const page = await browser.fetch(authorize);
  expect(page.status).toBe(200);
  const { fields } = formOf(await page.text());
  const posted = await browser.fetch(`${idp.issuer}/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...fields, person, login: '1' }).toString(),
  });
  expect(posted.status).toBe(303);
  const callback = posted.headers.get('location')!;
  expect(callback.startsWith(`${base}/preview/callback?`)).toBe(true);
  return browser.fetch(callback);
}

async function loggedIn(
  browser: Browser,
  link: string,
  person = 'sandbox-anna',
): Promise<{ html: string; csrf: string }> {
  const cb = await login(browser, link, person);
  expect(cb.status).toBe(303);
  const page = await browser.fetch(new URL(cb.headers.get('location')!, base).href);
  expect(page.status).toBe(200);
  const html = await page.text();
  return { html, csrf: formOf(html).fields.csrf! };
}

function decide(browser: Browser, sessionId: string, body: Record<string, string>): Promise<Response> {
  return browser.fetch(`${base}/preview/${sessionId}/decision`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body).toString(),
  });
}

describe('preview space over HTTP', () => {
  test('open link → login → see the evidence → approve one, decline one → back at the return URL (303)', async () => {
    const { sessionId, location } = await store.create(sessionInput());
    const browser = new Browser({ 'accept-language': 'de-DE, en;q=0.8' });
    const returnurl = `${portalOrigin}/procedure/step3?case=77`;
    const { html, csrf } = await loggedIn(
      browser,
      `${location}?returnurl=${encodeURIComponent(returnurl)}&returnmethod=GET`,
    );
    expect(await store.state(sessionId)).toBe('opened');
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('Declared residence');
    expect(html).toContain(EVIDENCE_MARKER);
    expect(html).toContain('Studienstiftung Berlin');
    expect(html).toContain('Please review the evidence.');
    expect(csrf).toMatch(/^[\w-]{43}$/);

    const pdf = await browser.fetch(
      `${base}/preview/${sessionId}/evidence/${encodeURIComponent('urn:uuid:0b7c8f7e-1d1e-4f7b-9a39-3f5c1c2a0001')}`,
    );
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toMatch(/^inline; filename="Declared-residence.pdf"$/);
    expect(Buffer.from(await pdf.arrayBuffer())).toEqual(PDF_BYTES);

    const res = await decide(browser, sessionId, { csrf, lang: 'en', choice_0: 'approve', choice_1: 'decline' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(returnurl);
    expect(await store.state(sessionId)).toBe('decided');
    const approved = await store.approvedEvidences(sessionId);
    expect(approved.map((e) => e.id)).toEqual(['urn:uuid:0b7c8f7e-1d1e-4f7b-9a39-3f5c1c2a0001']);
    expect(Buffer.from(approved[0]!.bytes)).toEqual(PDF_BYTES);
    expect(await store.evidenceBytes(sessionId, 'urn:uuid:0b7c8f7e-1d1e-4f7b-9a39-3f5c1c2a0002')).toBeUndefined();
    expect(settled).toContainEqual({
      sessionId,
      outcome: 'decided',
      decision: {
        approved: ['urn:uuid:0b7c8f7e-1d1e-4f7b-9a39-3f5c1c2a0001'],
        declined: ['urn:uuid:0b7c8f7e-1d1e-4f7b-9a39-3f5c1c2a0002'],
      },
      releasedExchangeRef: undefined,
    });

    // Single use: the link now says so, and a replayed decision changes nothing.
    const again = await browser.fetch(location);
    expect(again.status).toBe(409);
    expect(await again.text()).not.toContain(EVIDENCE_MARKER);
    const replay = await decide(browser, sessionId, { csrf, choice_0: 'decline', choice_1: 'decline' });
    expect(replay.status).toBe(403);
    expect((await store.get(sessionId))!.decision!.approved).toHaveLength(1);
  });

  test("a second person logged in opening the first person's link sees nothing of it", async () => {
    const { sessionId, location } = await store.create(sessionInput());
    const intruder = new Browser();
    const cb = await login(intruder, location, 'sandbox-janis');
    expect(cb.status).toBe(403);
    const html = await cb.text();
    expect(html).toContain('This preview is not for you');
    for (const secret of [EVIDENCE_MARKER, 'Anna', 'Bērziņa', 'Declared residence', 'Studienstiftung'])
      expect(html).not.toContain(secret);
    expect(intruder.cookieNames()).not.toContain('pva');
    const doc = await intruder.fetch(
      `${base}/preview/${sessionId}/evidence/${encodeURIComponent('urn:uuid:0b7c8f7e-1d1e-4f7b-9a39-3f5c1c2a0001')}`,
    );
    expect(doc.status).toBe(403);
    expect(await doc.text()).not.toContain(EVIDENCE_MARKER);
    const page = await intruder.fetch(location);
    expect(page.status).toBe(303); // back to the login, never the evidence
    expect(await store.state(sessionId)).toBe('opened');
  });

  test('a forged approve without the CSRF token (or with a wrong one, or without the login cookie) fails with 403', async () => {
    const { sessionId, location } = await store.create(sessionInput());
    const browser = new Browser();
    const { csrf } = await loggedIn(browser, location);
    expect((await decide(browser, sessionId, { choice_0: 'approve', choice_1: 'approve' })).status).toBe(403);
    expect(
      (
        await decide(browser, sessionId, {
          csrf: csrf.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
          choice_0: 'approve',
          choice_1: 'approve',
        })
      ).status,
    ).toBe(403);
    expect((await decide(new Browser(), sessionId, { csrf, choice_0: 'approve', choice_1: 'approve' })).status).toBe(
      403,
    );
    expect(await store.state(sessionId)).toBe('opened');
    // The real form still works afterwards; a missing choice is shown as an error first.
    const partial = await decide(browser, sessionId, { csrf, choice_0: 'approve' });
    expect(partial.status).toBe(400);
    expect(await partial.text()).toContain('role="alert"');
    const ok = await decide(browser, sessionId, { csrf, choice_0: 'decline', choice_1: 'decline' });
    expect(ok.status).toBe(200); // no return address: a thank-you page
    expect(await store.get(sessionId)).toMatchObject({ state: 'decided', decision: { approved: [] } });
  });

  test('a returnurl on a foreign origin is refused (400) before anything happens', async () => {
    const { sessionId, location } = await store.create(sessionInput());
    for (const bad of [
      'https://evil.example/phish',
      `${portalOrigin.replace('127.0.0.1', 'localhost')}/x`,
      'javascript:alert(1)',
      `//evil.example/x`,
    ]) {
      const res = await new Browser().fetch(`${location}?returnurl=${encodeURIComponent(bad)}&returnmethod=GET`);
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    }
    const put = await new Browser().fetch(
      `${location}?returnurl=${encodeURIComponent(`${portalOrigin}/x`)}&returnmethod=PUT`,
    );
    expect(put.status).toBe(400);
    expect(await store.state(sessionId)).toBe('pending');
  });

  test('POST returnmethod: an auto-submitting form (external script) with a button that works without JavaScript', async () => {
    const { sessionId, location } = await store.create(sessionInput());
    const browser = new Browser();
    const returnurl = `${portalOrigin}/back`;
    const { csrf } = await loggedIn(
      browser,
      `${location}?returnurl=${encodeURIComponent(returnurl)}&returnmethod=POST`,
    );
    const res = await decide(browser, sessionId, { csrf, choice_0: 'approve', choice_1: 'approve' });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`<form id="return-form" method="post" action="${returnurl}">`);
    expect(html).toContain('<button type="submit">');
    expect(html).toContain('<script src="/preview/static/return.js"></script>');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain(`form-action 'self' ${portalOrigin}`);
    expect(csp).not.toContain('unsafe-inline');
  });

  test('v2.0: request #2 parked while the user previews is released by the decision; the browser goes to ReturnLocation', async () => {
    const exchangeId = 'e5b4c3d2-0000-4000-8000-00000000abcd';
    const { sessionId, location } = await store.create(sessionInput({ version: 'oots-edm:v2.0', exchangeId }));
    const browser = new Browser();
    const { csrf } = await loggedIn(browser, location);
    // Request #2 arrives while the user is deciding.
    expect(await store.findByExchangeId(exchangeId)).toBe(sessionId);
    expect(await store.findByLocation(location)).toBe(sessionId);
    expect(await store.setReturnLocation(sessionId, `${portalOrigin}/v2/return`)).toBe(true);
    expect(await store.attachRequest(sessionId, 'xREQUEST2', { park: true })).toEqual({ status: 'parked' });
    const res = await decide(browser, sessionId, { csrf, choice_0: 'approve', choice_1: 'decline' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${portalOrigin}/v2/return`);
    expect(settled.find((s) => s.sessionId === sessionId)).toMatchObject({
      outcome: 'decided',
      releasedExchangeRef: 'xREQUEST2',
    });
    expect(await store.listReleased(0, 100)).not.toContainEqual({ sessionId, exchangeRef: 'xREQUEST2' }); // acknowledged
    expect(await store.attachRequest(sessionId, 'xREQUEST2', { park: true })).toMatchObject({ status: 'decided' });
  });

  test('pages in Latvian from Accept-Language and by ?lang=; clear pages for expired and unknown links; strict headers', async () => {
    const { sessionId, location } = await store.create(sessionInput());
    const lv = await new Browser({ 'accept-language': 'lv-LV,lv;q=0.9,en;q=0.5' }).fetch(
      `${base}/preview/${'A'.repeat(43)}`,
    );
    expect(lv.status).toBe(404);
    const lvHtml = await lv.text();
    expect(lvHtml).toContain('<html lang="lv">');
    expect(lvHtml).toContain('Priekšskatījuma saite nav atrasta');
    expect(lv.headers.get('cache-control')).toBe('no-store');
    expect(lv.headers.get('referrer-policy')).toBe('no-referrer');
    expect(lv.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(lv.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");

    const browser = new Browser({ 'accept-language': 'en' });
    const { html } = await loggedIn(browser, location);
    expect(html).toContain(`href="/preview/${sessionId}?lang=lv"`);
    const switched = await browser.fetch(`${location}?lang=lv`);
    expect(switched.status).toBe(200);
    const lvPage = await switched.text();
    expect(lvPage).toContain('<html lang="lv">');
    expect(lvPage).toContain('Deklarētā dzīvesvieta');
    expect(lvPage).toContain('<label for="choice-0-approve">Jā, nosūtīt</label>');

    await store.expire(sessionId);
    const gone = await browser.fetch(location);
    expect(gone.status).toBe(410);
    const goneHtml = await gone.text();
    expect(goneHtml).toContain('Priekšskatījuma saites derīgums ir beidzies');
    expect(goneHtml).not.toContain(EVIDENCE_MARKER);
  });
});
