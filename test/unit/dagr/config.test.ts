import { ConfigError, loadConfig } from '../../../src/config.js';

describe('DAGR configuration', () => {
  test('defaults: the embedded sandbox, Bearer, bounded calls', () => {
    expect(loadConfig({}).dagr).toEqual({
      baseUrl: undefined,
      clientId: 'oots-adapter-sandbox',
      privateKeyFile: undefined,
      tokenPath: '/token',
      authScheme: 'Bearer',
      timeoutMs: 8000,
      retries: 3,
      breaker: { failureThreshold: 5, resetAfterMs: 30000 },
    });
  });

  test('a real DAGR needs the connection key; DAGR_AUTH_SCHEME=none sends the bare token', () => {
    expect(() => loadConfig({ DAGR_BASE_URL: 'https://test.dagr.gov.lv' })).toThrow(/DAGR_PRIVATE_KEY_FILE/);
    const config = loadConfig({
      DAGR_BASE_URL: 'https://test.dagr.gov.lv',
      DAGR_PRIVATE_KEY_FILE: '/etc/oots/dagr.key',
      DAGR_CLIENT_ID: 'conn-42',
      DAGR_AUTH_SCHEME: 'none',
      DAGR_TOKEN_PATH: 'https://test.dagr.gov.lv/auth/token',
    });
    expect(config.dagr).toMatchObject({ baseUrl: 'https://test.dagr.gov.lv', authScheme: '', clientId: 'conn-42' });
  });

  test('bad values are reported together', () => {
    let caught: unknown;
    try {
      loadConfig({
        DAGR_BASE_URL: 'ftp://x',
        DAGR_RETRIES: '99',
        DAGR_TOKEN_PATH: 'token',
        DAGR_AUTH_SCHEME: 'Bearer token',
      });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const text = (caught as ConfigError).problems.join('\n');
    for (const key of ['DAGR_BASE_URL', 'DAGR_RETRIES', 'DAGR_TOKEN_PATH', 'DAGR_AUTH_SCHEME'])
      expect(text).toContain(key);
  });
});
