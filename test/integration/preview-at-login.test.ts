/**
 * Read at login, over real parts: the use case answers request #1 with a preview (PreviewPort over a
 * real Redis), the pages and login (sandbox OpenID provider), and the evidence step at the login
 * with a real DAGR client against the DAGR sandbox (its request counter is the proof of what was
 * read), the real renderer and the shipped mappings. A fetch with a cookie jar plays the browser.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createDagrClient, type DagrClient } from '../../src/dagr/client.js';
import { answerRequest, NoAnswerYet } from '../../src/exchange/answer.js';
import { produceEvidenceAtLogin } from '../../src/exchange/evidence-at-login.js';
import { generateKey } from '../../src/infra/aead.js';
import { deriveCookieKey } from '../../src/preview/cookies.js';
import { createPreviewPort } from '../../src/preview/exchange-port.js';
import { createOidcLogin } from '../../src/preview/oidc.js';
import { createPreviewRouter, type PreviewSettled } from '../../src/preview/router.js';
import { createPreviewStore } from '../../src/preview/session-store.js';
import { startEmbeddedDagrSandbox, type EmbeddedDagr } from '../../src/sandbox/dagr-embedded.js';
import { startSandboxIdp, type SandboxIdp } from '../../src/sandbox/idp.js';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/connector-fixtures.js';
import { asV2, exampleRequest, inbound, testDeps, userMessage } from '../support/exchange-fixtures.js';
import { Browser, formOf, sessionInput } from './preview-support.js';

const redis = new Redis(REDIS_URL);
const prefix = testPrefix('preview-at-login');
const key = generateKey();
const settled: PreviewSettled[] = [];
/** What the router handed the audit trail (compose/api.ts records it). */
const logins: { kind: string; detail: string; requestId: string }[] = [];
let storeLostRevision = false;
/** What each fill of the pages returned (the race test reads it). */
const fills: string[] = [];
let idp: SandboxIdp;
let dagrSandbox: EmbeddedDagr;
let dagr: DagrClient;
let app: Server;
let base = '';
let store: ReturnType<typeof createPreviewStore>;
let port: ReturnType<typeof createPreviewPort>;

const withPreview = (xml: string): string =>
  xml.replace(/(PossibilityForPreview">\s*<rim:SlotValue[^>]*>\s*<rim:Value>)false/, '$1true');
const annaRequest = (): string => withPreview(exampleRequest('lv-birth-certificate-pdf'));
const ligaRequest = (): string =>
  annaRequest()
    .replace(/12048814731/g, '08039019275')
    .replace(/Bērziņa/g, 'Ozoliņa')
    .replace(/1988-04-12/g, '1990-03-08')
    .replace(/>Anna</g, '>Līga<');
const withLocation = (xml: string, location: string): string =>
  xml.replace(
    '<rim:Slot name="PossibilityForPreview">',
    `<rim:Slot name="PreviewLocation"><rim:SlotValue xsi:type="rim:StringValueType"><rim:Value>${location}</rim:Value></rim:SlotValue></rim:Slot><rim:Slot name="PossibilityForPreview">`,
  );

const dataRequests = (): number => dagrSandbox.sandbox.stats().dataRequests;
const exchangeDeps = (notFound: 'empty' | 'error' = 'empty') => testDeps({ dagr, preview: port, notFound });

beforeAll(async () => {
  idp = await startSandboxIdp({});
  dagrSandbox = await startEmbeddedDagrSandbox({
    host: '127.0.0.1',
    port: 0,
    clientId: 'oots-test',
    keyFile: path.join(mkdtempSync(path.join(tmpdir(), 'oots-pal-')), 'client.pem'),
  });
  dagr = createDagrClient({
    baseUrl: dagrSandbox.url,
    clientId: 'oots-test',
    privateKey: dagrSandbox.privateKey,
    retries: 0,
    timeoutMs: 3000,
    breaker: { failureThreshold: 100, resetAfterMs: 1000 },
  });
  const e = express();
  app = createServer(e);
  base = await new Promise<string>((resolve) =>
    app.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(app.address() as AddressInfo).port}`)),
  );
  store = createPreviewStore(redis, { prefix, key, publicBaseUrl: base, t2Seconds: 900, t3Seconds: 2400 });
  port = createPreviewPort({ store, ttlSeconds: 600, publicBaseUrl: () => base });
  const stepDeps = testDeps({ dagr });
  e.use(
    createPreviewRouter({
      store: {
        ...store,
        fillEvidences: async (sid, evidences) => {
          const r = await store.fillEvidences(sid, evidences);
          fills.push(r.status);
          return r;
        },
      },
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
        allowedReturnOrigins: [],
        cookieKey: deriveCookieKey(key),
        cookieSecure: false,
        redirectPath: '/preview/callback',
        loginTtlSeconds: 1200,
        match: { nameMatching: 'fold-diacritics' },
      },
      logger: pino({ level: 'silent' }),
      produceEvidence: (input) =>
        produceEvidenceAtLogin(input, {
          ...stepDeps,
          // The mapping store's answer; `storeLostRevision` plays a store without request #1's revision.
          mappingAt: (id, version) =>
            Promise.resolve(
              storeLostRevision
                ? undefined
                : stepDeps.registry.mappings.find((m) => m.id === id && m.version === version),
            ),
        }),
      onSettled: (event) => {
        settled.push(event);
        return Promise.resolve();
      },
      onLogin: (event) => {
        logins.push({ kind: event.kind, detail: event.detail, requestId: event.content.requestId });
        return Promise.resolve();
      },
    }),
  );
}, 30_000);

afterAll(async () => {
  await new Promise((r) => app.close(r));
  app.closeAllConnections();
  dagr.close();
  await dagrSandbox.stop();
  await idp.stop();
  await deleteKeys(redis, prefix);
  await redis.quit();
});

afterEach(() => {
  dagrSandbox.faults.clear();
});

/** Request #1 through the use case: EDM:ERR:0002, and the session its location names. */
async function requestOne(xml: string): Promise<{ location: string; sid: string }> {
  const result = await answerRequest(inbound(xml), exchangeDeps());
  expect(result.summary.edmCode).toBe('EDM:ERR:0002');
  const location = /<rim:Slot name="PreviewLocation">\s*<rim:SlotValue[^>]*>\s*<rim:Value>([^<]+)</.exec(
    result.outbound.regrep,
  )![1]!;
  return { location, sid: (await store.findByLocation(location))! };
}

/** Follows the link up to the identity provider's answer; returns the callback URL (not yet fetched). */
async function loginUpToCallback(browser: Browser, link: string, person: string): Promise<string> {
  const open = await browser.fetch(link);
  expect(open.status).toBe(303);
  const page = await browser.fetch(open.headers.get('location')!);
  const { fields } = formOf(await page.text());
  const posted = await browser.fetch(`${idp.issuer}/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...fields, person, login: '1' }).toString(),
  });
  expect(posted.status).toBe(303);
  return posted.headers.get('location')!;
}

async function evidencePage(browser: Browser, callback: Response): Promise<string> {
  expect(callback.status).toBe(303);
  const page = await browser.fetch(new URL(callback.headers.get('location')!, base).href);
  expect(page.status).toBe(200);
  return page.text();
}

describe('the record is read at the login, not before', () => {
  test('a preview never opened causes no DAGR read; request #2 gets EDM:ERR:0005', async () => {
    const before = dataRequests();
    const first = annaRequest();
    const { location } = await requestOne(first);
    const second = await answerRequest(inbound(withLocation(first, location)), exchangeDeps());
    expect(second.summary.edmCode).toBe('EDM:ERR:0005');
    expect(dataRequests()).toBe(before);
  });

  test('the login reads DAGR once and shows the evidence; request #2 gets it', async () => {
    const first = annaRequest();
    const { location, sid } = await requestOne(first);
    const before = dataRequests();
    const browser = new Browser();
    const html = await evidencePage(
      browser,
      await browser.fetch(await loginUpToCallback(browser, location, 'sandbox-anna')),
    );
    expect(dataRequests()).toBe(before + 1);
    expect(html).toContain('Bērziņa');
    const session = (await store.get(sid))!;
    expect(session.awaitingEvidence).toBe(false);
    expect(session.evidenceIds).toHaveLength(1);
    const { csrf } = formOf(html).fields;
    const decided = await browser.fetch(`${base}/preview/${sid}/decision`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: csrf!, choice_0: 'approve' }).toString(),
    });
    expect(decided.status).toBe(200);
    const second = await answerRequest(inbound(withLocation(first, location)), exchangeDeps());
    expect(second.summary.outcome).toBe('evidence');
    expect(second.outbound.attachments).toHaveLength(1);
    expect(dataRequests()).toBe(before + 1);
  });

  test('another person logging in causes no DAGR read and sees nothing', async () => {
    const { location, sid } = await requestOne(annaRequest());
    const before = dataRequests();
    const browser = new Browser();
    const cb = await browser.fetch(await loginUpToCallback(browser, location, 'sandbox-janis'));
    expect(cb.status).toBe(403);
    expect(dataRequests()).toBe(before);
    expect((await store.get(sid))!.awaitingEvidence).toBe(true);
  });

  test('a login that matches the request but whose DAGR record does not match shows nothing; request #2 as declined (EDM:ERR:0004 with notFound=error)', async () => {
    for (const notFound of ['empty', 'error'] as const) {
      const first = ligaRequest();
      const { location, sid } = await requestOne(first);
      const browser = new Browser({ 'accept-language': 'lv' });
      const cb = await browser.fetch(await loginUpToCallback(browser, location, 'sandbox-liga'));
      expect(cb.status).toBe(200);
      const html = await cb.text();
      expect(html).toContain('Apliecinājums netika atrasts');
      for (const secret of ['Ozoliņa-Kalniņa', 'Ozoliņa', '08039019275', 'Confirm', 'Apstiprināt'])
        expect(html).not.toContain(secret);
      expect(browser.cookieNames()).not.toContain('pva');
      const session = (await store.get(sid))!;
      expect(session).toMatchObject({ state: 'decided', nothingFound: true, evidenceIds: [] });
      expect(settled).toContainEqual(expect.objectContaining({ sessionId: sid, outcome: 'decided' }));
      // Why nothing was shown goes to the audit trail as a code: the record's names differ from the login's.
      expect(logins.at(-1)).toMatchObject({
        kind: 'nothing-found',
        detail: 'no matching record at the preview login (mismatch)',
      });
      const second = await answerRequest(inbound(withLocation(first, location)), exchangeDeps(notFound));
      if (notFound === 'empty') {
        expect(second.summary).toMatchObject({ outcome: 'empty', detail: 'no matching record at the preview login' });
        expect(second.outbound.attachments).toHaveLength(0);
      } else expect(second.summary.edmCode).toBe('EDM:ERR:0004');
    }
  });

  test('v2.0: request #2 parked before the login is released by a login that finds nothing, and answered as declined', async () => {
    const exchangeId = randomUUID();
    const um = userMessage({}, true);
    const v2 = {
      ...um,
      properties: um.properties.map((p) => (p.name === 'ExchangeId' ? { ...p, value: exchangeId } : p)),
    };
    const first = asV2(ligaRequest());
    const one = await answerRequest(inbound(first, v2), exchangeDeps());
    expect(one.summary.edmCode).toBe('EDM:ERR:0002');
    const location = /<rim:Slot name="PreviewLocation">\s*<rim:SlotValue[^>]*>\s*<rim:Value>([^<]+)</.exec(
      one.outbound.regrep,
    )![1]!;
    const sid = (await store.findByExchangeId(exchangeId))!;
    const returnSlot =
      '<rim:Slot name="ReturnLocation"><rim:SlotValue xsi:type="rim:StringValueType"><rim:Value>https://portal.example/back</rim:Value></rim:SlotValue></rim:Slot>';
    const second = {
      ...inbound(
        withLocation(first, location).replace(
          '<rim:Slot name="PossibilityForPreview">',
          `${returnSlot}<rim:Slot name="PossibilityForPreview">`,
        ),
        v2,
      ),
      exchangeRef: 'x-v2-second',
    };
    await expect(answerRequest(second, exchangeDeps())).rejects.toBeInstanceOf(NoAnswerYet);
    const browser = new Browser();
    const cb = await browser.fetch(await loginUpToCallback(browser, location, 'sandbox-liga'));
    expect(cb.status).toBe(200);
    expect(await cb.text()).toContain('No evidence was found');
    expect(settled).toContainEqual({
      sessionId: sid,
      outcome: 'decided',
      decision: { approved: [], declined: [] },
      releasedExchangeRef: 'x-v2-second',
    });
    const answered = await answerRequest(second, exchangeDeps());
    expect(answered.summary).toMatchObject({ outcome: 'empty', detail: 'no matching record at the preview login' });
  });

  test('DAGR down at the login: "try again later", the session stays open; later the same link works', async () => {
    const { location, sid } = await requestOne(annaRequest());
    dagrSandbox.faults.set({ down: '503' });
    const browser = new Browser({ 'accept-language': 'en' });
    const cb = await browser.fetch(await loginUpToCallback(browser, location, 'sandbox-anna'));
    expect(cb.status).toBe(503);
    const html = await cb.text();
    expect(html).toContain('Please try again later');
    expect(html).not.toContain('Bērziņa');
    expect(browser.cookieNames()).not.toContain('pva');
    expect(await store.get(sid)).toMatchObject({ state: 'opened', awaitingEvidence: true, evidenceIds: [] });

    dagrSandbox.faults.clear();
    const again = await evidencePage(
      browser,
      await browser.fetch(await loginUpToCallback(browser, location, 'sandbox-anna')),
    );
    expect(again).toContain('Bērziņa');
    expect((await store.get(sid))!.evidenceIds).toHaveLength(1);
  });

  test('the mapping revision of request #1 gone at the login: a clear page, no DAGR read, the session expired (request #2: EDM:ERR:0005)', async () => {
    const first = annaRequest();
    const { location, sid } = await requestOne(first);
    storeLostRevision = true;
    try {
      const before = dataRequests();
      const browser = new Browser();
      const cb = await browser.fetch(await loginUpToCallback(browser, location, 'sandbox-anna'));
      expect(cb.status).toBe(410);
      const html = await cb.text();
      expect(html).toContain('This evidence can no longer be prepared');
      expect(html).not.toContain('Bērziņa');
      expect(dataRequests()).toBe(before);
      expect((await store.get(sid))!.state).toBe('expired');
      expect(settled).toContainEqual(expect.objectContaining({ sessionId: sid, outcome: 'expired' }));
    } finally {
      storeLostRevision = false;
    }
    const second = await answerRequest(inbound(withLocation(first, location)), exchangeDeps());
    expect(second.summary.edmCode).toBe('EDM:ERR:0005');
  });

  test('two logins racing produce one set of evidences, and both see that one', async () => {
    const { location, sid } = await requestOne(annaRequest());
    const a = new Browser();
    const b = new Browser();
    const [cbA, cbB] = [
      await loginUpToCallback(a, location, 'sandbox-anna'),
      await loginUpToCallback(b, location, 'sandbox-anna'),
    ];
    // Both lookups are in flight together: each renders its own evidence, one is stored.
    dagrSandbox.faults.set({ latencyMs: 400 });
    const before = dataRequests();
    fills.length = 0;
    const [resA, resB] = await Promise.all([a.fetch(cbA), b.fetch(cbB)]);
    expect(dataRequests()).toBe(before + 2);
    expect(fills.sort()).toEqual(['already', 'filled']);
    const [pageA, pageB] = await Promise.all([evidencePage(a, resA), evidencePage(b, resB)]);
    const ids = (await store.get(sid))!.evidenceIds;
    expect(ids).toHaveLength(1);
    const linkOf = (html: string): string | undefined => /\/evidence\/([^"]+)"/.exec(html)?.[1];
    expect(decodeURIComponent(linkOf(pageA)!)).toBe(ids[0]);
    expect(decodeURIComponent(linkOf(pageB)!)).toBe(ids[0]);
  });
});

describe('the session store: evidence produced at the login', () => {
  const recipeInput = () => sessionInput({ evidences: [], recipe: { any: 'json' } });

  test('a session is created with its evidence or with its recipe, never both or neither', async () => {
    await expect(store.create(sessionInput({ evidences: [] }))).rejects.toThrow(/at least one evidence/);
    await expect(store.create(sessionInput({ recipe: { any: 'json' } }))).rejects.toThrow(/either/);
    const { sessionId } = await store.create(recipeInput());
    expect(await store.get(sessionId)).toMatchObject({ awaitingEvidence: true, evidenceIds: [], nothingFound: false });
    expect((await store.get(sessionId))!.content!.recipe).toEqual({ any: 'json' });
  });

  test('fill only while opened; first fill wins; nothing-found after a fill changes nothing', async () => {
    const { sessionId } = await store.create(recipeInput());
    const evidences = sessionInput().evidences;
    expect(await store.fillEvidences(sessionId, evidences)).toEqual({ status: 'not-opened' });
    await store.markOpened(sessionId);
    const [x, y] = await Promise.all([
      store.fillEvidences(sessionId, evidences.slice(0, 1)),
      store.fillEvidences(sessionId, evidences.slice(1)),
    ]);
    expect([x.status, y.status].sort()).toEqual(['already', 'filled']);
    const session = (await store.get(sessionId))!;
    expect(session.awaitingEvidence).toBe(false);
    expect(session.evidenceIds).toHaveLength(1);
    expect(session.content!.evidences.map((e) => e.id)).toEqual(session.evidenceIds);
    expect(await store.evidenceBytes(sessionId, session.evidenceIds[0]!)).toBeDefined();
    expect(await store.settleNothingFound(sessionId)).toEqual({ ok: false, reason: 'already' });
    expect((await store.get(sessionId))!.state).toBe('opened');
  });

  test('an expired session is not filled', async () => {
    const { sessionId } = await store.create(recipeInput());
    await store.markOpened(sessionId);
    await store.expire(sessionId);
    expect((await store.fillEvidences(sessionId, sessionInput().evidences)).status).toBe('expired');
    expect((await store.get(sessionId))!.evidenceIds).toEqual([]);
  });
});
