/**
 * Prometheus metrics (prom-client), one registry per process (never the library's global one, so
 * tests and several apps in one process do not collide). Exposed by `metricsRouter` at GET /metrics.
 *
 * Label values are closed sets only: route patterns (never raw URLs), HTTP methods and statuses,
 * queue names and states, pipeline steps, exchange outcomes, EDM error codes, evidence-type URIs of
 * the loaded mappings (an unmapped type reads `unmapped`, so a requester cannot mint label values),
 * preview stages, DAGR operations, service names and statuses. No personal data, no ids.
 *
 * | metric                                   | type      | labels                             |
 * | ---------------------------------------- | --------- | ---------------------------------- |
 * | oots_http_request_duration_seconds       | histogram | method, route, status              |
 * | oots_queue_jobs                          | gauge     | queue, state (read at scrape time) |
 * | oots_queue_paused                        | gauge     | queue                              |
 * | oots_job_step_duration_seconds           | histogram | step                               |
 * | oots_exchanges_total                     | counter   | outcome, edm_code, evidence_type   |
 * | oots_system_checks_total                 | counter   | outcome, edm_code, evidence_type (procedure 00 only) |
 * | oots_preview_total                       | counter   | stage                              |
 * | oots_dagr_call_duration_seconds          | histogram | operation, service, status         |
 * | oots_dagr_circuit_state                  | gauge     | state (1 = current)                |
 * | oots_dagr_permission_quota_left          | gauge     | service                            |
 * | oots_dagr_permission_valid_until_seconds | gauge     | service (unix time of valid_to)    |
 * | oots_dagr_permission_refresh_failures_total | counter | —                                  |
 * | oots_delivery_lag_seconds                | histogram | — (received → accepted by connector) |
 * | oots_queue_up                            | gauge     | — (0 = counts unreadable this scrape) |
 * plus prom-client's default process metrics (`oots_process_*`, `oots_nodejs_*`) unless disabled.
 * The definitions are in metric-definitions.ts, the DAGR watch in dagr-watch.ts.
 */
import { performance } from 'node:perf_hooks';
import express, { type NextFunction, type Request, type Response } from 'express';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { DagrCallEvent, DagrClient } from '../dagr/client.js';
import type { ExchangeSummary } from '../exchange/ports.js';
import type { QueueCounts, Queues } from '../queue/queues.js';
import { HttpProblem } from '../errors.js';
import { bearerOk } from '../infra/bearer.js';
import { writeErrorProblem } from '../infra/http-problem.js';
import type { Logger } from '../infra/logger.js';
import { routePattern } from '../infra/request-log.js';
import { startDagrWatch, type DagrWatch } from './dagr-watch.js';
import {
  dagrMetrics,
  defineQueueGauges,
  deliveryMetrics,
  httpMetrics,
  pipelineMetrics,
  type PreviewStage,
  type ScrapeSources,
  type Step,
} from './metric-definitions.js';

export { PREVIEW_STAGES, STEPS, type PreviewStage, type Step } from './metric-definitions.js';
export type { DagrSnapshot, DagrWatch } from './dagr-watch.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export interface MetricsOptions {
  /** Queue depth is read from these at scrape time (worker and api processes alike). */
  readonly queues?: Pick<Queues, 'counts'> | undefined;
  /** Bound on one queue-count read at scrape time. Default 2000 ms. */
  readonly collectTimeoutMs?: number | undefined;
  /** prom-client default process metrics. Default true. */
  readonly defaultMetrics?: boolean | undefined;
  readonly logger?: Logger | undefined;
  /** Static labels added to every series (e.g. `{role: 'worker'}`). */
  readonly labels?: Readonly<Record<string, string>> | undefined;
}

export interface Metrics {
  readonly registry: Registry;
  /** Express middleware timing every request; mount it first. */
  httpMiddleware(): express.RequestHandler;
  observeStep(step: Step, seconds: number): void;
  /** Times `fn` as `step` (also when it throws). */
  timeStep<T>(step: Step, fn: () => Promise<T>): Promise<T>;
  recordExchange(summary: ExchangeSummary): void;
  recordPreview(stage: PreviewStage): void;
  /** Pass as the DAGR client's `onCall`. */
  readonly onDagrCall: (event: DagrCallEvent) => void;
  observeDeliveryLag(seconds: number): void;
  /**
   * Watches a DAGR client: circuit state at scrape time, and `currentUserPermissions()` every
   * `intervalMs` (default 5 min) for the quota gauges. Call `stop()` on shutdown.
   */
  watchDagr(
    client: Pick<DagrClient, 'breakerState' | 'currentUserPermissions'>,
    opts?: { readonly intervalMs?: number; readonly now?: () => Date },
  ): DagrWatch;
}

function statusLabel(status: DagrCallEvent['status']): string {
  return typeof status === 'number' ? String(status) : status;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export function createMetrics(opts: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (opts.labels !== undefined) registry.setDefaultLabels({ ...opts.labels });
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'oots_' });
  const registers = [registry];
  let watched: Pick<DagrClient, 'breakerState'> | undefined;
  const sources: ScrapeSources = {
    readCounts: countsReader(opts),
    hasQueues: opts.queues !== undefined,
    breakerState: () => watched?.breakerState(),
  };
  // Registration order is the order of the /metrics text: http, queues, pipeline, DAGR, delivery.
  const { http } = httpMetrics(registers);
  defineQueueGauges(registers, sources);
  const { steps, exchanges, systemChecks, preview } = pipelineMetrics(registers);
  const dagr = dagrMetrics(registers, sources);
  const { deliveryLag } = deliveryMetrics(registers);

  return {
    registry,

    httpMiddleware() {
      return (req: Request, res: Response, next: NextFunction) => {
        const start = performance.now();
        res.once('finish', () => {
          http.observe(
            {
              method: METHODS.has(req.method) ? req.method : 'OTHER',
              route: routePattern(req),
              status: String(res.statusCode),
            },
            (performance.now() - start) / 1000,
          );
        });
        next();
      };
    },

    observeStep(step, seconds) {
      steps.observe({ step }, seconds);
    },

    async timeStep(step, fn) {
      const start = performance.now();
      try {
        return await fn();
      } finally {
        steps.observe({ step }, (performance.now() - start) / 1000);
      }
    },

    recordExchange(summary) {
      (summary.systemCheck === true ? systemChecks : exchanges).inc({
        outcome: summary.outcome,
        edm_code: summary.edmCode ?? 'none',
        // Only a type some mapping serves is a closed-set value; anything else a requester sent is not.
        evidence_type:
          summary.mappingId !== undefined && summary.evidenceType !== undefined ? summary.evidenceType : 'unmapped',
      });
    },

    recordPreview(stage) {
      preview.inc({ stage });
    },

    onDagrCall: (event) => {
      dagr.dagrCalls.observe(
        { operation: event.operation, service: event.service ?? 'none', status: statusLabel(event.status) },
        event.durationMs / 1000,
      );
    },

    observeDeliveryLag(seconds) {
      deliveryLag.observe(Math.max(0, seconds));
    },

    watchDagr(client, wopts = {}) {
      watched = client;
      return startDagrWatch(client, dagr, opts.logger, wopts);
    },
  };
}

/** One read of the queue counts per scrape, shared by the gauges that show it. */
function countsReader(opts: MetricsOptions): () => Promise<QueueCounts | undefined> {
  const queues = opts.queues;
  const collectTimeoutMs = opts.collectTimeoutMs ?? 2000;
  let inflight: Promise<QueueCounts | undefined> | undefined;
  return () => {
    if (queues === undefined) return Promise.resolve(undefined);
    inflight ??= withTimeout(queues.counts(), collectTimeoutMs, 'queue counts')
      .catch((err: unknown) => {
        opts.logger?.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'metrics: queue counts unavailable',
        );
        return undefined;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  };
}

/**
 * `GET /metrics` in the Prometheus text format. With `token`, scrapers must send
 * `Authorization: Bearer <token>` (METRICS_TOKEN); without, the endpoint is open (bind the API to
 * a private address or filter /metrics at the proxy).
 */
export function metricsRouter(registry: Registry, opts: { readonly token?: string | undefined } = {}): express.Router {
  const router = express.Router();
  router.get('/metrics', (req: Request, res: Response, next: NextFunction) => {
    if (opts.token !== undefined && !bearerOk(req.get('authorization'), opts.token)) {
      const refusal = new HttpProblem('ERR_HTTP_UNAUTHORIZED', 'a valid bearer token is required', {
        headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' },
      });
      writeErrorProblem(refusal, req, res);
      return;
    }
    registry
      .metrics()
      .then((text) => res.type(registry.contentType).send(text))
      .catch(next);
  });
  return router;
}
