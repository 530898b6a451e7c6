/**
 * Trying a mapping on one test subject, exactly as a requester would experience it: the subject
 * is looked up in DAGR, compared with the record (the identity match), and a synthetic
 * QueryRequest runs through the real exchange use case (`answerRequest`) with a registry holding
 * only this mapping. The result is the QueryResponse (or error response) the requester would get,
 * with the evidence it carries.
 */
import type { Agent } from '../edm/model.js';
import type { XsdCheck } from '../edm/validate.js';
import { EBRS_MIME_TYPE } from '../ebms/model.js';
import { answerRequest, type ExchangeDeps } from '../exchange/answer.js';
import type { DagrPort, ExchangeSummary } from '../exchange/ports.js';
import { lookupKey, matchSubject, type LookupKeyResult, type MatchResult } from '../identity/match.js';
import type { EvidenceMapping } from '../mapping/model.js';
import { textAt } from '../mapping/record-path.js';
import type { RenderPort } from '../render/port.js';
import { createMappingRegistry } from '../mapping/registry.js';
import { TRY_PAYLOAD_HREF, tryRequestXml, tryUserMessage, type TrySubject } from '../mapping/try-request.js';
import { parseQueryRequest } from '../edm/parse-request.js';
import { parseXml } from '../edm/xml/parse.js';

export interface TryDeps {
  readonly dagr: DagrPort;
  readonly renderer: RenderPort;
  /** This evidence provider (as in the exchange deps). */
  readonly provider: Agent;
  readonly messageDomain: string;
  readonly xsd?: XsdCheck | undefined;
  readonly uuid: () => string;
  readonly now: () => Date;
}

export interface TryInput {
  readonly subject: TrySubject;
  /** `pdf`, `xml` or a media type; undefined = the mapping's first distribution. */
  readonly format?: string | undefined;
}

export interface TryResult {
  readonly mappingId: string;
  readonly mappingVersion: string;
  /** The DAGR object id looked up, or why none could be derived from the identifier. */
  readonly lookup:
    | { readonly ok: true; readonly found: boolean }
    | {
        readonly ok: false;
        readonly reason: Extract<LookupKeyResult, { ok: false }>['reason'];
        /** A foreign identifier under a mapping with `foreignNationals`: the exchange searched by attributes. */
        readonly byAttributes?: true;
      };
  /** The identity match against the record; undefined when no record was found. */
  readonly match:
    (MatchResult & { readonly compared: readonly { attribute: string; request: string | undefined }[] }) | undefined;
  readonly summary: ExchangeSummary;
  readonly requestXml: string;
  /** The RegRep document the requester receives (QueryResponse or error response). */
  readonly responseXml: string;
  readonly evidence: { readonly mimeType: string; readonly bytes: Uint8Array; readonly fileName: string } | undefined;
}

export function mediaTypeOf(format: string | undefined): string | undefined {
  if (format === undefined || format === '') return undefined;
  const f = format.trim().toLowerCase();
  if (f === 'pdf') return 'application/pdf';
  if (f === 'xml') return 'application/xml';
  return f;
}

export async function tryMapping(mapping: EvidenceMapping, input: TryInput, deps: TryDeps): Promise<TryResult> {
  const format = mediaTypeOf(input.format);
  const providerId = deps.provider.identifier ?? { value: 'unknown', schemeID: 'unknown' };
  const base = {
    mapping,
    format,
    requestId: deps.uuid(),
    evidenceRequestId: deps.uuid(),
    conversationId: deps.uuid(),
    messageId: `${deps.uuid()}@mappings-try.invalid`,
    issueDateTime: deps.now().toISOString(),
    provider: { identifier: providerId.value, scheme: providerId.schemeID ?? '' },
  };

  // 1. The lookup and the identity match, on the subject as first written.
  const draftXml = tryRequestXml({ ...base, subject: input.subject });
  const draft = parseQueryRequest(parseXml(draftXml)).subject!;
  const key = lookupKey(draft, mapping.dagr.lookup);
  let record: Readonly<Record<string, unknown>> | undefined;
  if (key.ok) {
    const found = await deps.dagr.lookup({
      service: mapping.dagr.service,
      permission: mapping.dagr.permission,
      key: key.key,
      correlationId: base.conversationId,
    });
    if (found.kind === 'found') record = found.records[0].fields;
  }
  // Attributes the controller did not give are taken from the record, so the try shows the
  // evidence; giving one (e.g. another family name) shows what a mismatch answers.
  const fromRecord = (attribute: string): string | undefined => {
    const entry = mapping.dagr.match.find((x) => x.attribute === attribute);
    return entry === undefined || record === undefined ? undefined : textAt(record, entry.field);
  };
  const subject: TrySubject = {
    id: input.subject.id,
    familyName: input.subject.familyName ?? fromRecord('FamilyName'),
    givenName: input.subject.givenName ?? fromRecord('GivenName'),
    dateOfBirth: input.subject.dateOfBirth ?? fromRecord('DateOfBirth'),
    legalName: input.subject.legalName ?? fromRecord('LegalName'),
  };
  const requestXml = tryRequestXml({ ...base, subject });
  const request = parseQueryRequest(parseXml(requestXml)).subject!;
  const match =
    record === undefined
      ? undefined
      : {
          ...matchSubject(request, record, mapping),
          compared: mapping.dagr.match.map((x) => ({
            attribute: x.attribute,
            request:
              x.attribute === 'FamilyName'
                ? subject.familyName
                : x.attribute === 'GivenName'
                  ? subject.givenName
                  : x.attribute === 'DateOfBirth'
                    ? subject.dateOfBirth
                    : subject.legalName,
          })),
        };

  // 2. The exchange as the adapter runs it, with a registry holding just this mapping.
  const exchange: ExchangeDeps = {
    registry: createMappingRegistry([mapping]),
    dagr: deps.dagr,
    renderer: deps.renderer,
    provider: deps.provider,
    messageDomain: deps.messageDomain,
    notFound: 'empty',
    ...(deps.xsd === undefined ? {} : { xsd: deps.xsd }),
    uuid: deps.uuid,
    now: deps.now,
  };
  const result = await answerRequest(
    {
      exchangeRef: `try-${base.conversationId}`,
      userMessage: tryUserMessage(base),
      payloads: [{ href: TRY_PAYLOAD_HREF, mimeType: EBRS_MIME_TYPE, bytes: Buffer.from(requestXml, 'utf8') }],
    },
    exchange,
  );
  const attachment = result.outbound.attachments[0];
  return {
    mappingId: mapping.id,
    mappingVersion: mapping.version,
    lookup: key.ok
      ? { ok: true, found: record !== undefined }
      : key.reason === 'not-issued-by-latvia' && mapping.dagr.lookup.foreignNationals !== undefined
        ? { ok: false, reason: key.reason, byAttributes: true }
        : { ok: false, reason: key.reason },
    match,
    summary: result.summary,
    requestXml,
    responseXml: result.outbound.regrep,
    evidence:
      attachment === undefined
        ? undefined
        : {
            mimeType: attachment.mimeType,
            bytes: attachment.bytes,
            fileName: `${mapping.id}.${attachment.mimeType === 'application/pdf' ? 'pdf' : 'xml'}`,
          },
  };
}

/** `tryMapping` bound to its dependencies (what the admin router takes as `tryer`). */
export function createMappingTryer(deps: TryDeps): (mapping: EvidenceMapping, input: TryInput) => Promise<TryResult> {
  return (mapping, input) => tryMapping(mapping, input, deps);
}

/** Readable lines about a try (for the CLI and the admin page). */
export function describeTry(r: TryResult): string[] {
  const lines = [`mapping ${r.mappingId} ${r.mappingVersion}`];
  if (!r.lookup.ok && r.lookup.byAttributes === true)
    lines.push(
      'lookup: a foreign identifier: DAGR searched by attributes (docs/matching.md; the answer says how it ended)',
    );
  else if (!r.lookup.ok) lines.push(`lookup: no DAGR key from the identifier (${r.lookup.reason})`);
  else lines.push(`lookup: ${r.lookup.found ? 'record found in DAGR' : 'no record in DAGR'}`);
  if (r.match !== undefined) {
    lines.push(`identity match: ${r.match.matched ? 'matched' : `NOT matched (${r.match.failed.join(', ')})`}`);
    for (const c of r.match.compared)
      lines.push(`  ${c.attribute}: ${r.match.failed.includes(c.attribute as never) ? 'differs' : 'equal'}`);
  }
  const s = r.summary;
  lines.push(
    `answer: ${s.outcome}${s.edmCode === undefined ? '' : ` ${s.edmCode}`}${s.detail === undefined ? '' : ` (${s.detail})`}`,
  );
  return lines;
}
