import {
  createMemoryTokenCache,
  createTokenManager,
  type CachedToken,
  type TokenCache,
} from '../../../src/dagr/token-cache.js';

/** A fake DAGR token endpoint: numbered tokens, valid 100 s, refresh due at 70 s. */
function endpoint(clock: () => number) {
  let n = 0;
  let release: (() => void) | undefined;
  const fetch = async (): Promise<CachedToken> => {
    n += 1;
    const id = n;
    if (gate.closed) await new Promise<void>((r) => (release = r));
    const now = clock();
    return { accessToken: `t${id}`, tokenType: 'Bearer', expiresAt: now + 100_000, refreshAt: now + 70_000 };
  };
  const gate = { closed: false, open: () => release?.() };
  return { fetch, gate, count: () => n };
}

function setup(cache?: TokenCache) {
  let now = 1_000_000;
  const clock = () => now;
  const ep = endpoint(clock);
  const sleep = (ms: number) => {
    now += ms;
    return Promise.resolve();
  };
  const manager = (c: TokenCache | undefined = cache) =>
    createTokenManager({ cacheKey: 'k', fetch: ep.fetch, cache: c, clock, sleep, lockTtlMs: 1000 });
  return { ep, manager, advance: (ms: number) => (now += ms) };
}

describe('token manager', () => {
  test('single-flight: concurrent callers share one fetch', async () => {
    const { ep, manager } = setup();
    const m = manager();
    const tokens = await Promise.all([m.get(), m.get(), m.get()]);
    expect(tokens.map((t) => t.accessToken)).toEqual(['t1', 't1', 't1']);
    expect(ep.count()).toBe(1);
  });

  test('reused until refreshAt, then refreshed', async () => {
    const { ep, manager, advance } = setup();
    const m = manager();
    await m.get();
    advance(69_999);
    expect((await m.get()).accessToken).toBe('t1');
    advance(1);
    expect((await m.get()).accessToken).toBe('t2');
    expect(ep.count()).toBe(2);
  });

  test('a rejected token is never handed out again', async () => {
    const { manager } = setup();
    const m = manager();
    const first = await m.get();
    expect((await m.get(first.accessToken)).accessToken).toBe('t2');
    expect((await m.get()).accessToken).toBe('t2');
  });

  test('managers sharing a cache fetch once; a late one reads the cached token', async () => {
    const cache = createMemoryTokenCache(() => 1_000_000);
    const { ep, manager } = setup(cache);
    const a = manager();
    const b = manager();
    await a.get();
    expect((await b.get()).accessToken).toBe('t1');
    expect(ep.count()).toBe(1);
  });

  test('while another process refreshes, a still-valid old token is used instead of waiting', async () => {
    const { ep, manager, advance } = setup(createMemoryTokenCache(() => 0));
    const a = manager();
    const b = manager();
    await a.get();
    advance(80_000); // past refreshAt, before expiry
    ep.gate.closed = true;
    const refreshing = a.get();
    expect((await b.get()).accessToken).toBe('t1');
    ep.gate.open();
    expect((await refreshing).accessToken).toBe('t2');
  });

  test('a refresher that never delivers: the waiter fetches by itself after the lock TTL', async () => {
    const cache = createMemoryTokenCache(() => 0);
    const { ep, manager } = setup(cache);
    await cache.acquireLock('k', 60_000); // a dead process holds the lock
    const token = await manager().get();
    expect(token.accessToken).toBe('t1');
    expect(ep.count()).toBe(1);
  });

  test('a broken cache is bypassed, with a report', async () => {
    const broken: TokenCache = {
      read: () => Promise.reject(new Error('down')),
      write: () => Promise.reject(new Error('down')),
      acquireLock: () => Promise.reject(new Error('down')),
      releaseLock: () => Promise.reject(new Error('down')),
    };
    const { ep } = setup();
    const errors: string[] = [];
    const m = createTokenManager({
      cacheKey: 'k',
      fetch: ep.fetch,
      cache: broken,
      clock: () => 0,
      sleep: () => Promise.resolve(),
      lockTtlMs: 10,
      onCacheError: (op) => errors.push(op),
    });
    expect((await m.get()).accessToken).toBe('t1');
    expect(errors).toEqual(['read', 'lock', 'write']);
  });
});
