import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Redis } from 'ioredis';
import { createInboundRouter, INBOUND_PATH } from '../../src/connector/rest-inbound.js';
import { createRestSubmitter } from '../../src/connector/rest-outbound.js';
import { generateKey } from '../../src/infra/aead.js';
import type { AdapterError } from '../../src/errors.js';
import { createLogger } from '../../src/infra/logger.js';
import { createQueues, type Queues } from '../../src/queue/queues.js';
import { createConnectorStandin, STANDIN_INBOX_PATH } from '../../src/sandbox/connector-standin.js';
import { createExchangeStore } from '../../src/store/exchange-store.js';
import { deleteKeys, outboundMessage, REDIS_URL, requestEnvelope, testPrefix } from '../support/connector-fixtures.js';

const TOKEN = 'inbound-token-0123456789abcdef';
const OUT_TOKEN = 'outbound-token-0123456789abcdef';
const logger = createLogger('silent');
const redis = new Redis(REDIS_URL);
const prefix = testPrefix('conn');
const store = createExchangeStore(redis, { prefix: `${prefix}store:`, key: generateKey(), ttlSeconds: 600 });
let queues: Queues;
let server: Server;
let base = '';

beforeAll(async () => {
  queues = createQueues({
    connection: { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null },
    prefix: prefix.slice(0, -1),
    logger,
  });
  const app = express();
  app.use(createInboundRouter({ store, queues, token: TOKEN, maxBodyBytes: 64 * 1024, logger }));
  app.use(createConnectorStandin({ redis, prefix: `${prefix}standin:`, token: OUT_TOKEN }));
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await queues.close(1000);
  await deleteKeys(redis, prefix);
  await redis.quit();
});

function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}${INBOUND_PATH}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('inbound REST connector', () => {
  test('202 after store and enqueue; a duplicate gets the same 202 and no second job or exchange', async () => {
    const env = requestEnvelope({ withPdf: true });
    const before = (await queues.counts()).process.waiting;
    const r1 = await post(env);
    expect(r1.status).toBe(202);
    expect(await r1.json()).toEqual({ status: 'accepted', messageId: env.userMessage.messageId, delivery: 'new' });
    const r2 = await post(env);
    expect(r2.status).toBe(202);
    expect(await r2.json()).toEqual({ status: 'accepted', messageId: env.userMessage.messageId, delivery: 'duplicate' });
    expect((await queues.counts()).process.waiting).toBe(before + 1);
    expect(await redis.keys(`${prefix}store:ex:*`)).toHaveLength(1);
  });

  test('401 without or with a wrong token', async () => {
    const env = requestEnvelope();
    const none = await fetch(`${base}${INBOUND_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(env),
    });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(none.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await post(env, { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect((await post(env, { authorization: TOKEN })).status).toBe(401);
  });

  test('415 for a body that is not JSON', async () => {
    const r = await post('<xml/>', { 'content-type': 'application/xml' });
    expect(r.status).toBe(415);
    expect((await r.json()).status).toBe(415);
  });

  test('400 problem+json naming each bad field; 400 for broken JSON', async () => {
    const env = requestEnvelope() as unknown as {
      userMessage: Record<string, unknown>;
      payloads: Record<string, unknown>[];
    };
    delete env.userMessage.conversationId;
    env.userMessage.action = 'ExecuteQueryResponse';
    const r = await post(env);
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const body = await r.json();
    expect(body.problems.map((p: { field: string }) => p.field)).toContain('/userMessage/conversationId');
    const r2 = await post({
      ...requestEnvelope(),
      userMessage: { ...requestEnvelope().userMessage, action: 'ExecuteQueryResponse' },
    });
    expect((await r2.json()).problems).toEqual([
      { field: '/userMessage/action', message: 'must be ExecuteQueryRequest' },
    ]);
    const noRegrep = requestEnvelope();
    noRegrep.payloads[0]!.mimeType = 'application/xml';
    expect((await (await post(noRegrep)).json()).problems[0].field).toBe('/payloads');
    const broken = await post('{"userMessage": ');
    expect(broken.status).toBe(400);
    expect(JSON.stringify(await broken.json())).not.toMatch(/at JSON\.parse|\n\s+at /);
  });

  test('413 for a body over the limit', async () => {
    const env = requestEnvelope();
    env.payloads.push({
      href: 'cid:big@x',
      mimeType: 'application/pdf',
      contentBase64: Buffer.alloc(100 * 1024).toString('base64'),
    });
    const r = await post(env);
    expect(r.status).toBe(413);
    expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });
});

describe('outbound REST submitter against the connector stand-in', () => {
  const inbox = () => `${base}${STANDIN_INBOX_PATH}`;

  test('refused twice (503), accepted the third time, recorded once, listed with its request id', async () => {
    const submitter = createRestSubmitter({ url: inbox(), token: OUT_TOKEN, timeoutMs: 5000 });
    const faults = await fetch(`${base}/sandbox/connector/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refuseNext: 2, status: 503 }),
    });
    expect(await faults.json()).toEqual({ refuseNext: 2, status: 503 });
    const msg = outboundMessage({ requestId: 'urn:uuid:aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa' });
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      try {
        await submitter.submit('xOut', msg);
        outcomes.push('accepted');
        break;
      } catch (e) {
        outcomes.push((e as AdapterError).code);
      }
    }
    expect(outcomes).toEqual(['ERR_CONNECTOR_UNAVAILABLE', 'ERR_CONNECTOR_UNAVAILABLE', 'accepted']);
    const list = await (
      await fetch(`${base}/sandbox/connector/outbox?requestId=urn:uuid:aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa`)
    ).json();
    expect(list.messages).toHaveLength(1);
    expect(list.messages[0]).toMatchObject({
      messageId: msg.userMessage.messageId,
      conversationId: 'conv-1',
      action: 'ExecuteQueryResponse',
      status: 'Success',
      payloads: [
        { href: 'cid:resp@lv.oots.example', mimeType: 'application/x-ebrs+xml' },
        { href: 'cid:ev1@lv.oots.example', mimeType: 'application/pdf', bytes: msg.attachments[0]!.bytes.byteLength },
      ],
    });
    const full = await (
      await fetch(`${base}/sandbox/connector/outbox/${encodeURIComponent(msg.userMessage.messageId)}`)
    ).json();
    expect(Buffer.from(full.payloads[0].contentBase64, 'base64').toString()).toBe(msg.regrep);
  });

  test('4xx other than 408/429 is a refusal for good; 429 is retryable; the stand-in checks the token', async () => {
    const wrongToken = createRestSubmitter({ url: inbox(), token: 'nope-nope-nope-nope', timeoutMs: 5000 });
    await expect(wrongToken.submit('xOut', outboundMessage())).rejects.toMatchObject({ code: 'ERR_CONNECTOR_REFUSED' });
    await fetch(`${base}/sandbox/connector/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refuseNext: 1, status: 429 }),
    });
    const submitter = createRestSubmitter({ url: inbox(), token: OUT_TOKEN, timeoutMs: 5000 });
    await expect(submitter.submit('xOut', outboundMessage())).rejects.toMatchObject({
      code: 'ERR_CONNECTOR_UNAVAILABLE',
    });
    const dead = createRestSubmitter({ url: 'http://127.0.0.1:1/nowhere', timeoutMs: 2000 });
    await expect(dead.submit('xOut', outboundMessage())).rejects.toMatchObject({ code: 'ERR_CONNECTOR_UNAVAILABLE' });
  });

  test('DELETE clears the outbox; unknown messages are 404', async () => {
    expect((await fetch(`${base}/sandbox/connector/outbox`, { method: 'DELETE' })).status).toBe(204);
    expect((await (await fetch(`${base}/sandbox/connector/outbox`)).json()).messages).toEqual([]);
    expect((await fetch(`${base}/sandbox/connector/outbox/unknown@x`)).status).toBe(404);
  });
});

describe('outbound REST submitter: the HTTP exchange', () => {
  // A bare loopback server: what it is sent, how many connections it sees, and how it answers.
  const seen: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  let connections = 0;
  let answer: (res: http.ServerResponse) => void = (res) => res.writeHead(202).end();
  let peer: Server;
  let url = '';
  beforeAll(async () => {
    peer = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        seen.push({ headers: req.headers, body });
        answer(res);
      });
    });
    peer.on('connection', () => connections++);
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(peer.address() as AddressInfo).port}/in`;
  });
  afterAll(async () => {
    peer.closeAllConnections();
    await new Promise((resolve) => peer.close(resolve));
  });

  test('sends the envelope with token and Idempotency-Key, and keeps one connection for many answers', async () => {
    seen.length = 0;
    connections = 0;
    answer = (res) => res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":true}');
    const submitter = createRestSubmitter({ url, token: OUT_TOKEN, timeoutMs: 5000 });
    const msg = outboundMessage();
    for (let i = 0; i < 5; i++) await submitter.submit('xOut', msg);
    submitter.close?.();
    expect(seen).toHaveLength(5);
    expect(seen[0]!.headers).toMatchObject({
      authorization: `Bearer ${OUT_TOKEN}`,
      'idempotency-key': msg.userMessage.messageId,
      'content-type': 'application/json',
    });
    expect(JSON.parse(seen[0]!.body)).toMatchObject({ userMessage: { messageId: msg.userMessage.messageId } });
    expect(connections).toBe(1);
  });

  test('a refusal carries the start of the connector answer; no token means no Authorization header', async () => {
    seen.length = 0;
    answer = (res) => res.writeHead(400, { 'content-type': 'application/problem+json' }).end(`{"title":"bad ${'x'.repeat(1000)}"}`);
    const submitter = createRestSubmitter({ url, timeoutMs: 5000 });
    const error = await submitter.submit('xOut', outboundMessage()).catch((e: unknown) => e as AdapterError);
    submitter.close?.();
    expect(error).toMatchObject({ code: 'ERR_CONNECTOR_REFUSED' });
    expect((error as AdapterError).message).toContain('HTTP 400 for xOut: {"title":"bad xxx');
    expect((error as AdapterError).message.length).toBeLessThan(400);
    expect(seen[0]!.headers.authorization).toBeUndefined();
  });

  test('a connector that does not answer in time is unavailable (retried), not refused', async () => {
    answer = () => undefined; // never answers
    const submitter = createRestSubmitter({ url, timeoutMs: 300 });
    await expect(submitter.submit('xOut', outboundMessage())).rejects.toMatchObject({
      code: 'ERR_CONNECTOR_UNAVAILABLE',
      message: expect.stringContaining('no answer within 300 ms') as unknown,
    });
    submitter.close?.();
  });
});
