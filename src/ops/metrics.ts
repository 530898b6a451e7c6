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
 * | oots_preview_total                       | counter   | stage                              |
 * | oots_dagr_call_duration_seconds          | histogram | operation, service, status         |
 * | oots_dagr_circuit_state                  | gauge     | state (1 = current)                |
 * | oots_dagr_permission_quota_left          | gauge     | service                            |
 * | oots_dagr_permission_valid_until_seconds | gauge     | service (unix time of valid_to)    |
 * | oots_dagr_permission_refresh_failures_total | counter | —                                  |
 * | oots_delivery_lag_seconds                | histogram | — (received → accepted by connector) |
 * | oots_queue_up                            | gauge     | — (0 = counts unreadable this scrape) |
 * plus prom-client's default process metrics (`oots_process_*`, `oots_nodejs_*`) unless disabled.
 */
import { performance } from 'node:perf_hooks';
import express, { type NextFunction, type Request, type Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BreakerState } from '../dagr/breaker.js';
import type { DagrCallEvent, DagrClient, DagrPermission } from '../dagr/client.js';
import { DagrError } from '../dagr/errors.js';
import type { ExchangeSummary } from '../exchange/ports.js';
import type { QueueCounts, Queues } from '../queue/queues.js';
import { HttpProblem } from '../errors.js';
import { bearerOk } from '../infra/bearer.js';
import { writeErrorProblem } from '../infra/http-problem.js';
import type { Logger } from '../infra/logger.js';
import { routePattern } from '../infra/request-log.js';

export const STEPS = ['parse', 'validate', 'lookup', 'render', 'build', 'deliver'] as const;
export type Step = (typeof STEPS)[number];

export const PREVIEW_STAGES = ['required', 'opened', 'approved', 'declined', 'expired'] as const;
export type PreviewStage = (typeof PREVIEW_STAGES)[number];

const QUEUE_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed'] as const;
const BREAKER_STATES: readonly BreakerState[] = ['closed', 'open', 'half-open'];
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** What the DAGR watch last learnt (for metrics, the admin summary and readiness). */
export interface DagrSnapshot {
  readonly circuit: BreakerState;
  /** ISO time of the last successful permissions call; undefined before the first one. */
  readonly checkedAt: string | undefined;
  /** Why the last permissions call failed (a cause, never personal data); undefined when it worked. */
  readonly lastError: string | undefined;
  /** false when the last permissions call timed out or found DAGR unavailable; undefined before the first. */
  readonly reachable: boolean | undefined;
  readonly permissions: readonly {
    readonly service: string;
    readonly permission: string;
    /** undefined = no quota (unlimited). */
    readonly quotaLeft: number | undefined;
    readonly validTo: string | undefined;
  }[];
}

export interface DagrWatch {
  snapshot(): DagrSnapshot;
  /** Calls `currentUserPermissions` now (the timer does it every interval). */
  refresh(): Promise<void>;
  stop(): void;
}

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
  const collectTimeoutMs = opts.collectTimeoutMs ?? 2000;

  const http = new Histogram({
    name: 'oots_http_request_duration_seconds',
    help: 'HTTP requests served, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });

  // One read of the queue counts per scrape, shared by the gauges that show it.
  const queues = opts.queues;
  let inflight: Promise<QueueCounts | undefined> | undefined;
  const readCounts = (): Promise<QueueCounts | undefined> => {
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
  new Gauge({
    name: 'oots_queue_jobs',
    help: 'Jobs per queue and state, read from Redis at scrape time.',
    labelNames: ['queue', 'state'] as const,
    registers,
    async collect() {
      this.reset();
      const counts = await readCounts();
      if (counts === undefined) return;
      for (const [queue, c] of Object.entries(counts))
        for (const state of QUEUE_STATES) this.set({ queue, state }, c[state]);
    },
  });
  new Gauge({
    name: 'oots_queue_paused',
    help: '1 when the queue is paused for every worker.',
    labelNames: ['queue'] as const,
    registers,
    async collect() {
      this.reset();
      const counts = await readCounts();
      if (counts === undefined) return;
      for (const [queue, c] of Object.entries(counts)) this.set({ queue }, c.paused ? 1 : 0);
    },
  });
  if (queues !== undefined)
    new Gauge({
      name: 'oots_queue_up',
      help: '1 when this scrape could read the queue counts from Redis, 0 when not (the queue series are then absent).',
      registers,
      async collect() {
        this.set((await readCounts()) === undefined ? 0 : 1);
      },
    });

  const steps = new Histogram({
    name: 'oots_job_step_duration_seconds',
    help: 'Duration of the pipeline steps (parse, validate, lookup, render, build, deliver).',
    labelNames: ['step'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  for (const step of STEPS) steps.zero({ step });

  const exchanges = new Counter({
    name: 'oots_exchanges_total',
    help: 'Exchanges answered, by outcome, EDM error code (none on success) and evidence type (unmapped when no mapping serves it).',
    labelNames: ['outcome', 'edm_code', 'evidence_type'] as const,
    registers,
  });

  const preview = new Counter({
    name: 'oots_preview_total',
    help: 'Preview funnel: sessions required, opened by the user, approved, declined, expired.',
    labelNames: ['stage'] as const,
    registers,
  });
  for (const stage of PREVIEW_STAGES) preview.inc({ stage }, 0);

  const dagrCalls = new Histogram({
    name: 'oots_dagr_call_duration_seconds',
    help: 'DAGR HTTP attempts by operation, service (none outside lookups) and status (HTTP code, timeout, network-error, circuit-open).',
    labelNames: ['operation', 'service', 'status'] as const,
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16],
    registers,
  });

  let watched: Pick<DagrClient, 'breakerState'> | undefined;
  new Gauge({
    name: 'oots_dagr_circuit_state',
    help: 'DAGR circuit breaker of this process: 1 for the current state.',
    labelNames: ['state'] as const,
    registers,
    collect() {
      this.reset();
      if (watched === undefined) return;
      const current = watched.breakerState();
      for (const state of BREAKER_STATES) this.set({ state }, state === current ? 1 : 0);
    },
  });
  const quotaLeft = new Gauge({
    name: 'oots_dagr_permission_quota_left',
    help: 'Uses left on the VIRSIS permission(s) of a DAGR service (use_count_quota - use_count); absent when unlimited.',
    labelNames: ['service'] as const,
    registers,
  });
  const validUntil = new Gauge({
    name: 'oots_dagr_permission_valid_until_seconds',
    help: 'Unix time at which the DAGR permission of a service expires (valid_to); absent when open-ended.',
    labelNames: ['service'] as const,
    registers,
  });
  const refreshFailures = new Counter({
    name: 'oots_dagr_permission_refresh_failures_total',
    help: 'Failed periodic current_user_permissions calls.',
    registers,
  });

  const deliveryLag = new Histogram({
    name: 'oots_delivery_lag_seconds',
    help: 'From receipt of a request to the connector accepting its answer.',
    buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 300, 900, 1800, 3600, 7200, 21600, 86400],
    registers,
  });

  const onDagrCall = (event: DagrCallEvent): void => {
    dagrCalls.observe(
      { operation: event.operation, service: event.service ?? 'none', status: statusLabel(event.status) },
      event.durationMs / 1000,
    );
  };

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
      exchanges.inc({
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

    onDagrCall,

    observeDeliveryLag(seconds) {
      deliveryLag.observe(Math.max(0, seconds));
    },

    watchDagr(client, wopts = {}) {
      watched = client;
      const now = wopts.now ?? (() => new Date());
      let checkedAt: string | undefined;
      let lastError: string | undefined;
      let reachable: boolean | undefined;
      let permissions: DagrSnapshot['permissions'] = [];
      let stopped = false;

      const refresh = async (): Promise<void> => {
        try {
          const list = await client.currentUserPermissions('ops-quota-check');
          permissions = list.map(toSnapshot);
          checkedAt = now().toISOString();
          lastError = undefined;
          reachable = true;
          quotaLeft.reset();
          validUntil.reset();
          const left = new Map<string, number>();
          const until = new Map<string, number>();
          for (const p of permissions) {
            if (p.quotaLeft !== undefined) left.set(p.service, (left.get(p.service) ?? 0) + p.quotaLeft);
            const t = p.validTo === undefined ? NaN : Date.parse(p.validTo);
            if (Number.isFinite(t)) until.set(p.service, Math.max(until.get(p.service) ?? 0, t / 1000));
          }
          for (const [service, v] of left) quotaLeft.set({ service }, v);
          for (const [service, v] of until) validUntil.set({ service }, v);
        } catch (err) {
          refreshFailures.inc();
          // A DagrError says why in `cause` and `detail`, both safe to show (no URL, no object id).
          lastError = err instanceof DagrError ? `${err.cause}: ${err.detail}` : 'unexpected error';
          reachable = !(err instanceof DagrError && (err.cause === 'timeout' || err.cause === 'unavailable'));
          opts.logger?.warn({ dagr: { error: lastError } }, 'DAGR permissions check failed');
        }
      };
      const timer = setInterval(() => {
        if (!stopped) void refresh();
      }, wopts.intervalMs ?? 300_000);
      timer.unref();
      void refresh();

      return {
        snapshot: () => ({ circuit: client.breakerState(), checkedAt, lastError, reachable, permissions }),
        refresh,
        stop() {
          stopped = true;
          clearInterval(timer);
        },
      };
    },
  };
}

function toSnapshot(p: DagrPermission): DagrSnapshot['permissions'][number] {
  const quota = typeof p.use_count_quota === 'number' ? p.use_count_quota : undefined;
  return {
    service: p.service_name,
    permission: p.permission_number,
    quotaLeft:
      quota === undefined ? undefined : Math.max(0, quota - (typeof p.use_count === 'number' ? p.use_count : 0)),
    validTo: typeof p.valid_to === 'string' ? p.valid_to : undefined,
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
