/**
 * The deferral book: exchanges answered "later" (status Unavailable, src/exchange/deferred.ts)
 * and when the worker asks the base registry again. The refetch sweep (src/worker/refetch.ts)
 * reads the due index, so a refetch is never lost with a job: a worker that dies, a job record
 * lost in a Redis fail-over, and the next sweep round queues it again. Holds references only.
 *
 * Keys (under `prefix`, with the store's {hash tag} on a Cluster):
 *   refetch   sorted set ref → when to ask again (epoch ms); removed once the exchange is answered.
 *   notices   hash ref → `sent` once the connector took the deferred notice, so that a re-run
 *             (a worker that died, a retried job, a second deferral) never sends a second notice.
 *
 * Writes go through the durable writer when there is one: a notice the requester has seen must
 * not be forgotten by the adapter in a fail-over.
 */
import type { Cluster, Redis } from 'ioredis';
import { luaScript } from '../infra/lua-script.js';
import type { DurableWriter } from './durable-write.js';

export interface DeferralBook {
  /** Records that `ref` is asked again at `atMs` (replacing an earlier time); says whether its notice was sent. */
  defer(ref: string, atMs: number): Promise<{ readonly noticeSent: boolean }>;
  /** The connector took the deferred notice of `ref`. */
  noticeSent(ref: string): Promise<void>;
  /** Deferred exchanges due at or before `nowMs`, oldest first, with their due time. */
  due(nowMs: number, limit: number): Promise<{ readonly ref: string; readonly atMs: number }[]>;
  /** Whether `ref` is deferred (its due time), or undefined. */
  dueAt(ref: string): Promise<number | undefined>;
  /** The exchange is answered (or gone): nothing more to ask. */
  clear(ref: string): Promise<void>;
}

const DEFER = luaScript(`
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return redis.call('HGET', KEYS[2], ARGV[1])
`);
const NOTICE_SENT = luaScript(`
redis.call('HSET', KEYS[1], ARGV[1], 'sent')
return 1
`);
const CLEAR = luaScript(`
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
`);

export function createDeferralBook(
  redis: Redis | Cluster,
  prefix: string,
  durableWriter?: DurableWriter,
): DeferralBook {
  const refetchKey = `${prefix}refetch`;
  const noticesKey = `${prefix}notices`;
  const write = (script: typeof DEFER, keys: string[], args: string[]): Promise<unknown> =>
    durableWriter === undefined ? script.run(redis, keys, args) : durableWriter.run(script, keys, args);
  return {
    async defer(ref, atMs) {
      const sent = await write(DEFER, [refetchKey, noticesKey], [ref, String(Math.round(atMs))]);
      return { noticeSent: sent === 'sent' };
    },
    async noticeSent(ref) {
      await write(NOTICE_SENT, [noticesKey], [ref]);
    },
    async due(nowMs, limit) {
      const flat = await redis.zrangebyscore(refetchKey, '-inf', String(nowMs), 'WITHSCORES', 'LIMIT', 0, limit);
      const out: { ref: string; atMs: number }[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) out.push({ ref: flat[i]!, atMs: Number(flat[i + 1]) });
      return out;
    },
    async dueAt(ref) {
      const score = await redis.zscore(refetchKey, ref);
      return score === null ? undefined : Number(score);
    },
    async clear(ref) {
      await write(CLEAR, [refetchKey, noticesKey], [ref]);
    },
  };
}
