/**
 * Several evidences per request, through the real processes: an `all` adapter process (DAGR
 * sandbox, connector stand-in) on the real Redis; the requests are posted as the connector posts
 * them and the answers read from the stand-in's outbox. Kristaps Liepiņš (140685-10355) holds two
 * diplomas in the sandbox: a v2.0 request for XML with a human-readable version gets two main
 * evidences, each with its PDF associated; the same request in v1.2 gets two evidences. Both
 * answers pass our response rules.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { envelopeFor } from '../../src/cli/send.js';
import type { RestEnvelope } from '../../src/connector/envelope.js';
import { validateMessage } from '../../src/edm/validate.js';
import type { EdmXsdValidator } from '../../src/edm/xsd.js';
import { loadEdmXsdValidator } from '../../src/resources/edm-xsd.js';
import type { OutboxSummary } from '../../src/sandbox/connector-standin.js';
import { deleteKeys, REDIS_URL } from '../support/connector-fixtures.js';
import { startAdapter, type AdapterProcess } from '../support/processes.js';

const prefix = `{e2e-several-${randomBytes(4).toString('hex')}}`;
const token = randomBytes(16).toString('hex');
const env = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  QUEUE_PREFIX: prefix,
  ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  CONNECTOR_INBOUND_TOKEN: token,
  HTTP_PORT: '0',
  DATA_DIR: mkdtempSync(path.join(tmpdir(), 'oots-e2e-several-')),
  LOG_LEVEL: 'info',
};

let all: AdapterProcess;
let api: string;
let xsd: EdmXsdValidator;

beforeAll(async () => {
  xsd = loadEdmXsdValidator();
  all = await startAdapter(env, ['--role', 'all']);
  api = all.ready.api!;
}, 120_000);

afterAll(async () => {
  await all?.stop();
  xsd?.dispose();
  const redis = new Redis(REDIS_URL);
  await deleteKeys(redis, prefix);
  await redis.quit();
}, 60_000);

const example = (name: string): string =>
  readFileSync(path.join('examples/requests', `${name}.xml`), 'utf8').replace(
    /(<query:QueryRequest\b[^>]*\bid=")urn:uuid:[^"]+"/,
    `$1urn:uuid:${randomUUID()}"`,
  );

async function exchange(xml: string): Promise<{ envelope: RestEnvelope; regrep: string; summary: OutboxSummary }> {
  const request = envelopeFor(Buffer.from(xml, 'utf8'));
  const res = await fetch(`${api}/connector/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(request),
  });
  expect(res.status).toBe(202);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const out = await fetch(
      `${api}/sandbox/connector/outbox?conversationId=${encodeURIComponent(request.userMessage.conversationId)}`,
    );
    const { messages } = (await out.json()) as { messages: OutboxSummary[] };
    if (messages.length > 0) {
      const envelope = (await (
        await fetch(`${api}/sandbox/connector/outbox/${encodeURIComponent(messages[0]!.messageId)}`)
      ).json()) as RestEnvelope;
      const regrep = Buffer.from(envelope.payloads[0]!.contentBase64, 'base64').toString('utf8');
      // Every answer is judged by the response rules of its version (and the XSD where one exists).
      const report = validateMessage(regrep, { xsd });
      expect(report.errors).toEqual([]);
      expect(report.valid).toBe(true);
      return { envelope, regrep, summary: messages[0]! };
    }
    if (Date.now() > deadline) throw new Error('no answer');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const text = (p: RestEnvelope['payloads'][number]): string => Buffer.from(p.contentBase64, 'base64').toString('utf8');

test('v2.0, XML with a human-readable version: two main evidences, each with its PDF associated', async () => {
  const { envelope, regrep, summary } = await exchange(example('lv-higher-education-diplomas-v2.0'));
  expect(summary).toMatchObject({ action: 'ExecuteQueryResponse', status: 'Success' });
  const parts = envelope.payloads.slice(1);
  expect(parts.map((p) => p.mimeType)).toEqual([
    'application/xml',
    'application/pdf',
    'application/xml',
    'application/pdf',
  ]);
  expect(text(parts[0]!)).toContain('B 0047211');
  expect(text(parts[2]!)).toContain('MD 0020318');
  for (const pdf of [parts[1]!, parts[3]!]) expect(text(pdf).startsWith('%PDF-')).toBe(true);
  for (const p of parts) expect(regrep).toContain(`xlink:href="${p.href}"`);
  expect(regrep.match(/classificationNode="MainEvidence"/g)).toHaveLength(2);
  expect(regrep.match(/classificationNode="HumanReadableVersion"/g)).toHaveLength(2);
  // Each association goes from a PDF to the main evidence written just before it.
  const ids = [...regrep.matchAll(/xsi:type="rim:ExtrinsicObjectType" id="([^"]+)"/g)].map((m) => m[1]);
  const links = [...regrep.matchAll(/sourceObject="([^"]+)" targetObject="([^"]+)"/g)].map((m) => [m[1], m[2]]);
  expect(links).toEqual([
    [ids[1], ids[0]],
    [ids[3], ids[2]],
  ]);
});

test('the same request in v1.2: two evidences in a flat list', async () => {
  const { envelope, regrep, summary } = await exchange(example('lv-higher-education-diplomas-v1.2'));
  expect(summary).toMatchObject({ action: 'ExecuteQueryResponse', status: 'Success' });
  expect(envelope.payloads.slice(1).map((p) => p.mimeType)).toEqual(['application/xml', 'application/xml']);
  expect(regrep).toContain('oots-edm:v1.2');
  expect(regrep).not.toContain('RegistryPackageType');
  expect(regrep.match(/xsi:type="rim:ExtrinsicObjectType"/g)).toHaveLength(2);
});

test('the logs hold no personal code, name or diploma of these exchanges', () => {
  const logs = all.raw.join('\n');
  for (const secret of ['14068510355', '140685-10355', 'Liepiņš', 'Kristaps', 'B 0047211', 'MD 0020318']) {
    expect([secret, logs.includes(secret)]).toEqual([secret, false]);
  }
});
