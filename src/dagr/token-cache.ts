/**
 * The DAGR access token and where it is kept. `TokenCache` is the port that lets every worker
 * share one token (src/dagr/token-cache-redis.ts); `createTokenManager` is the in-process side:
 * single-flight, refresh at a fraction of the lifetime, and a lock so that only one process asks
 * DAGR for a new token while the others wait for it.
 */

export interface CachedToken {
  readonly accessToken: string;
  readonly tokenType: string;
  /** Epoch ms after which DAGR no longer accepts it. */
  readonly expiresAt: number;
  /** Epoch ms from which a new token should be fetched (≈70 % of the lifetime). */
  readonly refreshAt: number;
}

/** Shared storage for the token of one DAGR connection (`key` names the connection). */
export interface TokenCache {
  read(key: string): Promise<CachedToken | undefined>;
  /** Stores the token until `ttlMs` from now. */
  write(key: string, token: CachedToken, ttlMs: number): Promise<void>;
  /** Takes the refresh lock for `ttlMs`; resolves the lock's id, or undefined when someone else holds it. */
  acquireLock(key: string, ttlMs: number): Promise<string | undefined>;
  /** Releases the lock if `lockId` still holds it. */
  releaseLock(key: string, lockId: string): Promise<void>;
}

/** A cache for a single process (tests, or a deployment with one worker). */
export function createMemoryTokenCache(clock: () => number = Date.now): TokenCache {
  const tokens = new Map<string, { token: CachedToken; until: number }>();
  const locks = new Map<string, { id: string; until: number }>();
  let next = 0;
  return {
    read(key) {
      const entry = tokens.get(key);
      return Promise.resolve(entry !== undefined && entry.until > clock() ? entry.token : undefined);
    },
    write(key, token, ttlMs) {
      tokens.set(key, { token, until: clock() + ttlMs });
      return Promise.resolve();
    },
    acquireLock(key, ttlMs) {
      const held = locks.get(key);
      if (held !== undefined && held.until > clock()) return Promise.resolve(undefined);
      const id = `lock-${++next}`;
      locks.set(key, { id, until: clock() + ttlMs });
      return Promise.resolve(id);
    },
    releaseLock(key, lockId) {
      if (locks.get(key)?.id === lockId) locks.delete(key);
      return Promise.resolve();
    },
  };
}

export interface TokenManagerOptions {
  /** Names the connection in the shared cache. */
  readonly cacheKey: string;
  /** Asks DAGR for a new token (one HTTP call; throws on failure). */
  readonly fetch: () => Promise<CachedToken>;
  readonly cache?: TokenCache | undefined;
  readonly clock: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** How long a refresh may take before another process may try (lock TTL and wait bound). */
  readonly lockTtlMs: number;
  /** Poll interval while another process refreshes. */
  readonly pollMs?: number;
  /** Tokens closer than this to expiry are not used. */
  readonly expirySkewMs?: number;
  /** Told when the shared cache misbehaves; the manager then works without it. */
  readonly onCacheError?: (operation: string, error: unknown) => void;
}

export interface TokenManager {
  /**
   * A token DAGR should accept. `rejected`: a token DAGR has just refused (401); it is never
   * returned again, and a new one is fetched (or taken from another process that already did).
   */
  get(rejected?: string): Promise<CachedToken>;
  /** Fetches from DAGR so far (for tests and metrics). */
  fetchCount(): number;
}

export function createTokenManager(opts: TokenManagerOptions): TokenManager {
  const pollMs = opts.pollMs ?? 25;
  const skew = opts.expirySkewMs ?? 5_000;
  let memory: CachedToken | undefined;
  let inflight: Promise<CachedToken> | undefined;
  let fetches = 0;
  const rejectedTokens = new Set<string>();

  const usable = (t: CachedToken | undefined): t is CachedToken =>
    t !== undefined && !rejectedTokens.has(t.accessToken) && opts.clock() < t.expiresAt - skew;
  const fresh = (t: CachedToken | undefined): t is CachedToken => usable(t) && opts.clock() < t.refreshAt;

  const guarded = async <T>(operation: string, run: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      opts.onCacheError?.(operation, error);
      return fallback;
    }
  };

  const fetchNew = async (): Promise<CachedToken> => {
    fetches += 1;
    const token = await opts.fetch();
    memory = token;
    return token;
  };

  const obtain = async (): Promise<CachedToken> => {
    if (fresh(memory)) return memory;
    const cache = opts.cache;
    if (cache === undefined) return fetchNew();

    let cached = await guarded('read', () => cache.read(opts.cacheKey), undefined);
    if (fresh(cached)) return (memory = cached);

    const lockId = await guarded('lock', () => cache.acquireLock(opts.cacheKey, opts.lockTtlMs), 'no-cache');
    if (lockId !== undefined) {
      try {
        if (lockId !== 'no-cache') {
          cached = await guarded('read', () => cache.read(opts.cacheKey), undefined);
          if (fresh(cached)) return (memory = cached);
        }
        const token = await fetchNew();
        const ttl = token.expiresAt - opts.clock();
        if (ttl > 0) await guarded('write', () => cache.write(opts.cacheKey, token, ttl), undefined);
        return token;
      } finally {
        if (lockId !== 'no-cache') await guarded('unlock', () => cache.releaseLock(opts.cacheKey, lockId), undefined);
      }
    }

    // Another process is refreshing. A token that is old but still valid does meanwhile.
    if (usable(cached)) return (memory = cached);
    if (usable(memory)) return memory;
    const deadline = opts.clock() + opts.lockTtlMs;
    while (opts.clock() < deadline) {
      await opts.sleep(pollMs);
      cached = await guarded('read', () => cache.read(opts.cacheKey), undefined);
      if (usable(cached)) return (memory = cached);
    }
    // The other process did not deliver in time (it may have died): fetch ourselves.
    return fetchNew();
  };

  const get = async (rejected?: string): Promise<CachedToken> => {
    if (rejected !== undefined) {
      rejectedTokens.add(rejected);
      if (rejectedTokens.size > 16) rejectedTokens.delete(rejectedTokens.values().next().value!);
    }
    // A flight started before the rejection may still deliver the rejected token: join a new one.
    for (let round = 0; ; round++) {
      if (inflight === undefined) {
        inflight = obtain().finally(() => {
          inflight = undefined;
        });
      }
      const token = await inflight;
      if (!rejectedTokens.has(token.accessToken) || round >= 2) return token;
    }
  };

  return { get, fetchCount: () => fetches };
}
