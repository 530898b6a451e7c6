/**
 * Lost replies and cut connections between the adapter and Redis, at each step of an exchange:
 * intake (store the request), begin processing, save the answer, mark it delivered. A TCP proxy
 * (test/support/redis-proxy.ts) sits between the store's connection and the real Redis and faults
 * exactly one command of the step under test: its reply dropped (Redis ran it; the client sees a
 * closed connection and ioredis re-sends the command on the new one), the connection closed while
 * it runs, closed before it reaches Redis, or its reply delayed. Requests go through the real REST
 * intake and the real queues and handlers; whatever happens, every accepted request must be
 * answered exactly once (one submitted message per exchange, one MessageId).
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import express from 'express';
import { Redis } from 'ioredis';
import { envelopeFor } from '../../src/cli/send.js';
import { createInboundRouter } from '../../src/connector/rest-inbound.js';
import { generateKey } from '../../src/infra/aead.js';
import type { OutboundMessage } from '../../src/exchange/ports.js';
import { createLogger } from '../../src/infra/logger.js';
import { createQueues, type Queues } from '../../src/queue/queues.js';
import { createRedisClient } from '../../src/infra/redis.js';
import { startDeliverySweep } from '../../src/worker/delivery-sweep.js';
import { createDeliverHandler, createProcessHandler, type HandlerDeps } from '../../src/worker/handlers.js';
import { createExchangeStore, STORE_SCRIPT_SHAS, type ExchangeStore } from '../../src/store/exchange-store.js';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/connector-fixtures.js';
import { exampleRequest, testDeps } from '../support/exchange-fixtures.js';
import { scriptCall, startRedisProxy, type FaultAction, type RedisProxy } from '../support/redis-proxy.js';
import { postEnvelope } from '../support/stress-harness.js';

const logger = createLogger('silent');
const TOKEN = 'redis-faults-test-token-0123456789';
const admin = new Redis(REDIS_URL);
const prefixes: string[] = [];
let proxy: RedisProxy;

beforeAll(async () => {
  proxy = await startRedisProxy({ host: '127.0.0.1', port: 6379 });
});

afterAll(async () => {
  await proxy.close();
  for (const p of prefixes) await deleteKeys(admin, p);
  await admin.quit();
});

interface Rig {
  readonly api: string;
  readonly store: ExchangeStore;
  readonly queues: Queues;
  /** Submitted MessageIds per exchange. */
  readonly submitted: Map<string, string[]>;
  readonly deps: HandlerDeps;
  close(): Promise<void>;
}

/** Intake, store, queues and handlers as main composes them, the store's connection through the proxy. */
async function rig(opts: { workers?: boolean } = {}): Promise<Rig> {
  const prefix = testPrefix('redis-faults').slice(0, -1);
  prefixes.push(prefix);
  // As main opens it: auto-pipelining, commands wait through a reconnect (and are re-sent).
  const client = createRedisClient(proxy.url, { autoPipelining: true });
  const store = createExchangeStore(client, { prefix: `${prefix}:store:`, key: generateKey(), ttlSeconds: 600 });
  const queues = createQueues({
    connection: { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null },
    prefix,
    logger,
    processBackoffMs: 10,
    deliveryBackoffMs: 20,
    deliveryBackoffMaxMs: 40,
  });
  const submitted = new Map<string, string[]>();
  const deps: HandlerDeps = {
    store,
    queues,
    exchange: testDeps(),
    logger,
    submitter: {
      submit(ref: string, message: OutboundMessage) {
        submitted.set(ref, [...(submitted.get(ref) ?? []), message.userMessage.messageId]);
        return Promise.resolve();
      },
    },
  };
  if (opts.workers !== false)
    await queues.startWorkers(
      { process: createProcessHandler(deps), deliver: createDeliverHandler(deps) },
      { concurrency: 2 },
    );
  const app = express();
  app.use(createInboundRouter({ store, queues, token: TOKEN, maxBodyBytes: 1024 * 1024, logger }));
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const api = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  return {
    api,
    store,
    queues,
    submitted,
    deps,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queues.close(2000);
      await client.quit().catch(() => client.disconnect());
    },
  };
}

function envelope(): ReturnType<typeof envelopeFor> {
  const xml = exampleRequest('lv-birth-certificate-pdf').replace(
    /(<query:QueryRequest\b[^>]*\bid=")urn:uuid:[^"]+"/,
    `$1urn:uuid:${randomUUID()}"`,
  );
  const e = envelopeFor(Buffer.from(xml));
  return { ...e, userMessage: { ...e.userMessage, messageId: `${randomUUID()}@requester.invalid` } };
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const STEPS = {
  intake: STORE_SCRIPT_SHAS.accept,
  begin: STORE_SCRIPT_SHAS.begin,
  'save answer': STORE_SCRIPT_SHAS.saveAnswer,
  delivered: STORE_SCRIPT_SHAS.finishDelivered,
} as const;

const ACTIONS: readonly FaultAction[] = [
  { kind: 'drop-reply' },
  { kind: 'close-mid' },
  { kind: 'close-before' },
  { kind: 'delay', ms: 300 },
];

describe.each(Object.entries(STEPS))('a Redis fault at the step "%s"', (step, sha) => {
  test.each(ACTIONS.map((a) => [a.kind, a] as const))(
    '%s: every accepted request is answered exactly once',
    async (_kind, action) => {
      const r = await rig();
      try {
        proxy.clear();
        const rule = proxy.fault(scriptCall(sha), action);
        const envelopes = Array.from({ length: 4 }, envelope);
        // As a connector posts: a 503 or a broken connection is retried with the same envelope.
        const posts = await Promise.all(
          envelopes.map((e) => postEnvelope(r.api, TOKEN, e, { untilAccepted: true, deadlineMs: 15_000 })),
        );
        expect(posts.map((p) => p.status)).toEqual([202, 202, 202, 202]);
        await until(`${step}: the fault fired`, () => rule.fired === 1);
        await until(`${step}: 4 exchanges answered`, () => r.submitted.size === 4);
        for (const ref of r.submitted.keys())
          await until(`${ref} delivered`, async () => (await r.store.getState(ref)) === 'delivered');
        // Time for a second answer to show, should one come.
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect([...r.submitted.values()].map((ids) => new Set(ids).size)).toEqual([1, 1, 1, 1]);
        expect([...r.submitted.values()].map((ids) => ids.length)).toEqual([1, 1, 1, 1]);
      } finally {
        proxy.clear();
        await r.close();
      }
    },
    30_000,
  );
});

describe('a re-run after a fail-over lost the stored answer', () => {
  test('builds the same message: same MessageId, same ids inside', async () => {
    const r = await rig({ workers: false });
    try {
      expect((await postEnvelope(r.api, TOKEN, envelope())).status).toBe(202);
      const ref = (await r.store.listReceived(0, 10))[0]!;
      // Answers stay stored (delivery queued, no deliver worker), as on the master before it died.
      const handler = createProcessHandler({ ...r.deps, deliverInline: false });
      const ctx = { attemptsMade: 0, final: false, log: logger, signal: new AbortController().signal };
      await handler(ref, ctx);
      const first = await r.store.loadOutbound(ref);
      // The replica that takes over had not received the answer: the exchange is `processing` there.
      await admin.hset(`${prefixes.at(-1)!}:store:ex:${ref}`, 'state', 'processing');
      await admin.hdel(`${prefixes.at(-1)!}:store:ex:${ref}`, 'out', 'by');
      await admin.zrem(`${prefixes.at(-1)!}:store:answered`, ref);
      await handler(ref, { ...ctx, attemptsMade: 1 });
      const second = await r.store.loadOutbound(ref);
      expect(first).toBeDefined();
      expect(second!.userMessage.messageId).toBe(first!.userMessage.messageId);
      expect(second!.regrep).toBe(first!.regrep);
      expect(second!.userMessage.payloads).toEqual(first!.userMessage.payloads);
    } finally {
      await r.close();
    }
  });
});

describe('the delivery sweep', () => {
  test('an answer stored and never handed over is found and delivered once', async () => {
    const r = await rig({ workers: false });
    try {
      const e = envelope();
      expect((await postEnvelope(r.api, TOKEN, e)).status).toBe(202);
      // Run the process step by hand, as a worker that died after saving the answer would leave it.
      const ref = (await r.store.listReceived(0, 10))[0]!;
      const begun = await r.store.beginProcessing(ref);
      const message = { ...(await fakeAnswer(r, ref, begun!.inbound!)) };
      expect(await r.store.saveAnswer(ref, message)).toBe('saved');
      await r.queues.bullQueues().process.obliterate({ force: true });
      await r.queues.startWorkers(
        { process: createProcessHandler(r.deps), deliver: createDeliverHandler(r.deps) },
        { concurrency: 1 },
      );
      const sweep = startDeliverySweep({ store: r.store, queues: r.queues, logger, intervalMs: 60_000, graceMs: 0 });
      try {
        expect(await r.store.listAnswered(0, 10)).toEqual([ref]);
        expect(await sweep.runOnce()).toBe(1);
        await until('delivered', async () => (await r.store.getState(ref)) === 'delivered');
        expect(r.submitted.get(ref)).toEqual([message.userMessage.messageId]);
        expect(await r.store.listAnswered(0, 10)).toEqual([]);
        expect(await sweep.runOnce()).toBe(0);
      } finally {
        sweep.stop();
      }
    } finally {
      await r.close();
    }
  });
});

async function fakeAnswer(
  r: Rig,
  ref: string,
  inbound: NonNullable<Awaited<ReturnType<ExchangeStore['beginProcessing']>>>['inbound'] & object,
): Promise<OutboundMessage> {
  const { answerRequest } = await import('../../src/exchange/answer.js');
  const result = await answerRequest(
    { exchangeRef: ref, userMessage: inbound.userMessage, payloads: inbound.payloads },
    r.deps.exchange,
  );
  return result.outbound;
}
