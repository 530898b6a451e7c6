/**
 * The evidence of a try made from the mappings page, kept for a short while so the page can link
 * to it (`GET /admin/mappings/try/:token/evidence`). It lives in Redis, not in process memory, so
 * that any api process behind a load balancer can serve the link another one made (DESIGN §7).
 * Keys live under the admin keyspace (src/infra/keys.ts) as an opaque digest of the token; the
 * value is sealed with the adapter's key (the evidence of a test subject is still evidence), and
 * expires on its own after the TTL.
 */
import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { open, seal } from '../../infra/aead.js';
import { opaqueKeyPart } from '../../infra/keys.js';

export interface TriedEvidence {
  /** The admin user who made the try: only they may open it. */
  readonly user: string;
  readonly mimeType: string;
  readonly fileName: string;
  readonly bytes: Uint8Array;
}

export interface TryCache {
  /** Keeps the evidence; returns the token of its link. */
  put(entry: TriedEvidence): Promise<string>;
  /** The evidence of `token` if it is still kept and was made by `user`. */
  get(token: string, user: string): Promise<TriedEvidence | undefined>;
  /** How long an entry is kept, seconds. */
  readonly ttlSeconds: number;
}

export interface RedisTryCacheOptions {
  /** The admin keyspace (`keyspaces(prefix).admin`); entries are written below `<prefix>try:`. */
  readonly prefix: string;
  /** 32 bytes: the adapter's ENCRYPTION_KEY. */
  readonly key: Buffer;
  /** Default 600 (10 minutes). */
  readonly ttlSeconds?: number;
}

interface Stored {
  readonly user: string;
  readonly mimeType: string;
  readonly fileName: string;
  readonly base64: string;
}

export function createRedisTryCache(redis: Redis | Cluster, opts: RedisTryCacheOptions): TryCache {
  const ttlSeconds = opts.ttlSeconds ?? 600;
  const keyOf = (token: string): string => `${opts.prefix}try:${opaqueKeyPart(token)}`;
  const aad = (token: string): string => `admin-try:${opaqueKeyPart(token)}`;
  return {
    ttlSeconds,
    async put(entry) {
      const token = randomBytes(18).toString('base64url');
      const stored: Stored = {
        user: entry.user,
        mimeType: entry.mimeType,
        fileName: entry.fileName,
        base64: Buffer.from(entry.bytes).toString('base64'),
      };
      const sealed = seal(opts.key, Buffer.from(JSON.stringify(stored), 'utf8'), aad(token));
      await redis.set(keyOf(token), sealed, 'EX', ttlSeconds);
      return token;
    },
    async get(token, user) {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(token)) return undefined;
      const sealed = await redis.getBuffer(keyOf(token));
      if (sealed === null) return undefined;
      const stored = JSON.parse(open(opts.key, sealed, aad(token)).toString('utf8')) as Stored;
      if (stored.user !== user) return undefined;
      return {
        user: stored.user,
        mimeType: stored.mimeType,
        fileName: stored.fileName,
        bytes: Buffer.from(stored.base64, 'base64'),
      };
    },
  };
}
