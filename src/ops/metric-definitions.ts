/**
 * The metric definitions of src/ops/metrics.ts (the table in its header): names, help texts,
 * labels and buckets, as data. The gauges read at scrape time take their sources as arguments;
 * recording into the others is metrics.ts's job.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { BreakerState } from '../dagr/breaker.js';
import type { QueueCounts } from '../queue/queues.js';

export const STEPS = ['parse', 'validate', 'lookup', 'render', 'build', 'deliver'] as const;
export type Step = (typeof STEPS)[number];

export const PREVIEW_STAGES = ['required', 'opened', 'approved', 'declined', 'nothing-found', 'expired'] as const;
export type PreviewStage = (typeof PREVIEW_STAGES)[number];

const QUEUE_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed'] as const;
const BREAKER_STATES: readonly BreakerState[] = ['closed', 'open', 'half-open'];

/** What the scrape-time gauges read. */
export interface ScrapeSources {
  /** One read of the queue counts per scrape; undefined when unreadable (or no queues). */
  readCounts(): Promise<QueueCounts | undefined>;
  /** Whether queues are watched at all (`oots_queue_up` exists only then). */
  readonly hasQueues: boolean;
  /** The circuit state of the watched DAGR client; undefined before `watchDagr`. */
  breakerState(): BreakerState | undefined;
}

export function httpMetrics(registers: Registry[]) {
  return {
    http: new Histogram({
      name: 'oots_http_request_duration_seconds',
      help: 'HTTP requests served, by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
  };
}

/** The queue gauges, read from Redis at scrape time (nothing records into them). */
export function defineQueueGauges(registers: Registry[], sources: ScrapeSources): void {
  new Gauge({
    name: 'oots_queue_jobs',
    help: 'Jobs per queue and state, read from Redis at scrape time.',
    labelNames: ['queue', 'state'] as const,
    registers,
    async collect() {
      this.reset();
      const counts = await sources.readCounts();
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
      const counts = await sources.readCounts();
      if (counts === undefined) return;
      for (const [queue, c] of Object.entries(counts)) this.set({ queue }, c.paused ? 1 : 0);
    },
  });
  if (sources.hasQueues)
    new Gauge({
      name: 'oots_queue_up',
      help: '1 when this scrape could read the queue counts from Redis, 0 when not (the queue series are then absent).',
      registers,
      async collect() {
        this.set((await sources.readCounts()) === undefined ? 0 : 1);
      },
    });
}

export function pipelineMetrics(registers: Registry[]) {
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

  // Test traffic (procedure 00) is counted here and never in oots_exchanges_total.
  const systemChecks = new Counter({
    name: 'oots_system_checks_total',
    help: 'System checks (procedure 00, production tests) answered, by outcome, EDM error code and evidence type; not counted in oots_exchanges_total.',
    labelNames: ['outcome', 'edm_code', 'evidence_type'] as const,
    registers,
  });

  const preview = new Counter({
    name: 'oots_preview_total',
    help: 'Preview funnel: sessions required, opened by the user, approved, declined, no record found at the login, expired.',
    labelNames: ['stage'] as const,
    registers,
  });
  for (const stage of PREVIEW_STAGES) preview.inc({ stage }, 0);
  return { steps, exchanges, systemChecks, preview };
}

export function dagrMetrics(registers: Registry[], sources: ScrapeSources) {
  const dagrCalls = new Histogram({
    name: 'oots_dagr_call_duration_seconds',
    help: 'DAGR HTTP attempts by operation, service (none outside lookups) and status (HTTP code, timeout, network-error, circuit-open).',
    labelNames: ['operation', 'service', 'status'] as const,
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16],
    registers,
  });
  new Gauge({
    name: 'oots_dagr_circuit_state',
    help: 'DAGR circuit breaker of this process: 1 for the current state.',
    labelNames: ['state'] as const,
    registers,
    collect() {
      this.reset();
      const current = sources.breakerState();
      if (current === undefined) return;
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
  return { dagrCalls, quotaLeft, validUntil, refreshFailures };
}

export type DagrMetrics = ReturnType<typeof dagrMetrics>;

export function deliveryMetrics(registers: Registry[]) {
  return {
    deliveryLag: new Histogram({
      name: 'oots_delivery_lag_seconds',
      help: 'From receipt of a request to the connector accepting its answer.',
      buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 300, 900, 1800, 3600, 7200, 21600, 86400],
      registers,
    }),
  };
}
