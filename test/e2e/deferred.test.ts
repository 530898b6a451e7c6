/**
 * A deferred answer end to end, through a real adapter process (`all`: intake, workers and sweeps,
 * the embedded DAGR sandbox and the REST connector stand-in) on the real Redis: the request for
 * the person whose record is being prepared gets status Unavailable first, then the evidence at
 * the announced time, each once, under two MessageIds; both checked with the XSD, our rules and
 * the official Schematron.
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
import { runOfficial } from '../support/schematron.js';

const prefix = `{e2e-${randomBytes(4).toString('hex')}}`;
const dataDir = mkdtempSync(path.join(tmpdir(), 'oots-e2e-deferred-'));
const token = randomBytes(16).toString('hex');
const env = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  QUEUE_PREFIX: prefix,
  ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  CONNECTOR_INBOUND_TOKEN: token,
  HTTP_PORT: '0',
  DATA_DIR: dataDir,
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

async function outbox(conversationId: string): Promise<OutboxSummary[]> {
  const res = await fetch(`${api}/sandbox/connector/outbox?conversationId=${encodeURIComponent(conversationId)}`);
  // The stand-in lists newest first: oldest first here, in the order they were sent.
  return ((await res.json()) as { messages: OutboxSummary[] }).messages.reverse();
}

async function regrepOf(summary: OutboxSummary): Promise<string> {
  const res = await fetch(`${api}/sandbox/connector/outbox/${encodeURIComponent(summary.messageId)}`);
  const envelope = (await res.json()) as RestEnvelope;
  return Buffer.from(envelope.payloads[0]!.contentBase64, 'base64').toString('utf8');
}

function expectClean(regrep: string): void {
  expect(validateMessage(regrep, { xsd }).errors).toEqual([]);
  // C017/C022/C042: the snapshot's SR host and cid pattern (notes §8).
  const ignored = ['R-EDM-RESP-C017', 'R-EDM-RESP-C022', 'R-EDM-RESP-C042'];
  expect(runOfficial('RESP', regrep).filter((f) => f.role === 'error' && !ignored.includes(f.id ?? ''))).toEqual([]);
}

const REQUEST = readFileSync(path.join('examples/requests', 'lv-birth-certificate-pdf.xml'), 'utf8')
  .replace(/(<query:QueryRequest\b[^>]*\bid=")urn:uuid:[^"]+"/, `$1urn:uuid:${randomUUID()}"`)
  .replace('LV/DE/12048814731', 'LV/DE/06068514508')
  .replace('<sdg:FamilyName>Bērziņa</sdg:FamilyName>', '<sdg:FamilyName>Gaidis</sdg:FamilyName>')
  .replace('<sdg:GivenName>Anna</sdg:GivenName>', '<sdg:GivenName>Kārlis</sdg:GivenName>')
  .replace('<sdg:DateOfBirth>1988-04-12</sdg:DateOfBirth>', '<sdg:DateOfBirth>1985-06-06</sdg:DateOfBirth>');

test('Unavailable first, then the evidence at the announced time, once', async () => {
  const envelope = envelopeFor(Buffer.from(REQUEST, 'utf8'));
  const conversation = envelope.userMessage.conversationId;
  const res = await fetch(`${api}/connector/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(envelope),
  });
  expect(res.status).toBe(202);

  const until = async (n: number): Promise<OutboxSummary[]> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const got = await outbox(conversation);
      if (got.length >= n) return got;
      if (Date.now() > deadline) throw new Error(`expected ${n} messages, got ${got.length}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const [first] = await until(1);
  const notice = await regrepOf(first!);
  const firstSeen = Date.now();
  expect(notice).toContain('status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Unavailable"');
  const announced = /name="ResponseAvailableDateTime">\s*<rim:SlotValue[^>]*>\s*<rim:Value>([^<]+)</.exec(notice)?.[1];
  expect(announced).toBeDefined();
  expectClean(notice);

  const messages = await until(2);
  const answer = await regrepOf(messages[1]!);
  // Not before the announced time (the sandbox's 2 s preparation), and soon after it.
  expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(announced!) - 1000);
  expect(Date.now() - firstSeen).toBeLessThan(20_000);
  expect(answer).toContain('status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"');
  expect(answer).toMatch(/<rim:RepositoryItemRef\b/);
  expectClean(answer);
  expect(messages[1]!.messageId).not.toBe(messages[0]!.messageId);
  expect(messages.map((m) => m.status)).toEqual(['Unavailable', 'Success']);

  // Nothing more for this exchange.
  await new Promise((r) => setTimeout(r, 3000));
  expect(await outbox(conversation)).toHaveLength(2);
}, 90_000);
