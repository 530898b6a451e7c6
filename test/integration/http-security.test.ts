/**
 * src/http/security.ts over real HTTP: the headers helmet sends with our CSP, and a rate limit
 * whose budget two limiter instances (two "api processes", two Redis connections) share.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { buildApp } from '../../src/http/app.js';
import { cspDirectives, rateLimit, securityHeaders } from '../../src/http/security.js';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/connector-fixtures.js';

const servers: Server[] = [];
const clients: Redis[] = [];
const prefix = testPrefix('http-security');

async function serve(app: express.Express): Promise<string> {
  const server = createServer(app);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterAll(async () => {
  for (const s of servers) {
    await new Promise((r) => s.close(r));
    s.closeAllConnections();
  }
  const redis = new Redis(REDIS_URL);
  await deleteKeys(redis, prefix);
  await redis.quit();
  for (const c of clients) await c.quit().catch(() => c.disconnect());
});

describe('securityHeaders', () => {
  test('a strict CSP for HTML pages, plus the return origins in form-action', async () => {
    const app = express();
    app.use(securityHeaders({ formActionOrigins: ['https://portal.example'] }));
    app.get('/page', (_req, res) => res.type('html').send('<p>hi</p>'));
    const res = await fetch(`${await serve(app)}/page`);
    expect(res.headers.get('content-security-policy')).toBe(
      "default-src 'none';style-src 'self';img-src 'self' data:;font-src 'self';form-action 'self' https://portal.example;frame-ancestors 'none';base-uri 'none'",
    );
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('strict-transport-security')).toBeNull();
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  test('options open only what is asked: scripts, inline styles, connect; HSTS over https', () => {
    expect(cspDirectives({})).not.toHaveProperty('scriptSrc');
    expect(cspDirectives({ scripts: true, inlineStyles: true, connect: true })).toMatchObject({
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      connectSrc: ["'self'"],
    });
  });

  test('HSTS when asked', async () => {
    const app = express();
    app.use(securityHeaders({ hsts: true }));
    app.get('/', (_req, res) => res.send('ok'));
    const res = await fetch(await serve(app));
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });
});

describe('buildApp inside another express app (as a host app may mount it)', () => {
  test('no X-Powered-By and X-Content-Type-Options: nosniff on every route: routers, /edm/validate, 404', async () => {
    const router = express.Router();
    router.get('/healthz', (_req, res) => res.json({ status: 'ok' }));
    const outer = express(); // X-Powered-By left on, as a host app might
    outer.use(
      buildApp({
        logger: pino({ level: 'silent' }),
        maxBodyBytes: 1024,
        routers: [router],
        validate: () => ({ valid: true }) as never,
      }),
    );
    const url = await serve(outer);
    const answers = [
      await fetch(`${url}/healthz`),
      await fetch(`${url}/edm/validate`, {
        method: 'POST',
        headers: { 'content-type': 'application/xml' },
        body: '<a/>',
      }),
      await fetch(`${url}/nothing-here`),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 200, 404]);
    for (const r of answers) {
      expect(r.headers.get('x-powered-by')).toBeNull();
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });
});

describe('rateLimit', () => {
  function limitedApp(
    budgetPrefix: string,
    points: number,
    keyBy?: (req: express.Request) => string | undefined,
  ): express.Express {
    const redis = new Redis(REDIS_URL);
    clients.push(redis);
    const app = express();
    app.use(
      rateLimit({
        redis,
        prefix: budgetPrefix,
        points,
        durationSeconds: 60,
        logger: pino({ level: 'silent' }),
        ...(keyBy === undefined ? {} : { keyBy }),
      }),
    );
    app.get('/', (_req, res) => res.send('ok'));
    return app;
  }

  test('two instances share one budget; over it: 429 problem+json with Retry-After', async () => {
    const budget = `${prefix}rl:shared`;
    const a = await serve(limitedApp(budget, 5));
    const b = await serve(limitedApp(budget, 5));
    const statuses: number[] = [];
    for (const url of [a, b, a, b, a]) statuses.push((await fetch(url)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const over = await fetch(b);
    expect(over.status).toBe(429);
    expect(over.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(over.headers.get('ratelimit-remaining')).toBe('0');
    expect(((await over.json()) as { status: number }).status).toBe(429);
    expect((await fetch(a)).status).toBe(429);
  });

  test('budgets are per client key, and the key is hashed before it reaches Redis', async () => {
    const budget = `${prefix}rl:per-client`;
    const app = await serve(limitedApp(budget, 1, (req) => req.get('x-client')));
    expect((await fetch(app, { headers: { 'x-client': '192.0.2.1' } })).status).toBe(200);
    expect((await fetch(app, { headers: { 'x-client': '192.0.2.1' } })).status).toBe(429);
    expect((await fetch(app, { headers: { 'x-client': '192.0.2.2' } })).status).toBe(200);
    // A request without a key is not limited.
    expect((await fetch(app)).status).toBe(200);
    expect((await fetch(app)).status).toBe(200);
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${budget}*`);
    await redis.quit();
    expect(keys).toHaveLength(2);
    expect(keys.join(' ')).not.toContain('192.0.2');
  });

  test('Redis unreachable: the request is let through', async () => {
    const redis = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    redis.on('error', () => undefined);
    const app = express();
    app.use(rateLimit({ redis, prefix: `${prefix}rl:down`, points: 1, durationSeconds: 60 }));
    app.get('/', (_req, res) => res.send('ok'));
    const url = await serve(app);
    expect((await fetch(url)).status).toBe(200);
    expect((await fetch(url)).status).toBe(200);
    redis.disconnect();
  });

  test('refuses a nonsensical budget', () => {
    const redis = {} as Redis;
    expect(() => rateLimit({ redis, prefix: 'x', points: 0, durationSeconds: 60 })).toThrow(/points/);
    expect(() => rateLimit({ redis, prefix: 'x', points: 1, durationSeconds: 0.5 })).toThrow(/durationSeconds/);
  });
});
