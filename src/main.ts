/**
 * Composes the running adapter: configuration, logger, Redis, store, queues, DAGR, renderer,
 * connector; the HTTP API (role api) and the queue workers (role worker), or both (all). With no
 * REDIS_URL / DAGR_BASE_URL / CONNECTOR_OUTBOUND_URL it starts the embedded default: a private
 * Redis with AOF, the DAGR sandbox and the connector stand-in, on this host. Owns graceful shutdown.
 */
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import express from 'express';
import { randomUUID, type KeyObject } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { loadConfig, providerAgent, type Config } from './config.js';
import { openConnector } from './connector/registry.js';
import { createDagrClient, type DagrClient } from './dagr/client.js';
import { dagrClientOptions } from './dagr/from-config.js';
import { createRedisTokenCache } from './dagr/token-cache-redis.js';
import type { ExchangeDeps } from './exchange/answer.js';
import { buildApp } from './http/app.js';
import { rateLimit, securityHeaders } from './http/security.js';
import { createAdminRouter } from './admin/api.js';
import { createAdminAuth, loadOrCreateAdminCredentials } from './admin/auth.js';
import { createAuditTrail } from './ops/audit.js';
import { createQueueDashboard } from './admin/dashboard.js';
import { dagrCheck, healthRouter, redisCheck, type HealthCheck } from './ops/health.js';
import { keyspaces } from './infra/keys.js';
import { createLogger, type Logger } from './infra/logger.js';
import { requestLogger } from './infra/request-log.js';
import { createMetrics, metricsRouter, type DagrWatch } from './ops/metrics.js';
import { createExchangeObserver } from './ops/observer.js';
import { createPreviewPort } from './preview/exchange-port.js';
import { deriveCookieKey } from './preview/cookies.js';
import { createOidcLogin } from './preview/oidc.js';
import { createPreviewRouter } from './preview/router.js';
import { createPreviewStore } from './preview/session-store.js';
import { startPreviewSweeper } from './preview/sweeper.js';
import { startSandboxIdp } from './sandbox/idp.js';
import { createQueues, type Queues } from './queue/queues.js';
import { checkRedis, createRedisClient } from './infra/redis.js';
import { createRenderer } from './render/renderer.js';
import { loadEdmXsdValidator } from './resources/edm-xsd.js';
import { readPdfAssets } from './resources/fonts.js';
import { createMappingsAdminRouter, deriveCsrfKey } from './admin/mappings-router.js';
import type { DatasetDefinitions } from './mapping/definitions.js';
import {
  createMappingFailureAlert,
  createMappingTryer,
  definitionsFromServiceList,
  sandboxDefinitions,
  startMappings,
} from './mapping-store/index.js';
import {
  createDeliverHandler,
  createProcessHandler,
  startRecoverySweep,
  startRescueSweep,
  onDeliveryGivenUp,
} from './worker/handlers.js';
import { startDeliverySweep } from './worker/delivery-sweep.js';
import { createParsePool } from './parse-threads/pool.js';
import { openDurability, openIntake } from './compose/redis-roles.js';
import { localConnectorToken, localEncryptionKey } from './sandbox/local-secrets.js';
import { connectorStandins } from './sandbox/connector-standins.js';
import { startEmbeddedDagrSandbox } from './sandbox/dagr-embedded.js';
import { startPrivateRedis } from './sandbox/redis.js';
import { createExchangeStore } from './store/exchange-store.js';
import { createDeadlineBook } from './store/deadline-book.js';
import { createRequestLedger } from './store/request-ledger.js';
import { createExchangeAlerts } from './ops/exchange-alerts.js';
import { startDeadlineSweep } from './worker/deadline-sweep.js';

export type Role = Config['role'];

/** Shutdown steps run in phase order: 1 intake, 2 workers, 3 outside services, 4 Redis. */
interface Stop {
  readonly phase: 1 | 2 | 3 | 4;
  readonly run: () => Promise<void> | void;
}

export interface Running {
  readonly role: Role;
  /** Base URL of the HTTP API (roles api and all). */
  readonly url: string | undefined;
  /** Where the embedded stand-ins listen, when they run in this process. */
  readonly sandbox: {
    readonly dagr?: string;
    readonly connector?: string;
    readonly redis?: string;
    readonly idp?: string;
    readonly domibus?: string;
  };
  stop(): Promise<void>;
}

export async function start(
  config: Config = loadConfig(),
  options: { role?: Role; logger?: Logger } = {},
): Promise<Running> {
  const role = options.role ?? config.role;
  const logger = options.logger ?? createLogger(config.logLevel);
  const stops: Stop[] = [];
  const stopAll = async (): Promise<void> => {
    // Intake first, then in-flight jobs finish, then what they depend on.
    for (const { run } of [...stops].sort((a, b) => a.phase - b.phase)) {
      try {
        await run();
      } catch (error) {
        logger.warn({ err: error }, 'error during shutdown');
      }
    }
    stops.length = 0;
  };
  try {
    return await compose(config, role, logger, stops, stopAll);
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function compose(
  config: Config,
  role: Role,
  logger: Logger,
  stops: Stop[],
  stopAll: () => Promise<void>,
): Promise<Running> {
  const embedded = config.redis.url === undefined;
  const sandbox: { dagr?: string; connector?: string; redis?: string; idp?: string; domibus?: string } = {};
  const dataDir = path.resolve(config.dataDir);
  if (embedded && role !== 'all')
    throw new Error(`role ${role} needs REDIS_URL: the embedded default runs everything in one process (role all)`);
  if (role === 'worker') yieldCpuToIntake(config.queue.workerNiceness, logger);

  // Redis: the private one of the embedded default, or the configured one.
  let redisUrl = config.redis.url;
  if (redisUrl === undefined) {
    const privateRedis = await startPrivateRedis({ dir: path.join(dataDir, 'redis') });
    stops.push({ phase: 4, run: () => privateRedis.stop() });
    redisUrl = privateRedis.url;
    sandbox.redis = redisUrl;
  }
  const redis: Redis | Cluster = createRedisClient(redisUrl, { connectionName: `oots-${role}`, autoPipelining: true });
  const quit = (client: Redis | Cluster) => async () => {
    await client.quit().catch(() => client.disconnect());
  };
  stops.push({ phase: 4, run: quit(redis) });
  for (const warning of await checkRedis(redis))
    logger.warn({ redis: warning }, 'Redis is not configured as BullMQ requires in production');

  const key = config.encryptionKey ?? (embedded ? localEncryptionKey(dataDir) : undefined);
  if (key === undefined) throw new Error('ENCRYPTION_KEY is required when REDIS_URL is set');
  const prefix = config.queue.prefix;
  const keys = keyspaces(prefix);
  const durability = openDurability(redisUrl, config.redis, role);
  stops.push({ phase: 4, run: () => durability.close() });
  // Api processes use this store for a connector's receivers (the Domibus pull): confirmed as the intake is.
  const storeWriter = durability.worker ?? durability.intake;
  const storeOptions = { prefix: keys.store, key, ttlSeconds: config.exchangeTtlSeconds };
  const store = createExchangeStore(redis, {
    ...storeOptions,
    ...(storeWriter === undefined ? {} : { durableWriter: storeWriter }),
  });
  const queueConnection = createRedisClient(redisUrl, { connectionName: `oots-${role}-queues` });
  stops.push({ phase: 4, run: quit(queueConnection) });
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
  stops.push({ phase: 2, run: () => queues.close() });
  // Intake answers 503 at once while Redis is unreachable (fail-over, restart) instead of holding
  // the connector's request through the outage: its own connections give up after one reconnect.
  const intake = role === 'worker' ? undefined : openIntake(redisUrl, role, prefix, logger, storeOptions, durability);
  if (intake !== undefined) stops.push({ phase: 4, run: () => intake.close() });

  const metrics = createMetrics({ queues, logger, labels: { role } });

  // Evidence mappings: files imported into the versioned store, the active set kept live (docs/mappings.md).
  let mappingDefinitions: DatasetDefinitions | undefined =
    config.dagr.baseUrl === undefined ? sandboxDefinitions() : undefined;
  const mappings = await startMappings({
    redis,
    prefix: keys.mappings,
    logger,
    definitions: () => mappingDefinitions,
  });
  stops.push({ phase: 3, run: () => mappings.close() });
  const mappingAlert = createMappingFailureAlert({ logger, registry: metrics.registry });
  let mappingTryer: ReturnType<typeof createMappingTryer> | undefined;
  const audit = createAuditTrail(redis, {
    prefix: keys.audit,
    key,
    retentionDays: config.ops.auditRetentionDays,
  });
  const inboundToken = config.connector.inboundToken ?? (embedded ? localConnectorToken(dataDir) : undefined);

  // The API listens first: in the embedded default the worker delivers to its stand-in.
  const app = express();
  app.disable('x-powered-by');
  let apiUrl: string | undefined;
  // A worker-only process serves /healthz, /readyz and /metrics.
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.http.port, config.http.host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  stops.push({
    phase: 1,
    run: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 5000).unref();
      }),
  });
  const address = server.address();
  const baseUrl = `http://${config.http.host}:${typeof address === 'object' && address !== null ? address.port : config.http.port}`;
  if (role !== 'worker') apiUrl = baseUrl;

  // The preview space: sessions live in Redis, so the api (pages) and the workers (requests #1/#2) share them.
  const previewBase = (): string => config.preview.publicBaseUrl ?? baseUrl;
  const previewStore = createPreviewStore(redis, {
    prefix: keys.preview,
    key,
    publicBaseUrl: previewBase,
    t2Seconds: config.preview.t2Seconds,
    t3Seconds: config.preview.t3Seconds,
    retentionSeconds: config.preview.retentionSeconds,
  });
  const previewPort = createPreviewPort({
    store: previewStore,
    redis,
    prefix: keys.preview,
    ttlSeconds: config.exchangeTtlSeconds,
    publicBaseUrl: previewBase,
  });

  // Untrusted XML (validate route, connector payloads, Domibus pushes) is parsed in threads with a
  // time limit per document: a slow document never blocks this event loop.
  const parsePool = createParsePool({ ...config.parse, limits: config.xmlLimits });
  stops.push({ phase: 3, run: () => parsePool.close() });

  // The connector of CONNECTOR_MODE (src/connector/registry.ts), with its stand-in in the embedded default.
  const connector = await openConnector(config.connector.mode, {
    config,
    role,
    redis,
    keys,
    logger,
    store,
    queues,
    intake,
    inboundToken,
    readSoap: (bytes) => parsePool.readSoap(bytes),
    baseUrl,
    dataDir,
    standins: connectorStandins,
  });
  stops.push({ phase: 1, run: () => connector.stopIntake() }, { phase: 3, run: () => connector.close() });
  Object.assign(sandbox, connector.sandbox);

  let dagr: DagrClient | undefined;
  let dagrWatch: DagrWatch | undefined;
  let startWorkers: (() => Promise<void>) | undefined;
  if (role !== 'api') {
    let dagrBase = config.dagr.baseUrl;
    let dagrKey: KeyObject | undefined;
    if (dagrBase === undefined) {
      const dagrSandbox = await startEmbeddedDagrSandbox({
        host: config.http.host,
        port: 0,
        clientId: config.dagr.clientId,
        keyFile: path.join(dataDir, 'dagr-sandbox-client.pem'),
        logger,
      });
      stops.push({ phase: 3, run: () => dagrSandbox.stop() });
      dagrBase = dagrSandbox.url;
      dagrKey = dagrSandbox.privateKey;
      sandbox.dagr = dagrBase;
    }
    const client = createDagrClient(
      dagrClientOptions(config.dagr, {
        baseUrl: dagrBase,
        ...(dagrKey === undefined ? {} : { privateKey: dagrKey }),
        tokenCache: createRedisTokenCache(redis, keys.dagr),
        logger,
        onCall: metrics.onDagrCall,
      }),
    );
    dagr = client;
    stops.push({ phase: 3, run: () => client.close() });
    const watch = metrics.watchDagr(client);
    dagrWatch = watch;
    stops.push({ phase: 1, run: () => watch.stop() });
    const submitter = connector.submitter;
    if (submitter === undefined) throw new Error(`connector ${connector.mode} has no submitter for role ${role}`);
    const xsd = loadEdmXsdValidator();
    stops.push({ phase: 3, run: () => xsd.dispose() });
    const ep = config.evidenceProvider;
    const exchange: ExchangeDeps = {
      registry: mappings.registry,
      dagr: client,
      renderer: createRenderer(readPdfAssets()),
      provider: providerAgent(ep),
      messageDomain: config.messageDomain,
      notFound: config.notFoundAnswer,
      limits: config.xmlLimits,
      xsd,
      readPayload: (bytes) => parsePool.readRequest(bytes),
      uuid: randomUUID,
      now: () => new Date(),
      preview: previewPort,
    };
    const baseObserver = createExchangeObserver({ metrics, audit, logger });
    const alerts = createExchangeAlerts({ registry: metrics.registry, logger });
    const observer = {
      ...baseObserver,
      onRequestIdReuse: (e: Parameters<typeof alerts.onRequestIdReuse>[0]) => alerts.onRequestIdReuse(e),
      onDeadline: (e: Parameters<typeof alerts.onDeadline>[0]) => alerts.onDeadline(e),
      onAnswered: async (e: Parameters<NonNullable<typeof baseObserver.onAnswered>>[0]) => {
        mappingAlert.observe(e.result.summary);
        await baseObserver.onAnswered?.(e);
      },
    };
    mappingTryer = createMappingTryer({
      dagr: client,
      renderer: exchange.renderer,
      provider: exchange.provider,
      messageDomain: exchange.messageDomain,
      xsd,
      uuid: randomUUID,
      now: () => new Date(),
    });
    if (config.dagr.baseUrl !== undefined)
      client
        .serviceList()
        .then((list) => {
          const defs = definitionsFromServiceList(list);
          if (defs.size > 0) mappingDefinitions = defs;
        })
        .catch((error: unknown) =>
          logger.warn(
            { err: error },
            'DAGR service_list unavailable: uploaded mappings are checked without dataset definitions',
          ),
        );
    const { answerSeconds, deliverySeconds, replaySeconds } = config.deadlines;
    const handlerDeps = {
      store,
      queues,
      exchange,
      submitter,
      logger,
      observer,
      afterDelivered: (ref: string) => previewPort.afterDelivered(ref),
      // Re-sends of the same request (src/store/request-ledger.ts) and deadlines (src/worker/deadlines.ts).
      ledger: createRequestLedger(redis, {
        prefix: keys.requests,
        key,
        replayTtlSeconds: replaySeconds,
        // A claim outlives the answer deadline, and the preview deadlines a v2.0 request #2 waits under.
        pendingTtlSeconds: Math.max(answerSeconds, 300) + config.preview.t2Seconds + config.preview.t3Seconds + 120,
        ...(storeWriter === undefined ? {} : { durableWriter: storeWriter }),
      }),
      deadlines: createDeadlineBook(redis, keys.store),
      ...(answerSeconds > 0 ? { answerDeadlineSeconds: answerSeconds } : {}),
      ...(deliverySeconds > 0 ? { deliveryDeadlineSeconds: deliverySeconds } : {}),
    };
    startWorkers = async () => {
      await queues.startWorkers(
        {
          process: createProcessHandler(handlerDeps),
          deliver: createDeliverHandler(handlerDeps),
          // Process jobs that fail for good are answered by the rescue sweep below.
          onFailed: async (name, ref, error) => {
            if (name === 'deliver') await onDeliveryGivenUp(handlerDeps, ref, error);
          },
        },
        { concurrency: config.queue.concurrency },
      );
      const sweep = startRecoverySweep({ store, queues, logger, intervalMs: 15_000, olderThanMs: 30_000 });
      stops.push({ phase: 1, run: () => sweep.stop() });
      const rescue = startRescueSweep({
        deps: handlerDeps,
        failedJobs: (limit) => queues.failedJobs('process', limit),
        intervalMs: 15_000,
      });
      stops.push({ phase: 1, run: () => rescue.stop() });
      const deadlineSweep = startDeadlineSweep({ deps: handlerDeps, intervalMs: 1000 });
      stops.push({ phase: 1, run: () => deadlineSweep.stop() });
      const deliverySweep = startDeliverySweep({
        store,
        queues,
        logger,
        intervalMs: 15_000,
        graceMs: Math.max(60_000, 2 * config.connector.outboundTimeoutMs),
      });
      stops.push({ phase: 1, run: () => deliverySweep.stop() });
      // Expired previews release their parked v2.0 requests #2, which then get EDM:ERR:0005.
      const previewSweeper = startPreviewSweeper({
        store: previewStore,
        logger,
        onReleased: (r) => queues.enqueueProcess(r.exchangeRef, 'preview'),
      });
      stops.push({ phase: 1, run: () => previewSweeper.stop() });
    };
  }

  // Routes: health and metrics everywhere; intake, stand-in, validation and admin on the API.
  const checks: HealthCheck[] = [redisCheck(redis)];
  if (durability.check !== undefined) checks.push(durability.check);
  if (dagr !== undefined) checks.push(dagrCheck(dagr, { watch: dagrWatch }));
  if (connector.health !== undefined) checks.push(connector.health);
  const routers: express.Router[] = [
    healthRouter({ checks, logger }),
    metricsRouter(metrics.registry, { token: config.ops.metricsToken }),
  ];
  if (role !== 'worker') {
    // Human-facing pages get strict headers and per-client budgets shared by every api process;
    // the connector intake and probes are authenticated machine traffic and stay unlimited.
    const guard = express.Router();
    const limit = (name: string, points: number) =>
      rateLimit({ redis, prefix: keys.rateLimit(name), points, durationSeconds: 60, logger });
    guard.use('/admin', securityHeaders(), limit('admin', 1200));
    // The queue dashboard's UI needs scripts, XHR and inline styles: set after, so it wins there.
    guard.use('/admin/queues', securityHeaders({ scripts: true, connect: true, inlineStyles: true, baseSelf: true }));
    guard.use('/preview', limit('preview', 300));
    guard.use('/edm/validate', limit('validate', 600));
    routers.unshift(guard);
  }
  let apiRoutes = false;
  if (role !== 'worker') {
    const purger = audit.startPurger({ logger });
    stops.push({ phase: 1, run: () => purger.stop() });
    const admin = config.ops.admin;
    const creds =
      admin.viewer !== undefined || admin.operator !== undefined
        ? admin
        : embedded
          ? loadOrCreateAdminCredentials(path.join(dataDir, 'admin-credentials.json'))
          : {};
    const adminAuth = createAdminAuth(creds);
    if (adminAuth !== undefined) {
      routers.push(createQueueDashboard({ queues: Object.values(queues.bullQueues()), auth: adminAuth, logger }));
      routers.push(createAdminRouter({ audit, auth: adminAuth, queues, dagr: dagrWatch, logger }));
      routers.push(
        createMappingsAdminRouter({
          store: mappings.store,
          auth: adminAuth,
          tryer: mappingTryer,
          logger,
          csrfKey: deriveCsrfKey(key),
        }),
      );
    } else {
      logger.warn('admin pages are off: set ADMIN_VIEWER_PASSWORD / ADMIN_OPERATOR_PASSWORD');
    }
    apiRoutes = true;

    // Preview pages and the login (the embedded default brings its own OpenID provider).
    let issuer = config.oidc.issuer;
    if (issuer === undefined) {
      const idp = await startSandboxIdp({
        host: config.http.host,
        port: 0,
        clients: [{ clientId: config.oidc.clientId, clientSecret: config.oidc.clientSecret }],
      });
      stops.push({ phase: 3, run: () => idp.stop() });
      issuer = idp.issuer;
      sandbox.idp = issuer;
    }
    const oidc = createOidcLogin({
      issuer,
      clientId: config.oidc.clientId,
      clientSecret: config.oidc.clientSecret,
      redirectUri: () => previewBase() + config.oidc.redirectPath,
      scopes: config.oidc.scopes,
      identifierClaim: config.oidc.identifierClaim,
    });
    routers.push(
      createPreviewRouter({
        store: previewStore,
        oidc,
        config: {
          publicBaseUrl: previewBase,
          allowedReturnOrigins: config.preview.returnOrigins,
          cookieKey: deriveCookieKey(key),
          cookieSecure: config.preview.publicBaseUrl?.startsWith('https://') ?? false,
          redirectPath: config.oidc.redirectPath,
          loginTtlSeconds: config.preview.loginTtlSeconds,
          match: { nameMatching: config.preview.nameMatching },
        },
        logger,
        onSettled: async (e) => {
          metrics.recordPreview(
            e.outcome === 'expired' ? 'expired' : e.decision.approved.length > 0 ? 'approved' : 'declined',
          );
          if (e.releasedExchangeRef !== undefined) await queues.enqueueProcess(e.releasedExchangeRef, 'preview');
        },
      }),
    );
  }
  app.use(
    buildApp({
      logger,
      maxBodyBytes: config.xmlLimits.maxBytes,
      first: [requestLogger(logger), metrics.httpMiddleware()],
      routers,
      ...(role === 'worker' || !apiRoutes
        ? {}
        : {
            validate: (body: Uint8Array) => parsePool.validate(body),
          }),
      connectorRoutes: connector.routes,
    }),
  );
  // Workers start once every route answers (in the embedded default they deliver to this process).
  await startWorkers?.();
  if (role !== 'worker') connector.startIntake();

  logger.info({ role, api: apiUrl, sandbox }, 'adapter ready');
  return { role, url: apiUrl, sandbox, stop: stopAll };
}

/**
 * A worker lowers its own scheduling priority so that an api process on the same host answers the
 * connector first: intake latency is what the sender waits for, processing is queued anyway.
 * Never raises priority (that needs privileges) and never fails the start.
 */
function yieldCpuToIntake(niceness: number, logger: Logger): void {
  if (niceness === 0) return;
  try {
    const current = os.getPriority();
    if (current < niceness) os.setPriority(niceness);
    logger.info({ niceness: Math.max(current, niceness) }, 'worker scheduling niceness');
  } catch (error) {
    logger.warn({ err: error }, 'could not lower the worker scheduling priority; running at the inherited one');
  }
}
