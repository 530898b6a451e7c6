/**
 * The Domibus WS-plugin mode end to end: an adapter process with CONNECTOR_MODE=domibus-ws and
 * its embedded Domibus stand-in; a request is put in the stand-in's pending inbox as an access
 * point would receive it, the adapter pulls it (destructive retrieve), answers, and submits the
 * answer with submitMessage. Plus the `domibus selftest` command against the same stand-in.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { envelopeFor } from '../../src/cli/send.js';
import { runCli } from '../support/cli.js';
import { deleteKeys, REDIS_URL } from '../support/connector-fixtures.js';
import { startAdapter, type AdapterProcess } from '../support/processes.js';

const prefix = `{e2e-dom-${randomBytes(4).toString('hex')}}`;
const dataDir = mkdtempSync(path.join(tmpdir(), 'oots-e2e-dom-'));
let adapter: AdapterProcess;
/** The WS plugin endpoint (DOMIBUS_WS_URL) and the stand-in's control base. */
let standin: string;
let control: string;
let auth: string;

beforeAll(async () => {
  adapter = await startAdapter({
    REDIS_URL: 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: prefix,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    CONNECTOR_INBOUND_TOKEN: randomBytes(16).toString('hex'),
    HTTP_PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    CONNECTOR_MODE: 'domibus-ws',
    DOMIBUS_PULL_INTERVAL_MS: '200',
  });
  standin = adapter.ready.sandbox.domibus!;
  control = `${new URL(standin).origin}/sandbox/domibus`;
  const password = readFileSync(path.join(dataDir, 'domibus-standin.password'), 'utf8').trim();
  auth = `Basic ${Buffer.from(`oots-adapter:${password}`).toString('base64')}`;
}, 120_000);

afterAll(async () => {
  await adapter?.stop();
  const redis = new Redis(REDIS_URL);
  await deleteKeys(redis, prefix);
  await redis.quit();
}, 60_000);

interface Submission {
  messageId: string;
  action: string;
  conversationId: string;
  payloads: { href: string; mimeType: string; bytes: number }[];
}

test('a request received by Domibus is pulled, answered and submitted back', async () => {
  const xml = readFileSync('examples/requests/lv-birth-certificate-pdf.xml', 'utf8').replace(
    /(<query:QueryRequest\b[^>]*\bid=")urn:uuid:[^"]+"/,
    `$1urn:uuid:${randomUUID()}"`,
  );
  const envelope = envelopeFor(Buffer.from(xml, 'utf8'));
  const put = await fetch(`${control}/inbox`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: auth },
    body: JSON.stringify(envelope),
  });
  expect(put.status).toBe(202);
  const deadline = Date.now() + 30_000;
  let found: Submission | undefined;
  while (found === undefined) {
    const res = await fetch(`${control}/submissions`, { headers: { authorization: auth } });
    const { submissions } = (await res.json()) as { submissions: Submission[] };
    found = submissions.find((s) => s.conversationId === envelope.userMessage.conversationId);
    if (Date.now() > deadline) throw new Error('no submission');
    if (found === undefined) await new Promise((r) => setTimeout(r, 100));
  }
  expect(found.action).toBe('ExecuteQueryResponse');
  expect(found.payloads.map((p) => p.mimeType)).toEqual(['application/x-ebrs+xml', 'application/pdf']);
  // The destructive retrieve emptied the inbox.
  const pending = (await (await fetch(`${control}/pending`, { headers: { authorization: auth } })).json()) as { pending: string[] };
  expect(pending.pending).toEqual([]);
});

test('oots-adapter domibus selftest lists pending messages with the plugin user', () => {
  const password = readFileSync(path.join(dataDir, 'domibus-standin.password'), 'utf8').trim();
  const ok = runCli(['domibus', 'selftest'], { DOMIBUS_WS_URL: standin, DOMIBUS_USER: 'oots-adapter', DOMIBUS_PASSWORD: password });
  expect(ok.status).toBe(0);
  expect(ok.stdout).toMatch(/message\(s\) pending/);
  // The WSDL check (the embedded stand-in serves the official WSDL; the default retrieve mode).
  expect(ok.stdout).toMatch(/\?wsdl: operations needed for DOMIBUS_RETRIEVE_MODE=destructive: all offered/);
  expect(ok.stdout).toMatch(/\?wsdl: retrieveMessageRequest has the markAsDownloaded attribute/);
  const confirm = runCli(['domibus', 'selftest'], { DOMIBUS_WS_URL: standin, DOMIBUS_USER: 'oots-adapter', DOMIBUS_PASSWORD: password, DOMIBUS_RETRIEVE_MODE: 'confirm' });
  expect(confirm.status).toBe(0);
  expect(confirm.stdout).toMatch(/markMessageAsDownloaded/);
  const bad = runCli(['domibus', 'selftest'], { DOMIBUS_WS_URL: standin, DOMIBUS_USER: 'oots-adapter', DOMIBUS_PASSWORD: 'wrong-password' });
  expect(bad.status).toBe(1);
});
