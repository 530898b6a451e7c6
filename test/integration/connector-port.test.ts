/**
 * The connector port: a third connector type, written here in the test, is registered through
 * src/connector/registry.ts and selected by CONNECTOR_MODE alone. The whole adapter (role all,
 * real Redis, the embedded DAGR sandbox) then takes a request in through the type's own route and
 * hands the answer to the type's own submitter: nothing outside the connector room names it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config.js';
import { parseEnvelope } from '../../src/connector/envelope.js';
import { classifyByCode, type Connector, type ConnectorDeps } from '../../src/connector/port.js';
import { connectorModes, openConnector, registerConnectorType } from '../../src/connector/registry.js';
import type { OutboundMessage } from '../../src/exchange/ports.js';
import { createLogger } from '../../src/infra/logger.js';
import { start, type Running } from '../../src/main.js';
import { deleteKeys, REDIS_URL, requestEnvelope } from '../support/connector-fixtures.js';

const MODE = 'test-loop';
const IN_PATH = '/test-loop/in';
const prefix = `{test-port-${randomBytes(4).toString('hex')}}`;
const dataDir = mkdtempSync(path.join(tmpdir(), 'oots-connector-port-'));
const answers: { exchangeRef: string; message: OutboundMessage }[] = [];
let opened: { role: string; stoppedIntake: boolean; closed: boolean } | undefined;

/** The whole connector type: one intake route, a submitter that keeps what it is given, a health check. */
function openLoop(deps: ConnectorDeps): Promise<Connector> {
  const state = { role: deps.role, stoppedIntake: false, closed: false };
  opened = state;
  const intake = deps.intake;
  const router = express.Router();
  router.post(IN_PATH, express.json({ limit: '1mb' }), (req, res, next) => {
    if (intake === undefined) return next();
    const { userMessage, payloads } = parseEnvelope(req.body, { action: 'ExecuteQueryRequest' });
    intake.store
      .acceptInbound({ userMessage, payloads, receivedAt: new Date().toISOString() })
      .then(async ({ exchangeRef }) => {
        await intake.queues.enqueueProcess(exchangeRef);
        res.status(202).json({ exchangeRef });
      })
      .catch(next);
  });
  return Promise.resolve({
    mode: MODE,
    routes: deps.role === 'worker' ? [] : [router],
    startIntake: () => undefined,
    stopIntake: () => {
      state.stoppedIntake = true;
      return Promise.resolve();
    },
    submitter: {
      submit(exchangeRef, message) {
        answers.push({ exchangeRef, message });
        return Promise.resolve();
      },
      classifyFailure: classifyByCode,
    },
    health: { name: 'connector', required: false, check: () => Promise.resolve('loop ready') },
    sandbox: () => ({}),
    close: () => {
      state.closed = true;
      return Promise.resolve();
    },
  });
}

async function eventually<T>(probe: () => T | undefined, what: string, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let running: Running | undefined;
const redis = new Redis(REDIS_URL, { lazyConnect: true });

beforeAll(() => {
  registerConnectorType(MODE, { open: openLoop });
});

afterAll(async () => {
  await running?.stop();
  await deleteKeys(redis, prefix);
  redis.disconnect();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('connector port', () => {
  test('a registered type is a CONNECTOR_MODE; an unknown mode is a configuration error', async () => {
    expect(connectorModes()).toEqual(['rest', 'domibus-ws', MODE]);
    expect(() => registerConnectorType(MODE, { open: openLoop })).toThrow(/already registered/);
    await expect(openConnector('carrier-pigeon', {} as ConnectorDeps)).rejects.toMatchObject({
      code: 'ERR_CONFIG_INVALID',
      message: expect.stringContaining('CONNECTOR_MODE="carrier-pigeon" must be one of rest, domibus-ws, test-loop'),
    });
  });

  test('a request flows in through the type’s route and its answer out through the type’s submitter', async () => {
    const config = loadConfig({
      CONNECTOR_MODE: MODE,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      DATA_DIR: dataDir,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      LOG_LEVEL: 'silent',
      PARSE_THREADS: '1',
    });
    running = await start(config, { logger: createLogger('silent') });
    expect(opened).toMatchObject({ role: 'all', stoppedIntake: false });
    // No REST intake and no REST stand-in in another mode.
    expect(running.sandbox.connector).toBeUndefined();
    const refused = await fetch(`${running.url}/connector/messages`, { method: 'POST' });
    expect(refused.status).toBe(404);

    const envelope = requestEnvelope();
    const res = await fetch(`${running.url}${IN_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(envelope),
    });
    expect(res.status).toBe(202);
    const { exchangeRef } = (await res.json()) as { exchangeRef: string };

    const answer = await eventually(
      () => answers.find((a) => a.exchangeRef === exchangeRef),
      'the answer at the test connector',
    );
    expect(answer.message.userMessage.conversationId).toBe(envelope.userMessage.conversationId);
    expect(['ExecuteQueryResponse', 'ExceptionResponse']).toContain(answer.message.userMessage.action);

    // Its health check is the connector's readiness check.
    const ready = (await (await fetch(`${running.url}/readyz`)).json()) as {
      checks: Record<string, { status: string; detail?: string }>;
    };
    expect(ready.checks.connector).toMatchObject({ status: 'ok', detail: 'loop ready' });

    await running.stop();
    running = undefined;
    expect(opened).toMatchObject({ stoppedIntake: true, closed: true });
  }, 60_000);
});
