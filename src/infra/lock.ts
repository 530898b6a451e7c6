/**
 * One Redis lock: SET NX PX with a random token, released and extended only by its holder (a
 * compare-and-delete script), so a holder whose lock expired cannot free a lock someone else has
 * since taken. Single-key: safe on Redis Cluster.
 */
import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { luaScript } from './lua-script.js';

const RELEASE = luaScript(
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`,
);
const EXTEND = luaScript(
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`,
);

/** The token proving who holds a lock. */
export type LockToken = string;

const ttlOf = (ms: number): number => Math.max(1, Math.floor(ms));

/** Takes the lock when free; `undefined` when someone else holds it. */
export async function acquireLock(redis: Redis | Cluster, key: string, ttlMs: number): Promise<LockToken | undefined> {
  const token = randomBytes(12).toString('base64url');
  const ok = await redis.set(key, token, 'PX', ttlOf(ttlMs), 'NX');
  return ok === 'OK' ? token : undefined;
}

/** Frees the lock if `token` still holds it; true when it did. */
export async function releaseLock(redis: Redis | Cluster, key: string, token: LockToken): Promise<boolean> {
  return (await RELEASE.run(redis, [key], [token])) === 1;
}

/** Renews the lock's time to live if `token` still holds it; false when it was lost. */
export async function extendLock(
  redis: Redis | Cluster,
  key: string,
  token: LockToken,
  ttlMs: number,
): Promise<boolean> {
  return (await EXTEND.run(redis, [key], [token, String(ttlOf(ttlMs))])) === 1;
}

/**
 * Runs `fn` holding the lock, waiting for it (short jittered polls) at most `waitMs`; `onBusy`
 * makes the error thrown when the wait runs out.
 */
export async function withLock<T>(
  redis: Redis | Cluster,
  key: string,
  opts: { readonly ttlMs: number; readonly waitMs: number; readonly onBusy: () => Error },
  fn: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + opts.waitMs;
  let token: LockToken | undefined;
  while ((token = await acquireLock(redis, key, opts.ttlMs)) === undefined) {
    if (Date.now() > deadline) throw opts.onBusy();
    await new Promise((resolve) => setTimeout(resolve, 20 + Math.floor(Math.random() * 30)));
  }
  try {
    return await fn();
  } finally {
    await releaseLock(redis, key, token);
  }
}
