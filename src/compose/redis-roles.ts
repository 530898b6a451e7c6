/**
 * The Redis connections that carry guarantees, apart from the process's shared one:
 *
 * - durability (REDIS_DURABILITY fsync / replica): writes confirmed by WAITAOF / WAIT on
 *   connections of their own (src/store/durable-write.ts), one for intake and one for the worker
 *   steps, so that a WAIT never holds up other commands; and a readiness check that says why
 *   intake refuses (no replica connected, or the last confirmation failed);
 * - intake: its own store and queue connections that give up after one reconnect attempt
 *   (`maxRetriesPerRequest: 1`), so that while Redis is unreachable (a fail-over, a restart) the
 *   connector gets a 503 with Retry-After within a fraction of a second and delivers again later,
 *   instead of a request held open for the whole outage. Workers keep waiting through an outage
 *   (their commands are re-sent on the new connection; every step is idempotent).
 */
import { Cluster, type Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { HealthCheck } from '../ops/health.js';
import type { Logger } from '../infra/logger.js';
import { createQueues, type Queues } from '../queue/queues.js';
import { createRedisClient } from '../infra/redis.js';
import { createDurableWriter, type DurableWriter } from '../store/durable-write.js';
import { createExchangeStore, type ExchangeStore, type ExchangeStoreOptions } from '../store/exchange-store.js';

export interface Durability {
  /** Confirms the intake write (undefined in `write` mode). */
  readonly intake: DurableWriter | undefined;
  /** Confirms the worker steps that matter: answer stored, delivered (undefined in `write` mode). */
  readonly worker: DurableWriter | undefined;
  /** Readiness: why confirmed writes fail (undefined in `write` mode). */
  readonly check: HealthCheck | undefined;
  close(): Promise<void>;
}

const quit = async (client: Redis | Cluster): Promise<void> => {
  await client.quit().catch(() => client.disconnect());
};

export function openDurability(url: string, redis: Config['redis'], role: Config['role']): Durability {
  const mode = redis.durability;
  if (mode === 'write') return { intake: undefined, worker: undefined, check: undefined, close: async () => {} };
  const clients: (Redis | Cluster)[] = [];
  const writer = (purpose: string, maxRetriesPerRequest: number | null): DurableWriter => {
    const client = createRedisClient(url, { connectionName: `oots-${role}-${purpose}`, maxRetriesPerRequest });
    clients.push(client);
    return createDurableWriter({ client, mode, timeoutMs: redis.durabilityTimeoutMs });
  };
  const intake = role === 'worker' ? undefined : writer('durable-intake', 1);
  const worker = role === 'api' ? undefined : writer('durable-worker', null);
  const probe = clients[0]!;
  const check: HealthCheck = {
    name: 'redis-durability',
    // An api process that cannot confirm writes refuses every request: take it out of rotation.
    required: intake !== undefined,
    async check() {
      const refusing = intake?.refusing() ?? worker?.refusing();
      if (refusing !== undefined) throw new Error(`REDIS_DURABILITY=${mode}: ${refusing}; intake answers 503`);
      // On Cluster the writer confirms on each write's own master; there is no one master to ask.
      if (mode !== 'replica' || probe instanceof Cluster) return mode;
      const info = await probe.info('replication');
      const replicas = Number(/^connected_slaves:(\d+)/m.exec(info)?.[1] ?? '0');
      if (replicas < 1)
        throw new Error('REDIS_DURABILITY=replica but the master has no connected replica: intake answers 503');
      return `replica: ${replicas} connected`;
    },
  };
  return {
    intake,
    worker,
    check,
    close: async () => {
      await Promise.all(clients.map(quit));
    },
  };
}

export interface Intake {
  readonly store: ExchangeStore;
  readonly queues: Pick<Queues, 'enqueueProcess'>;
  close(): Promise<void>;
}

export function openIntake(
  url: string,
  role: Config['role'],
  prefix: string,
  logger: Logger,
  storeOptions: Pick<ExchangeStoreOptions, 'prefix' | 'key' | 'ttlSeconds'>,
  durability: Durability,
): Intake {
  const client = createRedisClient(url, {
    connectionName: `oots-${role}-intake`,
    maxRetriesPerRequest: 1,
    autoPipelining: true,
  });
  const queueClient = createRedisClient(url, { connectionName: `oots-${role}-intake-queues`, maxRetriesPerRequest: 1 });
  const store = createExchangeStore(client, {
    ...storeOptions,
    ...(durability.intake === undefined ? {} : { durableWriter: durability.intake }),
  });
  const queues = createQueues({ connection: queueClient, prefix, logger });
  return {
    store,
    queues,
    close: async () => {
      await queues.close(1000);
      await Promise.all([quit(client), quit(queueClient)]);
    },
  };
}
