/**
 * The worker part (roles worker and all): the DAGR client (or the embedded DAGR sandbox), the
 * exchange use case's deps, the observer (metrics, audit, alerts), the job handlers, and — once
 * every route answers — the queue workers and the sweeps.
 */
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { providerAgent } from '../config.js';
import type { DagrClient } from '../dagr/client.js';
import { createRedisTokenCache } from '../dagr/token-cache-redis.js';
import type { ExchangeDeps } from '../exchange/answer.js';
import type { ConnectorSubmitter } from '../connector/port.js';
import type { Logger } from '../infra/logger.js';
import { createMappingTryer, definitionsFromServiceList } from '../mapping-store/index.js';
import type { MappingTryer } from '../admin/mappings-router.js';
import { createExchangeAlerts } from '../ops/exchange-alerts.js';
import type { DagrWatch } from '../ops/metrics.js';
import { createExchangeObserver } from '../ops/observer.js';
import { startPreviewSweeper } from '../preview/sweeper.js';
import { createDeadlineBook } from '../store/deadline-book.js';
import { createRequestLedger } from '../store/request-ledger.js';
import { startRefetchSweep } from '../worker/refetch.js';
import { createDeferralBook } from '../store/deferral-book.js';
import { startDeadlineSweep } from '../worker/deadline-sweep.js';
import { startDeliverySweep } from '../worker/delivery-sweep.js';
import {
  createDeliverHandler,
  createProcessHandler,
  onDeliveryGivenUp,
  startRecoverySweep,
  startRescueSweep,
  type HandlerDeps,
} from '../worker/handlers.js';
import type { Core } from './core.js';
import { connectDagr, tryDepsFor } from './evidence.js';

export interface WorkerPart {
  readonly dagr: DagrClient;
  readonly dagrWatch: DagrWatch;
  /** Mapping tries for the admin pages, with the exchange's own DAGR client and renderer. */
  readonly tryer: MappingTryer;
  /** Starts the queue workers and the sweeps: call once every route answers. */
  start(): Promise<void>;
}

export async function buildWorker(core: Core, submitter: ConnectorSubmitter): Promise<WorkerPart> {
  const { config, logger, onStop, metrics, keys } = core;
  const conn = await connectDagr(config, {
    tokenCache: createRedisTokenCache(core.redis, keys.dagr),
    logger,
    onCall: metrics.onDagrCall,
  });
  onStop(3, () => conn.close());
  if (conn.sandbox) core.sandbox.dagr = conn.url;
  const client = conn.client;
  const dagrWatch = metrics.watchDagr(client);
  onStop(1, () => dagrWatch.stop());
  const xsd = core.xsd();
  const exchange: ExchangeDeps = {
    registry: core.mappings.registry,
    dagr: client,
    renderer: core.renderer(),
    provider: providerAgent(config.evidenceProvider),
    messageDomain: config.messageDomain,
    notFound: config.notFoundAnswer,
    systemCheck: config.systemCheck,
    limits: config.xmlLimits,
    xsd,
    readPayload: (bytes) => core.parsePool.readRequest(bytes),
    uuid: randomUUID,
    now: () => new Date(),
    preview: core.previewPort,
  };
  const tryer = createMappingTryer(tryDepsFor(config, { dagr: client, renderer: exchange.renderer, xsd }));
  if (config.dagr.baseUrl !== undefined)
    client
      .serviceList()
      .then((list) => {
        const defs = definitionsFromServiceList(list);
        if (defs.size > 0) core.setMappingDefinitions(defs);
      })
      .catch((error: unknown) =>
        logger.warn(
          { err: error },
          'DAGR service_list unavailable: uploaded mappings are checked without dataset definitions',
        ),
      );
  const deps = handlerDeps(core, exchange, submitter);
  return { dagr: client, dagrWatch, tryer, start: () => startWorkers(core, deps) };
}

function observerFor(core: Core): HandlerDeps['observer'] {
  const { metrics, audit, logger, mappingAlert, store } = core;
  const baseObserver = createExchangeObserver({ metrics, audit, logger, store });
  const alerts = createExchangeAlerts({ registry: metrics.registry, logger });
  return {
    ...baseObserver,
    onRequestIdReuse: (e: Parameters<typeof alerts.onRequestIdReuse>[0]) => alerts.onRequestIdReuse(e),
    onDeadline: (e: Parameters<typeof alerts.onDeadline>[0]) => alerts.onDeadline(e),
    onAnswered: async (e: Parameters<NonNullable<typeof baseObserver.onAnswered>>[0]) => {
      mappingAlert.observe(e.result.summary);
      await baseObserver.onAnswered?.(e);
    },
  };
}

function handlerDeps(core: Core, exchange: ExchangeDeps, submitter: ConnectorSubmitter): HandlerDeps {
  const { config, store, queues, logger, previewPort, keys, redis, storeWriter } = core;
  const { answerSeconds, deliverySeconds, replaySeconds } = config.deadlines;
  return {
    store,
    queues,
    exchange,
    submitter,
    logger,
    observer: observerFor(core),
    afterDelivered: (ref: string) => previewPort.afterDelivered(ref),
    // Re-sends of the same request (src/store/request-ledger.ts) and deadlines (src/worker/deadlines.ts).
    ledger: createRequestLedger(redis, {
      prefix: keys.requests,
      key: core.secrets.key,
      replayTtlSeconds: replaySeconds,
      // A claim outlives the answer deadline, and the preview deadlines a v2.0 request #2 waits under.
      pendingTtlSeconds: Math.max(answerSeconds, 300) + config.preview.t2Seconds + config.preview.t3Seconds + 120,
      ...(storeWriter === undefined ? {} : { durableWriter: storeWriter }),
    }),
    deadlines: createDeadlineBook(redis, keys.store),
    // Deferred answers: when to ask the base registry again (src/worker/refetch.ts).
    deferrals: createDeferralBook(redis, keys.store, storeWriter),
    ...(answerSeconds > 0 ? { answerDeadlineSeconds: answerSeconds } : {}),
    ...(deliverySeconds > 0 ? { deliveryDeadlineSeconds: deliverySeconds } : {}),
  };
}

/** The queue workers, then the sweeps (each stops with the intake, phase 1). */
async function startWorkers(core: Core, deps: HandlerDeps): Promise<void> {
  const { config, store, queues, logger, onStop } = core;
  await queues.startWorkers(
    {
      process: createProcessHandler(deps),
      deliver: createDeliverHandler(deps),
      // Process jobs that fail for good are answered by the rescue sweep below.
      onFailed: async (name, ref, error) => {
        if (name === 'deliver') await onDeliveryGivenUp(deps, ref, error);
      },
    },
    { concurrency: config.queue.concurrency },
  );
  const sweeps = config.sweeps;
  const sweep = startRecoverySweep({ store, queues, logger, intervalMs: sweeps.recoveryMs, olderThanMs: sweeps.recoveryGraceMs });
  onStop(1, () => sweep.stop());
  const rescue = startRescueSweep({
    deps,
    failedJobs: (limit) => queues.failedJobs('process', limit),
    intervalMs: sweeps.rescueMs,
  });
  onStop(1, () => rescue.stop());
  const deadlineSweep = startDeadlineSweep({ deps, intervalMs: sweeps.deadlineMs });
  onStop(1, () => deadlineSweep.stop());
  // Due times, like the deadlines: the same interval bounds how late a refetch may start.
  if (deps.deferrals !== undefined) {
    const refetchSweep = startRefetchSweep({
      deferrals: deps.deferrals,
      store,
      queues,
      logger,
      now: deps.exchange.now,
      intervalMs: sweeps.deadlineMs,
    });
    onStop(1, () => refetchSweep.stop());
  }
  const deliverySweep = startDeliverySweep({
    store,
    queues,
    logger,
    intervalMs: sweeps.deliveryMs,
    graceMs: Math.max(sweeps.deliveryGraceMs, 2 * config.connector.outboundTimeoutMs),
  });
  onStop(1, () => deliverySweep.stop());
  // Expired previews release their parked v2.0 requests #2, which then get EDM:ERR:0005.
  const previewSweeper = startPreviewSweeper({
    store: core.previewStore,
    logger,
    onReleased: (r) => queues.enqueueProcess(r.exchangeRef, 'preview'),
  });
  onStop(1, () => previewSweeper.stop());
}

/**
 * A worker lowers its own scheduling priority so that an api process on the same host answers the
 * connector first: intake latency is what the sender waits for, processing is queued anyway.
 * Never raises priority (that needs privileges) and never fails the start.
 */
export function yieldCpuToIntake(niceness: number, logger: Logger): void {
  if (niceness === 0) return;
  try {
    const current = os.getPriority();
    if (current < niceness) os.setPriority(niceness);
    logger.info({ niceness: Math.max(current, niceness) }, 'worker scheduling niceness');
  } catch (error) {
    logger.warn({ err: error }, 'could not lower the worker scheduling priority; running at the inherited one');
  }
}
