/**
 * The preview flow end to end in a real headless Chromium (Debian's chromium via playwright-core):
 * request #1 posted as the connector posts it → EDM:ERR:0002 with a PreviewLocation read from the
 * connector stand-in → the citizen opens the link with a returnurl, logs in at the local OpenID
 * provider, sees the evidence, decides → lands on the portal → request #2 → the answer carries
 * exactly what was approved. Also: decline, never opened, another person, forged decision,
 * foreign return address, the record read only at the login (never opened: no DAGR read; a record
 * that does not match; DAGR down at the login), and the Projectathon preview cases TC06, TC08, TC09.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { envelopeFor } from '../../src/cli/send.js';
import type { RestEnvelope } from '../../src/connector/envelope.js';
import { validateMessage } from '../../src/edm/validate.js';
import type { OutboxSummary } from '../../src/sandbox/connector-standin.js';
import { launchChromium } from '../support/browser.js';
import { deleteKeys, REDIS_URL } from '../support/connector-fixtures.js';
import { startAdapter, type AdapterProcess } from '../support/processes.js';
import { asV2 } from '../support/exchange-fixtures.js';
import { sample } from '../support/samples.js';

const ARTIFACTS = 'test-artifacts';
const prefix = `{e2e-pv-${randomBytes(4).toString('hex')}}`;
const token = randomBytes(16).toString('hex');
let adapter: AdapterProcess;
let api: string;
let portal: Server;
let portalOrigin: string;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  portal = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end('<!doctype html><title>Portal</title><h1>Back at the portal</h1>');
  });
  portalOrigin = await new Promise<string>((resolve) =>
    portal.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(portal.address() as AddressInfo).port}`)),
  );
  adapter = await startAdapter({
    REDIS_URL: 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: prefix,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    CONNECTOR_INBOUND_TOKEN: token,
    HTTP_PORT: '0',
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'oots-e2e-pv-')),
    LOG_LEVEL: 'info',
    // The v2.0 case returns to an https ReturnLocation that Playwright answers (no server there).
    PREVIEW_RETURN_ORIGINS: `${portalOrigin},https://portal.example`,
  });
  api = adapter.ready.api!;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await adapter?.stop();
  await new Promise((r) => portal.close(r));
  const redis = new Redis(REDIS_URL);
  await deleteKeys(redis, prefix);
  await redis.quit();
}, 60_000);

const fresh = (xml: string): string =>
  xml.replace(/(<query:QueryRequest\b[^>]*\bid=")urn:uuid:[^"]+"/, `$1urn:uuid:${randomUUID()}"`);
const withPreview = (xml: string): string =>
  xml.replace(/(PossibilityForPreview">\s*<rim:SlotValue[^>]*>\s*<rim:Value>)false/, '$1true');
/** Request #2: the same request, a new id, and the PreviewLocation the adapter gave (replacing any). */
function secondRequest(first: string, location: string): string {
  const slot = `<rim:Slot name="PreviewLocation"><rim:SlotValue xsi:type="rim:StringValueType"><rim:Value>${location}</rim:Value></rim:SlotValue></rim:Slot>`;
  const without = first.replace(/<rim:Slot name="PreviewLocation">[\s\S]*?<\/rim:Slot>/, '');
  return fresh(
    without.replace('<rim:Slot name="PossibilityForPreview">', `${slot}<rim:Slot name="PossibilityForPreview">`),
  );
}

/** Posts a request; `exchangeId` sets the v2.0 ebMS ExchangeId (request #1 and #2 share it). */
async function post(xml: string, exchangeId?: string): Promise<RestEnvelope> {
  const envelope = envelopeFor(Buffer.from(xml, 'utf8'));
  if (exchangeId !== undefined)
    envelope.userMessage.properties = envelope.userMessage.properties.map((p) =>
      p.name === 'ExchangeId' ? { ...p, value: exchangeId } : p,
    );
  const posted = await fetch(`${api}/connector/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(envelope),
  });
  expect(posted.status).toBe(202);
  return envelope;
}

async function exchange(
  xml: string,
  exchangeId?: string,
): Promise<{ summary: OutboxSummary; envelope: RestEnvelope; regrep: string }> {
  return answerTo(await post(xml, exchangeId));
}

/** Waits for the answer to a posted envelope in the stand-in's outbox; every answer must pass the EDM rules. */
async function answerTo(
  envelope: RestEnvelope,
): Promise<{ summary: OutboxSummary; envelope: RestEnvelope; regrep: string }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await fetch(
      `${api}/sandbox/connector/outbox?conversationId=${encodeURIComponent(envelope.userMessage.conversationId)}`,
    );
    const { messages } = (await res.json()) as { messages: OutboxSummary[] };
    if (messages[0] !== undefined) {
      const answer = (await (
        await fetch(`${api}/sandbox/connector/outbox/${encodeURIComponent(messages[0].messageId)}`)
      ).json()) as RestEnvelope;
      const regrep = Buffer.from(answer.payloads[0]!.contentBase64, 'base64').toString('utf8');
      // The embedded default serves the preview over http on loopback; R-EDM-ERR-C019 asks https in production.
      expect(validateMessage(regrep).errors.filter((e) => e.rule !== 'R-EDM-ERR-C019')).toEqual([]);
      return { summary: messages[0], envelope: answer, regrep };
    }
    if (Date.now() > deadline) throw new Error('no answer');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function requestPreview(xml: string): Promise<string> {
  const { summary, regrep } = await exchange(xml);
  expect(summary).toMatchObject({ action: 'ExceptionResponse', errorCode: 'EDM:ERR:0002' });
  expect(regrep).toContain('PreviewRequired');
  expect(regrep).toMatch(/<rim:Slot name="PreviewMethod">/);
  return /<rim:Slot name="PreviewLocation">\s*<rim:SlotValue[^>]*>\s*<rim:Value>([^<]+)<\/rim:Value>/.exec(regrep)![1]!;
}

async function openAndLogIn(location: string, person: RegExp, locale = 'en-GB'): Promise<Page> {
  const context = await browser.newContext({ locale });
  const page = await context.newPage();
  const returnurl = `${portalOrigin}/procedure/return?case=${randomUUID()}`;
  await page.goto(`${location}?returnurl=${encodeURIComponent(returnurl)}&returnmethod=GET`);
  await page.getByLabel(person).check();
  await page.getByRole('button', { name: /Log in|Pieteikties/ }).click();
  await page.waitForURL((u) => u.origin === new URL(api).origin);
  return page;
}

async function decide(page: Page, answer: 'Yes, send it' | 'No, do not send it'): Promise<void> {
  await page.getByRole('radio', { name: answer }).first().check();
  await page.getByRole('button', { name: 'Confirm my decision' }).click();
  await page.waitForURL((u) => u.origin === portalOrigin);
  expect(await page.textContent('h1')).toBe('Back at the portal');
}

const birth = (): string => withPreview(fresh(readFileSync('examples/requests/lv-birth-certificate-pdf.xml', 'utf8')));

describe('the citizen previews before anything leaves', () => {
  test('approve: request #2 carries exactly the approved evidence', async () => {
    const first = birth();
    const location = await requestPreview(first);
    const page = await openAndLogIn(location, /Anna Bērziņa/);
    expect(await page.textContent('main')).toContain('Bērziņa');
    await page.screenshot({ path: `${ARTIFACTS}/e2e-preview-en.png`, fullPage: true });
    await page.getByRole('link', { name: 'Latviešu valodā' }).click();
    await page.screenshot({ path: `${ARTIFACTS}/e2e-preview-lv.png`, fullPage: true });
    await page.getByRole('link', { name: 'In English' }).click();
    await decide(page, 'Yes, send it');
    const { summary, envelope } = await exchange(secondRequest(first, location));
    expect(summary).toMatchObject({ action: 'ExecuteQueryResponse', status: 'Success' });
    expect(envelope.payloads).toHaveLength(2);
    expect(Buffer.from(envelope.payloads[1]!.contentBase64, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
    await page.context().close();
  });

  test('v2.0: request #2, sent at once, waits for the decision, then carries the approved evidence; the browser goes to ReturnLocation', async () => {
    const exchangeId = randomUUID();
    const first = asV2(birth());
    expect(validateMessage(first).errors).toEqual([]);
    const { summary, regrep } = await exchange(first, exchangeId);
    expect(summary).toMatchObject({ action: 'ExceptionResponse', errorCode: 'EDM:ERR:0002' });
    expect(regrep).toContain('oots-edm:v2.0');
    expect(regrep).not.toMatch(/<rim:Slot name="PreviewMethod">/);
    const location = /<rim:Slot name="PreviewLocation">\s*<rim:SlotValue[^>]*>\s*<rim:Value>([^<]+)<\/rim:Value>/.exec(
      regrep,
    )![1]!;
    // v2.0 request #2: same ExchangeId, the PreviewLocation and a ReturnLocation (https, so the
    // browser's arrival there is answered by Playwright, not by a server). It may come before the
    // citizen decides: it is parked, not answered.
    const returnLocation = `https://portal.example/v2/return?case=${randomUUID()}`;
    const returnSlot = `<rim:Slot name="ReturnLocation"><rim:SlotValue xsi:type="rim:StringValueType"><rim:Value>${returnLocation}</rim:Value></rim:SlotValue></rim:Slot>`;
    const secondXml = secondRequest(first, location).replace(
      '<rim:Slot name="PossibilityForPreview">',
      `${returnSlot}<rim:Slot name="PossibilityForPreview">`,
    );
    const second = await post(secondXml, exchangeId);
    await new Promise((r) => setTimeout(r, 1500));
    const early = await fetch(
      `${api}/sandbox/connector/outbox?conversationId=${encodeURIComponent(second.userMessage.conversationId)}`,
    );
    expect(((await early.json()) as { messages: OutboxSummary[] }).messages).toEqual([]);

    const context = await browser.newContext({ locale: 'en-GB' });
    await context.route('https://portal.example/**', (route) =>
      route.fulfill({
        status: 200,
        contentType: 'text/html',
        body: '<!doctype html><title>portal</title><h1>Back at the portal</h1>',
      }),
    );
    const page = await context.newPage();
    await page.goto(location);
    await page.getByLabel(/Anna Bērziņa/).check();
    await page.getByRole('button', { name: /Log in|Pieteikties/ }).click();
    await page.waitForURL((u) => u.origin === new URL(api).origin);
    await page.getByRole('radio', { name: 'Yes, send it' }).first().check();
    await page.getByRole('button', { name: 'Confirm my decision' }).click();
    await page.waitForURL((u) => u.href.startsWith(returnLocation));
    expect(await page.textContent('h1')).toBe('Back at the portal');

    const answer = await answerTo(second);
    expect(answer.summary).toMatchObject({ action: 'ExecuteQueryResponse', status: 'Success' });
    expect(answer.envelope.payloads).toHaveLength(2);
    expect(Buffer.from(answer.envelope.payloads[1]!.contentBase64, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
    expect(answer.regrep).toContain('oots-edm:v2.0');
    expect(answer.envelope.userMessage.properties).toContainEqual(
      expect.objectContaining({ name: 'ExchangeId', value: exchangeId }),
    );
    await context.close();
  });

  test('decline: request #2 gets an empty success', async () => {
    const first = birth();
    const location = await requestPreview(first);
    const page = await openAndLogIn(location, /Anna Bērziņa/);
    await decide(page, 'No, do not send it');
    const { summary, envelope } = await exchange(secondRequest(first, location));
    expect(summary).toMatchObject({ action: 'ExecuteQueryResponse', status: 'Success' });
    expect(envelope.payloads).toHaveLength(1);
    await page.context().close();
  });

  test('never opened: request #2 gets EDM:ERR:0005', async () => {
    const first = birth();
    const location = await requestPreview(first);
    const { summary } = await exchange(secondRequest(first, location));
    expect(summary).toMatchObject({ action: 'ExceptionResponse', errorCode: 'EDM:ERR:0005' });
  });

  test('another person logged in sees nothing of it', async () => {
    const location = await requestPreview(birth());
    const page = await openAndLogIn(location, /Jānis Kalniņš/);
    const text = (await page.textContent('body')) ?? '';
    expect(text).not.toContain('Bērziņa');
    expect(text).not.toContain('12048814731');
    expect(await page.getByRole('button', { name: 'Confirm my decision' }).count()).toBe(0);
    await page.context().close();
  });

  test('a forged decision without the CSRF token is refused', async () => {
    const location = await requestPreview(birth());
    const page = await openAndLogIn(location, /Anna Bērziņa/);
    const action = await page.getAttribute('form[method="post"]', 'action');
    // The user's own session cookies, but no CSRF token: what a cross-site form would send.
    const cookies = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const res = await fetch(new URL(action!, location), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies },
      body: 'approve=all',
      redirect: 'manual',
    });
    expect(res.status).toBe(403);
    const wrong = await fetch(new URL(action!, location), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies },
      body: 'csrf=forged-token',
      redirect: 'manual',
    });
    expect(wrong.status).toBe(403);
    await page.context().close();
  });

  test('a returnurl to a foreign origin is refused', async () => {
    const location = await requestPreview(birth());
    const res = await fetch(
      `${location}?returnurl=${encodeURIComponent('https://evil.example/steal')}&returnmethod=GET`,
      { redirect: 'manual' },
    );
    expect(res.status).toBe(400);
  });
});

describe('the record is read at the login, for the person who logged in', () => {
  const dagrStats = async (): Promise<number> =>
    ((await (await fetch(`${adapter.ready.sandbox.dagr!}/sandbox/dagr/stats`)).json()) as { dataRequests: number })
      .dataRequests;
  const liga = (): string =>
    birth()
      .replace(/12048814731/g, '08039019275')
      .replace(/Bērziņa/g, 'Ozoliņa')
      .replace(/1988-04-12/g, '1990-03-08')
      .replace(/>Anna</g, '>Līga<');

  test('a preview never opened causes no DAGR read (the DAGR sandbox counts every data request)', async () => {
    const before = await dagrStats();
    const first = birth();
    const location = await requestPreview(first);
    const { summary } = await exchange(secondRequest(first, location));
    expect(summary).toMatchObject({ action: 'ExceptionResponse', errorCode: 'EDM:ERR:0005' });
    expect(await dagrStats()).toBe(before);
    // The same request, opened: one read, at the login.
    const opened = birth();
    const page = await openAndLogIn(await requestPreview(opened), /Anna Bērziņa/);
    expect(await page.textContent('main')).toContain('Bērziņa');
    expect(await dagrStats()).toBe(before + 1);
    await page.context().close();
  });

  test('a login that matches the request but whose DAGR record does not match is shown nothing; request #2 as declined', async () => {
    const first = liga();
    const location = await requestPreview(first);
    const page = await openAndLogIn(location, /Līga Ozoliņa/);
    expect(await page.textContent('h1')).toBe('No evidence was found');
    const text = (await page.textContent('body')) ?? '';
    for (const secret of ['Ozoliņa-Kalniņa', '08039019275', 'Riga', 'Rīga']) expect(text).not.toContain(secret);
    expect(await page.getByRole('button', { name: 'Confirm my decision' }).count()).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}/e2e-preview-nothing-found.png`, fullPage: true });
    const { summary, envelope } = await exchange(secondRequest(first, location));
    expect(summary).toMatchObject({ action: 'ExecuteQueryResponse', status: 'Success' });
    expect(envelope.payloads).toHaveLength(1);
    await page.context().close();
  });

  test('DAGR down at the login: "try again later", nothing lost; trying again shows the evidence', async () => {
    const first = birth();
    const location = await requestPreview(first);
    // Every attempt of one lookup (1 + DAGR_RETRIES) fails: below the breaker's threshold.
    const faults = `${adapter.ready.sandbox.dagr!}/sandbox/dagr/faults`;
    const set = await fetch(faults, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ failNext: { count: 4, status: 503 } }),
    });
    expect(set.status).toBe(200);
    const page = await openAndLogIn(location, /Anna Bērziņa/);
    expect(await page.textContent('h1')).toBe('Please try again later');
    expect((await page.textContent('body')) ?? '').not.toContain('Bērziņa');
    await page.screenshot({ path: `${ARTIFACTS}/e2e-preview-try-again.png`, fullPage: true });
    await fetch(faults, { method: 'DELETE' });
    await page.getByRole('link', { name: 'Try again' }).click();
    await page.getByLabel(/Anna Bērziņa/).check();
    await page.getByRole('button', { name: /Log in|Pieteikties/ }).click();
    await page.waitForURL((u) => u.origin === new URL(api).origin);
    await decide(page, 'Yes, send it');
    const { summary, envelope } = await exchange(secondRequest(first, location));
    expect(summary).toMatchObject({ action: 'ExecuteQueryResponse', status: 'Success' });
    expect(envelope.payloads).toHaveLength(2);
    await page.context().close();
  });
});

describe('Projectathon 2023 preview cases', () => {
  const official = (name: string) => {
    const xml = sample(name).load();
    return { code: /\bcode="([^"]+)"/.exec(xml)?.[1], failure: xml.includes('ResponseStatusType:Failure') };
  };

  test('TC06: preview required, approved, evidence (TC06_Response_1/2)', async () => {
    expect(official('TC06_Response_1').code).toBe('EDM:ERR:0002');
    const first = fresh(sample('TC06_Request_1').load());
    const location = await requestPreview(first);
    const page = await openAndLogIn(location, /Jonas Smith/);
    await decide(page, 'Yes, send it');
    const { summary, envelope } = await exchange(secondRequest(sample('TC06_Request_2').load(), location));
    expect(official('TC06_Response_2').failure).toBe(false);
    expect(summary.status).toBe('Success');
    expect(envelope.payloads.length).toBeGreaterThan(1);
    await page.context().close();
  });

  test('TC08: preview declined, empty success (TC08_Response_2)', async () => {
    const first = fresh(sample('TC08_Request_1').load());
    const location = await requestPreview(first);
    const page = await openAndLogIn(location, /Jonas Smith/);
    await decide(page, 'No, do not send it');
    const { summary, envelope } = await exchange(secondRequest(sample('TC08_Request_2').load(), location));
    expect(official('TC08_Response_2').failure).toBe(false);
    expect(summary.status).toBe('Success');
    expect(envelope.payloads).toHaveLength(1);
    await page.context().close();
  });

  test('TC09: preview never completed, EDM:ERR:0005 (TC09_Response_2)', async () => {
    const first = fresh(sample('TC09_Request_1').load());
    const location = await requestPreview(first);
    const { summary } = await exchange(secondRequest(sample('TC09_Request_2').load(), location));
    expect(summary.errorCode).toBe(official('TC09_Response_2').code);
  });
});

describe('level of assurance and powers of representation (issue 19)', () => {
  /** The company extract, previewed, with the representative the requester authenticated. */
  const company = (rep: { id: string; given: string; family: string; born: string }, loa = 'High'): string =>
    withPreview(fresh(readFileSync('examples/requests/lv-company-register-extract-pdf.xml', 'utf8'))).replace(
      '<rim:Slot name="EvidenceRequest">',
      `<rim:Slot name="AuthorizedRepresentative"><rim:SlotValue xsi:type="rim:AnyValueType"><sdg:Person>` +
        `<sdg:LevelOfAssurance>${loa}</sdg:LevelOfAssurance><sdg:Identifier schemeID="eidas">${rep.id}</sdg:Identifier>` +
        `<sdg:FamilyName>${rep.family}</sdg:FamilyName><sdg:GivenName>${rep.given}</sdg:GivenName>` +
        `<sdg:DateOfBirth>${rep.born}</sdg:DateOfBirth></sdg:Person></rim:SlotValue></rim:Slot>` +
        '<rim:Slot name="EvidenceRequest">',
    );
  const JANIS = { id: 'LV/DE/23117510621', given: 'Jānis', family: 'Kalniņš', born: '1975-11-23' };
  const ANNA = { id: 'LV/DE/12048814731', given: 'Anna', family: 'Bērziņa', born: '1988-04-12' };

  async function openAt(location: string, person: RegExp, level: RegExp): Promise<Page> {
    const page = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    await page.goto(location);
    await page.getByLabel(person).check();
    await page.getByLabel(level).check();
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((u) => u.origin === new URL(api).origin);
    return page;
  }

  test("the company's board member sees the extract and approves it: request #2 carries it", async () => {
    const first = company(JANIS);
    const location = await requestPreview(first);
    const page = await openAt(location, /Jānis Kalniņš/, /Substantial/);
    expect(await page.textContent('main')).toContain('40003527919');
    await page.getByRole('radio', { name: 'Yes, send it' }).first().check();
    await page.getByRole('button', { name: 'Confirm my decision' }).click();
    await page.waitForURL((u) => u.origin === new URL(api).origin);
    const { summary, envelope } = await exchange(secondRequest(first, location));
    expect(summary.status).toBe('Success');
    expect(envelope.payloads).toHaveLength(2);
    await page.context().close();
  });

  test('a login below the level is refused; a person with no powers is refused; request #2 then gets nothing', async () => {
    const low = await requestPreview(company(JANIS));
    const refused = await openAt(low, /Jānis Kalniņš/, /Low/);
    expect(await refused.textContent('h1')).toBe('Your login is not strong enough for this evidence');
    expect(await refused.textContent('body')).not.toContain('40003527919');
    await refused.context().close();

    // The request names Anna Bērziņa; the register lists her as a shareholder without powers.
    const first = company(ANNA);
    const location = await requestPreview(first);
    const page = await openAt(location, /Anna Bērziņa/, /High/);
    expect(await page.textContent('h1')).toBe('This preview is not for you');
    const text = (await page.textContent('body')) ?? '';
    for (const secret of ['40003527919', 'Zaļā', 'Kalniņš']) expect(text).not.toContain(secret);
    await page.context().close();
    const { summary } = await exchange(secondRequest(first, location));
    expect(summary).toMatchObject({ action: 'ExceptionResponse', errorCode: 'EDM:ERR:0005' });
  });

  test('a request whose representative authenticated at Low is answered EDM:ERR:0001 (Failed Authentication)', async () => {
    const { summary, regrep } = await exchange(company(JANIS, 'Low'));
    expect(summary).toMatchObject({ action: 'ExceptionResponse', errorCode: 'EDM:ERR:0001' });
    expect(regrep).toContain('xsi:type="rs:AuthenticationExceptionType"');
    expect(regrep).not.toContain('PreviewLocation');
  });
});
