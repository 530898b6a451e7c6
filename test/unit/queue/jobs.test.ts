import { isPayload, JOB_NAMES, JOB_QUEUES, jobId } from '../../../src/queue/jobs.js';
import { cappedBackoff } from '../../../src/queue/queues.js';
import { parseRedisUrl } from '../../../src/infra/redis.js';

describe('job registry', () => {
  test('every job name has a queue and a deterministic id without a lone colon', () => {
    expect(JOB_NAMES.sort()).toEqual(['deliver', 'process']);
    expect(new Set(Object.values(JOB_QUEUES)).size).toBe(2);
    expect(jobId('process', 'xAbC')).toBe('process-xAbC');
    expect(jobId('deliver', 'xAbC')).not.toContain(':');
  });

  test('payloads are exactly { exchangeRef }', () => {
    expect(isPayload({ exchangeRef: 'x1' })).toBe(true);
    expect(isPayload({ exchangeRef: 'x1', personalCode: '010190-12345' })).toBe(false);
    expect(isPayload({ exchangeRef: 1 })).toBe(false);
    expect(isPayload(null)).toBe(false);
  });
});

describe('delivery backoff', () => {
  test('grows exponentially, is capped, and jitters within ±20 %', () => {
    const mid = () => 0.5;
    expect(cappedBackoff(1, 1000, 300_000, mid)).toBe(1000);
    expect(cappedBackoff(4, 1000, 300_000, mid)).toBe(8000);
    expect(cappedBackoff(30, 1000, 300_000, mid)).toBe(300_000);
    expect(cappedBackoff(5000, 1000, 300_000, mid)).toBe(300_000);
    expect(cappedBackoff(30, 1000, 300_000, () => 0)).toBe(240_000);
    expect(cappedBackoff(30, 1000, 300_000, () => 0.999999)).toBeLessThanOrEqual(360_000);
  });
});

describe('REDIS_URL forms', () => {
  test('single, TLS, Sentinel and Cluster', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379/2')).toEqual({ kind: 'single', url: 'redis://127.0.0.1:6379/2' });
    expect(parseRedisUrl('rediss://user:pw@redis.example:6380').kind).toBe('single');
    expect(
      parseRedisUrl('redis-sentinel://:s3cret@10.0.0.1:26379,10.0.0.2/mymaster?db=3&sentinelPassword=sp&tls=1'),
    ).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26379 },
      ],
      name: 'mymaster',
      username: undefined,
      password: 's3cret',
      sentinelPassword: 'sp',
      db: 3,
      tls: true,
    });
    expect(parseRedisUrl('redis-cluster://a:7000,b:7001,[::1]:7002')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'a', port: 7000 },
        { host: 'b', port: 7001 },
        { host: '::1', port: 7002 },
      ],
      username: undefined,
      password: undefined,
      tls: false,
    });
  });

  test('bad forms are configuration errors that do not echo passwords', () => {
    expect(() => parseRedisUrl('redis-sentinel://:pw@h:26379')).toThrow(/master name/);
    let caught: unknown;
    try {
      parseRedisUrl('mysql://root:hunter2@db');
    } catch (e) {
      caught = e;
    }
    expect((caught as { code: string }).code).toBe('ERR_CONFIG_INVALID');
    expect(String((caught as Error).message)).not.toContain('hunter2');
  });
});
