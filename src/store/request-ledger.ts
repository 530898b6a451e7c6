/**
 * The request ledger: recognises a QueryRequest sent again under a new AS4 MessageId, so that
 * every accepted message gets exactly one answer and the same request is looked up only once.
 *
 * The key of a request is (requester, request id, digest of the canonical request): the sending
 * access point and original sender from the ebMS header, the QueryRequest id, and the request's
 * canonical form without id and IssueDateTime (src/edm/canonical.ts). All three are kept only as
 * keyed digests (no request id, no personal data in Redis keys).
 *
 *   rq:<key>     hash: owner (the exchange answering it), state (pending | done), out (the sealed
 *                stored answer once done). While pending, TTL = pendingTtlSeconds (a leader that
 *                died leaves nothing behind for longer); once done, TTL = replayTtlSeconds.
 *   rq:<key>:w   list of the exchanges waiting for the owner's answer.
 *   rq:<key>:w:woken:<ref>  the waiters the owner's completion woke (5 min), returned again when
 *                the same COMPLETE is re-sent after a lost reply.
 *   rid:<id>     hash: key → requester digest, for every key seen with this request id (TTL
 *                replayTtlSeconds): tells a re-send apart from a reused id.
 *
 * Claim and complete are single scripts, so a waiter is never lost between the owner's answer
 * and its own registration: it either is in the list when the owner completes, or finds the
 * stored answer. An answer that must not be given twice (isReusableAnswer) is not stored: the
 * waiters are then processed on their own, one after another (the first becomes the new owner).
 */
import type { Cluster, Redis } from 'ioredis';
import { keyedDigest, open, seal } from '../infra/aead.js';
import type { ExchangeSummary, OutboundMessage, StoredAnswer } from '../exchange/ports.js';
import type { UserMessage } from '../ebms/model.js';
import { luaScript } from '../infra/lua-script.js';
import type { DurableWriter } from './durable-write.js';

/** How a request id was used before, when it comes with another requester or other content. */
export type RequestIdReuse = 'other-content' | 'other-requester';

export type LedgerClaim =
  | { readonly kind: 'first'; readonly reuse: RequestIdReuse | undefined }
  | { readonly kind: 'wait'; readonly reuse: undefined }
  | { readonly kind: 'replay'; readonly reuse: undefined; readonly answer: StoredAnswer };

export interface RequestKey {
  readonly requester: string;
  readonly requestId: string;
  readonly canonical: string;
}

export interface RequestLedger {
  /** Claims the request for `ref` (again, when `ref` already owns it: a retried job stays owner). */
  claim(key: RequestKey, ref: string): Promise<LedgerClaim>;
  /**
   * The owner answered: stores the answer for re-sends when `answer` is given (a reusable one),
   * else forgets the request. Returns the exchanges that waited for it (to be processed again).
   * Nothing happens when `ref` is not (or no longer) the owner.
   */
  complete(key: RequestKey, ref: string, answer: StoredAnswer | undefined): Promise<string[]>;
}

export interface RequestLedgerOptions {
  /** Key prefix, e.g. `{oots}:requests:` (keep the hash tag on Redis Cluster). */
  readonly prefix: string;
  /** AES-256-GCM key (the stored answers hold evidence). */
  readonly key: Buffer;
  /** How long a delivered answer is kept for the same request sent again (REQUEST_REPLAY_SECONDS). */
  readonly replayTtlSeconds: number;
  /** How long a claim lasts without an answer (at least the answer deadline). */
  readonly pendingTtlSeconds: number;
  /**
   * Confirms completions as the exchange store confirms a stored answer (REDIS_DURABILITY
   * `fsync`/`replica`), so a fail-over cannot keep the answer and lose the wake-up of its waiters.
   */
  readonly durableWriter?: DurableWriter;
}

const CLAIM = `
local reuse = ''
if redis.call('HEXISTS', KEYS[3], ARGV[3]) == 0 then
  local seen = redis.call('HGETALL', KEYS[3])
  if #seen > 0 then
    reuse = 'other-requester'
    for i = 2, #seen, 2 do if seen[i] == ARGV[2] then reuse = 'other-content' end end
  end
  redis.call('HSET', KEYS[3], ARGV[3], ARGV[2])
end
redis.call('EXPIRE', KEYS[3], ARGV[5])
local v = redis.call('HMGET', KEYS[1], 'owner', 'state', 'out')
if not v[1] then
  redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'state', 'pending')
  redis.call('EXPIRE', KEYS[1], ARGV[4])
  return {'first', reuse}
end
if v[2] == 'done' and v[3] then return {'replay', reuse, v[3]} end
if v[1] == ARGV[1] then return {'first', reuse} end
redis.call('LREM', KEYS[2], 0, ARGV[1])
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return {'wait', reuse}
`;

const COMPLETE = `
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'state') ~= 'pending' then
  return redis.call('LRANGE', KEYS[3], 0, -1)
end
local waiters = redis.call('LRANGE', KEYS[2], 0, -1)
redis.call('DEL', KEYS[2], KEYS[3])
if #waiters > 0 then
  redis.call('RPUSH', KEYS[3], unpack(waiters))
  redis.call('EXPIRE', KEYS[3], ARGV[4])
end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('HSET', KEYS[1], 'state', 'done', 'out', ARGV[2])
  redis.call('EXPIRE', KEYS[1], ARGV[3])
end
return waiters
`;

const SCRIPTS = { claim: luaScript(CLAIM), complete: luaScript(COMPLETE) } as const;

/** How long the exchanges woken by a completion are remembered for a re-sent COMPLETE. */
const WOKEN_TTL_SECONDS = 300;

export function createRequestLedger(redis: Redis | Cluster, opts: RequestLedgerOptions): RequestLedger {
  const { prefix, key } = opts;
  const digests = (k: RequestKey) => {
    const requester = keyedDigest(key, 'requester', k.requester);
    const rid = keyedDigest(key, 'request-id', k.requestId);
    const content = keyedDigest(key, 'request-content', k.canonical);
    const whole = keyedDigest(key, 'request-key', `${requester}|${rid}|${content}`);
    return {
      requester,
      rid,
      whole,
      rq: `${prefix}rq:${whole}`,
      waiters: `${prefix}rq:${whole}:w`,
      ids: `${prefix}rid:${rid}`,
    };
  };
  const aad = (whole: string) => `request-ledger#${whole}`;

  return {
    async claim(k, ref) {
      const d = digests(k);
      const reply = (await SCRIPTS.claim.runBuffer(
        redis,
        [d.rq, d.waiters, d.ids],
        [ref, d.requester, d.whole, String(opts.pendingTtlSeconds), String(opts.replayTtlSeconds)],
      )) as Buffer[];
      const kind = reply[0]!.toString('utf8');
      const reuseText = reply[1]!.toString('utf8');
      const reuse = reuseText === '' ? undefined : (reuseText as RequestIdReuse);
      if (kind === 'replay') {
        const stored = JSON.parse(open(key, reply[2]!, aad(d.whole)).toString('utf8')) as Stored;
        return { kind, reuse: undefined, answer: decode(stored) };
      }
      if (kind === 'wait') return { kind, reuse: undefined };
      return { kind: 'first', reuse };
    },

    async complete(k, ref, answer) {
      const d = digests(k);
      const sealed =
        answer === undefined ? '' : seal(key, Buffer.from(JSON.stringify(encode(answer)), 'utf8'), aad(d.whole));
      // The woken list outlives the completion briefly: when ioredis re-sends this script after a
      // lost reply, the second run finds the request no longer pending and returns the same
      // waiters again instead of none (waking twice is harmless: the jobs are deduplicated).
      const keys = [d.rq, d.waiters, `${d.waiters}:woken:${ref}`];
      const args = [ref, sealed, String(opts.replayTtlSeconds), String(WOKEN_TTL_SECONDS)];
      const reply =
        opts.durableWriter === undefined
          ? await SCRIPTS.complete.run(redis, keys, args)
          : await opts.durableWriter.run(SCRIPTS.complete, keys, args);
      return reply as string[];
    },
  };
}

interface StoredPart {
  readonly href: string;
  readonly mimeType: string;
  readonly b64: string;
}
interface Stored {
  readonly v: 1;
  readonly userMessage: UserMessage;
  readonly regrep: string;
  readonly attachments: readonly StoredPart[];
  readonly summary: ExchangeSummary;
}

function encode(a: StoredAnswer): Stored {
  const o: OutboundMessage = a.outbound;
  return {
    v: 1,
    userMessage: o.userMessage,
    regrep: o.regrep,
    attachments: o.attachments.map((p) => ({
      href: p.href,
      mimeType: p.mimeType,
      b64: Buffer.from(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength).toString('base64'),
    })),
    summary: a.summary,
  };
}

function decode(s: Stored): StoredAnswer {
  return {
    outbound: {
      userMessage: s.userMessage,
      regrep: s.regrep,
      attachments: s.attachments.map((p) => ({
        href: p.href,
        mimeType: p.mimeType,
        bytes: Buffer.from(p.b64, 'base64'),
      })),
    },
    summary: s.summary,
  };
}
