/**
 * REDIS_DURABILITY=replica with no replica answering (the shared test Redis has none): the
 * confirmation runs on a connection of its own, so the shared connection keeps answering while a
 * WAIT is pending; the unconfirmed intake gets a 503 with Retry-After; the writer then refuses at
 * once (no second wait in line); readiness says why; the api's intake connections close cleanly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { Redis } from 'ioredis';
import { envelopeFor } from '../../src/cli/send.js';
import { createInboundRouter } from '../../src/connector/rest-inbound.js';
import { generateKey } from '../../src/infra/aead.js';
import { AdapterError } from '../../src/errors.js';
import { parseEnvelope } from '../../src/connector/envelope.js';
import { createLogger } from '../../src/infra/logger.js';
import { readiness } from '../../src/ops/health.js';
import { openDurability, openIntake } from '../../src/compose/redis-roles.js';
import { createDurableWriter } from '../../src/store/durable-write.js';
import { createExchangeStore } from '../../src/store/exchange-store.js';
import { createRequestLedger } from '../../src/store/request-ledger.js';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/connector-fixtures.js';
import { exampleRequest } from '../support/exchange-fixtures.js';
import { startAdapter } from '../support/processes.js';
import { postEnvelope, stressEnv } from '../support/stress-harness.js';

const logger = createLogger('silent');
const TOKEN = 'durability-test-token-0123456789';
const prefix = testPrefix('durability');
const shared = new Redis(REDIS_URL, { enableAutoPipelining: true });
const own = new Redis(REDIS_URL);

afterAll(async () => {
  await deleteKeys(shared, prefix.slice(0, -1));
  await Promise.all([shared.quit(), own.quit()]);
});

const inbound = () => {
  const { userMessage, payloads } = parseEnvelope(envelopeFor(Buffer.from(exampleRequest('lv-birth-certificate-pdf'))));
  return {
    userMessage: { ...userMessage, messageId: `${crypto.randomUUID()}@requester.invalid` },
    payloads,
    receivedAt: new Date().toISOString(),
  };
};

describe('replica durability without a replica', () => {
  test('a request-ledger completion is confirmed like the stored answer it follows (unconfirmed: refused)', async () => {
    const ledger = createRequestLedger(shared, {
      prefix: `${prefix}ledger:`,
      key: generateKey(),
      replayTtlSeconds: 60,
      pendingTtlSeconds: 60,
      durableWriter: createDurableWriter({ client: own, mode: 'replica', timeoutMs: 200 }),
    });
    const key = { requester: 'AP|DE', requestId: `urn:uuid:${crypto.randomUUID()}`, canonical: '<x/>' };
    expect((await ledger.claim(key, 'xOwner')).kind).toBe('first');
    await expect(ledger.complete(key, 'xOwner', undefined)).rejects.toMatchObject({ code: 'ERR_REDIS_UNAVAILABLE' });
  });

  test('the WAIT runs on its own connection: the shared one answers meanwhile; then writes are refused at once', async () => {
    const writer = createDurableWriter({ client: own, mode: 'replica', timeoutMs: 300 });
    const store = createExchangeStore(shared, {
      prefix: `${prefix}a:`,
      key: generateKey(),
      ttlSeconds: 60,
      durableWriter: writer,
    });
    const order: string[] = [];
    const accepting = store.acceptInbound(inbound()).then(
      () => order.push('accepted'),
      (e: unknown) => order.push(e instanceof AdapterError ? `refused ${e.code}` : 'other error'),
    );
    // Sent after the accept, on the store's shared connection: answered while the WAIT is pending.
    await shared.ping().then(() => order.push('ping'));
    await accepting;
    expect(order).toEqual(['ping', 'refused ERR_REDIS_UNAVAILABLE']);
    expect(writer.refusing()).toMatch(/did not confirm the write on a replica \(WAIT\) within 300 ms/);
    // Refused without writing and without waiting: no WAIT reaches Redis (the stored count stays).
    const before = Number(/total_commands_processed:(\d+)/.exec(await own.info('stats'))![1]);
    await expect(store.acceptInbound(inbound())).rejects.toThrow(/refusing writes for now/);
    const after = Number(/total_commands_processed:(\d+)/.exec(await own.info('stats'))![1]);
    expect(after - before).toBe(1); // only the INFO itself
  });

  test('intake answers 503 with Retry-After, /readyz says why, and the connections close', async () => {
    const durability = openDurability(
      REDIS_URL,
      { url: REDIS_URL, durability: 'replica', durabilityTimeoutMs: 200 },
      'api',
    );
    const intake = openIntake(
      REDIS_URL,
      'api',
      `${prefix}b`,
      logger,
      { prefix: `${prefix}b:store:`, key: generateKey(), ttlSeconds: 60 },
      durability,
    );
    const app = express();
    app.use(
      createInboundRouter({ store: intake.store, queues: intake.queues, token: TOKEN, maxBodyBytes: 1 << 20, logger }),
    );
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const address = server.address();
      const api = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
      const ready = await readiness([durability.check!]);
      expect(ready.status).toBe('not-ready');
      expect(ready.checks['redis-durability']!.detail).toMatch(/no connected replica: intake answers 503/);
      const e = envelopeFor(Buffer.from(exampleRequest('lv-birth-certificate-pdf')));
      const res = await fetch(`${api}/connector/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(e),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).not.toBeNull();
      // The next one is refused without a wait (the writer's cool-down), still a 503.
      expect((await postEnvelope(api, TOKEN, e)).status).toBe(503);
      const after = await readiness([durability.check!]);
      expect(after.checks['redis-durability']!.detail).toMatch(/REDIS_DURABILITY=replica: Redis did not confirm/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await intake.close();
      await durability.close();
    }
  });

  test('an api process in replica mode without a replica: 503 with Retry-After, /readyz says why, SIGTERM ends it cleanly', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'oots-durability-'));
    const api = await startAdapter(
      {
        ...stressEnv({
          redisUrl: REDIS_URL,
          prefix: `${prefix.slice(0, -1)}c`,
          token: TOKEN,
          key: generateKey().toString('base64'),
          dataDir,
        }),
        REDIS_DURABILITY: 'replica',
      },
      ['--role', 'api'],
    );
    try {
      const url = api.ready.api!;
      const res = await fetch(`${url}/connector/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(envelopeFor(Buffer.from(exampleRequest('lv-birth-certificate-pdf')))),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).not.toBeNull();
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { checks: Record<string, { detail?: string }> };
      expect(body.checks['redis-durability']!.detail).toMatch(/REDIS_DURABILITY=replica/);
      // A clean exit on SIGTERM (the harness would SIGKILL after 20 s, giving no exit code).
      expect(await api.stop('SIGTERM')).toBe(0);
    } finally {
      await api.stop('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
