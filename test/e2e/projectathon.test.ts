/**
 * The official April 2023 Projectathon test cases TC01–TC09 as published, through the REST
 * connector, into one running adapter (real processes, real Redis, the DAGR sandbox, a real
 * browser for the preview cases), one after another and then all at once. No id is rewritten:
 * the published requests all carry the template id `urn:uuid:4ffb5281-…` (request #2 of the
 * preview cases `urn:uuid:cb6b247f-…`), and TC01, TC03 and TC04 are the very same bytes, as are
 * the requests #1 of TC06, TC08 and TC09. The only change is the one the templates ask for
 * ("XXX Evidence Requesters must update this data"): request #2 carries the PreviewLocation our
 * answer to request #1 gave. Each answer must say what the official response file says: status,
 * error code and number of evidences.
 *
 * TC03 is the base registry failing. Run in order, DAGR is made to fail for it, and it goes first:
 * TC01 and TC04 are the same request, and once TC01 has been answered a re-send of it gets that
 * stored answer (TC04 shows it). At once, TC03 is the requester whose message reached us after its
 * answer deadline (its ebMS Timestamp an hour old): EDM:ERR:0005 at once, as the file says.
 *
 * Also here: the README's example sent twice with `oots-adapter send` (both answered, the same
 * evidence bytes, the second says the request id was seen before), and a transport duplicate.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
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
import { runCli } from '../support/cli.js';
import { deleteKeys, REDIS_URL } from '../support/connector-fixtures.js';
import { startAdapter, type AdapterProcess } from '../support/processes.js';
import { sample } from '../support/samples.js';

const prefix = `{e2e-tc-${randomBytes(4).toString('hex')}}`;
const token = randomBytes(16).toString('hex');
const dataDir = mkdtempSync(path.join(tmpdir(), 'oots-e2e-tc-'));
let adapter: AdapterProcess;
let api: string;
let dagr: string;
let portal: Server;
let portalOrigin: string;
let browser: Browser;

beforeAll(async () => {
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
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    PROCESS_BACKOFF_MS: '200',
    PROCESS_ATTEMPTS: '3',
    DAGR_RETRIES: '1',
    DAGR_TIMEOUT_MS: '2000',
    DAGR_BREAKER_FAILURES: '1000',
    PREVIEW_RETURN_ORIGINS: portalOrigin,
  });
  api = adapter.ready.api!;
  dagr = adapter.ready.sandbox.dagr!;
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

/** What the official response file says: status, error code, number of evidences. */
function official(name: string): { status: string; code: string | undefined; evidences: number } {
  const xml = sample(name).load();
  return {
    status: /status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:(\w+)"/.exec(xml)![1]!,
    code: /\bcode="(EDM:ERR:\d{4})"/.exec(xml)?.[1],
    evidences: (xml.match(/xsi:type="rim:ExtrinsicObjectType"/g) ?? []).length,
  };
}

interface Answer {
  readonly summary: OutboxSummary;
  readonly envelope: RestEnvelope;
  readonly regrep: string;
}

/** What our answer says, in the same terms. */
function said(a: Answer): { status: string; code: string | undefined; evidences: number } {
  return {
    status: a.summary.status ?? '',
    code: a.summary.errorCode,
    evidences: (a.regrep.match(/xsi:type="rim:ExtrinsicObjectType"/g) ?? []).length,
  };
}

/** The published bytes of a request; request #2 with the PreviewLocation our answer gave (the XXX the template asks to update). */
function published(name: string, previewLocation?: string): Buffer {
  const xml = sample(name).load();
  if (previewLocation === undefined) return Buffer.from(xml, 'utf8');
  const placeholder = 'https://preview.space.example.com/requests?session=d36af8bc-fea6-4ee5-a32d-5bef82cdb071';
  expect(xml).toContain(placeholder);
  return Buffer.from(xml.replace(placeholder, previewLocation), 'utf8');
}

async function post(envelope: RestEnvelope): Promise<RestEnvelope> {
  const res = await fetch(`${api}/connector/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(envelope),
  });
  expect(res.status).toBe(202);
  expect(await res.json()).toMatchObject({ delivery: 'new' });
  return envelope;
}

/** The one answer to a posted message; every answer must pass the EDM rules. */
async function answerTo(envelope: RestEnvelope): Promise<Answer> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await fetch(
      `${api}/sandbox/connector/outbox?conversationId=${encodeURIComponent(envelope.userMessage.conversationId)}`,
    );
    const { messages } = (await res.json()) as { messages: OutboxSummary[] };
    if (messages[0] !== undefined) {
      expect(messages).toHaveLength(1);
      const answer = (await (
        await fetch(`${api}/sandbox/connector/outbox/${encodeURIComponent(messages[0].messageId)}`)
      ).json()) as RestEnvelope;
      const regrep = Buffer.from(answer.payloads[0]!.contentBase64, 'base64').toString('utf8');
      // The embedded default serves the preview over http on loopback; R-EDM-ERR-C019 asks https in production.
      expect(validateMessage(regrep).errors.filter((e) => e.rule !== 'R-EDM-ERR-C019')).toEqual([]);
      return { summary: messages[0], envelope: answer, regrep };
    }
    if (Date.now() > deadline) throw new Error(`no answer to ${envelope.userMessage.messageId}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const send = async (bytes: Buffer): Promise<Answer> => answerTo(await post(envelopeFor(bytes)));
const locationIn = (regrep: string): string =>
  /<rim:Slot name="PreviewLocation">\s*<rim:SlotValue[^>]*>\s*<rim:Value>([^<]+)<\/rim:Value>/.exec(regrep)![1]!;

async function openAndLogIn(location: string): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  const returnurl = `${portalOrigin}/procedure/return?case=${randomUUID()}`;
  await page.goto(`${location}?returnurl=${encodeURIComponent(returnurl)}&returnmethod=GET`);
  await page.getByLabel(/Jonas Smith/).check();
  await page.getByRole('button', { name: /Log in|Pieteikties/ }).click();
  await page.waitForURL((u) => u.origin === new URL(api).origin);
  return page;
}

async function decide(location: string, answer: 'Yes, send it' | 'No, do not send it'): Promise<void> {
  const page = await openAndLogIn(location);
  await page.getByRole('radio', { name: answer }).first().check();
  await page.getByRole('button', { name: 'Confirm my decision' }).click();
  await page.waitForURL((u) => u.origin === portalOrigin);
  await page.context().close();
}

const dagrFaults = async (body: object | undefined): Promise<void> => {
  await fetch(`${dagr}/sandbox/dagr/faults`, {
    method: body === undefined ? 'DELETE' : 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
};

/** The preview cases: request #1, the citizen's part, request #2, each answer as its file says. */
const PREVIEW_CASES = [
  {
    tc: 'TC06',
    first: 'TC06_Request_1',
    second: 'TC06_Request_2',
    decision: 'Yes, send it',
    responses: ['TC06_Response_1', 'TC06_Response_2'],
  },
  {
    tc: 'TC07 EP1',
    first: 'TC07_Request_1_EP1',
    second: 'TC07_Request_2_EP1',
    decision: 'Yes, send it',
    responses: ['TC07_Response_1_EP1', 'TC07_Response_2_EP1'],
  },
  {
    tc: 'TC07 EP2',
    first: 'TC07_Request_1_EP2',
    second: 'TC07_Request_2_EP2',
    decision: 'Yes, send it',
    responses: ['TC07_Response_1_EP2', 'TC07_Response_2_EP2'],
  },
  {
    tc: 'TC08',
    first: 'TC08_Request_1',
    second: 'TC08_Request_2',
    decision: 'No, do not send it',
    responses: ['TC08_Response_1', 'TC08_Response_2'],
  },
  {
    tc: 'TC09',
    first: 'TC09_Request_1',
    second: 'TC09_Request_2',
    decision: undefined,
    responses: ['TC09_Response_1', 'TC09_Response_2'],
  },
] as const;

describe('TC01–TC09 as published, one after another, in one running adapter', () => {
  let tc01: Answer;

  test('the published requests share one QueryRequest id (a template value)', () => {
    const ids = [
      'TC01_Request',
      'TC02_Request',
      'TC03_Request',
      'TC04_Request',
      'TC05_Request',
      'TC06_Request_1',
      'TC09_Request_1',
    ].map((n) => /<query:QueryRequest\b[^>]*\bid="([^"]+)"/.exec(sample(n).load())![1]);
    expect(new Set(ids)).toEqual(new Set(['urn:uuid:4ffb5281-179d-4578-adf2-39fd13ccc797']));
    expect(sample('TC03_Request').load()).toBe(sample('TC01_Request').load());
  });

  test('TC03: the base registry failing → EDM:ERR:0005 (TC03_Response alt1; alt2 is EDM:ERR:0008)', async () => {
    await dagrFaults({ down: '503' });
    try {
      const a = await send(published('TC03_Request'));
      expect(said(a)).toEqual(official('TC03_Response_alt1_timeout_in_connection_to_base_registry'));
    } finally {
      await dagrFaults(undefined);
    }
  });

  test('TC01: evidence (TC01_Response)', async () => {
    tc01 = await send(published('TC01_Request'));
    expect(said(tc01)).toEqual(official('TC01_Response'));
  });

  test('TC02: unknown person → an empty success (TC02_Response)', async () => {
    expect(said(await send(published('TC02_Request')))).toEqual(official('TC02_Response'));
  });

  test("TC04 (the same bytes as TC01, no response file): answered, with TC01's stored answer", async () => {
    const a = await send(published('TC04_Request'));
    expect(said(a)).toEqual(official('TC01_Response'));
    expect(a.envelope.payloads.map((p) => p.contentBase64)).toEqual(tc01.envelope.payloads.map((p) => p.contentBase64));
    expect(a.envelope.userMessage.messageId).not.toBe(tc01.envelope.userMessage.messageId);
  });

  test('TC05: evidence of residence (TC05_Response)', async () => {
    expect(said(await send(published('TC05_Request')))).toEqual(official('TC05_Response'));
  });

  test.each(PREVIEW_CASES.map((c) => [c.tc, c] as const))('%s: through the preview', async (_tc, c) => {
    const first = await send(published(c.first));
    expect(said(first)).toEqual(official(c.responses[0]));
    const location = locationIn(first.regrep);
    if (c.decision !== undefined) await decide(location, c.decision);
    const second = await send(published(c.second, location));
    expect(said(second)).toEqual(official(c.responses[1]));
  });
});

describe('TC01–TC09 as published, all at once, in the same adapter', () => {
  test('every request answered as its response file says', async () => {
    const stale = envelopeFor(published('TC03_Request'));
    stale.userMessage = { ...stale.userMessage, timestamp: new Date(Date.now() - 3_600_000).toISOString() };
    const plain: [string, Promise<Answer>][] = [
      ['TC01_Response', send(published('TC01_Request'))],
      ['TC02_Response', send(published('TC02_Request'))],
      ['TC03_Response_alt1_timeout_in_connection_to_base_registry', post(stale).then(answerTo)],
      ['TC01_Response', send(published('TC04_Request'))],
      ['TC05_Response', send(published('TC05_Request'))],
    ];
    const firsts = PREVIEW_CASES.map((c) => send(published(c.first)));
    for (const [file, answer] of plain) expect([file, said(await answer)]).toEqual([file, official(file)]);
    const answers1 = await Promise.all(firsts);
    const locations = answers1.map((a) => locationIn(a.regrep));
    // Requests #1 with the same bytes each opened their own, single-use preview.
    expect(new Set(locations).size).toBe(PREVIEW_CASES.length);
    PREVIEW_CASES.forEach((c, i) => expect([c.tc, said(answers1[i]!)]).toEqual([c.tc, official(c.responses[0])]));
    expect((await plain[2]![1]).regrep).toContain('answer deadline');
    await Promise.all(
      PREVIEW_CASES.map((c, i) => (c.decision === undefined ? Promise.resolve() : decide(locations[i]!, c.decision))),
    );
    const answers2 = await Promise.all(PREVIEW_CASES.map((c, i) => send(published(c.second, locations[i]))));
    PREVIEW_CASES.forEach((c, i) => expect([c.tc, said(answers2[i]!)]).toEqual([c.tc, official(c.responses[1])]));
  }, 180_000);
});

describe("the README's example with oots-adapter send", () => {
  const example = 'examples/requests/lv-birth-certificate-pdf.xml';
  const cli = (args: string[]) =>
    runCli(['send', example, '--url', api, '--token', token, ...args], { DATA_DIR: dataDir });

  test('sent twice: answered both times with the same evidence bytes; the second says the id was seen before', () => {
    const out1 = path.join(dataDir, 'send-1');
    const out2 = path.join(dataDir, 'send-2');
    const first = cli(['--out', out1]);
    expect(first.status).toBe(0);
    expect(first.stderr).not.toMatch(/seen before/);
    const second = cli(['--out', out2]);
    expect(second.status).toBe(0);
    expect(second.stderr).toMatch(/was seen before .*answered with the stored answer of the first request/);
    expect(second.stdout).toContain('<query:QueryResponse');
    expect(
      readFileSync(path.join(out2, 'evidence-1.pdf')).equals(readFileSync(path.join(out1, 'evidence-1.pdf'))),
    ).toBe(true);
  }, 120_000);

  test('a transport duplicate (the same MessageId again) prints the answer too', () => {
    const messageId = `${randomUUID()}@cli.sender.invalid`;
    const first = cli(['--out', path.join(dataDir, 'dup-1'), '--message-id', messageId]);
    expect(first.status).toBe(0);
    const again = cli(['--out', path.join(dataDir, 'dup-2'), '--message-id', messageId]);
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/transport duplicate/);
    expect(again.stdout).toContain('<query:QueryResponse');
  }, 120_000);
});
