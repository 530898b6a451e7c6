/**
 * The exchange observer across processes, on a real Redis: the answer's summary is stored with the
 * answer, so an answer saved by one worker process and delivered (or given up) by another gets the
 * same audit records and metrics as one delivered by the process that answered it. Nothing is
 * remembered in the observer, and it reads no XML.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { envelopeFor } from '../../src/cli/send.js';
import { parseEnvelope } from '../../src/connector/envelope.js';
import { generateKey } from '../../src/infra/aead.js';
import { createLogger } from '../../src/infra/logger.js';
import { createAuditTrail, type AuditRecord } from '../../src/ops/audit.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { createExchangeObserver } from '../../src/ops/observer.js';
import type { JobContext } from '../../src/queue/queues.js';
import { createExchangeStore } from '../../src/store/exchange-store.js';
import {
  createDeliverHandler,
  createProcessHandler,
  onDeliveryGivenUp,
  type HandlerDeps,
} from '../../src/worker/handlers.js';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/connector-fixtures.js';
import { exampleRequest, testDeps } from '../support/exchange-fixtures.js';

const logger = createLogger('silent');
const redis = new Redis(REDIS_URL);
const prefix = testPrefix('observer').slice(0, -1);
const key = generateKey();

afterAll(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
});

const ctx: JobContext = { attemptsMade: 0, final: false, log: logger, signal: new AbortController().signal };

/** One worker process: its own store client, audit trail, metrics and observer on the shared prefix. */
function workerProcess() {
  const client = new Redis(REDIS_URL);
  const store = createExchangeStore(client, { prefix: `${prefix}:store:`, key, ttlSeconds: 600 });
  const audit = createAuditTrail(client, { prefix: `${prefix}:audit:`, key });
  const metrics = createMetrics({ defaultMetrics: false });
  const observer = createExchangeObserver({ metrics, audit, logger, store });
  const deliveries: string[] = [];
  const subjects: (string | undefined)[] = [];
  const deps: HandlerDeps = {
    store,
    queues: {
      enqueueDelivery: (ref) => {
        deliveries.push(ref);
        return Promise.resolve();
      },
    },
    exchange: testDeps(),
    logger,
    submitter: {
      submit: () => Promise.resolve(),
    },
    observer: {
      ...observer,
      onAnswered: async (e) => {
        subjects.push(e.result.parties.subjectIdentifier);
        await observer.onAnswered?.(e);
      },
    },
  };
  return {
    client,
    store,
    audit,
    metrics,
    deps,
    deliveries,
    subjects,
    process: createProcessHandler(deps),
    deliver: createDeliverHandler(deps),
  };
}
type Worker = ReturnType<typeof workerProcess>;

async function post(w: Worker): Promise<string> {
  const xml = exampleRequest('lv-birth-certificate-pdf').replace(
    /(<query:QueryRequest\b[^>]*\bid=")urn:uuid:[^"]+"/,
    `$1urn:uuid:${randomUUID()}"`,
  );
  const { userMessage, payloads } = parseEnvelope(envelopeFor(Buffer.from(xml)));
  const { exchangeRef } = await w.store.acceptInbound({ userMessage, payloads, receivedAt: new Date().toISOString() });
  return exchangeRef;
}

async function recordsOf(w: Worker, ref: string, count: number): Promise<AuditRecord[]> {
  for (let i = 0; i < 100; i++) {
    const records = await w.audit.byExchange(ref);
    if (records.length >= count) return records;
    await new Promise((r) => setTimeout(r, 20));
  }
  return w.audit.byExchange(ref);
}

/** A record without what differs between two exchanges (ids, times, references). */
function comparable(r: AuditRecord): Partial<AuditRecord> {
  const { event, requester, evidenceType, mappingId, mappingVersion, outcome, edmCode, detail, subjectDigest } = r;
  return { event, requester, evidenceType, mappingId, mappingVersion, outcome, edmCode, detail, subjectDigest };
}

async function metricValue(w: Worker, name: string, suffix: string): Promise<number> {
  const metric = (await w.metrics.registry.getSingleMetric(name)!.get()).values;
  return metric
    .filter((v) => ((v as { metricName?: string }).metricName ?? name).endsWith(suffix))
    .reduce((sum, v) => sum + v.value, 0);
}

const workers: Worker[] = [];
afterAll(async () => {
  for (const w of workers) await w.client.quit();
});

describe('exchange observer', () => {
  test('an answer saved by one process and delivered by another: the same audit records and metrics', async () => {
    const a = workerProcess();
    const b = workerProcess();
    workers.push(a, b);
    const answeredAndDeliveredByA = await post(a);
    await createProcessHandler({ ...a.deps, deliverInline: true })(answeredAndDeliveredByA, ctx);
    const acrossProcesses = await post(a);
    await createProcessHandler({ ...a.deps, deliverInline: false })(acrossProcesses, ctx);
    expect(a.deliveries).toEqual([acrossProcesses]);
    // Process b never saw this exchange answered.
    await b.deliver(acrossProcesses, ctx);
    expect(await b.store.getState(acrossProcesses)).toBe('delivered');

    const same = await recordsOf(a, answeredAndDeliveredByA, 2);
    const across = await recordsOf(b, acrossProcesses, 2);
    expect(same.map((r) => r.event)).toEqual(['answered', 'delivered']);
    expect(across.map((r) => r.event)).toEqual(['answered', 'delivered']);
    const [answered, delivered] = across as [AuditRecord, AuditRecord];
    // The delivery record names the exchange as the answer record does, subject digest included.
    for (const field of ['conversationId', 'requestId', 'requester', 'subjectDigest'] as const) {
      expect(delivered[field]).toBeDefined();
      expect(delivered[field]).toBe(answered[field]);
    }
    expect(delivered.subjectDigest).toBe(a.audit.subjectDigest(a.subjects[1]!));
    expect(same.map(comparable)).toEqual(across.map(comparable));
    expect(answered.outcome).toBe('evidence');
    expect(answered.mappingId).toBeDefined();

    // Metrics: the exchange counted where it was answered, the lag observed where it was delivered.
    expect(await metricValue(a, 'oots_exchanges_total', '')).toBe(2);
    expect(await metricValue(a, 'oots_delivery_lag_seconds', '_count')).toBe(1);
    expect(await metricValue(b, 'oots_delivery_lag_seconds', '_count')).toBe(1);
    expect(await metricValue(b, 'oots_exchanges_total', '')).toBe(0);
  });

  test('given up by another process: the delivery-failed record names the exchange, with the reason', async () => {
    const a = workerProcess();
    const b = workerProcess();
    workers.push(a, b);
    const ref = await post(a);
    await createProcessHandler({ ...a.deps, deliverInline: false })(ref, ctx);
    await onDeliveryGivenUp(b.deps, ref, new Error('refused for good'));
    const [answered, failed] = (await recordsOf(b, ref, 2)) as [AuditRecord, AuditRecord];
    expect(failed.event).toBe('delivery-failed');
    expect(failed.detail).toBe('refused for good');
    expect({ ...failed, id: '', time: '', event: 'answered', detail: undefined, evidence: [] }).toEqual({
      ...answered,
      id: '',
      time: '',
      detail: undefined,
      evidence: [],
    });
  });

  test('the summary outlives the delivery and holds references and codes only, no subject identifier', async () => {
    const a = workerProcess();
    workers.push(a);
    const ref = await post(a);
    await createProcessHandler({ ...a.deps, deliverInline: true })(ref, ctx);
    expect(await a.store.getState(ref)).toBe('delivered');
    const summary = await a.store.loadAnswerSummary(ref);
    expect(summary?.requestId).toMatch(/^urn:uuid:/);
    expect(summary?.summary.outcome).toBe('evidence');
    const subject = a.subjects[0]!;
    expect(subject.length).toBeGreaterThan(3);
    const raw = await redis.hget(`${prefix}:store:ex:${ref}`, 'sum');
    expect(raw).not.toBeNull();
    expect(raw).not.toContain(subject);
    expect(raw).toContain(a.audit.subjectDigest(subject));
  });

  test('an answer stored without a summary (an older version) is still recorded at delivery, from its envelope', async () => {
    const a = workerProcess();
    const b = workerProcess();
    workers.push(a, b);
    const ref = await post(a);
    await createProcessHandler({ ...a.deps, deliverInline: false, observer: {} })(ref, ctx);
    await b.deliver(ref, ctx);
    const records = await recordsOf(b, ref, 1);
    expect(records.map((r) => r.event)).toEqual(['delivered']);
    expect(records[0]!.conversationId).not.toBe('');
    expect(records[0]!.outcome).toBe('evidence');
  });

  test('the observer reads no XML and keeps no map of exchanges', () => {
    const source = readFileSync(new URL('../../src/ops/observer.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/regrep|RegExp|\.exec\(|\.match\(|new Map|<rs:/);
  });
});
