/**
 * The exchange's PreviewPort over the session store (src/preview/exchange-port.ts), on a real
 * Redis: request #1 opens a session, request #2 finds it by its PreviewLocation and gets the
 * approved evidence, and after the delivery of that answer the evidence is gone. The port writes
 * no key itself: the store owns the preview keyspace.
 */
import { Redis } from 'ioredis';
import type { EvidenceInput } from '../../src/edm/build/types.js';
import type { QueryRequest } from '../../src/edm/model.js';
import { parseQueryRequest } from '../../src/edm/parse-request.js';
import { parseXml } from '../../src/edm/xml/parse.js';
import type { PreparedEvidence } from '../../src/exchange/ports.js';
import { generateKey } from '../../src/infra/aead.js';
import { createPreviewPort } from '../../src/preview/exchange-port.js';
import { createPreviewStore } from '../../src/preview/session-store.js';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/connector-fixtures.js';
import { exampleRequest } from '../support/exchange-fixtures.js';

const redis = new Redis(REDIS_URL);
const prefix = testPrefix('preview-port');
const base = 'https://preview.example.lv';
const store = createPreviewStore(redis, {
  prefix,
  key: generateKey(),
  publicBaseUrl: base,
  t2Seconds: 900,
  t3Seconds: 2400,
});
const port = createPreviewPort({ store, ttlSeconds: 600, publicBaseUrl: () => base });
const EVIDENCE_ID = 'urn:uuid:5b1c3f0e-8d2a-4c55-9a39-3f5c1c2a0101';
const BYTES = Buffer.from('%PDF-1.7 the evidence');

afterAll(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
});

function request(): QueryRequest {
  return parseQueryRequest(parseXml(exampleRequest('lv-birth-certificate-pdf')));
}

const prepared: PreparedEvidence = {
  metadata: { registryObjectId: EVIDENCE_ID } as unknown as EvidenceInput,
  attachment: { href: 'cid:evidence-1', mimeType: 'application/pdf', bytes: BYTES },
  title: { lv: 'Dzimšanas apliecība', en: 'Birth certificate' },
  fields: [],
};

describe('preview port', () => {
  test('request #1 opens, request #2 gets the approved evidence, the delivery drops it', async () => {
    const first = request();
    const { location } = await port.open({
      exchangeRef: 'xFirst',
      request: first,
      conversationId: 'conv-1',
      exchangeId: undefined,
      evidences: [prepared],
      description: undefined,
    });
    expect(location.startsWith(`${base}/preview/`)).toBe(true);
    const sid = (await store.findByLocation(location))!;
    expect(await store.markOpened(sid)).toBe('opened');
    expect((await store.decide(sid, { approved: [EVIDENCE_ID], declined: [] })).ok).toBe(true);

    const second = { ...request(), previewLocation: location };
    const resolved = await port.resolve({ exchangeRef: 'xSecond', request: second, exchangeId: undefined });
    expect(resolved.status).toBe('decided');
    if (resolved.status !== 'decided') return;
    expect(resolved.approved).toHaveLength(1);
    expect(Buffer.from(resolved.approved[0]!.attachment.bytes)).toEqual(BYTES);
    expect(resolved.approved[0]!.metadata.registryObjectId).toBe(EVIDENCE_ID);
    // The same key as before the port went through the store.
    expect(await redis.get(`${prefix}byref:xSecond`)).toBe(sid);

    await port.afterDelivered('xSecond');
    expect(await store.evidenceBytes(sid, EVIDENCE_ID)).toBeUndefined();
    expect((await store.get(sid))?.state).toBe('decided');
    expect(await redis.exists(`${prefix}byref:xSecond`)).toBe(0);
  });

  test("another subject's request #2 with a leaked link finds nothing", async () => {
    const { location } = await port.open({
      exchangeRef: 'xOther1',
      request: request(),
      conversationId: 'conv-2',
      exchangeId: undefined,
      evidences: [prepared],
      description: undefined,
    });
    const req = request();
    const other = {
      ...req,
      previewLocation: location,
      subject: { kind: 'LegalPerson', legalPersonIdentifier: { value: 'LV40003000000' } },
    } as unknown as QueryRequest;
    expect(await port.resolve({ exchangeRef: 'xOther2', request: other, exchangeId: undefined })).toEqual({
      status: 'not-found',
    });
  });
});
