/**
 * The core every role needs, built once per process: the Redis clients (shared, queue, durability,
 * intake), the exchange store, the queues, metrics, the evidence mappings, the audit trail, the
 * preview space, the parse threads, and (on first use, so once) the EDM XSD validator and the
 * renderer. Parts of the composition (api, worker, connector) take what they need from it.
 */
import type { Cluster, Redis } from 'ioredis';
import type { Config, Role } from '../config.js';
import type { EdmXsdValidator } from '../edm/xsd.js';
import type { RenderPort } from '../render/port.js';
import { keyspaces } from '../infra/keys.js';
import type { Logger } from '../infra/logger.js';
import { checkRedis, createRedisClient } from '../infra/redis.js';
import type { DatasetDefinitions } from '../mapping/definitions.js';
import {
  createMappingFailureAlert,
  sandboxDefinitions,
  startMappings,
  type StartedMappings,
} from '../mapping-store/index.js';
import { createAuditTrail, type AuditTrail } from '../ops/audit.js';
import { createMetrics, type Metrics } from '../ops/metrics.js';
import { createParsePool, type ParsePool } from '../parse-threads/pool.js';
import { createPreviewPort, type PreviewPortAdapter } from '../preview/exchange-port.js';
import { createPreviewStore, type PreviewStore } from '../preview/session-store.js';
import { createQueues, type Queues } from '../queue/queues.js';
import { loadEdmXsdValidator } from '../resources/edm-xsd.js';
import type { DurableWriter } from '../store/durable-write.js';
import { createExchangeStore, type ExchangeStore } from '../store/exchange-store.js';
import type { Secrets } from './embedded.js';
import { createEvidenceRenderer } from './evidence.js';
import { openDurability, openIntake, type Durability, type Intake } from './redis-roles.js';
import type { OnStop, SandboxUrls } from './shutdown.js';

export interface CoreInput {
  readonly config: Config;
  readonly role: Role;
  readonly logger: Logger;
  readonly onStop: OnStop;
  /** REDIS_URL or the private Redis's. */
  readonly redisUrl: string;
  readonly secrets: Secrets;
  /** Filled in by the parts that start stand-ins. */
  readonly sandbox: SandboxUrls;
}

/** This process's own base URL, known once the HTTP server listens. */
export interface SelfUrl {
  get(): string;
  set(url: string): void;
}

export interface Core extends CoreInput {
  readonly redis: Redis | Cluster;
  readonly keys: ReturnType<typeof keyspaces>;
  readonly durability: Durability;
  /** Confirms the worker's writes (and the Domibus intake's) in fsync / replica modes. */
  readonly storeWriter: DurableWriter | undefined;
  readonly store: ExchangeStore;
  readonly queues: Queues;
  /** The intake's own store and queues (roles api and all). */
  readonly intake: Intake | undefined;
  readonly metrics: Metrics;
  readonly mappings: StartedMappings;
  readonly mappingAlert: ReturnType<typeof createMappingFailureAlert>;
  /** The dataset definitions uploaded mappings are checked against (DAGR's service_list when known). */
  setMappingDefinitions(definitions: DatasetDefinitions): void;
  readonly audit: AuditTrail;
  readonly self: SelfUrl;
  /** PREVIEW_PUBLIC_BASE_URL, else this process's own URL. */
  previewBase(): string;
  readonly previewStore: PreviewStore;
  readonly previewPort: PreviewPortAdapter;
  readonly parsePool: ParsePool;
  /** The EDM XSD validator, compiled on first use and then shared. */
  xsd(): EdmXsdValidator;
  /** The evidence renderer, built on first use and then shared. */
  renderer(): RenderPort;
}

const quit = (client: Redis | Cluster) => async (): Promise<void> => {
  await client.quit().catch(() => client.disconnect());
};

export async function buildCore(input: CoreInput): Promise<Core> {
  const { config, role, logger, onStop, redisUrl } = input;
  const redis: Redis | Cluster = createRedisClient(redisUrl, { connectionName: `oots-${role}`, autoPipelining: true });
  onStop(4, quit(redis));
  for (const warning of await checkRedis(redis))
    logger.warn({ redis: warning }, 'Redis is not configured as BullMQ requires in production');
  const storage = openStorage(input, redis);
  const metrics = createMetrics({ queues: storage.queues, logger, labels: { role } });
  const keys = storage.keys;

  // Evidence mappings: files imported into the versioned store, the active set kept live (docs/mappings.md).
  let mappingDefinitions: DatasetDefinitions | undefined =
    config.dagr.baseUrl === undefined ? sandboxDefinitions() : undefined;
  const mappings = await startMappings({
    redis,
    prefix: keys.mappings,
    logger,
    definitions: () => mappingDefinitions,
  });
  onStop(3, () => mappings.close());
  const mappingAlert = createMappingFailureAlert({ logger, registry: metrics.registry });
  const audit = createAuditTrail(redis, {
    prefix: keys.audit,
    key: input.secrets.key,
    retentionDays: config.ops.auditRetentionDays,
  });

  const self = selfUrl();
  const previewBase = (): string => config.preview.publicBaseUrl ?? self.get();
  const preview = openPreview(input, redis, keys, previewBase);

  // Untrusted XML (validate route, connector payloads, Domibus pushes) is parsed in threads with a
  // time limit per document: a slow document never blocks this event loop.
  const parsePool = createParsePool({ ...config.parse, limits: config.xmlLimits });
  onStop(3, () => parsePool.close());

  let xsd: EdmXsdValidator | undefined;
  let renderer: RenderPort | undefined;
  return {
    ...input,
    redis,
    ...storage,
    metrics,
    mappings,
    mappingAlert,
    setMappingDefinitions: (definitions) => {
      mappingDefinitions = definitions;
    },
    audit,
    self,
    previewBase,
    ...preview,
    parsePool,
    xsd: () => {
      if (xsd === undefined) {
        const compiled = loadEdmXsdValidator();
        onStop(3, () => compiled.dispose());
        xsd = compiled;
      }
      return xsd;
    },
    renderer: () => (renderer ??= createEvidenceRenderer()),
  };
}

/** The exchange store and the queues, with the connections that carry the durability guarantees. */
function openStorage(input: CoreInput, redis: Redis | Cluster) {
  const { config, role, logger, onStop, redisUrl } = input;
  const prefix = config.queue.prefix;
  const keys = keyspaces(prefix);
  const durability = openDurability(redisUrl, config.redis, role);
  onStop(4, () => durability.close());
  // Api processes use this store for the Domibus intake: confirmed as the REST intake is.
  const storeWriter = durability.worker ?? durability.intake;
  const storeOptions = { prefix: keys.store, key: input.secrets.key, ttlSeconds: config.exchangeTtlSeconds };
  const store = createExchangeStore(redis, {
    ...storeOptions,
    ...(storeWriter === undefined ? {} : { durableWriter: storeWriter }),
  });
  const queueConnection = createRedisClient(redisUrl, { connectionName: `oots-${role}-queues` });
  onStop(4, quit(queueConnection));
  const queues: Queues = createQueues({
    connection: queueConnection,
    prefix,
    logger,
    processAttempts: config.queue.processAttempts,
    processBackoffMs: config.queue.processBackoffMs,
    deliveryBackoffMaxMs: config.queue.deliveryBackoffMaxMs,
    lockDurationMs: config.queue.lockMs,
    // Stalled jobs are looked for as often as a lock lasts (BullMQ's default pairs them too).
    stalledIntervalMs: config.queue.lockMs,
    maxStalledCount: config.queue.maxStalls,
  });
  onStop(2, () => queues.close());
  // Intake answers 503 at once while Redis is unreachable (fail-over, restart) instead of holding
  // the connector's request through the outage: its own connections give up after one reconnect.
  const intake = role === 'worker' ? undefined : openIntake(redisUrl, role, prefix, logger, storeOptions, durability);
  if (intake !== undefined) onStop(4, () => intake.close());
  return { keys, durability, storeWriter, store, queues, intake };
}

/** The preview space: sessions live in Redis, so the api (pages) and the workers (requests #1/#2) share them. */
function openPreview(
  input: CoreInput,
  redis: Redis | Cluster,
  keys: ReturnType<typeof keyspaces>,
  previewBase: () => string,
): { previewStore: PreviewStore; previewPort: PreviewPortAdapter } {
  const { config } = input;
  const previewStore = createPreviewStore(redis, {
    prefix: keys.preview,
    key: input.secrets.key,
    publicBaseUrl: previewBase,
    t2Seconds: config.preview.t2Seconds,
    t3Seconds: config.preview.t3Seconds,
    retentionSeconds: config.preview.retentionSeconds,
  });
  const previewPort = createPreviewPort({
    store: previewStore,
    ttlSeconds: config.exchangeTtlSeconds,
    publicBaseUrl: previewBase,
  });
  return { previewStore, previewPort };
}

function selfUrl(): SelfUrl {
  let url: string | undefined;
  return {
    get() {
      if (url === undefined) throw new Error("this process's URL is known once it listens");
      return url;
    },
    set(value) {
      url = value;
    },
  };
}
