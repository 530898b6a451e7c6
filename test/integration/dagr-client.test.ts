/**
 * The DAGR client against the real DAGR sandbox on loopback (port 0), with a generated RSA key
 * pair for the connection, and a real Redis (127.0.0.1:6379, own key prefix) for the shared token.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { Redis } from 'ioredis';
import { createDagrClient, type DagrCallEvent, type DagrClientOptions } from '../../src/dagr/client.js';
import { DagrError } from '../../src/dagr/errors.js';
import { createRedisTokenCache } from '../../src/dagr/token-cache-redis.js';
import { createLogger } from '../../src/infra/logger.js';
import { loadConfig } from '../../src/config.js';
import { dagrClientOptions } from '../../src/dagr/from-config.js';
import { ensureSandboxClientKey, startEmbeddedDagrSandbox } from '../../src/sandbox/dagr-embedded.js';
import { keyFieldOf, loadSandboxDatasets } from '../../src/sandbox/dagr-data-loader.js';
import {
  createDagrSandbox,
  startDagrSandbox,
  type DagrDataset,
  type Permission,
} from '../../src/sandbox/dagr-server.js';

// Synthetic people: new-format personal codes (3x..., no birth date), invented names.
const ANNA = '32579104826';
const JANIS = '38120455031';
const NOBODY = '39000000017';

const residence: DagrDataset = {
  service_name: 'test_residence',
  description: 'Synthetic declared residence',
  key: 'PersonCode',
  updated_at_field: 'UpdatedAt',
  fields: [
    { name: 'PersonCode', type: 'string', description: 'Personas kods' },
    { name: 'FamilyName', type: 'string', description: 'Uzvārds' },
    { name: 'Address', type: 'string', description: 'Adrese' },
    { name: 'UpdatedAt', type: 'timestamp', description: 'Izmaiņu laiks' },
  ],
  records: [
    {
      PersonCode: ANNA,
      FamilyName: 'Bērziņa',
      GivenName: 'Anna',
      Address: 'Ozolu iela 7, Rīga',
      UpdatedAt: '2025-01-02T10:00:00Z',
    },
    {
      PersonCode: JANIS,
      FamilyName: 'Kalniņš',
      GivenName: 'Jānis',
      Address: 'Liepu iela 3, Cēsis',
      UpdatedAt: '2025-01-03T10:00:00Z',
    },
  ],
};
const diplomas: DagrDataset = {
  service_name: 'test_diplomas',
  description: 'Synthetic diplomas (several per person)',
  key: 'PersonCode(, Id)',
  fields: [{ name: 'PersonCode', type: 'string', description: 'Personas kods' }],
  records: [
    { PersonCode: ANNA, Id: 1, Title: 'Bakalaura grāds' },
    { PersonCode: ANNA, Id: 2, Title: 'Maģistra grāds' },
  ],
};
const permissions: Permission[] = [
  {
    service_name: 'test_residence',
    permission_number: '10001',
    purpose_of_use: 'OOTS',
    use_count: 0,
    use_count_quota: 100000,
    valid_from: null,
    valid_to: null,
  },
  {
    service_name: 'test_diplomas',
    permission_number: '10002',
    purpose_of_use: 'OOTS',
    use_count: 0,
    use_count_quota: 1,
    valid_from: null,
    valid_to: null,
  },
];

const CLIENT_ID = 'oots-adapter-test';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;

const sandbox = createDagrSandbox({
  datasets: [residence, diplomas],
  permissions,
  clientId: CLIENT_ID,
  clientPublicKey: publicPem,
});
/** Request headers the sandbox saw, for the header assertions. */
const seen: Record<string, string | undefined>[] = [];
let server: Server;
let baseUrl: string;
const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });
const prefix = `test:${randomUUID()}:`;
const clients: { close(): void }[] = [];

beforeAll(async () => {
  const outer = express();
  outer.use((req, _res, next) => {
    seen.push({
      path: req.path,
      authorization: req.get('authorization'),
      permission: req.get('x-dagr-permission'),
      requestId: req.get('x-request-id'),
      accept: req.get('accept'),
    });
    next();
  });
  outer.use(sandbox.app);
  server = await new Promise<Server>((resolve) => {
    const s = outer.listen(0, '127.0.0.1', () => resolve(s));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await redis.connect();
});

afterAll(async () => {
  for (const c of clients) c.close();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 100);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
});

beforeEach(() => {
  sandbox.faults.clear();
  seen.length = 0;
});

function client(overrides: Partial<DagrClientOptions> = {}) {
  const events: DagrCallEvent[] = [];
  const delays: number[] = [];
  const c = createDagrClient({
    baseUrl,
    clientId: CLIENT_ID,
    privateKey: privatePem,
    timeoutMs: 2000,
    retries: 3,
    retryBaseMs: 5,
    breaker: { failureThreshold: 50, resetAfterMs: 60_000 },
    onCall: (e) => events.push(e),
    // Record what the client asks to wait, and wait only a little (tests assert the asked delay).
    sleep: (ms) => {
      delays.push(ms);
      return new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20)));
    },
    ...overrides,
  });
  clients.push(c);
  return { c, events, delays };
}

const req = (key: string, over: Partial<{ service: string; permission: string }> = {}) => ({
  service: over.service ?? 'test_residence',
  permission: over.permission ?? '10001',
  key,
  correlationId: 'exch-0001',
});

async function failure(p: Promise<unknown>): Promise<DagrError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DagrError) return e;
    throw e;
  }
  throw new Error('expected a DagrError');
}

describe('DAGR client against the sandbox', () => {
  test('found: the record comes back with the fetch time; headers as the contract says', async () => {
    const { c, events } = client();
    const before = Date.now();
    const result = await c.lookup(req(ANNA));
    const after = Date.now();
    expect(result.kind).toBe('found');
    if (result.kind !== 'found') return;
    expect(result.records[0].fields).toMatchObject({
      PersonCode: ANNA,
      FamilyName: 'Bērziņa',
      Address: 'Ozolu iela 7, Rīga',
    });
    expect(result.records[0].fetchedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Date.parse(result.records[0].fetchedAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(result.records[0].fetchedAt)).toBeLessThanOrEqual(after);
    const data = seen.find((s) => s.path?.startsWith('/test_residence/'))!;
    expect(data.authorization).toMatch(/^Bearer [A-Za-z0-9_-]{20,}$/);
    expect(data.permission).toBe('10001');
    expect(data.requestId).toBe('exch-0001');
    expect(data.accept).toBe('application/json');
    expect(events.map((e) => [e.operation, e.status, e.attempt])).toEqual([
      ['token', 200, 1],
      ['lookup', 200, 1],
    ]);
    expect(events[1]!.service).toBe('test_residence');
  });

  test('a key with several records: lookupAll returns them all, lookup the first', async () => {
    const { c } = client();
    // The diploma permission has a quota of 1: this is its one use.
    const all = await c.lookupAll(req(ANNA, { service: 'test_diplomas', permission: '10002' }));
    expect(all.map((r) => r.fields['Id'])).toEqual([1, 2]);
  });

  test('not found: 404 and a forced 404 are `not-found`, without retries', async () => {
    const { c, events } = client();
    await c.lookup(req(ANNA));
    events.length = 0;
    expect(await c.lookup(req(NOBODY))).toEqual({ kind: 'not-found' });
    sandbox.faults.set({ notFound: [JANIS] });
    expect(await c.lookup(req(JANIS))).toEqual({ kind: 'not-found' });
    expect(events.map((e) => e.status)).toEqual([404, 404]);
  });

  test('401: the token is refreshed once and the call retried', async () => {
    const { c, events } = client();
    await c.lookup(req(ANNA));
    const issued = sandbox.stats().tokensIssued;
    sandbox.revokeTokens();
    const result = await c.lookup(req(JANIS));
    expect(result.kind).toBe('found');
    expect(sandbox.stats().tokensIssued).toBe(issued + 1);
    expect(c.tokenFetches()).toBe(2);
    expect(events.slice(2).map((e) => [e.operation, e.status])).toEqual([
      ['lookup', 401],
      ['token', 200],
      ['lookup', 200],
    ]);
  });

  test('403: a permission for another service is `forbidden` (EDM:ERR:0008), not retried', async () => {
    const { c } = client();
    await c.lookup(req(ANNA));
    const before = sandbox.stats().dataRequests;
    const error = await failure(c.lookup(req(ANNA, { permission: '10002' })));
    expect(error.cause).toBe('forbidden');
    expect(error.status).toBe(403);
    expect(error.edmCode).toBe('EDM:ERR:0008');
    expect(sandbox.stats().dataRequests).toBe(before + 1);
  });

  test('429 with Retry-After: waits what DAGR asks, then succeeds', async () => {
    const { c, events, delays } = client();
    await c.lookup(req(ANNA));
    sandbox.faults.set({ failNext: { count: 1, status: 429, retryAfterSeconds: 1 } });
    const result = await c.lookup(req(JANIS));
    expect(result.kind).toBe('found');
    expect(delays).toEqual([1000]);
    expect(events.slice(2).map((e) => [e.status, e.attempt])).toEqual([
      [429, 1],
      [200, 2],
    ]);
  });

  test('a Retry-After longer than the bound ends the call as `rate-limited` (EDM:ERR:0005)', async () => {
    const { c, delays } = client({ maxRetryAfterMs: 500 });
    await c.lookup(req(ANNA));
    sandbox.faults.set({ failNext: { count: 1, status: 429, retryAfterSeconds: 30 } });
    const error = await failure(c.lookup(req(JANIS)));
    expect(error.cause).toBe('rate-limited');
    expect(error.retryAfterMs).toBe(30_000);
    expect(error.edmCode).toBe('EDM:ERR:0005');
    expect(delays).toEqual([]);
  });

  test('503 twice, then success: backoff with jitter between the attempts', async () => {
    const { c, events, delays } = client({ random: () => 0.5, retryBaseMs: 100 });
    await c.lookup(req(ANNA));
    sandbox.faults.set({ failNext: { count: 2, status: 503 } });
    const result = await c.lookup(req(JANIS));
    expect(result.kind).toBe('found');
    expect(events.slice(2).map((e) => [e.status, e.attempt])).toEqual([
      [503, 1],
      [503, 2],
      [200, 3],
    ]);
    expect(delays).toEqual([50, 100]);
  });

  test('500 past the retries is `unavailable` after 1 + retries attempts', async () => {
    const { c } = client({ retries: 2 });
    await c.lookup(req(ANNA));
    sandbox.faults.set({ failNext: { count: 5, status: 500 } });
    const before = sandbox.stats().dataRequests;
    const error = await failure(c.lookup(req(JANIS)));
    expect(error.cause).toBe('unavailable');
    expect(error.status).toBe(500);
    expect(sandbox.stats().dataRequests).toBe(before + 3);
  });

  test('down: the breaker opens, then calls fail as `unavailable` without reaching DAGR; it closes after the delay', async () => {
    let offset = 0;
    const { c, events } = client({
      retries: 2,
      breaker: { failureThreshold: 3, resetAfterMs: 30_000 },
      clock: () => Date.now() + offset,
    });
    await c.lookup(req(ANNA));
    sandbox.faults.set({ down: true });
    const first = await failure(c.lookup(req(JANIS)));
    expect(first.cause).toBe('unavailable');
    expect(c.breakerState()).toBe('open');
    const resets = sandbox.stats().resets;
    expect(resets).toBeGreaterThanOrEqual(3);

    events.length = 0;
    const second = await failure(c.lookup(req(JANIS)));
    expect(second.cause).toBe('unavailable');
    expect(second.detail).toMatch(/circuit/);
    expect(sandbox.stats().resets).toBe(resets);
    expect(events.map((e) => e.status)).toEqual(['circuit-open']);

    sandbox.faults.clear();
    offset = 30_000;
    expect(c.breakerState()).toBe('half-open');
    expect((await c.lookup(req(JANIS))).kind).toBe('found');
    expect(c.breakerState()).toBe('closed');
  });

  test('down as 503 for everything is `unavailable` with the status', async () => {
    const { c } = client({ retries: 1 });
    await c.lookup(req(ANNA));
    sandbox.faults.set({ down: '503' });
    const error = await failure(c.lookup(req(JANIS)));
    expect(error.cause).toBe('unavailable');
    expect(error.status).toBe(503);
  });

  test('latency beyond the timeout is `timeout` (EDM:ERR:0005)', async () => {
    const { c, events } = client({ timeoutMs: 100, retries: 1 });
    await c.lookup(req(ANNA));
    sandbox.faults.set({ latencyMs: 400 });
    const error = await failure(c.lookup(req(JANIS)));
    expect(error.cause).toBe('timeout');
    expect(error.edmCode).toBe('EDM:ERR:0005');
    expect(events.slice(2).map((e) => e.status)).toEqual(['timeout', 'timeout']);
    sandbox.faults.clear();
    await new Promise((resolve) => setTimeout(resolve, 400)); // let the delayed answers drain
  });

  test('the token is fetched once and reused across calls', async () => {
    const { c } = client();
    const before = sandbox.stats().tokensIssued;
    await Promise.all([ANNA, JANIS, NOBODY, ANNA, JANIS].map((k) => c.lookup(req(k))));
    await c.lookup(req(ANNA));
    expect(c.tokenFetches()).toBe(1);
    expect(sandbox.stats().tokensIssued).toBe(before + 1);
  });

  test('the Redis token cache shares one token between client instances, and N fresh clients fetch it once', async () => {
    const cache = createRedisTokenCache(redis, `${prefix}a:`);
    const a = client({ tokenCache: cache });
    const b = client({ tokenCache: cache });
    const before = sandbox.stats().tokensIssued;
    await a.c.lookup(req(ANNA));
    await b.c.lookup(req(JANIS));
    expect(sandbox.stats().tokensIssued).toBe(before + 1);
    expect(a.c.tokenFetches() + b.c.tokenFetches()).toBe(1);
    const keys = await redis.keys(`${prefix}a:*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/dagr:token:/);
    expect(await redis.pttl(keys[0]!)).toBeGreaterThan(0);

    const shared = createRedisTokenCache(redis, `${prefix}b:`);
    const many = Array.from({ length: 6 }, () =>
      client({ tokenCache: shared, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) }),
    );
    const before2 = sandbox.stats().tokensIssued;
    const results = await Promise.all(many.map((m) => m.c.lookup(req(ANNA))));
    expect(results.every((r) => r.kind === 'found')).toBe(true);
    expect(sandbox.stats().tokensIssued).toBe(before2 + 1);
  });

  test('a revoked shared token is replaced once for everyone', async () => {
    const cache = createRedisTokenCache(redis, `${prefix}c:`);
    const a = client({ tokenCache: cache });
    const b = client({ tokenCache: cache });
    await a.c.lookup(req(ANNA));
    await b.c.lookup(req(ANNA));
    sandbox.revokeTokens();
    const before = sandbox.stats().tokensIssued;
    await a.c.lookup(req(JANIS));
    await b.c.lookup(req(JANIS));
    expect(sandbox.stats().tokensIssued).toBe(before + 1);
  });

  test('use_count counts real uses; an exhausted quota is `rate-limited`', async () => {
    const { c } = client({ retries: 1 });
    const count = async () =>
      (await c.currentUserPermissions()).find((p) => p.permission_number === '10001')!.use_count!;
    const before = await count();
    await c.lookup(req(ANNA));
    await c.lookup(req(NOBODY));
    expect(await count()).toBe(before + 2);

    const diplomaPermission = (await c.currentUserPermissions()).find((p) => p.permission_number === '10002')!;
    expect(diplomaPermission.use_count).toBe(diplomaPermission.use_count_quota);
    const error = await failure(c.lookup(req(ANNA, { service: 'test_diplomas', permission: '10002' })));
    expect(error.cause).toBe('rate-limited');
    expect(error.status).toBe(429);
  });

  test('service_list names the datasets', async () => {
    const { c } = client();
    const services = await c.serviceList();
    expect(services.map((s) => s.service_name)).toEqual(['test_residence', 'test_diplomas']);
    expect(services[0]).toMatchObject({ key_fields: ['PersonCode'], updated_at_field: 'UpdatedAt' });
  });

  test('a key DAGR does not know is refused at the token endpoint: `forbidden`', async () => {
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const { c } = client({ privateKey: stranger });
    const error = await failure(c.lookup(req(ANNA)));
    expect(error.cause).toBe('forbidden');
    expect(error.detail).toMatch(/token endpoint/);
  });

  test('logs and call events hold no object ids or record contents', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const { c, events } = client({
      logger: createLogger('trace', sink),
      retries: 1,
      breaker: { failureThreshold: 2, resetAfterMs: 60_000 },
    });
    await c.lookup(req(ANNA));
    sandbox.revokeTokens();
    await c.lookup(req(ANNA));
    sandbox.faults.set({ failNext: { count: 3, status: 502 } });
    await failure(c.lookup(req(JANIS)));
    await failure(c.lookup(req(JANIS)));
    const text = lines.join('') + JSON.stringify(events);
    expect(lines.length).toBeGreaterThan(0);
    for (const secret of [ANNA, JANIS, 'Bērziņa', 'Ozolu', 'Bearer ']) expect(text).not.toContain(secret);
  });
});

describe('sandbox variants and controls', () => {
  test('bare arrays, empty results for unknown objects and a bare Authorization token are understood', async () => {
    const started = await startDagrSandbox({
      host: '127.0.0.1',
      port: 0,
      datasets: [residence],
      permissions,
      clientId: CLIENT_ID,
      clientPublicKey: privateKey,
      responseShape: 'bare',
      notFoundStyle: 'empty',
      authScheme: '',
      tokenPath: '/auth/token',
      tokenTtlSeconds: 60,
    });
    const c = createDagrClient({
      baseUrl: started.url,
      clientId: CLIENT_ID,
      privateKey,
      authScheme: '',
      tokenPath: '/auth/token',
      retries: 0,
    });
    try {
      const found = await c.lookup(req(ANNA));
      expect(found.kind === 'found' && found.records[0].fields['GivenName']).toBe('Anna');
      expect(await c.lookup(req(NOBODY))).toEqual({ kind: 'not-found' });
      // The Bearer-expecting default would be refused: the scheme is really checked.
      const wrong = createDagrClient({
        baseUrl: started.url,
        clientId: CLIENT_ID,
        privateKey,
        tokenPath: '/auth/token',
        retries: 0,
      });
      const error = await failure(wrong.lookup(req(ANNA)));
      wrong.close();
      expect(error.cause).toBe('forbidden');
    } finally {
      c.close();
      await started.stop();
    }
  });

  test('fault knobs over HTTP: set, read, refuse nonsense, clear', async () => {
    const started = await startDagrSandbox({
      host: '127.0.0.1',
      port: 0,
      datasets: [residence],
      permissions,
      clientId: CLIENT_ID,
      clientPublicKey: publicKey,
    });
    try {
      const post = (body: unknown) =>
        fetch(`${started.url}/sandbox/dagr/faults`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const ok = await post({
        latencyMs: 5,
        failNext: { count: 2, status: 503, retryAfterSeconds: 1 },
        notFound: [ANNA],
      });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({
        latencyMs: 5,
        failNext: { count: 2, status: 503, retryAfterSeconds: 1 },
        down: false,
        notFoundCount: 1,
      });
      const bad = await post({ failNext: { count: 1, status: 418 } });
      expect(bad.status).toBe(400);
      expect((await bad.json()).detail).toMatch(/status/);
      expect((await post({ explode: true })).status).toBe(400);
      const cleared = await fetch(`${started.url}/sandbox/dagr/faults`, { method: 'DELETE' });
      expect(await cleared.json()).toEqual({ latencyMs: 0, failNext: null, down: false, notFoundCount: 0 });
      expect(started.faults.current().latencyMs).toBe(0);
      const unauth = await fetch(`${started.url}/test_residence/${ANNA}`, {
        headers: { 'x-dagr-permission': '10001' },
      });
      expect(unauth.status).toBe(401);
    } finally {
      await started.stop();
    }
  });
});

describe('the shipped sandbox datasets through the client', () => {
  test('the first record of every dataset is found with its permission (eIDAS keys with slashes too)', async () => {
    const { datasets, permissions: shipped } = loadSandboxDatasets();
    const started = await startDagrSandbox({
      host: '127.0.0.1',
      port: 0,
      datasets,
      permissions: shipped,
      clientId: CLIENT_ID,
      clientPublicKey: publicKey,
    });
    const c = createDagrClient({ baseUrl: started.url, clientId: CLIENT_ID, privateKey, retries: 0 });
    try {
      for (const dataset of datasets) {
        const keyField = keyFieldOf(dataset.key)!;
        const key = String(dataset.records[0]![keyField]);
        const permission = shipped.find((p) => p.service_name === dataset.service_name)!.permission_number;
        const result = await c.lookupAll({
          service: dataset.service_name,
          permission,
          key,
          correlationId: 'exch-data',
        });
        expect(result.length).toBe(dataset.records.filter((r) => String(r[keyField]) === key).length);
        expect(result[0]!.fields).toEqual(dataset.records[0]);
      }
      expect((await c.serviceList()).map((s) => s.service_name).sort()).toEqual(
        datasets.map((d) => d.service_name).sort(),
      );
    } finally {
      c.close();
      await started.stop();
    }
  });
});

describe('the embedded default', () => {
  test('sandbox with a key under var/, client from config.dagr: a shipped record is found; the key is reused', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dagr-embedded-'));
    const keyFile = path.join(dir, 'var', 'dagr-sandbox-client.pem');
    const config = loadConfig({}).dagr;
    const embedded = await startEmbeddedDagrSandbox({ host: '127.0.0.1', port: 0, clientId: config.clientId, keyFile });
    const c = createDagrClient(dagrClientOptions(config, { baseUrl: embedded.url, privateKey: embedded.privateKey }));
    try {
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      const perms = await c.currentUserPermissions();
      const birth = perms.find((p) => p.service_name === 'pmlp_birth_records')!;
      const { datasets } = loadSandboxDatasets();
      const key = String(datasets.find((d) => d.service_name === 'pmlp_birth_records')!.records[0]!['PersonCode']);
      const result = await c.lookup({
        service: birth.service_name,
        permission: birth.permission_number,
        key,
        correlationId: 'exch-emb',
      });
      expect(result.kind).toBe('found');
      const again = ensureSandboxClientKey(keyFile);
      expect(again.created).toBe(false);
      expect(again.privateKey.export({ type: 'pkcs8', format: 'pem' })).toEqual(
        embedded.privateKey.export({ type: 'pkcs8', format: 'pem' }),
      );
    } finally {
      c.close();
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
