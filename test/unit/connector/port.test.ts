/** The connector port's classification and the built-in types' role rules, without Redis or sockets. */
import { loadConfig } from '../../../src/config.js';
import { classifyDomibusFailure } from '../../../src/connector/domibus/index.js';
import { classifyByCode, type ConnectorDeps } from '../../../src/connector/port.js';
import { openConnector } from '../../../src/connector/registry.js';
import { AdapterError } from '../../../src/errors.js';
import { keyspaces } from '../../../src/infra/keys.js';
import { createLogger } from '../../../src/infra/logger.js';

const refused = new AdapterError('ERR_CONNECTOR_REFUSED', 'no');
const unavailable = new AdapterError('ERR_CONNECTOR_UNAVAILABLE', 'later');
const pending = new AdapterError('ERR_DOMIBUS_PENDING', 'not acknowledged yet');

function deps(
  env: Record<string, string>,
  role: ConnectorDeps['role'],
  extra: Partial<ConnectorDeps> = {},
): ConnectorDeps {
  const none = (): Promise<never> => Promise.reject(new Error('not used'));
  return {
    config: loadConfig({ LOG_LEVEL: 'silent', ...env }),
    role,
    redis: {} as ConnectorDeps['redis'],
    keys: keyspaces('{unit}'),
    logger: createLogger('silent'),
    store: { acceptInbound: none, getState: none, listReceived: none },
    queues: { enqueueProcess: none },
    intake: undefined,
    inboundToken: undefined,
    baseUrl: () => 'http://127.0.0.1:1',
    dataDir: '/nonexistent',
    standins: {},
    ...extra,
  };
}

describe('submission failures', () => {
  test('by code: refused gives up, everything else is retried', () => {
    expect(classifyByCode(refused)).toBe('give-up');
    expect(classifyByCode(unavailable)).toBe('retry');
    expect(classifyByCode(pending)).toBe('retry');
    expect(classifyByCode(new Error('socket hang up'))).toBe('retry');
  });

  test('Domibus: submitted but not acknowledged is pending, the rest as every connector', () => {
    expect(classifyDomibusFailure(pending)).toBe('pending');
    expect(classifyDomibusFailure(refused)).toBe('give-up');
    expect(classifyDomibusFailure(unavailable)).toBe('retry');
  });
});

describe('built-in types by role', () => {
  test('rest on a worker: a submitter and a reachability check, no routes', async () => {
    const c = await openConnector('rest', deps({ CONNECTOR_OUTBOUND_URL: 'http://127.0.0.1:1/inbox' }, 'worker'));
    try {
      expect(c.mode).toBe('rest');
      expect(c.routes).toHaveLength(0);
      expect(c.submitter?.classifyFailure(refused)).toBe('give-up');
      expect(c.health?.name).toBe('connector');
    } finally {
      await c.close();
    }
  });

  test('rest on an api: the intake route, no submitter; a token is required', async () => {
    const intake = { store: deps({}, 'api').store, queues: deps({}, 'api').queues };
    const env = { CONNECTOR_OUTBOUND_URL: 'http://127.0.0.1:1/inbox' };
    await expect(openConnector('rest', deps(env, 'api', { intake }))).rejects.toThrow(/CONNECTOR_INBOUND_TOKEN/);
    const c = await openConnector('rest', deps(env, 'api', { intake, inboundToken: 'x'.repeat(32) }));
    expect(c.routes).toHaveLength(1);
    expect(c.submitter).toBeUndefined();
    expect(c.health).toBeUndefined();
    await c.close();
  });

  test('rest on a worker without an outbound URL refuses to start', async () => {
    await expect(openConnector('rest', deps({}, 'worker'))).rejects.toThrow(/CONNECTOR_OUTBOUND_URL is required/);
  });

  test('domibus-ws without DOMIBUS_WS_URL needs role all and its stand-in', async () => {
    await expect(openConnector('domibus-ws', deps({ CONNECTOR_MODE: 'domibus-ws' }, 'api'))).rejects.toThrow(
      /DOMIBUS_WS_URL is required/,
    );
  });
});
