/**
 * The exchange use case: one inbound request (ebMS header + RegRep payload) becomes exactly one
 * outbound message — evidence, an empty success, or an EDM error with the right code. Pure apart
 * from the ports it is given; every failure a requester should hear about ends as an answer here,
 * and only unexpected faults (which the worker retries) escape as exceptions.
 *
 * This module runs the steps and is the use case's public surface; the steps are read-request.ts
 * (header and payload), evidence.ts (mapping, DAGR lookup, rendering) and reply.ts (the answer).
 */
import type { EdmErrorCode } from '../errors.js';
import type { EdmVersion, QueryRequest } from '../edm/model.js';
import { generationOf } from '../edm/model.js';
import { parseQueryRequest } from '../edm/parse-request.js';
import { judgeTree } from '../edm/validate.js';
import { readVersion } from '../edm/version.js';
import { attr, type XmlElement } from '../edm/xml/tree.js';
import { messageProperty, type UserMessage } from '../ebms/model.js';
import { recipientMismatch, senderMismatch } from '../ebms/four-corner.js';
import type { EvidenceMapping } from '../mapping/model.js';
import { canonicalRequest } from '../edm/canonical.js';
import { requireAssurance } from './assurance.js';
import { previewLoginPolicy } from './login-policy.js';
import { produceOrDefer } from './deferred.js';
import { associatedPlan, findMapping, previewDescription, produceEvidence, type EvidenceDeps } from './evidence.js';
import { noRecordDetail } from './find-record.js';
import { attachmentsOf, type ExchangeSummary, type PreviewPort, type StoredAnswer } from './ports.js';
import {
  checkHeader,
  exchangeIdOf,
  ownLoopbackLocation,
  readPayload,
  readPayloadWithXsd,
  versionFromHeader,
  type InboundPayload,
  type ReadDeps,
} from './read-request.js';
import { describeViolations, Refusal, toRefusal } from './refusal.js';
import { failure, replay, success, summary, type ExchangeResult, type ReplyDeps } from './reply.js';
import { answerSystemCheck, isSystemCheck, type SystemCheckDeps } from './system-check.js';

// What the use case returns is built by its last step; callers import it from here with the rest.
export type { ExchangeResult } from './reply.js';

/** The ports and settings of the use case: each step declares the part it needs. */
export interface ExchangeDeps extends ReadDeps, EvidenceDeps, ReplyDeps, SystemCheckDeps {
  /** What a subject without a matching record gets: `empty` success (Projectathon TC02) or `EDM:ERR:0004`. */
  readonly notFound: 'empty' | 'error';
  /** The preview space; without it a request that asks for a preview gets EDM:ERR:0007. */
  readonly preview?: PreviewPort;
}

export interface InboundRequest {
  /** Opaque reference of the exchange (correlation for DAGR; never personal data). */
  readonly exchangeRef: string;
  readonly userMessage: UserMessage;
  readonly payloads: readonly InboundPayload[];
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
  /**
   * When this exchange was answered "later" before (./deferred.ts), if it was: a mapping that
   * declares a deferral looks the record up only from then on. Asked only for such a mapping.
   */
  readonly deferredUntil?: () => Promise<Date | undefined>;
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
  { readonly kind: 'first' } | { readonly kind: 'wait' } | { readonly kind: 'replay'; readonly answer: StoredAnswer };

/**
 * Whether an answer may be given again to the same request sent again. Evidence, an empty
 * success and the errors that a new attempt would repeat are; a preview-required answer is not
 * (each request #1 opens its own, single-use preview), nor a timeout or a processing failure (a
 * requester re-sending after those is asking for a new attempt).
 */
export function isReusableAnswer(summary: ExchangeSummary): boolean {
  if (summary.outcome === 'evidence' || summary.outcome === 'empty') return true;
  if (summary.outcome !== 'error') return false;
  return (
    summary.edmCode === 'EDM:ERR:0003' ||
    summary.edmCode === 'EDM:ERR:0004' ||
    summary.edmCode === 'EDM:ERR:0006' ||
    summary.edmCode === 'EDM:ERR:0007'
  );
}

export async function answerRequest(
  input: InboundRequest,
  deps: ExchangeDeps,
  options: AnswerOptions = {},
): Promise<ExchangeResult> {
  const warnings: string[] = [];
  const result = await answerJudged(input, deps, options, warnings);
  // A warning never refuses: the request is answered and the rule IDs go with its summary (log).
  return warnings.length === 0 ? result : { ...result, summary: { ...result.summary, ruleWarnings: warnings } };
}

async function answerJudged(
  input: InboundRequest,
  deps: ExchangeDeps,
  options: AnswerOptions,
  warnings: string[],
): Promise<ExchangeResult> {
  const headerVersion = versionFromHeader(input.userMessage);
  let version: EdmVersion = headerVersion ?? 'oots-edm:v1.0';
  let request: QueryRequest | undefined;
  let mapping: EvidenceMapping | undefined;
  let root: XmlElement | undefined;
  try {
    checkHeader(input.userMessage);
    const payload = await readPayloadWithXsd(input.payloads, deps);
    root = payload.root;
    const read = readVersion(root);
    if (read.version !== undefined) version = read.version;
    // The rules' cost grows with the document too: judged where it was parsed (the parse threads,
    // under their time limit) when the reader did, here otherwise.
    const judged =
      payload.errors === undefined
        ? judgeTree(root, payload.xsd)
        : { errors: payload.errors, warnings: payload.warnings ?? [] };
    for (const w of judged.warnings) if (!warnings.includes(w.rule)) warnings.push(w.rule);
    const errors = judged.errors.filter(
      (v) => !(v.rule === 'R-EDM-REQ-C005' && ownLoopbackLocation(root!, deps.preview)),
    );
    if (errors.length > 0) throw new Refusal('EDM:ERR:0003', describeViolations(errors));
    request = parseQueryRequest(root, headerVersion === undefined ? {} : { fallbackVersion: headerVersion });
    version = request.version;
    if (headerVersion !== undefined && headerVersion !== version) {
      throw new Refusal(
        'EDM:ERR:0003',
        `R-EDM-ebMS-038: ebMS SpecificationId ${headerVersion} differs from the payload's ${version}`,
      );
    }
    const sender = senderMismatch(
      input.userMessage,
      request.evidenceRequesters.map((a) => a.identifier),
    );
    if (sender !== undefined) throw new Refusal('EDM:ERR:0003', sender);
    const previewed = request.possibilityForPreview === true || request.previewLocation !== undefined;
    // A system check never previews; a request #2 naming a PreviewLocation still needs the space.
    const systemCheckAtOnce = isSystemCheck(request) && request.previewLocation === undefined;
    if (previewed && deps.preview === undefined && !systemCheckAtOnce) {
      throw new Refusal(
        'EDM:ERR:0007',
        'this evidence provider offers no preview; send the request with PossibilityForPreview=false',
      );
    }
    const waitsForDecision = request.previewLocation !== undefined && generationOf(request.version) === 'v2';
    if (options.deadline !== undefined && !waitsForDecision && deps.now().getTime() >= options.deadline.at.getTime()) {
      throw new Refusal(
        'EDM:ERR:0005',
        `the answer deadline of this request has passed (${options.deadline.basis}); no evidence is sent after it`,
      );
    }
    const requestId = attr(root, 'id')?.trim();
    if (requestId !== undefined && requestId !== '' && options.claimRequest !== undefined) {
      const claim = await options.claimRequest({
        requestId,
        requester: requesterOf(input.userMessage),
        canonical: canonicalRequest(root),
      });
      if (claim.kind === 'wait') throw new NoAnswerYet('waiting', !waitsForDecision);
      if (claim.kind === 'replay') return replay(input.userMessage, request, claim.answer, deps);
    }
    const found = findMapping(request, deps);
    mapping = found.mapping;
    const authority = { value: mapping.issuingAuthority.id, schemeID: mapping.issuingAuthority.scheme };
    const recipient = recipientMismatch(input.userMessage, [deps.provider.identifier, authority]);
    if (recipient !== undefined) throw new Refusal('EDM:ERR:0003', recipient);
    // A valid request addressed here, below the evidence's level of assurance: EDM:ERR:0001.
    requireAssurance(request, mapping);
    if (request.previewLocation !== undefined) return await answerFromPreview(input, request, mapping, deps);
    // Procedure 00: a test evidence from an invented record; no DAGR call, no preview.
    if (isSystemCheck(request))
      return await answerSystemCheck(input.userMessage, request, mapping, found.distribution, deps);
    // A preview reads DAGR only once the person logged in and matched (evidence-at-login.ts).
    if (previewed) return await openPreview(input, request, found.mapping, found.distribution.format, deps);
    // A record still being prepared answers "later" (status Unavailable), or EDM:ERR:0005 past the deadline.
    const produced = await produceOrDefer(
      () => produceEvidence(request!, found.mapping, found.distribution, input.exchangeRef, deps),
      { um: input.userMessage, request, mapping, deadline: options.deadline, dueAt: options.deferredUntil },
      deps,
    );
    if (produced.kind === 'deferred') return produced.result;
    const outcome = produced.value;
    if (outcome.kind === 'none') {
      // Why (not found, several people, ...) is for the audit trail and the logs, never the answer.
      const why = { detail: noRecordDetail(outcome.reason), noRecord: outcome.reason };
      if (deps.notFound === 'error') {
        const refusal = new Refusal('EDM:ERR:0004', 'no evidence of this type is available for the subject');
        const recorded = { ...summary('error', refusal.code, request, mapping, undefined), ...why };
        return failure(input.userMessage, request, root, version, refusal, deps, recorded);
      }
      const recorded = { ...summary('empty', undefined, request, mapping, undefined), ...why };
      return success(input.userMessage, request, [], [], deps, recorded);
    }
    const evidences = outcome.evidences;
    // Asked associated documents the mapping does not offer are left out (./associated.ts): named here.
    const notOffered = associatedPlan(request, found.mapping, found.distribution).notOffered;
    return success(
      input.userMessage,
      request,
      evidences.map((e) => e.metadata),
      attachmentsOf(evidences),
      deps,
      summary(
        'evidence',
        undefined,
        request,
        mapping,
        notOffered.length === 0 ? undefined : `associated documents not offered: ${notOffered.join(', ')}`,
      ),
    );
  } catch (e) {
    const refusal = toRefusal(e);
    if (refusal === undefined) throw e;
    const beforeDeadline = options.deadline === undefined || deps.now().getTime() < options.deadline.at.getTime();
    if (options.final === false && beforeDeadline && !(e instanceof Refusal) && refusal.code === 'EDM:ERR:0005')
      throw e;
    return failure(
      input.userMessage,
      request,
      root,
      version,
      refusal,
      deps,
      summary(refusal.outcome, refusal.code, request, mapping, refusal.detail),
    );
  }
}

/** Request #2 of a preview: answer with what the user approved, nothing else. */
async function answerFromPreview(
  input: InboundRequest,
  request: QueryRequest,
  mapping: EvidenceMapping,
  deps: ExchangeDeps,
): Promise<ExchangeResult> {
  const resolved = await deps.preview!.resolve({
    exchangeRef: input.exchangeRef,
    request,
    exchangeId: exchangeIdOf(input.userMessage),
  });
  switch (resolved.status) {
    case 'parked':
      throw new NoAnswerYet(resolved.status);
    case 'duplicate':
      // Another request #2 (another id or content) already answers this single-use preview:
      // this message still gets its one answer, and nothing is released twice.
      throw new Refusal(
        'EDM:ERR:0005',
        'the preview this request names is already answered by another request: no evidence is released again',
      );
    case 'expired':
    case 'not-found':
      throw new Refusal(
        'EDM:ERR:0005',
        'the preview was not completed in time (or does not exist): no evidence is released',
      );
    case 'decided': {
      const approved = resolved.approved;
      // Nothing found at the login answers as a lookup without a record does (ExchangeDeps.notFound).
      if (resolved.nothingFound === true && deps.notFound === 'error')
        throw new Refusal('EDM:ERR:0004', 'no evidence of this type is available for the subject');
      return success(
        input.userMessage,
        request,
        approved.map((e) => e.metadata),
        attachmentsOf(approved),
        deps,
        summary(
          approved.length > 0 ? 'evidence' : 'empty',
          undefined,
          request,
          mapping,
          approved.length > 0
            ? undefined
            : resolved.nothingFound === true
              ? 'no matching record at the preview login'
              : 'declined in the preview',
        ),
      );
    }
  }
}

/**
 * Request #1: nothing is read and nothing leaves before the person has logged in, seen and approved
 * it; the session keeps the mapping version and format to produce the evidence at the login. The
 * answer is EDM:ERR:0002 with the location.
 */
async function openPreview(
  input: InboundRequest,
  request: QueryRequest,
  mapping: EvidenceMapping,
  format: string,
  deps: ExchangeDeps,
): Promise<never> {
  const opened = await deps.preview!.open({
    exchangeRef: input.exchangeRef,
    request,
    conversationId: input.userMessage.conversationId,
    exchangeId: exchangeIdOf(input.userMessage),
    evidences: [],
    recipe: { mappingId: mapping.id, mappingVersion: mapping.version, format },
    description: mapping.preview?.description,
    login: previewLoginPolicy(request.subject!, mapping),
  });
  throw new Refusal(
    'EDM:ERR:0002',
    'the evidence provider needs the user to preview and approve the evidence',
    'preview-required',
    {
      location: opened.location,
      description: previewDescription(request, mapping),
      method: 'GET',
    },
  );
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
export function answerWithError(
  input: InboundRequest,
  deps: ExchangeDeps,
  code: EdmErrorCode,
  detail: string,
): ExchangeResult {
  let request: QueryRequest | undefined;
  let root: XmlElement | undefined;
  let version: EdmVersion = versionFromHeader(input.userMessage) ?? 'oots-edm:v1.0';
  try {
    root = readPayload(input.payloads, deps);
    request = parseQueryRequest(root);
    version = request.version;
  } catch {
    request = undefined;
  }
  const refusal = new Refusal(code, detail);
  return failure(
    input.userMessage,
    request,
    root,
    version,
    refusal,
    deps,
    summary('error', code, request, undefined, detail),
  );
}

/** The claim key of a stored request (for the deadline sweep), or undefined when it cannot be read. */
export function requestKeyOf(input: InboundRequest, deps: ExchangeDeps): RequestClaim | undefined {
  try {
    const root = readPayload(input.payloads, deps);
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
