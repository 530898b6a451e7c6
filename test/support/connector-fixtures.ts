/** Synthetic connector envelopes and Redis helpers for the queue/store/connector tests. */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RestEnvelope } from '../../src/connector/envelope.js';
import type { OutboundMessage } from '../../src/exchange/ports.js';

export const REDIS_URL = 'redis://127.0.0.1:6379';

/** A unique, hash-tagged prefix per test file. */
export function testPrefix(name: string): string {
  return `{test-${name}-${randomBytes(4).toString('hex')}}:`;
}

/** Deletes only the keys under `prefix` (never FLUSHDB). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let n = 0;
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) n += await redis.del(...keys);
  } while (cursor !== '0');
  return n;
}

export const MARKER = 'Zvaigzne-Kalniņa-MARKER-7f3a';

const REGREP = (requestId: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><query:QueryRequest xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0" id="${requestId}"><!-- ${MARKER} --></query:QueryRequest>`;

export function requestEnvelope(
  opts: { messageId?: string; requestId?: string; withPdf?: boolean } = {},
): RestEnvelope {
  const messageId = opts.messageId ?? `${randomBytes(8).toString('hex')}@requester.example`;
  const requestId = opts.requestId ?? `urn:uuid:${crypto.randomUUID()}`;
  const payloads = [
    {
      href: 'cid:regrep-1@requester.example',
      mimeType: 'application/x-ebrs+xml',
      contentBase64: Buffer.from(REGREP(requestId)).toString('base64'),
    },
  ];
  if (opts.withPdf === true)
    payloads.push({
      href: 'cid:extra@requester.example',
      mimeType: 'application/pdf',
      contentBase64: Buffer.from('%PDF-1.7 fake').toString('base64'),
    });
  return {
    userMessage: {
      messageId,
      conversationId: crypto.randomUUID(),
      from: {
        partyId: 'AP_DE_01',
        partyIdType: 'urn:oasis:names:tc:ebcore:partyid-type:unregistered',
        role: 'http://sdg.europa.eu/edelivery/gateway',
      },
      to: {
        partyId: 'AP_LV_01',
        partyIdType: 'urn:oasis:names:tc:ebcore:partyid-type:unregistered',
        role: 'http://sdg.europa.eu/edelivery/gateway',
      },
      service: 'QueryManager',
      serviceType: 'urn:oasis:names:tc:ebcore:ebrs:ebms:binding:1.0',
      action: 'ExecuteQueryRequest',
      properties: [
        {
          name: 'originalSender',
          value: 'urn:cef.eu:names:identifier:EAS:9930:de000000001',
          type: 'urn:oasis:names:tc:ebcore:partyid-type:unregistered',
        },
        {
          name: 'finalRecipient',
          value: 'urn:cef.eu:names:identifier:EAS:9939:90000012827',
          type: 'urn:oasis:names:tc:ebcore:partyid-type:unregistered',
        },
      ],
    },
    payloads,
  };
}

export function outboundMessage(opts: { messageId?: string; requestId?: string } = {}): OutboundMessage {
  const messageId = opts.messageId ?? `${randomBytes(8).toString('hex')}@lv.oots.example`;
  const requestId = opts.requestId ?? `urn:uuid:${crypto.randomUUID()}`;
  return {
    userMessage: {
      messageId,
      timestamp: '2024-05-01T10:00:00Z',
      from: {
        partyId: 'AP_LV_01',
        partyIdType: 'urn:oasis:names:tc:ebcore:partyid-type:unregistered',
        role: 'http://sdg.europa.eu/edelivery/gateway',
      },
      to: {
        partyId: 'AP_DE_01',
        partyIdType: 'urn:oasis:names:tc:ebcore:partyid-type:unregistered',
        role: 'http://sdg.europa.eu/edelivery/gateway',
      },
      service: 'QueryManager',
      serviceType: 'urn:oasis:names:tc:ebcore:ebrs:ebms:binding:1.0',
      action: 'ExecuteQueryResponse',
      conversationId: 'conv-1',
      properties: [
        { name: 'originalSender', value: 'x' },
        { name: 'finalRecipient', value: 'y' },
      ],
      payloads: [
        {
          href: 'cid:resp@lv.oots.example',
          mimeType: 'application/x-ebrs+xml',
          properties: [{ name: 'MimeType', value: 'application/x-ebrs+xml' }],
        },
        {
          href: 'cid:ev1@lv.oots.example',
          mimeType: 'application/pdf',
          properties: [
            { name: 'MimeType', value: 'application/pdf' },
            { name: 'PayloadName', value: 'evidence.pdf' },
          ],
        },
      ],
    },
    regrep: `<query:QueryResponse xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0" requestId="${requestId}" status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"><!-- ${MARKER} --></query:QueryResponse>`,
    attachments: [
      { href: 'cid:ev1@lv.oots.example', mimeType: 'application/pdf', bytes: Buffer.from(`%PDF-1.7 ${MARKER}`) },
    ],
  };
}
