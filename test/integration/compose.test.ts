/**
 * The composition by role, in-process against the real Redis (a QUEUE_PREFIX of its own per
 * test): each role starts, answers its probes, a request goes through api and worker to the
 * connector stand-in, and stop() leaves nothing open (jest --detectOpenHandles).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { ConfigError, loadConfig } from '../../src/config.js';
import { generateKey } from '../../src/infra/aead.js';
import { createLogger } from '../../src/infra/logger.js';
import { start, type Running } from '../../src/main.js';
import { deleteKeys, REDIS_URL, requestEnvelope } from '../support/connector-fixtures.js';

const TOKEN = 'compose-inbound-token-0123456789';
const logger = createLogger('silent');
const redis = new Redis(REDIS_URL);
const dataDir = mkdtempSync(path.join(tmpdir(), 'oots-compose-'));
const prefixes: string[] = [];
const running: Running[] = [];

function env(extra: Record<string, string> = {}): Record<string, string> {
  const prefix = `{test-compose-${Math.random().toString(16).slice(2, 10)}}`;
  prefixes.push(prefix);
  return {
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    ENCRYPTION_KEY: generateKey().toString('base64'),
    CONNECTOR_INBOUND_TOKEN: TOKEN,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    DATA_DIR: dataDir,
    PARSE_THREADS: '1',
    WORKER_CONCURRENCY: '2',
    // The test process must not renice itself.
    WORKER_NICENESS: '0',
    ...extra,
  };
}

async function run(config: ReturnType<typeof loadConfig>, role?: Running['role']): Promise<Running> {
  const r = await start(config, { logger, ...(role === undefined ? {} : { role }) });
  running.push(r);
  return r;
}

async function stop(r: Running): Promise<void> {
  running.splice(running.indexOf(r), 1);
  await r.stop();
}

afterAll(async () => {
  for (const r of running) await r.stop();
  for (const prefix of prefixes) await deleteKeys(redis, prefix);
  await redis.quit();
  rmSync(dataDir, { recursive: true, force: true });
});

async function get(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body };
}

/** Posts a request to the intake and waits for its answer in the connector stand-in's outbox. */
async function roundTrip(api: string, outboxBase: string): Promise<unknown> {
  const envelope = requestEnvelope();
  const res = await fetch(`${api}/connector/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(envelope),
  });
  expect(res.status).toBe(202);
  await res.arrayBuffer();
  const conversationId = envelope.userMessage.conversationId;
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    const { body } = await get(`${outboxBase}/sandbox/connector/outbox?conversationId=${conversationId}`);
    const messages = (body as { messages?: unknown[] }).messages ?? [];
    if (messages.length > 0) return messages[0];
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no answer for conversation ${conversationId} in the stand-in's outbox`);
}

describe('composition by role', () => {
  test('role all: probes answer, a request reaches the connector stand-in, stop closes the server', async () => {
    const r = await run(loadConfig(env()));
    expect(r.role).toBe('all');
    expect(r.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // The stand-ins this configuration leaves to the process: DAGR sandbox, identity provider, connector.
    expect(r.sandbox.dagr).toBeDefined();
    expect(r.sandbox.idp).toBeDefined();
    expect(r.sandbox.connector).toBe(`${r.url}/sandbox/connector`);
    expect(r.sandbox.redis).toBeUndefined();
    expect((await get(`${r.url}/healthz`)).status).toBe(200);
    const ready = await get(`${r.url}/readyz`);
    expect(ready.status).toBe(200);
    // The connector check probes the stand-in at the address known only once the server listens.
    expect((ready.body as { checks: Record<string, { status: string }> }).checks.connector?.status).toBe('ok');
    expect(await roundTrip(r.url!, r.url!)).toBeDefined();
    await stop(r);
    await expect(fetch(`${r.url}/healthz`)).rejects.toThrow();
  });

  test('roles api and worker in two compositions share the work through Redis', async () => {
    const apiEnv = env({ RATE_LIMIT_VALIDATE_PER_MINUTE: '1' });
    const api = await run(loadConfig(apiEnv), 'api');
    expect(api.sandbox.dagr).toBeUndefined();
    expect((await get(`${api.url}/healthz`)).status).toBe(200);
    // The configured budget of a human-facing route (one validation a minute here).
    const validate = async (): Promise<number> => {
      const res = await fetch(`${api.url}/edm/validate`, {
        method: 'POST',
        headers: { 'content-type': 'application/xml' },
        body: '<x/>',
      });
      await res.arrayBuffer();
      return res.status;
    };
    expect(await validate()).not.toBe(429);
    expect(await validate()).toBe(429);
    const worker = await run(
      loadConfig({
        ...apiEnv,
        ADAPTER_ROLE: 'worker',
        CONNECTOR_OUTBOUND_URL: `${api.url}/sandbox/connector/inbox`,
      }),
    );
    expect(worker.role).toBe('worker');
    expect(worker.url).toBeUndefined();
    // The worker serves only probes and metrics: no intake.
    expect(await roundTrip(api.url!, api.url!)).toBeDefined();
    await stop(worker);
    await stop(api);
  });

  test('the embedded default: no REDIS_URL starts a private Redis and generates the local secrets', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'oots-compose-embedded-'));
    try {
      const config = loadConfig(
        { HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', DATA_DIR: dir, PARSE_THREADS: '1' },
        { start: {} },
      );
      const r = await run(config);
      expect(r.sandbox.redis).toMatch(/^redis:\/\//);
      expect((await get(`${r.url}/healthz`)).status).toBe(200);
      // The admin pages are on with the generated credentials.
      expect((await get(`${r.url}/admin`)).status).toBe(401);
      await stop(r);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the app is built before it listens: the first request after listen meets every route', async () => {
    // Each server of this process, once listening, is probed before its listen callback runs: the
    // composition cannot go on mounting routes before the probe has its answer. (The stand-ins'
    // servers are probed too; only the adapter's own port is checked below.)
    const firstAnswers = new Map<number, number>();
    const probe = (port: number): Promise<number> =>
      new Promise<number>((resolve) => {
        const req = http.request({ host: '127.0.0.1', port, path: '/connector/messages', method: 'POST' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', () => resolve(0));
        req.end();
      });
    // Put back as it was, unbound, after the start.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const listen = net.Server.prototype.listen;
    net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
      const last = args.length - 1;
      const callback = args[last];
      if (typeof callback === 'function')
        args[last] = () => {
          const address = this.address();
          const port = typeof address === 'object' && address !== null ? address.port : 0;
          void probe(port).then((status) => {
            firstAnswers.set(port, status);
            (callback as () => void)();
          });
        };
      return listen.apply(this, args as Parameters<typeof listen>);
    } as typeof listen;
    let r: Running;
    try {
      r = await run(loadConfig(env()));
    } finally {
      net.Server.prototype.listen = listen;
    }
    // The intake was mounted: no token is 401, not the 404 of an app still being put together.
    expect(firstAnswers.get(Number(new URL(r.url!).port))).toBe(401);
    await stop(r);
  });

  test('a role the configuration cannot run is refused with a configuration error before anything starts', async () => {
    const config = loadConfig(env({ REDIS_URL: '' }));
    await expect(start(config, { logger, role: 'worker' })).rejects.toThrow(ConfigError);
    await expect(start(config, { logger, role: 'api' })).rejects.toThrow(/role api needs REDIS_URL/);
  });
});
