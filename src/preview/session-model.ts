/**
 * The preview session model: states, inputs, what the store returns, and the pure rules
 * (session ids, effective state). The store itself: src/preview/session-store.ts.
 */
import { randomBytes } from 'node:crypto';
import type { EdmVersion, NaturalPerson, Subject } from '../edm/model.js';
import { AdapterError } from '../errors.js';
import type { PreviewLoginPolicy } from '../exchange/ports.js';

export type PreviewState = 'pending' | 'opened' | 'decided' | 'expired';
export const PREVIEW_STATES: readonly PreviewState[] = ['pending', 'opened', 'decided', 'expired'];

export interface LocalText {
  readonly lv: string;
  readonly en: string;
}

export interface PreviewField {
  readonly label: LocalText;
  readonly value: string;
}

export interface PreviewEvidenceInput {
  /** Unique in the session; `[A-Za-z0-9._:-]{1,128}` (e.g. `urn:uuid:…`). Not personal data. */
  readonly id: string;
  readonly title: LocalText;
  readonly mimeType: string;
  readonly bytes: Uint8Array;
  /** The evidence in readable form: what the page lists above the document itself. */
  readonly fields: readonly PreviewField[];
  /** Anything JSON the caller needs to answer request #2 with this evidence (sealed with the rest). */
  readonly extra?: unknown;
}

export type PreviewEvidence = Omit<PreviewEvidenceInput, 'bytes'>;

export interface CreatePreviewInput {
  /** Exchange of request #1. */
  readonly exchangeRef: string;
  readonly version: EdmVersion;
  /** The request's subject: whose login may see the evidence. */
  readonly subject: Subject;
  /** The request's natural-person representative (a LegalPerson subject is previewed by them). */
  readonly representative?: NaturalPerson | undefined;
  /** Empty when `recipe` is given: the evidence is then produced at the login (`fillEvidences`). */
  readonly evidences: readonly PreviewEvidenceInput[];
  /** What producing the evidence at the login needs (JSON, sealed); see `fillEvidences`. */
  readonly recipe?: unknown;
  readonly previewDescription?: LocalText | undefined;
  /** Name of the evidence requester, shown on the page. */
  readonly requester?: string | undefined;
  /** ebMS ExchangeId of request #1 (v2.0; request #2 reuses it). */
  readonly exchangeId?: string | undefined;
  readonly requestId: string;
  readonly conversationId: string;
  /** Anything JSON the caller needs for request #2 (sealed). */
  readonly extra?: unknown;
  /** What the login must prove (level of assurance, powers of representation); none when absent. */
  readonly login?: PreviewLoginPolicy | undefined;
}

export interface PreviewDecision {
  readonly approved: readonly string[];
  readonly declined: readonly string[];
}

/** The sealed part of a session: gone once the session expired or was purged. */
export interface PreviewContent {
  readonly exchangeRef: string;
  readonly subject: Subject;
  readonly representative: NaturalPerson | undefined;
  readonly evidences: readonly PreviewEvidence[];
  readonly previewDescription: LocalText | undefined;
  readonly requester: string | undefined;
  readonly exchangeId: string | undefined;
  readonly requestId: string;
  readonly conversationId: string;
  readonly extra: unknown;
  readonly login: PreviewLoginPolicy | undefined;
  /** What producing the evidence at the login needs; undefined for a session created with its evidence. */
  readonly recipe: unknown;
}

export interface PreviewSession {
  readonly sessionId: string;
  /** Effective state at the store's clock (a passed deadline reads as `expired`). */
  readonly state: PreviewState;
  readonly version: EdmVersion;
  readonly location: string;
  readonly evidenceIds: readonly string[];
  readonly createdAt: Date;
  readonly openedAt: Date | undefined;
  readonly decidedAt: Date | undefined;
  readonly expiredAt: Date | undefined;
  /** Deadline to open (T2). */
  readonly openBy: Date;
  /** Deadline to decide (T3), once opened. */
  readonly decideBy: Date | undefined;
  readonly decision: PreviewDecision | undefined;
  /** v2.0 ReturnLocation (from request #2), when known. */
  readonly returnLocation: string | undefined;
  /** Undefined once expired or purged. */
  readonly content: PreviewContent | undefined;
  /** True while the evidence is still to be produced at the login (no DAGR read yet). */
  readonly awaitingEvidence: boolean;
  /** The lookup at the login found nothing for this person: decided as a decline (nothing to send). */
  readonly nothingFound: boolean;
}

/**
 * `fillEvidences`: `filled` for the one call that stored the evidence; `already` when another login
 * stored it (or found nothing) first; otherwise the session's state (not open, expired, decided).
 */
export type FillResult =
  | { readonly status: 'filled' }
  | { readonly status: 'already' }
  | { readonly status: 'not-found' | 'not-opened' | 'expired' | 'decided' };

export type DecideResult =
  | { readonly ok: true; readonly releasedExchangeRef: string | undefined }
  | { readonly ok: false; readonly reason: 'not-found' | 'not-opened' | 'already-decided' | 'invalid-decision' }
  | { readonly ok: false; readonly reason: 'expired'; readonly releasedExchangeRef: string | undefined };

export type AttachResult =
  | { readonly status: 'decided'; readonly decision: PreviewDecision }
  | { readonly status: 'expired' }
  | { readonly status: 'parked' }
  | { readonly status: 'duplicate'; readonly ownerRef: string }
  | { readonly status: 'not-found' };

export interface ReleasedRequest {
  readonly sessionId: string;
  readonly exchangeRef: string;
}

export interface PreviewStoreOptions {
  /** Key prefix: the preview keyspace of src/infra/keys.ts, e.g. `{oots}:preview:` (src/preview/keys.ts). */
  readonly prefix: string;
  /** AES-256-GCM key, 32 bytes. */
  readonly key: Buffer;
  /** Base of PreviewLocation (`https://host[/path]`); a function is read at each `create`. */
  readonly publicBaseUrl: string | (() => string);
  readonly t2Seconds: number;
  readonly t3Seconds: number;
  /** How long a decided or expired session (no evidence) is kept for request #2. Default 86400. */
  readonly retentionSeconds?: number;
  /** Clock (tests). */
  readonly now?: () => Date;
}

export interface PreviewStore {
  create(input: CreatePreviewInput): Promise<{ sessionId: string; location: string }>;
  get(sessionId: string): Promise<PreviewSession | undefined>;
  /** The sealed bytes of one evidence; undefined when unknown, declined or purged. */
  evidenceBytes(sessionId: string, evidenceId: string): Promise<Uint8Array | undefined>;
  /** The approved evidences with their bytes, after a decision (empty when all were declined). */
  approvedEvidences(sessionId: string): Promise<(PreviewEvidence & { bytes: Uint8Array })[]>;
  state(sessionId: string): Promise<PreviewState | undefined>;
  /** The user followed the link: T2 ends, T3 starts. Idempotent; reports the resulting state. */
  markOpened(sessionId: string): Promise<PreviewState | undefined>;
  /**
   * The evidence produced at the login, stored once: the first call wins atomically, so two logins
   * racing leave one set. Only while the session is opened and within T3.
   */
  fillEvidences(sessionId: string, evidences: readonly PreviewEvidenceInput[]): Promise<FillResult>;
  /**
   * The lookup at the login found nothing: the session is decided as a decline (no evidence), once,
   * unless evidence was stored first. Releases a parked request #2 as a decision does.
   */
  settleNothingFound(sessionId: string): Promise<DecideResult | { readonly ok: false; readonly reason: 'already' }>;
  /** Records the user's decision once. Every evidence must be either approved or declined. */
  decide(sessionId: string, decision: PreviewDecision, at?: Date): Promise<DecideResult>;
  /**
   * Expires the session unless decided or expired already (`expired` is true only for the call that
   * expired it); returns a parked request #2 ref that is now released.
   */
  expire(sessionId: string): Promise<{ expired: boolean; releasedExchangeRef: string | undefined }>;
  /** Correlates request #2 with the session (see the module comment). */
  attachRequest(sessionId: string, exchangeRef: string, opts: { park: boolean }): Promise<AttachResult>;
  /** v2.0: the ReturnLocation request #2 carries (validated by the pages before use). */
  setReturnLocation(sessionId: string, url: string): Promise<boolean>;
  /** The session a PreviewLocation names (exactly as this store issued it). */
  findByLocation(previewLocation: string): Promise<string | undefined>;
  findByExchangeId(exchangeId: string): Promise<string | undefined>;
  /** Drops evidence bytes and the sealed content (after delivery); state and decision remain. */
  purgeEvidence(sessionId: string): Promise<void>;
  /** Expires every session whose deadline passed (at most `limit`); returns the released refs. */
  sweepExpired(limit: number): Promise<{ expired: string[]; released: ReleasedRequest[] }>;
  /** Released request #2 refs not yet acknowledged, released at least `olderThanMs` ago. */
  listReleased(olderThanMs: number, limit: number): Promise<ReleasedRequest[]>;
  ackReleased(sessionId: string): Promise<void>;
  /**
   * Request #2's exchange `exchangeRef` is answered with this session's approved evidence: kept
   * `ttlSeconds` (the exchange's lifetime) so `purgeAfterDelivery` finds the session.
   */
  linkExchange(exchangeRef: string, sessionId: string, ttlSeconds: number): Promise<void>;
  /** After the answer to `exchangeRef` was delivered: the linked session's evidence is dropped at once. */
  purgeAfterDelivery(exchangeRef: string): Promise<void>;
}

export class PreviewInputError extends AdapterError {
  override readonly name = 'PreviewInputError';
  constructor(message: string) {
    super('ERR_PREVIEW_INPUT', message);
  }
}

export const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
export const EVIDENCE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** ≥ 256 random bits, base64url (43 characters): the capability in the preview link. */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

export function isSessionId(value: string): boolean {
  return SESSION_ID.test(value);
}

/**
 * The state a session is in at `nowMs`, given its stored state and deadlines: a passed deadline
 * reads as `expired` before any sweep has written it.
 */
export function effectiveState(
  stored: PreviewState,
  t2At: number,
  t3At: number | undefined,
  nowMs: number,
): PreviewState {
  switch (stored) {
    case 'pending':
      return nowMs > t2At ? 'expired' : 'pending';
    case 'opened':
      return t3At !== undefined && nowMs > t3At ? 'expired' : 'opened';
    case 'decided':
    case 'expired':
      return stored;
  }
}
