/**
 * Foreign nationals in the preview, in a real headless Chromium (issue 19, docs/matching.md): the
 * adapter as a child process with its embedded DAGR sandbox and identity provider, the shipped
 * residence mapping (foreign nationals by attributes) and the shipped sandbox people.
 *
 * - A German who lived in Latvia (`DE/LV/...`, no personal code in the request) is found by the
 *   eIDAS minimum data set: he logs in, sees his own residence record, approves, and request #2
 *   carries the evidence.
 * - Two namesakes (same name and date of birth): nobody is chosen. The record is read at the
 *   login, so request #1 opens a preview; Thomas Weber logs in and sees the "no evidence" page with
 *   nothing of either record, and request #2 gets an empty success.
 * - The same namesake, with his place of birth in the request: found, and the page shows his
 *   record, never the other Thomas Weber's.
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

const ARTIFACTS = 'test-artifacts';
const prefix = `{e2e-fn-${randomBytes(4).toString('hex')}}`;
const token = randomBytes(16).toString('hex');
const ADMIN_PASSWORD = randomBytes(12).toString('hex');
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
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'oots-e2e-fn-')),
    LOG_LEVEL: 'info',
    PREVIEW_RETURN_ORIGINS: portalOrigin,
    ADMIN_VIEWER_USER: 'viewer',
    ADMIN_VIEWER_PASSWORD: ADMIN_PASSWORD,
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

interface Person {
  readonly id: string;
  readonly family: string;
  readonly given: string;
  readonly born: string;
  readonly place?: string;
}
// Synthetic people of the sandbox (src/sandbox/dagr-data/README.md, foreign nationals).
const LUKAS: Person = { id: 'DE/LV/4F7A2C91D03B', family: 'Schneider', given: 'Lukas', born: '1984-09-14' };
const WEBER: Person = { id: 'DE/LV/9B15E8A6C277', family: 'Weber', given: 'Thomas', born: '1979-03-15' };

/** Request #1 for the residence certificate of `p`, with preview. */
function residenceRequest(p: Person): string {
  const xml = readFileSync('examples/requests/lv-declared-residence-pdf.xml', 'utf8')
    .replace(/(<query:QueryRequest\b[^>]*\bid=")urn:uuid:[^"]+"/, `$1urn:uuid:${randomUUID()}"`)
    .replace(/(PossibilityForPreview">\s*<rim:SlotValue[^>]*>\s*<rim:Value>)false/, '$1true')
    .replace(
      /<sdg:Identifier schemeID="eidas">[^<]+<\/sdg:Identifier>\s*<sdg:FamilyName>[^<]+<\/sdg:FamilyName>\s*<sdg:GivenName>[^<]+<\/sdg:GivenName>\s*<sdg:DateOfBirth>[^<]+<\/sdg:DateOfBirth>/,
      `<sdg:Identifier schemeID="eidas">${p.id}</sdg:Identifier><sdg:FamilyName>${p.family}</sdg:FamilyName>` +
        `<sdg:GivenName>${p.given}</sdg:GivenName><sdg:DateOfBirth>${p.born}</sdg:DateOfBirth>` +
        (p.place === undefined ? '' : `<sdg:PlaceOfBirth>${p.place}</sdg:PlaceOfBirth>`),
    );
  expect(xml).toContain(`<sdg:Identifier schemeID="eidas">${p.id}</sdg:Identifier>`);
  expect(xml).toMatch(/PossibilityForPreview">\s*<rim:SlotValue[^>]*>\s*<rim:Value>true/);
  return xml;
}

/** Request #2: the same request, a new id, and the PreviewLocation the adapter gave. */
function secondRequest(first: string, location: string): string {
  const slot = `<rim:Slot name="PreviewLocation"><rim:SlotValue xsi:type="rim:StringValueType"><rim:Value>${location}</rim:Value></rim:SlotValue></rim:Slot>`;
  return first
    .replace(/(<query:QueryRequest\b[^>]*\bid=")urn:uuid:[^"]+"/, `$1urn:uuid:${randomUUID()}"`)
    .replace('<rim:Slot name="PossibilityForPreview">', `${slot}<rim:Slot name="PossibilityForPreview">`);
}

interface Answer {
  readonly summary: OutboxSummary;
  readonly envelope: RestEnvelope;
  readonly regrep: string;
}

/** Posts a request as the connector does and waits for its answer, which must pass the EDM rules. */
async function exchange(xml: string): Promise<Answer> {
  const envelope = envelopeFor(Buffer.from(xml, 'utf8'));
  const posted = await fetch(`${api}/connector/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(envelope),
  });
  expect(posted.status).toBe(202);
  const conversation = encodeURIComponent(envelope.userMessage.conversationId);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await fetch(`${api}/sandbox/connector/outbox?conversationId=${conversation}`);
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

const locationOf = (regrep: string): string | undefined =>
  /<rim:Slot name="PreviewLocation">\s*<rim:SlotValue[^>]*>\s*<rim:Value>([^<]+)<\/rim:Value>/.exec(regrep)?.[1];

async function openAndLogIn(location: string, person: RegExp): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  const returnurl = `${portalOrigin}/procedure/return?case=${randomUUID()}`;
  await page.goto(`${location}?returnurl=${encodeURIComponent(returnurl)}&returnmethod=GET`);
  await page.getByLabel(person).check();
  await page.getByRole('button', { name: /Log in|Pieteikties/ }).click();
  await page.waitForURL((u) => u.origin === new URL(api).origin);
  return page;
}

describe('foreign nationals in the preview', () => {
  test('a German who lived in Latvia, found by attributes: sees his record, approves, request #2 carries it', async () => {
    const first = residenceRequest(LUKAS);
    const one = await exchange(first);
    expect(one.summary).toMatchObject({ action: 'ExceptionResponse', errorCode: 'EDM:ERR:0002' });
    const location = locationOf(one.regrep)!;
    expect(location).toBeDefined();

    const page = await openAndLogIn(location, /Lukas Schneider/);
    const main = (await page.textContent('main')) ?? '';
    expect(main).toContain('Schneider');
    expect(main).toContain('Elizabetes iela 21-7, Rīga, LV-1010');
    await page.screenshot({ path: `${ARTIFACTS}/e2e-foreign-national-preview.png`, fullPage: true });
    await page.getByRole('radio', { name: 'Yes, send it' }).first().check();
    await page.getByRole('button', { name: 'Confirm my decision' }).click();
    await page.waitForURL((u) => u.origin === portalOrigin);
    expect(await page.textContent('h1')).toBe('Back at the portal');
    await page.context().close();

    const two = await exchange(secondRequest(first, location));
    expect(two.summary).toMatchObject({ action: 'ExecuteQueryResponse', status: 'Success' });
    expect(two.envelope.payloads).toHaveLength(2);
    expect(Buffer.from(two.envelope.payloads[1]!.contentBase64, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
  });

  test('two namesakes: nobody is chosen; the login shows nothing and the requester receives nothing of either', async () => {
    const first = residenceRequest(WEBER);
    // The record is read only at the login: request #1 opens a preview whatever DAGR holds.
    const one = await exchange(first);
    expect(one.summary).toMatchObject({ action: 'ExceptionResponse', errorCode: 'EDM:ERR:0002' });
    const location = locationOf(one.regrep)!;
    const page = await openAndLogIn(location, /Thomas Weber/);
    const main = (await page.textContent('main')) ?? '';
    expect(main).toContain('No evidence was found');
    for (const other of ['Tērbatas', 'Raiņa', '33918264705', '38256031947', 'ambiguous'])
      expect(main).not.toContain(other);
    expect(await page.getByRole('button', { name: 'Confirm my decision' }).count()).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}/e2e-foreign-namesakes-preview.png`, fullPage: true });
    await page.context().close();

    // The audit trail says why, as a code; the requester's answer does not.
    const conversation = one.envelope.userMessage.conversationId;
    const audit = (await (
      await fetch(`${api}/admin/api/audit/exchanges/${encodeURIComponent(conversation)}`, {
        headers: { authorization: `Basic ${Buffer.from(`viewer:${ADMIN_PASSWORD}`).toString('base64')}` },
      })
    ).json()) as { records: { event: string; detail?: string }[] };
    expect(audit.records).toContainEqual(
      expect.objectContaining({
        event: 'preview-nothing',
        detail: 'no matching record at the preview login (ambiguous)',
      }),
    );

    const two = await exchange(secondRequest(first, location));
    expect(two.summary).toMatchObject({ action: 'ExecuteQueryResponse', status: 'Success' });
    expect(two.envelope.payloads).toHaveLength(1);
    for (const other of ['Tērbatas', 'Raiņa', '33918264705', '38256031947', 'ambiguous'])
      expect(two.regrep).not.toContain(other);
  });

  test('the namesake whose request says where he was born: sees his own record, not the other one', async () => {
    const { summary, regrep } = await exchange(residenceRequest({ ...WEBER, place: 'Berlin' }));
    expect(summary).toMatchObject({ action: 'ExceptionResponse', errorCode: 'EDM:ERR:0002' });
    const page = await openAndLogIn(locationOf(regrep)!, /Thomas Weber/);
    const main = (await page.textContent('main')) ?? '';
    expect(main).toContain('Tērbatas iela 12-5, Rīga, LV-1011');
    expect(main).not.toContain('Raiņa iela 9');
    expect(await page.getByRole('button', { name: 'Confirm my decision' }).count()).toBe(1);
    await page.context().close();
  });
});
