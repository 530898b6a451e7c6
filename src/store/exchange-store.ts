/**
 * The exchange store: every request the adapter accepted, encrypted at rest in Redis, with its
 * state, its answer and the markers that recognise duplicates. Holds no business rule: the
 * exchange use case decides what the states mean; this module only keeps them safely.
 *
 * Keys (all under `prefix`; keep a {hash tag} in the prefix on Redis Cluster so the scripts'
 * keys share one slot):
 *   ex:<ref>        hash: in (sealed request), out (sealed answer), sum (the answer's summary, plain
 *                   JSON: references and codes only, see AnswerSummary), state, receivedAt, updatedAt,
 *                   purgedAt. After `finishDelivered` only the tombstone fields and `sum` remain.
 *                   TTL = ttlSeconds.
 *   mid:<digest>    the exchangeRef of an AS4 MessageId (keyed digest, not the id). TTL.
 *   received        sorted set of refs still in state `received` (score = accept time, ms), so a
 *                   sweep can re-enqueue a request whose enqueue was lost in a crash.
 *   answered        sorted set of refs `answered` and not yet delivered (score = answer time, ms),
 *                   so a sweep can deliver an answer whose hand-over to delivery was lost.
 *
 * Sealed values use AES-256-GCM with AAD `<ref>#in` / `<ref>#out`: a value moved to another
 * exchange or field does not open.
 *
 * Durability: `acceptInbound` resolves after Redis applied the script. With `appendonly yes` and
 * `appendfsync everysec` (the embedded default) a power loss can lose the last second of accepted
 * requests; `appendfsync always` closes that gap at a write-throughput cost. `durability: 'fsync'`
 * additionally waits for WAITAOF (Redis >= 7.2) to confirm the local fsync, `'replica'` waits for
 * one replica (WAIT), which is what protects against the loss of the host or a fail-over. In those
 * modes the worker's steps that matter (answer stored, delivered) are confirmed the same way.
 */
import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { keyedDigest, open, seal } from '../infra/aead.js';
import type { UserMessage } from '../ebms/model.js';
import type { ExchangeSummary, OutboundMessage } from '../exchange/ports.js';
import { luaScript, type LuaScript } from '../infra/lua-script.js';
import { createDurableWriter, type DurableWriter } from './durable-write.js';

export type ExchangeState = 'received' | 'processing' | 'answered' | 'delivered' | 'failed';
export const EXCHANGE_STATES: readonly ExchangeState[] = ['received', 'processing', 'answered', 'delivered', 'failed'];

export interface InboundPayload {
  readonly href: string;
  readonly mimeType: string;
  readonly bytes: Uint8Array;
}

export interface InboundMessage {
  readonly userMessage: UserMessage;
  readonly payloads: readonly InboundPayload[];
  /** xsd:dateTime of receipt. */
  readonly receivedAt: string;
}

export interface ExchangeRecord {
  readonly state: ExchangeState;
  readonly receivedAt: string;
  readonly updatedAt: string;
  /** Set once the contents were dropped (the record is then a tombstone). */
  readonly purgedAt: string | undefined;
  readonly hasInbound: boolean;
  readonly hasOutbound: boolean;
}

/**
 * What the metrics and the audit trail need of an answer when it is delivered or given up, stored
 * with the answer (any worker process may deliver it) and kept after delivery. References and codes
 * only, the data classes the audit trail keeps: no subject identifier, only the trail's keyed digest.
 */
export interface AnswerSummary {
  /** ebMS ConversationId. */
  readonly conversationId: string;
  /** QueryRequest `@id` (undefined when the request was unreadable). */
  readonly requestId: string | undefined;
  /** The evidence requester agent identifier. */
  readonly requester: string | undefined;
  /** The audit trail's keyed digest of the subject identifier (src/ops/audit.ts). */
  readonly subjectDigest: string | undefined;
  readonly summary: ExchangeSummary;
}

export interface ExchangeStoreOptions {
  /** Key prefix, e.g. `{oots}:store:`. */
  readonly prefix: string;
  /** AES-256-GCM key, 32 bytes. */
  readonly key: Buffer;
  /** Lifetime of an exchange, its tombstone and its duplicate markers. */
  readonly ttlSeconds: number;
  /** What `acceptInbound` waits for before resolving (see the module comment). Default `write`. */
  readonly durability?: 'write' | 'fsync' | 'replica';
  /** Timeout of WAIT / WAITAOF in ms. Default 1000. */
  readonly durabilityTimeoutMs?: number;
  /**
   * Confirms intake, stored answers and deliveries per `durability` on a connection of its own
   * (src/store/durable-write.ts). Default: a writer on the store's connection.
   */
  readonly durableWriter?: DurableWriter;
  /** Clock (tests). */
  readonly now?: () => Date;
}

export interface ExchangeStore {
  /**
   * Stores a received message durably, once per AS4 MessageId. A second delivery of the same
   * MessageId returns the first exchangeRef with `duplicate: true` and stores nothing.
   */
  acceptInbound(msg: InboundMessage): Promise<{ exchangeRef: string; duplicate: boolean }>;
  /** The stored request; undefined when purged or expired. Throws CryptoError on a wrong key. */
  loadInbound(ref: string): Promise<InboundMessage | undefined>;
  /** The stored answer; undefined when none was saved yet, or it was delivered (purged) or expired. */
  loadOutbound(ref: string): Promise<OutboundMessage | undefined>;
  /** Sets the state. False when the exchange does not exist or is already `delivered` (final). */
  markState(ref: string, state: ExchangeState): Promise<boolean>;
  getState(ref: string): Promise<ExchangeState | undefined>;
  getRecord(ref: string): Promise<ExchangeRecord | undefined>;
  /**
   * Starts (or resumes) processing in one step: the state found and, when it was `received` or
   * `processing` and the request is still stored, the request, with the state now `processing`.
   * Undefined when the exchange no longer exists.
   */
  beginProcessing(ref: string): Promise<{ state: ExchangeState; inbound: InboundMessage | undefined } | undefined>;
  /**
   * Stores the answer and marks the exchange `answered` in one atomic step; the first answer
   * wins. `gone` when the exchange expired; `delivered` or `answered` when an answer was already
   * stored (by a job run that lost its lock, or by the rescue sweep): nothing is changed then;
   * `failed` when the exchange was given up (past its delivery deadline): nothing is sent any more.
   * Each call tags its write with a random token: when ioredis re-sends the script after a
   * reconnect (the reply of the first run was lost), the second run finds its own answer and
   * reports `saved`, so the caller goes on to deliver it. `summary` is stored with the answer
   * (same step) and outlives its delivery: `loadAnswerSummary`.
   */
  saveAnswer(
    ref: string,
    message: OutboundMessage,
    summary?: AnswerSummary,
  ): Promise<'saved' | 'gone' | 'delivered' | 'answered' | 'failed'>;
  /** The summary stored with the answer; also after delivery, until the exchange expires. */
  loadAnswerSummary(ref: string): Promise<AnswerSummary | undefined>;
  /** For delivery, in one step: state, receipt time and the stored answer; extends the TTL. */
  openForDelivery(
    ref: string,
  ): Promise<{ state: ExchangeState; receivedAt: string; outbound: OutboundMessage | undefined } | undefined>;
  /** Marks the exchange `delivered` and drops request and answer (tombstone), in one step. */
  finishDelivered(ref: string): Promise<void>;
  /** Refs still `received` that were accepted at least `olderThanMs` ago (crash recovery sweep). */
  listReceived(olderThanMs: number, limit: number): Promise<string[]>;
  /** Refs `answered` (not delivered, not failed) at least `olderThanMs` ago (delivery sweep). */
  listAnswered(olderThanMs: number, limit: number): Promise<string[]>;
}

const ACCEPT = `
local owner = redis.call('GET', KEYS[1])
if owner then return {owner, 1} end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[4])
redis.call('HSET', KEYS[2], 'in', ARGV[2], 'state', 'received', 'receivedAt', ARGV[3], 'updatedAt', ARGV[5])
redis.call('EXPIRE', KEYS[2], ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[1])
return {ARGV[1], 0}
`;

const MARK = `
local cur = redis.call('HGET', KEYS[1], 'state')
if not cur then return 0 end
if cur == 'delivered' and ARGV[1] ~= 'delivered' then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'updatedAt', ARGV[2])
if ARGV[1] ~= 'received' then redis.call('ZREM', KEYS[2], ARGV[3]) end
if ARGV[1] ~= 'answered' then redis.call('ZREM', KEYS[3], ARGV[3]) end
return 1
`;

const BEGIN = `
local v = redis.call('HMGET', KEYS[1], 'state', 'in')
local state = v[1]
if not state then return false end
if (state == 'received' or state == 'processing') and v[2] then
  redis.call('HSET', KEYS[1], 'state', 'processing', 'updatedAt', ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[2])
  return {state, v[2]}
end
return {state}
`;

const SAVE_ANSWER = `
local cur = redis.call('HGET', KEYS[1], 'state')
if not cur then return 0 end
if cur == 'delivered' then return 2 end
if cur == 'failed' then return 4 end
if cur == 'answered' then
  if ARGV[4] ~= '' and redis.call('HGET', KEYS[1], 'by') == ARGV[4] then return 1 end
  return 3
end
redis.call('HSET', KEYS[1], 'out', ARGV[1], 'state', 'answered', 'updatedAt', ARGV[2], 'by', ARGV[4])
if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'sum', ARGV[6]) end
redis.call('ZREM', KEYS[2], ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[3])
return 1
`;

const OPEN_DELIVERY = `
local v = redis.call('HMGET', KEYS[1], 'state', 'receivedAt', 'out')
if not v[1] then return false end
redis.call('EXPIRE', KEYS[1], ARGV[1])
if v[3] then return {v[1], v[2] or '', v[3]} end
return {v[1], v[2] or ''}
`;

const FINISH_DELIVERED = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HDEL', KEYS[1], 'in', 'out')
redis.call('HSET', KEYS[1], 'state', 'delivered', 'updatedAt', ARGV[1], 'purgedAt', ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[2])
return 1
`;

const SCRIPTS = {
  accept: luaScript(ACCEPT),
  mark: luaScript(MARK),
  begin: luaScript(BEGIN),
  saveAnswer: luaScript(SAVE_ANSWER),
  openDelivery: luaScript(OPEN_DELIVERY),
  finishDelivered: luaScript(FINISH_DELIVERED),
} as const;

/** SHA-1 of each store script (tests that fault one step by name). */
export const STORE_SCRIPT_SHAS: Readonly<Record<keyof typeof SCRIPTS, string>> = Object.freeze(
  Object.fromEntries(Object.entries(SCRIPTS).map(([name, s]) => [name, s.sha])) as Record<keyof typeof SCRIPTS, string>,
);

type RedisLike = Redis | Cluster;

/** A new exchange reference: random, opaque, no personal data, safe in keys and job ids. */
export function newExchangeRef(): string {
  return `x${randomBytes(15).toString('base64url')}`;
}

export function createExchangeStore(redis: RedisLike, opts: ExchangeStoreOptions): ExchangeStore {
  const { prefix, key, ttlSeconds } = opts;
  const now = opts.now ?? (() => new Date());
  const durability = opts.durability ?? 'write';
  const waitMs = opts.durabilityTimeoutMs ?? 1000;
  const ex = (ref: string): string => `${prefix}ex:${ref}`;
  const receivedKey = `${prefix}received`;
  const answeredKey = `${prefix}answered`;
  const ttl = String(ttlSeconds);

  const run = async (script: LuaScript, keys: string[], args: (string | Buffer)[]): Promise<unknown> =>
    script.run(redis, keys, args);
  const openInbound = (ref: string, sealed: Buffer): InboundMessage =>
    decodeInbound(JSON.parse(open(key, sealed, `${ref}#in`).toString('utf8')) as StoredInbound);
  const openOutbound = (ref: string, sealed: Buffer): OutboundMessage =>
    decodeOutbound(JSON.parse(open(key, sealed, `${ref}#out`).toString('utf8')) as StoredOutbound);
  const sealOutbound = (ref: string, message: OutboundMessage): Buffer =>
    seal(key, Buffer.from(JSON.stringify(encodeOutbound(message)), 'utf8'), `${ref}#out`);

  // Writes that must be confirmed (intake, answer stored, delivered) go through the durable writer.
  const writer =
    opts.durableWriter ??
    (durability === 'write' ? undefined : createDurableWriter({ client: redis, mode: durability, timeoutMs: waitMs }));
  const runDurable = async (script: LuaScript, keys: string[], args: (string | Buffer)[]): Promise<unknown> =>
    writer === undefined ? run(script, keys, args) : writer.run(script, keys, args);

  return {
    async acceptInbound(msg) {
      const ref = newExchangeRef();
      const midKey = `${prefix}mid:${keyedDigest(key, 'message-id', msg.userMessage.messageId)}`;
      const plain = Buffer.from(JSON.stringify(encodeInbound(msg)), 'utf8');
      const sealed = seal(key, plain, `${ref}#in`);
      const at = now();
      const reply = (await runDurable(
        SCRIPTS.accept,
        [midKey, ex(ref), receivedKey],
        [ref, sealed, msg.receivedAt, ttl, at.toISOString(), String(at.getTime())],
      )) as [string, number];
      return { exchangeRef: reply[0], duplicate: reply[1] === 1 };
    },

    async loadInbound(ref) {
      const sealed = await redis.hgetBuffer(ex(ref), 'in');
      if (sealed === null) return undefined;
      return openInbound(ref, sealed);
    },

    async beginProcessing(ref) {
      const reply = (await SCRIPTS.begin.runBuffer(redis, [ex(ref), receivedKey], [now().toISOString(), ref])) as
        Buffer[] | null;
      if (reply === null) return undefined;
      const state = reply[0]!.toString('utf8') as ExchangeState;
      return { state, inbound: reply[1] === undefined ? undefined : openInbound(ref, reply[1]) };
    },

    async saveAnswer(ref, message, summary) {
      const at = now();
      const writer = randomBytes(9).toString('base64url');
      const reply = (await runDurable(
        SCRIPTS.saveAnswer,
        [ex(ref), receivedKey, answeredKey],
        [
          sealOutbound(ref, message),
          at.toISOString(),
          ref,
          writer,
          String(at.getTime()),
          summary === undefined ? '' : JSON.stringify(summary),
        ],
      )) as number;
      return reply === 1
        ? 'saved'
        : reply === 2
          ? 'delivered'
          : reply === 3
            ? 'answered'
            : reply === 4
              ? 'failed'
              : 'gone';
    },

    async openForDelivery(ref) {
      const reply = (await SCRIPTS.openDelivery.runBuffer(redis, [ex(ref)], [ttl])) as Buffer[] | null;
      if (reply === null) return undefined;
      return {
        state: reply[0]!.toString('utf8') as ExchangeState,
        receivedAt: reply[1]!.toString('utf8'),
        outbound: reply[2] === undefined ? undefined : openOutbound(ref, reply[2]),
      };
    },

    async finishDelivered(ref) {
      await runDurable(SCRIPTS.finishDelivered, [ex(ref), receivedKey, answeredKey], [now().toISOString(), ref]);
    },

    async loadAnswerSummary(ref) {
      const json = await redis.hget(ex(ref), 'sum');
      return json === null ? undefined : (JSON.parse(json) as AnswerSummary);
    },

    async loadOutbound(ref) {
      const sealed = await redis.hgetBuffer(ex(ref), 'out');
      if (sealed === null) return undefined;
      return openOutbound(ref, sealed);
    },

    async markState(ref, state) {
      const keys = [ex(ref), receivedKey, answeredKey];
      return ((await run(SCRIPTS.mark, keys, [state, now().toISOString(), ref])) as number) === 1;
    },

    async getState(ref) {
      const state = await redis.hget(ex(ref), 'state');
      return state === null ? undefined : (state as ExchangeState);
    },

    async getRecord(ref) {
      const replies = await redis
        .pipeline()
        .hmget(ex(ref), 'state', 'receivedAt', 'updatedAt', 'purgedAt')
        .hstrlen(ex(ref), 'in')
        .hstrlen(ex(ref), 'out')
        .exec();
      if (replies === null) return undefined;
      for (const [err] of replies) if (err) throw err;
      const [state, receivedAt, updatedAt, purgedAt] = replies[0]![1] as (string | null)[];
      const inLen = replies[1]![1] as number;
      const outLen = replies[2]![1] as number;
      if (state === null || state === undefined) return undefined;
      return {
        state: state as ExchangeState,
        receivedAt: receivedAt ?? '',
        updatedAt: updatedAt ?? '',
        purgedAt: purgedAt ?? undefined,
        hasInbound: inLen > 0,
        hasOutbound: outLen > 0,
      };
    },

    async listReceived(olderThanMs, limit) {
      const max = now().getTime() - olderThanMs;
      return redis.zrangebyscore(receivedKey, '-inf', String(max), 'LIMIT', 0, limit);
    },

    async listAnswered(olderThanMs, limit) {
      const max = now().getTime() - olderThanMs;
      return redis.zrangebyscore(answeredKey, '-inf', String(max), 'LIMIT', 0, limit);
    },
  };
}

interface StoredPart {
  readonly href: string;
  readonly mimeType: string;
  readonly b64: string;
}
interface StoredInbound {
  readonly v: 1;
  readonly userMessage: UserMessage;
  readonly receivedAt: string;
  readonly payloads: readonly StoredPart[];
}
interface StoredOutbound {
  readonly v: 1;
  readonly userMessage: UserMessage;
  readonly regrep: string;
  readonly attachments: readonly StoredPart[];
}

const toPart = (p: { href: string; mimeType: string; bytes: Uint8Array }): StoredPart => ({
  href: p.href,
  mimeType: p.mimeType,
  b64: Buffer.from(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength).toString('base64'),
});
const fromPart = (p: StoredPart): InboundPayload => ({
  href: p.href,
  mimeType: p.mimeType,
  bytes: Buffer.from(p.b64, 'base64'),
});

function encodeInbound(msg: InboundMessage): StoredInbound {
  return { v: 1, userMessage: msg.userMessage, receivedAt: msg.receivedAt, payloads: msg.payloads.map(toPart) };
}
function decodeInbound(s: StoredInbound): InboundMessage {
  return { userMessage: s.userMessage, receivedAt: s.receivedAt, payloads: s.payloads.map(fromPart) };
}
function encodeOutbound(m: OutboundMessage): StoredOutbound {
  return { v: 1, userMessage: m.userMessage, regrep: m.regrep, attachments: m.attachments.map(toPart) };
}
function decodeOutbound(s: StoredOutbound): OutboundMessage {
  return { userMessage: s.userMessage, regrep: s.regrep, attachments: s.attachments.map(fromPart) };
}
