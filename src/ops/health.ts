/**
 * Liveness and readiness:
 *
 *   GET /healthz  200 while the process runs (it answers at all). For the container HEALTHCHECK
 *                 and liveness probes: it never looks at dependencies, so a Redis or DAGR outage
 *                 does not get healthy processes restarted.
 *   GET /readyz   runs every check at once, each bounded by its timeout; 503 when a `required`
 *                 check fails, 200 otherwise. A failing optional check reads `degraded` (still
 *                 200): DAGR or the connector being down delays answers but intake must go on
 *                 accepting requests (they wait durably in Redis), so by default only Redis is
 *                 required. Body: `{status, checks: {name: {status, required, ms, detail?}}}`.
 *
 * Check helpers for Redis and DAGR (circuit breaker and the last permissions call, no extra call per
 * probe). The connector's check comes from the connector itself (`Connector.health`,
 * src/connector/port.ts).
 */
import { performance } from 'node:perf_hooks';
import express, { type Request, type Response } from 'express';
import type { Cluster, Redis } from 'ioredis';
import type { DagrClient } from '../dagr/client.js';
import type { HealthCheck } from '../infra/health-check.js';
import type { Logger } from '../infra/logger.js';
import type { DagrWatch } from './metrics.js';

export type { HealthCheck };

export interface CheckResult {
  readonly status: 'ok' | 'fail';
  readonly required: boolean;
  readonly ms: number;
  readonly detail?: string;
}

export interface Readiness {
  readonly status: 'ready' | 'degraded' | 'not-ready';
  readonly checks: Readonly<Record<string, CheckResult>>;
}

export interface HealthOptions {
  readonly checks: readonly HealthCheck[];
  /** Default bound of one check, ms. Default 2000. */
  readonly timeoutMs?: number | undefined;
  /** Check state changes are logged (not every probe). */
  readonly logger?: Logger | undefined;
}

async function runOne(c: HealthCheck, defaultTimeout: number): Promise<CheckResult> {
  const required = c.required ?? true;
  const timeoutMs = c.timeoutMs ?? defaultTimeout;
  const ctrl = new AbortController();
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const detail = await Promise.race([
      c.check(ctrl.signal),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`no answer within ${timeoutMs} ms`));
          ctrl.abort();
        }, timeoutMs);
      }),
    ]);
    return { status: 'ok', required, ms: Math.round(performance.now() - start), ...(detail ? { detail } : {}) };
  } catch (err) {
    return {
      status: 'fail',
      required,
      ms: Math.round(performance.now() - start),
      detail: err instanceof Error ? err.message : String(err),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the checks once (also used by the admin summary). */
export async function readiness(checks: readonly HealthCheck[], timeoutMs = 2000): Promise<Readiness> {
  const results = await Promise.all(checks.map((c) => runOne(c, timeoutMs)));
  const out: Record<string, CheckResult> = {};
  checks.forEach((c, i) => (out[c.name] = results[i]!));
  const failed = results.filter((r) => r.status === 'fail');
  const status = failed.some((r) => r.required) ? 'not-ready' : failed.length > 0 ? 'degraded' : 'ready';
  return { status, checks: out };
}

export function healthRouter(opts: HealthOptions): express.Router {
  const router = express.Router();
  const last = new Map<string, CheckResult['status']>();
  const started = Date.now();

  router.get('/healthz', (_req: Request, res: Response) => {
    res
      .set('Cache-Control', 'no-store')
      .json({ status: 'ok', uptimeSeconds: Math.round((Date.now() - started) / 1000) });
  });

  router.get('/readyz', (_req: Request, res: Response) => {
    void readiness(opts.checks, opts.timeoutMs).then((r) => {
      for (const [name, c] of Object.entries(r.checks)) {
        if (last.get(name) !== c.status && (last.has(name) || c.status === 'fail')) {
          const log = { check: name, status: c.status, required: c.required, detail: c.detail };
          if (c.status === 'fail') opts.logger?.warn(log, `readiness check ${name} failing`);
          else opts.logger?.info(log, `readiness check ${name} recovered`);
        }
        last.set(name, c.status);
      }
      res
        .set('Cache-Control', 'no-store')
        .status(r.status === 'not-ready' ? 503 : 200)
        .json(r);
    });
  });
  return router;
}

/** Redis answers PING. */
export function redisCheck(
  redis: Redis | Cluster,
  opts: { readonly name?: string; readonly required?: boolean } = {},
): HealthCheck {
  return {
    name: opts.name ?? 'redis',
    required: opts.required ?? true,
    async check() {
      const pong = await redis.ping();
      if (pong !== 'PONG') throw new Error(`unexpected PING answer`);
    },
  };
}

/**
 * DAGR looks reachable: this process's circuit breaker is not open and, with a watch, the last
 * permissions call did not time out or find DAGR unavailable. Makes no DAGR call of its own.
 */
export function dagrCheck(
  client: Pick<DagrClient, 'breakerState'>,
  opts: { readonly watch?: DagrWatch | undefined; readonly required?: boolean } = {},
): HealthCheck {
  return {
    name: 'dagr',
    required: opts.required ?? false,
    check() {
      const circuit = client.breakerState();
      if (circuit === 'open') return Promise.reject(new Error('circuit breaker open'));
      const snap = opts.watch?.snapshot();
      if (snap !== undefined && snap.reachable === false)
        return Promise.reject(new Error(`permissions call failed (${snap.lastError ?? 'unknown'})`));
      return Promise.resolve(`circuit ${circuit}`);
    },
  };
}
