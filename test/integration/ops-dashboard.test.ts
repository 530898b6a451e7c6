import { UnrecoverableError } from 'bullmq';
import express from 'express';
import { Redis } from 'ioredis';
import { generateKey } from '../../src/infra/aead.js';
import { createAdminRouter } from '../../src/admin/api.js';
import { createAdminAuth } from '../../src/admin/auth.js';
import { createAuditTrail } from '../../src/ops/audit.js';
import { createQueueDashboard } from '../../src/admin/dashboard.js';
import { createLogger } from '../../src/infra/logger.js';
import { createQueues } from '../../src/queue/queues.js';
import { basic, serve, type Served } from '../unit/ops/serve.js';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/connector-fixtures.js';

const VIEWER = { user: 'viewer', password: 'viewer-password-0123' };
const OPERATOR = { user: 'operator', password: 'operator-password-0123' };
const ANNA = 'LV/DE/12048814731';

const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
const prefix = testPrefix('ops-dash');
const logger = createLogger('silent');
const queues = createQueues({ connection: redis, prefix: prefix.slice(0, -1), logger, processBackoffMs: 10 });
const audit = createAuditTrail(redis, { prefix: `${prefix}audit:`, key: generateKey() });
const auth = createAdminAuth({ viewer: VIEWER, operator: OPERATOR })!;
let runs = 0;
let served: Served;

async function until(what: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await what()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('condition not reached');
}

beforeAll(async () => {
  await queues.startWorkers(
    {
      // Fails for good the first time, works when retried from the dashboard.
      process: () => (++runs === 1 ? Promise.reject(new UnrecoverableError('first run fails')) : Promise.resolve()),
      deliver: () => Promise.resolve(),
    },
    { concurrency: 1 },
  );
  const app = express();
  app.use(createQueueDashboard({ queues: Object.values(queues.bullQueues()), auth, logger }));
  app.use(createAdminRouter({ audit, auth, queues, logger }));
  served = await serve(app);
  await queues.enqueueProcess('xdash1');
  await until(async () => (await queues.counts()).process.failed === 1);
});

afterAll(async () => {
  await served.close();
  await queues.close();
  await deleteKeys(redis, prefix);
  await redis.quit();
});

const retryAll = (authz?: string): Promise<Response> =>
  fetch(`${served.url}/admin/queues/api/queues/exchange-process/retry/failed`, {
    method: 'PUT',
    headers: authz === undefined ? {} : { authorization: authz, 'x-requested-by': 'ops-test' },
  });

describe('queue dashboard', () => {
  test('401 without credentials or with a wrong password', async () => {
    const res = await fetch(`${served.url}/admin/queues`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="oots-admin"/);
    expect(
      (
        await fetch(`${served.url}/admin/queues/api/queues`, {
          headers: { authorization: basic('operator', 'viewer-password-0123') },
        })
      ).status,
    ).toBe(401);
    expect((await retryAll()).status).toBe(401);
  });

  test('the viewer reads the board but a retry is refused with 403', async () => {
    const page = await fetch(`${served.url}/admin/queues`, {
      headers: { authorization: basic(VIEWER.user, VIEWER.password) },
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    const api = await fetch(`${served.url}/admin/queues/api/queues?activeQueue=exchange-process&status=failed`, {
      headers: { authorization: basic(VIEWER.user, VIEWER.password) },
    });
    expect(api.status).toBe(200);
    const body = (await api.json()) as {
      queues: { name: string; readOnlyMode: boolean; counts: { failed: number } }[];
    };
    const q = body.queues.find((x) => x.name === 'exchange-process');
    expect(q).toMatchObject({ readOnlyMode: true, counts: { failed: 1 } });
    expect((await retryAll(basic(VIEWER.user, VIEWER.password))).status).toBe(403);
    expect((await queues.counts()).process.failed).toBe(1);
  });

  test('the operator retries the failed job, and it runs again', async () => {
    const res = await retryAll(basic(OPERATOR.user, OPERATOR.password));
    expect(res.status).toBe(200);
    await until(async () => (await queues.counts()).process.completed === 1);
    expect((await queues.counts()).process.failed).toBe(0);
    expect(runs).toBe(2);
  });
});

describe('admin API and page', () => {
  const asViewer = { authorization: basic(VIEWER.user, VIEWER.password) };

  test('audit lookups by exchange and by person (POST body, never the URL)', async () => {
    await audit.record({
      conversationId: 'conv-dash-1',
      requestId: 'req-dash-1',
      requester: 'DE73524311',
      summary: {
        outcome: 'evidence',
        edmCode: undefined,
        evidenceType: 'https://example/birth',
        mappingId: 'lv-birth-certificate',
        mappingVersion: '1.0.0',
        detail: undefined,
      },
      subjectIdentifier: ANNA,
    });
    expect((await fetch(`${served.url}/admin/api/audit/exchanges/conv-dash-1`)).status).toBe(401);
    const one = await fetch(`${served.url}/admin/api/audit/exchanges/conv-dash-1`, { headers: asViewer });
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ count: 1, records: [{ requestId: 'req-dash-1', outcome: 'evidence' }] });
    expect((await fetch(`${served.url}/admin/api/audit/exchanges/nothing-here`, { headers: asViewer })).status).toBe(
      404,
    );

    const post = (body: unknown): Promise<Response> =>
      fetch(`${served.url}/admin/api/audit/by-subject`, {
        method: 'POST',
        headers: { ...asViewer, 'content-type': 'application/json', 'x-requested-by': 'ops-test' },
        body: JSON.stringify(body),
      });
    const found = await post({ identifier: ANNA });
    expect(found.status).toBe(200);
    const text = await found.text();
    expect(JSON.parse(text)).toMatchObject({ count: 1, records: [{ conversationId: 'conv-dash-1' }] });
    expect(text).not.toContain('12048814731');
    expect(await (await post({ identifier: 'LV/DE/23117510621' })).json()).toEqual({ count: 0, records: [] });
    expect((await post({ id: ANNA })).status).toBe(400);
  });

  test('summary: exchanges by outcome, failed jobs, oldest pending; the page renders it without script', async () => {
    const res = await fetch(`${served.url}/admin/api/summary?window=1d`, { headers: asViewer });
    expect(res.status).toBe(200);
    const s = (await res.json()) as Record<string, unknown>;
    expect(s).toMatchObject({
      window: '1d',
      exchanges: { total: 1, byOutcome: { evidence: 1 } },
      queues: { process: { failed: 0, oldestPendingSince: null }, deliver: { failed: 0 } },
      dagr: null,
    });
    expect((await fetch(`${served.url}/admin/api/summary?window=1y`, { headers: asViewer })).status).toBe(400);
    // Inherited names are not windows (an `in` check took them and answered 500).
    for (const w of ['toString', '__proto__', 'constructor', 'hasOwnProperty'])
      expect([w, (await fetch(`${served.url}/admin/api/summary?window=${w}`, { headers: asViewer })).status]).toEqual([w, 400]);
    const page = await fetch(`${served.url}/admin`, { headers: asViewer });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Last hour');
    expect(html).toContain('Last day');
    expect(html).not.toContain('<script');
    expect((await fetch(`${served.url}/admin`)).status).toBe(401);
  });
});
