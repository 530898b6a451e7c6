/**
 * Preview sessions: the evidence prepared for request #1 waits here, encrypted, until the person it
 * is about approves or declines it, or the deadlines pass. Holds no business rule beyond the
 * session's life cycle; the exchange use case decides what an outcome means for the requester.
 *
 * Life cycle (`PreviewState`):
 *
 *   pending ──open (before T2)──▶ opened ──decide (before T3)──▶ decided
 *      └────────── T2 passed ───────┴─────── T3 passed ─────────▶ expired
 *
 * T2 runs from creation (follow the link), T3 from opening (preview and decide). Every transition
 * is one Lua script that re-checks the deadlines against the caller's clock, so a decision, request
 * #2 and expiry can race in any order and exactly one of them wins:
 *
 * - v2.0: request #2 arrives while the user previews: `attachRequest(sid, ref, { park: true })`
 *   parks its exchangeRef. The script that later decides or expires the session pops the parked ref
 *   and moves it to the `released` set (an outbox): the caller enqueues it and calls `ackReleased`;
 *   `listReleased` finds refs whose enqueue was lost (crash) so they can be enqueued again (job ids
 *   are deterministic, so a repeat collapses). If the decision came first, `attachRequest` answers
 *   `decided` at once and nothing is parked.
 * - v1.x: request #2 comes after the user returned: `attachRequest(sid, ref, { park: false })`
 *   answers `decided` (with the decision) or, when the preview was not completed, expires the
 *   session and answers `expired` (EDM:ERR:0005).
 * - A session answers one request #2 only: a different exchangeRef gets `duplicate` (a retried job
 *   with the same ref gets the same answer again).
 *
 * Keys (under `prefix`, the preview keyspace of src/infra/keys.ts; the layout is src/preview/keys.ts,
 * and nothing outside this store touches it):
 *   s:<sid>     hash: state, times (ms), deadlines, `data` (sealed JSON: exchange references, subject,
 *               evidence metadata and fields), `ev:<id>` (sealed evidence bytes), `evids`, `location`,
 *               `ret` (sealed return address), `decision`, `parked`, `released`, `answeredBy`,
 *               `await` (evidence still to be produced at the login), `nothing` (found nothing then).
 *               TTL: T2 + T3 + retention; retention after the decision or expiry.
 *   x:<digest>  the session of an ebMS ExchangeId (keyed digest), v2.0 correlation.
 *   due         sorted set sid → next deadline (ms), for the expiry sweep.
 *   released    sorted set sid → release time (ms): parked request #2 refs to enqueue.
 *   byref:<ref> the session that answered request #2's exchange (`linkExchange`), for `purgeAfterDelivery`.
 *
 * The parts: ./session-model.ts (types, pure rules), ./session-context.ts (keys, clock,
 * transition scripts), ./session-records.ts (create, read, find, purge), ./session-transitions.ts
 * (open, decide, expire, attach, released outbox), ./session-fill.ts (the evidence produced at the login).
 *
 * Sealed values use AES-256-GCM with AAD `<sid>#data`, `<sid>#ev:<id>`, `<sid>#ret`: a value copied to
 * another session or field does not open. Evidence bytes are dropped as soon as they are not needed:
 * declined ones at the decision, all of them at expiry or after delivery (`purgeAfterDelivery`, `purgeEvidence`).
 */
import type { Cluster, Redis } from 'ioredis';
import { sessionContext } from './session-context.js';
import type { PreviewStore, PreviewStoreOptions } from './session-model.js';
import * as records from './session-records.js';
import * as fill from './session-fill.js';
import * as transitions from './session-transitions.js';

export {
  effectiveState,
  isSessionId,
  newSessionId,
  PREVIEW_STATES,
  PreviewInputError,
  type AttachResult,
  type CreatePreviewInput,
  type DecideResult,
  type FillResult,
  type LocalText,
  type PreviewContent,
  type PreviewDecision,
  type PreviewEvidence,
  type PreviewEvidenceInput,
  type PreviewField,
  type PreviewSession,
  type PreviewState,
  type PreviewStore,
  type PreviewStoreOptions,
  type ReleasedRequest,
} from './session-model.js';

export function createPreviewStore(redis: Redis | Cluster, opts: PreviewStoreOptions): PreviewStore {
  const ctx = sessionContext(redis, opts);
  return {
    create: (input) => records.createSession(ctx, input),
    get: (sid) => records.getSession(ctx, sid),
    evidenceBytes: (sid, id) => records.evidenceBytes(ctx, sid, id),
    approvedEvidences: (sid) => records.approvedEvidences(ctx, sid),
    state: (sid) => records.sessionState(ctx, sid),
    markOpened: (sid) => transitions.markOpened(ctx, sid),
    fillEvidences: (sid, evidences) => fill.fillEvidences(ctx, sid, evidences),
    settleNothingFound: (sid) => fill.settleNothingFound(ctx, sid),
    decide: (sid, decision, at) => transitions.decide(ctx, sid, decision, at),
    expire: (sid) => transitions.expire(ctx, sid),
    attachRequest: (sid, ref, { park }) => transitions.attachRequest(ctx, sid, ref, park),
    setReturnLocation: (sid, url) => records.setReturnLocation(ctx, sid, url),
    findByLocation: (location) => records.findByLocation(ctx, location),
    findByExchangeId: (exchangeId) => records.findByExchangeId(ctx, exchangeId),
    purgeEvidence: (sid) => records.purgeEvidence(ctx, sid),
    sweepExpired: (limit) => transitions.sweepExpired(ctx, limit),
    listReleased: (olderThanMs, limit) => transitions.listReleased(ctx, olderThanMs, limit),
    ackReleased: (sid) => transitions.ackReleased(ctx, sid),
    linkExchange: (ref, sid, ttlSeconds) => records.linkExchange(ctx, ref, sid, ttlSeconds),
    purgeAfterDelivery: (ref) => records.purgeAfterDelivery(ctx, ref),
  };
}
