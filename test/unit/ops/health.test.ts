import express from 'express';
import { connectorCheck } from '../../../src/connector/rest.js';
import { dagrCheck, healthRouter, readiness, type HealthCheck } from '../../../src/ops/health.js';
import type { DagrWatch } from '../../../src/ops/metrics.js';
import { serve, type Served } from './serve.js';

let redisUp = true;
const checks: HealthCheck[] = [
  { name: 'redis', check: () => (redisUp ? Promise.resolve() : Promise.reject(new Error('connection refused'))) },
  { name: 'dagr', required: false, check: () => Promise.reject(new Error('circuit breaker open')) },
  // Never answers: must be cut off by its timeout, and see its signal aborted.
  {
    name: 'slow',
    required: false,
    timeoutMs: 50,
    check: (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
  },
];

let served: Served;
beforeAll(async () => {
  const app = express();
  app.use(healthRouter({ checks }));
  served = await serve(app);
});
afterAll(() => served.close());

describe('health', () => {
  test('/healthz answers while the process runs, whatever the dependencies', async () => {
    redisUp = false;
    const res = await fetch(`${served.url}/healthz`);
    redisUp = true;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  test('/readyz is 200 (degraded) when only optional checks fail, 503 when a required one fails', async () => {
    let res = await fetch(`${served.url}/readyz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      status: string;
      checks: Record<string, { status: string; detail?: string; required: boolean }>;
    };
    expect(body.status).toBe('degraded');
    expect(body.checks.redis).toMatchObject({ status: 'ok', required: true });
    expect(body.checks.dagr).toMatchObject({ status: 'fail', required: false, detail: 'circuit breaker open' });
    expect(body.checks.slow).toMatchObject({ status: 'fail', detail: 'no answer within 50 ms' });

    redisUp = false;
    res = await fetch(`${served.url}/readyz`);
    redisUp = true;
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      status: 'not-ready',
      checks: { redis: { status: 'fail', detail: 'connection refused' } },
    });
  });

  test('all checks passing reads ready', async () => {
    expect(await readiness([{ name: 'a', check: () => Promise.resolve('fine') }])).toEqual({
      status: 'ready',
      checks: { a: { status: 'ok', required: true, ms: expect.any(Number) as number, detail: 'fine' } },
    });
  });

  test('dagr check: open circuit or an unreachable DAGR at the last permissions call fail it', async () => {
    const snap = (reachable: boolean | undefined): DagrWatch => ({
      snapshot: () => ({
        circuit: 'closed',
        checkedAt: undefined,
        lastError: reachable === false ? 'timeout: no answer' : undefined,
        reachable,
        permissions: [],
      }),
      refresh: () => Promise.resolve(),
      stop: () => undefined,
    });
    const ctrl = new AbortController();
    await expect(dagrCheck({ breakerState: () => 'closed' }, { watch: snap(true) }).check(ctrl.signal)).resolves.toBe(
      'circuit closed',
    );
    await expect(dagrCheck({ breakerState: () => 'open' }).check(ctrl.signal)).rejects.toThrow('circuit breaker open');
    await expect(
      dagrCheck({ breakerState: () => 'half-open' }, { watch: snap(false) }).check(ctrl.signal),
    ).rejects.toThrow('timeout: no answer');
  });

  test('connector check: any HTTP answer is reachable; a closed port is not', async () => {
    const ctrl = new AbortController();
    await expect(connectorCheck(`${served.url}/no-such-inbox`).check(ctrl.signal)).resolves.toBe('HTTP 404');
    const r = await readiness([connectorCheck('http://127.0.0.1:1/inbox', { required: true, timeoutMs: 2000 })]);
    expect(r.status).toBe('not-ready');
  });
});
