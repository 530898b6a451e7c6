/**
 * Deferred answers on a real Redis, the real store, queues, ledger and sweeps, the real DAGR client
 * and the real DAGR sandbox (its record being prepared answers 202 with Retry-After), under one
 * injected clock: the requester gets status Unavailable first and then the evidence, each message
 * once under its own MessageId; a re-run never sends a second notice; a refetch after the answer
 * deadline answers EDM:ERR:0005; a record promised after the deadline is answered EDM:ERR:0005 at
 * once; a refetch job that is lost is queued again by the sweep, without a second answer. Every
 * message is checked against the XSD, our rules and the official Schematron.
 */
import { generateKeyPairSync } from 'node:crypto';
import { Redis } from 'ioredis';
import { envelopeFor } from '../../src/cli/send.js';
import { parseEnvelope, type RestEnvelope } from '../../src/connector/envelope.js';
import { createDagrClient } from '../../src/dagr/client.js';
import { validateMessage } from '../../src/edm/validate.js';
import type { EdmXsdValidator } from '../../src/edm/xsd.js';
import type { OutboundMessage } from '../../src/exchange/ports.js';
import { generateKey } from '../../src/infra/aead.js';
import { AdapterError } from '../../src/errors.js';
import { createLogger } from '../../src/infra/logger.js';
import { createQueues, type Queues } from '../../src/queue/queues.js';
import { createAuditTrail } from '../../src/ops/audit.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { createExchangeObserver } from '../../src/ops/observer.js';
import { loadEdmXsdValidator } from '../../src/resources/edm-xsd.js';
import { loadSandboxDatasets } from '../../src/sandbox/dagr-data-loader.js';
import { startDagrSandbox, type StartedDagrSandbox } from '../../src/sandbox/dagr-server.js';
import { createDeadlineBook } from '../../src/store/deadline-book.js';
import { createDeferralBook } from '../../src/store/deferral-book.js';
import { createExchangeStore } from '../../src/store/exchange-store.js';
import { createRequestLedger } from '../../src/store/request-ledger.js';
import { answerMessageId, noticeMessageId } from '../../src/worker/answer-identity.js';
import { startDeadlineSweep } from '../../src/worker/deadline-sweep.js';
import { createDeliverHandler, createProcessHandler, type HandlerDeps } from '../../src/worker/handlers.js';
import { startRefetchSweep } from '../../src/worker/refetch.js';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/connector-fixtures.js';
import { exampleRequest, testDeps } from '../support/exchange-fixtures.js';
import { runOfficial } from '../support/schematron.js';

const redis = new Redis(REDIS_URL);
const prefixes: string[] = [];
const running: Queues[] = [];
const sandboxes: StartedDagrSandbox[] = [];
const closers: (() => void)[] = [];
const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const DOMAIN = 'oots.example.lv';
const UNAVAILABLE = 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Unavailable';
const SUCCESS = 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success';
let xsd: EdmXsdValidator;

beforeAll(() => {
  xsd = loadEdmXsdValidator();
});

afterAll(async () => {
  await Promise.all(running.map((q) => q.close(2000)));
  for (const c of closers) c();
  for (const s of sandboxes) await s.stop();
  for (const p of prefixes) await deleteKeys(redis, p);
  await redis.quit();
  xsd.dispose();
});

async function rig(opts: { preparingDelaySeconds: number; processBackoffMs?: number; refuseFirst?: number }) {
  const prefix = testPrefix('deferred').slice(0, -1);
  prefixes.push(prefix);
  const key = generateKey();
  let clock = T0;
  const now = (): Date => new Date(clock);
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', {
    write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>),
  });

  // The real DAGR sandbox with the shipped data (and its record being prepared), on our clock.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { datasets, permissions, preparing } = loadSandboxDatasets();
  const dagrSandbox = await startDagrSandbox({
    host: '127.0.0.1',
    port: 0,
    datasets,
    permissions,
    preparing,
    preparingDelaySeconds: opts.preparingDelaySeconds,
    clientId: 'oots-adapter-test',
    clientPublicKey: publicKey,
    clock: () => clock,
  });
  sandboxes.push(dagrSandbox);
  const dagr = createDagrClient({
    baseUrl: dagrSandbox.url,
    clientId: 'oots-adapter-test',
    privateKey,
    timeoutMs: 2000,
    retries: 0,
    clock: () => clock,
  });
  closers.push(() => dagr.close());

  const store = createExchangeStore(redis, { prefix: `${prefix}:store:`, key, ttlSeconds: 3600, now });
  const queues = createQueues({
    connection: { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null },
    prefix,
    logger,
    processAttempts: 5,
    processBackoffMs: opts.processBackoffMs ?? 120_000,
    deliveryBackoffMs: 20,
    deliveryBackoffMaxMs: 40,
  });
  running.push(queues);
  const submitted: OutboundMessage[] = [];
  let refused = 0;
  const deferrals = createDeferralBook(redis, `${prefix}:store:`);
  const metrics = createMetrics({ defaultMetrics: false });
  const audit = createAuditTrail(redis, { prefix: `${prefix}:audit:`, key, now });
  const deps: HandlerDeps = {
    store,
    queues,
    exchange: testDeps({ dagr, now, messageDomain: DOMAIN }),
    logger,
    now,
    submitter: {
      submit(_ref: string, message: OutboundMessage) {
        submitted.push(message);
        if (refused < (opts.refuseFirst ?? 0)) {
          refused++;
          return Promise.reject(new AdapterError('ERR_CONNECTOR_UNAVAILABLE', 'connector answered HTTP 503'));
        }
        return Promise.resolve();
      },
    },
    ledger: createRequestLedger(redis, {
      prefix: `${prefix}:requests:`,
      key,
      replayTtlSeconds: 600,
      pendingTtlSeconds: 900,
    }),
    deadlines: createDeadlineBook(redis, `${prefix}:store:`),
    deferrals,
    observer: createExchangeObserver({ metrics, audit, logger, store }),
    answerDeadlineSeconds: 300,
  };
  await queues.startWorkers(
    { process: createProcessHandler(deps), deliver: createDeliverHandler(deps), onFailed: async () => {} },
    { concurrency: 2 },
  );
  // The sweeps run when the test says (runOnce); `lose` drops the next refetch jobs they queue.
  let lose = 0;
  const refetch = startRefetchSweep({
    deferrals,
    store,
    queues: {
      enqueueProcess: (ref, round) => {
        if (lose > 0) {
          lose--;
          return Promise.resolve();
        }
        return queues.enqueueProcess(ref, round);
      },
    },
    logger,
    now,
    intervalMs: 3_600_000,
  });
  const deadlineSweep = startDeadlineSweep({ deps, intervalMs: 3_600_000 });
  closers.push(
    () => refetch.stop(),
    () => deadlineSweep.stop(),
  );
  async function post(xml: string): Promise<string> {
    const e: RestEnvelope = envelopeFor(Buffer.from(xml, 'utf8'));
    const { userMessage, payloads } = parseEnvelope({
      ...e,
      userMessage: { ...e.userMessage, timestamp: new Date(clock).toISOString() },
    });
    const { exchangeRef } = await store.acceptInbound({ userMessage, payloads, receivedAt: now().toISOString() });
    await queues.enqueueProcess(exchangeRef);
    return exchangeRef;
  }
  return {
    deps,
    store,
    deferrals,
    submitted,
    lines,
    audit,
    exchanges: async (outcome: string): Promise<number> => {
      const m = await metrics.registry.getSingleMetric('oots_exchanges_total')!.get();
      return m.values.filter((v) => v.labels.outcome === outcome).reduce((n, v) => n + v.value, 0);
    },
    refetch,
    deadlineSweep,
    dagrSandbox,
    post,
    loseNext: (n: number) => {
      lose = n;
    },
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

/** The birth-certificate request for the person whose record is being prepared (README). */
const PREPARED_REQUEST = exampleRequest('lv-birth-certificate-pdf')
  .replace('LV/DE/12048814731', 'LV/DE/06068514508')
  .replace('<sdg:FamilyName>Bērziņa</sdg:FamilyName>', '<sdg:FamilyName>Gaidis</sdg:FamilyName>')
  .replace('<sdg:GivenName>Anna</sdg:GivenName>', '<sdg:GivenName>Kārlis</sdg:GivenName>')
  .replace('<sdg:DateOfBirth>1988-04-12</sdg:DateOfBirth>', '<sdg:DateOfBirth>1985-06-06</sdg:DateOfBirth>');

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 400));

function statusOf(xml: string): string | undefined {
  return /<query:QueryResponse[^>]*\bstatus="([^"]+)"/.exec(xml)?.[1];
}

/** XSD, our rules and the official (v1.0) Schematron: no finding at error level. */
function expectClean(message: OutboundMessage): void {
  const report = validateMessage(message.regrep, { xsd });
  expect(report.errors).toEqual([]);
  const official = runOfficial(message.userMessage.action === 'ExceptionResponse' ? 'ERR' : 'RESP', message.regrep);
  // C017/C022/C042: the snapshot's SR host and cid pattern (notes §8), as in the other response tests.
  const ignored = ['R-EDM-RESP-C017', 'R-EDM-RESP-C022', 'R-EDM-RESP-C042', 'R-EDM-ERR-C003'];
  expect(official.filter((f) => f.role === 'error' && !ignored.includes(f.id ?? ''))).toEqual([]);
}

describe('a record being prepared: Unavailable first, then the evidence at the announced time, once', () => {
  test('notice, a re-run that sends nothing, then the evidence from the refetch; each MessageId once', async () => {
    const r = await rig({ preparingDelaySeconds: 120 });
    const ref = await r.post(PREPARED_REQUEST);
    await until('the notice', () => r.submitted.length === 1);
    const notice = r.submitted[0]!;
    expect(notice.userMessage.messageId).toBe(noticeMessageId(ref, DOMAIN));
    expect(notice.userMessage.action).toBe('ExecuteQueryResponse');
    expect(statusOf(notice.regrep)).toBe(UNAVAILABLE);
    expect(notice.regrep).toMatch(
      /ResponseAvailableDateTime">\s*<rim:SlotValue[^>]*>\s*<rim:Value>2026-11-25T10:02:00\.000Z</,
    );
    expect(notice.attachments).toEqual([]);
    expectClean(notice);
    expect(await r.store.getState(ref)).toBe('processing');
    expect(await r.deferrals.dueAt(ref)).toBe(T0 + 120_000);

    // A worker that dies after the notice: its job runs again; DAGR still prepares; no second notice.
    await r.deps.queues.enqueueProcess!(ref, 'rerun');
    await until('the re-run', () => r.dagrSandbox.sandbox.stats().deferred === 2);
    await settle();
    expect(r.submitted).toHaveLength(1);
    // Not due yet: the sweep leaves it.
    r.advance(119_000);
    expect(await r.refetch.runOnce()).toBe(0);

    r.advance(1_000);
    expect(await r.refetch.runOnce()).toBe(1);
    await until('the evidence', () => r.submitted.length === 2);
    const answer = r.submitted[1]!;
    expect(answer.userMessage.messageId).toBe(answerMessageId(ref, DOMAIN));
    expect(statusOf(answer.regrep)).toBe(SUCCESS);
    expect(answer.attachments).toHaveLength(1);
    expectClean(answer);
    // Same exchange: the same conversation and request echoed.
    expect(answer.userMessage.conversationId).toBe(notice.userMessage.conversationId);
    const requestIdOf = (xml: string) => /<query:QueryResponse[^>]*\brequestId="([^"]+)"/.exec(xml)?.[1];
    expect(requestIdOf(answer.regrep)).toBeDefined();
    expect(requestIdOf(answer.regrep)).toBe(requestIdOf(notice.regrep));
    await until('delivered', async () => (await r.store.getState(ref)) === 'delivered');

    // Later rounds: the book is cleared, nothing more leaves.
    r.advance(60_000);
    expect(await r.refetch.runOnce()).toBe(0);
    expect(await r.deferrals.dueAt(ref)).toBeUndefined();
    r.advance(300_000);
    expect(await r.deadlineSweep.runOnce()).toBe(0);
    await settle();
    expect(r.submitted).toHaveLength(2);
    expect(r.dagrSandbox.sandbox.stats()).toMatchObject({ deferred: 2, found: 1 });
    // The audit trail has the notice and the answer, each once; the metrics count both.
    await until('the delivered record', async () =>
      (await r.audit.byExchange(ref)).some((a) => a.event === 'delivered'),
    );
    const trail = (await r.audit.byExchange(ref)).map((a) => [a.event, a.outcome]);
    expect(trail).toEqual([
      ['deferred', 'deferred'],
      ['answered', 'evidence'],
      ['delivered', 'evidence'],
    ]);
    expect(await r.exchanges('deferred')).toBe(1);
    expect(await r.exchanges('evidence')).toBe(1);
  });

  test('a refetch job that is lost is queued again by the next sweep round; one answer only', async () => {
    const r = await rig({ preparingDelaySeconds: 30 });
    const ref = await r.post(PREPARED_REQUEST);
    await until('the notice', () => r.submitted.length === 1);
    r.advance(30_000);
    r.loseNext(1);
    expect(await r.refetch.runOnce()).toBe(1);
    await settle();
    expect(r.submitted).toHaveLength(1);
    expect(await r.store.getState(ref)).toBe('processing');
    // The next round finds it still due and queues it again (a fail-over lost the job, not the book).
    expect(await r.refetch.runOnce()).toBe(1);
    await until('the evidence', () => r.submitted.length === 2);
    expect(r.submitted[1]!.userMessage.messageId).toBe(answerMessageId(ref, DOMAIN));
    expect(r.submitted[1]!.attachments).toHaveLength(1);
    await until('delivered', async () => (await r.store.getState(ref)) === 'delivered');
    // A third round (and a late duplicate of the job) sends nothing more.
    expect(await r.refetch.runOnce()).toBe(0);
    await r.deps.queues.enqueueProcess!(ref, `refetch-${T0 + 30_000}-late`);
    await settle();
    expect(r.submitted).toHaveLength(2);
  });
});

describe('a notice the connector does not take', () => {
  test('the job is retried and the same notice (same MessageId) is sent again; it counts once', async () => {
    const r = await rig({ preparingDelaySeconds: 120, processBackoffMs: 100, refuseFirst: 1 });
    const ref = await r.post(PREPARED_REQUEST);
    await until('the notice, twice', () => r.submitted.length === 2);
    expect(r.submitted.map((m) => m.userMessage.messageId)).toEqual([
      noticeMessageId(ref, DOMAIN),
      noticeMessageId(ref, DOMAIN),
    ]);
    // Ids derived from the exchange, the clock unchanged: the very same document.
    expect(r.submitted[1]!.regrep).toBe(r.submitted[0]!.regrep);
    await settle();
    expect(r.submitted).toHaveLength(2);
    expect(await r.exchanges('deferred')).toBe(1);
    r.advance(120_000);
    expect(await r.refetch.runOnce()).toBe(1);
    await until('the evidence', () => r.submitted.length === 3);
    expect(r.submitted[2]!.userMessage.messageId).toBe(answerMessageId(ref, DOMAIN));
    expect(r.submitted[2]!.attachments).toHaveLength(1);
  });
});

describe('the answer deadline holds (ANSWER_DEADLINE_SECONDS = 300)', () => {
  test('a refetch that runs after the deadline answers EDM:ERR:0005, not the evidence', async () => {
    const r = await rig({ preparingDelaySeconds: 200 });
    const ref = await r.post(PREPARED_REQUEST);
    await until('the notice', () => r.submitted.length === 1);
    expect(statusOf(r.submitted[0]!.regrep)).toBe(UNAVAILABLE);
    // The workers were busy: the refetch comes only past the deadline.
    r.advance(301_000);
    expect(await r.refetch.runOnce()).toBe(1);
    await until('the answer', () => r.submitted.length === 2);
    const answer = r.submitted[1]!;
    expect(answer.userMessage.messageId).toBe(answerMessageId(ref, DOMAIN));
    expect(answer.userMessage.action).toBe('ExceptionResponse');
    expect(answer.regrep).toContain('code="EDM:ERR:0005"');
    expect(answer.regrep).toContain('answer deadline of this request has passed');
    expect(answer.attachments).toEqual([]);
    expectClean(answer);
    await until('delivered', async () => (await r.store.getState(ref)) === 'delivered');
    expect(await r.deadlineSweep.runOnce()).toBe(0);
    expect(await r.refetch.runOnce()).toBe(0);
    await settle();
    expect(r.submitted).toHaveLength(2);
  });

  test('a refetch that never comes: the deadline sweep answers EDM:ERR:0005 at the deadline', async () => {
    const r = await rig({ preparingDelaySeconds: 200 });
    const ref = await r.post(PREPARED_REQUEST);
    await until('the notice', () => r.submitted.length === 1);
    r.advance(300_000);
    expect(await r.deadlineSweep.runOnce()).toBe(1);
    await until('the answer', () => r.submitted.length === 2);
    expect(r.submitted[1]!.regrep).toContain('code="EDM:ERR:0005"');
    expect(r.submitted[1]!.userMessage.messageId).toBe(answerMessageId(ref, DOMAIN));
    expectClean(r.submitted[1]!);
    // The refetch sweep finds it answered and leaves it.
    expect(await r.refetch.runOnce()).toBe(0);
    await settle();
    expect(r.submitted).toHaveLength(2);
  });

  test('a record ready only after the deadline: EDM:ERR:0005 at once, no notice', async () => {
    const r = await rig({ preparingDelaySeconds: 400 });
    const ref = await r.post(PREPARED_REQUEST);
    await until('the answer', () => r.submitted.length === 1);
    const answer = r.submitted[0]!;
    expect(answer.userMessage.messageId).toBe(answerMessageId(ref, DOMAIN));
    expect(answer.regrep).toContain('code="EDM:ERR:0005"');
    expect(answer.regrep).not.toContain(UNAVAILABLE);
    expectClean(answer);
    expect(await r.deferrals.dueAt(ref)).toBeUndefined();
  });
});
