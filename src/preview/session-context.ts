/**
 * What the parts of the preview session store share: the Redis client, the key layout
 * (./keys.ts), the sealing key, the clock, and the transition scripts. Every transition is one
 * Lua script that re-checks the deadlines against the caller's clock (see ./session-store.ts).
 */
import type { Cluster, Redis } from 'ioredis';
import { previewKeys, type PreviewKeys } from './keys.js';
import { SESSION_ID, type PreviewStoreOptions } from './session-model.js';

export interface SessionContext {
  readonly redis: Redis | Cluster;
  /** AES-256-GCM key of the sealed fields. */
  readonly key: Buffer;
  readonly keys: PreviewKeys;
  readonly opts: PreviewStoreOptions;
  /** Seconds a decided or expired session is kept. */
  readonly retention: number;
  readonly now: () => Date;
}

export function sessionContext(redis: Redis | Cluster, opts: PreviewStoreOptions): SessionContext {
  return {
    redis,
    key: opts.key,
    keys: previewKeys(opts.prefix, opts.key),
    opts,
    retention: opts.retentionSeconds ?? 86_400,
    now: opts.now ?? (() => new Date()),
  };
}

export const validSessionId = (sid: string): boolean => SESSION_ID.test(sid);

/** Runs a transition script on session `sid` at `atMs` (default: the store's clock). */
export async function runTransition(
  ctx: SessionContext,
  lua: string,
  sid: string,
  args: (string | number)[],
  atMs: number = ctx.now().getTime(),
): Promise<string[]> {
  return (await ctx.redis.eval(
    lua,
    3,
    ctx.keys.session(sid),
    ctx.keys.due,
    ctx.keys.released,
    String(atMs),
    sid,
    String(ctx.retention),
    ...args.map(String),
  )) as string[];
}

// KEYS: s:<sid>, due, released. ARGV: now (ms), sid, retention (s), ...
export const PRELUDE = `
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
export const OPEN = `${PRELUDE}
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
export const DECIDE = `${PRELUDE}
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
export const EXPIRE = `${PRELUDE}
if st == 'decided' or st == 'expired' then
  if st == 'expired' then redis.call('ZREM', due, sid) end
  return {'was-' .. st, ''}
end
if ARGV[4] == '1' and not overdue(st) then return {st, ''} end
return {'expired', expireNow()}
`;

// ARGV[4] = exchangeRef, ARGV[5] = '1' park (v2.0) / '0' answer now (v1.x).
export const ATTACH = `${PRELUDE}
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
