import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { luaScript } from '../../src/infra/lua-script.js';
import { createRedisClient } from '../../src/infra/redis.js';
import { parseEnvelope } from '../../src/connector/envelope.js';
import { CryptoError, generateKey } from '../../src/infra/aead.js';
import { createExchangeStore, type InboundMessage } from '../../src/store/exchange-store.js';
import {
  deleteKeys,
  MARKER,
  outboundMessage,
  REDIS_URL,
  requestEnvelope,
  testPrefix,
} from '../support/connector-fixtures.js';

const redis = new Redis(REDIS_URL);
const prefix = testPrefix('store');
const key = generateKey();
const store = createExchangeStore(redis, { prefix, key, ttlSeconds: 600 });

function inbound(messageId?: string): InboundMessage {
  const { userMessage, payloads } = parseEnvelope(requestEnvelope(messageId === undefined ? {} : { messageId }));
  return { userMessage, payloads, receivedAt: '2024-05-01T10:00:00Z' };
}

async function rawValues(): Promise<Buffer[]> {
  const keys = await redis.keys(`${prefix}*`);
  const out: Buffer[] = [];
  for (const k of keys) {
    const type = await redis.type(k);
    if (type === 'string') out.push((await redis.getBuffer(k))!);
    if (type === 'hash') out.push(...Object.values(await redis.hgetallBuffer(k)));
    if (type === 'zset') out.push(...(await redis.zrangeBuffer(k, '0', '-1')));
    out.push(Buffer.from(k));
  }
  return out;
}

afterAll(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
});

describe('exchange store', () => {
  test('accepts a message, loads it back, and recognises its duplicate', async () => {
    const msg = inbound();
    const first = await store.acceptInbound(msg);
    expect(first.duplicate).toBe(false);
    expect(first.exchangeRef).toMatch(/^x[\w-]{20}$/);
    const again = await store.acceptInbound(msg);
    expect(again).toEqual({ exchangeRef: first.exchangeRef, duplicate: true });
    const loaded = await store.loadInbound(first.exchangeRef);
    expect(loaded?.userMessage).toEqual(msg.userMessage);
    expect(Buffer.from(loaded!.payloads[0]!.bytes).toString()).toContain(MARKER);
    expect(await store.getState(first.exchangeRef)).toBe('received');
  });

  test('concurrent deliveries of one MessageId store exactly one exchange', async () => {
    const msg = inbound();
    const before = (await redis.keys(`${prefix}ex:*`)).length;
    const results = await Promise.all(Array.from({ length: 25 }, () => store.acceptInbound(msg)));
    expect(new Set(results.map((r) => r.exchangeRef)).size).toBe(1);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect((await redis.keys(`${prefix}ex:*`)).length).toBe(before + 1);
  });

  test('nothing readable at rest: no marker, no message id, no request content in raw Redis values or keys', async () => {
    const msg = inbound('secret-message-id-1234@requester.example');
    const { exchangeRef } = await store.acceptInbound(msg);
    await store.saveAnswer(exchangeRef, outboundMessage());
    const raw = Buffer.concat(await rawValues());
    expect(raw.includes(Buffer.from(MARKER))).toBe(false);
    expect(raw.includes(Buffer.from('Zvaigzne'))).toBe(false);
    expect(raw.includes(Buffer.from('secret-message-id-1234'))).toBe(false);
    expect(raw.includes(Buffer.from('QueryRequest'))).toBe(false);
  });

  test('a sealed value does not open under another key or after being moved to another exchange', async () => {
    const a = await store.acceptInbound(inbound());
    const b = await store.acceptInbound(inbound());
    const other = createExchangeStore(redis, { prefix, key: generateKey(), ttlSeconds: 600 });
    await expect(other.loadInbound(a.exchangeRef)).rejects.toBeInstanceOf(CryptoError);
    const sealedA = await redis.hgetBuffer(`${prefix}ex:${a.exchangeRef}`, 'in');
    await redis.hset(`${prefix}ex:${b.exchangeRef}`, 'in', sealedA!);
    await expect(store.loadInbound(b.exchangeRef)).rejects.toBeInstanceOf(CryptoError);
  });

  test('answer save/load, states, delivery keeps a tombstone, delivered is final', async () => {
    const { exchangeRef } = await store.acceptInbound(inbound());
    expect(await store.loadOutbound(exchangeRef)).toBeUndefined();
    const out = outboundMessage();
    expect(await store.saveAnswer(exchangeRef, out)).toBe('saved');
    const loaded = await store.loadOutbound(exchangeRef);
    expect(loaded?.regrep).toBe(out.regrep);
    expect(loaded?.userMessage).toEqual(out.userMessage);
    expect(Buffer.from(loaded!.attachments[0]!.bytes).equals(Buffer.from(out.attachments[0]!.bytes))).toBe(true);

    expect(await store.markState(exchangeRef, 'processing')).toBe(true);
    expect(await store.markState(exchangeRef, 'answered')).toBe(true);
    await store.finishDelivered(exchangeRef);
    expect(await store.markState(exchangeRef, 'processing')).toBe(false);
    expect(await store.getState(exchangeRef)).toBe('delivered');

    expect(await store.loadInbound(exchangeRef)).toBeUndefined();
    expect(await store.loadOutbound(exchangeRef)).toBeUndefined();
    const record = await store.getRecord(exchangeRef);
    expect(record).toMatchObject({
      state: 'delivered',
      receivedAt: '2024-05-01T10:00:00Z',
      hasInbound: false,
      hasOutbound: false,
    });
    expect(record?.purgedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await redis.ttl(`${prefix}ex:${exchangeRef}`)).toBeGreaterThan(0);
  });

  test('the one-step worker path: begin, save the answer, open for delivery, finish', async () => {
    const msg = inbound();
    const { exchangeRef } = await store.acceptInbound(msg);
    const begun = await store.beginProcessing(exchangeRef);
    expect(begun?.state).toBe('received');
    expect(begun?.inbound?.userMessage).toEqual(msg.userMessage);
    expect(await store.getState(exchangeRef)).toBe('processing');
    expect(await store.listReceived(-60_000, 1000)).not.toContain(exchangeRef);
    // A retried job resumes from `processing` with the request.
    expect((await store.beginProcessing(exchangeRef))?.state).toBe('processing');

    const out = outboundMessage();
    expect(await store.saveAnswer(exchangeRef, out)).toBe('saved');
    expect(await store.getState(exchangeRef)).toBe('answered');
    // The first answer wins: a second one (a job run that lost its lock, the rescue sweep) changes nothing.
    const other = outboundMessage({ messageId: 'second@adapter.invalid' });
    expect(await store.saveAnswer(exchangeRef, other)).toBe('answered');
    expect((await store.loadOutbound(exchangeRef))?.userMessage.messageId).toBe(out.userMessage.messageId);
    // Answered: begin reports it without the request (the handler only re-queues the delivery).
    expect(await store.beginProcessing(exchangeRef)).toEqual({ state: 'answered', inbound: undefined });

    await redis.expire(`${prefix}ex:${exchangeRef}`, 5);
    const opened = await store.openForDelivery(exchangeRef);
    expect(opened).toMatchObject({ state: 'answered', receivedAt: '2024-05-01T10:00:00Z' });
    expect(opened?.outbound?.regrep).toBe(out.regrep);
    expect(Buffer.from(opened!.outbound!.attachments[0]!.bytes).equals(Buffer.from(out.attachments[0]!.bytes))).toBe(
      true,
    );
    expect(await redis.ttl(`${prefix}ex:${exchangeRef}`)).toBeGreaterThan(500);

    await store.finishDelivered(exchangeRef);
    expect(await store.getRecord(exchangeRef)).toMatchObject({
      state: 'delivered',
      hasInbound: false,
      hasOutbound: false,
    });
    expect(await store.saveAnswer(exchangeRef, out)).toBe('delivered');
    expect(await store.openForDelivery(exchangeRef)).toEqual({
      state: 'delivered',
      receivedAt: '2024-05-01T10:00:00Z',
      outbound: undefined,
    });
    expect(await store.beginProcessing(exchangeRef)).toEqual({ state: 'delivered', inbound: undefined });
  });

  test('the one-step worker path on unknown refs creates nothing', async () => {
    expect(await store.beginProcessing('xNope')).toBeUndefined();
    expect(await store.saveAnswer('xNope', outboundMessage())).toBe('gone');
    expect(await store.openForDelivery('xNope')).toBeUndefined();
    await store.finishDelivered('xNope');
    expect(await redis.exists(`${prefix}ex:xNope`)).toBe(0);
  });

  test('a script Redis does not know yet is loaded on first use, then run by its SHA-1', async () => {
    // A source no server has seen (random comment): the first run meets NOSCRIPT and falls back to EVAL.
    const source = `-- ${randomUUID()}\nreturn {KEYS[1], ARGV[1]}`;
    const script = luaScript(source);
    const sha = createHash('sha1').update(source).digest('hex');
    expect(await redis.script('EXISTS', sha)).toEqual([0]);
    expect(await script.run(redis, [`${prefix}k`], ['a'])).toEqual([`${prefix}k`, 'a']);
    expect(await redis.script('EXISTS', sha)).toEqual([1]);
    expect(await script.runBuffer(redis, [`${prefix}k`], ['b'])).toEqual([Buffer.from(`${prefix}k`), Buffer.from('b')]);
  });

  test('the one-step path on an auto-pipelining client, many exchanges at once (as the worker runs it)', async () => {
    const piped = createRedisClient(REDIS_URL, { autoPipelining: true });
    try {
      const s2 = createExchangeStore(piped, { prefix, key, ttlSeconds: 600 });
      const refs = await Promise.all(
        Array.from({ length: 20 }, async () => (await s2.acceptInbound(inbound())).exchangeRef),
      );
      const begun = await Promise.all(refs.map((r) => s2.beginProcessing(r)));
      expect(begun.every((b) => b?.state === 'received' && b.inbound !== undefined)).toBe(true);
      expect(await Promise.all(refs.map((r) => s2.saveAnswer(r, outboundMessage())))).toEqual(refs.map(() => 'saved'));
      const opened = await Promise.all(refs.map((r) => s2.openForDelivery(r)));
      expect(opened.every((o) => o?.state === 'answered' && o.outbound !== undefined)).toBe(true);
    } finally {
      piped.disconnect();
    }
  });

  test('unknown refs: no state, no resurrection by markState or saveAnswer', async () => {
    expect(await store.getState('xNope')).toBeUndefined();
    expect(await store.getRecord('xNope')).toBeUndefined();
    expect(await store.markState('xNope', 'processing')).toBe(false);
    expect(await store.saveAnswer('xNope', outboundMessage())).toBe('gone');
    expect(await redis.exists(`${prefix}ex:xNope`)).toBe(0);
  });

  test('listReceived lists exchanges still waiting in `received`, for the recovery sweep', async () => {
    let clock = new Date('2030-01-01T00:00:00Z');
    const p2 = testPrefix('store-sweep');
    const s2 = createExchangeStore(redis, { prefix: p2, key, ttlSeconds: 600, now: () => clock });
    try {
      const a = await s2.acceptInbound(inbound());
      const b = await s2.acceptInbound(inbound());
      clock = new Date('2030-01-01T00:01:00Z');
      await s2.markState(b.exchangeRef, 'processing');
      expect(await s2.listReceived(30_000, 10)).toEqual([a.exchangeRef]);
      expect(await s2.listReceived(120_000, 10)).toEqual([]);
    } finally {
      await deleteKeys(redis, p2);
    }
  });
});
