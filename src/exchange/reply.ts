/**
 * Step 3 of the exchange: the answer. A QueryResponse (evidence or empty) or an ExceptionResponse
 * (echoing what can be read of a refused request), under an ebMS header derived from the
 * request's, and the summary for the audit trail; or the stored answer of the same request, sent
 * again under a new header.
 */
import type { EdmErrorCode } from '../errors.js';
import {
  buildErrorResponse,
  buildQueryResponse,
  requestEcho,
  type EvidenceInput,
  type ExceptionInput,
} from '../edm/build/index.js';
import type { Agent, EdmVersion, QueryRequest } from '../edm/model.js';
import { generationOf } from '../edm/model.js';
import { parseQueryRequest } from '../edm/parse-request.js';
import { attr, type XmlElement } from '../edm/xml/tree.js';
import { EBRS_MIME_TYPE, messageProperty, type PayloadPart, type UserMessage } from '../ebms/model.js';
import { deriveReplyHeader } from '../ebms/reply.js';
import type { EvidenceMapping } from '../mapping/model.js';
import type { Attachment, ExchangeSummary, OutboundMessage, StoredAnswer } from './ports.js';
import type { Refusal } from './refusal.js';

/** What answering needs (part of ExchangeDeps). */
export interface ReplyDeps {
  /** This evidence provider as EvidenceProvider / ErrorProvider agent. */
  readonly provider: Agent;
  /** Domain of our AS4 message ids and Content-IDs (`<id>@<domain>`). */
  readonly messageDomain: string;
  /** A fresh RFC 4122 UUID per call. */
  readonly uuid: () => string;
  /** The current time. */
  readonly now: () => Date;
  /**
   * Ids of a deferred notice (./deferred.ts), default `uuid`: the worker draws them from their own
   * sequence, so that the notice and the later answer of the same exchange never share an id.
   */
  readonly noticeUuid?: () => string;
}

export interface ExchangeResult {
  readonly outbound: OutboundMessage;
  readonly summary: ExchangeSummary;
  /** The QueryRequest id when it could be read (duplicate detection by request id). */
  readonly requestId: string | undefined;
  /** For the audit trail: who asked (`schemeID|identifier`) and about whom (identifier as requested). */
  readonly parties: { readonly requester: string | undefined; readonly subjectIdentifier: string | undefined };
  /** True when this is the stored answer of the same request sent before (AnswerOptions.claimRequest). */
  readonly replayed?: boolean;
  /** A deferred answer (status Unavailable, ./deferred.ts): when the adapter asks the base registry again. */
  readonly deferredUntil?: Date;
}

/**
 * A reply needs the request's originalSender/finalRecipient to swap; when the request lacks them
 * (and is refused for it), we still answer: our own identifier stands in as the recipient it named.
 */
export function withCornerProperties(um: UserMessage, deps: ReplyDeps): UserMessage {
  const props = [...um.properties];
  const ours = deps.provider.identifier;
  if ((messageProperty(um, 'finalRecipient')?.value ?? '') === '' && ours !== undefined) {
    props.push({
      name: 'finalRecipient',
      value: ours.value,
      ...(ours.schemeID === undefined ? {} : { type: ours.schemeID }),
    });
  }
  if ((messageProperty(um, 'originalSender')?.value ?? '') === '') {
    props.push({ name: 'originalSender', value: um.from.partyId });
  }
  // Only copied into v2.0 replies; a v2.0 payload behind a header without ExchangeId still gets one.
  if ((messageProperty(um, 'ExchangeId')?.value ?? '') === '') {
    props.push({ name: 'ExchangeId', value: um.conversationId });
  }
  return { ...um, properties: props };
}

export function summary(
  outcome: ExchangeSummary['outcome'],
  edmCode: EdmErrorCode | undefined,
  request: QueryRequest | undefined,
  mapping: EvidenceMapping | undefined,
  detail: string | undefined,
): ExchangeSummary {
  return {
    outcome,
    edmCode,
    evidenceType: request?.evidenceRequest?.evidenceTypeClassification,
    mappingId: mapping?.id,
    mappingVersion: mapping?.version,
    detail,
    // Procedure 00 (production test, src/exchange/system-check.ts, which builds on this module, so
    // the code is read here directly): every answer to it, evidence or error, is test traffic.
    ...(request?.procedure?.value === '00' ? { systemCheck: true as const } : {}),
  };
}

export function success(
  um: UserMessage,
  request: QueryRequest,
  evidences: readonly EvidenceInput[],
  attachments: readonly Attachment[],
  deps: ReplyDeps,
  outcome: ExchangeSummary,
): ExchangeResult {
  const now = deps.now().toISOString();
  const regrep = buildQueryResponse({
    ...requestEcho(request),
    responseId: deps.uuid(),
    issueDateTime: now,
    evidenceProvider: { ...deps.provider, classification: 'EP' },
    evidences,
    ...(generationOf(request.version) === 'v2' && evidences.length > 0 ? { packageId: `urn:uuid:${deps.uuid()}` } : {}),
  });
  return finish(
    um,
    request.version,
    'ExecuteQueryResponse',
    regrep,
    attachments,
    deps,
    outcome,
    request.id,
    partiesOf(request, um),
  );
}

export function failure(
  um: UserMessage,
  request: QueryRequest | undefined,
  root: XmlElement | undefined,
  version: EdmVersion,
  refusal: Refusal,
  deps: ReplyDeps,
  outcome: ExchangeSummary,
): ExchangeResult {
  // Echo what can be read even from a request that was refused: its id from the root, and the
  // requester from the request or, failing that, from the ebMS originalSender (R-EDM-ERR-S11).
  const rootId = root === undefined ? undefined : attr(root, 'id');
  let echo: { requestId: string | undefined; evidenceRequester: Agent | undefined } = {
    requestId: rootId === undefined || rootId === '' ? undefined : rootId,
    evidenceRequester: requesterFromHeader(um),
  };
  if (request === undefined && root !== undefined) {
    try {
      request = parseQueryRequest(root, { versionOverride: version });
    } catch {
      request = undefined;
    }
  }
  if (request !== undefined) {
    try {
      echo = requestEcho(request);
    } catch {
      echo = { ...echo, requestId: request.id === '' ? echo.requestId : request.id };
    }
  }
  // Without a request id only an InvalidRequest exception may be sent (R-EDM-ERR-S003).
  const code: EdmErrorCode = echo.requestId === undefined ? 'EDM:ERR:0003' : refusal.code;
  const exception: ExceptionInput = {
    code,
    detail: refusal.detail,
    ...(refusal.preview !== undefined && code === 'EDM:ERR:0002' ? { preview: refusal.preview } : {}),
  };
  const regrep = buildErrorResponse({
    requestId: echo.requestId,
    version,
    responseId: deps.uuid(),
    issueDateTime: deps.now().toISOString(),
    errorProvider: { ...deps.provider, classification: 'ERRP' },
    evidenceRequester: echo.evidenceRequester,
    exceptions: [exception],
  });
  return finish(
    um,
    version,
    'ExceptionResponse',
    regrep,
    [],
    deps,
    { ...outcome, edmCode: code },
    echo.requestId,
    partiesOf(request, um),
  );
}

export function partiesOf(request: QueryRequest | undefined, um: UserMessage): ExchangeResult['parties'] {
  const agent =
    request === undefined
      ? undefined
      : (request.evidenceRequesters.find((a) => a.classification === 'ER') ?? request.evidenceRequesters[0]);
  const id = agent?.identifier ?? requesterFromHeader(um)?.identifier;
  const subject = request?.subject;
  const subjectIdentifier =
    subject === undefined
      ? undefined
      : subject.kind === 'NaturalPerson'
        ? subject.identifier?.value
        : subject.legalPersonIdentifier?.value;
  return { requester: id === undefined ? undefined : `${id.schemeID ?? ''}|${id.value}`, subjectIdentifier };
}

function requesterFromHeader(um: UserMessage): Agent | undefined {
  const sender = messageProperty(um, 'originalSender');
  if (sender === undefined || sender.value === '') return undefined;
  // The requester's name is unknown when its request cannot be read; the XSD requires a Name, so
  // its identifier stands in.
  return {
    identifier: { value: sender.value, schemeID: sender.type },
    names: [{ lang: 'EN', value: sender.value }],
    address: undefined,
    classification: undefined,
  };
}

export function finish(
  um: UserMessage,
  version: EdmVersion,
  action: 'ExecuteQueryResponse' | 'ExceptionResponse',
  regrep: string,
  attachments: readonly Attachment[],
  deps: ReplyDeps,
  outcome: ExchangeSummary,
  requestId: string | undefined,
  parties: ExchangeResult['parties'],
): ExchangeResult {
  const regrepHref = `cid:${deps.uuid().replace(/-/g, '')}@${deps.messageDomain}`;
  const payloads: PayloadPart[] = [
    { href: regrepHref, mimeType: EBRS_MIME_TYPE, properties: [{ name: 'MimeType', value: EBRS_MIME_TYPE }] },
    ...attachments.map((a) => ({
      href: a.href,
      mimeType: a.mimeType,
      properties: [{ name: 'MimeType', value: a.mimeType }],
    })),
  ];
  const userMessage = deriveReplyHeader(withCornerProperties(um, deps), {
    messageId: `${deps.uuid()}@${deps.messageDomain}`,
    timestamp: deps.now().toISOString(),
    action,
    version,
    payloads,
  });
  return {
    outbound: { userMessage, regrep, attachments },
    summary: outcome,
    requestId,
    parties,
  };
}

/**
 * The stored answer of the same request, sent again as a new message to this one: the same RegRep
 * document and evidence parts (same bytes, same cids), under a header derived from this request
 * (its conversation, its parties, a new MessageId).
 */
export function replay(um: UserMessage, request: QueryRequest, stored: StoredAnswer, deps: ReplyDeps): ExchangeResult {
  const action =
    stored.outbound.userMessage.action === 'ExceptionResponse' ? 'ExceptionResponse' : 'ExecuteQueryResponse';
  const userMessage = deriveReplyHeader(withCornerProperties(um, deps), {
    messageId: `${deps.uuid()}@${deps.messageDomain}`,
    timestamp: deps.now().toISOString(),
    action,
    version: request.version,
    payloads: stored.outbound.userMessage.payloads,
  });
  return {
    outbound: { userMessage, regrep: stored.outbound.regrep, attachments: stored.outbound.attachments },
    summary: stored.summary,
    requestId: request.id,
    parties: partiesOf(request, um),
    replayed: true,
  };
}
