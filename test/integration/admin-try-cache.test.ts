/**
 * The admin "try" cache lives in Redis: two api processes (two routers on the same prefix) see
 * each other's entries, entries expire, only their maker opens them, and the value at rest is
 * sealed (no evidence bytes in clear in Redis).
 */
import { randomBytes } from 'node:crypto';
import express from 'express';
import { Redis } from 'ioredis';
import { createAdminAuth } from '../../src/admin/auth.js';
import { createMappingsAdminRouter, createRedisTryCache } from '../../src/admin/mappings-router.js';
import type { EvidenceMapping } from '../../src/mapping/model.js';
import type { MappingStore } from '../../src/mapping-store/mapping-store.js';
import type { TryResult } from '../../src/mapping-store/try-mapping.js';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/connector-fixtures.js';
import { basic, serve, type Served } from '../unit/ops/serve.js';

const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
const prefix = testPrefix('admin-try');
const key = randomBytes(32);
const EVIDENCE = Buffer.from('%PDF-1.7 evidence of Zvaigzne-TRY-MARKER');
const OPERATOR = { user: 'operator', password: 'operator-password-0123456789' };
const auth = createAdminAuth({ operator: OPERATOR })!;

afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

describe('the Redis try cache', () => {
  test('an entry put by one cache is read by another on the same prefix, for its maker only', async () => {
    const a = createRedisTryCache(redis, { prefix: `${prefix}cache:`, key });
    const b = createRedisTryCache(redis, { prefix: `${prefix}cache:`, key, ttlSeconds: 60 });
    const token = await a.put({ user: 'ops-1', mimeType: 'application/pdf', fileName: 'e.pdf', bytes: EVIDENCE });
    const got = await b.get(token, 'ops-1');
    expect(got?.fileName).toBe('e.pdf');
    expect(Buffer.from(got!.bytes).equals(EVIDENCE)).toBe(true);
    expect(await b.get(token, 'ops-2')).toBeUndefined();
    expect(await b.get('no-such-token', 'ops-1')).toBeUndefined();

    const keys = await redis.keys(`${prefix.replace(/[{}]/g, '\\$&')}cache:try:*`);
    expect(keys).toHaveLength(1);
    const ttl = await redis.ttl(keys[0]!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(600);
    const raw = await redis.getBuffer(keys[0]!);
    expect(raw!.includes(Buffer.from('Zvaigzne-TRY-MARKER'))).toBe(false);
    expect(raw!.includes(Buffer.from(EVIDENCE.toString('base64')))).toBe(false);
  });

  test('an entry is gone after its TTL', async () => {
    const c = createRedisTryCache(redis, { prefix: `${prefix}short:`, key, ttlSeconds: 1 });
    const token = await c.put({ user: 'ops-1', mimeType: 'application/pdf', fileName: 'e.pdf', bytes: EVIDENCE });
    expect(await c.get(token, 'ops-1')).toBeDefined();
    await new Promise((r) => setTimeout(r, 2100));
    expect(await c.get(token, 'ops-1')).toBeUndefined();
  });
});

describe('two mappings admin routers on one Redis prefix', () => {
  const mapping = { id: 'm1', version: '1.0.0' } as unknown as EvidenceMapping;
  // A double of the mapping store: only what the page and a try read.
  const store = {
    list: () => Promise.resolve([]),
    get: () => Promise.resolve({ id: 'm1', active: 1, revisions: [{ revision: 1 }] }),
    mapping: () => Promise.resolve(mapping),
  } as unknown as MappingStore;
  const result: TryResult = {
    mappingId: 'm1',
    mappingVersion: '1.0.0',
    lookup: { ok: true, found: true },
    match: undefined,
    summary: {
      outcome: 'evidence',
      edmCode: undefined,
      evidenceType: undefined,
      mappingId: 'm1',
      mappingVersion: '1.0.0',
      detail: undefined,
    },
    requestXml: '<q/>',
    responseXml: '<r/>',
    evidence: { mimeType: 'application/pdf', fileName: 'evidence.pdf', bytes: EVIDENCE },
  };
  const csrfKey = randomBytes(32);
  const app = (): express.Express => {
    const e = express();
    e.use(
      createMappingsAdminRouter({
        store,
        auth,
        csrfKey,
        tryer: () => Promise.resolve(result),
        tries: createRedisTryCache(redis, { prefix: `${prefix}admin:`, key }),
      }),
    );
    return e;
  };
  let one: Served;
  let two: Served;
  beforeAll(async () => {
    one = await serve(app());
    two = await serve(app());
  });
  afterAll(async () => {
    await one.close();
    await two.close();
  });

  test('the evidence link of a try made on one process opens on the other', async () => {
    const authorization = basic(OPERATOR.user, OPERATOR.password);
    const page = await (await fetch(`${one.url}/admin/mappings`, { headers: { authorization } })).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
    expect(csrf).toBeDefined();
    const tried = await fetch(`${one.url}/admin/mappings/try`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: csrf!, id: 'm1', subject: '010101-12345' }).toString(),
    });
    expect(tried.status).toBe(200);
    const link = /href="(\/admin\/mappings\/try\/[^"]+\/evidence)"/.exec(await tried.text())?.[1];
    expect(link).toBeDefined();

    const fromTwo = await fetch(`${two.url}${link!}`, { headers: { authorization } });
    expect(fromTwo.status).toBe(200);
    expect(fromTwo.headers.get('content-type')).toMatch(/application\/pdf/);
    expect(Buffer.from(await fromTwo.arrayBuffer()).equals(EVIDENCE)).toBe(true);

    const gone = await fetch(`${two.url}/admin/mappings/try/unknown-token/evidence`, { headers: { authorization } });
    expect(gone.status).toBe(404);
    expect(gone.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await gone.json()).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'this try result is gone (they are kept 10 minutes): try again',
    });
  });
});
