/**
 * `oots-adapter send REQUEST.xml`: posts a QueryRequest to the adapter as the eDelivery
 * connector would (REST envelope with an AS4 user message), waits for the answer in the
 * connector stand-in's outbox, prints it and writes its parts to a folder.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { classify } from '../edm/classify.js';
import { parseQueryRequest } from '../edm/parse-request.js';
import { parseXml } from '../edm/xml/parse.js';
import { EBRS_BINDING, EBRS_MIME_TYPE, GATEWAY_ROLE, QUERY_MANAGER } from '../ebms/model.js';
import { CONFIG_KEYS } from '../config.js';
import type { RestEnvelope } from '../connector/envelope.js';
import type { Identifier } from '../edm/model.js';
import type { OutboxSummary } from '../sandbox/connector-standin.js';

export interface SendOptions {
  readonly apiUrl: string;
  readonly token: string;
  readonly outDir: string;
  readonly timeoutMs: number;
  /**
   * The AS4 MessageId to send under (default: a new one). The conversation id is derived from it,
   * so sending again with the same id is a transport duplicate whose answer is found again.
   */
  readonly messageId?: string;
  /** The adapter's own identifier (EP_IDENTIFIER), the header's finalRecipient. Default: the embedded default's. */
  readonly recipient?: Identifier;
}

export interface SendResult {
  readonly summary: OutboxSummary;
  readonly files: readonly string[];
  readonly regrep: string;
  /** What the intake said: a new message, or a transport duplicate of one it already has. */
  readonly delivery: 'new' | 'duplicate';
  /**
   * Earlier answers to the same QueryRequest id in the stand-in's outbox (another message sent
   * with that id); `sameAnswer` when the first of them carries the same RegRep document (a re-send
   * answered with the stored answer).
   */
  readonly earlier: { readonly count: number; readonly sameAnswer: boolean } | undefined;
}

const PARTY_TYPE = 'urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots';

/** The embedded default's evidence provider (EP_IDENTIFIER and its scheme, unset). */
export const EMBEDDED_PROVIDER: Identifier = {
  value: CONFIG_KEYS.EP_IDENTIFIER.default,
  schemeID: CONFIG_KEYS.EP_IDENTIFIER_SCHEME.default,
};

/**
 * The REST envelope a connector would deliver for this request: a header consistent with the
 * payload (four-corner model): originalSender is the payload's requester, finalRecipient the
 * adapter it is sent to (not the payload's EvidenceProvider, which test data often leaves foreign).
 */
export function envelopeFor(
  requestXml: Buffer,
  opts: { messageId?: string; recipient?: Identifier } = {},
): RestEnvelope {
  const recipient = opts.recipient ?? EMBEDDED_PROVIDER;
  const root = parseXml(requestXml);
  if (classify(root) !== 'QueryRequest') throw new Error('the file is not an OOTS QueryRequest');
  const request = parseQueryRequest(root);
  const requester = request.evidenceRequesters.find((a) => a.classification === 'ER') ?? request.evidenceRequesters[0];
  const prop = (name: string, id: { value: string; schemeID: string | undefined } | undefined) =>
    id === undefined ? [] : [{ name, value: id.value, ...(id.schemeID === undefined ? {} : { type: id.schemeID }) }];
  const v2 = request.version === 'oots-edm:v2.0';
  return {
    userMessage: {
      messageId: opts.messageId ?? `${randomUUID()}@cli.sender.invalid`,
      timestamp: new Date().toISOString(),
      conversationId: opts.messageId === undefined ? randomUUID() : uuidFrom(opts.messageId),
      from: { partyId: 'AP_CLI_SENDER', partyIdType: PARTY_TYPE, role: GATEWAY_ROLE },
      to: { partyId: 'AP_LV_OOTS', partyIdType: PARTY_TYPE, role: GATEWAY_ROLE },
      service: QUERY_MANAGER,
      serviceType: EBRS_BINDING,
      action: 'ExecuteQueryRequest',
      properties: [
        ...prop('originalSender', requester?.identifier),
        ...prop('finalRecipient', recipient),
        ...(v2
          ? [
              { name: 'ExchangeId', value: randomUUID() },
              { name: 'SpecificationId', value: request.version },
            ]
          : []),
      ],
    },
    payloads: [
      {
        href: `cid:${randomUUID()}@cli.sender.invalid`,
        mimeType: EBRS_MIME_TYPE,
        contentBase64: requestXml.toString('base64'),
      },
    ],
  };
}

/** A stable UUID-shaped id derived from a string (a repeated send keeps its conversation). */
function uuidFrom(s: string): string {
  const h = createHash('sha256').update(s, 'utf8').digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export async function send(requestXml: Buffer, opts: SendOptions): Promise<SendResult> {
  const envelope = envelopeFor(requestXml, {
    ...(opts.messageId === undefined ? {} : { messageId: opts.messageId }),
    ...(opts.recipient === undefined ? {} : { recipient: opts.recipient }),
  });
  const posted = await fetch(`${opts.apiUrl}/connector/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token}` },
    body: JSON.stringify(envelope),
    signal: AbortSignal.timeout(10_000),
  });
  if (posted.status !== 202)
    throw new Error(`the adapter refused the message: HTTP ${posted.status} ${await posted.text()}`);
  const accepted = (await posted.json()) as { delivery?: string };
  const delivery = accepted.delivery === 'duplicate' ? 'duplicate' : 'new';

  const deadline = Date.now() + opts.timeoutMs;
  const conversationId = envelope.userMessage.conversationId;
  for (;;) {
    const res = await fetch(
      `${opts.apiUrl}/sandbox/connector/outbox?conversationId=${encodeURIComponent(conversationId)}`,
      {
        signal: AbortSignal.timeout(10_000),
      },
    );
    if (!res.ok)
      throw new Error(
        `cannot read the connector stand-in's outbox (HTTP ${res.status}); is the adapter running its embedded default?`,
      );
    const { messages } = (await res.json()) as { messages: OutboxSummary[] };
    const summary = messages[0];
    if (summary !== undefined) {
      const answer = await fetchAnswer(summary, opts);
      return { ...answer, delivery, earlier: await earlierAnswers(summary, answer.regrep, opts) };
    }
    if (Date.now() > deadline) throw new Error(`no answer within ${opts.timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Answers to the same request id older than this one, in the stand-in's outbox. */
async function earlierAnswers(
  summary: OutboxSummary,
  regrep: string,
  opts: SendOptions,
): Promise<SendResult['earlier']> {
  if (summary.requestId === undefined) return undefined;
  const res = await fetch(
    `${opts.apiUrl}/sandbox/connector/outbox?requestId=${encodeURIComponent(summary.requestId)}`,
    {
      signal: AbortSignal.timeout(10_000),
    },
  );
  if (!res.ok) return undefined;
  const { messages } = (await res.json()) as { messages: OutboxSummary[] };
  // Newest first: the earlier ones are those after ours, from other conversations.
  const older = messages.filter(
    (m) => m.conversationId !== summary.conversationId && m.receivedAt <= summary.receivedAt,
  );
  const first = older.at(-1);
  if (first === undefined) return undefined;
  const envelope = await fetchEnvelope(first.messageId, opts);
  const firstRegrep = Buffer.from(envelope.payloads[0]?.contentBase64 ?? '', 'base64').toString('utf8');
  return { count: older.length, sameAnswer: firstRegrep === regrep };
}

async function fetchEnvelope(messageId: string, opts: SendOptions): Promise<RestEnvelope> {
  const res = await fetch(`${opts.apiUrl}/sandbox/connector/outbox/${encodeURIComponent(messageId)}`, {
    signal: AbortSignal.timeout(10_000),
  });
  return (await res.json()) as RestEnvelope;
}

async function fetchAnswer(
  summary: OutboxSummary,
  opts: SendOptions,
): Promise<Omit<SendResult, 'delivery' | 'earlier'>> {
  const envelope = await fetchEnvelope(summary.messageId, opts);
  mkdirSync(opts.outDir, { recursive: true });
  const files: string[] = [];
  let regrep = '';
  envelope.payloads.forEach((p, i) => {
    const bytes = Buffer.from(p.contentBase64, 'base64');
    const ext = p.mimeType === 'application/pdf' ? 'pdf' : 'xml';
    const name = i === 0 ? 'response.xml' : `evidence-${i}.${ext}`;
    if (i === 0) regrep = bytes.toString('utf8');
    const file = path.join(opts.outDir, name);
    writeFileSync(file, bytes);
    files.push(file);
  });
  return { summary, files, regrep };
}
