/**
 * The queue handlers on a real Redis with the real store and queues: the answer leaves from the
 * process job itself when the connector takes it, the deliver queue carries only what it did not
 * take (retries with the same stored message), and a paused deliver queue holds every answer.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { envelopeFor } from '../../src/cli/send.js';
import { parseEnvelope } from '../../src/connector/envelope.js';
import { generateKey } from '../../src/crypto/aead.js';
import { AdapterError } from '../../src/errors.js';
import type { OutboundMessage } from '../../src/exchange/ports.js';
import { createLogger } from '../../src/ops/logger.js';
import { createQueues, type Queues } from '../../src/queue/queues.js';
import { createDeliverHandler, createProcessHandler, type HandlerDeps } from '../../src/runtime/handlers.js';
import { createExchangeStore, type ExchangeState } from '../../src/store/exchange-store.js';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/connector-fixtures.js';
import { exampleRequest, testDeps } from '../support/exchange-fixtures.js';

const logger = createLogger('silent');
const redis = new Redis(REDIS_URL);
const prefixes: string[] = [];
const running: Queues[] = [];

interface Rig {
  readonly queues: Queues;
  readonly submitted: string[];
  post(): Promise<string>;
  state(ref: string): Promise<ExchangeState | undefined>;
}

/** Store, queues and handlers on a fresh prefix; the connector refuses the first `failures` submits. */
async function rig(failures = 0): Promise<Rig> {
  const prefix = testPrefix('handlers').slice(0, -1);
  prefixes.push(prefix);
  const store = createExchangeStore(redis, { prefix: `${prefix}:store:`, key: generateKey(), ttlSeconds: 600 });
  const queues = createQueues({
    connection: { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null },
    prefix,
    logger,
    processBackoffMs: 10,
    deliveryBackoffMs: 20,
    deliveryBackoffMaxMs: 40,
  });
  running.push(queues);
  const submitted: string[] = [];
  let refusals = failures;
  const deps: HandlerDeps = {
    store,
    queues,
    exchange: testDeps(),
    logger,
    submitter: {
      submit(_ref: string, message: OutboundMessage) {
        submitted.push(message.userMessage.messageId);
        if (refusals-- > 0)
          return Promise.reject(new AdapterError('ERR_CONNECTOR_UNAVAILABLE', 'connector answered HTTP 503'));
        return Promise.resolve();
      },
    },
  };
  await queues.startWorkers(
    { process: createProcessHandler(deps), deliver: createDeliverHandler(deps) },
    { concurrency: 2 },
  );
  return {
    queues,
    submitted,
    async post() {
      const xml = exampleRequest('lv-birth-certificate-pdf').replace(
        /(<query:QueryRequest\b[^>]*\bid=")urn:uuid:[^"]+"/,
        `$1urn:uuid:${randomUUID()}"`,
      );
      const { userMessage, payloads } = parseEnvelope(envelopeFor(Buffer.from(xml)));
      const { exchangeRef } = await store.acceptInbound({
        userMessage,
        payloads,
        receivedAt: new Date().toISOString(),
      });
      await queues.enqueueProcess(exchangeRef);
      return exchangeRef;
    },
    state: (ref) => store.getState(ref),
  };
}

async function until(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

afterAll(async () => {
  await Promise.all(running.map((q) => q.close(2000)));
  for (const p of prefixes) await deleteKeys(redis, p);
  await redis.quit();
});

describe('process and deliver handlers', () => {
  test('an accepted answer leaves from the process job: one submit, no deliver job', async () => {
    const r = await rig();
    const ref = await r.post();
    await until('delivered', async () => (await r.state(ref)) === 'delivered');
    expect(r.submitted).toHaveLength(1);
    const counts = (await r.queues.counts()).deliver;
    expect(counts.waiting + counts.delayed + counts.active + counts.completed + counts.failed).toBe(0);
  });

  test('a refused submit goes to the deliver queue, which resends the same stored message until accepted', async () => {
    const r = await rig(2);
    const ref = await r.post();
    await until('delivered', async () => (await r.state(ref)) === 'delivered');
    expect(r.submitted).toHaveLength(3);
    expect(new Set(r.submitted).size).toBe(1);
    expect((await r.queues.counts()).deliver.completed).toBe(1);
  });

  test('a paused deliver queue holds the answer; nothing leaves until ops resume it', async () => {
    const r = await rig();
    await r.queues.pause('deliver');
    const ref = await r.post();
    await until('answered', async () => (await r.state(ref)) === 'answered');
    await until('queued for delivery', async () => (await r.queues.counts()).deliver.waiting === 1);
    expect(r.submitted).toHaveLength(0);
    await r.queues.resume('deliver');
    await until('delivered', async () => (await r.state(ref)) === 'delivered');
    expect(r.submitted).toHaveLength(1);
  });
});
