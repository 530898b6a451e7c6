/**
 * Answer and delivery deadlines on a real Redis with the real store, queues, ledger, audit trail
 * and metrics, under an injected clock: DAGR down past the answer deadline → EDM:ERR:0005 at the
 * deadline (from the deadline sweep) and no evidence later; a request that arrives past it →
 * EDM:ERR:0005 at once, saying why; a connector refusing past the delivery deadline → the exchange
 * `failed` in the audit trail, counted, and alerted, nothing retried for ever.
 */
import { Redis } from 'ioredis';
import { envelopeFor } from '../../src/cli/send.js';
import { parseEnvelope, type RestEnvelope } from '../../src/connector/envelope.js';
import { generateKey } from '../../src/infra/aead.js';
import { AdapterError } from '../../src/errors.js';
import type { DagrLookupResult, DagrPort, OutboundMessage, PreviewPort } from '../../src/exchange/ports.js';
import { createAuditTrail } from '../../src/ops/audit.js';
import { createExchangeAlerts } from '../../src/ops/exchange-alerts.js';
import { createLogger } from '../../src/infra/logger.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { createQueues, type Queues } from '../../src/queue/queues.js';
import { startDeadlineSweep } from '../../src/worker/deadline-sweep.js';
import {
  createDeliverHandler,
  createProcessHandler,
  onDeliveryGivenUp,
  type HandlerDeps,
} from '../../src/worker/handlers.js';
import { createExchangeObserver } from '../../src/ops/observer.js';
import { createDeadlineBook } from '../../src/store/deadline-book.js';
import { createExchangeStore } from '../../src/store/exchange-store.js';
import { createRequestLedger } from '../../src/store/request-ledger.js';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/connector-fixtures.js';
import { asV2, exampleRequest, fakeDagr, testDeps } from '../support/exchange-fixtures.js';

const redis = new Redis(REDIS_URL);
const prefixes: string[] = [];
const running: Queues[] = [];
const T0 = Date.parse('2026-11-25T10:00:00.000Z');

async function rig(opts: { refuseDeliveries?: boolean; preview?: PreviewPort } = {}) {
  const prefix = testPrefix('deadlines').slice(0, -1);
  prefixes.push(prefix);
  const key = generateKey();
  let clock = T0;
  const now = (): Date => new Date(clock);
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', {
    write: (l: string) => {
      lines.push(JSON.parse(l) as Record<string, unknown>);
    },
  });
  const store = createExchangeStore(redis, { prefix: `${prefix}:store:`, key, ttlSeconds: 3600, now });
  const queues = createQueues({
    connection: { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null },
    prefix,
    logger,
    processAttempts: 5,
    // Long enough that no retry runs during a test: what happens at the deadline is the sweep's doing.
    processBackoffMs: 120_000,
    deliveryBackoffMs: 20,
    deliveryBackoffMaxMs: 40,
  });
  running.push(queues);
  const inner = fakeDagr();
  const dagr = {
    down: false,
    calls: 0,
    lookup(req: Parameters<DagrPort['lookup']>[0]): Promise<DagrLookupResult> {
      dagr.calls++;
      if (dagr.down)
        return Promise.reject(new AdapterError('ERR_DAGR', 'DAGR unavailable (HTTP 503)', { edmCode: 'EDM:ERR:0005' }));
      return inner.lookup(req);
    },
  };
  const submitted: OutboundMessage[] = [];
  const metrics = createMetrics({ defaultMetrics: false });
  const audit = createAuditTrail(redis, { prefix: `${prefix}:audit:`, key, now });
  const alerts = createExchangeAlerts({ registry: metrics.registry, logger });
  const base = createExchangeObserver({ metrics, audit, logger, store });
  const deps: HandlerDeps = {
    store,
    queues,
    exchange: testDeps({ dagr, now, ...(opts.preview === undefined ? {} : { preview: opts.preview }) }),
    logger,
    now,
    submitter: {
      submit(_ref: string, message: OutboundMessage) {
        submitted.push(message);
        if (opts.refuseDeliveries === true)
          return Promise.reject(new AdapterError('ERR_CONNECTOR_UNAVAILABLE', 'connector answered HTTP 503'));
        return Promise.resolve();
      },
    },
    observer: {
      ...base,
      onRequestIdReuse: (e) => alerts.onRequestIdReuse(e),
      onDeadline: (e) => alerts.onDeadline(e),
    },
    ledger: createRequestLedger(redis, {
      prefix: `${prefix}:requests:`,
      key,
      replayTtlSeconds: 600,
      pendingTtlSeconds: 900,
    }),
    deadlines: createDeadlineBook(redis, `${prefix}:store:`),
    answerDeadlineSeconds: 300,
    deliveryDeadlineSeconds: 3600,
  };
  await queues.startWorkers(
    {
      process: createProcessHandler(deps),
      deliver: createDeliverHandler(deps),
      onFailed: async (name, ref, error) => {
        if (name === 'deliver') await onDeliveryGivenUp(deps, ref, error);
      },
    },
    { concurrency: 2 },
  );
  const sweep = startDeadlineSweep({ deps, intervalMs: 3_600_000 });
  async function post(envelope: RestEnvelope): Promise<string> {
    const { userMessage, payloads } = parseEnvelope(envelope);
    const { exchangeRef } = await store.acceptInbound({ userMessage, payloads, receivedAt: now().toISOString() });
    await queues.enqueueProcess(exchangeRef);
    return exchangeRef;
  }
  const counter = async (kind: string): Promise<number> => {
    const m = await metrics.registry.getSingleMetric('oots_deadlines_total')!.get();
    return m.values.find((v) => v.labels.kind === kind)?.value ?? 0;
  };
  return {
    dagr,
    deps,
    store,
    audit,
    submitted,
    lines,
    sweep,
    post,
    counter,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

/** The example request as a connector delivers it, stamped (ebMS Timestamp) at `stampedAt`. */
function envelopeAt(stampedAt: number): RestEnvelope {
  const e = envelopeFor(Buffer.from(exampleRequest('lv-birth-certificate-pdf'), 'utf8'));
  return { ...e, userMessage: { ...e.userMessage, timestamp: new Date(stampedAt).toISOString() } };
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
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

describe('the answer deadline (ebMS Timestamp + ANSWER_DEADLINE_SECONDS)', () => {
  test('DAGR down past the deadline: EDM:ERR:0005 at the deadline, and no evidence later', async () => {
    const r = await rig();
    r.dagr.down = true;
    const ref = await r.post(envelopeAt(T0));
    await until('the first attempt to fail', () => r.dagr.calls === 1);
    await until('the exchange to wait for its retry', async () => (await r.store.getState(ref)) === 'processing');
    // Before the deadline the sweep leaves it alone: the retries may still bring the evidence.
    r.advance(299_000);
    expect(await r.sweep.runOnce()).toBe(0);
    expect(r.submitted).toHaveLength(0);
    r.advance(1_000);
    expect(await r.sweep.runOnce()).toBe(1);
    await until('the EDM:ERR:0005 answer to leave', () => r.submitted.length === 1);
    expect(r.submitted[0]!.regrep).toContain('code="EDM:ERR:0005"');
    expect(r.submitted[0]!.regrep).toContain('before the answer deadline');
    await until('delivered', async () => (await r.store.getState(ref)) === 'delivered');
    expect(await r.counter('answer-at-deadline')).toBe(1);

    // DAGR back, and the retry runs late: nothing more leaves for this request.
    r.dagr.down = false;
    await r.deps.queues.enqueueProcess!(ref, 'late-retry');
    await new Promise((res) => setTimeout(res, 500));
    expect(r.submitted).toHaveLength(1);
    expect(await r.sweep.runOnce()).toBe(0);
  });

  test('a request that arrives past its deadline: EDM:ERR:0005 at once, saying why, no DAGR call', async () => {
    const r = await rig();
    const ref = await r.post(envelopeAt(T0 - 301_000));
    await until('the answer', () => r.submitted.length === 1);
    const regrep = r.submitted[0]!.regrep;
    expect(regrep).toContain('code="EDM:ERR:0005"');
    expect(regrep).toMatch(
      /answer deadline of this request has passed \(ebMS Timestamp 2026-11-25T09:54:59\.000Z \+ 300 s/,
    );
    expect(r.dagr.calls).toBe(0);
    await until('delivered', async () => (await r.store.getState(ref)) === 'delivered');
    expect(await r.counter('answer-late')).toBe(1);
  });

  test('a request within its deadline is answered with evidence as before', async () => {
    const r = await rig();
    await r.post(envelopeAt(T0 - 299_000));
    await until('the answer', () => r.submitted.length === 1);
    expect(r.submitted[0]!.attachments).toHaveLength(1);
  });
});

describe('the preview deadlines stay as they are', () => {
  test('a v2.0 request #2 (and its re-send) waiting for the decision past T1 is not cut by the answer deadline', async () => {
    let decided = false;
    const preview: PreviewPort = {
      open: () => Promise.reject(new Error('not used')),
      resolve: () =>
        Promise.resolve(decided ? { status: 'decided', sessionId: 's1', approved: [] } : { status: 'parked' }),
    };
    const r = await rig({ preview });
    const slots =
      '<rim:Slot name="PreviewLocation"><rim:SlotValue xsi:type="rim:StringValueType"><rim:Value>https://preview.example/preview/s1</rim:Value></rim:SlotValue></rim:Slot>' +
      '<rim:Slot name="ReturnLocation"><rim:SlotValue xsi:type="rim:StringValueType"><rim:Value>https://portal.example/back</rim:Value></rim:SlotValue></rim:Slot>';
    const xml = asV2(exampleRequest('lv-birth-certificate-pdf'))
      .replace(/(PossibilityForPreview">\s*<rim:SlotValue[^>]*>\s*<rim:Value>)false/, '$1true')
      .replace('<rim:Slot name="PossibilityForPreview">', `${slots}<rim:Slot name="PossibilityForPreview">`);
    const stamp = (e: RestEnvelope): RestEnvelope => ({
      ...e,
      userMessage: { ...e.userMessage, timestamp: new Date(T0).toISOString() },
    });
    const parked = await r.post(stamp(envelopeFor(Buffer.from(xml, 'utf8'))));
    await until('parked', () => r.lines.some((l) => l.msg === 'waiting for the preview decision'));
    const resend = await r.post(stamp(envelopeFor(Buffer.from(xml, 'utf8'))));
    await until('the re-send to wait', () =>
      r.lines.some((l) => l.exchangeRef === resend && /being answered by another exchange/.test(String(l.msg))),
    );
    r.advance(20 * 60_000);
    expect(await r.sweep.runOnce()).toBe(0);
    expect(r.submitted).toHaveLength(0);
    decided = true;
    await r.deps.queues.enqueueProcess!(parked, 'preview');
    await until('both answered', () => r.submitted.length === 2);
    for (const m of r.submitted) expect(m.regrep).toContain('ResponseStatusType:Success');
  });
});

describe('the delivery deadline (receipt + DELIVERY_DEADLINE_SECONDS)', () => {
  test('a connector refusing past it: the exchange failed in the audit trail, counted and alerted; no more attempts', async () => {
    const r = await rig({ refuseDeliveries: true });
    const ref = await r.post(envelopeAt(T0));
    await until('a few delivery attempts', () => r.submitted.length >= 3);
    expect(await r.store.getState(ref)).toBe('answered');
    r.advance(3_600_000);
    await until('the exchange to be given up', async () => (await r.store.getState(ref)) === 'failed');
    const attempts = r.submitted.length;
    await until('the audit record', async () =>
      (await r.audit.byExchange(ref)).some((a) => a.event === 'delivery-failed'),
    );
    expect(await r.counter('delivery')).toBe(1);
    expect(r.lines.some((l) => l.alert === 'delivery-deadline' && l.exchangeRef === ref)).toBe(true);
    await new Promise((res) => setTimeout(res, 500));
    expect(r.submitted.length).toBe(attempts);
  });
});
