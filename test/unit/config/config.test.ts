import { readFileSync } from 'node:fs';
import { ConfigError, envExample, loadConfig, startProblems } from '../../../src/config.js';

describe('configuration', () => {
  test('defaults make a complete, frozen configuration', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(8080);
    expect(config.xmlLimits.maxDepth).toBe(64);
    expect(config.evidenceProvider.country).toBe('LV');
    expect(Object.isFrozen(config.http)).toBe(true);
  });

  test('every bad key is reported in one error', () => {
    let caught: unknown;
    try {
      loadConfig({ HTTP_PORT: 'eighty', LOG_LEVEL: 'loud', EP_COUNTRY: 'Latvia' });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    expect(problems).toMatch(/HTTP_PORT/);
    expect(problems).toMatch(/LOG_LEVEL/);
    expect(problems).toMatch(/EP_COUNTRY/);
    expect((caught as ConfigError).code).toBe('ERR_CONFIG_INVALID');
  });

  test('.env.example lists every key with its default', () => {
    expect(readFileSync('.env.example', 'utf8')).toBe(envExample());
  });
});

describe('Redis Cluster prefix', () => {
  test('a QUEUE_PREFIX without a {hash tag} on redis-cluster:// is refused with a message naming the fix', () => {
    const env = { REDIS_URL: 'redis-cluster://127.0.0.1:7000', QUEUE_PREFIX: 'oots' };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(/QUEUE_PREFIX="oots" has no \{hash tag\}.*QUEUE_PREFIX=\{oots\}/);
    expect(loadConfig({ ...env, QUEUE_PREFIX: '{oots}' }).queue.prefix).toBe('{oots}');
    // A single server does not need one.
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', QUEUE_PREFIX: 'oots' }).queue.prefix).toBe('oots');
  });
});

describe('what a role needs to start', () => {
  test('the role rules are reported with the other bad keys, in one error', () => {
    let caught: unknown;
    try {
      loadConfig(
        { HTTP_PORT: 'eighty', CONNECTOR_MODE: 'domibus-ws', ADAPTER_ROLE: 'api' },
        { start: { role: 'worker' } },
      );
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    expect(problems).toMatch(/HTTP_PORT/);
    expect(problems).toMatch(/role worker needs REDIS_URL/);
    expect(problems).toMatch(/DOMIBUS_WS_URL is required unless one process runs everything/);
  });

  test('with REDIS_URL: the key and the inbound token for api, an outbound URL for a worker', () => {
    const redis = { REDIS_URL: 'redis://127.0.0.1:6379' };
    expect(startProblems(loadConfig(redis), 'api')).toEqual([
      'ENCRYPTION_KEY is required when REDIS_URL is set',
      'CONNECTOR_INBOUND_TOKEN is required when REDIS_URL is set',
    ]);
    expect(startProblems(loadConfig(redis), 'worker')).toEqual([
      'ENCRYPTION_KEY is required when REDIS_URL is set',
      'CONNECTOR_OUTBOUND_URL is required for a worker without the embedded stand-in',
    ]);
    // Other commands than start need none of it.
    expect(loadConfig(redis).redis.url).toBe(redis.REDIS_URL);
    expect(() => loadConfig(redis, { start: {} })).toThrow(/ENCRYPTION_KEY is required/);
  });

  test('the embedded default (no REDIS_URL, role all) needs nothing more', () => {
    expect(startProblems(loadConfig({}), 'all')).toEqual([]);
    expect(loadConfig({}, { start: {} }).role).toBe('all');
  });
});

describe('sweeps and rate limits', () => {
  test("default to today's values and are read from their keys", () => {
    const defaults = loadConfig({});
    expect(defaults.sweeps).toEqual({
      recoveryMs: 15_000,
      rescueMs: 15_000,
      deadlineMs: 1000,
      deliveryMs: 15_000,
      recoveryGraceMs: 30_000,
      deliveryGraceMs: 60_000,
    });
    expect(defaults.ops.rateLimits).toEqual({ admin: 1200, preview: 300, validate: 600 });
    const set = loadConfig({ DEADLINE_SWEEP_INTERVAL_MS: '250', RATE_LIMIT_PREVIEW_PER_MINUTE: '30' });
    expect(set.sweeps.deadlineMs).toBe(250);
    expect(loadConfig({ DELIVERY_SWEEP_GRACE_MS: '10000' }).sweeps.deliveryGraceMs).toBe(10_000);
    expect(set.ops.rateLimits.preview).toBe(30);
    expect(() => loadConfig({ RATE_LIMIT_ADMIN_PER_MINUTE: '0' })).toThrow(/RATE_LIMIT_ADMIN_PER_MINUTE/);
  });
});
