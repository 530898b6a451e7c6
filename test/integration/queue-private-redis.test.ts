import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { parseEnvelope } from '../../src/connector/envelope.js';
import { generateKey } from '../../src/infra/aead.js';
import { checkRedis } from '../../src/infra/redis.js';
import { startPrivateRedis } from '../../src/sandbox/redis.js';
import { createExchangeStore } from '../../src/store/exchange-store.js';
import { requestEnvelope } from '../support/connector-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'oots-private-redis-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('private Redis of the embedded default', () => {
  test('starts with AOF and noeviction, and an accepted message survives a restart', async () => {
    const key = generateKey();
    const env = requestEnvelope();
    const { userMessage, payloads } = parseEnvelope(env);

    const first = await startPrivateRedis({ dir });
    let ref: string;
    const c1 = new Redis(first.url);
    try {
      expect(await c1.ping()).toBe('PONG');
      expect(await checkRedis(c1)).toEqual([]);
      const store = createExchangeStore(c1, { prefix: '{oots}:store:', key, ttlSeconds: 600 });
      ref = (await store.acceptInbound({ userMessage, payloads, receivedAt: '2024-05-01T10:00:00Z' })).exchangeRef;
    } finally {
      await c1.quit();
      await first.stop();
    }

    const second = await startPrivateRedis({ dir });
    const c2 = new Redis(second.url);
    try {
      const store = createExchangeStore(c2, { prefix: '{oots}:store:', key, ttlSeconds: 600 });
      expect((await store.loadInbound(ref))?.userMessage.messageId).toBe(env.userMessage.messageId);
      expect(await store.acceptInbound({ userMessage, payloads, receivedAt: '2024-05-01T10:00:01Z' })).toEqual({
        exchangeRef: ref,
        duplicate: true,
      });
    } finally {
      await c2.quit();
      await second.stop();
    }
  });

  test('a missing redis-server gives an error that says how to install it', async () => {
    await expect(
      startPrivateRedis({ dir: join(dir, 'missing'), command: 'redis-server-not-installed-here' }),
    ).rejects.toMatchObject({
      code: 'ERR_REDIS_UNAVAILABLE',
      message: expect.stringMatching(/apt-get install redis-server/),
    });
  });
});
