/**
 * The system check (procedure 00) through the worker's process handler on a real Redis, with the
 * real DAGR client against the embedded DAGR sandbox (the shipped sandbox data): the sandbox
 * records no data or token request, the answer passes the rules, and the observer counts it in
 * `oots_system_checks_total` and marks its audit records, never in the production figures. A T2
 * request through the same rig is the control (read from DAGR, counted as production).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { envelopeFor } from '../../src/cli/send.js';
import { parseEnvelope } from '../../src/connector/envelope.js';
import { loadConfig } from '../../src/config.js';
import { createDagrClient, type DagrClient } from '../../src/dagr/client.js';
import { dagrClientOptions } from '../../src/dagr/from-config.js';
import { validateMessage } from '../../src/edm/validate.js';
import type { OutboundMessage } from '../../src/exchange/ports.js';
import { generateKey } from '../../src/infra/aead.js';
import { createLogger } from '../../src/infra/logger.js';
import { createAuditTrail, type AuditRecord } from '../../src/ops/audit.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { createExchangeObserver } from '../../src/ops/observer.js';
import type { JobContext } from '../../src/queue/queues.js';
import { startEmbeddedDagrSandbox, type EmbeddedDagr } from '../../src/sandbox/dagr-embedded.js';
import { createExchangeStore } from '../../src/store/exchange-store.js';
import { createProcessHandler, type HandlerDeps } from '../../src/worker/handlers.js';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/connector-fixtures.js';
import { asV2, exampleRequest, testDeps } from '../support/exchange-fixtures.js';

const logger = createLogger('silent');
const redis = new Redis(REDIS_URL);
const prefix = testPrefix('system-check').slice(0, -1);
const key = generateKey();
const dir = mkdtempSync(path.join(tmpdir(), 'system-check-'));
const ctx: JobContext = { attemptsMade: 0, final: false, log: logger, signal: new AbortController().signal };

let dagr: EmbeddedDagr;
let client: DagrClient;
beforeAll(async () => {
  const config = loadConfig({}).dagr;
  dagr = await startEmbeddedDagrSandbox({
    host: '127.0.0.1',
    port: 0,
    clientId: config.clientId,
    keyFile: path.join(dir, 'dagr-sandbox-client.pem'),
  });
  client = createDagrClient(dagrClientOptions(config, { baseUrl: dagr.url, privateKey: dagr.privateKey }));
});
afterAll(async () => {
  client.close();
  await dagr.stop();
  await deleteKeys(redis, prefix);
  await redis.quit();
  rmSync(dir, { recursive: true, force: true });
});

function rig(systemCheck?: boolean) {
  const store = createExchangeStore(redis, { prefix: `${prefix}:store:`, key, ttlSeconds: 600 });
  const audit = createAuditTrail(redis, { prefix: `${prefix}:audit:${randomUUID()}:`, key });
  const metrics = createMetrics({ defaultMetrics: false });
  const submitted: OutboundMessage[] = [];
  const deps: HandlerDeps = {
    store,
    queues: { enqueueDelivery: () => Promise.resolve() },
    exchange: testDeps({ dagr: client, ...(systemCheck === undefined ? {} : { systemCheck }) }),
    logger,
    submitter: {
      submit: (_ref, message) => {
        submitted.push(message);
        return Promise.resolve();
      },
    },
    observer: createExchangeObserver({ metrics, audit, logger, store }),
    deliverInline: true,
  };
  const process = createProcessHandler(deps);
  return {
    audit,
    metrics,
    submitted,
    async answer(xml: string): Promise<{ ref: string; regrep: string }> {
      const fresh = xml.replace(/(<query:QueryRequest\b[^>]*\bid=")urn:uuid:[^"]+"/, `$1urn:uuid:${randomUUID()}"`);
      const { userMessage, payloads } = parseEnvelope(envelopeFor(Buffer.from(fresh)));
      const { exchangeRef } = await store.acceptInbound({
        userMessage,
        payloads,
        receivedAt: new Date().toISOString(),
      });
      const before = submitted.length;
      await process(exchangeRef, ctx);
      expect(submitted).toHaveLength(before + 1);
      return { ref: exchangeRef, regrep: submitted[before]!.regrep };
    },
    async records(ref: string, count: number): Promise<AuditRecord[]> {
      for (let i = 0; i < 100; i++) {
        const records = await audit.byExchange(ref);
        if (records.length >= count) return records;
        await new Promise((r) => setTimeout(r, 20));
      }
      return audit.byExchange(ref);
    },
    async counter(name: string, labels: Record<string, string>): Promise<number> {
      const values = (await metrics.registry.getSingleMetric(name)!.get()).values;
      return values
        .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
        .reduce((sum, v) => sum + v.value, 0);
    },
  };
}

const procedure00 = (xml: string): string => xml.replace('value="T2"', 'value="00"');
const stats = () => dagr.sandbox.stats();

test('procedure 00: a test evidence, no DAGR call, counted and audited as a system check', async () => {
  const r = rig();
  const before = stats();
  const v1 = await r.answer(procedure00(exampleRequest('lv-birth-certificate-pdf')));
  const v2 = await r.answer(asV2(procedure00(exampleRequest('lv-declared-residence-pdf'))));
  expect(stats().dataRequests).toBe(before.dataRequests);
  expect(stats().tokenRequests).toBe(before.tokenRequests);
  for (const { regrep } of [v1, v2]) {
    expect(regrep).toMatch(/<sdg:Title lang="EN">TEST: /);
    expect(regrep).not.toContain('Bērziņa');
    const report = validateMessage(regrep);
    expect(report.kind).toBe('QueryResponse');
    expect(report.errors).toEqual([]);
  }
  const [answered, delivered] = await r.records(v1.ref, 2);
  expect(answered).toMatchObject({ event: 'answered', outcome: 'evidence', systemCheck: true });
  expect(delivered).toMatchObject({ event: 'delivered', systemCheck: true });
  expect(await r.counter('oots_system_checks_total', { outcome: 'evidence' })).toBe(2);
  expect(await r.counter('oots_exchanges_total', {})).toBe(0);
  expect((await r.audit.countSince(new Date(Date.now() - 60_000))).total).toBe(0);

  // The control: the same request under T2 is read from DAGR and counted as production.
  const control = await r.answer(exampleRequest('lv-birth-certificate-pdf'));
  expect(stats().dataRequests).toBe(before.dataRequests + 1);
  expect(control.regrep).not.toContain('TEST: ');
  expect((await r.records(control.ref, 1))[0]).toMatchObject({ outcome: 'evidence', systemCheck: false });
  expect(await r.counter('oots_exchanges_total', { outcome: 'evidence' })).toBe(1);
  expect(await r.counter('oots_system_checks_total', {})).toBe(2);
});

test('SYSTEM_CHECK=off: EDM:ERR:0007, still no DAGR call, and still apart from production figures', async () => {
  const r = rig(false);
  const before = stats();
  const { ref, regrep } = await r.answer(procedure00(exampleRequest('lv-birth-certificate-pdf')));
  expect(stats().dataRequests).toBe(before.dataRequests);
  expect(/<rs:Exception[^>]*\bcode="([^"]+)"/.exec(regrep)?.[1]).toBe('EDM:ERR:0007');
  expect(validateMessage(regrep).errors).toEqual([]);
  expect((await r.records(ref, 1))[0]).toMatchObject({ outcome: 'error', edmCode: 'EDM:ERR:0007', systemCheck: true });
  expect(await r.counter('oots_system_checks_total', { outcome: 'error', edm_code: 'EDM:ERR:0007' })).toBe(1);
  expect(await r.counter('oots_exchanges_total', {})).toBe(0);
});
