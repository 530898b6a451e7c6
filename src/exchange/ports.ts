/**
 * The ports of the exchange use case: what it needs from the outside world, as interfaces.
 * Adapters in the I/O rooms implement them (DAGR client, stores); tests pass fakes or the real
 * sandbox. The renderer's port is the render room's own (src/render/port.ts): render is a pure room
 * below the exchange and does not know it.
 */
import type { EdmErrorCode } from '../errors.js';
import type { EvidenceInput } from '../edm/build/types.js';
import type { LevelOfAssurance } from '../edm/loa.js';
import type { QueryRequest } from '../edm/model.js';
import type { UserMessage } from '../ebms/model.js';
import type { DagrRecord } from '../mapping/record-path.js';

/**
 * `found` carries every record DAGR returned for the key (at least one), in DAGR's order.
 * `deferred`: DAGR accepted the lookup but the record is still being prepared (HTTP 202 with
 * `Retry-After`); ask again at `retryAt` (src/exchange/deferred.ts).
 */
export type DagrLookupResult =
  | { readonly kind: 'found'; readonly records: readonly [DagrRecord, ...DagrRecord[]] }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'deferred'; readonly retryAt: Date };

export interface DagrLookupRequest {
  /** DAGR `service_name`. */
  readonly service: string;
  /** VIRSIS permission number (`X-DAGR-Permission`). */
  readonly permission: string;
  /** Object identifier (personal code, registration number, ...). Never logged. */
  readonly key: string;
  /** Correlation id for DAGR's logs (`X-Request-ID`): the exchange reference, never personal data. */
  readonly correlationId: string;
}

/** A search of a dataset by attribute values (a foreign national: docs/matching.md). */
export interface DagrSearchRequest {
  readonly service: string;
  readonly permission: string;
  /** Record field (dot path) = value, all of which must hold. Personal data: never logged. */
  readonly criteria: readonly { readonly field: string; readonly value: string }[];
  readonly correlationId: string;
}

/**
 * Why a DAGR call failed, after the client's own retries:
 * - `timeout`: no answer in time (→ EDM:ERR:0005),
 * - `unavailable`: 5xx, connection refused, circuit open (→ EDM:ERR:0005 or 0008),
 * - `rate-limited`: 429 past retries, quota exhausted (→ EDM:ERR:0005),
 * - `forbidden`: permission missing or expired (→ EDM:ERR:0008, alert ops),
 * - `bad-request`: DAGR refused our call (→ EDM:ERR:0008, mapping problem),
 * - `protocol`: an answer we cannot read (→ EDM:ERR:0008).
 */
export type DagrFailureCause = 'timeout' | 'unavailable' | 'rate-limited' | 'forbidden' | 'bad-request' | 'protocol';

export interface DagrPort {
  /** Resolves `not-found` for 404 / empty results; rejects with a DagrError (src/dagr/errors.ts) otherwise. */
  lookup(request: DagrLookupRequest): Promise<DagrLookupResult>;
  /**
   * The candidate records for the criteria (`found` with every candidate, `not-found` for none),
   * with the same errors as `lookup`. Absent in a port that only looks up by key: foreign
   * nationals are then not found (`search-unavailable`).
   */
  search?(request: DagrSearchRequest): Promise<DagrLookupResult>;
}

/** An AS4 payload part of an outbound message. */
export interface Attachment {
  /** `cid:<id>@<domain>`: equal to `RepositoryItemRef/@xlink:href` and the PartInfo href. */
  readonly href: string;
  readonly mimeType: string;
  readonly bytes: Uint8Array;
}

/** What the adapter sends back for one request: ebMS header, regrep XML and evidence parts. */
export interface OutboundMessage {
  readonly userMessage: UserMessage;
  /** The RegRep document (`application/x-ebrs+xml`). */
  readonly regrep: string;
  readonly attachments: readonly Attachment[];
}

/** Hands an answer to the eDelivery connector (REST or Domibus). */
export interface Submitter {
  /** Resolves when the connector accepted the message; rejects with a typed AdapterError otherwise. */
  submit(exchangeRef: string, message: OutboundMessage): Promise<void>;
  /** Closes kept-alive sockets, where the submitter keeps any. */
  close?(): void;
}

/** An answer kept for the same request sent again (see `isReusableAnswer`). */
export interface StoredAnswer {
  readonly outbound: OutboundMessage;
  readonly summary: ExchangeSummary;
}

/** A summary of how an exchange ended, for the audit trail and metrics (no personal data). */
export interface ExchangeSummary {
  readonly outcome: 'evidence' | 'empty' | 'preview-required' | 'deferred' | 'error';
  readonly edmCode: EdmErrorCode | undefined;
  readonly evidenceType: string | undefined;
  readonly mappingId: string | undefined;
  readonly mappingVersion: string | undefined;
  /** Why, when it is an error: a rule ID or a cause. */
  readonly detail: string | undefined;
  /** IDs of the warning rules the request broke (never refusing; no request data). */
  readonly ruleWarnings?: readonly string[];
  /** True for every answer to a procedure-00 request (system check, src/exchange/system-check.ts): kept apart from production figures. */
  readonly systemCheck?: true;
  /** Why no record was found (a `NoRecordReason` of find-record.ts: `ambiguous`, ...); for logs and audit only. */
  readonly noRecord?: string;
}

/** One evidence prepared for a preview: what the answer to request #2 carries if approved. */
export interface PreparedEvidence {
  /** The evidence metadata as built for the response (`EvidenceInput` of src/edm/build). */
  readonly metadata: EvidenceInput;
  readonly attachment: Attachment;
  /** v2.0: the parts of its associated documents (`metadata.associated`), in the same order. */
  readonly associated?: readonly Attachment[];
  readonly title: { readonly lv: string; readonly en: string };
  /** The readable fields shown on the preview page. */
  readonly fields: readonly { readonly label: { readonly lv: string; readonly en: string }; readonly value: string }[];
}

/** Every AS4 part of prepared evidences: each main evidence, then its associated documents. */
export function attachmentsOf(evidences: readonly PreparedEvidence[]): Attachment[] {
  return evidences.flatMap((e) => [e.attachment, ...(e.associated ?? [])]);
}

/**
 * What request #1 leaves for the evidence to be produced at the login (no DAGR read before it):
 * the mapping as it was found then (id and store version) and the distribution's format.
 */
export interface PreviewRecipe {
  readonly mappingId: string;
  readonly mappingVersion: string;
  readonly format: string;
}

/** What request #2 finds in the preview space. */
export type PreviewResolution =
  | {
      readonly status: 'decided';
      readonly sessionId: string;
      readonly approved: readonly PreparedEvidence[];
      /** The lookup at the login found no record matching the request and the login (see docs/preview.md). */
      readonly nothingFound?: boolean;
    }
  /** v2.0: the user is still deciding; the request is answered when the decision (or expiry) releases it. */
  | { readonly status: 'parked' }
  /** Never completed, expired, or no such preview: EDM:ERR:0005. */
  | { readonly status: 'expired' | 'not-found' }
  /** Another request #2 already answers this preview. */
  | { readonly status: 'duplicate' };

/** What the preview login must prove for the evidence of one session (from its mapping). */
export interface PreviewLoginPolicy {
  /** The lowest level of assurance the login may have (the mapping's). */
  readonly levelOfAssurance: LevelOfAssurance;
  /**
   * A company's evidence: the DAGR dataset listing who may represent the company, and the
   * company's key there (its registration number). The logged-in person must be listed with a power.
   */
  readonly representation?: { readonly service: string; readonly permission: string; readonly key: string };
}

export interface PreviewPort {
  /**
   * Request #1: opens the session and returns the unique PreviewLocation. With `recipe` (and no
   * evidences) the evidence is produced only once the person logged in and matched.
   */
  open(input: {
    readonly exchangeRef: string;
    readonly request: QueryRequest;
    readonly conversationId: string;
    readonly exchangeId: string | undefined;
    readonly evidences: readonly PreparedEvidence[];
    readonly recipe?: PreviewRecipe;
    readonly description: { readonly lv: string; readonly en: string } | undefined;
    /** What the login must prove before anything is shown (exchange/login-policy.ts). */
    readonly login?: PreviewLoginPolicy;
  }): Promise<{ readonly location: string }>;
  /**
   * True for a PreviewLocation this adapter issued over plain http on loopback (the embedded
   * default has no TLS): such a request #2 is not refused under R-EDM-REQ-C005 (https only).
   */
  isOwnLoopbackLocation?(location: string): boolean;
  /** Request #2: the state of the preview it names (v2.0 requests wait for the decision). */
  resolve(input: {
    readonly exchangeRef: string;
    readonly request: QueryRequest;
    readonly exchangeId: string | undefined;
  }): Promise<PreviewResolution>;
}
