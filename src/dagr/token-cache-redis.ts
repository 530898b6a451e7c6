/**
 * The shared DAGR token cache on Redis, so that every worker of every host uses one token and only
 * one of them asks DAGR for a new one (`SET NX PX` lock; the others poll the token key).
 * Keys: `<prefix>dagr:token:<connection>` and `<prefix>dagr:token-lock:<connection>`; single-key
 * commands only, so it works on Redis Cluster without hash tags.
 *
 * The token is a short-lived bearer credential and is stored as is; give the Redis the same
 * protection as the job data (network isolation, AUTH/ACL, TLS in production).
 */
import type { Cluster, Redis } from 'ioredis';
import { acquireLock, releaseLock } from '../infra/lock.js';
import type { CachedToken, TokenCache } from './token-cache.js';

/** Deletes the key only when it still holds our lock id (no release of someone else's lock). */

export function createRedisTokenCache(redis: Redis | Cluster, prefix: string): TokenCache {
  const tokenKey = (key: string): string => `${prefix}dagr:token:${key}`;
  const lockKey = (key: string): string => `${prefix}dagr:token-lock:${key}`;
  return {
    async read(key) {
      const raw = await redis.get(tokenKey(key));
      if (raw === null) return undefined;
      return parseToken(raw);
    },
    async write(key, token, ttlMs) {
      await redis.set(tokenKey(key), JSON.stringify(token), 'PX', Math.max(1, Math.floor(ttlMs)));
    },
    async acquireLock(key, ttlMs) {
      return acquireLock(redis, lockKey(key), ttlMs);
    },
    async releaseLock(key, lockId) {
      await releaseLock(redis, lockKey(key), lockId);
    },
  };
}

function parseToken(raw: string): CachedToken | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (
    typeof v['accessToken'] !== 'string' ||
    typeof v['tokenType'] !== 'string' ||
    typeof v['expiresAt'] !== 'number' ||
    typeof v['refreshAt'] !== 'number'
  ) {
    return undefined;
  }
  return {
    accessToken: v['accessToken'],
    tokenType: v['tokenType'],
    expiresAt: v['expiresAt'],
    refreshAt: v['refreshAt'],
  };
}
