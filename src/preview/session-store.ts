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
 * Keys (under `prefix`; keep a {hash tag} in it on Redis Cluster, the scripts touch several keys):
 *   s:<sid>     hash: state, times (ms), deadlines, `data` (sealed JSON: exchange references, subject,
 *               evidence metadata and fields), `ev:<id>` (sealed evidence bytes), `evids`, `location`,
 *               `ret` (sealed return address), `decision`, `parked`, `released`, `answeredBy`.
 *               TTL: T2 + T3 + retention; retention after the decision or expiry.
 *   x:<digest>  the session of an ebMS ExchangeId (keyed digest), v2.0 correlation.
 *   due         sorted set sid → next deadline (ms), for the expiry sweep.
 *   released    sorted set sid → release time (ms): parked request #2 refs to enqueue.
 *
 * Sealed values use AES-256-GCM with AAD `<sid>#data`, `<sid>#ev:<id>`, `<sid>#ret`: a value copied to
 * another session or field does not open. Evidence bytes are dropped as soon as they are not needed:
 * declined ones at the decision, all of them at expiry or by `purgeEvidence` after delivery.
 */
import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { keyedDigest, open, seal } from '../infra/aead.js';
import type { EdmVersion, NaturalPerson, Subject } from '../edm/model.js';
import { AdapterError } from '../errors.js';

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
  readonly evidences: readonly PreviewEvidenceInput[];
  readonly previewDescription?: LocalText | undefined;
  /** Name of the evidence requester, shown on the page. */
  readonly requester?: string | undefined;
  /** ebMS ExchangeId of request #1 (v2.0; request #2 reuses it). */
  readonly exchangeId?: string | undefined;
  readonly requestId: string;
  readonly conversationId: string;
  /** Anything JSON the caller needs for request #2 (sealed). */
  readonly extra?: unknown;
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
}

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
  /** Key prefix, e.g. `{oots}:preview:`. */
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
}

export class PreviewInputError extends AdapterError {
  override readonly name = 'PreviewInputError';
  constructor(message: string) {
    super('ERR_PREVIEW_INPUT', message);
  }
}

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
const EVIDENCE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

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

// KEYS: s:<sid>, due, released. ARGV: now (ms), sid, retention (s), ...
const PRELUDE = `
local key, due, rel = KEYS[1], KEYS[2], KEYS[3]
local nowS, sid, retention = ARGV[1], ARGV[2], ARGV[3]
local now = tonumber(nowS)
local function release()
  local p = redis.call('HGET', key, 'parked')
  if not p then return '' end
  redis.call('HDEL', key, 'parked')
  redis.call('HSET', key, 'released', p)
  redis.call('ZADD', rel, nowS, sid)
  return p
end
local function dropEvidence(all)
  local ids = redis.call('HGET', key, 'evids')
  if ids then for _, id in ipairs(cjson.decode(ids)) do redis.call('HDEL', key, 'ev:' .. id) end end
  if all then redis.call('HDEL', key, 'data') end
end
local function expireNow()
  redis.call('HSET', key, 'state', 'expired', 'expiredAt', nowS)
  dropEvidence(true)
  redis.call('ZREM', due, sid)
  redis.call('EXPIRE', key, retention)
  return release()
end
local function overdue(st)
  if st == 'pending' then return now > tonumber(redis.call('HGET', key, 't2At')) end
  if st == 'opened' then return now > tonumber(redis.call('HGET', key, 't3At')) end
  return false
end
local st = redis.call('HGET', key, 'state')
if not st then return {'not-found'} end
`;

// ARGV[4] = T3 seconds.
const OPEN = `${PRELUDE}
if overdue(st) then expireNow() return {'expired'} end
if st == 'pending' then
  local t3At = now + tonumber(ARGV[4]) * 1000
  redis.call('HSET', key, 'state', 'opened', 'openedAt', nowS, 't3At', string.format('%d', t3At))
  redis.call('ZADD', due, string.format('%d', t3At), sid)
  return {'opened'}
end
return {st}
`;

// ARGV[4] = decision JSON, ARGV[5..] = declined ids.
const DECIDE = `${PRELUDE}
if st == 'decided' then return {'already-decided'} end
if st == 'expired' then return {'expired', ''} end
if overdue(st) then return {'expired', expireNow()} end
if st == 'pending' then return {'not-opened'} end
redis.call('HSET', key, 'state', 'decided', 'decidedAt', nowS, 'decision', ARGV[4])
for i = 5, #ARGV do redis.call('HDEL', key, 'ev:' .. ARGV[i]) end
redis.call('ZREM', due, sid)
redis.call('EXPIRE', key, retention)
return {'decided', release()}
`;

// ARGV[4] = '1' to expire only when a deadline passed (sweep), '0' to expire now.
const EXPIRE = `${PRELUDE}
if st == 'decided' or st == 'expired' then
  if st == 'expired' then redis.call('ZREM', due, sid) end
  return {'was-' .. st, ''}
end
if ARGV[4] == '1' and not overdue(st) then return {st, ''} end
return {'expired', expireNow()}
`;

// ARGV[4] = exchangeRef, ARGV[5] = '1' park (v2.0) / '0' answer now (v1.x).
const ATTACH = `${PRELUDE}
local ref, park = ARGV[4], ARGV[5]
local owner = redis.call('HGET', key, 'answeredBy')
if owner and owner ~= ref then return {'duplicate', owner} end
if overdue(st) then expireNow() st = 'expired' end
if st == 'decided' then
  redis.call('HSET', key, 'answeredBy', ref)
  return {'decided', redis.call('HGET', key, 'decision')}
end
if st == 'expired' then
  redis.call('HSET', key, 'answeredBy', ref)
  return {'expired'}
end
if park == '1' then
  redis.call('HSET', key, 'parked', ref, 'answeredBy', ref)
  return {'parked'}
end
expireNow()
redis.call('HSET', key, 'answeredBy', ref)
return {'expired'}
`;

type RedisLike = Redis | Cluster;

interface StoredContent {
  readonly v: 1;
  readonly exchangeRef: string;
  readonly subject: Subject;
  readonly representative?: NaturalPerson;
  readonly evidences: readonly PreviewEvidence[];
  readonly previewDescription?: LocalText;
  readonly requester?: string;
  readonly exchangeId?: string;
  readonly requestId: string;
  readonly conversationId: string;
  readonly extra?: unknown;
}

export function createPreviewStore(redis: RedisLike, opts: PreviewStoreOptions): PreviewStore {
  const { prefix, key } = opts;
  const now = opts.now ?? (() => new Date());
  const retention = opts.retentionSeconds ?? 86_400;
  const baseOf = opts.publicBaseUrl;
  const base = (): string => (typeof baseOf === 'function' ? baseOf() : baseOf).replace(/\/+$/, '');
  const sk = (sid: string): string => `${prefix}s:${sid}`;
  const dueKey = `${prefix}due`;
  const relKey = `${prefix}released`;
  const xk = (exchangeId: string): string => `${prefix}x:${keyedDigest(key, 'preview-exchange-id', exchangeId)}`;

  const script = async (lua: string, sid: string, args: (string | number)[]): Promise<string[]> =>
    (await redis.eval(
      lua,
      3,
      sk(sid),
      dueKey,
      relKey,
      String(now().getTime()),
      sid,
      String(retention),
      ...args.map(String),
    )) as string[];

  const valid = (sid: string): boolean => SESSION_ID.test(sid);
  const refOrUndefined = (s: string | undefined): string | undefined => (s === undefined || s === '' ? undefined : s);

  async function loadContent(sid: string): Promise<PreviewContent | undefined> {
    const sealed = await redis.hgetBuffer(sk(sid), 'data');
    if (sealed === null) return undefined;
    const c = JSON.parse(open(key, sealed, `${sid}#data`).toString('utf8')) as StoredContent;
    return {
      exchangeRef: c.exchangeRef,
      subject: c.subject,
      representative: c.representative,
      evidences: c.evidences,
      previewDescription: c.previewDescription,
      requester: c.requester,
      exchangeId: c.exchangeId,
      requestId: c.requestId,
      conversationId: c.conversationId,
      extra: c.extra,
    };
  }

  async function evidenceBytes(sid: string, id: string): Promise<Uint8Array | undefined> {
    if (!valid(sid) || !EVIDENCE_ID.test(id)) return undefined;
    const sealed = await redis.hgetBuffer(sk(sid), `ev:${id}`);
    return sealed === null ? undefined : open(key, sealed, `${sid}#ev:${id}`);
  }

  return {
    async create(input) {
      if (input.evidences.length === 0) throw new PreviewInputError('a preview session needs at least one evidence');
      const ids = input.evidences.map((e) => e.id);
      for (const id of ids)
        if (!EVIDENCE_ID.test(id)) throw new PreviewInputError('evidence id must match [A-Za-z0-9._:-]{1,128}');
      if (new Set(ids).size !== ids.length) throw new PreviewInputError('evidence ids must be unique in a session');

      const sid = newSessionId();
      const location = `${base()}/preview/${sid}`;
      const content: StoredContent = {
        v: 1,
        exchangeRef: input.exchangeRef,
        subject: input.subject,
        ...(input.representative === undefined ? {} : { representative: input.representative }),
        evidences: input.evidences.map((e) => ({
          id: e.id,
          title: e.title,
          mimeType: e.mimeType,
          fields: e.fields,
          ...(e.extra === undefined ? {} : { extra: e.extra }),
        })),
        ...(input.previewDescription === undefined ? {} : { previewDescription: input.previewDescription }),
        ...(input.requester === undefined ? {} : { requester: input.requester }),
        ...(input.exchangeId === undefined ? {} : { exchangeId: input.exchangeId }),
        requestId: input.requestId,
        conversationId: input.conversationId,
        ...(input.extra === undefined ? {} : { extra: input.extra }),
      };
      const at = now().getTime();
      const t2At = at + opts.t2Seconds * 1000;
      const ttl = opts.t2Seconds + opts.t3Seconds + retention;
      const fields: (string | Buffer)[] = [
        'state',
        'pending',
        'version',
        input.version,
        'createdAt',
        String(at),
        't2At',
        String(t2At),
        'location',
        location,
        'evids',
        JSON.stringify(ids),
        'data',
        seal(key, Buffer.from(JSON.stringify(content), 'utf8'), `${sid}#data`),
      ];
      for (const e of input.evidences) fields.push(`ev:${e.id}`, seal(key, e.bytes, `${sid}#ev:${e.id}`));
      const tx = redis
        .multi()
        .hset(sk(sid), ...fields)
        .expire(sk(sid), ttl)
        .zadd(dueKey, String(t2At), sid);
      if (input.exchangeId !== undefined) tx.set(xk(input.exchangeId), sid, 'EX', ttl);
      const replies = await tx.exec();
      for (const [err] of replies ?? []) if (err) throw err;
      return { sessionId: sid, location };
    },

    async get(sid) {
      if (!valid(sid)) return undefined;
      const [state, version, createdAt, t2At, t3At, openedAt, decidedAt, expiredAt, location, evids, decision] =
        await redis.hmget(
          sk(sid),
          'state',
          'version',
          'createdAt',
          't2At',
          't3At',
          'openedAt',
          'decidedAt',
          'expiredAt',
          'location',
          'evids',
          'decision',
        );
      if (state === null || state === undefined) return undefined;
      const retSealed = await redis.hgetBuffer(sk(sid), 'ret');
      const t3 = t3At == null ? undefined : Number(t3At);
      const date = (v: string | null | undefined): Date | undefined => (v == null ? undefined : new Date(Number(v)));
      return {
        sessionId: sid,
        state: effectiveState(state as PreviewState, Number(t2At), t3, now().getTime()),
        version: version as EdmVersion,
        location: location ?? '',
        evidenceIds: evids == null ? [] : (JSON.parse(evids) as string[]),
        createdAt: new Date(Number(createdAt)),
        openedAt: date(openedAt),
        decidedAt: date(decidedAt),
        expiredAt: date(expiredAt),
        openBy: new Date(Number(t2At)),
        decideBy: t3 === undefined ? undefined : new Date(t3),
        decision: decision == null ? undefined : (JSON.parse(decision) as PreviewDecision),
        returnLocation: retSealed === null ? undefined : open(key, retSealed, `${sid}#ret`).toString('utf8'),
        content: await loadContent(sid),
      };
    },

    evidenceBytes,

    async approvedEvidences(sid) {
      const session = await this.get(sid);
      if (session?.decision === undefined || session.content === undefined) return [];
      const out: (PreviewEvidence & { bytes: Uint8Array })[] = [];
      for (const e of session.content.evidences) {
        if (!session.decision.approved.includes(e.id)) continue;
        const bytes = await evidenceBytes(sid, e.id);
        if (bytes !== undefined) out.push({ ...e, bytes });
      }
      return out;
    },

    async state(sid) {
      if (!valid(sid)) return undefined;
      const [state, t2At, t3At] = await redis.hmget(sk(sid), 'state', 't2At', 't3At');
      if (state == null) return undefined;
      return effectiveState(
        state as PreviewState,
        Number(t2At),
        t3At == null ? undefined : Number(t3At),
        now().getTime(),
      );
    },

    async markOpened(sid) {
      if (!valid(sid)) return undefined;
      const [st] = await script(OPEN, sid, [opts.t3Seconds]);
      return st === 'not-found' ? undefined : (st as PreviewState);
    },

    async decide(sid, decision, at) {
      if (!valid(sid)) return { ok: false, reason: 'not-found' };
      const evids = await redis.hget(sk(sid), 'evids');
      if (evids === null) return { ok: false, reason: 'not-found' };
      const ids = JSON.parse(evids) as string[];
      const chosen = [...decision.approved, ...decision.declined];
      if (
        chosen.length !== ids.length ||
        new Set(chosen).size !== ids.length ||
        !chosen.every((id) => ids.includes(id))
      )
        return { ok: false, reason: 'invalid-decision' };
      const normalised: PreviewDecision = {
        approved: ids.filter((id) => decision.approved.includes(id)),
        declined: ids.filter((id) => decision.declined.includes(id)),
      };
      const args = [JSON.stringify(normalised), ...normalised.declined];
      const reply =
        at === undefined
          ? await script(DECIDE, sid, args)
          : ((await redis.eval(
              DECIDE,
              3,
              sk(sid),
              dueKey,
              relKey,
              String(at.getTime()),
              sid,
              String(retention),
              ...args,
            )) as string[]);
      switch (reply[0] ?? '') {
        case 'decided':
          return { ok: true, releasedExchangeRef: refOrUndefined(reply[1]) };
        case 'expired':
          return { ok: false, reason: 'expired', releasedExchangeRef: refOrUndefined(reply[1]) };
        case 'not-found':
          return { ok: false, reason: 'not-found' };
        case 'not-opened':
          return { ok: false, reason: 'not-opened' };
        case 'already-decided':
          return { ok: false, reason: 'already-decided' };
        default:
          throw new AdapterError('ERR_PREVIEW_INPUT', `unexpected preview store reply ${String(reply[0])}`);
      }
    },

    async expire(sid) {
      if (!valid(sid)) return { expired: false, releasedExchangeRef: undefined };
      const [st, ref] = await script(EXPIRE, sid, ['0']);
      return { expired: st === 'expired', releasedExchangeRef: refOrUndefined(ref) };
    },

    async attachRequest(sid, exchangeRef, { park }) {
      if (!valid(sid)) return { status: 'not-found' };
      const reply = await script(ATTACH, sid, [exchangeRef, park ? '1' : '0']);
      switch (reply[0] ?? '') {
        case 'decided':
          return { status: 'decided', decision: JSON.parse(reply[1]!) as PreviewDecision };
        case 'expired':
          return { status: 'expired' };
        case 'parked':
          return { status: 'parked' };
        case 'duplicate':
          return { status: 'duplicate', ownerRef: reply[1]! };
        default:
          return { status: 'not-found' };
      }
    },

    async setReturnLocation(sid, url) {
      if (!valid(sid) || !(await redis.exists(sk(sid)))) return false;
      await redis.hset(sk(sid), 'ret', seal(key, Buffer.from(url, 'utf8'), `${sid}#ret`));
      return true;
    },

    async findByLocation(previewLocation) {
      const m = /\/preview\/([A-Za-z0-9_-]{43})$/.exec(previewLocation.trim());
      if (!m) return undefined;
      const sid = m[1]!;
      const stored = await redis.hget(sk(sid), 'location');
      return stored !== null && stored === previewLocation.trim() ? sid : undefined;
    },

    async findByExchangeId(exchangeId) {
      return (await redis.get(xk(exchangeId))) ?? undefined;
    },

    async purgeEvidence(sid) {
      if (!valid(sid)) return;
      const evids = await redis.hget(sk(sid), 'evids');
      const ids = evids === null ? [] : (JSON.parse(evids) as string[]);
      await redis.hdel(sk(sid), 'data', ...ids.map((id) => `ev:${id}`));
    },

    async sweepExpired(limit) {
      const due = await redis.zrangebyscore(dueKey, '-inf', String(now().getTime()), 'LIMIT', 0, limit);
      const expired: string[] = [];
      const released: ReleasedRequest[] = [];
      for (const sid of due) {
        const [st, ref] = await script(EXPIRE, sid, ['1']);
        if (st === 'not-found') await redis.zrem(dueKey, sid);
        if (st !== 'expired') continue;
        expired.push(sid);
        if (ref !== undefined && ref !== '') released.push({ sessionId: sid, exchangeRef: ref });
      }
      return { expired, released };
    },

    async listReleased(olderThanMs, limit) {
      const sids = await redis.zrangebyscore(relKey, '-inf', String(now().getTime() - olderThanMs), 'LIMIT', 0, limit);
      const out: ReleasedRequest[] = [];
      for (const sid of sids) {
        const ref = await redis.hget(sk(sid), 'released');
        if (ref === null) await redis.zrem(relKey, sid);
        else out.push({ sessionId: sid, exchangeRef: ref });
      }
      return out;
    },

    async ackReleased(sid) {
      await redis.zrem(relKey, sid);
    },
  };
}
