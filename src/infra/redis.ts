/**
 * Redis connections for the queues and the store, from one `REDIS_URL`:
 *
 *   redis://[user:pass@]host:6379[/db]            a single server (rediss:// for TLS)
 *   redis-sentinel://[user:pass@]h1:26379,h2:26379/<master>[?db=0&sentinelPassword=..&tls=1]
 *                                                 Sentinel: ioredis asks the sentinels for the
 *                                                 current master and follows fail-overs
 *   redis-cluster://[user:pass@]h1:6379,h2:6379[?tls=1]
 *                                                 Cluster: keep the {hash tag} in QUEUE_PREFIX so
 *                                                 a queue's keys (and the store's) share one slot
 *
 * BullMQ in production needs `maxmemory-policy noeviction` (an evicted key is a lost job) and AOF
 * persistence (`appendonly yes`); `checkRedis` reports what it finds so the caller can log it.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { AdapterError } from '../errors.js';

export type RedisTarget =
  | { readonly kind: 'single'; readonly url: string }
  | {
      readonly kind: 'sentinel';
      readonly sentinels: readonly { host: string; port: number }[];
      readonly name: string;
      readonly username: string | undefined;
      readonly password: string | undefined;
      readonly sentinelPassword: string | undefined;
      readonly db: number;
      readonly tls: boolean;
    }
  | {
      readonly kind: 'cluster';
      readonly nodes: readonly { host: string; port: number }[];
      readonly username: string | undefined;
      readonly password: string | undefined;
      readonly tls: boolean;
    };

function hosts(list: string, defaultPort: number): { host: string; port: number }[] {
  return list.split(',').map((h) => {
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(h.trim());
    if (m === null) throw new AdapterError('ERR_CONFIG_INVALID', `REDIS_URL: bad host "${h}"`);
    return { host: m[1]!.replace(/^\[|\]$/g, ''), port: m[2] === undefined ? defaultPort : Number(m[2]) };
  });
}

/** Parses the REDIS_URL forms above. Throws ERR_CONFIG_INVALID (without echoing passwords). */
export function parseRedisUrl(url: string): RedisTarget {
  if (/^rediss?:\/\//.test(url)) return { kind: 'single', url };
  const m = /^redis-(sentinel|cluster):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?]+)(?:\/([^?]*))?(?:\?(.*))?$/.exec(url);
  if (m === null)
    throw new AdapterError(
      'ERR_CONFIG_INVALID',
      'REDIS_URL is not a redis://, rediss://, redis-sentinel:// or redis-cluster:// URL',
    );
  const [, kind, user, pass, hostList, path, query] = m;
  const params = new URLSearchParams(query ?? '');
  const username = user === undefined || user === '' ? undefined : decodeURIComponent(user);
  const password = pass === undefined || pass === '' ? undefined : decodeURIComponent(pass);
  const tls = params.get('tls') === '1' || params.get('tls') === 'true';
  if (kind === 'cluster') return { kind: 'cluster', nodes: hosts(hostList!, 6379), username, password, tls };
  const name = decodeURIComponent(path ?? '');
  if (name === '')
    throw new AdapterError('ERR_CONFIG_INVALID', 'REDIS_URL: redis-sentinel:// needs the master name as its path');
  return {
    kind: 'sentinel',
    sentinels: hosts(hostList!, 26379),
    name,
    username,
    password,
    sentinelPassword: params.get('sentinelPassword') ?? undefined,
    db: Number(params.get('db') ?? '0'),
    tls,
  };
}

export interface ClientOptions {
  /** Shown in CLIENT LIST. */
  readonly connectionName?: string;
  /**
   * BullMQ workers need `null` (commands wait through a reconnect); intake wants a small number
   * so a Redis outage turns into a fast 503 instead of a hanging request. Default null.
   */
  readonly maxRetriesPerRequest?: number | null;
  /**
   * Sends the commands issued in one event-loop turn in one write (ioredis auto-pipelining). Many
   * jobs running at once each issue a few small commands; batching them saves a system call and a
   * wake-up of Redis per command. Not for connections that block (BullMQ's own).
   */
  readonly autoPipelining?: boolean;
}

/** Opens a client for REDIS_URL (single server, Sentinel or Cluster). */
export function createRedisClient(url: string, opts: ClientOptions = {}): Redis | Cluster {
  const target = parseRedisUrl(url);
  const common: RedisOptions = {
    maxRetriesPerRequest: opts.maxRetriesPerRequest === undefined ? null : opts.maxRetriesPerRequest,
    ...(opts.connectionName === undefined ? {} : { connectionName: opts.connectionName }),
    ...(opts.autoPipelining === true ? { enableAutoPipelining: true } : {}),
  };
  switch (target.kind) {
    case 'single':
      return new Redis(target.url, common);
    case 'sentinel':
      return new Redis({
        ...common,
        sentinels: target.sentinels.map((s) => ({ ...s })),
        name: target.name,
        db: target.db,
        ...(target.username === undefined ? {} : { username: target.username }),
        ...(target.password === undefined ? {} : { password: target.password }),
        ...(target.sentinelPassword === undefined ? {} : { sentinelPassword: target.sentinelPassword }),
        ...(target.tls ? { tls: {}, enableTLSForSentinelMode: true } : {}),
      });
    case 'cluster':
      return new Cluster(
        target.nodes.map((n) => ({ ...n })),
        {
          redisOptions: {
            ...common,
            ...(target.username === undefined ? {} : { username: target.username }),
            ...(target.password === undefined ? {} : { password: target.password }),
            ...(target.tls ? { tls: {} } : {}),
          },
        },
      );
  }
}

/**
 * Checks what BullMQ needs in production on every master: `maxmemory-policy noeviction` and AOF.
 * Returns human-readable warnings (empty = all good); never throws for a managed Redis that
 * refuses CONFIG, it says it could not verify instead.
 */
export async function checkRedis(client: Redis | Cluster, opts: { readyTimeoutMs?: number } = {}): Promise<string[]> {
  const warnings: string[] = [];
  // A Cluster client knows its masters only once it has read the slot map: asked earlier, it
  // lists none, and nothing would be checked.
  if (client instanceof Cluster && !(await clusterReady(client, opts.readyTimeoutMs ?? 10_000)))
    return ['could not read the Redis Cluster topology in time: make sure every master has AOF on and noeviction'];
  const nodes: Redis[] = client instanceof Cluster ? client.nodes('master') : [client];
  for (const node of nodes) {
    const where =
      client instanceof Cluster ? ` on ${node.options.host ?? '?'}:${String(node.options.port ?? '?')}` : '';
    try {
      const reply = (await node.call('CONFIG', 'GET', 'maxmemory-policy')) as string[];
      const policy = reply[1];
      if (policy !== 'noeviction') {
        warnings.push(
          `Redis maxmemory-policy is "${policy ?? '?'}"${where}: BullMQ needs noeviction, or jobs and stored requests can be evicted`,
        );
      }
    } catch {
      warnings.push(`could not read Redis maxmemory-policy${where} (CONFIG refused): make sure it is noeviction`);
    }
    try {
      const info = await node.info('persistence');
      if (!/^aof_enabled:1\s*$/m.test(info)) {
        warnings.push(`Redis AOF is off${where}: accepted requests can be lost on a restart; set appendonly yes`);
      }
    } catch {
      warnings.push(`could not read Redis persistence info${where}: make sure AOF is on`);
    }
  }
  return warnings;
}

function clusterReady(cluster: Cluster, timeoutMs: number): Promise<boolean> {
  if (cluster.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      cluster.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    const onReady = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    cluster.once('ready', onReady);
  });
}

/** The Redis server version (for WAITAOF availability and messages). */
export async function redisVersion(client: Redis | Cluster): Promise<string> {
  const node = client instanceof Cluster ? client.nodes('master')[0] : client;
  if (node === undefined) return 'unknown';
  const info = await node.info('server');
  return /^redis_version:(\S+)/m.exec(info)?.[1] ?? 'unknown';
}
