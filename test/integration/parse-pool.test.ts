/**
 * The parse threads (src/parse-threads/pool.ts) with real worker threads: results and refusals
 * come back as they would in-process; a document over its time or heap limit is refused and its
 * thread replaced; and in a real adapter process `/healthz` keeps answering while such documents
 * are being refused.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SoapProtocolError } from '../../src/connector/domibus/soap.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type express from 'express';
import { pino } from 'pino';
import { basicAuthorization } from '../../src/connector/domibus/auth.js';
import { createDomibusPushRouter, DOMIBUS_PUSH_PATH } from '../../src/connector/domibus/receiver.js';
import { AdapterError, XmlInputError } from '../../src/errors.js';
import { buildApp } from '../../src/http/app.js';
import { validateMessage } from '../../src/edm/validate.js';
import { DEFAULT_XML_LIMITS } from '../../src/edm/xml/parse.js';
import { namespaceOf } from '../../src/edm/xml/tree.js';
import { loadEdmXsdValidator } from '../../src/resources/edm-xsd.js';
import { createParsePool, type ParsePool } from '../../src/parse-threads/pool.js';
import { namespaceFlood } from '../support/hostile-xml.js';
import { startAdapter, type AdapterProcess } from '../support/processes.js';
import { sample } from '../support/samples.js';
import { EDM_ARTEFACTS } from '../support/schematron.js';
import { deleteKeysAt, stressEnv, stressPrefix } from '../support/stress-harness.js';

const birth = readFileSync(path.join(EDM_ARTEFACTS, sample('birth-request').path));
/** Bounds lifted so that the namespace document reaches the thread's clock instead of a count bound. */
const LIFTED = { ...DEFAULT_XML_LIMITS, maxNamespacesPerElement: 1e9, maxNamespaces: 1e9, maxElements: 1e7, maxAttributes: 1e9 };
const FLOOD_AT_LIMIT = Buffer.from(namespaceFlood(DEFAULT_XML_LIMITS.maxBytes - 1024));

async function refusal(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('the document was accepted');
}

describe('parse threads: the same answers as in-process', () => {
  let pool: ParsePool;
  beforeAll(() => {
    pool = createParsePool({ threads: 2, timeLimitMs: 60_000, maxHeapMb: 256, limits: DEFAULT_XML_LIMITS });
  });
  afterAll(() => pool.close());

  test('validate: the official birth request is judged as in-process (XSD and rules)', async () => {
    const xsd = loadEdmXsdValidator();
    try {
      expect(await pool.validate(birth)).toEqual(validateMessage(birth, { xsd }));
    } finally {
      xsd.dispose();
    }
  }, 60_000);

  test('readRequest: the tree comes back whole (parents, namespace scopes) with its XSD findings', async () => {
    const { root, xsd, errors } = await pool.readRequest(birth);
    expect(xsd).toEqual([]);
    expect(errors).toEqual([]);
    expect(root.local).toBe('QueryRequest');
    const first = root.children[0]!;
    expect(first.parent).toBe(root);
    expect(namespaceOf(first, 'rim')).toBe('urn:oasis:names:tc:ebxml-regrep:xsd:rim:4.0');
  }, 60_000);

  test('readRequest judges the rules in the thread: a flood of stray children is judged there, each one reported', async () => {
    const text = birth.toString('utf8');
    const at = text.indexOf('>', text.indexOf('<sdg:DataServiceEvidenceType')) + 1;
    const stray = Buffer.from(text.slice(0, at) + '<sdg:X/>'.repeat(3000) + text.slice(at));
    const { errors } = await pool.readRequest(stray);
    expect(errors.filter((v) => v.rule === 'R-EDM-REQ-S045')).toHaveLength(3000);
  }, 60_000);

  test('sender faults keep their class, code and line', async () => {
    const malformed = await refusal(pool.validate(Buffer.from('<a>\n<b></a>')));
    expect(malformed).toBeInstanceOf(XmlInputError);
    expect((malformed as XmlInputError).code).toBe('ERR_XML_MALFORMED');
    expect((malformed as XmlInputError).line).toBe(2);
    const flood = await refusal(pool.readRequest(Buffer.from(namespaceFlood(240 * 1024))));
    expect(flood).toBeInstanceOf(XmlInputError);
    expect(flood.message).toBe('document declares more than 1024 namespaces');
    const notSoap = await refusal(pool.readSoap(birth));
    expect(notSoap).toBeInstanceOf(SoapProtocolError);
  }, 60_000);

  test('the namespace document at the size limit is refused by the declaration bound', async () => {
    const e = await refusal(pool.validate(FLOOD_AT_LIMIT));
    expect((e as XmlInputError).code).toBe('ERR_XML_TOO_LARGE');
    expect(e.message).toBe('document declares more than 1024 namespaces');
  }, 60_000);
});

describe('parse threads: a document over its limits is refused and its thread replaced', () => {
  test('time limit', async () => {
    const pool = createParsePool({ threads: 1, timeLimitMs: 50, maxHeapMb: 512, limits: LIFTED });
    try {
      const e = await refusal(pool.validate(FLOOD_AT_LIMIT));
      expect(e).toBeInstanceOf(XmlInputError);
      expect((e as XmlInputError).code).toBe('ERR_XML_TOO_LARGE');
      expect(e.message).toBe('the document took longer than 50 ms to parse and validate');
      expect(pool.refusedForCost()).toBe(1);
      // The replacement thread reads the next document.
      expect((await pool.readRequest(birth)).root.local).toBe('QueryRequest');
    } finally {
      await pool.close();
    }
  }, 60_000);

  test('heap limit: the thread runs out of memory, the process does not', async () => {
    const pool = createParsePool({ threads: 1, timeLimitMs: 60_000, maxHeapMb: 32, limits: LIFTED });
    try {
      const manyElements = Buffer.from(`<r>${'<e/>'.repeat(1_200_000)}</r>`);
      const e = await refusal(pool.readRequest(manyElements));
      expect(e).toBeInstanceOf(XmlInputError);
      expect(e.message).toBe('the document needs more than the 32 MiB a parse may use');
      expect((await pool.readRequest(birth)).root.local).toBe('QueryRequest');
    } finally {
      await pool.close();
    }
  }, 60_000);
});

describe('parse threads: the queue is bounded; one document more is refused at once, not kept waiting', () => {
  test('a flood past PARSE_QUEUE_MAX: the surplus refused with ERR_PARSE_BUSY, the rest judged, later documents read', async () => {
    const pool = createParsePool({ threads: 1, timeLimitMs: 60_000, maxQueue: 4, maxHeapMb: 256, limits: DEFAULT_XML_LIMITS });
    try {
      // Sent in one tick: one document goes to the thread, four wait, the rest find the queue full.
      const outcomes = await Promise.allSettled(Array.from({ length: 7 }, () => pool.validate(birth)));
      const busy = outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason as AdapterError);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(5);
      expect(busy).toHaveLength(2);
      for (const e of busy) {
        expect(e).toBeInstanceOf(AdapterError);
        expect(e.code).toBe('ERR_PARSE_BUSY');
        expect(e.edmCode).toBeUndefined(); // not the sender's fault: a connector payload is retried, not refused
        expect(e.message).toBe('all 1 parse threads are busy and 4 documents already wait for one (PARSE_QUEUE_MAX)');
      }
      expect(pool.refusedBusy()).toBe(2);
      expect((await pool.validate(birth)).kind).toBe('QueryRequest');
    } finally {
      await pool.close();
    }
  }, 60_000);

  test("the worker's connector payloads are not refused for a full queue (WORKER_CONCURRENCY bounds them)", async () => {
    const pool = createParsePool({ threads: 1, timeLimitMs: 60_000, maxQueue: 4, maxHeapMb: 256, limits: DEFAULT_XML_LIMITS });
    try {
      const flood = Array.from({ length: 5 }, () => pool.validate(birth));
      const read = await Promise.all([pool.readRequest(birth), pool.readRequest(birth)]);
      expect(read.map((r) => r.root.local)).toEqual(['QueryRequest', 'QueryRequest']);
      await Promise.all(flood);
      expect(pool.refusedBusy()).toBe(0);
    } finally {
      await pool.close();
    }
  }, 60_000);

  const busyError = (): AdapterError => new AdapterError('ERR_PARSE_BUSY', 'all 1 parse threads are busy and 4 documents already wait for one (PARSE_QUEUE_MAX)');

  async function serve(app: express.Express, run: (base: string) => Promise<void>): Promise<void> {
    const server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  }

  test('POST /edm/validate while the queue is full: 503 with Retry-After, the limit named', async () => {
    const logger = pino({ level: 'silent' });
    const app = buildApp({ logger, maxBodyBytes: 1024 * 1024, validate: () => Promise.reject(busyError()) });
    await serve(app, async (base) => {
      const res = await fetch(`${base}/edm/validate`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: new Uint8Array(birth) });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(((await res.json()) as { detail: string }).detail).toContain('PARSE_QUEUE_MAX');
    });
  });

  test('a Domibus push while the queue is full: 503 (Domibus pushes it again), not 400 (dropped)', async () => {
    const logger = pino({ level: 'silent' });
    const router = createDomibusPushRouter({
      receiver: { fetch: () => Promise.resolve('stored' as const), accept: () => Promise.resolve('stored' as const) },
      user: 'push',
      password: 'push-password-push',
      logger,
      readSoap: () => Promise.reject(busyError()),
    });
    await serve(buildApp({ logger, maxBodyBytes: 1024 * 1024, routers: [router] }), async (base) => {
      const res = await fetch(`${base}${DOMIBUS_PUSH_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/soap+xml', authorization: basicAuthorization('push', 'push-password-push') },
        body: '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body/></soap:Envelope>',
      });
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('Receiver');
    });
  });
});

describe('a real adapter process: /healthz answers while slow documents are refused', () => {
  const REDIS_URL = 'redis://127.0.0.1:6379';
  const prefix = stressPrefix('parse-pool');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'oots-parse-pool-'));
  let adapter: AdapterProcess;

  beforeAll(async () => {
    adapter = await startAdapter(
      {
        ...stressEnv({ redisUrl: REDIS_URL, prefix, token: randomBytes(16).toString('hex'), key: randomBytes(32).toString('base64'), dataDir }),
        // Count bounds lifted so that only the time limit stands between the document and the loop.
        XML_MAX_NAMESPACES_PER_ELEMENT: '10000',
        XML_MAX_NAMESPACES: '1000000',
        XML_MAX_ELEMENTS: '10000000',
        PARSE_THREADS: '1',
        PARSE_TIME_LIMIT_MS: '100',
      },
      ['--role', 'all'],
    );
  }, 120_000);

  afterAll(async () => {
    await adapter?.stop();
    await deleteKeysAt(REDIS_URL, prefix);
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  test('four namespace documents at XML_MAX_BYTES, one thread: each refused, health answered meanwhile', async () => {
    const api = adapter.ready.api!;
    let settled = 0;
    const validations = Array.from({ length: 4 }, () =>
      fetch(`${api}/edm/validate`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: new Uint8Array(FLOOD_AT_LIMIT) })
        .then(async (res) => ({ status: res.status, body: (await res.json()) as { detail: string } }))
        .finally(() => settled++),
    );
    let answeredMeanwhile = 0;
    while (settled < validations.length) {
      const health = await fetch(`${api}/healthz`);
      if (health.status === 200 && settled < validations.length) answeredMeanwhile++;
      await health.arrayBuffer();
    }
    for (const v of await Promise.all(validations)) {
      expect(v.status).toBe(400);
      expect(v.body.detail).toBe('the document took longer than 100 ms to parse and validate');
    }
    // Each refusal takes at least one 100 ms limit plus a thread restart: health was asked many times.
    expect(answeredMeanwhile).toBeGreaterThanOrEqual(2);
    expect((await fetch(`${api}/healthz`)).status).toBe(200);
    expect(adapter.child.exitCode).toBeNull();
  }, 120_000);
});
