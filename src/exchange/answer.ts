/**
 * The exchange use case: one inbound request (ebMS header + RegRep payload) becomes exactly one
 * outbound message — evidence, an empty success, or an EDM error with the right code. Pure apart
 * from the ports it is given; every failure a requester should hear about ends as an answer here,
 * and only unexpected faults (which the worker retries) escape as exceptions.
 */
import { AdapterError, XmlInputError, type EdmErrorCode } from '../errors.js';
import {
  buildErrorResponse,
  buildQueryResponse,
  requestEcho,
  type EvidenceInput,
  type ExceptionInput,
  type PreviewInput,
} from '../edm/build/index.js';
import { classify } from '../edm/classify.js';
import type { Agent, EdmVersion, QueryRequest, Subject } from '../edm/model.js';
import { generationOf } from '../edm/model.js';
import { parseQueryRequest } from '../edm/parse-request.js';
import { minimumDataSet } from '../edm/subject.js';
import { judgeTree, type XsdCheck } from '../edm/validate.js';
import { isEdmVersion, readVersion } from '../edm/version.js';
import { DEFAULT_XML_LIMITS, parseXml, type XmlLimits } from '../edm/xml/parse.js';
import { attr, type XmlElement } from '../edm/xml/tree.js';
import type { Violation } from '../edm/violation.js';
import { EBRS_MIME_TYPE, messageProperty, type PayloadPart, type UserMessage } from '../ebms/model.js';
import { recipientMismatch, repeatedProperty, senderMismatch } from '../ebms/four-corner.js';
import { deriveReplyHeader } from '../ebms/reply.js';
import { lookupKey, matchSubject } from '../identity/match.js';
import type { MappingRegistry } from '../mapping/registry.js';
import type { Distribution, EvidenceMapping } from '../mapping/model.js';
import { previewFields } from '../render/preview-fields.js';
import type { Attachment, DagrPort, ExchangeSummary, OutboundMessage, PreparedEvidence, PreviewPort, RenderPort, StoredAnswer } from './ports.js';
import { canonicalRequest } from '../edm/canonical.js';

export interface ExchangeDeps {
  readonly registry: MappingRegistry;
  readonly dagr: DagrPort;
  readonly renderer: RenderPort;
  /** This evidence provider as EvidenceProvider / ErrorProvider agent. */
  readonly provider: Agent;
  /** Domain of our AS4 message ids and Content-IDs (`<id>@<domain>`). */
  readonly messageDomain: string;
  /** What a subject without a matching record gets: `empty` success (Projectathon TC02) or `EDM:ERR:0004`. */
  readonly notFound: 'empty' | 'error';
  readonly limits?: XmlLimits;
  /** XSD check for v1.0 requests; rules only when absent. */
  readonly xsd?: XsdCheck;
  /**
   * Reads the RegRep payload (its tree and the XSD findings of a v1.0 QueryRequest) away from the
   * event loop and under a time limit (throws XmlInputError); in-process with `limits` and `xsd`
   * when absent.
   */
  readonly readPayload?: (bytes: Uint8Array) => Promise<PayloadRead>;
  /** The preview space; without it a request that asks for a preview gets EDM:ERR:0007. */
  readonly preview?: PreviewPort;
  /** A fresh RFC 4122 UUID per call. */
  readonly uuid: () => string;
  /** The current time. */
  readonly now: () => Date;
}

export interface InboundRequest {
  /** Opaque reference of the exchange (correlation for DAGR; never personal data). */
  readonly exchangeRef: string;
  readonly userMessage: UserMessage;
  readonly payloads: readonly { readonly href: string; readonly mimeType: string; readonly bytes: Uint8Array }[];
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
}

/** Ends an exchange early with an EDM error; caught in `answerRequest`. */
class Refusal extends Error {
  constructor(
    readonly code: EdmErrorCode,
    readonly detail: string,
    readonly outcome: ExchangeSummary['outcome'] = 'error',
    readonly preview?: PreviewInput,
  ) {
    super(detail);
  }
}

/**
 * Thrown when a request gets no answer now: a v2.0 request #2 waits for the user's decision (it
 * is processed again when the decision or the deadline releases it), or another request #2
 * already answers the same preview. The worker finishes the job without sending anything.
 */
export class NoAnswerYet extends Error {
  override readonly name = 'NoAnswerYet';
  constructor(
    readonly reason: 'parked' | 'duplicate' | 'waiting',
    /** False for a v2.0 request #2, which waits under the preview deadlines, not the answer deadline. */
    readonly underAnswerDeadline = true,
  ) {
    super(
      reason === 'parked'
        ? 'waiting for the preview decision'
        : reason === 'waiting'
          ? 'the same request is being answered by another exchange'
          : 'another request answers this preview',
    );
  }
}

export interface AnswerOptions {
  /**
   * False while the worker may still retry: a transient failure of a base registry (an error
   * carrying EDM:ERR:0005: timeout, outage, rate limit) is then thrown, so the job retries and an
   * outage delays the answer instead of failing it. True (default) answers EDM:ERR:0005 at once.
   */
  readonly final?: boolean;
  /**
   * Called once the request is read and valid, before any base-registry call, with what makes it
   * the same request as another one (requester, request id, canonical content). `first`: answer
   * it here; `wait`: the same request is being answered by another exchange, which answers this
   * one too when it completes (NoAnswerYet 'waiting'); `replay`: the same request was answered
   * before, and this one gets that stored answer in a new message (no second lookup).
   */
  readonly claimRequest?: (claim: RequestClaim) => Promise<ClaimOutcome>;
  /**
   * The answer deadline of this request (counted from its ebMS Timestamp). A request that is
   * processed after it gets EDM:ERR:0005 at once, `basis` saying why; a transient failure of a
   * base registry is then final too. Not applied to a v2.0 request #2, which waits for the
   * preview decision under the preview deadlines (T2/T3).
   */
  readonly deadline?: { readonly at: Date; readonly basis: string };
}

/** What makes two requests the same request (see AnswerOptions.claimRequest). */
export interface RequestClaim {
  readonly requestId: string;
  /** The sending access point and the original sender (C1), from the ebMS header. */
  readonly requester: string;
  /** The canonical form of the request without id and IssueDateTime (src/edm/canonical.ts). */
  readonly canonical: string;
}

export type ClaimOutcome =
  | { readonly kind: 'first' }
  | { readonly kind: 'wait' }
  | { readonly kind: 'replay'; readonly answer: StoredAnswer };

/**
 * Whether an answer may be given again to the same request sent again. Evidence, an empty
 * success and the errors that a new attempt would repeat are; a preview-required answer is not
 * (each request #1 opens its own, single-use preview), nor a timeout or a processing failure (a
 * requester re-sending after those is asking for a new attempt).
 */
export function isReusableAnswer(summary: ExchangeSummary): boolean {
  if (summary.outcome === 'evidence' || summary.outcome === 'empty') return true;
  if (summary.outcome !== 'error') return false;
  return summary.edmCode === 'EDM:ERR:0003' || summary.edmCode === 'EDM:ERR:0004' || summary.edmCode === 'EDM:ERR:0006' || summary.edmCode === 'EDM:ERR:0007';
}

export async function answerRequest(input: InboundRequest, deps: ExchangeDeps, options: AnswerOptions = {}): Promise<ExchangeResult> {
  const headerVersion = versionFromHeader(input.userMessage);
  let version: EdmVersion = headerVersion ?? 'oots-edm:v1.0';
  let request: QueryRequest | undefined;
  let mapping: EvidenceMapping | undefined;
  let root: XmlElement | undefined;
  try {
    checkHeader(input.userMessage);
    const payload = await readPayloadWithXsd(input, deps);
    root = payload.root;
    const read = readVersion(root);
    if (read.version !== undefined) version = read.version;
    // The rules' cost grows with the document too: judged where it was parsed (the parse threads,
    // under their time limit) when the reader did, here otherwise.
    const judged = payload.errors ?? judgeTree(root, payload.xsd).errors;
    const errors = judged.filter((v) => !(v.rule === 'R-EDM-REQ-C005' && ownLoopbackLocation(root!, deps)));
    if (errors.length > 0) throw new Refusal('EDM:ERR:0003', describeViolations(errors));
    request = parseQueryRequest(root, headerVersion === undefined ? {} : { fallbackVersion: headerVersion });
    version = request.version;
    if (headerVersion !== undefined && headerVersion !== version) {
      throw new Refusal('EDM:ERR:0003', `R-EDM-ebMS-038: ebMS SpecificationId ${headerVersion} differs from the payload's ${version}`);
    }
    const sender = senderMismatch(input.userMessage, request.evidenceRequesters.map((a) => a.identifier));
    if (sender !== undefined) throw new Refusal('EDM:ERR:0003', sender);
    const previewed = request.possibilityForPreview === true || request.previewLocation !== undefined;
    if (previewed && deps.preview === undefined) {
      throw new Refusal('EDM:ERR:0007', 'this evidence provider offers no preview; send the request with PossibilityForPreview=false');
    }
    const waitsForDecision = request.previewLocation !== undefined && generationOf(request.version) === 'v2';
    if (options.deadline !== undefined && !waitsForDecision && deps.now().getTime() >= options.deadline.at.getTime()) {
      throw new Refusal('EDM:ERR:0005', `the answer deadline of this request has passed (${options.deadline.basis}); no evidence is sent after it`);
    }
    const requestId = attr(root, 'id')?.trim();
    if (requestId !== undefined && requestId !== '' && options.claimRequest !== undefined) {
      const claim = await options.claimRequest({ requestId, requester: requesterOf(input.userMessage), canonical: canonicalRequest(root) });
      if (claim.kind === 'wait') throw new NoAnswerYet('waiting', !waitsForDecision);
      if (claim.kind === 'replay') return replay(input, request, claim.answer, deps);
    }
    const found = findMapping(request, deps);
    mapping = found.mapping;
    const authority = { value: mapping.issuingAuthority.id, schemeID: mapping.issuingAuthority.scheme };
    const recipient = recipientMismatch(input.userMessage, [deps.provider.identifier, authority]);
    if (recipient !== undefined) throw new Refusal('EDM:ERR:0003', recipient);
    if (request.previewLocation !== undefined) {
      // Request #2 of a preview: answer with what the user approved, nothing else.
      const resolved = await deps.preview!.resolve({ exchangeRef: input.exchangeRef, request, exchangeId: exchangeIdOf(input.userMessage) });
      switch (resolved.status) {
        case 'parked':
          throw new NoAnswerYet(resolved.status);
        case 'duplicate':
          // Another request #2 (another id or content) already answers this single-use preview:
          // this message still gets its one answer, and nothing is released twice.
          throw new Refusal('EDM:ERR:0005', 'the preview this request names is already answered by another request: no evidence is released again');
        case 'expired':
        case 'not-found':
          throw new Refusal('EDM:ERR:0005', 'the preview was not completed in time (or does not exist): no evidence is released');
        case 'decided': {
          const approved = resolved.approved;
          return success(
            input,
            request,
            approved.map((e) => e.metadata),
            approved.map((e) => e.attachment),
            deps,
            summary(approved.length > 0 ? 'evidence' : 'empty', undefined, request, mapping, approved.length > 0 ? undefined : 'declined in the preview'),
          );
        }
      }
    }
    const evidence = await produceEvidence(request, found.mapping, found.distribution, input, deps);
    if (evidence === undefined) {
      if (deps.notFound === 'error') throw new Refusal('EDM:ERR:0004', 'no evidence of this type is available for the subject');
      return success(input, request, [], [], deps, summary('empty', undefined, request, mapping, 'no matching record'));
    }
    if (previewed) {
      // Request #1: nothing leaves before the user has seen and approved it.
      const description = found.mapping.preview?.description;
      const opened = await deps.preview!.open({
        exchangeRef: input.exchangeRef,
        request,
        conversationId: input.userMessage.conversationId,
        exchangeId: exchangeIdOf(input.userMessage),
        evidences: [evidence],
        description,
      });
      throw new Refusal('EDM:ERR:0002', 'the evidence provider needs the user to preview and approve the evidence', 'preview-required', {
        location: opened.location,
        description: previewDescription(request, found.mapping),
        method: 'GET',
      });
    }
    return success(input, request, [evidence.metadata], [evidence.attachment], deps, summary('evidence', undefined, request, mapping, undefined));
  } catch (e) {
    const refusal = toRefusal(e);
    if (refusal === undefined) throw e;
    const beforeDeadline = options.deadline === undefined || deps.now().getTime() < options.deadline.at.getTime();
    if (options.final === false && beforeDeadline && !(e instanceof Refusal) && refusal.code === 'EDM:ERR:0005') throw e;
    return failure(input, request, root, version, refusal, deps, summary(refusal.outcome, refusal.code, request, mapping, refusal.detail));
  }
}

/**
 * The answer when processing cannot complete (retries exhausted on an unexpected fault): an
 * EDM:ERR:0008 so the requester is never left without a reply.
 */
export function answerWithProcessingError(input: InboundRequest, deps: ExchangeDeps, detail: string): ExchangeResult {
  return answerWithError(input, deps, 'EDM:ERR:0008', detail);
}

/**
 * An EDM error answer decided outside the use case (the deadline sweep's EDM:ERR:0005, the
 * rescue's EDM:ERR:0008), echoing what can be read of the request.
 */
export function answerWithError(input: InboundRequest, deps: ExchangeDeps, code: EdmErrorCode, detail: string): ExchangeResult {
  let request: QueryRequest | undefined;
  let root: XmlElement | undefined;
  let version: EdmVersion = versionFromHeader(input.userMessage) ?? 'oots-edm:v1.0';
  try {
    root = readPayload(input, deps);
    request = parseQueryRequest(root);
    version = request.version;
  } catch {
    request = undefined;
  }
  const refusal = new Refusal(code, detail);
  return failure(input, request, root, version, refusal, deps, summary('error', code, request, undefined, detail));
}

function versionFromHeader(um: UserMessage): EdmVersion | undefined {
  const v = messageProperty(um, 'SpecificationId')?.value;
  return v !== undefined && isEdmVersion(v) ? v : undefined;
}

function checkHeader(um: UserMessage): void {
  if (um.action !== 'ExecuteQueryRequest') {
    throw new Refusal('EDM:ERR:0003', `ebMS action ${um.action} is not ExecuteQueryRequest`);
  }
  const repeated = repeatedProperty(um);
  if (repeated !== undefined) {
    throw new Refusal('EDM:ERR:0003', `R-EDM-ebMS-018: the ebMS message property ${repeated} occurs more than once`);
  }
  for (const name of ['originalSender', 'finalRecipient']) {
    if ((messageProperty(um, name)?.value ?? '') === '') {
      throw new Refusal('EDM:ERR:0003', `R-EDM-ebMS-019: the ebMS header has no ${name} property`);
    }
  }
}

/**
 * A reply needs the request's originalSender/finalRecipient to swap; when the request lacks them
 * (and is refused for it), we still answer: our own identifier stands in as the recipient it named.
 */
function withCornerProperties(um: UserMessage, deps: ExchangeDeps): UserMessage {
  const props = [...um.properties];
  const ours = deps.provider.identifier;
  if ((messageProperty(um, 'finalRecipient')?.value ?? '') === '' && ours !== undefined) {
    props.push({ name: 'finalRecipient', value: ours.value, ...(ours.schemeID === undefined ? {} : { type: ours.schemeID }) });
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

function regrepPart(input: InboundRequest): InboundRequest['payloads'][number] {
  // One request, one RegRep part (TDD payload packaging): a second one is not silently ignored.
  const regreps = input.payloads.filter((p) => p.mimeType === EBRS_MIME_TYPE).length;
  if (regreps > 1)
    throw new Refusal('EDM:ERR:0003', `the message carries ${regreps} RegRep parts (${EBRS_MIME_TYPE}); a request has exactly one`);
  const part = input.payloads.find((p) => p.mimeType === EBRS_MIME_TYPE) ?? input.payloads[0];
  if (part === undefined) throw new Refusal('EDM:ERR:0003', 'the message carries no RegRep payload (application/x-ebrs+xml)');
  return part;
}

function readPayload(input: InboundRequest, deps: ExchangeDeps): XmlElement {
  const root = parseXml(regrepPart(input).bytes, deps.limits ?? DEFAULT_XML_LIMITS);
  if (classify(root) !== 'QueryRequest') {
    throw new Refusal('EDM:ERR:0003', `R-EDM-REQ-S001: the payload root {${root.ns}}${root.local} is not query:QueryRequest`);
  }
  return root;
}

/** One parse for both: the tree, and the XSD findings of a v1.0 request while libxml2's document lives. */
/** A read RegRep payload: its tree, the XSD findings of a v1.0 QueryRequest, and the judgement's errors when the reader judged it. */
export interface PayloadRead {
  readonly root: XmlElement;
  readonly xsd: Violation[];
  /** The errors of `judgeTree(root, xsd)`, when the reader ran the rules already. */
  readonly errors?: readonly Violation[];
}

async function readPayloadWithXsd(input: InboundRequest, deps: ExchangeDeps): Promise<PayloadRead> {
  const bytes = regrepPart(input).bytes;
  if (deps.readPayload !== undefined) return requireQueryRequest(await deps.readPayload(bytes));
  let findings: Violation[] = [];
  const xsd = deps.xsd;
  const root = parseXml(bytes, deps.limits ?? DEFAULT_XML_LIMITS, (doc, tree) => {
    if (xsd !== undefined && classify(tree) === 'QueryRequest' && readVersion(tree).version === 'oots-edm:v1.0') findings = xsd.validate(doc);
  });
  return requireQueryRequest({ root, xsd: findings });
}

function requireQueryRequest<T extends { readonly root: XmlElement }>(read: T): T {
  const root = read.root;
  if (classify(root) !== 'QueryRequest') {
    throw new Refusal('EDM:ERR:0003', `R-EDM-REQ-S001: the payload root {${root.ns}}${root.local} is not query:QueryRequest`);
  }
  return read;
}

function ownLoopbackLocation(root: XmlElement, deps: ExchangeDeps): boolean {
  const location = parseQueryRequest(root, { versionOverride: 'oots-edm:v1.0' }).previewLocation;
  return location !== undefined && deps.preview?.isOwnLoopbackLocation?.(location) === true;
}

function describeViolations(errors: readonly Violation[]): string {
  const shown = errors.slice(0, 5).map((v) => `${v.rule}: ${v.message}${v.path === undefined ? '' : ` (${v.path})`}`);
  const more = errors.length > shown.length ? ` (+${errors.length - shown.length} more)` : '';
  return shown.join('; ') + more;
}

function findMapping(request: QueryRequest, deps: ExchangeDeps): { mapping: EvidenceMapping; distribution: Distribution } {
  const type = request.evidenceRequest?.evidenceTypeClassification;
  if (type === undefined) throw new Refusal('EDM:ERR:0003', 'R-EDM-REQ-S044: the request names no EvidenceTypeClassification');
  const formats = request.evidenceRequest?.distributedAs.map((d) => d.format) ?? [];
  const found = deps.registry.find(type, formats[0]);
  if (!found.ok) {
    throw found.reason === 'unsupported-format'
      ? new Refusal('EDM:ERR:0007', found.detail)
      : new Refusal('EDM:ERR:0006', `evidence type ${type} is not provided by this evidence provider`);
  }
  const subjectKind = request.subject?.kind;
  if (subjectKind !== found.mapping.subject) {
    throw new Refusal('EDM:ERR:0003', `evidence type ${type} is about a ${found.mapping.subject}; the request names ${subjectKind ?? 'no subject'}`);
  }
  return { mapping: found.mapping, distribution: found.distribution };
}

async function produceEvidence(
  request: QueryRequest,
  mapping: EvidenceMapping,
  distribution: Distribution,
  input: InboundRequest,
  deps: ExchangeDeps,
): Promise<PreparedEvidence | undefined> {
  const subject = request.subject!;
  const key = lookupKey(subject, mapping.dagr.lookup);
  if (!key.ok) return undefined;
  const result = await deps.dagr.lookup({
    service: mapping.dagr.service,
    permission: mapping.dagr.permission,
    key: key.key,
    correlationId: input.exchangeRef,
  });
  if (result.kind === 'not-found') return undefined;
  const match = matchSubject(subject, result.record.fields, mapping);
  if (!match.matched) return undefined;

  const now = deps.now();
  const issuingDate = now.toISOString().slice(0, 10);
  const bytes = await deps.renderer.render({
    mapping,
    distribution,
    record: result.record,
    issuingDate,
    subjectLabel: subjectLabel(subject),
    languages: ['lv', 'en'],
    renderedAt: now.toISOString(),
  });
  const cid = `cid:${deps.uuid().replace(/-/g, '')}@${deps.messageDomain}`;
  const type = request.evidenceRequest!;
  const validity =
    mapping.validityDays === undefined
      ? undefined
      : { startDate: issuingDate, endDate: new Date(now.getTime() + mapping.validityDays * 86_400_000).toISOString().slice(0, 10) };
  const metadata: EvidenceInput = {
    registryObjectId: `urn:uuid:${deps.uuid()}`,
    evidenceId: deps.uuid(),
    isAbout: minimumDataSet(subject),
    issuingAuthority: {
      identifier: { value: mapping.issuingAuthority.id, schemeID: mapping.issuingAuthority.scheme },
      names: [
        { lang: 'LV', value: mapping.issuingAuthority.name.lv },
        { lang: 'EN', value: mapping.issuingAuthority.name.en },
      ],
      address: undefined,
      classification: undefined,
    },
    isConformantTo: {
      evidenceTypeClassification: type.evidenceTypeClassification!,
      titles: [
        { lang: 'LV', value: mapping.title.lv },
        { lang: 'EN', value: mapping.title.en },
      ],
      // The v1.0 Schematron's R-EDM-RESP-S030 test asks for a Description: the title stands in.
      descriptions: [
        { lang: 'LV', value: (mapping.description ?? mapping.title).lv },
        { lang: 'EN', value: (mapping.description ?? mapping.title).en },
      ],
    },
    issuingDate,
    distribution:
      distribution.format === 'application/xml'
        ? {
            format: distribution.format,
            languages: ['LV'],
            conformsTo: distribution.conformsTo,
            ...(distribution.transformation === undefined ? {} : { transformation: distribution.transformation }),
          }
        : { format: distribution.format, languages: ['LV', 'EN'] },
    ...(validity === undefined ? {} : { validityPeriod: validity }),
    repositoryItem: { href: cid, title: mapping.title.en },
    role: 'MainEvidence',
    classificationId: `urn:uuid:${deps.uuid()}`,
  };
  const fields = previewFields({
    mapping,
    record: result.record,
    issuingDate,
    subjectLabel: subjectLabel(subject),
    languages: ['lv', 'en'],
  });
  return { metadata, attachment: { href: cid, mimeType: distribution.format, bytes }, title: mapping.title, fields };
}

function exchangeIdOf(um: UserMessage): string | undefined {
  const v = messageProperty(um, 'ExchangeId')?.value;
  return v === undefined || v === '' ? undefined : v;
}

/** What the requester shows the user next to the link: in the request's language when we have it, and English. */
function previewDescription(request: QueryRequest, mapping: EvidenceMapping): PreviewInput['description'] {
  const text = mapping.preview?.description ?? {
    lv: `Lūdzu, apskatiet un apstipriniet dokumentu „${mapping.title.lv}”, pirms tas tiek nosūtīts.`,
    en: `Please review and approve the ${mapping.title.en} before it is sent.`,
  };
  const lang = request.lang?.toUpperCase();
  return lang === 'LV' ? [{ lang: 'LV', value: text.lv }, { lang: 'EN', value: text.en }] : [{ lang: 'EN', value: text.en }];
}

function subjectLabel(s: Subject): { name: string; identifier: string | undefined } {
  if (s.kind === 'LegalPerson') return { name: s.legalName ?? '', identifier: s.legalPersonIdentifier?.value };
  return { name: [s.givenName, s.familyName].filter((x) => x !== undefined).join(' '), identifier: s.identifier?.value };
}

function toRefusal(e: unknown): Refusal | undefined {
  if (e instanceof Refusal) return e;
  if (e instanceof XmlInputError) return new Refusal('EDM:ERR:0003', `the RegRep payload is not acceptable XML: ${e.message}`);
  if (e instanceof AdapterError && e.edmCode !== undefined) return new Refusal(e.edmCode, e.message);
  return undefined;
}

function summary(
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
  };
}

function success(
  input: InboundRequest,
  request: QueryRequest,
  evidences: readonly EvidenceInput[],
  attachments: readonly Attachment[],
  deps: ExchangeDeps,
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
  return finish(input, request.version, 'ExecuteQueryResponse', regrep, attachments, deps, outcome, request.id, partiesOf(request, input));
}

function failure(
  input: InboundRequest,
  request: QueryRequest | undefined,
  root: XmlElement | undefined,
  version: EdmVersion,
  refusal: Refusal,
  deps: ExchangeDeps,
  outcome: ExchangeSummary,
): ExchangeResult {
  // Echo what can be read even from a request that was refused: its id from the root, and the
  // requester from the request or, failing that, from the ebMS originalSender (R-EDM-ERR-S11).
  const rootId = root === undefined ? undefined : attr(root, 'id');
  let echo: { requestId: string | undefined; evidenceRequester: Agent | undefined } = {
    requestId: rootId === undefined || rootId === '' ? undefined : rootId,
    evidenceRequester: requesterFromHeader(input.userMessage),
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
  return finish(input, version, 'ExceptionResponse', regrep, [], deps, { ...outcome, edmCode: code }, echo.requestId, partiesOf(request, input));
}

function partiesOf(request: QueryRequest | undefined, input: InboundRequest): ExchangeResult['parties'] {
  const agent = request === undefined ? undefined : (request.evidenceRequesters.find((a) => a.classification === 'ER') ?? request.evidenceRequesters[0]);
  const id = agent?.identifier ?? requesterFromHeader(input.userMessage)?.identifier;
  const subject = request?.subject;
  const subjectIdentifier =
    subject === undefined ? undefined : subject.kind === 'NaturalPerson' ? subject.identifier?.value : subject.legalPersonIdentifier?.value;
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

function finish(
  input: InboundRequest,
  version: EdmVersion,
  action: 'ExecuteQueryResponse' | 'ExceptionResponse',
  regrep: string,
  attachments: readonly Attachment[],
  deps: ExchangeDeps,
  outcome: ExchangeSummary,
  requestId: string | undefined,
  parties: ExchangeResult['parties'],
): ExchangeResult {
  const regrepHref = `cid:${deps.uuid().replace(/-/g, '')}@${deps.messageDomain}`;
  const payloads: PayloadPart[] = [
    { href: regrepHref, mimeType: EBRS_MIME_TYPE, properties: [{ name: 'MimeType', value: EBRS_MIME_TYPE }] },
    ...attachments.map((a) => ({ href: a.href, mimeType: a.mimeType, properties: [{ name: 'MimeType', value: a.mimeType }] })),
  ];
  const userMessage = deriveReplyHeader(withCornerProperties(input.userMessage, deps), {
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

/** The claim key of a stored request (for the deadline sweep), or undefined when it cannot be read. */
export function requestKeyOf(input: InboundRequest, deps: ExchangeDeps): RequestClaim | undefined {
  try {
    const root = readPayload(input, deps);
    const requestId = attr(root, 'id')?.trim();
    if (requestId === undefined || requestId === '') return undefined;
    return { requestId, requester: requesterOf(input.userMessage), canonical: canonicalRequest(root) };
  } catch {
    return undefined;
  }
}

/** Who sends: the sending access point and the original sender (C1) of the ebMS header. */
export function requesterOf(um: UserMessage): string {
  const sender = messageProperty(um, 'originalSender');
  return JSON.stringify([um.from.partyIdType ?? '', um.from.partyId, sender?.type ?? '', sender?.value ?? '']);
}

/**
 * The stored answer of the same request, sent again as a new message to this one: the same RegRep
 * document and evidence parts (same bytes, same cids), under a header derived from this request
 * (its conversation, its parties, a new MessageId).
 */
function replay(input: InboundRequest, request: QueryRequest, stored: StoredAnswer, deps: ExchangeDeps): ExchangeResult {
  const action = stored.outbound.userMessage.action === 'ExceptionResponse' ? 'ExceptionResponse' : 'ExecuteQueryResponse';
  const userMessage = deriveReplyHeader(withCornerProperties(input.userMessage, deps), {
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
    parties: partiesOf(request, input),
    replayed: true,
  };
}
