import express from 'express';
import { DagrError } from '../../../src/dagr/errors.js';
import type { DagrPermission } from '../../../src/dagr/client.js';
import type { ExchangeSummary } from '../../../src/exchange/ports.js';
import { createMetrics, metricsRouter, type Metrics } from '../../../src/ops/metrics.js';
import type { QueueCounts } from '../../../src/queue/queues.js';
import { labelValues, sample, serve, type Served } from './serve.js';

const TOKEN = 'metrics-token-0123456789';
const PERSONAL_CODE = '120488-14731';
const BIRTH = 'https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/LV/2b4c0a5e-birth';

function counts(failed: number): QueueCounts {
  const c = { waiting: 3, prioritized: 0, active: 1, delayed: 2, failed, completed: 7, paused: false };
  return { process: c, deliver: { ...c, paused: true } };
}

function summary(over: Partial<ExchangeSummary> = {}): ExchangeSummary {
  return {
    outcome: 'evidence',
    edmCode: undefined,
    evidenceType: BIRTH,
    mappingId: 'lv-birth-certificate',
    mappingVersion: '1.0.0',
    detail: undefined,
    ...over,
  };
}

let metrics: Metrics;
let served: Served;
let failedJobs = 4;
let countsFail = false;

async function scrape(token: string | undefined = TOKEN): Promise<string> {
  const res = await fetch(
    `${served.url}/metrics`,
    token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } },
  );
  expect(res.status).toBe(200);
  return res.text();
}

beforeAll(async () => {
  metrics = createMetrics({
    defaultMetrics: true,
    queues: {
      counts: () => (countsFail ? Promise.reject(new Error('redis down')) : Promise.resolve(counts(failedJobs))),
    },
  });
  const app = express();
  app.use(metrics.httpMiddleware());
  const things = express.Router();
  things.get('/:id', (_req, res) => {
    res.json({ ok: true });
  });
  app.use('/things', things);
  app.post('/boom', (_req, res) => {
    res.status(500).end();
  });
  app.use(metricsRouter(metrics.registry, { token: TOKEN }));
  served = await serve(app);
});

afterAll(async () => {
  await served.close();
});

describe('metrics', () => {
  test('/metrics wants the bearer token when one is configured', async () => {
    expect((await fetch(`${served.url}/metrics`)).status).toBe(401);
    expect(
      (await fetch(`${served.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status,
    ).toBe(401);
    const text = await scrape();
    expect(text).toContain('# TYPE oots_http_request_duration_seconds histogram');
    expect(text).toContain('oots_process_cpu_user_seconds_total');
  });

  test('HTTP requests are counted by route pattern, never by raw URL', async () => {
    const before = await scrape();
    const labels = { method: 'GET', route: '/things/:id', status: '200' };
    await fetch(`${served.url}/things/${PERSONAL_CODE}`);
    await fetch(`${served.url}/things/other`);
    await fetch(`${served.url}/nowhere/${PERSONAL_CODE}`);
    await fetch(`${served.url}/boom`, { method: 'POST' });
    const after = await scrape();
    expect(
      sample(after, 'oots_http_request_duration_seconds_count', labels) -
        sample(before, 'oots_http_request_duration_seconds_count', labels),
    ).toBe(2);
    expect(
      sample(after, 'oots_http_request_duration_seconds_count', { route: '<unmatched>', status: '404' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'oots_http_request_duration_seconds_count', { route: '/boom', status: '500' })).toBe(1);
    expect(sample(after, 'oots_http_request_duration_seconds_sum', labels)).toBeGreaterThan(
      sample(before, 'oots_http_request_duration_seconds_sum', labels),
    );
  });

  test('exchanges by outcome, EDM code and evidence type; a type no mapping serves reads unmapped', async () => {
    const before = await scrape();
    metrics.recordExchange(summary());
    metrics.recordExchange(summary());
    metrics.recordExchange(
      summary({
        outcome: 'error',
        edmCode: 'EDM:ERR:0004',
        mappingId: undefined,
        evidenceType: `https://evil.example/${PERSONAL_CODE}`,
      }),
    );
    const after = await scrape();
    const ok = { outcome: 'evidence', edm_code: 'none', evidence_type: BIRTH };
    expect(sample(after, 'oots_exchanges_total', ok) - sample(before, 'oots_exchanges_total', ok)).toBe(2);
    expect(
      sample(after, 'oots_exchanges_total', { outcome: 'error', edm_code: 'EDM:ERR:0004', evidence_type: 'unmapped' }),
    ).toBe(1);
  });

  test('system checks (procedure 00) are counted apart and never in oots_exchanges_total', async () => {
    const before = await scrape();
    metrics.recordExchange(summary({ systemCheck: true }));
    metrics.recordExchange(summary({ systemCheck: true, outcome: 'error', edmCode: 'EDM:ERR:0007' }));
    const after = await scrape();
    const ok = { outcome: 'evidence', edm_code: 'none', evidence_type: BIRTH };
    const off = { outcome: 'error', edm_code: 'EDM:ERR:0007', evidence_type: BIRTH };
    const delta = (name: string, labels: Record<string, string>): number =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(delta('oots_system_checks_total', ok)).toBe(1);
    expect(delta('oots_system_checks_total', off)).toBe(1);
    expect(delta('oots_exchanges_total', ok)).toBe(0);
    expect(delta('oots_exchanges_total', off)).toBe(0);
  });

  test('pipeline steps, preview funnel and delivery lag move', async () => {
    const before = await scrape();
    metrics.observeStep('lookup', 0.2);
    await metrics.timeStep('render', () => Promise.resolve(1));
    await expect(metrics.timeStep('build', () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    metrics.recordPreview('required');
    metrics.recordPreview('approved');
    metrics.observeDeliveryLag(42);
    const after = await scrape();
    const diff = (name: string, labels: Record<string, string> = {}): number =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(diff('oots_job_step_duration_seconds_count', { step: 'lookup' })).toBe(1);
    expect(diff('oots_job_step_duration_seconds_sum', { step: 'lookup' })).toBeCloseTo(0.2);
    expect(diff('oots_job_step_duration_seconds_count', { step: 'render' })).toBe(1);
    expect(diff('oots_job_step_duration_seconds_count', { step: 'build' })).toBe(1);
    expect(diff('oots_preview_total', { stage: 'required' })).toBe(1);
    expect(diff('oots_preview_total', { stage: 'approved' })).toBe(1);
    expect(diff('oots_preview_total', { stage: 'declined' })).toBe(0);
    expect(before).toContain('oots_preview_total{stage="expired"} 0');
    expect(diff('oots_delivery_lag_seconds_count')).toBe(1);
    expect(diff('oots_delivery_lag_seconds_bucket', { le: '60' })).toBe(1);
    expect(diff('oots_delivery_lag_seconds_bucket', { le: '30' })).toBe(0);
  });

  test('queue depth is read at scrape time; a failing read leaves the scrape working', async () => {
    failedJobs = 4;
    let text = await scrape();
    expect(sample(text, 'oots_queue_jobs', { queue: 'process', state: 'failed' })).toBe(4);
    expect(sample(text, 'oots_queue_jobs', { queue: 'deliver', state: 'delayed' })).toBe(2);
    expect(sample(text, 'oots_queue_paused', { queue: 'deliver' })).toBe(1);
    failedJobs = 9;
    text = await scrape();
    expect(sample(text, 'oots_queue_jobs', { queue: 'process', state: 'failed' })).toBe(9);
    countsFail = true;
    text = await scrape();
    countsFail = false;
    expect(text).not.toMatch(/^oots_queue_jobs\{/m);
    expect(text).not.toMatch(/^oots_queue_paused\{/m);
    expect(sample(text, 'oots_queue_up')).toBe(0);
    expect(sample(await scrape(), 'oots_queue_up')).toBe(1);
  });

  test('DAGR calls by service and status, circuit state, permission quota', async () => {
    let circuit: 'closed' | 'open' | 'half-open' = 'closed';
    let answer: () => Promise<readonly DagrPermission[]> = () =>
      Promise.resolve([
        {
          service_name: 'pmlp_birth_records',
          permission_number: '22791',
          use_count: 40,
          use_count_quota: 100,
          valid_to: '2030-01-01T00:00:00Z',
        },
        { service_name: 'ur_company_register', permission_number: '31044', use_count: 5, use_count_quota: null },
      ]);
    const watch = metrics.watchDagr(
      { breakerState: () => circuit, currentUserPermissions: () => answer() },
      { intervalMs: 3_600_000 },
    );
    try {
      const before = await scrape();
      metrics.onDagrCall({
        operation: 'lookup',
        service: 'pmlp_birth_records',
        status: 200,
        durationMs: 120,
        attempt: 1,
      });
      metrics.onDagrCall({
        operation: 'lookup',
        service: 'pmlp_birth_records',
        status: 503,
        durationMs: 40,
        attempt: 1,
      });
      metrics.onDagrCall({ operation: 'token', service: undefined, status: 'timeout', durationMs: 8000, attempt: 1 });
      await watch.refresh();
      let text = await scrape();
      const diff = (labels: Record<string, string>): number =>
        sample(text, 'oots_dagr_call_duration_seconds_count', labels) -
        sample(before, 'oots_dagr_call_duration_seconds_count', labels);
      expect(diff({ operation: 'lookup', service: 'pmlp_birth_records', status: '200' })).toBe(1);
      expect(diff({ operation: 'lookup', service: 'pmlp_birth_records', status: '503' })).toBe(1);
      expect(diff({ operation: 'token', service: 'none', status: 'timeout' })).toBe(1);
      expect(sample(text, 'oots_dagr_permission_quota_left', { service: 'pmlp_birth_records' })).toBe(60);
      expect(text).not.toContain('oots_dagr_permission_quota_left{service="ur_company_register"}');
      expect(sample(text, 'oots_dagr_permission_valid_until_seconds', { service: 'pmlp_birth_records' })).toBe(
        Date.parse('2030-01-01T00:00:00Z') / 1000,
      );
      expect(sample(text, 'oots_dagr_circuit_state', { state: 'closed' })).toBe(1);
      expect(watch.snapshot()).toMatchObject({ circuit: 'closed', reachable: true, lastError: undefined });

      circuit = 'open';
      answer = () => Promise.reject(new DagrError('unavailable', 'HTTP 503', { status: 503 }));
      await watch.refresh();
      text = await scrape();
      expect(sample(text, 'oots_dagr_circuit_state', { state: 'open' })).toBe(1);
      expect(sample(text, 'oots_dagr_circuit_state', { state: 'closed' })).toBe(0);
      expect(sample(text, 'oots_dagr_permission_refresh_failures_total')).toBe(1);
      expect(watch.snapshot()).toMatchObject({ circuit: 'open', reachable: false, lastError: 'unavailable: HTTP 503' });
      // The last known quota stays visible while DAGR is away.
      expect(sample(text, 'oots_dagr_permission_quota_left', { service: 'pmlp_birth_records' })).toBe(60);
    } finally {
      watch.stop();
    }
  });

  test('no label value anywhere holds a personal code or a name', async () => {
    const values = labelValues(await scrape());
    expect(values.length).toBeGreaterThan(20);
    for (const v of values) {
      expect(v).not.toMatch(/\d{6}-?\d{5}/);
      expect(v).not.toMatch(/Bērziņa|Kalniņš/i);
    }
  });

  test('registries are per instance: two can live in one process', async () => {
    const a = createMetrics({ defaultMetrics: false });
    const b = createMetrics({ defaultMetrics: false });
    a.recordPreview('opened');
    expect(sample(await a.registry.metrics(), 'oots_preview_total', { stage: 'opened' })).toBe(1);
    expect(sample(await b.registry.metrics(), 'oots_preview_total', { stage: 'opened' })).toBe(0);
  });
});
