import { readFileSync } from 'node:fs';
import { ConfigError, envExample, loadConfig } from '../../../src/config.js';

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
