/**
 * One answer for every accepted AS4 message, on a real Redis with the real store, queues, ledger
 * and handlers: the same QueryRequest sent again under new MessageIds (at once, during the first
 * one's DAGR lookup, after its delivery) is answered every time, with the first answer's RegRep
 * document and evidence bytes and one DAGR lookup; the same id with other content or from another
 * requester is a request of its own, counted as a reuse.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { envelopeFor } from '../../src/cli/send.js';
import { parseEnvelope, type RestEnvelope } from '../../src/connector/envelope.js';
import { generateKey } from '../../src/infra/aead.js';
import type { DagrLookupResult, DagrPort, OutboundMessage } from '../../src/exchange/ports.js';
import { createLogger } from '../../src/infra/logger.js';
import { createQueues, type Queues } from '../../src/queue/queues.js';
import {
  createDeliverHandler,
  createProcessHandler,
  startRescueSweep,
  type HandlerDeps,
} from '../../src/worker/handlers.js';
import { createExchangeStore, type ExchangeStore } from '../../src/store/exchange-store.js';
import { createRequestLedger } from '../../src/store/request-ledger.js';
import { createDeadlineBook } from '../../src/store/deadline-book.js';
import { AdapterError } from '../../src/errors.js';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/connector-fixtures.js';
import { exampleRequest, fakeDagr, testDeps } from '../support/exchange-fixtures.js';

const logger = createLogger('silent');
const redis = new Redis(REDIS_URL);
const prefixes: string[] = [];
const running: Queues[] = [];

interface Sent {
  readonly ref: string;
  readonly conversationId: string;
  readonly messageId: string;
}

/** A DAGR port over the sandbox data that can be held (a lookup in progress) and made to fail. */
function gatedDagr(): DagrPort & { calls: number; hold(): void; release(): void; fail: Error | undefined } {
  const inner = fakeDagr();
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  const port = {
    calls: 0,
    fail: undefined as Error | undefined,
    hold() {
      gate = new Promise<void>((r) => (open = r));
    },
    release() {
      open?.();
      gate = undefined;
    },
    async lookup(req: Parameters<DagrPort['lookup']>[0]): Promise<DagrLookupResult> {
      port.calls++;
      if (gate !== undefined) await gate;
      if (port.fail !== undefined) throw port.fail;
      return inner.lookup(req);
    },
  };
  return port;
}

async function rig() {
  const prefix = testPrefix('resend').slice(0, -1);
  prefixes.push(prefix);
  const key = generateKey();
  const store = createExchangeStore(redis, { prefix: `${prefix}:store:`, key, ttlSeconds: 600 });
  const queues = createQueues({
    connection: { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null },
    prefix,
    logger,
    processAttempts: 2,
    processBackoffMs: 10,
    deliveryBackoffMs: 20,
    deliveryBackoffMaxMs: 40,
  });
  running.push(queues);
  const dagr = gatedDagr();
  const delivered: OutboundMessage[] = [];
  const reuse: string[] = [];
  const deps: HandlerDeps = {
    store,
    queues,
    exchange: testDeps({ dagr, uuid: randomUUID }),
    logger,
    submitter: {
      submit(_ref: string, message: OutboundMessage) {
        delivered.push(message);
        return Promise.resolve();
      },
    },
    observer: { onRequestIdReuse: (e) => reuse.push(e.kind) },
    ledger: createRequestLedger(redis, {
      prefix: `${prefix}:requests:`,
      key,
      replayTtlSeconds: 600,
      pendingTtlSeconds: 600,
    }),
    deadlines: createDeadlineBook(redis, `${prefix}:store:`),
  };
  await queues.startWorkers(
    { process: createProcessHandler(deps), deliver: createDeliverHandler(deps) },
    { concurrency: 4 },
  );

  /** Accepts one envelope as the intake does and queues it. */
  async function post(envelope: RestEnvelope): Promise<Sent> {
    const { userMessage, payloads } = parseEnvelope(envelope);
    const { exchangeRef } = await store.acceptInbound({ userMessage, payloads, receivedAt: new Date().toISOString() });
    await queues.enqueueProcess(exchangeRef);
    return { ref: exchangeRef, conversationId: userMessage.conversationId, messageId: userMessage.messageId };
  }
  const answerTo = (s: Sent): OutboundMessage[] =>
    delivered.filter((m) => m.userMessage.conversationId === s.conversationId);
  async function answered(...sent: Sent[]): Promise<OutboundMessage[]> {
    await until(`answers to ${sent.length} message(s)`, () => sent.every((s) => answerTo(s).length > 0));
    return sent.map((s) => {
      const got = answerTo(s);
      expect(got).toHaveLength(1);
      return got[0]!;
    });
  }
  return { dagr, delivered, reuse, post, answered, store, deps };
}

const request = (): string =>
  exampleRequest('lv-birth-certificate-pdf').replace(
    /(<query:QueryRequest\b[^>]*\bid=")urn:uuid:[^"]+"/,
    `$1urn:uuid:${randomUUID()}"`,
  );

/** Same request bytes, a new AS4 message (new MessageId and conversation), as a requester re-sending does. */
const envelope = (xml: string): RestEnvelope => envelopeFor(Buffer.from(xml));

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function sameAnswer(a: OutboundMessage, b: OutboundMessage): void {
  expect(b.regrep).toBe(a.regrep);
  expect(b.attachments.map((p) => Buffer.from(p.bytes).toString('base64'))).toEqual(
    a.attachments.map((p) => Buffer.from(p.bytes).toString('base64')),
  );
  expect(b.userMessage.messageId).not.toBe(a.userMessage.messageId);
}

afterAll(async () => {
  await Promise.all(running.map((q) => q.close(2000)));
  for (const p of prefixes) await deleteKeys(redis, p);
  await redis.quit();
});

describe('the same request sent again under a new MessageId', () => {
  test('two deliveries at once: both answered, one DAGR lookup, the same RegRep and evidence bytes', async () => {
    const r = await rig();
    const xml = request();
    const [a, b] = await Promise.all([r.post(envelope(xml)), r.post(envelope(xml))]);
    const [ansA, ansB] = await r.answered(a, b);
    expect(ansA!.attachments).toHaveLength(1);
    sameAnswer(ansA!, ansB!);
    expect(r.dagr.calls).toBe(1);
    expect(r.delivered).toHaveLength(2);
  });

  test('one during processing waits for the first answer, then gets it too', async () => {
    const r = await rig();
    const xml = request();
    r.dagr.hold();
    const a = await r.post(envelope(xml));
    await until('the first lookup to start', () => r.dagr.calls === 1);
    const b = await r.post(envelope(xml));
    await until('the second to wait', () => r.reuse.includes('resend-waited'));
    expect(r.delivered).toHaveLength(0);
    r.dagr.release();
    const [ansA, ansB] = await r.answered(a, b);
    sameAnswer(ansA!, ansB!);
    expect(r.dagr.calls).toBe(1);
    // Each answer is addressed to its own message's conversation.
    expect(ansB!.userMessage.conversationId).toBe(b.conversationId);
    expect(ansA!.userMessage.conversationId).toBe(a.conversationId);
  });

  test('one after delivery gets the stored answer in a new message (no second lookup)', async () => {
    const r = await rig();
    const xml = request();
    const a = await r.post(envelope(xml));
    const [ansA] = await r.answered(a);
    expect(await r.store.getState(a.ref)).toBe('delivered');
    const b = await r.post(envelope(xml));
    const [ansB] = await r.answered(b);
    sameAnswer(ansA!, ansB!);
    expect(r.dagr.calls).toBe(1);
    expect(r.reuse).toEqual(['resend-replayed']);
  });

  test('the same id with other content is its own request, answered on its merits and counted', async () => {
    const r = await rig();
    const xml = request();
    const other = xml.replace('Stadt Köln, Bürgeramt', 'Stadt Bonn, Bürgeramt');
    expect(other).not.toBe(xml);
    const a = await r.post(envelope(xml));
    await r.answered(a);
    const b = await r.post(envelope(other));
    const [ansB] = await r.answered(b);
    expect(ansB!.regrep).toContain('Stadt Bonn');
    expect(r.dagr.calls).toBe(2);
    expect(r.reuse).toEqual(['other-content']);
  });

  test('the same id and content from another requester is its own request, counted', async () => {
    const r = await rig();
    const xml = request();
    const a = await r.post(envelope(xml));
    await r.answered(a);
    const fromElsewhere = envelope(xml);
    const b = await r.post({
      ...fromElsewhere,
      userMessage: {
        ...fromElsewhere.userMessage,
        from: { ...fromElsewhere.userMessage.from, partyId: 'AP_OTHER_01' },
      },
    });
    await r.answered(b);
    expect(r.dagr.calls).toBe(2);
    expect(r.reuse).toEqual(['other-requester']);
  });

  test('after a timeout answer a re-send is a new attempt, not a replay of EDM:ERR:0005', async () => {
    const r = await rig();
    const xml = request();
    r.dagr.fail = new AdapterError('ERR_DAGR', 'DAGR did not answer in time', { edmCode: 'EDM:ERR:0005' });
    const a = await r.post(envelope(xml));
    const [ansA] = await r.answered(a);
    expect(ansA!.regrep).toContain('EDM:ERR:0005');
    r.dagr.fail = undefined;
    const b = await r.post(envelope(xml));
    const [ansB] = await r.answered(b);
    expect(ansB!.attachments).toHaveLength(1);
  });

  test('a first exchange that failed for good (rescued with EDM:ERR:0008) releases the one waiting: answered on its own', async () => {
    const r = await rig();
    const xml = request();
    r.dagr.hold();
    const a = await r.post(envelope(xml));
    await until('the first lookup to start', () => r.dagr.calls === 1);
    const b = await r.post(envelope(xml));
    await until('the second to wait', () => r.reuse.includes('resend-waited'));
    // The first one's job is written off (as when its worker died too often): the rescue answers it.
    const rescue = startRescueSweep({
      deps: r.deps,
      failedJobs: () => Promise.resolve([{ exchangeRef: a.ref, reason: 'stalled' }]),
      intervalMs: 3_600_000,
    });
    expect(await rescue.runOnce()).toBe(1);
    rescue.stop();
    r.dagr.release();
    const [ansA, ansB] = await r.answered(a, b);
    expect(ansA!.regrep).toContain('EDM:ERR:0008');
    expect(ansB!.attachments).toHaveLength(1);
    expect(r.dagr.calls).toBe(2);
  });
});

describe("no waiter left behind when the owner's hand-over is interrupted", () => {
  test("an owner whose answer was stored but whose job failed before completing the ledger: its retry releases the waiter", async () => {
    const r = await rig();
    const xml = request();
    r.dagr.hold();
    const a = await r.post(envelope(xml));
    await until('the first lookup to start', () => r.dagr.calls === 1);
    const b = await r.post(envelope(xml));
    await until('the second to wait', () => r.reuse.includes('resend-waited'));
    // The owner's save is applied, then its job fails (a durability timeout, a crash): the retry
    // finds the exchange `answered` and must not leave the waiter waiting for a completion that
    // never comes.
    const real = r.store;
    let failOnce = true;
    const deps = r.deps as { store: ExchangeStore };
    deps.store = {
      ...real,
      async saveAnswer(ref, message) {
        const saved = await real.saveAnswer(ref, message);
        if (ref === a.ref && failOnce) {
          failOnce = false;
          throw new Error('WAIT timed out (simulated)');
        }
        return saved;
      },
    };
    r.dagr.release();
    const [ansA, ansB] = await r.answered(a, b);
    expect(ansA!.attachments).toHaveLength(1);
    expect(ansB!.attachments).toHaveLength(1);
    expect(failOnce).toBe(false);
  });

  test('a completion re-sent after a lost reply wakes the same waiters again', async () => {
    const prefix = testPrefix('ledger').slice(0, -1);
    prefixes.push(prefix);
    const ledger = createRequestLedger(redis, {
      prefix: `${prefix}:requests:`,
      key: generateKey(),
      replayTtlSeconds: 60,
      pendingTtlSeconds: 60,
    });
    const key = { requester: 'AP|DE', requestId: `urn:uuid:${randomUUID()}`, canonical: '<x/>' };
    expect((await ledger.claim(key, 'xOwner')).kind).toBe('first');
    expect((await ledger.claim(key, 'xWaiter')).kind).toBe('wait');
    expect(await ledger.complete(key, 'xOwner', undefined)).toEqual(['xWaiter']);
    expect(await ledger.complete(key, 'xOwner', undefined)).toEqual(['xWaiter']);
    expect(await ledger.complete(key, 'xSomeoneElse', undefined)).toEqual([]);
  });

  test('an exchange given up past its delivery deadline is never sent afterwards', async () => {
    const r = await rig();
    const sent = await r.post(envelope(request()));
    await r.answered(sent);
    const { userMessage, payloads } = parseEnvelope(envelope(request()));
    const { exchangeRef } = await r.store.acceptInbound({ userMessage, payloads, receivedAt: new Date().toISOString() });
    await r.store.markState(exchangeRef, 'failed');
    expect(await r.store.saveAnswer(exchangeRef, r.delivered[0]!)).toBe('failed');
    const before = r.delivered.length;
    await createDeliverHandler(r.deps)(exchangeRef, {
      final: false,
      attemptsMade: 0,
      log: logger,
      signal: new AbortController().signal,
    });
    expect(r.delivered.length).toBe(before);
    expect(await r.store.getState(exchangeRef)).toBe('failed');
  });
});
